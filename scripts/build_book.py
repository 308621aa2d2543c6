"""Execute every chapter with papermill, then build the HTML book into _build/html.

    python scripts/build_book.py                   # quick profile (CPU, about 2 minutes a chapter)
    python scripts/build_book.py --profile full    # full profile (GPU): to _build/executed/full-<device>/
    python scripts/build_book.py --no-execute      # only build the book from the stored outputs
    python scripts/build_book.py chapters/01_gan_theory.ipynb   # execute only these chapters

A chapter that fails does not stop the others: every chapter is executed, a table of chapter /
status / seconds names the failing cell and line of each failure, the book is built with the
failed chapters' stored outputs (their pages say that the re-execution failed), and the script
exits with status 1.

The committed notebooks carry the outputs of the quick profile run on a CPU (what nbval checks
and the book shows). Only that run updates them in place: the full profile, or any run on a GPU,
writes its executed notebooks to _build/executed/<profile>-<device>/ and leaves the checkout
as it was (pass --update-committed to overwrite the committed notebooks anyway); the book is then
built from the committed notebooks. The profile reaches the notebooks through the environment
variable GANTUT_PROFILE (their parameters cell reads it), so papermill injects no cell. Each
chapter's run time is read back from papermill's metadata, printed as a table and saved (with the
machine's description) as times-<profile>-<device>.md in _build/ or next to the executed notebooks.
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


def failure_summary(error: Exception) -> str:
    """One line for a chapter that failed: the cell, the exception and the line that raised it."""
    import re

    ansi = re.compile(r"\x1b\[[0-9;]*m")
    lines = [ansi.sub("", line) for line in "\n".join(getattr(error, "traceback", None) or []).splitlines()]
    # IPython marks the line that raised with an arrow: "----> 12 assert gap > 3"
    marked = [m.group(1) for m in (re.match(r"^\s*-+>\s*(?:\d+\s)?\s*(.*)$", line) for line in lines) if m]
    cell = getattr(error, "exec_count", None)
    where = f"cell [{cell}]" if cell is not None else "a cell"
    name = getattr(error, "ename", type(error).__name__)
    value = (error.evalue if hasattr(error, "evalue") else str(error)).strip().splitlines()
    what = f"{name}: {value[0][:160]}" if value and value[0] else name
    return f"{where}: {what}" + (f" at `{marked[-1][:160]}`" if marked else "")


def kernel_manager():
    """The kernel papermill starts: over local (IPC) sockets where the platform has them.

    Over TCP without keys, ipykernel prints "Kernel is running over TCP without encryption" once
    per chapter; a kernel on the same machine needs no network port at all.
    """
    from jupyter_client.manager import KernelManager
    from traitlets import default

    class LocalKernelManager(KernelManager):
        @default("transport")
        def _default_transport(self):
            return "tcp" if sys.platform == "win32" else "ipc"

    return LocalKernelManager


def execute(notebook: Path, profile: str, output: Path) -> float:
    """Run notebook with papermill (cwd: chapters/) into output; return its run time in seconds.

    The run goes to a scratch file first: output is written only when every cell ran, so a
    chapter that fails keeps the notebook it had. Raises papermill's PapermillExecutionError
    (with the failing cell) when a cell raises.
    """
    import tempfile

    import papermill

    os.environ["GANTUT_PROFILE"] = profile
    output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        ran = Path(scratch) / notebook.name
        papermill.execute_notebook(
            str(notebook), str(ran), kernel_name="python3", cwd=str(notebook.parent),
            progress_bar=False, log_output=False, kernel_manager_class=kernel_manager(),
        )
        elapsed = time.perf_counter() - start
        nb = json.loads(ran.read_text())
        leftover = [c for c in nb["cells"] if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
        if leftover:
            raise RuntimeError(f"{notebook.name}: papermill injected a parameters cell; it must not be committed")
        output.write_text(ran.read_text())
    return nb["metadata"].get("papermill", {}).get("duration") or elapsed


FAILED_NOTE = """```{{warning}}
Re-executing this chapter failed when this book was built: `{why}`. The outputs below are the
ones stored in the notebook, from its last successful run.
```"""


def mark_failed(notebook: Path, why: str) -> str:
    """Put a warning at the top of a notebook whose re-execution failed; return its old text."""
    text = notebook.read_text()
    nb = json.loads(text)
    note = {"cell_type": "markdown", "id": "build-failed", "metadata": {},
            "source": FAILED_NOTE.format(why=why.replace("`", "'"))}
    first = 1 if nb["cells"] and nb["cells"][0]["cell_type"] == "markdown" else 0  # after the title cell
    nb["cells"].insert(first, note)
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", type=Path, help="chapters to execute (default: all in _toc.yml)")
    parser.add_argument("--profile", choices=("quick", "full"), default="quick")
    parser.add_argument("--no-execute", action="store_true", help="build from the stored outputs")
    parser.add_argument("--update-committed", action="store_true",
                        help="write the executed notebooks over the committed ones even for the full profile or a GPU")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from gantut.utils import device, hardware  # device: GANTUT_DEVICE, else CUDA if visible, else the CPU

    chapters = [p.resolve() for p in args.chapters] or toc_chapters()
    where = device()
    in_place = args.update_committed or (args.profile == "quick" and where.type == "cpu")
    out_dir = ROOT / "chapters" if in_place else ROOT / "_build" / "executed" / f"{args.profile}-{where.type}"
    times, failures = {}, {}
    if not args.no_execute:
        print(f"profile {args.profile} on {where}: executed notebooks go to {out_dir.relative_to(ROOT)}/"
              + ("" if in_place else " (the committed notebooks are left as they are)"), flush=True)
        for notebook in chapters:
            print(f"executing {notebook.relative_to(ROOT)} ({args.profile}) ...", flush=True)
            start = time.perf_counter()
            try:
                times[notebook.name] = execute(notebook, args.profile, notebook if in_place else out_dir / notebook.name)
                print(f"  done in {times[notebook.name]:.0f} s", flush=True)
            except Exception as error:  # one failing chapter must not stop the others or the book
                times[notebook.name] = time.perf_counter() - start
                failures[notebook] = failure_summary(error)
                print(f"  FAILED after {times[notebook.name]:.0f} s: {failures[notebook]}", flush=True)
        status = {nb.name: why.replace("|", "\\|") for nb, why in failures.items()}
        table = (f"| chapter | status | {args.profile} run time on {where.type} (s) |\n|---|---|---|\n"
                 + "".join(f"| {name} | {status.get(name, 'ok')} "
                           f"| {seconds:.0f} |\n" for name, seconds in times.items())
                 + f"| total | {len(failures)} failed | {sum(times.values()):.0f} |\n")
        print("\n" + table, flush=True)
        times_file = (out_dir if not in_place else ROOT / "_build") / f"times-{args.profile}-{where.type}.md"
        times_file.parent.mkdir(parents=True, exist_ok=True)
        times_file.write_text(f"{hardware()}\n\n{table}")       # _build/ is not committed
        print(f"run times in {times_file.relative_to(ROOT)}", flush=True)
        if not in_place:
            print(f"executed notebooks in {out_dir}; the book below shows the committed notebooks")

    command = ["jupyter-book", "build", str(ROOT), "-W", "-n", "--keep-going"]
    print(" ".join(command), flush=True)
    # A chapter whose re-execution failed is built from its stored outputs, with a warning on its page.
    originals = {nb: mark_failed(nb, why) for nb, why in failures.items() if in_place and nb.exists()}
    try:
        result = subprocess.run(command, cwd=ROOT)
    finally:
        for notebook, text in originals.items():
            notebook.write_text(text)
    if result.returncode == 0:
        print(f"book built: {ROOT / '_build' / 'html' / 'index.html'}")
    if failures:
        print(f"{len(failures)} chapter(s) failed to re-execute (the book shows their stored outputs):")
        for notebook, why in failures.items():
            print(f"  {notebook.name}: {why}")
        return 1
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
