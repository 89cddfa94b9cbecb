"""Benchmark of warehouse metrics: cxreport's metric stage against the same aggregation run by hand on the engine.

    python bench/bench_warehouse.py                                   # PostgreSQL 10M rows, Spark 100M, 3 runs each
    python bench/bench_warehouse.py --pg-rows 1000000 --spark-rows 10000000 --runs 3
    python bench/bench_warehouse.py --engine postgres                 # one engine only
    python bench/bench_warehouse.py --readme                          # also write the table into bench/README.md

It starts the servers the tests use (tests/servers.py: a throwaway PostgreSQL cluster, a Spark Connect server
from the pyspark wheel, both on 127.0.0.1), generates inside each engine a table of NPS responses
(cx.nps_responses: answered_at a date over one year, score 0-10, touchpoint_id among 20, segment among 4;
PostgreSQL with generate_series, Spark with range), and measures:

- floor: the aggregation a person would write by hand for these figures, sent straight to the engine on an
  open connection: GROUP BY month, touchpoint_id, segment, score with count(*); best of the runs, and the
  rows it returns (every figure cxreport shows follows from these counts).
- cxreport: its metric stage (`join_metrics(project, problems, cache_dir=None)` + `compute_figures`) on a small
  project whose one nps metric reads that table (`warehouses: {dwh: {url: ${CX_BENCH_URL}}}`), in a fresh
  process each run, connecting included, driver imports not (as in bench_metrics.py); with the rows it
  received (PostgreSQL: pg_stat_statements of the reading role; Spark: the Arrow batches the client got) and
  the size of its tally.
- memory: the peak resident set of that process against the same stage on a 10,000-row CSV with the same
  columns (goal: no more).

The cxreport half runs only when cxreport.metrics.warehouse imports; without it the floors are still measured.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

from measuring import run_child, write_section

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the servers the tests start (tests/servers.py)

import servers  # noqa: E402 (after the path)

DATA = HERE / "data" / "warehouse"
TABLE = "cx.nps_responses"
TOUCHPOINTS = [f"tp-{i:02d}" for i in range(1, 21)]
STAGES = ("attention", "interest", "desire", "action")  # five touchpoints each
SEGMENTS = ("ouders", "studenten", "zakelijk", "grootouders")
CSV_ROWS = 10_000
NOT_INSTALLED = "cxreport's warehouse support is not installed"

PG_GENERATE = f"""
CREATE TABLE {TABLE} AS
SELECT DATE '2025-01-01' + floor(random() * 365)::int AS answered_at,
       floor(random() * 11)::int AS score,
       'tp-' || lpad((1 + floor(random() * 20)::int)::text, 2, '0') AS touchpoint_id,
       (ARRAY['ouders', 'studenten', 'zakelijk', 'grootouders'])[1 + floor(random() * 4)::int] AS segment
FROM generate_series(1, %s)
"""
SPARK_GENERATE = f"""
CREATE TABLE {TABLE} USING parquet AS
SELECT date_add(DATE'2025-01-01', CAST(floor(rand(1) * 365) AS INT)) AS answered_at,
       CAST(floor(rand(2) * 11) AS INT) AS score,
       concat('tp-', lpad(CAST(1 + CAST(floor(rand(3) * 20) AS INT) AS STRING), 2, '0')) AS touchpoint_id,
       element_at(array('ouders', 'studenten', 'zakelijk', 'grootouders'), 1 + CAST(floor(rand(4) * 4) AS INT)) AS segment
