"""cxreport pdf without a browser: clear messages when Playwright or Chromium is missing, names and dates.

The PDF itself is made and read back in tests/browser/test_browser_pdf.py."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cxreport import pdf
from cxreport.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_without_playwright_a_clear_message_and_exit_1(make_project, monkeypatch):
    root = make_project()
    monkeypatch.setitem(sys.modules, "playwright", None)  # import playwright now fails
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    result = run("pdf", str(root))
    assert result.exit_code == 1
    assert "cxreport pdf needs Playwright, which is not installed" in result.output
    assert "pip install 'cxreport[pdf]'" in result.output and "apt-get install chromium" in result.output
    assert "Traceback" not in result.output
    assert not (root / "output").exists() and not list(root.glob("*.pdf"))


def test_a_named_chromium_that_is_not_there(monkeypatch):
    monkeypatch.setenv(pdf.CHROMIUM_ENV, "/nowhere/chromium")
    with pytest.raises(pdf.PdfUnavailable) as caught:
        pdf.find_chromium()
    assert "CXREPORT_CHROMIUM is set to '/nowhere/chromium', which is not an executable" in caught.value.message
    assert "apt-get install chromium" in caught.value.message


def test_the_named_chromium_comes_first(monkeypatch, tmp_path):
    exe = tmp_path / "my-chrome"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(exe))
    assert pdf.find_chromium() == str(exe)


def test_no_chromium_anywhere_is_a_clear_message(monkeypatch):
    pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import Error

    class NoBrowser:
        class chromium:
            @staticmethod
            def launch(**kwargs):
                raise Error("Executable doesn't exist at /root/.cache/ms-playwright/chromium/chrome")

    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    with pytest.raises(pdf.PdfUnavailable) as caught:
        pdf.launch(NoBrowser())
    assert caught.value.message.startswith("no Chromium found (looked at /usr/bin/chromium")
    assert caught.value.exit_code == 1


def test_a_project_with_problems_makes_no_pdf(make_project):
    pytest.importorskip("playwright.sync_api")
    root = make_project({"content/journeys/first-order.yml": "title: First order\npersona: nobody\nstages: []\n"})
    result = run("pdf", str(root))
    assert result.exit_code == 1
    assert "content/journeys/first-order.yml:3:9: error: stages: must not be empty" in result.output
    assert "no PDF was made; fix the problems above and try again" in result.output
    assert not list(root.glob("*.pdf"))


@pytest.mark.parametrize(
    "title, name",
    [("Klanthandboek Pluk & Pien", "klanthandboek-pluk-pien.pdf"), ("Ça été — 2026!", "ca-ete-2026.pdf"), ("日本", "report.pdf")],
)
def test_default_pdf_name(title, name):
    assert pdf.default_pdf_name(title) == name


def test_print_date_from_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772528400")
    assert pdf.print_date() == dt.date(2026, 3, 3)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert pdf.print_date() == dt.date.today()


def chromium_or_skip() -> None:
    """Skip a test that prints a PDF where Playwright or a Chromium is missing (CI has both: see tests/browser)."""
    pytest.importorskip("playwright.sync_api")
    pytest.importorskip("pypdf")
    if pdf.find_chromium() is None:
        pytest.skip("no Chromium here: apt-get install chromium")


def printed(root, tmp_path) -> list[str]:
    """Give the text of each page of the project's PDF, as pypdf reads it."""
    from pypdf import PdfReader

    target = tmp_path / "report.pdf"
    # in a process of its own, as a user runs it: Playwright's sync API refuses to run inside another's event loop
    # (the browser tests keep one open for their session)
    done = subprocess.run(
        [sys.executable, "-m", "cxreport", "pdf", str(root), "--out", str(target)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return [page.extract_text().strip() for page in PdfReader(str(target)).pages]


@pytest.mark.browser
def test_the_dutch_starter_prints_without_a_blank_page_and_its_map_on_one_page(tmp_path):
    chromium_or_skip()
    assert run("new", "--language", "nl", str(tmp_path / "starter")).exit_code == 0
    pages = printed(tmp_path / "starter", tmp_path)
    assert [i for i, text in enumerate(pages, 1) if not text] == []  # page 3 was blank: the summary 3 px too tall
    starts = [text.split("\n")[0] for text in pages]
    assert starts == ["RAPPORT", "Samenvatting", "Eerste bestelling", "De klantreis", "Pijlers", "Draaiboeken"]
    (map_page,) = [text for text in pages if "Contactmoment" in text]  # the map's header rows once: it fits a page
    assert map_page.startswith("De klantreis") and "Onderbouwing" in map_page  # its first and its last lane


LANE_LABELS = ["Doing", "Thinking", "Emotion curve", "Feeling", "Pain points", "Opportunities", "Backstage"]


def tall_journey(items: int) -> str:
    lanes = ("doing", "thinking", "pain_points", "opportunities", "backstage")
    lines = ["title: Tall", "persona: parent", "stages:"]
    for stage in ("attention", "interest", "desire"):
        lines += [f"  - stage: {stage}", "    touchpoints:"]
        for t in range(2):
            lines += [f"      - id: {stage}-{t}", f"        name: {stage.title()} {t}", "        feeling: 1"]
            for lane in lanes:
                lines.append(f"        {lane}:")
                lines += [f"          - {lane} item {i} with a few more words to wrap the line" for i in range(items)]
    return "\n".join(lines) + "\n"


@pytest.mark.browser
def test_a_map_taller_than_a_page_is_split_between_lanes_into_even_pages(make_project, tmp_path):
    chromium_or_skip()
    # seven lanes, each a third of a page or more: three pages; printed as they came, the last lane was alone
    root = make_project({"content/journeys/first-order.yml": tall_journey(4)})
    # the map's pages: each starts its header rows with the lane column's head, a line that begins "Touchpoint"
    pages = [text for text in printed(root, tmp_path) if re.search(r"^Touchpoint\b", text, re.M)]
    lanes = [[label for label in LANE_LABELS if label in text.split("\n")] for text in pages]
    assert [label for page in lanes for label in page] == LANE_LABELS  # every lane once, in order
    assert len(lanes) == 3 and min(len(page) for page in lanes) >= 2, lanes
