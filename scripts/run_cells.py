"""Run selected cells of a chapter's percent-format source, e.g. to re-train one full-profile model.

    GANTUT_PROFILE=full python scripts/run_cells.py chapters/src/05_wgan.py "SAVE_CHECKPOINT = True" \
        --cells 1-4 --match "history_sn = train.train"

Runs the cells numbered in --cells (code cells, counted from 1) and every code cell containing
one of the --match strings, in order, after executing the given assignments once the parameters
cell has run (as papermill's injected cell would). Prints what it runs.
"""
from __future__ import annotations

import argparse
import os
import re
import sys

import matplotlib

matplotlib.use("agg")


def code_cells(text: str) -> list[str]:
    cells = re.split(r"^# %%.*$", text, flags=re.M)
    headers = re.findall(r"^# %%.*$", text, flags=re.M)
    return [body for header, body in zip(headers, cells[1:]) if "[markdown]" not in header]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source")
    parser.add_argument("assignments", nargs="*", help="statements run right after the parameters cell")
    parser.add_argument("--cells", default="", help="e.g. 1-4,7")
    parser.add_argument("--match", action="append", default=[])
    parser.add_argument("--list", action="store_true", help="print the cells that would run, run nothing")
    args = parser.parse_args()
    cells = code_cells(open(args.source).read())
    wanted = set()
    for part in filter(None, args.cells.split(",")):
        lo, _, hi = part.partition("-")
        wanted.update(range(int(lo), int(hi or lo) + 1))
    namespace = {"__name__": "__main__"}
    unmatched = [m for m in args.match if not any(m in body for body in cells)]
    if unmatched:
        sys.exit(f"no code cell of {args.source} contains {unmatched}")
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(args.source)), ".."))
    for number, body in enumerate(cells, start=1):
        if number in wanted or any(m in body for m in args.match):
            print(f"--- cell {number}: {body.strip().splitlines()[0][:70]}", flush=True)
            if args.list:
                continue
            exec(compile(body, f"{args.source}:cell{number}", "exec"), namespace)
            if "PROFILE = os.environ" in body:
                for statement in args.assignments:
                    exec(statement, namespace)


if __name__ == "__main__":
    main()
