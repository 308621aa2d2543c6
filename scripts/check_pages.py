"""Check the built book as a reader's browser sees it, with no network.

For every page in _build/html (the front page, each chapter, the bibliography):
- no <script> or stylesheet is loaded from another host (a CDN): the book must work offline;
- every <img> points to a non-empty file that was built;
- headless Chromium (network blocked) renders the page: MathJax turns the math into
  mjx-container elements, and saved widgets (progress bars) render into widget elements;
- a screenshot of each page is written to _build/screenshots/ (look at them).

    python scripts/check_pages.py            # exits 1 and says why if a page fails
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                "--host-resolver-rules=MAP * ~NOTFOUND",  # no network: a CDN would fail here
                "--virtual-time-budget=20000", "--run-all-compositor-stages-before-draw"]


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.styles, self.images = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        elif tag == "link" and attrs.get("rel") == "stylesheet" and attrs.get("href"):
            self.styles.append(attrs["href"])
        elif tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    sys.exit("headless Chromium not found: apt-get install chromium")


def chrome(command: list[str], what: str) -> subprocess.CompletedProcess:
    """Run headless Chromium; a run that hangs is retried once with a shorter limit (Chromium has hung
    here for the full 180 s on a page it then rendered in 2 s)."""
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        print(f"  {what}: Chromium timed out after 180 s; retrying once", flush=True)
        return subprocess.run(command, capture_output=True, text=True, timeout=60)


def render(browser: str, page: Path, profile: Path) -> str:
    command = [browser, *CHROME_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()]
    return chrome(command, f"{page.name} (render)").stdout


def screenshot(browser: str, page: Path, profile: Path, target: Path) -> None:
    command = [browser, *CHROME_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,2400",
               f"--screenshot={target}", page.as_uri()]
    chrome(command, f"{page.name} (screenshot)")


def main() -> int:
    pages = [HTML / "intro.html", HTML / "bibliography.html", *sorted((HTML / "chapters").glob("*.html"))]
    pages = [p for p in pages if p.exists()]
    if len(pages) < 2:
        print(f"no built pages under {HTML}: build the book first (python scripts/build_book.py)")
        return 1
    browser = chromium()
    SHOTS.mkdir(parents=True, exist_ok=True)
    failures = []
    with tempfile.TemporaryDirectory() as profile:
        for page in pages:
            name = page.relative_to(HTML)
            source = page.read_text()
            assets = Assets()
            assets.feed(source)
            remote = [u for u in assets.scripts + assets.styles if re.match(r"^(https?:)?//", u)]
            if remote:
                failures.append(f"{name}: loads from another host: {remote}")
            missing = [u for u in assets.images if not u.startswith("data:")
                       and not ((page.parent / u).is_file() and (page.parent / u).stat().st_size > 0)]
            if missing:
                failures.append(f"{name}: images missing: {missing}")
            dom = render(browser, page, Path(profile))
            if not dom:
                failures.append(f"{name}: Chromium rendered nothing")
                continue
            has_math = "math notranslate" in source
            math_ok = dom.count("<mjx-container") > 0
            if has_math and not math_ok:
                failures.append(f"{name}: math did not render (no mjx-container in the DOM)")
            has_widgets = "application/vnd.jupyter.widget-view+json" in source
            widgets_ok = "lm-Widget" in dom  # a class only the widget renderer creates
            if has_widgets and not widgets_ok:
                failures.append(f"{name}: saved widgets did not render")
            screenshot(browser, page, Path(profile), SHOTS / (page.stem + ".png"))
            print(f"{str(name):45s} images {len(assets.images):3d}  math "
                  f"{'rendered' if math_ok else ('none' if not has_math else 'FAILED'):8s}  widgets "
                  f"{'rendered' if widgets_ok and has_widgets else ('none' if not has_widgets else 'FAILED')}")
    for failure in failures:
        print("FAIL", failure)
    print(f"{len(pages)} pages checked, {len(failures)} problems; screenshots in {SHOTS.relative_to(ROOT)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
