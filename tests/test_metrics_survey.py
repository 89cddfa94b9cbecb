"""Survey exports read as they come (FORMAT.md v2): header rows, Status, values, missing, at, respondents, no date.

Each figure is checked against a count done by hand over the same rows.
"""

from __future__ import annotations

import json

import pytest
from helpers import located
from test_metrics_read import project  # noqa: F401  (the fixture)

QUALTRICS = (
    "StartDate,RecordedDate,Status,ResponseId,Q1,Q2_1,Q9,Q1_TEXT\r\n"
    '"Start Date","Recorded Date","Response Type","Response ID","How likely are you to recommend us?\n(0-10)",'
    '"Satisfaction - Delivery","Segment","Why?"\r\n'
    '"{""ImportId"":""startDate""}","{""ImportId"":""recordedDate""}","{""ImportId"":""status""}",'
    '"{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2_1""}","{""ImportId"":""QID9""}",'
    '"{""ImportId"":""QID1_TEXT""}"\r\n'
    '2026-03-01 09:00:00,2026-03-01 09:05:00,0,R_1,10,5,parents,"Great,\nfast"\r\n'
    "2026-03-02 09:00:00,2026-03-02 09:05:00,0,R_2,9,4,parents,\r\n"
    "2026-03-03 09:00:00,2026-03-03 09:05:00,1,R_3,0,1,parents,preview\r\n"
    "2026-03-04 09:00:00,2026-03-04 09:05:00,0,R_4,3,-99,students,slow\r\n"
    "2026-03-05 09:00:00,2026-03-05 09:05:00,2,R_5,0,1,students,test\r\n"
    "2026-04-06 09:00:00,2026-04-06 09:05:00,0,R_6,,2,,\r\n"
    "2026-04-07 09:00:00,2026-04-07 09:05:00,8,R_7,0,1,students,spam\r\n"
    "2026-04-08 09:00:00,2026-04-08 09:05:00,0,R_8,7,,students,ok\r\n"
)
SURVEY = "content/metrics/survey.csv"


def _all(fs, metric, **keys):
    rows = fs.select(metric, period="all", journey=None, stage=None, touchpoint=None, variant=None, **keys)
    return [(f.n, f.value, f.missing) for f in rows]


def test_qualtrics_export_three_header_rows_status_missing_and_two_metrics(project, run_metrics):  # noqa: F811
    root = project(
        """\
        - id: nps
          file: metrics/survey.csv
          format: qualtrics
          type: nps
          columns: {date: RecordedDate, score: Q1, segment: Q9, respondent: ResponseId, comment: Q1_TEXT}
        - id: csat
          file: metrics/survey.csv
          format: qualtrics
          type: csat
          columns: {date: RecordedDate, score: Q2_1, respondent: ResponseId}
          at: {journey: first-order, touchpoint: checkout}
          missing: ["", "-99"]
        """,
        {SURVEY: QUALTRICS},
    )
    _, problems, fs, data = run_metrics(root)
    assert located(problems) == []
    # answered rows (Status 0): R_1 10, R_2 9, R_4 3, R_8 7 (R_6 unanswered); previews, tests, spam left out
    # NPS = 100 * (2 promoters - 1 detractor) / 4 = 25
    assert _all(fs, "nps", segment=None) == [(4, 25.0, 1)]
    assert _all(fs, "nps", segment="parents") == [(2, 100.0, 0)]
    assert _all(fs, "nps", segment="students") == [(2, -50.0, 0)]  # R_6 has no segment: in no segment
    # CSAT at checkout: R_1 5, R_2 4, R_6 2 answered; R_4 -99 and R_8 blank are not answered: 2 of 3 satisfied
    csat = fs.select("csat", period="all", journey="first-order", stage="action", touchpoint="checkout", segment=None)
    assert [(f.n, round(f.value, 4), f.missing) for f in csat] == [(3, 66.6667, 2)]
    months = [(f.period, f.n, f.missing) for f in fs.select("nps", journey=None, segment=None) if f.period != "all"]
    assert months == [("2026-03", 3, 0), ("2026-04", 1, 1)]
    assert data.tables["nps"].layout.header_records == 3


