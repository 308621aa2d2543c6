"""The book's configuration and its notebooks agree (no training here)."""
import json
import re
import sys
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
    monkeypatch.setattr(utils, "hardware", lambda: "a test machine")
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
    assert "| chapter |" in (tmp_path / "c" / "_build" / "executed" / "quick-cuda" / "times-quick-cuda.md").read_text()
    assert (tmp_path / "a" / "_build" / "times-quick-cpu.md").exists()     # not committed: _build/ is ignored


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


def test_build_book_runs_every_chapter_and_builds_the_book_when_one_fails(monkeypatch, tmp_path, capsys):
    """A failing chapter (a tiny notebook) is reported with its cell and line; the others still run,
    the book is built with the failed chapter's stored outputs and a warning, and the exit status is 1."""
    import subprocess
    import sys

    import nbformat
    import torch

    from gantut import utils

    build = load_build_script()
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 1. Bad"),
                                          nbformat.v4.new_code_cell("gap = 1\nassert gap > 3, 'gap too small'")])
    good = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 2. Good"),
                                           nbformat.v4.new_code_cell("print('ran')")])
    for notebook in (bad, good):
        notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(bad, chapters / "01_bad.ipynb")
    nbformat.write(good, chapters / "02_good.ipynb")
    stored = (chapters / "01_bad.ipynb").read_text()
    (tmp_path / "_toc.yml").write_text("chapters:\n  - file: chapters/01_bad\n  - file: chapters/02_good\n")

    seen_at_build = {}

    def fake_jupyter_book(command, cwd=None, **kwargs):
        seen_at_build["bad"] = (chapters / "01_bad.ipynb").read_text()
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(utils, "device", lambda: torch.device("cpu"))
    monkeypatch.setattr(build, "ROOT", tmp_path)
    monkeypatch.setattr(subprocess, "run", fake_jupyter_book)
    monkeypatch.setattr(sys, "argv", ["build_book.py"])
    assert build.main() == 1
    printed = capsys.readouterr().out
    assert "01_bad.ipynb | cell [1]: AssertionError: gap too small at `assert gap > 3" in printed
    assert "02_good.ipynb | ok |" in printed and "1 failed" in printed
    assert "ran" in (chapters / "02_good.ipynb").read_text()          # the next chapter was executed
    assert "Re-executing this chapter failed" in seen_at_build["bad"]   # the page says so
    assert (chapters / "01_bad.ipynb").read_text() == stored            # and the notebook is restored


