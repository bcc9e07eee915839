#!/usr/bin/python3
"""Executes one notebook top to bottom with nbconvert's ExecutePreprocessor (Debian's python3-nbconvert) in the kernel
its metadata names (or --kernel), writes the executed copy (also when a cell fails, with the error in it), validates it
with nbformat, and on failure prints one line naming the notebook and the cell:

    FAILED notebooks/x.ipynb cell 7 (id 3f2a..., code `let m = ...`): ArgumentException: ...

Usage: execute_notebook.py NOTEBOOK OUTPUT [--kernel NAME] [--timeout SECONDS]
Exit status: 0 ok, 1 a cell failed, 2 the notebook could not be run (kernel did not start, invalid output).
"""
import argparse
import os
import re
import sys
import time

import nbformat
from nbconvert.preprocessors import CellExecutionError, ExecutePreprocessor

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class TrackingPreprocessor(ExecutePreprocessor):
    """Remembers which cell is running, so a failure can name it."""
    current = None

    def preprocess_cell(self, cell, resources, index):
        self.current = index
        started = time.time()
        result = super().preprocess_cell(cell, resources, index)
        if cell.cell_type == "code" and os.environ.get("TN_NOTEBOOK_TIMINGS"):
            print(f"    cell {index}: {time.time() - started:.1f}s", file=sys.stderr)
        return result


def first_line(source):
    return next((l.strip()[:70] for l in source.splitlines() if l.strip() and not l.strip().startswith("//")), "")


def error_of(cell):
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename', 'Error')}: {ANSI.sub('', out.get('evalue', ''))}".strip()
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebook")
    ap.add_argument("output")
    ap.add_argument("--kernel")
    ap.add_argument("--timeout", type=int, default=600)
    a = ap.parse_args()
    name = os.path.relpath(a.notebook)
    status = 0
    # jupyter_client picks free ports, then the kernel binds them: a kernel starting at the same moment can take one first
    # (seen once in a full run: the .NET Interactive kernel died with "Address already in use" on its heartbeat port).
    # A kernel that dies before any cell ran is started again, up to twice, with fresh ports.
    for attempt in range(3):
        nb = nbformat.read(a.notebook, as_version=4)
        kernel = a.kernel or nb.metadata.get("kernelspec", {}).get("name")
        ep = TrackingPreprocessor(timeout=a.timeout, kernel_name=kernel, allow_errors=False)
        try:
            ep.preprocess(nb, {"metadata": {"path": os.path.dirname(os.path.abspath(a.notebook))}})
            break
        except RuntimeError as e:
            if ep.current is None and "before replying to kernel_info" in str(e) and attempt < 2:
                print(f"[execute_notebook] {name}: kernel died at start ({e}); starting it again", file=sys.stderr)
                time.sleep(2)
                continue
            error = e
        except Exception as e:
            error = e
        status = report(name, nb, ep, error)
        break
    os.makedirs(os.path.dirname(os.path.abspath(a.output)), exist_ok=True)
    nbformat.write(nb, a.output)
    try:
        nbformat.validate(nbformat.read(a.output, as_version=4))
    except nbformat.ValidationError as e:
        print(f"FAILED {name}: the executed notebook is not valid nbformat: {e.message}", file=sys.stderr)
        return 2
    return status


def report(name, nb, ep, e):
    """Prints the one FAILED line for exception e; returns the exit status (1 a cell failed, 2 the notebook could not run)."""
    if isinstance(e, CellExecutionError):
        i = ep.current
        cell = nb.cells[i] if i is not None and i < len(nb.cells) else None
        message = (error_of(cell) if cell is not None else None) or ANSI.sub("", str(e)).strip().splitlines()[-1]
        where = f"cell {i + 1} of {len(nb.cells)} (id {cell.get('id')}, `{first_line(cell.source)}`)" if cell is not None else "a cell"
        print(f"FAILED {name} {where}: {message}", file=sys.stderr)
        return 1
    # kernel did not start, died, timed out
    i = ep.current
    where = f"cell {i}" if i is not None else "kernel start"
    print(f"FAILED {name} {where}: {type(e).__name__}: {ANSI.sub('', str(e)).strip()[:500]}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