def test_qualtrics_row_problem_names_the_physical_line(project, run_metrics):  # noqa: F811
    bad = QUALTRICS.replace("R_8,7,", "R_8,11,")
    root = project(
        "- {id: nps, file: metrics/survey.csv, format: qualtrics, type: nps, columns: {date: RecordedDate, score: Q1}}\n",
        {SURVEY: bad},
    )
    _, problems, _, _ = run_metrics(root)
    # header: line 1, lines 2-3 (a line break in a question), 4; R_1 spans lines 5-6; R_8 is on line 13
    assert [(p.path, p.line, p.col, p.code) for p in problems] == [
        ("content/metrics/survey.csv", 13, 5, "csv-score-out-of-range")
    ]


def test_a_file_not_in_the_declared_format_is_refused(project, run_metrics):  # noqa: F811
    root = project(
        "- {id: nps, file: metrics/nps.csv, format: qualtrics, type: nps}\n",
        {"content/metrics/nps.csv": "date,score\n2026-01-01,9\n"},
    )
    _, problems, _, _ = run_metrics(root)
    assert [(p.path, p.line, p.code) for p in problems] == [("content/metrics/nps.csv", 1, "export-format")]


def test_qualtrics_legacy_export(project, run_metrics):  # noqa: F811
    legacy = (
        "V1,V2,V8,V10,Q1\n"
        "ResponseID,ResponseSet,Status,EndDate,How likely\n"
        "R_1,Default,0,3/1/2026 10:15,10\n"
        "R_2,Default,1,3/2/2026 10:15,0\n"
        "R_3,Default,0,3/3/2026 10:15,6\n"
    )
    root = project(
        "- {id: nps, file: metrics/l.csv, format: qualtrics, type: nps, date_format: '%m/%d/%Y', columns: {date: V10, score: Q1}}\n",
        {"content/metrics/l.csv": legacy},
    )
    _, problems, fs, _ = run_metrics(root)
    assert located(problems) == []
    assert [(f.period, f.n, f.value) for f in fs.select("nps", segment=None)] == [("all", 2, 0.0), ("2026-03", 2, 0.0)]


SURVEYMONKEY = (
    "Respondent ID,Start Date,How likely are you to recommend us?,How satisfied were you with...,,Segment\n"
    ",,Response,Delivery,Payment,Response\n"
    "101,03/01/2026 10:15:32 AM,10 - Extremely likely,Very satisfied,Satisfied,parents\n"
    "102,03/02/2026 11:15:32 PM,0 - Not at all likely,Dissatisfied,,parents\n"
    "103,03/03/2026 09:00:00 AM,9,,Very satisfied,students\n"
)


def test_surveymonkey_two_header_rows_names_and_values(project, run_metrics):  # noqa: F811
    root = project(
        """\
        - id: nps
          file: metrics/sm.csv
          format: surveymonkey
          type: nps
          date_format: "%m/%d/%Y"
          columns: {date: Start Date, score: How likely are you to recommend us?, respondent: Respondent ID}
          values: {"10 - Extremely likely": 10, "0 - not at all likely": 0}
        - id: csat-delivery
          file: metrics/sm.csv
          format: surveymonkey
          type: csat
          date_format: "%m/%d/%Y"
          columns: {date: Start Date, score: "How satisfied were you with... - Delivery"}
          values: {Very satisfied: 5, Satisfied: 4, Neutral: 3, Dissatisfied: 2, Very dissatisfied: 1}
        """,
        {"content/metrics/sm.csv": SURVEYMONKEY},
    )
    _, problems, fs, _ = run_metrics(root)
    assert located(problems) == []
    assert [(n, round(v, 4), m) for n, v, m in _all(fs, "nps")] == [(3, 33.3333, 0)]
    assert [(n, v, m) for n, v, m in _all(fs, "csat-delivery")] == [(2, 50.0, 1)]


