"""Write each chapter's "## References" section from the works it cites.

    python scripts/chapter_references.py                          # every chapter source
    python scripts/chapter_references.py chapters/src/03_vanilla_gan.py

Collects the keys of {cite:p}`...` and {cite:t}`...` in the chapter source, in order of first
citation, and lists them from references.bib (authors, year, title, venue), followed by a link to
the book's bibliography. Only the References section (to the end of the file) is rewritten; run
scripts/py2nb.py --markdown-only afterwards to copy the prose into the executed notebook.
"""
from __future__ import annotations

import codecs
import re
import sys
from pathlib import Path

import latexcodec  # noqa: F401  (registers the 'ulatex' codec; pybtex depends on it)
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"\{cite:[tp]\}`([^`]+)`")
HEADING = "# ## References\n"


def cited_keys(text: str) -> list[str]:
    """Citation keys in order of first appearance."""
    keys: list[str] = []
    for match in CITATION.finditer(text):
        for key in (k.strip() for k in match.group(1).split(",")):
            if key not in keys:
                keys.append(key)
    return keys


def _clean(text: str) -> str:
    """BibTeX text as plain Unicode: LaTeX accents decoded (Bi{\\'n}kowski -> Bińkowski), braces dropped."""
    text = codecs.decode(text.replace("--", "–"), "ulatex")
    return re.sub(r"[{}]", "", text).replace("\\&", "&").strip()


def format_entry(entry) -> str:
    """'Goodfellow, I., Pouget-Abadie, J., et al. (2014). Title. *Venue*.'"""
    people = entry.persons.get("author", [])
    names = [f"{_clean(' '.join(p.prelast_names + p.last_names))}, {' '.join(_clean(n)[0] + '.' for n in p.first_names + p.middle_names if _clean(n))}"
             for p in people]
    authors = (", ".join(names[:3]) + ", et al.") if len(names) > 3 else \
        (" & ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names))
    fields = entry.fields
    venue = fields.get("booktitle") or fields.get("journal") or fields.get("publisher") or fields.get("howpublished") or ""
    extra = f", {_clean(fields['note'])}" if "eprint" in fields and "note" in fields else ""
    arxiv = f" arXiv:{fields['eprint']}" if "eprint" in fields else ""
    venue_text = f" *{_clean(venue)}*{extra}." if venue else (f"{arxiv}." if arxiv else "")
    title = _clean(fields.get("title", ""))
    title += "" if title.endswith(("?", "!", ".")) else "."
    return f"{authors} ({fields.get('year', 'n.d.')}). {title}{venue_text}"


def references_section(keys: list[str], bib) -> str:
    missing = [key for key in keys if key not in bib.entries]
    if missing:
        raise KeyError(f"cited but not in references.bib: {', '.join(missing)}")
    lines = [HEADING, "#\n"]
    lines += [f"# - {format_entry(bib.entries[key])}\n" for key in keys]
    lines += ["#\n", "# Every work cited in the book is in the [bibliography](../bibliography).\n"]
    return "".join(lines)


def rewrite(source: Path, bib) -> None:
    text = source.read_text()
    if HEADING not in text:
        raise ValueError(f"{source}: no '## References' section to rewrite")
    body = text[: text.index(HEADING)]
    source.write_text(body + references_section(cited_keys(body), bib))
    print(f"{source.relative_to(ROOT)}: {len(cited_keys(body))} works")


if __name__ == "__main__":
    bib = parse_file(ROOT / "references.bib")
    sources = [Path(arg).resolve() for arg in sys.argv[1:]] or sorted((ROOT / "chapters" / "src").glob("[0-9][0-9]_*.py"))
    for source in sources:
        rewrite(source, bib)
