"""cxreport pdf without a browser: clear messages when Playwright or Chromium is missing, names and dates.

The PDF itself is made and read back in tests/browser/test_browser_pdf.py."""

from __future__ import annotations

import datetime as dt
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