def test_an_answer_neither_number_nor_listed_names_the_nearest(project, run_metrics):  # noqa: F811
    root = project(
        """\
        - id: csat
          file: metrics/sm.csv
          format: surveymonkey
          type: csat
          date_format: "%m/%d/%Y"
          columns: {date: Start Date, score: "How satisfied were you with... - Delivery"}
          values: {Very satisfied: 5, Satisfied: 4}
        """,
        {"content/metrics/sm.csv": SURVEYMONKEY},
    )
    _, problems, _, _ = run_metrics(root)
    assert [(p.line, p.col, p.code) for p in problems] == [(4, 4, "csv-unknown-answer")]
    assert "'Dissatisfied'" in problems.errors[0].message and "did you mean 'Satisfied'" in problems.errors[0].hint


GOOGLE_FORMS = (
    'Timestamp,"How likely are you\nto recommend us?",Segment\r\n'
    "01/03/2026 10:15:32,9,parents\r\n"
    '02/03/2026 11:00:00,3,"students"\r\n'
    "15/04/2026 08:00:00,10,parents\r\n"
)


def test_google_forms_crlf_with_a_line_break_in_a_header_cell_gives_its_rows(project, run_metrics):  # noqa: F811
    root = project(
        """\
        - id: nps
          file: metrics/forms.csv
          type: nps
          date_format: "%d/%m/%Y"
          columns: {date: Timestamp, score: How likely are you to recommend us?}
        """,
        {"content/metrics/forms.csv": GOOGLE_FORMS},
    )
    _, problems, fs, _ = run_metrics(root)
    assert located(problems) == []
    # 9 and 10 promoters, 3 a detractor: (2 - 1) / 3
    assert [(f.period, f.n, round(f.value, 4)) for f in fs.select("nps", segment=None)] == [
        ("all", 3, 33.3333),
        ("2026-03", 2, 0.0),
        ("2026-04", 1, 100.0),
    ]


def test_google_forms_row_problem_keeps_its_line(project, run_metrics):  # noqa: F811
    bad = GOOGLE_FORMS.replace("15/04/2026 08:00:00,10", "15/04/2026 08:00:00,12")
    root = project(
        "- {id: nps, file: metrics/forms.csv, type: nps, date_format: '%d/%m/%Y', columns: {date: Timestamp, "
        "score: How likely are you to recommend us?}}\n",
        {"content/metrics/forms.csv": bad},
    )
    _, problems, _, _ = run_metrics(root)
    assert [(p.line, p.col, p.code) for p in problems] == [(5, 2, "csv-score-out-of-range")]


def test_a_c1_control_character_in_an_unused_column_keeps_every_line(project, run_metrics):  # noqa: F811
    rows = ["date,score,note"] + [f"2026-01-{d:02d},{s},{n}" for d, s, n in [(1, 9, "ok"), (2, 11, "x\u0085y"), (3, 12, "ok")]]
    root = project("- {id: nps, file: metrics/nps.csv, type: nps}\n", {"content/metrics/nps.csv": "\n".join(rows) + "\n"})
    _, problems, _, _ = run_metrics(root)
    assert [(p.line, p.col, p.code) for p in problems] == [(3, 2, "csv-score-out-of-range"), (4, 2, "csv-score-out-of-range")]
    assert all("after the header" not in p.message for p in problems)


def test_cp1252_bytes_in_an_unused_column_are_an_encoding_error(project, run_metrics):  # noqa: F811
    data = b"date,score,note\n2026-01-01,9,ok\n2026-01-02,8,caf\xe9\n"
    root = project("- {id: nps, file: metrics/nps.csv, type: nps}\n", {"content/metrics/nps.csv": data})
    _, problems, _, _ = run_metrics(root)
    assert [(p.path, p.line, p.code) for p in problems] == [("content/metrics/nps.csv", 3, "csv-encoding")]


