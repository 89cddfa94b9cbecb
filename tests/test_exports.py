"""Survey exports and spreadsheets as metric sources (FORMAT.md version 2, "Survey exports and spreadsheets" and
"More data files"): acceptance tests, written from FORMAT.md before the reader.

Each export in tests/fixtures/exports/ (made by make_fixtures.py there, in the shape its tool writes) is built in
a small project and its figures.json rows (n, value, margin, answered, missing) are compared with
- a hand count: Python's csv module over the fixture, the header rows and skipped rows handled here, promoters,
  detractors and satisfied counted here, FORMAT.md's formulas applied here;
- the build of its plain twin (`<name>-plain.csv`: one header row, ISO dates, the same answers): the whole
  figures.json must be equal.

Decisions taken here where FORMAT.md is silent (the implementer may align the names; keep CODES in one place):
- Problem codes: CODES below. A cell of a spreadsheet reuses the csv-* code of the same kind of problem (the code
  says what is wrong with the cell, not which file format holds it).
- Without `values`, a score cell that is not a number is csv-unreadable-number (as in version 1); with `values`,
  a text that is neither a number nor a listed text is csv-unknown-answer.
- A duplicate respondent is an error at the second row (line and the respondent column), its message naming the
  id and the line of the first.
- `at` with a mapped column of the same key is an error at that key inside `at:` in site.yml.
- An unknown `sheet` is an error at the value of `sheet:` in site.yml, the hint naming the workbook's sheets.
- Zero rows: a file with records after its header rows of which none counts (for a Qualtrics export: all of them
  previews, tests or spam) is an error for the file as a whole (line 0, col 0, as for a Parquet file that cannot
  be read). A file with only its header rows stays what it is in version 1: no figures and no problem
  (tests/test_metrics_read.py::test_header_only_file_gives_no_figures_and_no_problem).
- A metric without a date: the warning is at the metric's entry in site.yml, where version 1 put its error.
- In the legacy Qualtrics export, Status is the column whose second header row says `Status` (`V7`).
- Margins (test_margins_stay_within_the_scale, marked DECISION): figures.json keeps the formula's margin; the site
  (the ± text and the chart's error bars and axis) shows the interval clipped to the scale.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import json
import math
import re
import textwrap
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write_project

from cxreport.cli import main

# The problem codes these tests expect: new codes (to be registered in cxreport/problems.py CODES and described in
# docs/problems.md) and the version 1 codes they reuse.
CODES = {
    # new
    "unknown_answer": "csv-unknown-answer",  # an answer neither a number nor in `values`
    "duplicate_respondent": "csv-duplicate-respondent",  # a respondent id a second time within one metric
    "no_rows": "csv-no-rows",  # records after the header rows, none of which counts
    "at_and_column": "metric-at-and-column",  # `at` names a key whose column the metric also maps
    "unknown_sheet": "xlsx-unknown-sheet",  # `sheet:` names no sheet of the workbook
    "without_date": "metric-without-date",  # warning: no date column, figures for period `all` only
    # version 1, reused
    "unreadable_number": "csv-unreadable-number",
    "out_of_range": "csv-score-out-of-range",
    "encoding": "csv-encoding",
    "date_format": "invalid-date-format",
}
NEW_CODES = ("unknown_answer", "duplicate_respondent", "no_rows", "at_and_column", "unknown_sheet", "without_date")

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "exports"

PERSONA = "name: Parent\nsegment: Parent\n"
JOURNEY = """\
title: First order
persona: parent
stages:
  - stage: attention
    touchpoints:
      - {id: ad, name: Advert, feeling: 1}
  - stage: action
    touchpoints:
      - {id: checkout, name: Checkout, feeling: -1}
      - {id: pay, name: Payment, feeling: 0}
  - stage: satisfaction
    touchpoints:
      - {id: delivery, name: Delivery, feeling: 1}
"""
STAGE_OF = {"ad": "attention", "checkout": "action", "pay": "action", "delivery": "satisfaction"}


def site(metrics: str, extra: str = "") -> str:
    """Give a site.yml whose metric list starts on line 4 (line 4 + len(extra lines) with extra)."""
    return "title: Test\nlanguage: en\n" + extra + "metrics:\n" + textwrap.indent(textwrap.dedent(metrics), "  ")


def make(root: Path, metrics: str, files: dict[str, str | bytes], extra: str = "") -> Path:
    """Write a project into root: the journey above, a site.yml with these metrics, and files under content/."""
    base: dict[str, str | bytes] = {
        "site.yml": site(metrics, extra),
        "content/personas/parent.yml": PERSONA,
        "content/journeys/first-order.yml": JOURNEY,
    }
    base.update({f"content/{k}": v for k, v in files.items()})
    return write_project(root, base, dedent=False)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def cli(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


def build(root: Path, *more: str) -> list[dict]:
    """Build root (it must succeed) and give the rows of output/data/figures.json."""
    result = cli("build", root, "--quiet", *more)
    assert result.exit_code == 0, result.output
    return json.loads((root / "output/data/figures.json").read_text(encoding="utf-8"))["figures"]


def problems(root: Path) -> list[dict]:
    """Give `cxreport check --format json`'s problems."""
    result = cli("check", root, "--format", "json")
    text = result.stdout.strip()
    assert text.startswith("["), result.output
    return json.loads(text)


def where(found: list[dict]) -> list[tuple]:
    """Give problems as (path, line, col, severity, code), in the order check lists them."""
    return [(p["path"], p["line"], p["col"], p["severity"], p["code"]) for p in found]


# --- an independent reading of the fixtures --------------------------------------------------------------


def records(data: bytes, encoding: str = "utf-8-sig") -> list[tuple[int, list[str]]]:
    """Give (line on which the record starts, fields) of every record, lines counted as an editor counts them."""
    reader = csv.reader(io.StringIO(data.decode(encoding), newline=""))
    out, last = [], 0
    for fields in reader:
        if fields:
            out.append((last + 1, fields))
        last = reader.line_num
    return out


def collapse(text: str) -> str:
    return " ".join(text.split())


