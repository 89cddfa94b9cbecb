"""Metrics from a warehouse, on a real DuckDB database file (the engine every machine has): the same figures as
the CSV files, every check told with counts, nothing unsafe sent, the cache and its age, secrets never shown.

PostgreSQL and Spark run the same example in tests/test_warehouse_servers.py (slow, real servers).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
import sqlglot
from click.testing import CliRunner
from helpers import copy_example
from warehouse_example import as_warehouse, tables

from cxreport.cli import main
from cxreport.metrics.warehouse.engines import DATE, NUMBER, TEXT
from cxreport.metrics.warehouse.query import Plan, QueryError, parse_select, source_expr, tally_sql
from cxreport.urls import mask_url, resolve

DUCK_TYPES = {"text": "VARCHAR", "date": "DATE", "integer": "INTEGER", "bigint": "BIGINT", "double": "DOUBLE"}


def load_duckdb(path: Path, schema: str = "cx") -> None:
    """Write the example's metric tables into a DuckDB database file."""
    con = duckdb.connect(str(path))
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for name, (columns, rows) in tables().items():
        con.execute(f"CREATE TABLE {schema}.{name} ({', '.join(f'{c} {DUCK_TYPES[t]}' for c, t in columns)})")
        lists = [list(col) for col in zip(*rows, strict=True)]  # column by column: DuckDB's executemany is slow
        unnest = ", ".join(f"unnest(?::{DUCK_TYPES[t]}[])" for _, t in columns)
        con.execute(f"INSERT INTO {schema}.{name} SELECT {unnest}", lists)
    con.close()


def build(root: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["build", str(root), *args], env=env)


@pytest.fixture(scope="module")
def csv_site(tmp_path_factory) -> Path:
    """The example built from its files: what every warehouse build must equal."""
    root = copy_example(tmp_path_factory.mktemp("csv") / "example")
    result = build(root)
    assert result.exit_code == 0, result.output
    return root / "output"


@pytest.fixture
def duck_project(tmp_path) -> Path:
    root = copy_example(tmp_path / "example")
    load_duckdb(root / "dwh.duckdb")
    as_warehouse(root, '"duckdb:///dwh.duckdb"')
    return root


