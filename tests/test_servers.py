"""The real servers the warehouse tests stand on (tests/servers.py): each one up, a table loaded and counted back."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest
from servers import ADMIN_PASSWORD, READER, READER_PASSWORD

pytestmark = pytest.mark.slow

ROWS = [
    (dt.date(2025, 1, 1) + dt.timedelta(days=i % 365), i % 11, f"tp-{i % 3}", None if i % 7 == 0 else "ouders")
    for i in range(500)
]
COLUMNS = {"answered_at": "date", "score": "integer", "touchpoint_id": "text", "segment": "text"}


def test_postgres_table_loaded_is_counted_back_by_the_reader(postgres_server, tmp_path):
    import psycopg

    assert postgres_server.load_csv("cx.nps_responses", ROWS, COLUMNS) == 500
    csv = tmp_path / "nps.csv"
    csv.write_text("answered_at,score,touchpoint_id,segment\n2025-03-01,10,checkout,\n2025-03-02,,bezorging,zakelijk\n")
    assert postgres_server.load_csv("cx.from_file", csv, COLUMNS) == 2
    with psycopg.connect(postgres_server.url(), connect_timeout=10) as con:
        assert con.execute("SELECT count(*), sum(score), count(segment) FROM cx.nps_responses").fetchone() == (
            500,
            sum(r[1] for r in ROWS),
            sum(r[3] is not None for r in ROWS),
        )
        assert con.execute("SELECT score, segment FROM cx.from_file ORDER BY answered_at").fetchall() == [
            (10, None),
            (None, "zakelijk"),
        ]
        # cxreport must make its transactions read-only itself: the role does not
        assert con.execute("SHOW default_transaction_read_only").fetchone() == ("off",)


def test_postgres_reader_only_reads(postgres_server):
    import psycopg

    postgres_server.load_csv("cx.guarded", ROWS[:3], COLUMNS)
    for statement in ("DELETE FROM cx.guarded", "CREATE TABLE cx.mine (a int)", "CREATE TEMP TABLE mine (a int)"):
        with (
            psycopg.connect(postgres_server.url(), connect_timeout=10) as con,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            con.execute(statement)
    assert postgres_server.execute("SELECT count(*) FROM cx.guarded") == [(3,)]
    with pytest.raises(psycopg.OperationalError, match=f'password authentication failed for user "{READER}"'):
        psycopg.connect(postgres_server.url(password="wrong"), connect_timeout=10)


def test_postgres_listens_on_loopback_only_and_lives_under_the_temp_folder(postgres_server):
    assert postgres_server.execute("SHOW listen_addresses") == [("127.0.0.1",)]
    assert postgres_server.folder.parent == Path(tempfile.gettempdir())
    assert postgres_server.url() == f"postgresql://{READER}:{READER_PASSWORD}@127.0.0.1:{postgres_server.port}/cx"
    assert ADMIN_PASSWORD not in postgres_server.url()


def test_spark_table_loaded_is_counted_back_by_another_session(spark_server):
    from pyspark.sql import SparkSession

    schema = "answered_at date, score int, touchpoint_id string, segment string"
    assert spark_server.load_rows("cx.nps_responses", ROWS, schema) == 500
    other = SparkSession.builder.remote(spark_server.url).create()  # a second session sees the saved table
    try:
        row = other.sql("SELECT count(*) AS n, sum(score) AS s, count(segment) AS c FROM cx.nps_responses").collect()[0]
        assert (row.n, row.s, row.c) == (500, sum(r[1] for r in ROWS), sum(r[3] is not None for r in ROWS))
    finally:
        other.stop()
    assert spark_server.url.startswith("sc://127.0.0.1:")
    assert spark_server.process.poll() is None and os.getpgid(spark_server.process.pid) == spark_server.process.pid
