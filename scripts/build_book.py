"""Execute every chapter with papermill, then build the HTML book into _build/html.

    python scripts/build_book.py                   # quick profile (CPU, about 2 minutes a chapter)
    python scripts/build_book.py --profile full    # full profile (GPU)
    python scripts/build_book.py --no-execute      # only build the book from the stored outputs
    python scripts/build_book.py chapters/01_gan_theory.ipynb   # execute only these chapters

The profile reaches the notebooks through the environment variable GANTUT_PROFILE (their
parameters cell reads it), so papermill injects no cell and the notebooks stay clean.
Each chapter's run time is read back from papermill's metadata and printed as a table.
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


def execute(notebook: Path, profile: str) -> float:
    import papermill

    os.environ["GANTUT_PROFILE"] = profile
    start = time.perf_counter()
    papermill.execute_notebook(
        str(notebook), str(notebook), kernel_name="python3", cwd=str(notebook.parent),
        progress_bar=False, log_output=False,
    )
    elapsed = time.perf_counter() - start
    nb = json.loads(notebook.read_text())
    leftover = [c for c in nb["cells"] if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    if leftover:
        raise RuntimeError(f"{notebook.name}: papermill injected a parameters cell; it must not be committed")
    return nb["metadata"].get("papermill", {}).get("duration") or elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", type=Path, help="chapters to execute (default: all in _toc.yml)")
    parser.add_argument("--profile", choices=("quick", "full"), default="quick")
    parser.add_argument("--no-execute", action="store_true", help="build from the stored outputs")
    args = parser.parse_args()

    chapters = [p.resolve() for p in args.chapters] or toc_chapters()
    times = {}
    if not args.no_execute:
        for notebook in chapters:
            print(f"executing {notebook.relative_to(ROOT)} ({args.profile}) ...", flush=True)
            times[notebook.name] = execute(notebook, args.profile)
            print(f"  done in {times[notebook.name]:.0f} s", flush=True)
        print(f"\n| chapter | {args.profile} run time (s) |\n|---|---|")
        for name, seconds in times.items():
            print(f"| {name} | {seconds:.0f} |")
        print(f"| total | {sum(times.values()):.0f} |\n", flush=True)

    command = ["jupyter-book", "build", str(ROOT), "-W", "-n", "--keep-going"]
    print(" ".join(command), flush=True)
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode == 0:
        print(f"book built: {ROOT / '_build' / 'html' / 'index.html'}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
