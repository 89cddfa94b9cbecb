"""Hostile metric files, as spreadsheets and survey tools export them: each is read as declared (never guessed)
or refused with a problem at its row and column, and a refused file leaves the previous site byte-identical.

The reading rules are in docs/metrics.md; the finer points of reading (Parquet, periods, keys, the problem
limit) are tested in tests/test_metrics_read.py.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from hostile_support import assert_inert, assert_refused, cli, problems_json, render_pages

M = "content/metrics/m.csv"
NPS = "{id: m, file: metrics/m.csv, type: nps}"
NPS_SEGMENT = "{id: m, file: metrics/m.csv, type: nps, columns: {segment: seg}}"
VALUE = "{id: m, file: metrics/m.csv, type: value}"
FUNNEL = "{id: m, file: metrics/m.csv, type: funnel}"


def site(decl: str) -> str:
    """Give a site.yml declaring one metric, on line 3."""
    return f"title: T\nmetrics:\n  - {decl}\n"


def built(make_project, decl: str, data: str | bytes, language: str = "en") -> tuple[list[dict], str]:
    """Build a project with this metric file (it must succeed) and give its overall figures and its CSV download."""
    root = make_project({"site.yml": site(decl).replace("title: T\n", f"title: T\nlanguage: {language}\n"), M: data})
    run = cli("build", root, "-q")
    assert run.exit_code == 0, run.output
    figures = json.loads((root / "output/data/figures.json").read_text())["figures"]
    download = (root / "output/metrics/m.csv").read_bytes().decode("utf-8-sig")
    return [f for f in figures if f["journey"] is None], download


def overall(figures: list[dict]) -> tuple[int, float]:
    [f] = [f for f in figures if f["period"] == "all" and f["segment"] is None and f["variant"] is None]
    return f["n"], f["value"]


def refused(make_project, decl: str, data: str | bytes, expected: list[tuple[int, int, str]]) -> str:
    """Assert the file is refused with exactly these (line, col, message) errors in it and the old site kept;
    give what the build printed."""
    root = make_project()
    return assert_refused(root, {"site.yml": site(decl), M: data}, [(M, *e) for e in expected]).stderr


# --- encodings and dialects ------------------------------------------------------------------------------


def test_byte_order_mark(make_project):
    figures, _ = built(make_project, NPS, "\ufeffdate,score\r\n2026-01-05,9\r\n2026-01-06,10\r\n".encode())
    assert overall(figures) == (2, 100.0)


def test_semicolons_with_decimal_commas(make_project):
    figures, _ = built(make_project, VALUE, "date;value\n2026-01-05;95,5\n2026-01-12;94,5\n")
    assert overall(figures) == (2, 95.0)


def test_excel_sep_line_counts_as_a_line(make_project):
    figures, _ = built(make_project, VALUE, "sep=;\r\ndate;value\r\n2026-01-05;1,5\r\n")
    assert overall(figures) == (1, 1.5)
    refused(
        make_project,
        VALUE,
        "sep=;\r\ndate;value\r\n2026-01-05;1,5\r\n2026-01-06;x\r\n",
        [(4, 2, "unreadable number 'x' in column 'value'")],
    )


def test_thousands_and_decimal_as_declared(make_project):
    decl = "{id: m, file: metrics/m.csv, type: value, thousands: '.'}"
    figures, _ = built(make_project, decl, 'sep=;\ndate;value\n2026-01-05;1.234,5\n2026-01-06;"2.000"\n')
    assert overall(figures) == (2, 1617.25)


def test_an_ambiguous_number_is_never_guessed(make_project):
    data = "date;value\n2026-01-05;1.234\n"
    hint = refused(
        make_project, VALUE, data, [(2, 2, "unreadable number '1.234' in column 'value': this file's decimal mark is ','")]
    )
    assert 'thousands: "."' in hint and 'decimal: "."' in hint
    assert overall(built(make_project, "{id: m, file: metrics/m.csv, type: value, decimal: '.'}", data)[0]) == (1, 1.234)
    assert overall(built(make_project, "{id: m, file: metrics/m.csv, type: value, thousands: '.'}", data)[0]) == (1, 1234.0)


def test_cp1252_as_declared(make_project):
    decl = "{id: m, file: metrics/m.csv, type: nps, encoding: cp1252, columns: {segment: seg}}"
    figures, download = built(make_project, decl, "date,score,seg\n2026-01-05,9,caf\u00e9 \u20ac\n".encode("cp1252"))
    assert {f["segment"] for f in figures} == {None, "caf\u00e9 \u20ac"}
    assert "caf\u00e9 \u20ac" in download


def test_cp1252_in_a_file_read_as_utf8_names_the_line(make_project):
    hint = refused(
        make_project,
        NPS_SEGMENT,
        "date,score,seg\n2026-01-05,9,ok\n2026-01-06,10,caf\u00e9\n".encode("cp1252"),
        [(3, 0, "line 3 is not valid utf-8 text (the file is read as utf-8)")],
    )
    assert "encoding: cp1252" in hint and "UTF-8" in hint


def test_utf16_export(make_project):
    refused(
        make_project,
        NPS,
        "date,score\n2026-01-05,9\n".encode("utf-16"),
        [(1, 0, "line 1 is not valid utf-8 text (the file is read as utf-8)")],
    )


def test_a_binary_file_named_csv(make_project):
    refused(
        make_project,
        NPS,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        [(1, 0, "line 1 is not valid utf-8 text (the file is read as utf-8)")],
    )


def test_old_mac_line_ends_count_as_lines(make_project):
    refused(
        make_project,
        NPS,
        "date,score\r2026-01-05,9\r2026-01-06,11\r",
        [(3, 2, "score '11' in column 'score' is out of range: an nps score is 0 to 10")],
    )


# --- shape: rows, headers, quotes ---------------------------------------------------------------------


def test_ragged_rows_name_their_field_count(make_project):
    """Found by this catalogue: a row with 10 or more fields too many or too few was said to have 10."""
    refused(
        make_project,
        NPS,
        "date,score,note\n2026-01-05,9,a\n2026-01-06,9\n2026-01-07,9," + ",".join("x" * 14) + "\n",
        [(3, 3, "row has 2 fields but the header has 3 columns"), (4, 4, "row has 16 fields but the header has 3 columns")],
    )


def test_blank_header_is_a_warning_and_its_column_ignored(make_project):
    root = make_project({"site.yml": site(NPS), M: "date,,score\n2026-01-05,x,9\n"})
    assert problems_json(root) == (0, [(M, 1, 2, "warning", "column 2 has no header; it is ignored")])
    assert cli("build", root, "-q").exit_code == 0


def test_duplicate_header_of_a_used_column(make_project):
    refused(
        make_project,
        NPS,
        "date,score,note,score\n2026-01-05,9,x,10\n",
        [(1, 4, "header 'score' appears in columns 2 and 4; cxreport cannot tell which one is the score")],
    )


def test_duplicate_header_of_an_unused_column_is_a_warning(make_project):
    root = make_project({"site.yml": site(NPS), M: "date,score,note,note\n2026-01-05,9,x,y\n"})
    assert problems_json(root) == (0, [(M, 1, 4, "warning", "header 'note' appears more than once; these columns are ignored")])


def test_blank_rows_are_skipped_and_still_counted_as_lines(make_project):
    figures, _ = built(make_project, NPS, "date,score\n\n2026-01-05,9\n\n\n2026-01-06,10\n")
    assert overall(figures) == (2, 100.0)
    refused(
        make_project,
        NPS,
        "date,score\n\n2026-01-05,9\n\n,\n",
        [
            (5, 1, "empty cell in column 'date': every row needs a date"),
            (5, 2, "empty cell in column 'score': every row needs a score"),
        ],
    )


def test_duplicate_rows_are_each_a_response(make_project):
    """Decision: a survey export may hold two equal answers; each row is a response, so both count."""
    figures, _ = built(make_project, NPS, "date,score\n2026-01-05,9\n2026-01-05,9\n2026-01-05,0\n")
    assert overall(figures) == (3, 33.3)


def test_a_quoted_newline_names_the_record_and_its_physical_line(make_project):
    data = 'date,score,note\n2026-01-05,9,"two\nlines"\n2026-01-06,x,"three\n\nlines"\n2026-01-07,11,ok\n'
    refused(
        make_project,
        NPS,
        data,
        [
            (4, 2, "unreadable number 'x' in column 'score' (record starting on line 4)"),
            (7, 2, "score '11' in column 'score' is out of range: an nps score is 0 to 10"),
        ],
    )


def test_a_quote_never_closed(make_project):
    refused(
        make_project,
        NPS,
        'date,score,note\n2026-01-05,9,"a\n2026-01-06,9,b\n',
        [(2, 3, "the quotes in this row do not pair up: a quoted field is never closed, or a quote follows a closing quote")],
    )


def test_empty_file(make_project):
    refused(make_project, NPS, "", [(1, 0, "the file is empty: it has no header row")])


def test_a_line_too_long_to_be_a_row(make_project):
    refused(
        make_project,
        NPS,
        "date,score,note\n2026-01-05,9," + "x" * 3_000_000 + "\n",
        [(2, 0, "the line is too long to be a row (over 2 MB)")],
    )


# --- cells ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "score, message",
    [
        ("11", "score '11' in column 'score' is out of range: an nps score is 0 to 10"),
        ("-1", "score '-1' in column 'score' is out of range: an nps score is 0 to 10"),
        ("7.5", "score '7.5' in column 'score' is not a whole number"),
        ("n.v.t.", "unreadable number 'n.v.t.' in column 'score'"),
        ("", "empty cell in column 'score': every row needs a score"),
    ],
)
def test_scores_that_are_not_scores(make_project, score, message):
    refused(make_project, NPS, f"date,score\n2026-01-05,9\n2026-01-06,{score}\n", [(3, 2, message)])


def test_an_impossible_date(make_project):
    refused(
        make_project,
        NPS,
        "date,score\n2026-02-30,9\n",
        [(2, 1, "unreadable date '2026-02-30' in column 'date': expected yyyy-mm-dd")],
    )


def test_a_funnel_stage_larger_than_the_one_before(make_project):
    refused(
        make_project,
        FUNNEL,
        "date,stage,count\n2026-01-05,attention,100\n2026-01-05,interest,90\n2026-01-20,interest,20\n",
        [
            (
                3,
                3,
                (
                    "funnel count in column 'count': stage 'interest' has 110 (2026-01), "
                    "more than the 100 of the stage before it, 'attention'"
                ),
            )
        ],
    )


@pytest.mark.parametrize("language, delimiter", [("en", ","), ("nl", ";")])
def test_formula_cells_are_inert_in_html_and_prefixed_in_every_download(make_project, language, delimiter):
    cells = ['=HYPERLINK("https://evil.example/","klik")', "+31 6 1234", "-1", "@SUM(A1)", "\tx", "=1+1"]
    rows = "".join(f'2026-01-0{i + 1},{9 - i},"{c.replace(chr(34), chr(34) * 2)}"\n' for i, c in enumerate(cells))
    figures, download = built(make_project, NPS_SEGMENT, "date,score,seg\n" + rows, language)
    assert {f["segment"] for f in figures} == {None, *cells}  # the data itself is kept as written
    table = list(csv.DictReader(io.StringIO(download), delimiter=delimiter))
    segments = {r["segment"] for r in table}
    assert segments == {"", *("'" + c for c in cells)}  # every text cell that starts a formula gets an apostrophe
    assert all(not r[c].startswith("'") for r in table for c in ("n", "value", "margin"))  # numbers never
    root = make_project({"site.yml": site(NPS_SEGMENT), M: "date,score,seg\n" + rows})
    pages, _files, _ = render_pages(root)
    text = assert_inert(pages["metrics/m.html"], "metrics/m.html").text
    assert all(c.strip() in text for c in cells)


def test_negative_numbers_in_a_download_are_not_prefixed(make_project):
    figures, download = built(make_project, VALUE, "date,value\n2026-01-05,-3.5\n2026-01-06,-1\n")
    assert overall(figures) == (2, -2.25)
    assert "-2.25" in download and "'-" not in download


def test_a_control_character_in_a_segment_is_a_row_problem(make_project):
    refused(
        make_project,
        NPS_SEGMENT,
        "date,score,seg\n2026-01-05,9,ouders\n2026-01-06,8,stu\x00denten\n2026-01-07,7,tab\there\n2026-01-08,6,bel\x07\n",
        [
            (3, 3, "cell in column 'seg' holds the invisible control character U+0000: 'stu\\x00denten'"),
            (5, 3, "cell in column 'seg' holds the invisible control character U+0007: 'bel\\x07'"),
        ],
    )
