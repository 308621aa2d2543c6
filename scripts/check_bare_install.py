"""Run chapters the way Colab does: a bare environment whose first cell installs the book.

    python scripts/check_bare_install.py                      # chapters 1 and 7 (quick profile)
    python scripts/check_bare_install.py 01_gan_theory 03_vanilla_gan

Makes a fresh virtual environment with only what Colab brings for the book (torch, torchvision,
ipykernel, papermill; no gantut), then executes the chosen chapters there with papermill from an
empty working folder. The first chapter's install cell clones this repository (its committed
HEAD, through GANTUT_REPOSITORY) and installs gantut[book] keeping the torch it finds; the other
chapters find gantut installed. Exits 1 and prints the failing cell if a chapter fails, e.g.
because it imports a package the install cell does not install.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What Colab already has for the book (pip's cache or local wheels make these fast).
PREINSTALLED = ["torch==2.14.1", "torchvision==0.29.1", "ipykernel", "papermill"]


def run(command: list[str], **kwargs) -> None:
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", default=["01_gan_theory", "07_fid_and_is"])
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and print where it is")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="gantut-bare-"))
    venv, book, work = scratch / "venv", scratch / "book", scratch / "content"
    work.mkdir()
    python = venv / "bin" / "python"
    start = time.perf_counter()
    base = getattr(sys, "_base_executable", sys.executable)
    run([base, "-m", "venv", str(venv)])
    run([str(python), "-m", "pip", "install", "-q", *PREINSTALLED])
    environment = {**os.environ, "GANTUT_REPOSITORY": ROOT.as_uri(), "GANTUT_BOOK_DIR": str(book),
                   "GANTUT_PROFILE": "quick", "GANTUT_OFFLINE": "1", "VIRTUAL_ENV": str(venv),
                   "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    environment.pop("PYTHONPATH", None)
    print(f"bare environment ready in {time.perf_counter() - start:.0f} s (gantut installed: no)", flush=True)
    failures = []
    for chapter in args.chapters:
        notebook = ROOT / "chapters" / f"{chapter}.ipynb"
        began = time.perf_counter()
        result = subprocess.run([str(python), "-m", "papermill", str(notebook), str(scratch / f"{chapter}.out.ipynb"),
                                 "-k", "python3", "--cwd", str(work), "--no-progress-bar"],
                                env=environment, capture_output=True, text=True)
        seconds = time.perf_counter() - began
        if result.returncode == 0:
            print(f"{chapter}: ok in {seconds:.0f} s", flush=True)
        else:
            failures.append(chapter)
            print(f"{chapter}: FAILED after {seconds:.0f} s\n{result.stderr[-3000:]}", flush=True)
    installed = subprocess.run([str(python), "-c", "import gantut; print(gantut.__file__)"],
                               env=environment, cwd=work, capture_output=True, text=True).stdout.strip()
    print(f"gantut imported from {installed or 'nowhere'} (the install cell's clone: {book})")
    if not installed.startswith(str(book)):
        failures.append("install cell")
    if args.keep:
        print(f"scratch folder kept: {scratch}")
    else:
        subprocess.run(["rm", "-rf", str(scratch)])
    print("bare install check: " + ("all chapters ran" if not failures else f"failed: {', '.join(failures)}"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
