"""Turn a chapter source in percent format (chapters/src/NN_name.py) into chapters/NN_name.ipynb.

    python scripts/py2nb.py chapters/src/01_gan_theory.py     # one chapter
    python scripts/py2nb.py                                   # every chapter source
    python scripts/py2nb.py --markdown-only chapters/src/04_dcgan.py
        # copy only the prose into the executed notebook, keeping its outputs (refused if any
        # code cell differs: then the notebook must be re-executed)

The sources are jupytext's percent format, read with jupytext: cells start with a line "# %%"
(code) or "# %% [markdown]" (markdown, each line behind "# "); tags follow as JSON:
# %% tags=["parameters"]. Cell ids are c000, c001, ... The notebook is written without outputs:
execute it with scripts/build_book.py (papermill) before committing, so that nbval has
outputs to compare.
"""
from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent


def convert(source: Path, markdown_only: bool = False) -> Path:
    nb = jupytext.read(source, fmt="py:percent")
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:03d}"
        cell.metadata = {"tags": cell.metadata["tags"]} if cell.metadata.get("tags") else {}
    target = ROOT / "chapters" / (source.stem + ".ipynb")
    if markdown_only:
        executed = nbformat.read(target, as_version=4)
        old = [(c.cell_type, c.source if c.cell_type == "code" else None) for c in executed.cells]
        new = [(c.cell_type, c.source if c.cell_type == "code" else None) for c in nb.cells]
        if old != new:
            sys.exit(f"{target.name}: code cells changed; convert without --markdown-only and re-execute")
        for kept, fresh in zip(executed.cells, nb.cells):
            if kept.cell_type == "markdown":
                kept.source = fresh.source
        nb = executed
    nbformat.write(nb, target)
    return target


if __name__ == "__main__":
    args = sys.argv[1:]
    markdown_only = "--markdown-only" in args
    sources = [Path(a) for a in args if a != "--markdown-only"] or sorted((ROOT / "chapters" / "src").glob("*.py"))
    for source in sources:
        print(f"{source} -> {convert(source, markdown_only).relative_to(ROOT)}")