FROM range({{rows}})
"""
FLOOR_SQL = {
    "postgres": f"SELECT date_trunc('month', answered_at) AS month, touchpoint_id, segment, score, count(*) AS n "
    f"FROM {TABLE} GROUP BY 1, 2, 3, 4",
    "spark": f"SELECT date_trunc('MONTH', answered_at) AS month, touchpoint_id, segment, score, count(*) AS n "
    f"FROM {TABLE} GROUP BY 1, 2, 3, 4",
}
PG_SETTINGS = """
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
work_mem = 64MB
"""
SPARK_CONF = {"spark.driver.memory": "2g", "spark.sql.shuffle.partitions": "8"}


# --- the project cxreport reads ------------------------------------------------------------------------------


def write_project(root: Path, source: str) -> Path:
    """Write a project whose one nps metric reads `source` (its site.yml lines) into root, replacing it."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "content" / "journeys").mkdir(parents=True)
    (root / "content" / "personas").mkdir(parents=True)
    (root / "content" / "personas" / "klant.yml").write_text("name: Klant\n", encoding="utf-8")
    lines = ["title: Bench", "persona: klant", "stages:"]
    for i, stage in enumerate(STAGES):
        lines += [f"  - stage: {stage}", "    touchpoints:"]
        lines += [f"      - {{id: {tp}, name: {tp}, feeling: 0}}" for tp in TOUCHPOINTS[i * 5 : i * 5 + 5]]
    (root / "content" / "journeys" / "bench.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "site.yml").write_text(
        "title: Benchmark\nlanguage: en\n" + source + "    type: nps\n    period: month\n"
        "    columns: {date: answered_at, score: score, touchpoint: touchpoint_id, segment: segment}\n",
        encoding="utf-8",
    )
    return root


def warehouse_project() -> Path:
    return write_project(
        DATA / "warehouse",
        "warehouses:\n  dwh:\n    url: ${CX_BENCH_URL}\n    timeout: 1800\n"
        f"metrics:\n  - id: nps\n    warehouse: dwh\n    table: {TABLE}\n",
    )


def csv_project() -> Path:
    """Give a project reading a 10,000-row CSV with the warehouse table's columns and spread of values."""
    import duckdb

    root = write_project(DATA / f"csv-{CSV_ROWS}", "metrics:\n  - id: nps\n    file: metrics/nps.csv\n")
    csv = root / "content" / "metrics" / "nps.csv"
    csv.parent.mkdir(parents=True)
    con = duckdb.connect()
    con.execute("SELECT setseed(0.42)")
    segments = "[" + ", ".join(f"'{s}'" for s in SEGMENTS) + "]"
    con.execute(f"""
        COPY (SELECT DATE '2025-01-01' + CAST(floor(random() * 365) AS INTEGER) AS answered_at,
                     CAST(floor(random() * 11) AS INTEGER) AS score,
                     'tp-' || lpad(CAST(1 + CAST(floor(random() * 20) AS INTEGER) AS VARCHAR), 2, '0') AS touchpoint_id,
                     {segments}[1 + CAST(floor(random() * 4) AS INTEGER)] AS segment
              FROM range({CSV_ROWS})) TO '{csv}' (HEADER, DELIMITER ',')""")
    return root


# --- one measurement of cxreport, in its own process -----------------------------------------------------------


def _count_spark_rows() -> list[int]:
    """Count the rows of every Arrow batch the Spark Connect client receives in this process (no change to them)."""
    from pyspark.sql.connect.client.core import SparkConnectClient

    received = [0]
    original = SparkConnectClient._execute_and_fetch_as_iterator

    def counting(self, *args, **kwargs):
        for item in original(self, *args, **kwargs):
            if hasattr(item, "num_rows") and hasattr(item, "schema"):
                received[0] += item.num_rows
            yield item

    SparkConnectClient._execute_and_fetch_as_iterator = counting
    return received


def measure(kind: str, root: Path) -> dict:
    """Time cxreport's metric stage on the project at root (kind: postgres, spark or csv)."""
    from cxreport.crosscheck import validate
    from cxreport.loader import load_sources
    from cxreport.metrics.compute import compute_figures
    from cxreport.metrics.join import join_metrics
    from cxreport.problems import Problems

    received = None
    if kind == "postgres":
        import psycopg  # noqa: F401 (imported before the clock starts, as the floor's process has it)
    if kind == "spark":
        import pyspark.sql.connect.session  # noqa: F401

        received = _count_spark_rows()
    if kind != "csv":
        import cxreport.metrics.warehouse  # noqa: F401
    problems = Problems()
    project = load_sources(root, problems)
    validate(project, problems)
    assert project is not None and not problems.errors, [p.format() for p in problems]
    start = time.perf_counter()
    data = join_metrics(project, problems, cache_dir=None)
    figures = compute_figures(project, data)
    seconds = time.perf_counter() - start
    assert not problems.errors, [p.format() for p in problems.errors]
    tally = data.con.execute(f"SELECT count(*) FROM {data.tables['nps'].joined}").fetchone()[0]
    return {"seconds": seconds, "figures": len(figures.figures), "tally": tally, "received": received and received[0]}