def same_site(a: Path, b: Path) -> list[str]:
    """Give the files that differ between two built sites, ignoring the sentence that says when figures were fetched."""
    out = []
    names = sorted(
        {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
        | {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    )
    for name in names:
        x, y = a / name, b / name
        if not (x.is_file() and y.is_file()) or x.read_bytes() != y.read_bytes():
            out.append(name)
    return out


def test_the_example_from_a_duckdb_file_equals_its_csv_build(csv_site, duck_project):
    result = build(duck_project)
    assert result.exit_code == 0, result.output
    out = duck_project / "output"
    figures = json.loads((out / "data" / "figures.json").read_text())
    assert figures == json.loads((csv_site / "data" / "figures.json").read_text())
    assert json.loads((out / "data" / "experiments.json").read_text()) == json.loads(
        (csv_site / "data" / "experiments.json").read_text()
    )
    # only the metric pages of the five warehouse metrics differ: they say where and when their figures come from
    differ = same_site(csv_site, out)
    assert differ == [
        f"metrics/{m}.html" for m in ("conversie-test", "csat-levering", "funnel-webshop", "nps-webshop", "op-tijd")
    ]
    page = (out / "metrics" / "nps-webshop.html").read_text()
    assert "Uit datawarehouse dwh, opgehaald op " in page


def test_a_second_build_takes_the_tally_from_the_cache_until_it_is_older_than_max_age(duck_project):
    assert build(duck_project).exit_code == 0
    first = (duck_project / "output" / "data" / "figures.json").read_bytes()
    (duck_project / "dwh.duckdb").rename(duck_project / "gone.duckdb")  # the warehouse is gone
    (duck_project / "content" / "pages" / "extra.md").write_text("---\ntitle: Extra\n---\nText.\n")
    result = build(duck_project)
    assert result.exit_code == 0, result.output  # fresh: from the cache, never asked
    assert (duck_project / "output" / "data" / "figures.json").read_bytes() == first
    result = build(duck_project, "--refresh")  # --refresh insists: the warehouse must answer
    assert result.exit_code == 1
    assert "site.yml:" in result.output and "the DuckDB file 'dwh.duckdb' does not exist" in result.output


def test_an_expired_tally_is_used_with_a_warning_when_the_warehouse_cannot_be_asked(duck_project):
    text = (duck_project / "site.yml").read_text().replace("max_age: 1h", "max_age: 0s")
    (duck_project / "site.yml").write_text(text)
    assert build(duck_project).exit_code == 0
    (duck_project / "dwh.duckdb").unlink()
    result = build(duck_project)
    assert result.exit_code == 0, result.output
    assert result.output.count("could not be asked (the DuckDB file 'dwh.duckdb' does not exist); its figures are") == 5


def write_site(root: Path, metric: str, extra: str = "") -> None:
    (root / "site.yml").write_text(
        "title: Test\nlanguage: en\n" + 'warehouses:\n  dwh: {url: "duckdb:///dwh.duckdb"}\n' + extra + "metrics:\n" + metric
    )


def small_warehouse(root: Path, rows: list[tuple]) -> None:
    con = duckdb.connect(str(root / "dwh.duckdb"))
    con.execute("CREATE SCHEMA cx")
    con.execute("CREATE TABLE cx.nps (answered_at DATE, touchpoint VARCHAR, score INTEGER)")
    con.executemany("INSERT INTO cx.nps VALUES (?, ?, ?)", rows)
    con.close()


NPS_METRIC = """  - id: nps-app
    warehouse: dwh
    table: cx.nps
    type: nps
    columns: {date: answered_at, touchpoint: touchpoint, score: score}
"""


def test_row_problems_are_counted_by_value_at_the_metrics_line(make_project):
    root = make_project()
    rows = [(f"2026-03-0{1 + i % 9}", "checkout", 11) for i in range(12)] + [("2026-03-02", "checkout", 12)] * 2
    rows += [("2026-03-02", "kassa", 8)] * 3 + [(None, "ad", 9)] + [("2026-03-03", "ad", 7)] * 40
    small_warehouse(root, rows)
    write_site(root, NPS_METRIC)
    _, problems, _, _ = run(root)
    got = [(p.path, p.line, p.col, p.code, p.message) for p in problems if p.severity == "error"]
    assert got == [
        (
            "site.yml",
            10,
            21,
            "csv-empty-cell",
            "metric 'nps-app': 1 row: empty cell in column 'answered_at': every row needs a date",
        ),
        (
            "site.yml",
            10,
            46,
            "csv-unknown-touchpoint",
            "metric 'nps-app': 3 rows: unknown touchpoint 'kassa' in column 'touchpoint'",
        ),
        (
            "site.yml",
            10,
            65,
            "csv-score-out-of-range",
            "metric 'nps-app': 14 rows: score '11' in column 'score' is out of range: an nps score is 0 to 10; also '12' (2)",
        ),
    ]


def run(root: Path):
    from cxreport.crosscheck import validate
    from cxreport.loader import load_sources
    from cxreport.metrics.compute import compute_figures
    from cxreport.metrics.join import join_metrics
    from cxreport.problems import Problems

    problems = Problems()
    project = load_sources(root, problems)
    assert project is not None, [p.format() for p in problems]
    validate(project, problems)
    data = join_metrics(project, problems, None)
    try:
        return project, problems, compute_figures(project, data), data
    finally:
        data.close()


def test_the_figures_equal_a_count_by_hand(make_project):
    root = make_project()
    rows = [("2026-03-02", "checkout", s) for s in (10, 9, 9, 8, 7, 6, 3, 0)] + [("2026-04-15", "ad", 10)] * 3
    small_warehouse(root, rows)
    write_site(root, NPS_METRIC)
    _, problems, figures, _ = run(root)
    assert not [p for p in problems if p.severity == "error"]
    got = {(f.period, f.touchpoint): (f.n, f.value) for f in figures.figures if f.journey is None or f.touchpoint}
    # March at checkout: 3 promoters, 3 detractors of 8 -> NPS 0; April at ad: 3 promoters of 3 -> 100
    assert got[("2026-03", "checkout")] == (8, 0.0)
    assert got[("2026-04", "ad")] == (3, 100.0)
    assert got[("all", None)] == (11, pytest.approx(100 * (6 - 3) / 11))


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("SELECT * FROM cx.nps; DROP TABLE cx.nps", "the query holds 2 statements; give exactly one SELECT"),
        ("DELETE FROM cx.nps", "the query is a DELETE statement, not a SELECT: cxreport only reads"),
        (
            "SELECT * INTO cx.copy FROM cx.nps",
            "the query holds INTO: cxreport only reads, so give one SELECT that writes nothing",
        ),
        ("WITH d AS (DELETE FROM cx.nps RETURNING *) SELECT * FROM d", "the query holds DELETE: cxreport only reads"),
    ],
)
def test_a_query_that_is_not_one_select_is_refused_before_anything_is_sent(make_project, query, words):
    root = make_project()
    small_warehouse(root, [("2026-03-02", "checkout", 9)])
    metric = NPS_METRIC.replace("    table: cx.nps\n", f"    query: {json.dumps(query)}\n")
    write_site(root, metric)
    _, problems, _, _ = run(root)
    (p,) = [p for p in problems if p.severity == "error"]
    assert (p.path, p.line, p.code) == ("site.yml", 8, "warehouse-query-refused")
    assert p.message.startswith(f"metric 'nps-app': {words}")
    con = duckdb.connect(str(root / "dwh.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM cx.nps").fetchone() == (1,)


def test_a_hostile_identifier_leaves_the_database_as_it_was(make_project):
    root = make_project()
    small_warehouse(root, [("2026-03-02", "checkout", 9)])
    hostile = 'score\\"; DROP TABLE cx.nps; --'
    write_site(root, NPS_METRIC.replace("score: score}", f'score: "{hostile}"}}'))
    _, problems, _, _ = run(root)
    (p,) = [p for p in problems if p.severity == "error"]
    assert p.code == "missing-column"
    assert p.message == """metric 'nps-app': column 'score"; DROP TABLE cx.nps; --' (score) is not in table 'cx.nps'"""
    con = duckdb.connect(str(root / "dwh.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM cx.nps").fetchone() == (1,)


def test_a_missing_table_and_a_missing_column_are_named(make_project):
    root = make_project()
    small_warehouse(root, [("2026-03-02", "checkout", 9)])
    write_site(root, NPS_METRIC.replace("cx.nps", "cx.nsp").replace("score: score", "score: scroe"))
    _, problems, _, _ = run(root)
    (p,) = [p for p in problems if p.severity == "error"]
    assert (p.line, p.code) == (8, "warehouse-missing-table")
    assert "nsp" in p.message
    write_site(root, NPS_METRIC.replace("score: score", "score: scroe"))
    _, problems, _, _ = run(root)
    (p,) = [p for p in problems if p.severity == "error"]
    assert (p.line, p.code, p.hint) == (10, "missing-column", "did you mean 'score'?")


PASSWORD = "s3cr3t-Pa55"


def test_a_literal_url_with_a_password_is_refused_and_never_shown(make_project):
    root = make_project()
    (root / "site.yml").write_text(
        "title: Test\nwarehouses:\n  dwh:\n    url: postgresql://cx:" + PASSWORD + "@db.example:5432/cx\nmetrics:\n" + NPS_METRIC
    )
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 1
    assert PASSWORD not in result.output
    assert (
        "site.yml:4:10: error: warehouse 'dwh': the URL holds a password ('postgresql://cx:***@db.example:5432/cx')"
        in result.output
    )


def test_an_unset_variable_is_an_error_in_build_and_a_warning_in_check(make_project):
    root = make_project()
    (root / "site.yml").write_text("title: Test\nwarehouses:\n  dwh: {url: '${CX_TEST_UNSET_URL}'}\nmetrics:\n" + NPS_METRIC)
    result = build(root, env={"CX_TEST_UNSET_URL": ""})
    assert result.exit_code == 1
    assert "metric 'nps-app': warehouse 'dwh': the environment variable CX_TEST_UNSET_URL is not set" in result.output
    result = CliRunner().invoke(main, ["check", str(root)], env={"CX_TEST_UNSET_URL": ""})
    assert result.exit_code == 0, result.output
    assert "warning: metric 'nps-app': its rows were not checked" in result.output


def test_a_password_from_the_environment_never_reaches_output_or_cache(make_project, tmp_path):
    root = make_project()
    small_warehouse(root, [("2026-03-02", "checkout", 9)])
    secret = tmp_path / f"{PASSWORD}.duckdb"
    shutil.copy(root / "dwh.duckdb", secret)  # a path holding the 'password': masked nowhere, so never written
    (root / "site.yml").write_text("title: Test\nwarehouses:\n  dwh: {url: '${CX_TEST_URL}'}\nmetrics:\n" + NPS_METRIC)
    result = build(root, env={"CX_TEST_URL": "postgresql://cx:" + PASSWORD + "@127.0.0.1:1/cx"})
    assert result.exit_code == 1
    assert PASSWORD not in result.output
    assert "cx:***@" not in result.output or PASSWORD not in result.output
    for path in root.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


def test_urls_are_masked():
    assert mask_url("postgresql://cx:pw@db:5432/cx") == "postgresql://cx:***@db:5432/cx"
    assert mask_url("sc://host:443/;token=abc;user_id=x") == "sc://host:443/;token=***;user_id=x"
    assert (
        mask_url("snowflake://me:pw@acct/db?private_key=zz&warehouse=w")
        == "snowflake://me:***@acct/db?private_key=***&warehouse=w"
    )
    url = resolve("${X}", {"X": "postgresql://a:p%40ss@h/db"})
    assert (url.engine, url.shown, repr(url)) == (
        "postgres",
        "postgresql://a:***@h/db",
        "WarehouseUrl('postgresql://a:***@h/db')",
    )
    assert url.mask("refused for p@ss and p%40ss") == "refused for *** and ***"
    assert resolve("trino://me@host:8080/hive").engine == "sqlalchemy"
    assert resolve("postgresql+psycopg://me@h/db").engine == "sqlalchemy"


DIALECTS = ["postgres", "spark", "databricks", "duckdb", "trino", "bigquery", "snowflake", "redshift", "tsql", "mysql", "oracle"]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("period", ["week", "month", "quarter"])
def test_the_tally_sql_of_every_dialect_parses_back(dialect, period):
    keys = (("touchpoint", "Touch Point"), ("segment", 'odd"name'))
    scored = Plan("answered_at", DATE, keys, "score", NUMBER, False, period)
    counted = Plan("day", TEXT, keys, "customers", NUMBER, True, period)
    for plan, funnel in ((scored, False), (counted, True), (counted, False)):
        for source in (source_expr("cx.nps", None, dialect), source_expr(None, "SELECT * FROM cx.nps WHERE score >= 0", dialect)):
            sql, names = tally_sql(source, plan, dialect, funnel)
            tree = sqlglot.parse_one(sql, read=dialect)
            assert [s.alias_or_name for s in tree.selects] == names
            assert "GROUP BY ALL" not in sql.upper() and "FILTER" not in sql.upper() and "PERCENTILE" not in sql.upper()
            columns = {c.name for c in tree.find_all(sqlglot.exp.Column)}
            assert {"Touch Point", 'odd"name'} <= columns


def test_a_table_name_is_quoted_and_checked():
    assert source_expr("cx.nps", None, "postgres").sql("postgres") == '"cx"."nps"'
    assert source_expr("CX.Nps", None, "postgres").sql("postgres") == '"cx"."nps"'  # as PostgreSQL folds plain names
    assert source_expr("cat.cx.nps", None, "spark").sql("spark") == "`cat`.`cx`.`nps`"
    with pytest.raises(QueryError):
        source_expr("cx..nps", None, "postgres")
    with pytest.raises(QueryError):
        parse_select("SELEC nothing", "postgres")


def test_an_edit_in_serve_never_queries_the_warehouse(duck_project, tmp_path):
    from cxreport.incremental.session import Session
    from cxreport.pipeline import build as pipeline_build

    session = Session(duck_project, tmp_path / "site", keep_record=False, in_place=True)  # as cxreport serve keeps it
    first = pipeline_build(duck_project, session=session)
    assert first.written and not first.problems.errors
    (duck_project / "dwh.duckdb").unlink()  # a query now would fail
    journey = duck_project / "content" / "journeys" / "retour.yml"
    journey.write_text(journey.read_text().replace("title: ", "title: Bewerkt ", 1))
    second = pipeline_build(duck_project, session=session)
    assert second.written and not list(second.problems), [p.format() for p in second.problems]
    assert "Bewerkt " in (tmp_path / "site" / "journeys" / "retour.html").read_text()


def test_check_uses_a_cached_tally_of_any_age_without_the_url(duck_project):
    text = (duck_project / "site.yml").read_text().replace("max_age: 1h", "max_age: 0s")
    (duck_project / "site.yml").write_text(text)
    assert build(duck_project).exit_code == 0
    (duck_project / "dwh.duckdb").unlink()
    result = CliRunner().invoke(main, ["check", str(duck_project)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output


def test_a_missing_driver_is_an_error_naming_the_extra(make_project, monkeypatch):
    import sys

    root = make_project()
    (root / "site.yml").write_text("title: Test\nwarehouses:\n  dwh: {url: '${CX_TEST_URL}'}\nmetrics:\n" + NPS_METRIC)
    monkeypatch.setenv("CX_TEST_URL", "postgresql://cx@127.0.0.1:5432/cx")
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as on a machine without the extra: the import fails
    _, problems, _, _ = run(root)
    (p,) = [p for p in problems if p.severity == "error"]
    assert (p.code, p.message, p.hint) == (
        "warehouse-driver-missing",
        "metric 'nps-app': warehouse 'dwh': the driver for this warehouse (psycopg) is not installed",
        "install it with: pip install 'cxreport[postgres]'",
    )


def test_a_build_with_nothing_changed_fetches_again_once_a_tally_is_due(duck_project):
    assert build(duck_project).exit_code == 0
    assert "(nothing changed)" in build(duck_project).output  # fresh figures: answered from the record
    text = (duck_project / "site.yml").read_text().replace("max_age: 1h", "max_age: 0s")
    (duck_project / "site.yml").write_text(text)
    assert build(duck_project).exit_code == 0  # site.yml changed: built, and due at once
    result = build(duck_project)
    assert "(nothing changed)" not in result.output and result.exit_code == 0
    assert "--refresh" not in result.output
    assert "(nothing changed)" not in build(duck_project, "--refresh").output
