"""Reading metric files as spreadsheets export them, and every row problem at its row and column."""

from __future__ import annotations

import os
import textwrap

import duckdb
import pytest
from helpers import located

PERSONA = "name: Parent\nsegment: parents\n"
FIRST_ORDER = """\
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
"""
RETURNS = """\
title: Returns
persona: parent
stage_model: funnel
stages:
  - stage: purchase
    touchpoints:
      - {id: checkout, name: Checkout, feeling: 0}
  - stage: unboxing
    touchpoints:
      - {id: parcel, name: Parcel, feeling: 2}
  - stage: returns
    touchpoints:
      - {id: refund, name: Refund, feeling: -1}
"""
NPS = "content/metrics/nps.csv"


def site(metrics: str) -> str:
    """Give a site.yml whose metric list starts on line 4."""
    return "title: Test\nlanguage: en\nmetrics:\n" + textwrap.indent(textwrap.dedent(metrics), "  ")


@pytest.fixture
def project(make_project):
    """Give a function writing a project with two journeys, a site.yml of metrics and data files."""

    def make(metrics: str, files: dict[str, str | bytes], **more: str | bytes):
        return make_project(
            {
                "site.yml": site(metrics),
                "content/personas/parent.yml": PERSONA,
                "content/journeys/first-order.yml": FIRST_ORDER,
                "content/journeys/returns.yml": RETURNS,
                **files,
                **more,
            },
            minimal=False,
        )

    return make


NPS_DECL = """\
- id: nps
  file: metrics/nps.csv
  type: nps
  columns: {date: Datum, score: Score, journey: Journey, touchpoint: Touchpoint}
  date_format: "%d-%m-%Y"
"""


def figure(fs, **keys):
    found = fs.select(**keys)
    assert len(found) == 1, found
    return found[0]


def everything(fs, metric):
    return figure(fs, metric=metric, period="all", journey=None, stage=None, touchpoint=None, segment=None, variant=None)


# --- dialects ----------------------------------------------------------------------


def test_excel_semicolon_export_with_bom_sep_line_crlf_and_decimal_commas(project, run_metrics):
    decl = """\
    - id: on-time
      file: metrics/levertijd.csv
      type: value
      columns: {date: Week, value: Op tijd geleverd}
      date_format: "%d-%m-%Y"
      period: week
    """
    data = "\ufeffsep=;\r\nWeek;Op tijd geleverd;Pakketten\r\n05-01-2026;95,5;1264\r\n12-01-2026;94,5;1199\r\n"
    _, problems, fs, _ = run_metrics(project(decl, {"content/metrics/levertijd.csv": data.encode("utf-8")}))
    assert located(problems) == []
    assert everything(fs, "on-time").value == pytest.approx(95.0)
    assert [(f.period, f.value) for f in fs.select("on-time", journey=None)] == [
        ("all", pytest.approx(95.0)),
        ("2026-W02", pytest.approx(95.5)),
        ("2026-W03", pytest.approx(94.5)),
    ]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_taken_from_the_header_line(project, run_metrics, delimiter):
    rows = ["date", "score", "touchpoint"], ["2026-01-05", "9", "ad"], ["2026-01-06", "3", "pay"]
    text = "".join(delimiter.join(r) + "\n" for r in rows)
    decl = "- {id: nps, file: metrics/nps.csv, type: nps}\n"
    _, problems, fs, _ = run_metrics(project(decl, {NPS: text}))
    assert located(problems) == []
    assert everything(fs, "nps").value == 0.0
    assert figure(fs, period="all", touchpoint="ad", segment=None).journey == "first-order"


def test_declared_delimiter_wins_over_detection(project, run_metrics):
    decl = "- {id: nps, file: metrics/nps.csv, type: nps, delimiter: ';'}\n"
    text = "date;score;note\n2026-01-05;9;a, b, c, d\n"
    _, problems, fs, _ = run_metrics(project(decl, {NPS: text}))
    assert located(problems) == []
    assert everything(fs, "nps").n == 1


