"""Check that a chapter's verdicts hold for other seeds and on another CPU's arithmetic.

    python scripts/check_seeds.py 03_vanilla_gan 05_wgan --seeds 1 2   # papermill -p SEED 1, then 2
    python scripts/check_seeds.py --cpu default                         # every chapter, torch's plain kernels
    python scripts/check_seeds.py 04_dcgan --seeds 1 2 --cpu default    # both checks

--seeds: executes each chapter (quick profile, offline, on the CPU) with papermill and the given
SEED into _build/seeds/, so every assertion runs with that seed; prints pass/fail and the failing
cell and line. --cpu CAPABILITY: runs nbval on the committed chapter with ATEN_CPU_CAPABILITY set
(torch's kernels for another CPU: default, avx2, avx512), so a checked cell whose printed output
depends on the CPU's arithmetic shows up as a difference; prints how many checked cells differ.
Exits 1 if anything failed. Run on an otherwise idle machine: a chapter takes one to four minutes.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "_build" / "seeds"


def build_script():
    spec = importlib.util.spec_from_file_location("build_book", ROOT / "scripts" / "build_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_seed(notebook: Path, seed: int) -> tuple[bool, str]:
    """Execute notebook with SEED = seed; (passed, what failed)."""
    import papermill

    build = build_script()
    os.environ.update(GANTUT_PROFILE="quick", GANTUT_OFFLINE="1", GANTUT_DEVICE="cpu")
    SCRATCH.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(str(notebook), str(SCRATCH / f"{notebook.stem}.seed{seed}.ipynb"),
                                   parameters={"SEED": seed}, kernel_name="python3", cwd=str(notebook.parent),
                                   progress_bar=False, log_output=False,
                                   kernel_manager_class=build.kernel_manager())
        return True, ""
    except Exception as error:
        return False, build.failure_summary(error)


def check_cpu(notebook: Path, capability: str) -> tuple[bool, str]:
    """nbval on the committed notebook under ATEN_CPU_CAPABILITY=capability; (passed, differing cells)."""
    environment = {**os.environ, "ATEN_CPU_CAPABILITY": capability, "GANTUT_OFFLINE": "1", "GANTUT_DEVICE": "cpu"}
    result = subprocess.run([sys.executable, "-m", "pytest", str(notebook.relative_to(ROOT)), "-q", "-rf",
                             "--no-header", "-p", "no:randomly"], cwd=ROOT, env=environment,
                            capture_output=True, text=True)
    failed = sorted(set(re.findall(r"^FAILED \S+::(Cell \d+)", result.stdout, flags=re.M)),
                    key=lambda cell: int(cell.split()[1]))
    if result.returncode == 0:
        return True, ""
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-500:]
    return False, f"{len(failed)} checked cell(s) differ or fail: {', '.join(failed)} ({summary})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", help="e.g. 03_vanilla_gan (default: every chapter)")
    parser.add_argument("--seeds", nargs="*", type=int, default=[], help="seeds to execute each chapter with")
    parser.add_argument("--cpu", help="ATEN_CPU_CAPABILITY for an nbval run of the committed notebooks")
    args = parser.parse_args()
    if not args.seeds and not args.cpu:
        args.seeds = [1, 2]
    names = args.chapters or sorted(p.stem for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    rows = []
    for name in names:
        notebook = ROOT / "chapters" / f"{Path(name).stem}.ipynb"
        if not notebook.exists():
            sys.exit(f"no chapter {notebook.relative_to(ROOT)}")
        checks = [(f"SEED={seed}", lambda s=seed: check_seed(notebook, s)) for seed in args.seeds]
        if args.cpu:
            checks.append((f"cpu={args.cpu}", lambda: check_cpu(notebook, args.cpu)))
        for label, check in checks:
            start = time.perf_counter()
            passed, why = check()
            rows.append((notebook.stem, label, passed, time.perf_counter() - start, why))
            print(f"{notebook.stem:28s} {label:12s} {'pass' if passed else 'FAIL'} {rows[-1][3]:5.0f} s  {why}",
                  flush=True)
    failed = [row for row in rows if not row[2]]
    print(f"\n{len(rows) - len(failed)} of {len(rows)} checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
