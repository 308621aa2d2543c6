"""Turn a chapter source in percent format (chapters/src/NN_name.py) into chapters/NN_name.ipynb.

    python scripts/py2nb.py chapters/src/01_gan_theory.py     # one chapter
    python scripts/py2nb.py                                   # every chapter source

Cells start with a line "# %%" (code) or "# %% [markdown]" (markdown, each line behind "# ");
tags follow as JSON: # %% tags=["parameters"]. The notebook is written without outputs:
execute it with scripts/build_book.py (papermill) before committing, so that nbval has
outputs to compare.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
HEADER = re.compile(r"^# %%( \[markdown\])?(?: tags=(\[.*\]))?\s*$")


def convert(source: Path) -> Path:
    cells, kind, tags, lines = [], None, [], []

    def flush():
        text = "\n".join(lines).strip("\n")
        if kind is None or not text:
            return
        if kind == "markdown":
            text = "\n".join(l[2:] if l.startswith("# ") else l.lstrip("#") for l in text.split("\n"))
            cell = nbformat.v4.new_markdown_cell(text)
        else:
            cell = nbformat.v4.new_code_cell(text)
        if tags:
            cell.metadata["tags"] = tags
        cells.append(cell)

    for line in source.read_text().split("\n"):
        match = HEADER.match(line)
        if match:
            flush()
            kind = "markdown" if match.group(1) else "code"
            tags = json.loads(match.group(2)) if match.group(2) else []
            lines = []
        else:
            lines.append(line)
    flush()
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    target = ROOT / "chapters" / (source.stem + ".ipynb")
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:03d}"
    nbformat.write(nb, target)
    return target


if __name__ == "__main__":
    sources = [Path(a) for a in sys.argv[1:]] or sorted((ROOT / "chapters" / "src").glob("*.py"))
    for source in sources:
        print(f"{source} -> {convert(source).relative_to(ROOT)}")
