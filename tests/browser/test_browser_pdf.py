"""cxreport pdf end to end: the example printed by headless Chromium, read back with pypdf."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

import pytest
from browser_support import ARTIFACTS, REPO

pytestmark = pytest.mark.browser

A4_LANDSCAPE = (842, 595)  # points


def output_state() -> dict[str, str]:
    out = REPO / "output"
    return (
        {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.rglob("*")) if p.is_file()}
        if out.is_dir()
        else {}
    )


def test_pdf_of_the_example(browser, tmp_path):
    from pypdf import PdfReader

    before = output_state()
    target = tmp_path / "rapport.pdf"
    env = dict(os.environ, SOURCE_DATE_EPOCH="1772528400")  # 3 March 2026
    run = subprocess.run(
        [sys.executable, "-m", "cxreport", "pdf", str(REPO), "--out", str(target)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    reader = PdfReader(str(target))
    pages = len(reader.pages)
    assert f"Printed {pages} pages" in run.stderr
    # cover, summary, and per journey its introduction and a part of the map per group of stages, pillars, playbooks
    assert 1 + 1 + 3 * 2 + 1 + 1 <= pages <= 60
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4_LANDSCAPE
    texts = [page.extract_text() for page in reader.pages]
    assert "Klanthandboek Pluk & Pien" in texts[0] and "Stand van 3 mrt. 2026" in texts[0]  # the cover, dated in Dutch
    everything = "\n".join(texts)
    for words in [
        "Samenvatting",
        "Eerste bestelling",
        "Woonspullen bestellen en terugsturen",
        "27,3",
        "Pijlers",
        "Draaiboeken",
        "deel 1 van",
        "Maattabel",
    ]:
        assert words in everything, words
    assert reader.metadata.title.startswith("Klanthandboek Pluk & Pien")
    assert [i for i, text in enumerate(texts, 1) if not text.strip()] == []  # no blank page
    # each part of a map fits its page: its header rows (the touchpoint row starts with "Contactmoment") are printed
    # once per part, never again on a page the part spilled onto (31 pages before; 19, and one more for what
    # customers say about the journey with comments)
    parts = [i for i, text in enumerate(texts, 1) if text.startswith("De klantreis")]
    assert [i for i, text in enumerate(texts, 1) if "Contactmoment" in text] == parts
    assert len(parts) == 3 + 4 + 3 and pages <= 24  # 21 with the survey's four metrics, one more for its comments
    assert output_state() == before  # built in a temporary folder, never in the project's output/
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(target, ARTIFACTS / "report.pdf")
