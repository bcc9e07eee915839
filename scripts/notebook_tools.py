#!/usr/bin/python3
"""Shared helpers for scripts/make-notebooks, scripts/run-notebooks and scripts/refresh-notebooks.

The walkthroughs are written once per language as scripts in "percent format" (scripts/NN-name.fsx, scripts/NN-name.cs);
the notebooks in notebooks/ are built from them, so the script a user runs and the notebook they open say the same thing.

Cell markers (each on its own line):
    // %% [markdown]   a markdown cell: the following `// ` comment lines, without the `// `
    // %%              a code cell
    // %% [script]     a code cell only the script has (for example `display` for a console); left out of the notebook
    // %% [notebook]   a code cell only the notebook has, written commented out (`// #r ...`) because the script's compiler
                       would reject it; the notebook gets it uncommented
Lines before the first marker (the C# file-based app's `#:package` directives) belong to the script only.
"""
import hashlib
import json
import os
import re
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SCRIPTS = os.path.join(REPO, "scripts")
NOTEBOOKS = os.path.join(REPO, "notebooks")

LANGUAGES = {
    ".fsx": dict(suffix="fsharp", kernel="tn-fsharp", display="F# (TransferNotebooks)", language="fsharp",
                 language_info={"name": "fsharp", "file_extension": ".fsx", "mimetype": "text/x-fsharp", "pygments_lexer": "fsharp", "version": "10.0"},
                 polyglot=("fsharp", "F#")),
    ".cs": dict(suffix="csharp", kernel="tn-csharp", display="C# (TransferNotebooks)", language="C#",
                language_info={"name": "csharp", "file_extension": ".cs", "mimetype": "text/x-csharp", "pygments_lexer": "csharp", "version": "14.0"},
                polyglot=("csharp", "C#")),
}

MARKER = re.compile(r"^// %%(?:\s+\[(markdown|script|notebook)\])?\s*$")
WALKTHROUGH = re.compile(r"^\d\d-[a-z0-9-]+\.(fsx|cs)$")


def walkthrough_scripts():
    """The walkthrough scripts, in order: 01-x.fsx, 01-x.cs, 02-... (F# first within a walkthrough)."""
    names = [n for n in os.listdir(SCRIPTS) if WALKTHROUGH.match(n)]
    return [os.path.join(SCRIPTS, n) for n in sorted(names, key=lambda n: (n.split(".")[0], n.endswith(".cs")))]


def notebook_path(script):
    stem, ext = os.path.splitext(os.path.basename(script))
    return os.path.join(NOTEBOOKS, f"{stem}-{LANGUAGES[ext]['suffix']}.ipynb")


def parse(script):
    """[(kind, source)] with kind markdown | code | script | notebook."""
    with open(script, encoding="utf-8") as f:
        lines = f.read().splitlines()
    cells, kind, body = [], None, []

    def flush():
        if kind is not None:
            while body and not body[-1].strip():
                body.pop()
            while body and not body[0].strip():
                body.pop(0)
            cells.append((kind, body[:]))

    for line in lines:
        m = MARKER.match(line)
        if m:
            flush()
            kind, body = (m.group(1) or "code"), []
        elif kind is not None:
            body.append(line)
    flush()
    out = []
    for kind, body in cells:
        if kind == "markdown":
            src = "\n".join(re.sub(r"^// ?", "", l) for l in body)
        elif kind == "notebook":
            src = "\n".join(re.sub(r"^// ?", "", l) for l in body)
        else:
            src = "\n".join(body)
        out.append((kind, src))
    return out


def cell_id(stem, index, kind):
    return hashlib.sha1(f"{stem}:{index}:{kind}".encode()).hexdigest()[:12]


def build_notebook(script):
    import nbformat
    ext = os.path.splitext(script)[1]
    lang = LANGUAGES[ext]
    stem = os.path.splitext(os.path.basename(script))[0]
    nb = nbformat.v4.new_notebook()
    polyglot_name, polyglot_language = lang["polyglot"]
    nb.metadata = {
        "kernelspec": {"name": lang["kernel"], "display_name": lang["display"], "language": lang["language"]},
        "language_info": lang["language_info"],
        # Lets VS Code's Polyglot Notebooks open the same file with its own F#/C# kernel.
        "polyglot_notebook": {"kernelInfo": {"defaultKernelName": polyglot_name,
                                             "items": [{"name": polyglot_name, "languageName": polyglot_language}]}},
        "source_script": os.path.relpath(script, REPO),
    }
    index = 0
    for kind, src in parse(script):
        if kind == "script":
            continue
        if kind == "markdown":
            cell = nbformat.v4.new_markdown_cell(src)
        else:
            cell = nbformat.v4.new_code_cell(src)
            cell.metadata = {"polyglot_notebook": {"kernelName": polyglot_name}, "dotnet_interactive": {"language": polyglot_name}}
        cell.id = cell_id(stem, index, "md" if kind == "markdown" else "code")
        nb.cells.append(cell)
        index += 1
    return nb


def write_notebook(nb, path):
    import nbformat
    nbformat.validate(nb)
    text = nbformat.writes(nb) + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def first_line(source):
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:80]
    return ""


if __name__ == "__main__":
    print("\n".join(walkthrough_scripts()))
    sys.exit(0)
