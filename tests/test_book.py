"""The book's configuration and its notebooks agree (no training here)."""
import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
INSTALL_MARK = "# On Colab, or anywhere the book's helper package is missing"


def install_cells() -> dict[str, str]:
    """The Colab install cell of every chapter notebook and chapter source, by file name."""
    cells = {}
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        code = [c["source"] for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
        source = "".join(code[0]) if code and isinstance(code[0], list) else code[0]
        cells[notebook.name] = source
    for source_file in sorted((ROOT / "chapters" / "src").glob("*.py")):
        text = source_file.read_text()
        start = text.index(INSTALL_MARK)
        cells[source_file.name] = text[start:text.index("\n# %%", start)].strip()
    return cells


def test_every_chapter_installs_the_book_from_the_repository_named_in_config():
    config_url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    cells = install_cells()
    assert len(cells) == 2 * len(list((ROOT / "chapters").glob("*.ipynb"))) >= 16
    for name, cell in cells.items():
        assert cell.startswith(INSTALL_MARK), f"{name}: the install cell must be the first code cell"
        urls = re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", cell)
        assert urls == [config_url], f"{name} clones {urls}, _config.yml names {config_url}"
    assert len(set(cells.values())) == 1, "the install cell differs between chapters"


def test_the_install_cell_keeps_the_torch_it_finds():
    cell = next(iter(install_cells().values()))
    install_line = next(line for line in cell.splitlines() if '"pip", "install"' in line)
    assert "*kept" in install_line and '"torch", "torchvision"' in cell and "importlib.metadata.version" in cell
    assert "--upgrade" not in cell and "-U" not in install_line
