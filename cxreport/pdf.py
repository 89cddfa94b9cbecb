"""cxreport pdf: the report as one PDF for a client, printed from the built site by headless Chromium (Playwright).

The site is built into a temporary folder (never the project's output/) with print.html, the whole report as
one document; Chromium opens it from disk, waits until every chart has drawn, and prints it on A4 landscape.
Playwright and pypdf are an optional extra (`pip install 'cxreport[pdf]'`); the browser is the system's Chromium.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .pipeline import Build, build
from .problems import Problems
from .render.printing import PRINT_PATH

CHROMIUM_ENV = "CXREPORT_CHROMIUM"
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# Root in CI, no network: no sandbox (it needs user namespaces), no GPU, nothing that phones home.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
INSTALL_HINT = (
    "install the PDF extra and a Chromium:\n"
    "  pip install 'cxreport[pdf]'\n"
    "  apt-get install chromium    (or set CXREPORT_CHROMIUM to a Chromium or Chrome executable)"
)
# A4 landscape less the page margins of print.css (12 mm each side): 273 mm at 96 px per inch. Charts are drawn
# at the width they will have on paper.
PRINT_WIDTH_PX = 1032
PRINT_HEIGHT_PX = 730
CHART_TIMEOUT_MS = 60_000
FITTED = "() => !document.querySelector('script[src$=\"print.js\"]') || document.documentElement.dataset.print === 'fitted'"


class PdfError(Exception):
    """The PDF could not be made, for a reason the message gives (the command exits 1, no traceback)."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PdfUnavailable(PdfError):
    """The PDF cannot be made on this machine: Playwright or a Chromium is missing."""


@dataclass
class PdfResult:
    """A printed report: where it went, its pages, how long it took, and the build's warnings."""

    path: Path
    pages: int
    seconds: float
    problems: Problems | None = None


def find_chromium() -> str | None:
    """Give the Chromium to print with: $CXREPORT_CHROMIUM, else the system's, else None (Playwright's own, if any)."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        found = shutil.which(named)
        if not found:
            raise PdfUnavailable(f"{CHROMIUM_ENV} is set to '{named}', which is not an executable; {INSTALL_HINT}")
        return found
    for path in CHROMIUM_PATHS:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def require_playwright():
    """Give playwright.sync_api, or raise PdfUnavailable with the install line."""
    try:
        from playwright import sync_api  # optional and heavy: imported only when a PDF is made
    except ImportError:
        raise PdfUnavailable(f"cxreport pdf needs Playwright, which is not installed; {INSTALL_HINT}") from None
    return sync_api


def launch(playwright):
    """Give a headless Chromium: the one find_chromium names, or Playwright's own; PdfUnavailable when there is none."""
    from playwright.sync_api import Error  # optional: present once require_playwright has passed

    executable = find_chromium()
    try:
        return playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS), headless=True)
    except Error as exc:
        if executable is None:
            raise PdfUnavailable(f"no Chromium found (looked at {', '.join(CHROMIUM_PATHS)}); {INSTALL_HINT}") from None
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PdfUnavailable(f"Chromium at {executable} did not start ({first}); {INSTALL_HINT}") from None


def default_pdf_name(title: str) -> str:
    """Give a file name made from the site's title: 'Klanthandboek Pluk & Pien' -> klanthandboek-pluk-pien.pdf."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-")
    return f"{slug or 'report'}.pdf"


def print_date() -> dt.date:
    """Give the report's date: the day of SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def print_to_pdf(sync_api, print_html: Path, target: Path) -> None:
    """Print one HTML file to target with headless Chromium once every chart on it has drawn."""
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            _print(browser, print_html, target)
        except sync_api.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise PdfError(f"Chromium could not print the report: {first}") from None
        finally:
            browser.close()


def _print(browser, print_html: Path, target: Path) -> None:
    """Open print_html at the width of the paper in print media, wait for its charts, and print it to target."""
    page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": PRINT_HEIGHT_PX})
    page.emulate_media(media="print")
    page.goto(print_html.as_uri(), wait_until="load")
    page.wait_for_function(
        "() => !document.querySelector('script[data-chart]') || document.documentElement.dataset.charts === 'drawn'",
        timeout=CHART_TIMEOUT_MS,
    )
    # print.js then fits each sheet to its pages (a theme's print.html without it is printed as it is)
    page.wait_for_function(FITTED, timeout=CHART_TIMEOUT_MS)
    missing = page.evaluate(
        "() => Array.from(document.querySelectorAll('script[data-chart]')).map(s => s.dataset.chart)"
        ".filter(id => !document.querySelector('#' + CSS.escape(id) + ' svg'))"
    )
    if missing:
        raise PdfError(f"charts did not draw: {', '.join(missing)}")
    page.pdf(
        path=str(target), format="A4", landscape=True, print_background=True, prefer_css_page_size=True, outline=True, tagged=True
    )


def make_pdf(root: Path, out: Path | None, *, echo: Callable[[str], None] | None = None) -> PdfResult:
    """Give the report of the project in root printed to out (default: <title>.pdf in root).

    Raises PdfUnavailable before any work when Playwright or pypdf is missing, BuildFailed (with the build)
    when the project has problems, and PdfError when Chromium cannot print it.
    """
    say = echo or (lambda text: None)
    sync_api = require_playwright()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cxreport-pdf-") as tmp:
        site = Path(tmp) / "site"
        say("building the site…")
        result = build(root, site, print_date=print_date())
        if not result.written or result.project is None:
            raise BuildFailed(result)
        target = out or (result.root / default_pdf_name(result.project.config.title))
        target = target.resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tmp) / "report.pdf"
        say("printing with Chromium…")
        print_to_pdf(sync_api, site / PRINT_PATH, partial)
        pages = count_pages(partial)
        # Written beside the target and renamed: a failed print never leaves half a PDF where the old one was.
        staged = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(partial, staged)
        os.replace(staged, target)
    return PdfResult(path=target, pages=pages, seconds=time.perf_counter() - started, problems=result.problems)


def count_pages(path: Path) -> int:
    """Give the number of pages of a PDF (pypdf)."""
    try:
        from pypdf import PdfReader  # optional: the PDF extra, needed only to count a printed PDF's pages
    except ImportError:
        raise PdfUnavailable(f"cxreport pdf needs pypdf, which is not installed; {INSTALL_HINT}") from None
    return len(PdfReader(str(path)).pages)


class BuildFailed(Exception):
    """The site could not be built for the PDF: the build's problems say why."""

    def __init__(self, result: Build) -> None:
        super().__init__("the site could not be built")
        self.result = result