def test_a_date_format_that_is_no_strftime_pattern_suggests_one(project, run_metrics):  # noqa: F811
    root = project(
        "- {id: nps, file: metrics/nps.csv, type: nps, date_format: dd-mm-yyyy}\n",
        {"content/metrics/nps.csv": "date,score\n01-03-2026,9\n"},
    )
    _, problems, _, _ = run_metrics(root)
    assert [(p.path, p.line, p.code) for p in problems] == [("site.yml", 4, "invalid-date-format")]
    assert "'%d-%m-%Y'" in problems.errors[0].hint


def test_a_date_only_format_ignores_the_time_of_a_timestamp(project, run_metrics):  # noqa: F811
    root = project(
        "- {id: nps, file: metrics/nps.csv, type: nps, date_format: '%d-%m-%Y'}\n",
        {"content/metrics/nps.csv": "date,score\n01-03-2026 10:15,9\n02-04-2026 23:59:59,9\n03-04-2026,0\n"},
    )
    _, problems, fs, _ = run_metrics(root)
    assert located(problems) == []
    assert [(f.period, f.n) for f in fs.select("nps", segment=None)] == [("all", 3), ("2026-03", 1), ("2026-04", 2)]


def test_a_metric_without_a_date_has_period_all_and_a_warning(project, run_metrics):  # noqa: F811
    root = project("- {id: nps, file: metrics/nps.csv, type: nps}\n", {"content/metrics/nps.csv": "score\n9\n10\n3\n"})
    _, problems, fs, _ = run_metrics(root)
    assert [(p.path, p.line, p.severity, p.code) for p in problems] == [("site.yml", 4, "warning", "metric-without-date")]
    assert [(f.period, f.n, round(f.value, 4)) for f in fs.select("nps")] == [("all", 3, 33.3333)]


def test_at_and_a_mapped_column_for_the_same_key_is_an_error(project, run_metrics):  # noqa: F811
    root = project(
        "- {id: nps, file: metrics/nps.csv, type: nps, at: {journey: first-order}, columns: {journey: j}}\n",
        {"content/metrics/nps.csv": "date,score,j\n2026-01-01,9,first-order\n"},
    )
    _, problems, _, _ = run_metrics(root)
    assert [(p.path, p.line, p.code) for p in problems] == [("site.yml", 4, "metric-at-and-column")]


def test_at_an_unknown_place_is_an_error_at_its_key(project, run_metrics):  # noqa: F811
    root = project(
        """\
        - id: nps
          file: metrics/nps.csv
          type: nps
          at: {journey: first-order, touchpoint: chekout}
        """,
        {"content/metrics/nps.csv": "date,score\n2026-01-01,9\n"},
    )
    _, problems, _, _ = run_metrics(root)
    assert [(p.path, p.line, p.code) for p in problems] == [("site.yml", 7, "unknown-place")]
    assert "did you mean 'checkout'" in problems.errors[0].hint


def test_a_respondent_twice_names_both_rows(project, run_metrics):  # noqa: F811
    data = "date,score,rid\n2026-01-01,9,A\n2026-01-02,8,B\n2026-01-03,7,A\n"
    root = project(
        "- {id: nps, file: metrics/nps.csv, type: nps, columns: {respondent: rid}}\n", {"content/metrics/nps.csv": data}
    )
    _, problems, _, _ = run_metrics(root)
    assert [(p.line, p.col, p.code) for p in problems] == [(4, 3, "csv-duplicate-respondent")]
    assert "first on line 2" in problems.errors[0].message


