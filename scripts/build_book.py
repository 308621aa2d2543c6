"""Execute every chapter with papermill, then build the HTML book into _build/html.

    python scripts/build_book.py                   # quick profile (CPU, about 2 minutes a chapter)
    python scripts/build_book.py --profile full    # full profile (GPU): to _build/executed/full-<device>/
    python scripts/build_book.py --no-execute      # only build the book from the stored outputs
    python scripts/build_book.py chapters/01_gan_theory.ipynb   # execute only these chapters

The committed notebooks carry the outputs of the quick profile run on a CPU (what nbval checks
and the book shows). Only that run updates them in place: the full profile, or any run on a GPU,
writes its executed notebooks to _build/executed/<profile>-<device>/ and leaves the checkout
as it was (pass --update-committed to overwrite the committed notebooks anyway); the book is then
built from the committed notebooks. The profile reaches the notebooks through the environment
variable GANTUT_PROFILE (their parameters cell reads it), so papermill injects no cell. Each
chapter's run time is read back from papermill's metadata and printed as a table (and saved as
times.md next to the executed notebooks).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def toc_chapters() -> list[Path]:
    """The chapter notebooks listed in _toc.yml, in order."""
    paths = []
    for line in (ROOT / "_toc.yml").read_text().splitlines():
        line = line.strip()
        if line.startswith("- file: chapters/"):
            paths.append(ROOT / (line.split("file:")[1].strip() + ".ipynb"))
    return paths


def execute(notebook: Path, profile: str, output: Path) -> float:
    """Run notebook with papermill (cwd: chapters/) into output; return its run time in seconds."""
    import papermill

    os.environ["GANTUT_PROFILE"] = profile
    output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    papermill.execute_notebook(
        str(notebook), str(output), kernel_name="python3", cwd=str(notebook.parent),
        progress_bar=False, log_output=False,
    )
    elapsed = time.perf_counter() - start
    nb = json.loads(output.read_text())
    leftover = [c for c in nb["cells"] if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    if leftover:
        raise RuntimeError(f"{notebook.name}: papermill injected a parameters cell; it must not be committed")
    return nb["metadata"].get("papermill", {}).get("duration") or elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", type=Path, help="chapters to execute (default: all in _toc.yml)")
    parser.add_argument("--profile", choices=("quick", "full"), default="quick")
    parser.add_argument("--no-execute", action="store_true", help="build from the stored outputs")
    parser.add_argument("--update-committed", action="store_true",
                        help="write the executed notebooks over the committed ones even for the full profile or a GPU")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from gantut.utils import device  # GANTUT_DEVICE, else CUDA if visible, else the CPU

    chapters = [p.resolve() for p in args.chapters] or toc_chapters()
    where = device()
    in_place = args.update_committed or (args.profile == "quick" and where.type == "cpu")
    out_dir = ROOT / "chapters" if in_place else ROOT / "_build" / "executed" / f"{args.profile}-{where.type}"
    times = {}
    if not args.no_execute:
        print(f"profile {args.profile} on {where}: executed notebooks go to {out_dir.relative_to(ROOT)}/"
              + ("" if in_place else " (the committed notebooks are left as they are)"), flush=True)
        for notebook in chapters:
            print(f"executing {notebook.relative_to(ROOT)} ({args.profile}) ...", flush=True)
            times[notebook.name] = execute(notebook, args.profile, notebook if in_place else out_dir / notebook.name)
            print(f"  done in {times[notebook.name]:.0f} s", flush=True)
        table = (f"| chapter | {args.profile} run time on {where.type} (s) |\n|---|---|\n"
                 + "".join(f"| {name} | {seconds:.0f} |\n" for name, seconds in times.items())
                 + f"| total | {sum(times.values()):.0f} |\n")
        print("\n" + table, flush=True)
        if not in_place:
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / "times.md").write_text(table)
            print(f"executed notebooks and times.md in {out_dir}; the book below shows the committed notebooks")

    command = ["jupyter-book", "build", str(ROOT), "-W", "-n", "--keep-going"]
    print(" ".join(command), flush=True)
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode == 0:
        print(f"book built: {ROOT / '_build' / 'html' / 'index.html'}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
