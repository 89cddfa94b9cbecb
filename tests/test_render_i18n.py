"""The site's own labels, numbers and dates in Dutch and English."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from cxreport.render.i18n import Catalogue, MissingLabel, load_catalogue
from cxreport.render.theme import builtin_theme_dir

I18N = builtin_theme_dir() / "i18n"


@pytest.fixture(params=["nl", "en"])
def catalogue(request) -> Catalogue:
    return load_catalogue(request.param, [I18N])


def test_catalogues_have_the_same_keys_and_placeholders():
    nl = json.loads((I18N / "nl.json").read_text(encoding="utf-8"))
    en = json.loads((I18N / "en.json").read_text(encoding="utf-8"))
    assert set(nl) == set(en)
    for key in nl:
        assert set(re.findall(r"\{(\w+)\}", nl[key])) == set(re.findall(r"\{(\w+)\}", en[key])), key


def test_every_label_the_code_and_templates_use_exists():
    root = builtin_theme_dir()
    used = set()
    for path in list((root / "templates").glob("*.html")):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_.-]+)["']""", path.read_text(encoding="utf-8")))
    import cxreport.render

    source = "".join(path.read_text(encoding="utf-8") for path in Path(cxreport.render.__file__).parent.rglob("*.py"))
    used |= {k for k in re.findall(r"""self\.t\(\s*"([a-z_.-]+)\"""", source)}
    labels = json.loads((I18N / "en.json").read_text(encoding="utf-8"))
    assert used and used <= set(labels), used - set(labels)


def test_dutch_numbers_dates_and_periods():
    t = load_catalogue("nl", [I18N])
    assert t.number(31.8) == "31,8"
    assert t.number(2410, 0) == "2.410"
    assert t.number(-0.04) == "0,0"
    assert t.signed(4.2) == "+4,2" and t.signed(-1) == "-1,0" and t.signed(0) == "0,0"
    assert t.percent(0.1349) == "13,5%"
    assert t.date(dt.date(2026, 3, 3)) == "3 mrt. 2026"
    assert t.date(dt.date(2026, 5, 14)) == "14 mei 2026"
    assert t.period("2026-03") == "mrt. 2026"
    assert t.period("2026-Q1") == "K1 2026"
    assert t.period("2026-W07") == "week 7 2026"
    assert t.period("all") == "alle perioden"
    assert t("stage.aidas.attention") == "Aandacht"
    assert t("pillar.situational") == "Inspelen op de situatie"
    assert t.p_value(0.0001) == "< 0,001"


def test_english_numbers_dates_and_periods():
    t = load_catalogue("en", [I18N])
    assert t.number(31.8) == "31.8" and t.number(2410, 0) == "2,410"
    assert t.date(dt.date(2026, 3, 3)) == "3 Mar 2026"
    assert t.period("2026-Q1") == "Q1 2026"
    assert t.plural(1, "count.touchpoints") == "1 touchpoint"
    assert t.plural(3, "count.touchpoints") == "3 touchpoints"


def test_an_unknown_label_is_an_error_not_a_blank(catalogue):
    with pytest.raises(MissingLabel):
        catalogue("no.such.label")


def test_a_project_catalogue_overrides_single_labels(tmp_path):
    (tmp_path / "nl.json").write_text('{"nav.home": "Start"}', encoding="utf-8")
    t = load_catalogue("nl", [I18N, tmp_path])
    assert t("nav.home") == "Start" and t("nav.journeys") == "Klantreizen"
