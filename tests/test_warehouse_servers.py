"""The example handbook with its metrics in a real PostgreSQL and a real Spark Connect server (tests/servers.py):
the same figures as its CSV build, and every failure worded at the metric's line, never with the password.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import copy_example
from servers import READER, READER_PASSWORD
from test_warehouse import same_site
from warehouse_example import as_warehouse, tables

from cxreport.cli import main

pytestmark = pytest.mark.slow

PG_TYPES = {"text": "text", "date": "date", "integer": "integer", "bigint": "bigint", "double": "double precision"}
SPARK_TYPES = {"text": "string", "date": "date", "integer": "int", "bigint": "bigint", "double": "double"}
WAREHOUSE_PAGES = [f"metrics/{m}.html" for m in ("conversie-test", "csat-levering", "funnel-webshop", "nps-webshop", "op-tijd")]


def build(root: Path, url: str, *args: str):
    return CliRunner().invoke(main, ["build", str(root), *args], env={"CX_DWH_URL": url})


def problems(root: Path, url: str) -> list:
    """Give the problems of a project's metric stage, with their codes."""
    import os

    from cxreport.pipeline import check

    old = os.environ.get("CX_DWH_URL")
    os.environ["CX_DWH_URL"] = url
    try:
        from cxreport.crosscheck import validate
        from cxreport.loader import load_sources
        from cxreport.metrics.join import join_metrics
        from cxreport.metrics.policy import Policy
        from cxreport.problems import Problems

        del check
        found = Problems()
        project = load_sources(root, found)
        assert project is not None
        validate(project, found)
        join_metrics(project, found, None, None, Policy(refresh=True)).close()
        return list(found)
    finally:
        if old is None:
            os.environ.pop("CX_DWH_URL", None)
        else:
            os.environ["CX_DWH_URL"] = old


@pytest.fixture(scope="module")
def csv_site(tmp_path_factory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("csv") / "example")
    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 0, result.output
    return root / "output"


@pytest.fixture(scope="module")
def pg(postgres_server):
    for name, (columns, rows) in tables().items():
        postgres_server.load_csv(f"cx.{name}", rows, [(c, PG_TYPES[t]) for c, t in columns])
    return postgres_server


def assert_same_as_csv(csv_site: Path, out: Path) -> None:
    for name in ("figures.json", "experiments.json"):
        assert json.loads((out / "data" / name).read_text()) == json.loads((csv_site / "data" / name).read_text()), name
    assert same_site(csv_site, out) == WAREHOUSE_PAGES


def test_the_example_from_postgresql_equals_its_csv_build(pg, csv_site, tmp_path):
    root = copy_example(tmp_path / "example")
    as_warehouse(root, "${CX_DWH_URL}")
    result = build(root, pg.url())
    assert result.exit_code == 0, result.output
    assert_same_as_csv(csv_site, root / "output")
    for path in root.rglob("*"):  # the password: not in the site, not in the cache, not in the record
        if path.is_file():
            assert READER_PASSWORD.encode() not in path.read_bytes(), path


def test_the_example_through_a_sqlalchemy_url_equals_its_csv_build(pg, csv_site, tmp_path):
    root = copy_example(tmp_path / "example")
    as_warehouse(root, "${CX_DWH_URL}")
    result = build(root, pg.url().replace("postgresql://", "postgresql+psycopg://"))
    assert result.exit_code == 0, result.output
    assert_same_as_csv(csv_site, root / "output")


def test_the_tally_is_all_that_comes_back(pg, tmp_path):
    """Rows received = the groups of the tally, counted here by hand: per month (typed dates; text dates per day),
    place, segment and score; a funnel's and a value's counts summed per month and place."""
    root = copy_example(tmp_path / "example")
    as_warehouse(root, "${CX_DWH_URL}")
    assert build(root, pg.url()).exit_code == 0
    received = {}
    for meta in (root / ".cxreport-cache" / "tallies").glob("*.json"):
        info = json.loads(meta.read_text())
        if "received" in info:
            received[tuple(info["headers"])] = info["received"]
    t = tables()

    def month(d) -> tuple:
        return (d.year, d.month)

    expected = {
        "nps": len({tuple(r) for r in t["nps"][1]}),  # text dates: grouped as written, with every key and the score
        "csat": len({(month(r[0]), *r[1:]) for r in t["csat"][1]}),
        "funnel": len({(month(r[0]), r[1], r[2]) for r in t["funnel"][1]}),
        "on_time": len({(r[0].isocalendar()[:2],) for r in t["on_time"][1]}),  # weeks
        "conversion": len({(month(r[0]), r[1], r[2]) for r in t["conversion"][1]}),
    }
    got = {name: next(v for k, v in received.items() if set(k) == {c for c, _ in t[name][0]}) for name in t}
    assert got == expected


def test_a_wrong_password_is_a_refused_login_and_never_shown(pg, make_project, tmp_path):
    root = copy_example(tmp_path / "example")
    as_warehouse(root, "${CX_DWH_URL}")
    wrong = "Wr0ng-Pa55word"
    result = build(root, pg.url(password=wrong))
    assert result.exit_code == 1
    assert wrong not in result.output and READER_PASSWORD not in result.output
    assert "warehouse 'dwh': the login was refused: " in result.output
    assert result.output.count("the login was refused") == 5  # each metric at its own line
    found = problems(root, pg.url(password=wrong))
    assert {p.code for p in found if p.severity == "error"} == {"warehouse-login"}


