"""The metric kinds (cxreport/kinds.py): one MetricKind per type, and every part of the engine asks it."""

from __future__ import annotations

import duckdb
import pytest

from cxreport import model as m
from cxreport import stats
from cxreport.figures import Figure
from cxreport.kinds import KINDS
from cxreport.metrics.output import rounded
from cxreport.metrics.sql import (
    NUM_NEGATIVE,
    NUM_NOT_BINARY,
    NUM_NOT_WHOLE,
    NUM_OK,
    NUM_OUT_OF_RANGE,
    number_status_sql,
    plain_scores_sql,
)


def test_site_yml_takes_the_registered_kinds_in_their_order():
    schema = m.MetricSource.model_json_schema()["properties"]["type"]
    assert schema["enum"] == list(KINDS) == ["nps", "csat", "ces", "funnel", "value"]
    source = m.MetricSource(id="x", file="metrics/x.csv", type="ces")
    assert source.kind is KINDS["ces"]


def test_the_formulas_are_those_of_stats():
    assert KINDS["nps"].formula(10, 5, 2) == (10, *stats.nps(5, 2, 10))
    assert KINDS["csat"].formula(8, 6, None) == (8, *stats.csat(6, 8))
    assert KINDS["ces"].formula(4, 14, 54) == (4, *stats.ces(14, 54, 4))
    assert KINDS["funnel"].formula(3, 1200, None) == (1200, 1200, None)  # a funnel's n is its count
    assert KINDS["value"].formula(4, 3.0, None) == (4, 0.75, None)


def test_the_tally_sums_are_one_sql_for_counted_lines_and_for_rows():
    assert KINDS["nps"].tally_sql() == ("sum(w) FILTER (WHERE score >= 9)", "sum(w) FILTER (WHERE score <= 6)")
    assert KINDS["nps"].tally_sql(per_row=True) == ("count(*) FILTER (WHERE score >= 9)", "count(*) FILTER (WHERE score <= 6)")
    assert KINDS["csat"].tally_sql() == ("sum(w) FILTER (WHERE score >= 4)", "NULL")
    assert KINDS["ces"].tally_sql() == ("sum(w * score)", "sum(w * score * score)")
    assert KINDS["ces"].tally_sql(per_row=True) == ("sum(score)", "sum(score * score)")
    assert KINDS["funnel"].tally_sql() == KINDS["value"].tally_sql() == ("sum(total)", "NULL")


def test_the_rules_of_each_kind_fit_together():
    for kind in KINDS.values():
        if kind.scored:
            assert kind.number == "score" and kind.margin and kind.small_sample == 30 and kind.value_range
        if kind.margin:
            assert kind.decimals is not None and kind.shown_decimals is not None
        if kind.staged:
            assert kind.whole and not kind.margin and kind.decimals is None
    assert [k for k, kind in KINDS.items() if kind.conversions] == ["value"]
    assert [k for k, kind in KINDS.items() if kind.headline] == ["nps"]


def _figure(kind: str, n: int, value: float, margin: float | None = None, conversion: float | None = None) -> Figure:
    return Figure("m", kind, "all", None, None, None, None, None, n, value, margin, conversion)


def test_small_sample_and_rounding_follow_the_kind():
    assert _figure("nps", 29, 10.0).small_sample and not _figure("nps", 30, 10.0).small_sample
    assert not _figure("funnel", 1, 1).small_sample and not _figure("value", 1, 1.0).small_sample
    assert rounded(_figure("nps", 40, 31.849, 7.449)) == (31.8, 7.4, None)
    assert rounded(_figure("ces", 40, 3.256, 0.3449)) == (3.26, 0.34, None)
    assert rounded(_figure("value", 40, 0.123456)) == (0.1235, None, None)
    assert rounded(_figure("funnel", 40, 40, None, 0.333333)) == (40, None, 0.3333)


@pytest.mark.parametrize(
    ("kind", "cell", "status"),
    [
        ("nps", "10", NUM_OK),
        ("nps", "11", NUM_OUT_OF_RANGE),
        ("nps", "8.5", NUM_NOT_WHOLE),
        ("csat", "0", NUM_OUT_OF_RANGE),
        ("ces", "7", NUM_OK),
        ("funnel", "-1", NUM_NEGATIVE),
        ("funnel", "2.5", NUM_NOT_WHOLE),
        ("value", "2.5", NUM_NOT_BINARY),
        ("value", "1", NUM_OK),
    ],
)
def test_a_cell_is_judged_by_its_kind(kind, cell, status):
    con = duckdb.connect()
    sql = number_status_sql("raw", "TRY_CAST(raw AS DOUBLE)", KINDS[kind])
    assert con.execute(f"SELECT {sql} FROM (SELECT ? AS raw)", [cell]).fetchone() == (status,)


def test_plain_scores_are_the_scale_of_a_score_kind():
    assert plain_scores_sql(KINDS["csat"]) == "'1', '2', '3', '4', '5'"
    with pytest.raises(ValueError):
        plain_scores_sql(KINDS["funnel"])