# cp1252 as declared, and cp1252 bytes in a UTF-8 file: tests/hostile/test_csv.py


def test_cp1252_bytes_in_the_header_name_the_header_line(project, run_metrics):
    decl = "- {id: nps, file: metrics/nps.csv, type: nps}\n"
    text = "date,score,caf\u00e9\n2026-01-05,9,x\n"
    _, problems, _, _ = run_metrics(project(decl, {NPS: text.encode("cp1252")}))
    assert located(problems) == [(NPS, 1, 0, "line 1 is not valid utf-8 text (the file is read as utf-8)")]


def test_undefined_cp1252_byte_is_an_encoding_problem(project, run_metrics):
    decl = "- {id: nps, file: metrics/nps.csv, type: nps, encoding: cp1252}\n"
    _, problems, _, _ = run_metrics(project(decl, {NPS: b"date,score\n2026-01-05,9\n2026-01-06,\x81\n"}))
    assert located(problems) == [(NPS, 3, 0, "line 3 is not valid cp1252 text (the file is read as cp1252)")]


def test_latin1_file(project, run_metrics):
    decl = "- {id: nps, file: metrics/nps.csv, type: nps, encoding: latin-1, columns: {segment: Segment}}\n"
    text = "date,score,Segment\n2026-01-05,9,na\u00efef\n"
    _, problems, fs, _ = run_metrics(project(decl, {NPS: text.encode("latin-1")}))
    assert located(problems) == []
    assert figure(fs, period="all", segment="na\u00efef").n == 1


# 1.234 never guessed, and declared thousands: tests/hostile/test_csv.py


def test_point_decimal_in_comma_files(project, run_metrics):
    decl = "- {id: visits, file: metrics/f.csv, type: value}\n"
    text = 'date,value\n2026-01-05,"1,5"\n2026-01-06,2.5\n'
    _, problems, _, _ = run_metrics(project(decl, {"content/metrics/f.csv": text}))
    assert located(problems) == [
        ("content/metrics/f.csv", 2, 2, "unreadable number '1,5' in column 'value': this file's decimal mark is '.'")
    ]


def test_words_that_databases_read_as_numbers_are_refused(project, run_metrics):
    decl = "- {id: visits, file: metrics/f.csv, type: value}\n"
    text = "date,value\n2026-01-05,inf\n2026-01-06,nan\n2026-01-07,1_000\n2026-01-08,0x10\n2026-01-09,1e3\n"
    _, problems, _, _ = run_metrics(project(decl, {"content/metrics/f.csv": text}))
    assert [(p[1], p[3]) for p in located(problems)] == [
        (2, "unreadable number 'inf' in column 'value'"),
        (3, "unreadable number 'nan' in column 'value'"),
        (4, "unreadable number '1_000' in column 'value'"),
        (5, "unreadable number '0x10' in column 'value'"),
    ]


def test_key_columns_used_by_our_name_without_mapping(project, run_metrics):
    decl = "- {id: nps, file: metrics/nps.csv, type: nps}\n"
    text = "date,score,journey,touchpoint,segment,other\n2026-01-05,9,first-order,ad,parents,x\n"
    _, problems, fs, data = run_metrics(project(decl, {NPS: text}))
    assert located(problems) == []
    assert data.tables["nps"].places == ("journey", "stage", "touchpoint")
    assert figure(fs, period="2026-01", journey="first-order", stage="attention", touchpoint="ad", segment="parents").n == 1


def test_headers_are_compared_without_surrounding_spaces(project, run_metrics):
    decl = "- {id: nps, file: metrics/nps.csv, type: nps, columns: {score: Score}}\n"
    _, problems, fs, _ = run_metrics(project(decl, {NPS: " date , Score \n2026-01-05,9\n"}))
    assert located(problems) == []
    assert everything(fs, "nps").n == 1