def test_an_unreachable_server_is_told_within_the_timeout(pg, tmp_path):
    root = copy_example(tmp_path / "example")
    as_warehouse(root, "${CX_DWH_URL}")
    url = pg.url().replace(f":{pg.port}/", ":1/")
    started = time.perf_counter()
    found = problems(root, url)
    assert time.perf_counter() - started < 15
    codes = [(p.code, p.message.split(": ")[0]) for p in found if p.severity == "error"]
    assert codes == [
        ("warehouse-unreachable", f"metric '{m}'")
        for m in ("nps-webshop", "csat-levering", "funnel-webshop", "op-tijd", "conversie-test")
    ]


def small_site(root: Path, metric: str, timeout: int = 300) -> None:
    (root / "site.yml").write_text(
        f"title: Test\nlanguage: en\nwarehouses:\n  dwh: {{url: '${{CX_DWH_URL}}', timeout: {timeout}}}\nmetrics:\n" + metric
    )


def metric(source: str, columns: str = "{date: answered_at, touchpoint: touchpoint, score: score}") -> str:
    return f"  - id: nps-app\n    warehouse: dwh\n    {source}\n    type: nps\n    columns: {columns}\n"


@pytest.fixture(scope="module")
def nps_table(pg):
    pg.load_csv(
        "cx.nps_small",
        [("2026-03-02", "checkout", s) for s in (10, 9, 11, 11, 0)],
        [("answered_at", "date"), ("touchpoint", "text"), ("score", "integer")],
    )
    return pg


def test_row_problems_are_counted_by_the_engine(nps_table, make_project):
    root = make_project()
    small_site(root, metric("table: cx.nps_small"))
    found = [p for p in problems(root, nps_table.url()) if p.severity == "error"]
    assert [(p.line, p.code, p.message) for p in found] == [
        (
            10,
            "csv-score-out-of-range",
            "metric 'nps-app': 2 rows: score '11' in column 'score' is out of range: an nps score is 0 to 10",
        )
    ]


def test_a_missing_table_a_missing_column_and_a_forbidden_table_are_named(nps_table, make_project):
    root = make_project()
    small_site(root, metric("table: cx.no_such_table"))
    (p,) = [p for p in problems(root, nps_table.url()) if p.severity == "error"]
    assert (p.line, p.code) == (8, "warehouse-missing-table")
    assert 'relation "cx.no_such_table" does not exist' in p.message
    small_site(root, metric("query: SELECT answered_at, touchpoint, scroe AS score FROM cx.nps_small"))
    (p,) = [p for p in problems(root, nps_table.url()) if p.severity == "error"]
    assert (p.line, p.code) == (8, "warehouse-missing-column")
    nps_table.execute("CREATE TABLE IF NOT EXISTS cx.secret AS SELECT * FROM cx.nps_small")
    nps_table.execute("REVOKE ALL ON cx.secret FROM " + READER)
    small_site(root, metric("table: cx.secret"))
    (p,) = [p for p in problems(root, nps_table.url()) if p.severity == "error"]
    assert (p.line, p.code) == (8, "warehouse-permission")


def test_a_query_past_the_timeout_is_cancelled(nps_table, make_project):
    root = make_project()
    small_site(root, metric("query: SELECT * FROM cx.nps_small WHERE pg_sleep(1) IS NOT NULL"), timeout=1)
    started = time.perf_counter()
    (p,) = [p for p in problems(root, nps_table.url()) if p.severity == "error"]
    assert time.perf_counter() - started < 10
    assert p.code == "warehouse-timeout"
    assert p.message == "metric 'nps-app': the query took longer than the timeout of 1 s and was cancelled"


def test_every_query_runs_read_only(nps_table, make_project):
    nps_table.execute("CREATE SEQUENCE IF NOT EXISTS cx.counter")
    nps_table.execute("GRANT USAGE, SELECT, UPDATE ON SEQUENCE cx.counter TO " + READER)
    root = make_project()
    small_site(root, metric("query: SELECT *, nextval('cx.counter') AS n FROM cx.nps_small"))
    (p,) = [p for p in problems(root, nps_table.url()) if p.severity == "error"]
    assert p.code == "warehouse-not-read-only"
    assert "read-only transaction" in p.message
    assert nps_table.execute("SELECT last_value, is_called FROM cx.counter") == [(1, False)]


def test_a_hostile_identifier_leaves_the_database_as_it_was(nps_table, make_project):
    root = make_project()
    hostile = 'score\\"; DROP TABLE cx.nps_small; --'
    small_site(root, metric("table: cx.nps_small", f'{{date: answered_at, touchpoint: touchpoint, score: "{hostile}"}}'))
    (p,) = [p for p in problems(root, nps_table.url()) if p.severity == "error"]
    assert p.code == "missing-column"
    small_site(root, metric('table: "cx.nps_small\\"; DROP TABLE cx.nps_small; --"'))
    (p,) = [p for p in problems(root, nps_table.url()) if p.severity == "error"]
    assert p.code == "warehouse-missing-table"
    assert nps_table.execute("SELECT count(*) FROM cx.nps_small") == [(5,)]


@pytest.fixture(scope="module")
def spark(spark_server):
    for name, (columns, rows) in tables().items():
        schema = ", ".join(f"{c} {SPARK_TYPES[t]}" for c, t in columns)
        spark_server.load_rows(f"cx.{name}", rows, schema)
    spark_server.stop_session()
    return spark_server


def test_the_example_from_spark_equals_its_csv_build(spark, csv_site, tmp_path):
    root = copy_example(tmp_path / "example")
    as_warehouse(root, "${CX_DWH_URL}")
    result = build(root, spark.url)
    assert result.exit_code == 0, result.output
    assert_same_as_csv(csv_site, root / "output")


def test_a_missing_spark_table_is_named(spark, make_project):
    root = make_project()
    small_site(root, metric("table: cx.no_such_table"))
    (p,) = [p for p in problems(root, spark.url) if p.severity == "error"]
    assert (p.line, p.code) == (8, "warehouse-missing-table")