def rows_qualtrics(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """Give the counted rows of a Qualtrics export: named by the export tags, data from the fourth record (the
    third in the legacy export, recognised by its V1 tag), previews (1), tests (2) and spam (8) left out."""
    recs = records(data)
    tags = recs[0][1]
    legacy = tags[0] == "V1"
    status = tags[recs[1][1].index("Status")] if legacy else "Status"
    rows = [(line, dict(zip(tags, fields, strict=True))) for line, fields in recs[2 if legacy else 3 :]]
    return [(line, row) for line, row in rows if row[status] not in ("1", "2", "8")]


def rows_surveymonkey(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """Give the rows of a SurveyMonkey export: a question of one column by its text, every column of a longer
    one as `<question> - <label>`; data from the third record."""
    recs = records(data)
    questions, labels = recs[0][1], recs[1][1]
    names: list[str] = []
    i = 0
    while i < len(questions):
        j = i + 1
        while j < len(questions) and questions[j] == "":
            j += 1
        if j - i == 1:
            names.append(collapse(questions[i]))
        else:
            names += [f"{collapse(questions[i])} - {collapse(labels[k])}" for k in range(i, j)]
        i = j
    return [(line, dict(zip(names, fields, strict=True))) for line, fields in recs[2:]]


def rows_plain(data: bytes) -> list[tuple[int, dict[str, str]]]:
    recs = records(data)
    names = [collapse(h) for h in recs[0][1]]
    return [(line, dict(zip(names, fields, strict=True))) for line, fields in recs[1:]]


def iso(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


def by(pattern: str) -> Callable[[str], dt.date]:
    """Give a reader of the date at the start of a cell (the time after it ignored)."""
    return lambda text: dt.datetime.strptime(text.split()[0], pattern).date()


@dataclass(frozen=True)
class Spec:
    """One metric as the hand count reads it."""

    metric: str
    type: str
    score: str
    date: str
    day: Callable[[str], dt.date]
    segment: str | None = None
    at: tuple[str | None, str | None, str | None] | None = None  # journey, stage, touchpoint
    values: dict[str, int] = field(default_factory=dict)
    missing: tuple[str, ...] = ()


def places(at: tuple[str | None, str | None, str | None] | None) -> list[tuple]:
    """Give the places a row at `at` counts for: none, journey, journey + stage, journey + stage + touchpoint."""
    if at is None:
        return [(None, None, None)]
    journey, stage, touchpoint = at
    stage = stage or (STAGE_OF[touchpoint] if touchpoint else None)
    out = [(None, None, None), (journey, None, None)]
    if stage:
        out.append((journey, stage, None))
    if touchpoint:
        out.append((journey, stage, touchpoint))
    return out


def hand_count(rows: list[tuple[int, dict[str, str]]], spec: Spec) -> dict[tuple, dict]:
    """Give (period, journey, stage, touchpoint, segment, variant) -> the figures.json row's numbers, by hand."""
    scores: dict[tuple, list[int]] = defaultdict(list)
    unanswered: dict[tuple, int] = defaultdict(int)
    missing = {m.strip().casefold() for m in spec.missing}
    values = {k.strip().casefold(): v for k, v in spec.values.items()}
    for _, row in rows:
        raw = row[spec.score].strip()
        day = spec.day(row[spec.date])
        segments = [None] + ([row[spec.segment]] if spec.segment else [])
        keys = [
            (period, *place, segment, None)
            for period in ("all", day.strftime("%Y-%m"))
            for place in places(spec.at)
            for segment in segments
        ]
        for key in keys:
            if raw.casefold() in missing:
                unanswered[key] += 1
            else:
                scores[key].append(values[raw.casefold()] if raw.casefold() in values else int(raw))
    out = {}
    for key, group in scores.items():
        n = len(group)
        if spec.type == "nps":
            p, d = sum(s >= 9 for s in group) / n, sum(s <= 6 for s in group) / n
            value, margin = 100 * (p - d), 100 * 1.96 * math.sqrt((p + d - (p - d) ** 2) / n)
        else:
            s = sum(x >= 4 for x in group) / n
            value, margin = 100 * s, 100 * 1.96 * math.sqrt(s * (1 - s) / n)
        out[key] = {"n": n, "value": value, "margin": margin, "answered": n, "missing": unanswered[key]}
    return out


def figure_rows(figures: list[dict], metric: str) -> dict[tuple, dict]:
    keys = ("period", "journey", "stage", "touchpoint", "segment", "variant")
    return {tuple(f[k] for k in keys): f for f in figures if f["metric"] == metric}


def assert_hand_count(figures: list[dict], rows, spec: Spec) -> None:
    expected = hand_count(rows, spec)
    got = figure_rows(figures, spec.metric)
    assert sorted(got, key=str) == sorted(expected, key=str), spec.metric
    for key, want in expected.items():
        f = got[key]
        if "answered" in f:  # figures.json has them for a survey format or a declared `missing` only
            assert (f["answered"], f["missing"]) == (want["answered"], want["missing"]), key
        else:
            assert want["missing"] == 0, key
        assert (f["type"], f["n"]) == (spec.type, want["n"]), key
        # figures.json rounds nps and csat to 1 decimal
        assert abs(f["value"] - want["value"]) <= 0.05 + 1e-9, (key, f["value"], want["value"])
        assert abs(f["margin"] - want["margin"]) <= 0.05 + 1e-9, (key, f["margin"], want["margin"])


# --- the exports, their declarations and their twins -------------------------------------------------------

SATISFACTION = {
    "Very dissatisfied": 1,
    "Dissatisfied": 2,
    "Neither satisfied nor dissatisfied": 3,
    "Satisfied": 4,
    "Very satisfied": 5,
}
CHECKOUT = ("first-order", None, "checkout")
PAYING = ("first-order", "action", None)
DELIVERY = ("first-order", None, "delivery")

QUALTRICS = """\
- id: nps
  file: metrics/qualtrics.csv
  format: qualtrics
  type: nps
  columns: {date: RecordedDate, score: Q1, segment: Q9, respondent: ResponseId, comment: Q1_TEXT}
  missing: ["", "-99"]
- id: csat-website
  file: metrics/qualtrics.csv
  format: qualtrics
  type: csat
  columns: {date: RecordedDate, score: Q2_1, respondent: ResponseId}
  at: {journey: first-order, touchpoint: checkout}
  missing: ["", "-99"]
- id: csat-paying
  file: metrics/qualtrics.csv
  format: qualtrics
  type: csat
  columns: {date: RecordedDate, score: Q2_2, respondent: ResponseId}
  at: {journey: first-order, stage: action}
  missing: ["", "-99"]
- id: csat-delivery
  file: metrics/qualtrics.csv
  format: qualtrics
  type: csat
  columns: {date: RecordedDate, score: Q2_3, segment: Q9, respondent: ResponseId}
  at: {journey: first-order, touchpoint: delivery}
  missing: ["", "-99"]
"""
# the twin maps the places as columns, so `at` is shown equal to key columns too
QUALTRICS_PLAIN = """\
- id: nps
  file: metrics/qualtrics-plain.csv
  type: nps
  columns: {score: nps, segment: Segment, respondent: respondent, comment: comment}
  missing: [""]
- id: csat-website
  file: metrics/qualtrics-plain.csv
  type: csat
  columns: {score: csat_website, respondent: respondent, journey: Journey, touchpoint: touchpoint_website}
  missing: [""]
- id: csat-paying
  file: metrics/qualtrics-plain.csv
  type: csat
  columns: {score: csat_payment, respondent: respondent, journey: Journey, stage: stage_payment}
  missing: [""]
- id: csat-delivery
  file: metrics/qualtrics-plain.csv
  type: csat
  columns: {score: csat_delivery, segment: Segment, respondent: respondent, journey: Journey, touchpoint: touchpoint_delivery}
  missing: [""]
"""
LEGACY = """\
- id: nps
  file: metrics/qualtrics-legacy.csv
  format: qualtrics
  type: nps
  columns: {date: V9, score: Q1, segment: Q9, respondent: V1}
  date_format: "%m/%d/%Y"
  missing: ["", "-99"]
- id: csat-website
  file: metrics/qualtrics-legacy.csv
  format: qualtrics
  type: csat
  columns: {date: V9, score: Q2_1, respondent: V1}
  date_format: "%m/%d/%Y"
  at: {journey: first-order, touchpoint: checkout}
  missing: ["", "-99"]
"""
SURVEYMONKEY = """\
- id: nps
  file: metrics/surveymonkey.csv
  format: surveymonkey
  type: nps
  columns:
    date: End Date
    score: How likely is it that you would recommend Acme to a friend or colleague?
    segment: Which of these describes you best? - Response
    respondent: Respondent ID
    comment: Is there anything else you would like to tell us?
  date_format: "%m/%d/%Y %I:%M:%S %p"
  values: {"0 - Not at all likely": 0, "10 - Extremely likely": 10}
- id: csat-website
  file: metrics/surveymonkey.csv
  format: surveymonkey
  type: csat
  columns: {date: End Date, score: "How satisfied were you with each part of your order? - The website", respondent: Respondent ID}
  date_format: "%m/%d/%Y"
  # texts are compared case-insensitively: "very satisfied" is the file's "Very satisfied"
  values: &satisfaction {Very dissatisfied: 1, Dissatisfied: 2, Neither satisfied nor dissatisfied: 3, Satisfied: 4, very satisfied: 5}
  missing: ["", "N/A"]
  at: {journey: first-order, touchpoint: checkout}
- id: csat-delivery
  file: metrics/surveymonkey.csv
  format: surveymonkey
  type: csat
  columns: {date: End Date, score: "How satisfied were you with each part of your order? - The delivery", respondent: Respondent ID}
  date_format: "%m/%d/%Y"
  values: *satisfaction
  missing: ["", "N/A"]
  at: {journey: first-order, touchpoint: delivery}
"""
TYPEFORM = """\
- id: nps
  file: metrics/typeform.csv
  type: nps
  columns:
    date: Submit Date (UTC)
    score: How likely are you to recommend Acme to a friend? (0 = not likely, 10 = very likely)
    segment: Which of these describes you best?
    respondent: "#"
    comment: What's the main reason for your score?
- id: csat-delivery
  file: metrics/typeform.csv
  type: csat
  columns: {date: Submit Date (UTC), score: How would you rate the delivery?, respondent: "#"}
  at: {journey: first-order, touchpoint: delivery}
  missing: [""]
"""
GOOGLEFORMS = """\
- id: nps
  file: metrics/googleforms.csv
  type: nps
  columns:
    date: Timestamp
    score: How likely are you to recommend us to a friend? (0 = not at all likely, 10 = extremely likely)
    segment: Which of these describes you best?
    comment: Anything else you would like to tell us?
  date_format: "%d/%m/%Y %H:%M:%S"
- id: csat-delivery
  file: metrics/googleforms.csv
  type: csat
  columns: {date: Timestamp, score: How satisfied are you with the delivery?}
  date_format: "%d/%m/%Y %H:%M:%S"
  at: {journey: first-order, touchpoint: delivery}
  missing: [""]
"""


def twin(metrics: str, file: str, with_segment: bool = True) -> str:
    """Give the plain twin's declarations of simple exports: same ids, types and places, the twin's columns."""
    out = ""
    for block in metrics.split("- id: ")[1:]:
        metric = block.split("\n", 1)[0]
        kind = re.search(r"\n  type: (\w+)", block).group(1)
        score = "nps" if kind == "nps" else "csat_website" if "website" in metric else "csat_delivery"
        segment = ", segment: Segment" if with_segment and ("segment:" in block) else ""
        missing = '\n  missing: [""]' if re.search(r"\n  (missing|format):", block) else ""
        at = re.search(r"\n  at: .*", block)
        out += f"- id: {metric}\n  file: metrics/{file}\n  type: {kind}\n  columns: {{score: {score}{segment}}}{missing}"
        out += (at.group(0) if at else "") + "\n"
    return out


EXPORTS = {
    "qualtrics": (
        "qualtrics.csv",
        QUALTRICS,
        QUALTRICS_PLAIN,
        rows_qualtrics,
        [
            Spec("nps", "nps", "Q1", "RecordedDate", iso, segment="Q9", missing=("", "-99")),
            Spec("csat-website", "csat", "Q2_1", "RecordedDate", iso, at=CHECKOUT, missing=("", "-99")),
            Spec("csat-paying", "csat", "Q2_2", "RecordedDate", iso, at=PAYING, missing=("", "-99")),
            Spec("csat-delivery", "csat", "Q2_3", "RecordedDate", iso, segment="Q9", at=DELIVERY, missing=("", "-99")),
        ],
    ),
    "qualtrics-legacy": (
        "qualtrics-legacy.csv",
        LEGACY,
        twin(LEGACY, "qualtrics-legacy-plain.csv"),
        rows_qualtrics,
        [
            Spec("nps", "nps", "Q1", "V9", by("%m/%d/%Y"), segment="Q9", missing=("", "-99")),
            Spec("csat-website", "csat", "Q2_1", "V9", by("%m/%d/%Y"), at=CHECKOUT, missing=("", "-99")),
        ],
    ),
    "surveymonkey": (
        "surveymonkey.csv",
        SURVEYMONKEY,
        twin(SURVEYMONKEY, "surveymonkey-plain.csv"),
        rows_surveymonkey,
        [
            Spec(
                "nps",
                "nps",
                "How likely is it that you would recommend Acme to a friend or colleague?",
                "End Date",
                by("%m/%d/%Y"),
                segment="Which of these describes you best? - Response",
                values={"0 - Not at all likely": 0, "10 - Extremely likely": 10},
                missing=("",),
            ),
            Spec(
                "csat-website",
                "csat",
                "How satisfied were you with each part of your order? - The website",
                "End Date",
                by("%m/%d/%Y"),
                at=CHECKOUT,
                values=SATISFACTION,
                missing=("", "N/A"),
            ),
            Spec(
                "csat-delivery",
                "csat",
                "How satisfied were you with each part of your order? - The delivery",
                "End Date",
                by("%m/%d/%Y"),
                at=DELIVERY,
                values=SATISFACTION,
                missing=("", "N/A"),
            ),
        ],
    ),
    "typeform": (
        "typeform.csv",
        TYPEFORM,
        twin(TYPEFORM, "typeform-plain.csv"),
        rows_plain,
        [
            Spec(
                "nps",
                "nps",
                "How likely are you to recommend Acme to a friend? (0 = not likely, 10 = very likely)",
                "Submit Date (UTC)",
                iso,
                segment="Which of these describes you best?",
            ),
            Spec(
                "csat-delivery", "csat", "How would you rate the delivery?", "Submit Date (UTC)", iso, at=DELIVERY, missing=("",)
            ),
        ],
    ),
    "googleforms": (
        "googleforms.csv",
        GOOGLEFORMS,
        twin(GOOGLEFORMS, "googleforms-plain.csv"),
        rows_plain,
        [
            Spec(
                "nps",
                "nps",
                "How likely are you to recommend us to a friend? (0 = not at all likely, 10 = extremely likely)",
                "Timestamp",
                by("%d/%m/%Y"),
                segment="Which of these describes you best?",
            ),
            Spec(
                "csat-delivery",
                "csat",
                "How satisfied are you with the delivery?",
                "Timestamp",
                by("%d/%m/%Y"),
                at=DELIVERY,
                missing=("",),
            ),
        ],
    ),
}


def test_fixtures_are_what_their_generator_writes():
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    made = module.fixtures()
    on_disk = {p.name: p.read_bytes() for p in sorted(FIXTURES.glob("*.csv"))}
    assert sorted(made) == sorted(on_disk)
    assert all(made[name] == on_disk[name] for name in made), [n for n in made if made[n] != on_disk[n]]


def test_fixtures_have_the_shape_of_their_tool():
    """The shapes the tests rely on, so a regenerated fixture cannot lose them unnoticed."""
    q = fixture("qualtrics.csv")
    assert q.startswith(b'\xef\xbb\xbf"StartDate",') and b"\r\n" in q
    recs = records(q)
    assert recs[2][1][recs[0][1].index("Q1")] == '{"ImportId":"QID1"}'
    assert recs[3][0] == 6  # the question text of Q1 holds two line breaks: the data starts on line 6
    statuses = [fields[2] for _, fields in recs[3:]]
    assert len(statuses) == 40 and statuses.count("1") == statuses.count("2") == statuses.count("8") == 1
    assert "-99" in {f for _, fields in recs[3:] for f in fields}
    assert any(line != prev + 1 for (prev, _), (line, _) in zip(recs[3:], recs[4:], strict=False))  # a comment spans lines
    assert records(fixture("qualtrics-legacy.csv"))[0][1][:2] == ["V1", "V2"]
    sm = records(fixture("surveymonkey.csv"))
    assert sm[1][1][9:13] == ["Response", "The website", "Paying", "The delivery"]
    for name in ("typeform.csv", "googleforms.csv"):
        data = fixture(name)
        header = records(data)[0][1]
        assert any("\n" in h for h in header) and data.count(b"\r\n") == len(records(data)), name
    assert b'friend?\n(0 = not at all likely, 10 = extremely likely)"' in fixture("googleforms.csv").split(b"\r\n", 1)[0]


TWIN_COLUMNS = {"Q1": "nps", "Q2_1": "csat_website", "Q2_2": "csat_payment", "Q2_3": "csat_delivery", "Q9": "Segment"}


def twin_spec(spec: Spec) -> Spec:
    """Give the spec of the same metric in the plain twin: its column names, ISO dates, no values, blank missing."""

    def name(column: str | None) -> str | None:
        if column is None:
            return None
        if column in TWIN_COLUMNS:
            return TWIN_COLUMNS[column]
        if "describes you" in column:
            return "Segment"
        return "nps" if spec.type == "nps" else "csat_delivery" if "delivery" in column else "csat_website"

    return Spec(spec.metric, spec.type, name(spec.score), "date", iso, name(spec.segment), spec.at, {}, ("",))


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_the_twin_holds_the_answers_of_the_export(name):
    """The hand count of each export equals that of its twin (no cxreport involved): the fixtures agree."""
    file, _, _, reader, specs = EXPORTS[name]
    twin_rows = rows_plain(fixture(file.replace(".csv", "-plain.csv")))
    for spec in specs:
        assert hand_count(reader(fixture(file)), spec) == hand_count(twin_rows, twin_spec(spec)), spec.metric


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_export_figures_match_a_hand_count_and_the_plain_twin(tmp_path, name):
    file, decl, twin_decl, reader, specs = EXPORTS[name]
    twin_file = file.replace(".csv", "-plain.csv")
    figures = build(make(tmp_path / "export", decl, {f"metrics/{file}": fixture(file)}))
    rows = reader(fixture(file))
    for spec in specs:
        assert_hand_count(figures, rows, spec)
    assert {f["metric"] for f in figures} == {s.metric for s in specs}
    plain = build(make(tmp_path / "plain", twin_decl, {f"metrics/{twin_file}": fixture(twin_file)}))
    assert figures == plain


def test_a_survey_format_gives_answered_and_missing_a_plain_csv_without_missing_does_not(tmp_path):
    figures = build(make(tmp_path / "t", TYPEFORM, {"metrics/typeform.csv": fixture("typeform.csv")}))
    nps = [f for f in figures if f["metric"] == "nps"]
    csat = [f for f in figures if f["metric"] == "csat-delivery"]
    assert nps and all("answered" not in f and "missing" not in f for f in nps)
    assert csat and all(f["answered"] == f["n"] for f in csat)
    [whole] = [f for f in csat if f["period"] == "all" and f["journey"] is None and f["segment"] is None]
    assert (whole["n"], whole["missing"]) == (28, 2)


def test_skipped_rows_count_neither_as_answered_nor_as_missing(tmp_path):
    decl = QUALTRICS.split("- id: csat-website")[0]
    figures = build(make(tmp_path / "q", decl, {"metrics/qualtrics.csv": fixture("qualtrics.csv")}))
    [whole] = [f for f in figures if f["period"] == "all" and f["segment"] is None]
    # 40 rows: a preview, a test and spam row skipped; one -99 (seen, not answered); the partial response counts
    assert (whole["n"], whole["answered"], whole["missing"]) == (36, 36, 1)


def test_answered_by_is_shown_with_the_figure(tmp_path):
    root = make(tmp_path / "q", QUALTRICS, {"metrics/qualtrics.csv": fixture("qualtrics.csv")})
    build(root)
    page = (root / "output/metrics/csat-delivery.html").read_text(encoding="utf-8")
    figures = json.loads((root / "output/data/figures.json").read_text(encoding="utf-8"))["figures"]
    [whole] = [
        f
        for f in figures
        if f["metric"] == "csat-delivery" and f["period"] == "all" and f["journey"] is None and f["segment"] is None
    ]
    assert whole["missing"] > 0
    assert f"answered by {whole['n']} of {whole['n'] + whole['missing']}" in page


# --- problems, each at its file, line and column -------------------------------------------------------------


def rewrite(data: bytes, change: Callable[[list[list[str]]], None], *, bom: bool = True, quote_all: bool = True) -> bytes:
    """Give an export with its records changed in place, written back as the tool writes it (CRLF)."""
    rows = [fields for _, fields in records(data)]
    change(rows)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL).writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


QUALTRICS_NPS = QUALTRICS.split("- id: csat-website")[0]
Q = "content/metrics/qualtrics.csv"
Q_TAGS = records(fixture("qualtrics.csv"))[0][1]


def counted_rows() -> list[int]:
    """Give the indexes (in the list of records) of the Qualtrics fixture's counted rows, after a multi-line one."""
    recs = records(fixture("qualtrics.csv"))
    first = next(i for i in range(3, len(recs) - 1) if recs[i + 1][0] > recs[i][0] + 1)
    return [i for i in range(first + 1, len(recs)) if recs[i][1][2] == "0"]


def test_an_unreadable_score_in_a_three_header_row_export_is_at_its_physical_line(tmp_path):
    index = counted_rows()[3]

    def change(rows):
        rows[index][Q_TAGS.index("Q1")] = "nine"

    data = rewrite(fixture("qualtrics.csv"), change)
    line = records(data)[index][0]
    assert line > index + 1  # the header's and earlier comments' line breaks are counted
    found = problems(make(tmp_path, QUALTRICS_NPS, {"metrics/qualtrics.csv": data}))
    assert where(found) == [(Q, line, Q_TAGS.index("Q1") + 1, "error", CODES["unreadable_number"])]
    assert "nine" in found[0]["message"]


def test_an_answer_neither_a_number_nor_in_values(tmp_path):
    decl = SURVEYMONKEY.split("- id: csat-delivery")[0]
    column = "How satisfied were you with each part of your order? - The website"

    def change(rows):
        rows[7][10] = "Extremely satisfied"

    data = rewrite(fixture("surveymonkey.csv"), change, quote_all=False)
    assert rows_surveymonkey(data)[5][1][column] == "Extremely satisfied"
    line = records(data)[7][0]
    found = problems(make(tmp_path, decl, {"metrics/surveymonkey.csv": data}))
    assert where(found) == [("content/metrics/surveymonkey.csv", line, 11, "error", CODES["unknown_answer"])]
    assert "Extremely satisfied" in found[0]["message"]
    assert "'very satisfied'" in found[0]["hint"]  # the nearest listed text, as site.yml writes it


def test_a_duplicate_respondent_names_both_rows(tmp_path):
    first, second = counted_rows()[1], counted_rows()[6]
    column = Q_TAGS.index("ResponseId")
    respondent = records(fixture("qualtrics.csv"))[first][1][column]

    def change(rows):
        rows[second][column] = respondent

    data = rewrite(fixture("qualtrics.csv"), change)
    lines = records(data)[first][0], records(data)[second][0]
    found = problems(make(tmp_path, QUALTRICS_NPS, {"metrics/qualtrics.csv": data}))
    assert where(found) == [(Q, lines[1], column + 1, "error", CODES["duplicate_respondent"])]
    assert respondent in found[0]["message"] and str(lines[0]) in found[0]["message"]


def test_at_with_a_mapped_column_of_the_same_key(tmp_path):
    decl = """\
    - id: csat-website
      file: metrics/qualtrics.csv
      format: qualtrics
      type: csat
      columns: {date: RecordedDate, score: Q2_1, touchpoint: Q9}
      at: {journey: first-order, touchpoint: checkout}
      missing: ["", "-99"]
    """
    root = make(tmp_path, decl, {"metrics/qualtrics.csv": fixture("qualtrics.csv")})
    lines = (root / "site.yml").read_text().splitlines()
    assert lines[8].startswith("    at: ")
    found = problems(root)
    assert where(found) == [("site.yml", 9, lines[8].index("touchpoint") + 1, "error", CODES["at_and_column"])]
    assert "touchpoint" in found[0]["message"]


def test_a_qualtrics_export_of_only_previews_tests_and_spam_has_no_rows(tmp_path):
    def change(rows):
        for i, fields in enumerate(rows[3:]):
            fields[2] = ("1", "2", "8")[i % 3]

    data = rewrite(fixture("qualtrics.csv"), change)
    found = problems(make(tmp_path, QUALTRICS_NPS, {"metrics/qualtrics.csv": data}))
    assert where(found) == [(Q, None, None, "error", CODES["no_rows"])]


def test_exports_with_only_their_header_rows_warn_that_there_are_no_rows_yet(tmp_path):
    """No responses yet: no figures, and a warning (not silence; no error either: a survey just sent out)."""
    gf = fixture("googleforms.csv").split(b"\r\n", 1)[0] + b"\r\n"
    q = b"\r\n".join(fixture("qualtrics.csv").split(b"\r\n")[:3]) + b"\r\n"
    decl = GOOGLEFORMS.split("- id: csat-delivery")[0] + QUALTRICS_NPS.replace("- id: nps", "- id: nps-q")
    root = make(tmp_path, decl, {"metrics/googleforms.csv": gf, "metrics/qualtrics.csv": q})
    expected = [
        ("content/metrics/googleforms.csv", None, None, "warning", CODES["no_rows"]),
        ("content/metrics/qualtrics.csv", None, None, "warning", CODES["no_rows"]),
    ]
    assert sorted(where(problems(root))) == expected


def test_a_metric_without_a_date_has_period_all_and_a_warning(tmp_path):
    decl = """\
    - id: nps
      file: metrics/typeform.csv
      type: nps
      columns: {score: "How likely are you to recommend Acme to a friend? (0 = not likely, 10 = very likely)"}
    """
    data = fixture("typeform.csv")
    root = make(tmp_path, decl, {"metrics/typeform.csv": data})
    found = problems(root)
    assert where(found) == [("site.yml", 4, 5, "warning", CODES["without_date"])]
    assert "all" in found[0]["message"]
    figures = build(root)
    assert [(f["period"], f["n"]) for f in figures] == [("all", 30)]
    assert cli("build", root, "--strict", "--quiet").exit_code == 1


# --- the three defects of the issue ------------------------------------------------------------------------


@pytest.mark.parametrize("inner", ["\n", "\r\n"], ids=["lf-in-header", "crlf-in-header"])
def test_defect_a_google_forms_crlf_with_a_line_break_in_a_header_gives_its_rows(tmp_path, inner):
    """Defect (a): the export read as zero rows (and an empty figure) instead of its 30 responses."""
    data = fixture("googleforms.csv").replace(b"friend?\n(0", f"friend?{inner}(0".encode())
    decl = GOOGLEFORMS.split("- id: csat-delivery")[0].replace("    comment: Anything else you would like to tell us?\n", "")
    figures = build(make(tmp_path, decl, {"metrics/googleforms.csv": data}))
    whole = [f for f in figures if f["period"] == "all" and f["segment"] is None]
    assert [f["n"] for f in whole] == [30]
    assert {f["period"] for f in figures} == {"all", "2026-02", "2026-03"}


@pytest.mark.parametrize("inner", ["\n", "\r\n"], ids=["lf-in-header", "crlf-in-header"])
def test_defect_a_the_rows_are_read_when_another_column_holds_the_line_break(tmp_path, inner):
    """Defect (a) as version 1 met it: a metric on single-line headers of that export read zero rows."""
    data = fixture("googleforms.csv").replace(b"friend?\n(0", f"friend?{inner}(0".encode())
    assert data.count(b'","","') == 1
    data = data.replace(b'","","', b'","4","')  # the one delivery rating left blank, filled in
    decl = """\
    - id: csat
      file: metrics/googleforms.csv
      type: csat
      columns: {date: Timestamp, score: How satisfied are you with the delivery?}
      date_format: "%d/%m/%Y %H:%M:%S"
    """
    figures = build(make(tmp_path, decl, {"metrics/googleforms.csv": data}))
    assert [f["n"] for f in figures if f["period"] == "all"] == [30]


@pytest.mark.parametrize("c1", ["\u0085", "\u0096"])
def test_defect_b_a_c1_character_in_an_ignored_column_keeps_the_lines_of_other_problems(tmp_path, c1):
    """Defect (b): with a C1 control character in an unused column, the other problems came with line 0."""
    data = f"date,score,note\n2026-01-05,9,a{c1}b\n2026-01-06,11,x\n2026-01-07,12,y\n".encode()
    found = problems(make(tmp_path, "- {id: nps, file: metrics/m.csv, type: nps}\n", {"metrics/m.csv": data}))
    m = "content/metrics/m.csv"
    assert where(found) == [(m, 3, 2, "error", CODES["out_of_range"]), (m, 4, 2, "error", CODES["out_of_range"])]
    assert "'11'" in found[0]["message"] and "'12'" in found[1]["message"]


def test_defect_b_a_c1_character_in_a_qualtrics_comment_keeps_the_physical_lines(tmp_path):
    rows = counted_rows()
    q1, comment = Q_TAGS.index("Q1"), Q_TAGS.index("Q1_TEXT")

    def change(recs):
        recs[rows[0]][comment] = "Snel \u0085 geleverd"
        recs[rows[2]][q1] = "11"
        recs[rows[4]][q1] = "12"

    data = rewrite(fixture("qualtrics.csv"), change)
    lines = [records(data)[rows[i]][0] for i in (2, 4)]
    found = problems(make(tmp_path, QUALTRICS_NPS.replace(", comment: Q1_TEXT", ""), {"metrics/qualtrics.csv": data}))
    assert where(found) == [(Q, line, q1 + 1, "error", CODES["out_of_range"]) for line in lines]


def test_defect_b_cp1252_bytes_in_an_unused_column_are_an_encoding_error_at_their_line(tmp_path):
    data = "date,score,note\n2026-01-05,9,ok\n2026-01-06,10,caf\u00e9\n2026-01-07,11,x\n".encode("cp1252")
    found = problems(make(tmp_path, "- {id: nps, file: metrics/m.csv, type: nps}\n", {"metrics/m.csv": data}))
    assert where(found) == [("content/metrics/m.csv", 3, 0, "error", CODES["encoding"])]


def test_defect_b_cp1252_bytes_in_a_qualtrics_comment_name_their_physical_line(tmp_path):
    index = counted_rows()[2]

    def change(rows):
        rows[index][Q_TAGS.index("Q1_TEXT")] = "CP1252-HERE"

    data = rewrite(fixture("qualtrics.csv"), change)
    line = records(data)[index][0]
    data = data.replace(b"CP1252-HERE", "Caf\u00e9, prima".encode("cp1252"))  # \xe9: not UTF-8
    decl = QUALTRICS_NPS.replace(", comment: Q1_TEXT", "")
    found = problems(make(tmp_path, decl, {"metrics/qualtrics.csv": data}))
    assert where(found) == [(Q, line, 0, "error", CODES["encoding"])]


@pytest.mark.parametrize(
    "written, pattern",
    [("dd-mm-yyyy", "%d-%m-%Y"), ("yyyy-mm-dd", "%Y-%m-%d"), ("mm/dd/yyyy", "%m/%d/%Y"), ("dd/mm/yyyy", "%d/%m/%Y")],
)
def test_defect_c_a_date_format_written_as_letters_is_an_error_suggesting_the_pattern(tmp_path, written, pattern):
    """Defect (c): `dd-mm-yyyy` was taken as a pattern and every date then failed, naming the data file."""
    decl = f"""\
    - id: nps
      file: metrics/m.csv
      type: nps
      date_format: {written}
    """
    root = make(tmp_path, decl, {"metrics/m.csv": "date,score\n01-03-2026,9\n"})
    line = (root / "site.yml").read_text().splitlines()[6]
    assert line == f"    date_format: {written}"
    found = problems(root)
    assert where(found) == [("site.yml", 7, line.index(written) + 1, "error", CODES["date_format"])]
    assert pattern in found[0]["hint"]


@pytest.mark.parametrize(
    "pattern, cell",
    [
        ("%d-%m-%Y", "01-03-2026 10:15"),
        ("%d-%m-%Y", "1-3-2026 10:15:32"),
        ("%m/%d/%Y", "3/1/2026 10:15"),
        ("%Y/%m/%d", "2026/03/01 10:15:32 AM GMT+1"),
    ],
)
def test_defect_c_a_timestamp_read_with_a_date_only_format_is_that_date(tmp_path, pattern, cell):
    decl = f'- {{id: nps, file: metrics/m.csv, type: nps, columns: {{date: Datum}}, date_format: "{pattern}"}}\n'
    figures = build(make(tmp_path, decl, {"metrics/m.csv": f"Datum,score\n{cell},9\n"}))
    assert [(f["period"], f["n"]) for f in figures] == [("all", 1), ("2026-03", 1)]


# --- margins within the scale (DECISION: the implementer may adjust) ---------------------------------------

SCALES = {"nps": ([10, 0], (-100.0, 100.0), 138.6), "csat": ([5, 1], (0.0, 100.0), 69.3), "ces": ([7, 1], (1.0, 7.0), 5.88)}


def number(text: str) -> float:
    return float(text.replace("\u2212", "-").replace(",", "").replace("%", "").strip())


def shown_intervals(page: str) -> list[tuple[float, float]]:
    """Give (value, margin) of every figure on a page shown as `value ± margin` (the value's span, then the
    first ± before the next value: the figure macro, the headline and the tables' margin column)."""
    values = list(re.finditer(r'class="(?:fig|headline)-value">([^<]*)<', page))
    out = []
    for i, found in enumerate(values):
        end = values[i + 1].start() if i + 1 < len(values) else len(page)
        margin = re.search(r"\u00b1\s*([\d.,]+)", page[found.end() : end])
        if margin and re.search(r"\d", found.group(1)):
            out.append((number(found.group(1)), number(margin.group(1))))
    return out


def test_margins_stay_within_the_scale(tmp_path):
    """DECISION (the implementer may adjust): with n = 2 the formula's margin runs past the scale (NPS 0 ± 138.6).
    figures.json keeps the formula's margin (FORMAT.md's formula, checkable by hand); the site shows the interval
    clipped to the scale: every `value ± margin` on a page, and every chart error bar and the chart's y axis,
    stay within NPS -100..100, CSAT 0..100, CES 1..7."""
    decl = "".join(f"- {{id: m-{kind}, file: metrics/{kind}.csv, type: {kind}}}\n" for kind in SCALES)
    files = {
        f"metrics/{kind}.csv": "date,score\n" + "".join(f"2026-0{m}-0{d + 2},{s}\n" for m in (2, 3) for d, s in enumerate(scores))
        for kind, (scores, _, _) in SCALES.items()
    }
    root = make(tmp_path, decl, files)
    figures = build(root)
    for kind, (_, (lo, hi), margin) in SCALES.items():
        rows = [f for f in figures if f["metric"] == f"m-{kind}"]
        assert rows and all(f["n"] == 2 and f["margin"] == margin for f in rows if f["period"] != "all")
        page = (root / f"output/metrics/m-{kind}.html").read_text(encoding="utf-8")
        assert "fig-value" in page
        for value, shown in shown_intervals(page):
            assert lo - 0.05 <= value - shown and value + shown <= hi + 0.05, (kind, value, shown)
        charts = [
            json.loads(c) for c in re.findall(r'<script type="application/json" data-chart="[^"]*">(.*?)</script>', page, re.S)
        ]
        bars = [t for c in charts for t in c["data"] if "error_y" in t]
        assert bars, kind
        for trace in bars:
            bar = trace["error_y"]
            for i, y in enumerate(trace["y"]):
                upper, lower = y + bar["array"][i], y - bar.get("arrayminus", bar["array"])[i]
                assert lo - 1e-9 <= lower and upper <= hi + 1e-9, (kind, y, lower, upper)
        for chart in charts:
            if any("error_y" in t for t in chart["data"]):
                low, high = chart["layout"]["yaxis"]["range"]
                assert lo <= low < high <= hi, (kind, low, high)


# --- Excel workbooks --------------------------------------------------------------------------------------

XLSX = "content/metrics/x.xlsx"
XLSX_DECL = """\
- id: nps-excel
  file: metrics/x.xlsx
  sheet: {sheet}
  type: nps
  columns: {{date: Datum, score: Score, segment: Segment}}
  date_format: "%d-%m-%Y"
"""
# rows 2..20 of the sheet Antwoorden: typed dates (one with a time), dates typed as text, a score typed as text
XLSX_ROWS = [
    (dt.datetime(2026, 2, 3, 10, 15), 9, "Parent"),
    (dt.date(2026, 2, 4), 10, "Parent"),
    ("05-02-2026", 7, "Student"),
    (dt.datetime(2026, 2, 9), 3, "Parent"),
    (dt.date(2026, 2, 12), 8, "Student"),
    ("16-02-2026", "9", "Parent"),
    (dt.date(2026, 2, 20), 6, "Student"),
    (dt.datetime(2026, 2, 27, 23, 59), 10, "Parent"),
    (dt.date(2026, 3, 2), 9, "Parent"),
    ("03-03-2026", 0, "Student"),
    (dt.date(2026, 3, 5), 10, "Parent"),
    (dt.date(2026, 3, 9), 8, "Student"),
    (dt.date(2026, 3, 10), 9, "Parent"),  # row 14
    ("12-03-2026", 5, "Parent"),
    (dt.date(2026, 3, 16), 9, "Student"),
    (dt.date(2026, 3, 19), 10, "Parent"),
    ("23-03-2026", 7, "Student"),
    (dt.date(2026, 3, 26), 9, "Parent"),
    (dt.datetime(2026, 3, 31, 8, 0), 4, "Student"),
]


def workbook(row_14_score: int | str = 9) -> bytes:
    """Give an .xlsx whose first sheet is a note and whose second, Antwoorden, holds the answers."""
    from openpyxl import Workbook

    book = Workbook()
    note = book.active
    note.title = "Toelichting"
    note["A1"] = "Antwoorden van het klantonderzoek, februari en maart 2026"
    sheet = book.create_sheet("Antwoorden")
    sheet.append(["Datum", "Score", "Segment"])
    for i, (day, score, segment) in enumerate(XLSX_ROWS):
        sheet.append([day, row_14_score if i + 2 == 14 else score, segment])
    for row in sheet.iter_rows(min_row=2, max_col=1):
        if isinstance(row[0].value, dt.datetime | dt.date):
            row[0].number_format = "dd-mm-yyyy"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_day(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.datetime.strptime(str(value), "%d-%m-%Y").date()


@pytest.mark.parametrize("sheet", ["Antwoorden", "2"])
def test_an_xlsx_sheet_with_typed_and_text_dates(tmp_path, sheet):
    figures = build(make(tmp_path, XLSX_DECL.format(sheet=sheet), {"metrics/x.xlsx": workbook()}))
    rows = [(i + 2, {"Datum": day, "Score": str(score), "Segment": seg}) for i, (day, score, seg) in enumerate(XLSX_ROWS)]
    expected = hand_count(rows, Spec("nps-excel", "nps", "Score", "Datum", xlsx_day, segment="Segment"))
    got = figure_rows(figures, "nps-excel")
    assert sorted(got, key=str) == sorted(expected, key=str)
    for key, want in expected.items():
        f = got[key]
        assert f["n"] == want["n"] and "answered" not in f and "missing" not in f, key
        assert abs(f["value"] - want["value"]) <= 0.05 + 1e-9 and abs(f["margin"] - want["margin"]) <= 0.05 + 1e-9, key


def test_an_xlsx_problem_names_the_sheet_and_the_cell(tmp_path):
    from cxreport.pipeline import check

    root = make(tmp_path, XLSX_DECL.format(sheet="Antwoorden"), {"metrics/x.xlsx": workbook(row_14_score=11)})
    _, found = check(root)
    [problem] = list(found.sorted())
    assert (problem.path, problem.line, problem.col, problem.severity, problem.code) == (
        XLSX,
        14,
        2,
        "error",
        CODES["out_of_range"],
    )
    first_line = problem.format().splitlines()[0]
    assert first_line.startswith("content/metrics/x.xlsx:14:2: error: ") and "'11'" in first_line
    assert first_line.endswith("(sheet Antwoorden, cell B14)")


@pytest.mark.parametrize("sheet", ["Answers", "3"])
def test_an_unknown_sheet_is_an_error_at_sheet_naming_the_sheets(tmp_path, sheet):
    root = make(tmp_path, XLSX_DECL.format(sheet=sheet), {"metrics/x.xlsx": workbook()})
    line = (root / "site.yml").read_text().splitlines()[5]
    assert line == f"    sheet: {sheet}"
    found = problems(root)
    assert where(found) == [("site.yml", 6, line.index(sheet) + 1, "error", CODES["unknown_sheet"])]
    assert sheet in found[0]["message"] and "Antwoorden" in found[0]["message"] + found[0]["hint"]


def test_the_new_codes_are_registered():
    """The codes above are the ones the reader raises: registered in problems.CODES (and so in docs/problems.md)."""
    from cxreport.problems import CODES as REGISTERED

    assert [CODES[k] for k in NEW_CODES if CODES[k] not in REGISTERED] == []


def test_the_site_yml_examples_of_docs_metrics_md_check_clean(tmp_path):
    """Each site.yml example in docs/metrics.md's section Survey exports and spreadsheets, on its fixture."""
    docs = (Path(__file__).resolve().parent.parent / "docs/metrics.md").read_text(encoding="utf-8")
    section = docs.split("## Survey exports and spreadsheets\n", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"```yaml\n(.*?)```", section, re.S)
    assert len(examples) == 5
    for i, example in enumerate(examples):
        metrics = example.split("metrics:\n", 1)[1]
        names = re.findall(r"file: metrics/(\S+)", metrics)
        files = {f"metrics/{n}": workbook() if n.endswith(".xlsx") else fixture(n) for n in names}
        root = make(tmp_path / str(i), textwrap.dedent(metrics), files)
        assert where(problems(root)) == [], example
