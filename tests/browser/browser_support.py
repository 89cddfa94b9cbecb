"""What the browser tests share: where things are, whether a browser is here, pages watched for errors."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"  # screenshots, the PDF and the axe results, for a person to look at (git-ignored)
CHART_WAIT_MS = 30_000


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def browser_missing() -> str | None:
    """Give why no browser test can run here (Playwright or Chromium missing), or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -e '.[test]'"
    from cxreport.pdf import PdfUnavailable, find_chromium

    try:
        if find_chromium() is not None:
            return None
    except PdfUnavailable as exc:
        return exc.message
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        if Path(p.chromium.executable_path).is_file():
            return None
    return "no Chromium found: apt-get install chromium (or set CXREPORT_CHROMIUM)"


class Watched:
    """A page whose console errors, uncaught exceptions, failed requests and error responses are collected."""

    def __init__(self, page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"uncaught: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    def open(self, url: str) -> None:
        """Open url and wait until it has loaded and every chart on it has drawn."""
        self.page.goto(url, wait_until="load")
        wait_for_charts(self.page)


def wait_for_charts(page) -> None:
    """Wait until charts.js says every chart of the page has drawn (at once on a page without charts)."""
    page.wait_for_function(
        "() => !document.querySelector('script[data-chart]') || document.documentElement.dataset.charts === 'drawn'",
        timeout=CHART_WAIT_MS,
    )


def undrawn_charts(page) -> list[str]:
    """Give the ids of the charts on the page that have no SVG in their container."""
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('script[data-chart]')).map(s => s.dataset.chart)"
        ".filter(id => !document.querySelector('#' + CSS.escape(id) + ' svg.main-svg'))"
    )


def html_pages(site: Path) -> list[str]:
    """Give every HTML page of a built site by its path in the site."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def journey_pages(site: Path) -> list[str]:
    return [p for p in html_pages(site) if p.startswith("journeys/") and p != "journeys/index.html"]
