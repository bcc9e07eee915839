#!/usr/bin/python3
"""Summarises bench/isa-compare's JSON files (bench/results/isa): per model and instruction set, the median samples/s of
Fit, the hand loop, the torch.nn floor, the library floor and PyTorch 1.13's loop, the ratios within each process, and the
convolution and Dense layout micro-benchmarks. Prints Markdown.

Usage: python3 bench/isa_report.py bench/results/isa
"""
import glob
import json
import os
import statistics
import sys


def read(path):
    with open(path) as f:
        return json.load(f)


def load(pattern):
    return [read(path) for path in sorted(glob.glob(pattern))]


def pair_of(path):
    """The process-pair number in a result file's name (dotnet-mlp-native-2.json -> "2")."""
    return os.path.basename(path).rsplit("-", 1)[1].split(".")[0]


def med(values):
    return statistics.median(values) if values else float("nan")


def spread(values):
    return f"{min(values):.2f}-{max(values):.2f}" if values else ""


def main(folder):
    isas = ["native", "avx2"]
    models = sorted({os.path.basename(p).split("-")[1] for p in glob.glob(os.path.join(folder, "dotnet-*.json"))},
                    key=["mlp", "cnn", "imdb"].index)
    print("| model | instruction set | MKL code path | Fit | hand loop | floor | library floor | **Fit / hand** (per process) "
          "| library floor / floor | PyTorch 1.13 loop | **Fit / PyTorch** (per pair) |")
    print("|---|---|---:|---:|---:|---:|---:|---|---:|---:|---|")
    for m in models:
        for isa in isas:
            paths = sorted(glob.glob(os.path.join(folder, f"dotnet-{m}-{isa}-*.json")))
            if not paths:
                continue
            runs = [read(p) for p in paths]
            pairs = [pair_of(p) for p in paths]
            py = {pair_of(p): read(p) for p in glob.glob(os.path.join(folder, f"pytorch-{isa}-*.json"))}
            allv = {v: [x for r in runs for x in r["runs"].get(v, [])] for v in ("fit", "hand", "floor", "floor_keras")}
            per_proc = [r["median"]["fit"] / r["median"]["hand"] for r in runs]
            lib_floor = [r["median"]["floor_keras"] / r["median"]["floor"] for r in runs]
            pt_all, fit_pt = [], []
            for r, pair in zip(runs, pairs):
                if pair in py and m in py[pair]["models"]:
                    peer = py[pair]["models"][m]
                    pt_all += peer["runs"]["loop"]
                    fit_pt.append(r["median"]["fit"] / peer["median"]["loop"])
            code = runs[0].get("mkl_code_path", "")
            print(f"| {m.upper()} | {isa} | {code} | {med(allv['fit']):,.0f} | {med(allv['hand']):,.0f} | {med(allv['floor']):,.0f} "
                  f"| {med(allv['floor_keras']):,.0f} | **{med(allv['fit']) / med(allv['hand']):.2f}x** ({', '.join(f'{v:.2f}' for v in per_proc)}) "
                  f"| {med(lib_floor):.2f} ({spread(lib_floor)}) | {med(pt_all):,.0f} | "
                  + (f"**{med(allv['fit']) / med(pt_all):.2f}x** ({', '.join(f'{v:.2f}' for v in fit_pt)}) |" if pt_all else " |"))
    print()
    print("| micro-benchmark (ms) | instruction set | per process | median |")
    print("|---|---|---|---:|")
    for isa in isas:
        conv = load(os.path.join(folder, f"conv-{isa}-*.json"))
        if conv:
            for key, label in (("conv_nchw_ms", "CNN conv stack fwd+bwd, NCHW memory"),
                               ("conv_channels_last_ms", "CNN conv stack fwd+bwd, channels-last memory")):
                vals = [c[key] for c in conv]
                print(f"| {label} | {isa} | {', '.join(f'{v:.2f}' for v in vals)} | {med(vals):.2f} |")
        dense = load(os.path.join(folder, f"dense-imdb-{isa}-*.json"))
        if dense:
            for key, label in (("addmm(b, x, K[in,out])", "IMDB Dense(16) fwd+bwd, kernel row-major"),
                               ("addmm(b, x, K.t().contiguous().t())", "IMDB Dense(16) fwd+bwd, kernel column-major")):
                vals = [d["micro_us"][key] / 1000 for d in dense]
                print(f"| {label} | {isa} | {', '.join(f'{v:.2f}' for v in vals)} | {med(vals):.2f} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/results/isa")