# --- each engine -----------------------------------------------------------------------------------------------


def best_of(runs: int, once) -> tuple[float, list[float], object]:
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = once()
        times.append(time.perf_counter() - start)
    return min(times), times, out


def _postgres(rows: int, runs: int, with_cxreport: bool) -> dict:
    import psycopg

    with servers.postgres_cluster(settings=PG_SETTINGS) as pg:
        start = time.perf_counter()
        with pg.admin() as con:
            con.execute("CREATE EXTENSION pg_stat_statements")
            con.execute("SELECT setseed(0.42)")
            con.execute(PG_GENERATE, (rows,))
            con.execute(f"VACUUM ANALYZE {TABLE}")  # hint bits and statistics set once, before any timing
        generated = time.perf_counter() - start
        start = time.perf_counter()
        reader = psycopg.connect(pg.url(), connect_timeout=10)
        connect = time.perf_counter() - start
        with reader:
            best, times, groups = best_of(runs, lambda: len(reader.execute(FLOOR_SQL["postgres"]).fetchall()))
        out = {
            "engine": "PostgreSQL",
            "version": pg.execute("SHOW server_version")[0][0],
            "rows": rows,
            "generate": generated,
            "connect": connect,
            "floor": best,
            "floor_all": times,
            "groups": groups,
        }
        if with_cxreport:
            os.environ["CX_BENCH_URL"] = pg.url()

            def reset() -> None:
                pg.execute("SELECT pg_stat_statements_reset()")

            def received() -> tuple[int, list[str]]:
                sql = "SELECT s.rows, s.query FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = %s"
                stats = pg.execute(sql, (servers.READER,))
                return sum(int(n) for n, _ in stats), sorted(" ".join(q.split()) for _, q in stats)

            out.update(_cxreport("postgres", runs, reset, received))
        return out


def _spark(rows: int, runs: int, with_cxreport: bool) -> dict:
    with servers.spark_connect(conf=SPARK_CONF) as sc:
        session = sc.session()
        start = time.perf_counter()
        session.sql("CREATE DATABASE IF NOT EXISTS cx").collect()
        session.sql(SPARK_GENERATE.format(rows=rows)).collect()
        generated = time.perf_counter() - start
        from pyspark.sql import SparkSession

        start = time.perf_counter()
        fresh = SparkSession.builder.remote(sc.url).create()
        fresh.sql("SELECT 1").collect()
        connect = time.perf_counter() - start
        fresh.stop()
        best, times, groups = best_of(runs, lambda: len(session.sql(FLOOR_SQL["spark"]).collect()))
        out = {
            "engine": "Spark Connect",
            "version": session.version,
            "rows": rows,
            "generate": generated,
            "connect": connect,
            "floor": best,
            "floor_all": times,
            "groups": groups,
        }
        if with_cxreport:
            os.environ["CX_BENCH_URL"] = sc.url
            out.update(_cxreport("spark", runs, lambda: None, lambda: None))
        return out


def _cxreport(kind: str, runs: int, reset, received) -> dict:
    """Run cxreport's metric stage `runs` times in fresh processes against the running engine."""
    project = warehouse_project()
    results = []
    for _ in range(runs):
        reset()
        r = run_child(__file__, kind, project)
        server_side = received()
        if server_side is not None:
            r["received"], r["queries"] = server_side
        results.append(r)
    times = [r["seconds"] for r in results]
    return {
        "cxreport": min(times),
        "cxreport_all": times,
        "peak_mb": max(r["peak_mb"] for r in results),
        "figures": results[0]["figures"],
        "tally": results[0]["tally"],
        "received": results[0]["received"],
        "queries": results[0].get("queries"),
    }


# --- report ----------------------------------------------------------------------------------------------------