def test_figures_json_has_answered_and_missing_for_survey_metrics_only(project, run_metrics):  # noqa: F811
    from cxreport.metrics.output import figure_row, figures_json

    root = project(
        """\
        - {id: nps, file: metrics/nps.csv, type: nps, missing: [""]}
        - {id: plain, file: metrics/nps.csv, type: nps, columns: {score: score2}}
        """,
        {"content/metrics/nps.csv": "date,score,score2\n2026-01-01,9,1\n2026-01-02,,2\n"},
    )
    _, problems, fs, _ = run_metrics(root)
    assert located(problems) == []
    rows = json.loads(figures_json(fs))["figures"]
    assert rows == [figure_row(f) for f in fs.figures]
    first = [r for r in rows if r["metric"] == "nps" and r["period"] == "all"][0]
    assert (first["n"], first["answered"], first["missing"]) == (1, 1, 1)
    assert all("answered" not in r for r in rows if r["metric"] == "plain")


@pytest.mark.parametrize("missing", [["", "-99"], ["N/A"]])
def test_missing_wins_over_values_and_is_case_insensitive(project, run_metrics, missing):  # noqa: F811
    root = project(
        f"- {{id: nps, file: metrics/nps.csv, type: nps, missing: {json.dumps(missing)}, values: {{'n/a': 5}}}}\n",
        {"content/metrics/nps.csv": "date,score\n2026-01-01,9\n2026-01-02,n/a\n2026-01-03,-99\n2026-01-04,\n"},
    )
    _, problems, fs, _ = run_metrics(root)
    if missing == ["N/A"]:  # '-99' is then out of range and the blank an empty cell
        assert sorted(p.code for p in problems) == ["csv-empty-cell", "csv-score-out-of-range"]
    else:  # n/a reads as 5 through values
        assert located(problems) == []
        assert _all(fs, "nps") == [(2, 0.0, 2)]


def test_comments_are_read_and_kept_beside_the_tally_and_come_back_from_the_cache(project, run_metrics, tmp_path):  # noqa: F811
    root = project(
        "- {id: nps, file: metrics/survey.csv, format: qualtrics, type: nps, "
        "columns: {date: RecordedDate, score: Q1, segment: Q9, respondent: ResponseId, comment: Q1_TEXT}}\n",
        {SURVEY: QUALTRICS},
    )
    expected = [
        (0, None, None, None, "parents", "R_1", "promoter", 10.0, "Great,\nfast"),
        (3, None, None, None, "students", "R_4", "detractor", 3.0, "slow"),
        (7, None, None, None, "students", "R_8", "passive", 7.0, "ok"),
    ]  # previews, tests and spam are left out; blank comments too; the table is the published one (redacted)
    for cached in (False, True):
        _, problems, _, data = run_metrics(root, tmp_path / "cache")
        table = data.tables["nps"]
        assert located(problems) == [] and table.cached is cached
        rows = data.con.execute(f"SELECT * EXCLUDE (day) FROM {table.comments} ORDER BY rid").fetchall()
        assert rows == expected


def test_sheet_on_a_csv_file_is_a_warning(project, run_metrics):  # noqa: F811
    root = project(
        "- {id: nps, file: metrics/nps.csv, type: nps, sheet: Antwoorden}\n",
        {"content/metrics/nps.csv": "date,score\n2026-01-01,9\n"},
    )
    _, problems, fs, _ = run_metrics(root)
    assert [(p.path, p.line, p.severity, p.code) for p in problems] == [("site.yml", 4, "warning", "sheet-not-a-workbook")]
    assert [f.n for f in fs.select("nps", period="all", segment=None)] == [1]


def test_at_a_stage_alone_on_a_single_model_site(project, run_metrics):  # noqa: F811
    root = project(
        "- {id: ces, file: metrics/ces.csv, type: ces, at: {stage: action}}\n",
        {"content/metrics/ces.csv": "date,score\n2026-01-01,2\n2026-01-02,4\n"},
    )
    _, problems, fs, _ = run_metrics(root)
    assert located(problems) == []
    rows = [(f.journey, f.stage, f.n, f.value) for f in fs.select("ces", period="all", segment=None)]
    assert rows == [(None, None, 2, 3.0), (None, "action", 2, 3.0)]
