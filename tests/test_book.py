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


def load_build_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_book", ROOT / "scripts" / "build_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_build(monkeypatch, tmp_path, device, *args):
    """build_book.main with papermill and jupyter-book replaced; returns the notebooks it wrote."""
    import subprocess
    import sys

    import torch

    from gantut import utils

    build = load_build_script()
    written = []
    monkeypatch.setattr(utils, "device", lambda: torch.device(device))
    monkeypatch.setattr(build, "ROOT", tmp_path)
    monkeypatch.setattr(build, "execute", lambda notebook, profile, output: written.append(output) or 1.0)
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0))
    (tmp_path / "chapters").mkdir(parents=True)
    (tmp_path / "_toc.yml").write_text("chapters:\n  - file: chapters/01_x\n")
    monkeypatch.setattr(sys, "argv", ["build_book.py", *args])
    assert build.main() == 0
    return [path.relative_to(tmp_path).as_posix() for path in written]


def test_build_book_updates_the_committed_notebooks_only_for_the_cpu_quick_run(monkeypatch, tmp_path):
    assert run_build(monkeypatch, tmp_path / "a", "cpu") == ["chapters/01_x.ipynb"]
    assert run_build(monkeypatch, tmp_path / "b", "cpu", "--profile", "full") == \
        ["_build/executed/full-cpu/01_x.ipynb"]
    assert run_build(monkeypatch, tmp_path / "c", "cuda") == ["_build/executed/quick-cuda/01_x.ipynb"]
    assert run_build(monkeypatch, tmp_path / "d", "cuda", "--profile", "full", "--update-committed") == \
        ["chapters/01_x.ipynb"]
    assert (tmp_path / "c" / "_build" / "executed" / "quick-cuda" / "times.md").read_text().startswith("| chapter |")


def test_every_chapter_lists_the_works_it_cites_in_its_references():
    import importlib.util
    spec = importlib.util.spec_from_file_location("chapter_references", ROOT / "scripts" / "chapter_references.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from pybtex.database import parse_file
    bib = parse_file(ROOT / "references.bib")
    for source in sorted((ROOT / "chapters" / "src").glob("[0-9][0-9]_*.py")):
        text = source.read_text()
        body, references = text.split(module.HEADING)
        for key in module.cited_keys(body):
            assert module.format_entry(bib.entries[key]) in references, f"{source.name}: {key} missing from References"
        notebook = json.loads(source.parent.parent.joinpath(source.stem + ".ipynb").read_text())
        assert any("## References" in "".join(cell["source"]) and module.format_entry(bib.entries[module.cited_keys(body)[0]])
                   in "".join(cell["source"]) for cell in notebook["cells"]), f"{source.name}: notebook not updated"