def _s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def table(reports: list[dict], csv: dict | None) -> str:
    lines = [
        "| engine | rows in the table | floor: GROUP BY month, touchpoint, segment, score | cxreport's metric stage "
        "| **ratio to floor** | rows received: floor / cxreport (its joined tally) | peak memory: cxreport / 10,000-row CSV |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in reports:
        if "cxreport" in r:
            queries = f" in {len(r['queries'])} statements" if r.get("queries") is not None else ""
            got = f"{r['received']:,}{queries}" if r.get("received") is not None else "?"
            memory = f"{r['peak_mb']:.0f} MB / {csv['peak_mb']:.0f} MB" if csv else f"{r['peak_mb']:.0f} MB"
            rest = f"{_s(r['cxreport'])} | **{r['cxreport'] / r['floor']:.2f}×** | {r['groups']:,} / {got} ({r['tally']:,}) | {memory}"
        else:
            rest = f"{NOT_INSTALLED} | | {r['groups']:,} / | |"
        lines.append(f"| {r['engine']} {r['version']} | {r['rows']:,} | {_s(r['floor'])} | {rest} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")
        )
    return f"{os.cpu_count()} cores{', ' + cpu if cpu else ''}; {platform.system()} {platform.release()}; Python {platform.python_version()}"


def section(reports: list[dict], csv: dict | None, runs: int) -> str:
    detail = "\n".join(
        f"- {r['engine']}, {r['rows']:,} rows: generated in the engine in {_s(r['generate'])}; a new connection "
        f"{_s(r['connect'])}; floor runs {', '.join(f'{t:.3f}' for t in r['floor_all'])} s"
        + (
            f"; cxreport runs {', '.join(f'{t:.3f}' for t in r['cxreport_all'])} s, {r['figures']:,} figures"
            + "".join(f"\n  - sent: `{q[:160]}{'…' if len(q) > 160 else ''}`" for q in r.get("queries") or [])
            if "cxreport" in r
            else ""
        )
        for r in reports
    )
    return f"""## Warehouse

Measured {dt.date.today().isoformat()} with `python bench/bench_warehouse.py --readme` on {machine()}; best of {runs}.
The servers are the tests' own (tests/servers.py), on this machine, 127.0.0.1: PostgreSQL with its default
parallel workers, Spark Connect with `local[2]`. The table `{TABLE}` is generated inside each engine:
answered_at over one year, score 0-10, 20 touchpoints, 4 segments.

{table(reports, csv)}

- floor: the aggregation written by hand and sent to the engine on an open connection; every figure cxreport
  shows follows from its counts, so no client can have them for less.
- cxreport: `join_metrics` + `compute_figures` in a fresh process, its connection included, driver imports not.
- rows received: what came back over the wire (PostgreSQL: pg_stat_statements of the reading role, with the
  statements it ran, listed below; Spark: the Arrow batches the client received); in brackets the rows of
  cxreport's tally after the join to the map (score values folded into the sums the figures need).
- Goals (issue 15): cxreport ≤ 1.3× the floor on each engine; rows received ≤ the tally; peak memory no more
  than for a 10,000-row file.

{detail}
"""


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        kind, root = sys.argv[2], Path(sys.argv[3])
        print(json.dumps(measure(kind, root)))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-rows", type=int, default=10_000_000, help="rows of the PostgreSQL table (default 10M)")
    parser.add_argument("--spark-rows", type=int, default=100_000_000, help="rows of the Spark table (default 100M)")
    parser.add_argument("--engine", choices=("postgres", "spark"), action="append", help="only this engine (repeatable)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--readme", action="store_true", help="write the table into bench/README.md (section Warehouse)")
    args = parser.parse_args()
    with_cxreport = importlib.util.find_spec("cxreport.metrics.warehouse") is not None
    if with_cxreport:
        try:
            import cxreport.metrics.warehouse  # noqa: F401
        except ImportError as error:
            print(f"{NOT_INSTALLED} ({error})", file=sys.stderr)
            with_cxreport = False
    else:
        print(f"{NOT_INSTALLED}: measuring the floors only", file=sys.stderr)
    csv = run_child(__file__, "csv", csv_project()) if with_cxreport else None
    reports = []
    for engine in args.engine or ["postgres", "spark"]:
        rows = args.pg_rows if engine == "postgres" else args.spark_rows
        print(f"{engine}: {rows:,} rows ...", file=sys.stderr, flush=True)
        try:
            report = (_postgres if engine == "postgres" else _spark)(rows, args.runs, with_cxreport)
        except servers.ServerUnavailable as missing:
            print(f"{engine}: skipped, {missing}", file=sys.stderr)
            continue
        reports.append(report)
        print(table(reports[-1:], csv), file=sys.stderr, flush=True)
    if not reports:
        raise SystemExit("no engine could be started")
    text = section(reports, csv, args.runs)
    print(text)
    if args.readme:
        write_section("Warehouse", text)


if __name__ == "__main__":
    main()
