#!/usr/bin/env python3
"""Runs a TorchSharp-first host script in .NET Interactive (dotnet-interactive stdio) for scripts/test-torchsharp-first.

Usage: drive-dotnet-interactive.py DOTNET_INTERACTIVE fsharp|csharp FEED SCRIPT   (DOTNET_INTERACTIVE: a command, e.g. "dotnet /path/App.dll")
Cell 1 is `#i "nuget: FEED"` + `#r "nuget: TransferNotebooks"`; cell 2 is SCRIPT without its package line, its chart included
(dotnet-interactive 1.0.712001 runs on FSharp.Core 10.0; the library binds Plotly.NET's FSharp.Core 10.1 requests to it). Prints the kernel's
standard output, standard error, displayed values and diagnostics as text; exits 1 when a cell fails or the kernel exits.
"""
import json
import shlex
import subprocess
import sys
import time

tool, kernel, feed, script = sys.argv[1:5]
lines = open(script, encoding="utf-8").read().splitlines()
body = [line for line in lines if not line.startswith('#r "nuget:') and not line.startswith("#:package")]
cells = [f'#i "nuget: {feed}"\n#r "nuget: TransferNotebooks"', "\n".join(body)]

proc = subprocess.Popen(shlex.split(tool) + ["stdio", "--default-kernel", kernel], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT, text=True, bufsize=1)
ok = True
for i, code in enumerate(cells):
    start = time.time()
    token = f"cell{i}"
    proc.stdin.write(json.dumps({"commandType": "SubmitCode", "token": token,
                                 "command": {"code": code, "targetKernelName": kernel}}) + "\n")
    proc.stdin.flush()
    while True:
        line = proc.stdout.readline()
        if not line:
            print("dotnet-interactive exited")
            ok = False
            break
        try:
            envelope = json.loads(line)
        except ValueError:
            print(line.rstrip())
            continue
        kind, event = envelope.get("eventType"), envelope.get("event") or {}
        if kind in ("StandardOutputValueProduced", "StandardErrorValueProduced"):
            text = next((v["value"] for v in event.get("formattedValues", []) if v.get("mimeType") == "text/plain"), "")
            sys.stdout.write(text)
        elif kind in ("DisplayedValueProduced", "ReturnValueProduced"):
            text = next((v["value"] for v in event.get("formattedValues", []) if v.get("mimeType") == "text/plain"), "")
            if text.strip('"'):
                print(text)
        elif kind == "DiagnosticsProduced":
            for d in event.get("diagnostics", []):
                print(f'{d.get("severity", "")}: {d.get("message", "")}')
        elif kind == "ErrorProduced":
            print(event.get("message", ""))
        command = envelope.get("command") or {}
        if kind in ("CommandSucceeded", "CommandFailed") and command.get("token") == token:
            if kind == "CommandFailed":
                print(event.get("message", ""))
                ok = False
            print(f"(cell {i + 1}: {kind} in {time.time() - start:.1f} s)")
            break
    if not ok:
        break
proc.stdin.close()
try:
    proc.wait(timeout=10)
except subprocess.TimeoutExpired:
    proc.kill()
sys.exit(0 if ok else 1)