def imported_modules(source: str) -> set[str]:
    """Top-level names of the modules a Python source imports (relative imports left out)."""
    import ast

    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def provided_distributions(roots: list[str]) -> set[str]:
    """The distributions roots bring when pip installs them: themselves and their requirements, recursively
    (requirements behind an extra are left out). Names are normalised (lower case, '-')."""
    import importlib.metadata
    from packaging.requirements import Requirement

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    seen, todo = set(), [norm(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requirements = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for text in requirements:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(norm(requirement.name))
    return seen


def undeclared_imports(sources: dict[str, str], declared: list[str]) -> dict[str, set[str]]:
    """For each source, the modules it imports that neither the standard library nor the declared
    distributions (with what they bring) provide."""
    import importlib.metadata

    provided = provided_distributions(declared)
    owners = importlib.metadata.packages_distributions()
    missing = {}
    for name, source in sources.items():
        for module in imported_modules(source) - set(sys.stdlib_module_names) - {"gantut", "__future__"}:
            distributions = {re.sub(r"[-_.]+", "-", d).lower() for d in owners.get(module, [module])}
            if not distributions & provided:
                missing.setdefault(name, set()).add(module)
    return missing


def chapter_and_package_sources() -> dict[str, str]:
    sources = {}
    for source_file in sorted((ROOT / "chapters" / "src").glob("*.py")):
        code = re.split(r"^# %%.*$", source_file.read_text(), flags=re.M)
        headers = re.findall(r"^# %%.*$", source_file.read_text(), flags=re.M)
        sources[source_file.name] = "\n".join(body for header, body in zip(headers, code[1:])
                                              if "[markdown]" not in header)
    for module in sorted((ROOT / "gantut").glob("*.py")):
        sources[f"gantut/{module.name}"] = module.read_text()
    return sources


def colab_declared() -> list[str]:
    """What the install cell brings on Colab: torch and torchvision (kept as found), the kernel
    (ipykernel, which brings IPython), gantut's dependencies and the extras the cell names."""
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    cell = next(iter(install_cells().values()))
    extras = re.findall(r'\[(\w+)\]"', cell)
    assert extras == ["book"], f"the install cell should install gantut[book], found extras {extras}"
    declared = [Requirement(r).name for r in project["dependencies"]]
    declared += [Requirement(r).name for extra in extras for r in project["optional-dependencies"][extra]]
    return ["torch", "torchvision", "ipykernel", *declared]


def test_every_import_of_the_chapters_and_the_package_is_installed_by_the_colab_cell():
    missing = undeclared_imports(chapter_and_package_sources(), colab_declared())
    assert not missing, (f"imports that the install cell does not install: {missing}; add them to "
                         "pyproject.toml's [project.optional-dependencies] book (or dependencies)")


def test_the_import_check_catches_an_undeclared_package():
    declared = colab_declared()
    assert undeclared_imports({"x.py": "import pytorch_fid\nfrom scipy import stats"}, declared) == {}
    assert undeclared_imports({"x.py": "import jupyter_book\nimport yaml"}, ["torch", "numpy"]) == \
        {"x.py": {"jupyter_book", "yaml"}}
    assert undeclared_imports({"x.py": "import pytorch_fid"}, ["torch", "torchvision"]) == {"x.py": {"pytorch_fid"}}


def test_check_pages_retries_a_chromium_run_that_hangs_once(monkeypatch):
    import importlib.util
    import subprocess

    spec = importlib.util.spec_from_file_location("check_pages", ROOT / "scripts" / "check_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    limits = []

    def hangs_once(command, timeout, **kwargs):
        limits.append(timeout)
        if len(limits) == 1:
            raise subprocess.TimeoutExpired(command, timeout)
        return subprocess.CompletedProcess(command, 0, stdout="<html>rendered</html>")

    monkeypatch.setattr(module.subprocess, "run", hangs_once)
    assert module.render("chromium", ROOT / "intro.md", ROOT) == "<html>rendered</html>"
    assert limits == [180, 60]


def test_every_code_cell_of_every_chapter_source_compiles():
    """A syntax error (e.g. nested quotes in an f-string) is caught here, not minutes into a chapter's run."""
    for name, source in chapter_and_package_sources().items():
        if name.endswith(".py") and not name.startswith("gantut/"):
            text = (ROOT / "chapters" / "src" / name).read_text()
            bodies = re.split(r"^# %%.*$", text, flags=re.M)[1:]
            headers = re.findall(r"^# %%.*$", text, flags=re.M)
            for number, (header, body) in enumerate(zip(headers, bodies), start=1):
                if "[markdown]" not in header:
                    compile(body, f"{name}, cell {number}", "exec")


def test_no_section_heading_of_a_chapter_source_is_hidden_in_a_code_cell():
    """A heading written as "# ## ..." after a code cell's header is a Python comment: the book loses the section."""
    for source in sorted((ROOT / "chapters" / "src").glob("[0-9][0-9]_*.py")):
        text = source.read_text()
        bodies = re.split(r"^# %%.*$", text, flags=re.M)[1:]
        headers = re.findall(r"^# %%.*$", text, flags=re.M)
        for number, (header, body) in enumerate(zip(headers, bodies), start=1):
            if "[markdown]" not in header:
                hidden = re.findall(r"^# #{1,4} .*$", body, flags=re.M)
                assert not hidden, f"{source.name}, cell {number}: heading {hidden[0]!r} is inside a code cell"


def test_every_reproduce_command_in_data_readme_selects_existing_cells():
    """data/README.md says how each shipped checkpoint was made with scripts/run_cells.py --match ...: a
    chapter edit that renames a matched line would silently leave the command running nothing. A row
    that says "as the row above, plus --match ..." matches in the row above's chapter."""
    import importlib.util
    import re
    import shlex
    spec = importlib.util.spec_from_file_location("run_cells", ROOT / "scripts" / "run_cells.py")
    run_cells = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_cells)
    source, checked = None, 0
    for row in (ROOT / "data" / "README.md").read_text().splitlines():
        command = re.search(r"python scripts/run_cells\.py (\S+)", row)
        source = command.group(1) if command else source
        for fragment in re.findall(r"`[^`]*--match[^`]*`", row):
            words = shlex.split(fragment.strip("`").split("run_cells.py", 1)[-1])
            cells = run_cells.code_cells((ROOT / source).read_text())
            for match in (words[i + 1] for i, word in enumerate(words) if word == "--match"):
                assert any(match in cell for cell in cells), f"{source}: no code cell contains {match!r}"
                checked += 1
    assert checked >= 30