def test_iso_dates_may_carry_a_time(project, run_metrics):
    decl = "- {id: nps, file: metrics/nps.csv, type: nps}\n"
    _, problems, fs, _ = run_metrics(project(decl, {NPS: "date,score\n2026-01-31 23:59:00,9\n2026-02-01T08:00,9\n"}))
    assert located(problems) == []
    assert [f.period for f in fs.select("nps")] == ["all", "2026-01", "2026-02"]


def test_parquet_with_the_same_declaration(project, run_metrics, tmp_path):
    decl = NPS_DECL.replace("nps.csv", "nps.parquet")
    root = project(decl, {})
    (root / "content/metrics").mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT * FROM (VALUES ('05-01-2026', 'first-order', 'ad', 9), ('06-01-2026', 'first-order', 'pay', 3),
                                         ('07-01-2026', 'first-order', 'checkout', 8))
                         AS t("Datum", "Journey", "Touchpoint", "Score"))
                    TO '{root / "content/metrics/nps.parquet"}' (FORMAT parquet)""")
    _, problems, fs, _ = run_metrics(root)
    assert located(problems) == []
    assert everything(fs, "nps").value == pytest.approx(0.0)
    assert figure(fs, period="2026-01", journey="first-order", stage="action", touchpoint=None, segment=None).n == 2


def test_parquet_with_typed_dates_and_a_problem_names_the_row(project, run_metrics):
    decl = "- {id: nps, file: metrics/nps.parquet, type: nps, columns: {touchpoint: tp}}\n"
    root = project(decl, {})
    (root / "content/metrics").mkdir(parents=True, exist_ok=True)
    duckdb.connect().execute(f"""COPY (SELECT * FROM (VALUES (DATE '2026-01-05', 'ad', 9), (DATE '2026-01-06', 'adx', 3))
                                    AS t(date, tp, score)) TO '{root / "content/metrics/nps.parquet"}' (FORMAT parquet)""")
    _, problems, _, _ = run_metrics(root)
    assert located(problems) == [("content/metrics/nps.parquet", 2, 2, "unknown touchpoint 'adx' in column 'tp' (row 2)")]


def test_a_file_that_is_not_parquet(project, run_metrics):
    _, problems, _, _ = run_metrics(
        project("- {id: nps, file: metrics/nps.parquet, type: nps}\n", {"content/metrics/nps.parquet": "date,score\n"})
    )
    assert [p[:3] for p in located(problems)] == [("content/metrics/nps.parquet", 0, 0)]
    assert located(problems)[0][3].startswith("the file cannot be read as Parquet")


def test_header_only_file_is_a_warning_never_silence(project, run_metrics):
    # version 2: a file that gives no rows never passes in silence (the page would say "no figures yet")
    _, problems, fs, _ = run_metrics(project("- {id: nps, file: metrics/nps.csv, type: nps}\n", {NPS: "date,score\n"}))
    assert [(p.path, p.line, p.severity, p.code) for p in problems] == [("content/metrics/nps.csv", 0, "warning", "csv-no-rows")]
    assert "no rows yet" in problems.warnings[0].message and fs.select("nps") == []


# --- problems with the file as a whole ---------------------------------------------------


def test_missing_file_and_file_outside_the_project(project, run_metrics):
    decl = "- {id: a, file: metrics/none.csv, type: nps}\n- {id: b, file: ../../etc/passwd, type: nps}\n"
    _, problems, _, _ = run_metrics(project(decl, {}))
    assert located(problems) == [
        ("site.yml", 4, 19, "metric file 'content/metrics/none.csv' does not exist"),
        ("site.yml", 5, 19, "metric file '../../etc/passwd' lies outside the project"),
    ]


def test_symlink_leaving_the_project_is_outside(project, run_metrics, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "secret.csv"
    outside.write_text("date,score\n2026-01-05,9\n")
    root = project("- {id: a, file: metrics/link.csv, type: nps}\n", {})
    (root / "content/metrics").mkdir(parents=True, exist_ok=True)
    os.symlink(outside, root / "content/metrics/link.csv")
    _, problems, _, _ = run_metrics(root)
    assert located(problems) == [("site.yml", 4, 19, "metric file 'metrics/link.csv' lies outside the project")]


# An empty file: tests/hostile/test_csv.py


def test_mapped_header_missing_is_reported_in_site_yml(project, run_metrics):
    decl = NPS_DECL.replace("score: Score", "score: Scroe")
    _, problems, _, _ = run_metrics(project(decl, {NPS: "Datum,Journey,Touchpoint,Score\n"}))
    assert located(problems) == [("site.yml", 7, 35, "metric 'nps': column 'Scroe' (score) is not in content/metrics/nps.csv")]
    assert problems.errors[0].hint == "did you mean 'Score'?"


def test_required_column_missing_without_mapping(project, run_metrics):
    _, problems, _, _ = run_metrics(project("- {id: nps, file: metrics/nps.csv, type: nps}\n", {NPS: "date,Score\n"}))
    assert located(problems) == [("site.yml", 4, 5, "metric 'nps': content/metrics/nps.csv has no column 'score'")]
    assert "'Score'" in problems.errors[0].hint


def test_a_funnel_needs_a_stage_column(project, run_metrics):
    _, problems, _, _ = run_metrics(
        project("- {id: f, file: metrics/f.csv, type: funnel}\n", {"content/metrics/f.csv": "date,count\n"})
    )
    assert located(problems) == [
        ("site.yml", 4, 5, "metric 'f': a funnel needs a stage column, and content/metrics/f.csv has none")
    ]


# Blank and duplicate headers: tests/hostile/test_csv.py


def test_thousands_equal_to_the_decimal_mark(project, run_metrics):
    decl = "- id: v\n  file: metrics/v.csv\n  type: value\n  thousands: ','\n"
    _, problems, _, _ = run_metrics(project(decl, {"content/metrics/v.csv": "sep=;\ndate;value\n"}))
    assert located(problems) == [("site.yml", 7, 16, "metric 'v': thousands separator and decimal mark are both ','")]


def test_bad_date_format(project, run_metrics):
    decl = "- id: v\n  file: metrics/v.csv\n  type: value\n  date_format: '%Q'\n"
    _, problems, _, _ = run_metrics(project(decl, {"content/metrics/v.csv": "date,value\n"}))
    assert [p[:3] for p in located(problems)] == [("site.yml", 7, 18)]
    assert located(problems)[0][3].startswith("metric 'v': date_format '%Q' is not a date pattern")


# Ragged rows and a quote never closed: tests/hostile/test_csv.py


def test_ragged_row_after_sep_line_and_multiline_record(project, run_metrics):
    text = 'sep=;\ndate;score;note\n2026-01-05;9;"a\nb"\n2026-01-06;9\n'
    _, problems, _, _ = run_metrics(project("- {id: nps, file: metrics/nps.csv, type: nps}\n", {NPS: text}))
    assert located(problems) == [(NPS, 5, 3, "row has 2 fields but the header has 3 columns")]


# --- row problems: each kind at its row and column --------------------------------------

ROW_CASES = [
    # (declaration, file text, expected (line, col, message)); scores 11, -1, 7.5, n.v.t. and empty, and a funnel
    # stage larger than the one before: tests/hostile/test_csv.py
    (
        "- {id: m, file: metrics/m.csv, type: nps}",
        "date,score\n,9\n",
        (2, 1, "empty cell in column 'date': every row needs a date"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: nps}",
        "date,score\n05-01-2026,9\n",
        (2, 1, "unreadable date '05-01-2026' in column 'date': expected yyyy-mm-dd"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: nps, date_format: '%d-%m-%Y'}",
        "date,score\n2026-01-05,9\n",
        (2, 1, "unreadable date '2026-01-05' in column 'date': expected dd-mm-yyyy"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: nps}",
        "date,score\n2026-01-05,nine\n",
        (2, 2, "unreadable number 'nine' in column 'score'"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: csat}",
        "date,score\n2026-01-05,0\n",
        (2, 2, "score '0' in column 'score' is out of range: a csat score is 1 to 5"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: ces}",
        "date,score\n2026-01-05,8\n",
        (2, 2, "score '8' in column 'score' is out of range: a ces score is 1 to 7"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: ces}",
        "sep=;\ndate;score\n2026-01-05;6,5\n",
        (3, 2, "score '6,5' in column 'score' is not a whole number"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: funnel}",
        "date,stage,count\n2026-01-05,action,-3\n",
        (2, 3, "count '-3' in column 'count' is negative"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: funnel}",
        "date,stage,count\n2026-01-05,action,2.5\n",
        (2, 3, "count '2.5' in column 'count' is not a whole number"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: value}",
        "date,value\n2026-01-05,\n",
        (2, 2, "empty cell in column 'value': every row needs a value"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: nps, columns: {segment: Who}}",
        "date,score,Who\n2026-01-05,9,\n",
        (2, 3, "empty cell in column 'Who': every row needs a segment"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: nps}",
        "date,score,journey\n2026-01-05,9,first-ordr\n",
        (2, 3, "unknown journey 'first-ordr' in column 'journey'"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: nps}",
        "date,score,journey,touchpoint\n2026-01-05,9,first-order,parcel\n",
        (2, 4, "unknown touchpoint 'parcel' of journey 'first-order' in column 'touchpoint'"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: nps}",
        "date,score,touchpoint\n2026-01-05,9,chekout\n",
        (2, 3, "unknown touchpoint 'chekout' in column 'touchpoint'"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: nps}",
        "date,score,touchpoint\n2026-01-05,9,checkout\n",
        (2, 3, "touchpoint 'checkout' in column 'touchpoint' is in more than one journey (first-order, returns)"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: nps}",
        "date,score,journey,stage\n2026-01-05,9,returns,action\n",
        (2, 4, "stage 'action' in column 'stage' is not in stage model 'funnel' of journey 'returns'"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: funnel}",
        "date,stage,count\n2026-01-05,purchase,9\n",
        (2, 2, "stage 'purchase' in column 'stage' is not in stage model 'aidas' (the site's stage_model)"),
    ),
    (
        "- {id: m, file: metrics/m.csv, type: nps}",
        "date,score,journey,stage,touchpoint\n2026-01-05,9,first-order,attention,pay\n",
        (2, 4, "stage 'attention' in column 'stage' does not match touchpoint 'pay', which is in stage 'action'"),
    ),
]


@pytest.mark.parametrize("decl, text, expected", ROW_CASES, ids=[c[2][2].split(" in column")[0][:40] for c in ROW_CASES])
def test_row_problem(project, run_metrics, decl, text, expected):
    _, problems, fs, data = run_metrics(project(decl + "\n", {"content/metrics/m.csv": text}))
    assert located(problems) == [("content/metrics/m.csv", *expected)]
    assert not data.tables["m"].ok and fs.select("m") == []


def test_row_problem_hints_suggest_the_nearest_ids(project, run_metrics):
    text = "date,score,journey,touchpoint\n2026-01-05,9,first-ordr,ad\n2026-01-05,9,first-order,chekout\n"
    _, problems, _, _ = run_metrics(project("- {id: m, file: metrics/m.csv, type: nps}\n", {"content/metrics/m.csv": text}))
    assert [p.hint for p in problems.errors] == ["did you mean 'first-order'?", "did you mean 'checkout'?"]


def test_binary_values_are_required_by_an_experiment(project, run_metrics):
    decl = "- {id: conv, file: metrics/c.csv, type: value, columns: {variant: v}}\n"
    experiment = "---\ntype: experiment\ntitle: T\nhypothesis: H\nmetric: conv\ncontrol: a\n---\n"
    text = "date,v,value\n2026-01-05,a,1\n2026-01-05,b,0,5\n".replace("0,5", '"0,5"')
    root = project(decl, {"content/metrics/c.csv": text.replace('"0,5"', "0.5"), "content/playbooks/t.md": experiment})
    _, problems, _, _ = run_metrics(root)
    assert located(problems) == [
        ("content/metrics/c.csv", 3, 3, "value '0.5' in column 'value' must be 0 or 1: experiment 't' counts a 1 as a conversion")
    ]


def test_values_need_not_be_binary_without_an_experiment(project, run_metrics):
    decl = "- {id: conv, file: metrics/c.csv, type: value, columns: {variant: v}}\n"
    _, problems, fs, _ = run_metrics(project(decl, {"content/metrics/c.csv": "date,v,value\n2026-01-05,a,0.5\n"}))
    assert located(problems) == [] and everything(fs, "conv").value == 0.5


def test_lines_count_quoted_newlines_blank_lines_and_the_sep_line(project, run_metrics):
    text = (
        "sep=;\r\n"
        "Datum;Journey;Touchpoint;Score;Opmerking\r\n"
        "01-01-2026;first-order;ad;9;ok\r\n"  # line 3
        '02-01-2026;first-ordr;ad;9;"twee\r\nregels"\r\n'  # lines 4-5
        "03-01-2026;first-order;chekout;11;x\r\n"  # line 6
        "31-02-2026;first-order;ad;7,5;\r\n"  # line 7
        "\r\n"  # line 8: blank
        '04-01-2026;first-order;ad;abc;"a ""quoted"" word"\r\n'  # line 9
        "05-01-2026;;ad;;\r\n"
    )  # line 10
    _, problems, _, _ = run_metrics(project(NPS_DECL, {NPS: ("\ufeff" + text).encode("utf-8")}))
    assert located(problems) == [
        (NPS, 4, 2, "unknown journey 'first-ordr' in column 'Journey' (record starting on line 4)"),
        (NPS, 6, 3, "unknown touchpoint 'chekout' of journey 'first-order' in column 'Touchpoint'"),
        (NPS, 6, 4, "score '11' in column 'Score' is out of range: an nps score is 0 to 10"),
        (NPS, 7, 1, "unreadable date '31-02-2026' in column 'Datum': expected dd-mm-yyyy"),
        (NPS, 7, 4, "score '7,5' in column 'Score' is not a whole number"),
        (NPS, 9, 4, "unreadable number 'abc' in column 'Score'"),
        (NPS, 10, 2, "empty cell in column 'Journey': every row needs a journey"),
        (NPS, 10, 4, "empty cell in column 'Score': every row needs a score"),
    ]


def test_lines_survive_stray_quotes_and_blank_lines_inside_quotes(project, run_metrics):
    text = (
        "date,touchpoint,score,note\n"
        '2026-01-05,a"d,7,x\n'  # 2: a quote inside an unquoted field is text
        '2026-01-06,ad,x,"one\n\ntwo ""three""\n"\n'  # 3-6, with a blank line inside the quotes
        "\n"  # 7
        '2026-01-07,ad,y, "q"\n'  # 8
        '2026-01-08,ad,z,"a ""b"",\nc"\n'  # 9-10
        "2026-01-09,ad,w,\n"
    )  # 11
    _, problems, _, _ = run_metrics(project("- {id: nps, file: metrics/nps.csv, type: nps}\n", {NPS: text}))
    assert [
        (p[1], p[2], p[3].split(" in column")[0], p[3].endswith(f"(record starting on line {p[1]})")) for p in located(problems)
    ] == [
        (2, 2, "unknown touchpoint 'a\"d'", False),
        (3, 3, "unreadable number 'x'", True),
        (8, 3, "unreadable number 'y'", False),
        (9, 3, "unreadable number 'z'", True),
        (11, 3, "unreadable number 'w'", False),
    ]


def test_at_most_twenty_problems_then_one_with_the_count(project, run_metrics):
    rows = "".join(f"2026-01-{d:02d},{'x' if d % 2 else 11}\n" for d in range(1, 31)) * 2  # 60 bad scores
    _, problems, _, _ = run_metrics(project("- {id: nps, file: metrics/nps.csv, type: nps}\n", {NPS: "date,score\n" + rows}))
    found = located(problems)
    assert len(found) == 21
    assert found[:2] == [
        (NPS, 2, 2, "unreadable number 'x' in column 'score'"),
        (NPS, 3, 2, "score '11' in column 'score' is out of range: an nps score is 0 to 10"),
    ]
    assert found[19][1] == 21
    assert found[20] == (NPS, 22, 2, "40 more problems in this file from here on (only the first 20 are listed)")


def test_the_limit_is_per_file(project, run_metrics):
    bad = "date,score\n" + "2026-01-05,x\n" * 25
    decl = "- {id: a, file: metrics/a.csv, type: nps}\n- {id: b, file: metrics/b.csv, type: nps}\n"
    _, problems, _, _ = run_metrics(project(decl, {"content/metrics/a.csv": bad, "content/metrics/b.csv": bad}))
    assert [len([p for p in problems.errors if p.path == f"content/metrics/{x}.csv"]) for x in "ab"] == [21, 21]


def test_many_ragged_rows_are_capped_too(project, run_metrics):
    text = "date,score,note\n" + "2026-01-05,9\n" * 30
    _, problems, _, _ = run_metrics(project("- {id: nps, file: metrics/nps.csv, type: nps}\n", {NPS: text}))
    found = located(problems)
    assert len(found) == 21
    assert found[20] == (NPS, 22, 0, "10 more rows from line 22 on cannot be read (only the first 20 are listed)")


def test_touchpoint_unique_across_journeys_gives_journey_and_stage(project, run_metrics):
    _, problems, fs, _ = run_metrics(
        project("- {id: nps, file: metrics/nps.csv, type: nps}\n", {NPS: "date,score,touchpoint\n2026-01-05,9,refund\n"})
    )
    assert located(problems) == []
    assert figure(fs, period="all", touchpoint="refund", segment=None).journey == "returns"
    assert figure(fs, period="all", touchpoint="refund", segment=None).stage == "returns"


def test_control_missing_from_the_variant_column(project, run_metrics):
    decl = "- {id: conv, file: metrics/c.csv, type: value, columns: {variant: v}}\n"
    experiment = "---\ntype: experiment\ntitle: T\nhypothesis: H\nmetric: conv\ncontrol: controle\n---\n"
    root = project(
        decl,
        {"content/metrics/c.csv": "date,v,value\n2026-01-05,control,1\n2026-01-05,b,0\n", "content/playbooks/t.md": experiment},
    )
    _, problems, _, _ = run_metrics(root)
    assert located(problems) == [
        ("content/playbooks/t.md", 6, 10, "control 'controle' does not occur in column 'v' of metric 'conv'")
    ]
    assert problems.errors[0].hint == "did you mean 'control'?"


def test_one_bad_iso_date_among_many_is_a_row_problem_not_a_failed_read(project, run_metrics):
    """DuckDB 2.0 turns TRY_CAST of a bare CSV column into a hard cast in the reader (duckdb/duckdb#23818)."""
    rows = "".join(f"2026-01-{d:02d},9\n" for d in range(1, 29))
    text = "date,score\n" + rows + "2026-02-30,9\n" + rows
    _, problems, _, _ = run_metrics(project("- {id: nps, file: metrics/nps.csv, type: nps}\n", {NPS: text}))
    assert located(problems) == [(NPS, 30, 1, "unreadable date '2026-02-30' in column 'date': expected yyyy-mm-dd")]
