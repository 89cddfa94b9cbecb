"""One connector per kind of engine: connect read-only, describe a source's columns, run one query.

Each driver is an optional extra, imported only when a warehouse of its kind is declared; a missing one is a
WarehouseError naming the extra to install. Every error is worded without the URL's secrets (WarehouseUrl.mask).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb

from ...urls import WarehouseUrl

# what cxreport needs to know of a column: a date (truncated in the engine), a number, or text (grouped as is)
DATE, NUMBER, TEXT = "date", "number", "text"

# SQLAlchemy dialect name -> sqlglot dialect
SQLALCHEMY_DIALECTS = {
    "postgresql": "postgres",
    "redshift": "redshift",
    "trino": "trino",
    "presto": "presto",
    "bigquery": "bigquery",
    "snowflake": "snowflake",
    "databricks": "databricks",
    "mysql": "mysql",
    "mariadb": "mysql",
    "mssql": "tsql",
    "oracle": "oracle",
    "duckdb": "duckdb",
    "clickhouse": "clickhouse",
    "sqlite": "sqlite",
}


class WarehouseError(Exception):
    """A warehouse that cannot answer: a stable code, the words (no secret in them) and how to fix it."""

    def __init__(self, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


def _driver_missing(extra: str, module: str) -> WarehouseError:
    return WarehouseError(
        "warehouse-driver-missing",
        f"the driver for this warehouse ({module}) is not installed",
        f"install it with: pip install 'cxreport[{extra}]'",
    )


def _python_kind(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return DATE
    if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
        return NUMBER
    return TEXT


def _with_timeout(run: Callable[[], Any], seconds: float, cancel: Callable[[], None], what: str) -> Any:
    """Run a query in a thread; past the timeout cancel it and raise a warehouse-timeout error."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = run()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        with contextlib.suppress(Exception):  # the engine may be gone; the error below says what happened
            cancel()
        worker.join(5)
        raise WarehouseError(
            "warehouse-timeout",
            f"{what} took longer than the timeout of {int(seconds)} s and was cancelled",
            "raise 'timeout:' of the warehouse in site.yml, or give the metric a narrower 'query:'",
        )
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _reachable(host: str, port: int, seconds: float) -> None:
    try:
        with socket.create_connection((host, port), timeout=min(seconds, 15)):
            pass
    except OSError as exc:
        raise WarehouseError(
            "warehouse-unreachable",
            f"cannot reach {host}:{port} ({exc.strerror or exc.__class__.__name__})",
            "check the host and port in the URL, that the server runs, and the network or VPN between",
        ) from None


class Engine:
    """A connection to one warehouse: its SQL dialect (sqlglot's name), its columns, its rows."""

    dialect = "duckdb"
    read_only = True  # whether queries run in a read-only transaction

    def __init__(self, url: WarehouseUrl, timeout: int) -> None:
        self.url, self.timeout = url, timeout

    def describe(self, probe: str) -> list[tuple[str, str]]:
        """Give the columns (name, DATE | NUMBER | TEXT) of a query that returns no row (or one, for types)."""
        raise NotImplementedError

    def rows(self, sql: str) -> list[tuple]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class Postgres(Engine):
    dialect = "postgres"

    def __init__(self, url: WarehouseUrl, timeout: int) -> None:
        super().__init__(url, timeout)
        try:
            import psycopg  # the [postgres] extra
        except ImportError:
            raise _driver_missing("postgres", "psycopg") from None
        self.psycopg = psycopg
        try:
            self.conn = psycopg.connect(
                url.text,
                connect_timeout=max(2, min(timeout, 30)),
                options=f"-c statement_timeout={timeout * 1000} -c default_transaction_read_only=on",
                application_name="cxreport",
            )
        except psycopg.Error as exc:
            raise self._error(exc, "connecting") from None
        self.conn.read_only = True  # every transaction: BEGIN READ ONLY

    def _run(self, sql: str) -> tuple[list, list[tuple]]:
        try:
            with self.conn.cursor() as cur:
                cur.execute(sql.encode())  # bytes: psycopg sends it as it is, never as a template
                described = [(d.name, d.type_code) for d in cur.description or []]
                return described, cur.fetchall()
        except self.psycopg.Error as exc:
            raise self._error(exc, "running the query") from None
        finally:
            self.conn.rollback()

    def describe(self, probe: str) -> list[tuple[str, str]]:
        described, _ = self._run(probe)
        out = []
        for name, oid in described:
            info = self.conn.adapters.types.get(oid)
            type_name = info.name if info is not None else ""
            if type_name in ("date", "timestamp", "timestamptz"):
                out.append((name, DATE))
            elif type_name in ("int2", "int4", "int8", "numeric", "float4", "float8", "oid"):
                out.append((name, NUMBER))
            else:
                out.append((name, TEXT))
        return out

    def rows(self, sql: str) -> list[tuple]:
        return self._run(sql)[1]

    def close(self) -> None:
        self.conn.close()

    def _error(self, exc: Exception, doing: str) -> WarehouseError:
        errors = self.psycopg.errors
        text = self.url.mask(str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__)
        if isinstance(exc, errors.QueryCanceled):
            return WarehouseError(
                "warehouse-timeout",
                f"the query took longer than the timeout of {self.timeout} s and was cancelled",
                "raise 'timeout:' of the warehouse in site.yml, or give the metric a narrower 'query:'",
            )
        if isinstance(exc, errors.UndefinedTable):
            return WarehouseError(
                "warehouse-missing-table", text, "check the table's name and schema, e.g. 'table: cx.nps_responses'"
            )
        if isinstance(exc, errors.UndefinedColumn):
            return WarehouseError("warehouse-missing-column", text, "check the column names under 'columns:'")
        if isinstance(exc, errors.InsufficientPrivilege):
            return WarehouseError(
                "warehouse-permission", text, "grant the reading role SELECT on the table (docs/warehouse.md lists the grants)"
            )
        if isinstance(exc, errors.ReadOnlySqlTransaction):
            return WarehouseError("warehouse-not-read-only", text, "cxreport only reads: write a query that only selects")
        low = text.lower()
        if "password" in low or "authentication" in low or ("role" in low and "does not exist" in low):
            return WarehouseError(
                "warehouse-login",
                f"the login was refused: {text}",
                "check the user and password in the URL's environment variable",
            )
        if isinstance(exc, self.psycopg.OperationalError) and doing == "connecting":
            return WarehouseError(
                "warehouse-unreachable",
                f"cannot connect: {text}",
                "check the host, port and database in the URL, that the server runs, and the network or VPN between",
            )
        return WarehouseError("warehouse-query-failed", f"the engine refused the query: {text}", "check the table and columns")


class Spark(Engine):
    """Apache Spark through Spark Connect (sc://host:port), e.g. Databricks."""

    dialect = "spark"
    read_only = False  # Spark has no read-only transactions: the reading role's grants keep it read-only

    def __init__(self, url: WarehouseUrl, timeout: int) -> None:
        super().__init__(url, timeout)
        try:
            from pyspark.errors import PySparkException  # the [spark] extra
            from pyspark.sql.connect.session import SparkSession
        except ImportError:
            raise _driver_missing("spark", "pyspark[connect]") from None
        self.error_class = PySparkException
        parts = urlsplit(url.text.split(";", 1)[0].replace("sc://", "http://", 1))
        _reachable(parts.hostname or "localhost", parts.port or 15002, timeout)
        try:
            self.spark = _with_timeout(
                lambda: SparkSession.builder.remote(url.text).create(), min(timeout, 60), lambda: None, "connecting"
            )
        except self.error_class as exc:
            raise self._error(exc) from None

    def _run(self, sql: str) -> Any:
        def run() -> Any:
            frame = self.spark.sql(sql)
            return frame.schema, frame.collect()

        try:
            return _with_timeout(run, self.timeout, self.spark.interruptAll, "the query")
        except self.error_class as exc:
            raise self._error(exc) from None

    def describe(self, probe: str) -> list[tuple[str, str]]:
        schema, _ = self._run(probe)
        out = []
        for f in schema.fields:
            name = f.dataType.typeName()
            if name in ("date", "timestamp", "timestamp_ntz"):
                out.append((f.name, DATE))
            elif name in ("byte", "short", "integer", "long", "float", "double", "decimal"):
                out.append((f.name, NUMBER))
            else:
                out.append((f.name, TEXT))
        return out

    def rows(self, sql: str) -> list[tuple]:
        return [tuple(r) for r in self._run(sql)[1]]

    def close(self) -> None:
        with contextlib.suppress(Exception):  # the server may be gone already: nothing is left to release
            self.spark.stop()

    def _error(self, exc: Exception) -> WarehouseError:
        condition = getattr(exc, "getCondition", lambda: None)() or getattr(exc, "getErrorClass", lambda: None)() or ""
        text = self.url.mask(str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__)
        if "TABLE_OR_VIEW_NOT_FOUND" in condition or "SCHEMA_NOT_FOUND" in condition:
            return WarehouseError(
                "warehouse-missing-table", text, "check the table's name and schema, e.g. 'table: cx.nps_responses'"
            )
        if "UNRESOLVED_COLUMN" in condition:
            return WarehouseError("warehouse-missing-column", text, "check the column names under 'columns:'")
        if "AUTH" in condition.upper() or "PERMISSION" in condition.upper() or "UNAUTHENTICATED" in text:
            return WarehouseError(
                "warehouse-login", f"the login was refused: {text}", "check the token in the URL's environment variable"
            )
        return WarehouseError("warehouse-query-failed", f"the engine refused the query: {text}", "check the table and columns")


class DuckDBFile(Engine):
    """A DuckDB database file under the project, opened read-only."""

    def __init__(self, url: WarehouseUrl, timeout: int, root: Path) -> None:
        super().__init__(url, timeout)
        raw = url.text.split("://", 1)[1]
        raw = raw[1:] if raw.startswith("/") else raw  # duckdb:///file.duckdb -> file.duckdb (under the project)
        path = (root / raw).resolve()
        if not path.is_relative_to(root.resolve()):
            raise WarehouseError(
                "path-outside-project",
                f"the DuckDB file '{raw}' lies outside the project",
                "put the database file in the project and write duckdb:///path/relative/to/the/project",
            )
        if not path.is_file():
            raise WarehouseError(
                "warehouse-unreachable",
                f"the DuckDB file '{raw}' does not exist",
                "check the path after duckdb:/// (relative to the project)",
            )
        try:
            self.con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise WarehouseError(
                "warehouse-unreachable", f"cannot open the DuckDB file '{raw}': {exc}", "check that it is a DuckDB database"
            ) from None

    def _run(self, sql: str) -> tuple[list, list[tuple]]:
        def run() -> tuple[list, list[tuple]]:
            cur = self.con.cursor()
            try:
                cur.execute(sql)
                return list(cur.description or []), cur.fetchall()
            finally:
                cur.close()

        try:
            return _with_timeout(run, self.timeout, self.con.interrupt, "the query")
        except duckdb.CatalogException as exc:
            code = "warehouse-missing-column" if "column" in str(exc).lower() else "warehouse-missing-table"
            raise WarehouseError(code, str(exc).splitlines()[0], "check the table and the columns") from None
        except duckdb.Error as exc:
            raise WarehouseError(
                "warehouse-query-failed", f"the engine refused the query: {str(exc).splitlines()[0]}", "check the query"
            ) from None

    def describe(self, probe: str) -> list[tuple[str, str]]:
        described, _ = self._run(probe)
        out = []
        for d in described:
            t = str(d[1]).upper()
            kind = (
                DATE if t.startswith(("DATE", "TIMESTAMP")) else NUMBER if t in _DUCK_NUMBERS or t.startswith("DECIMAL") else TEXT
            )
            out.append((d[0], kind))
        return out

    def rows(self, sql: str) -> list[tuple]:
        return self._run(sql)[1]

    def close(self) -> None:
        self.con.close()


_DUCK_NUMBERS = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "FLOAT",
    "DOUBLE",
    "NUMBER",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
}


class Alchemy(Engine):
    """Any SQLAlchemy URL whose dialect is installed (Trino, BigQuery, Snowflake, ...)."""

    read_only = False

    def __init__(self, url: WarehouseUrl, timeout: int) -> None:
        super().__init__(url, timeout)
        try:
            import sqlalchemy  # the [warehouse] extra
        except ImportError:
            raise _driver_missing("warehouse", "sqlalchemy") from None
        self.sa = sqlalchemy
        try:
            engine = sqlalchemy.create_engine(url.text, poolclass=sqlalchemy.pool.NullPool)
        except sqlalchemy.exc.NoSuchModuleError:
            raise WarehouseError(
                "warehouse-driver-missing",
                f"no SQLAlchemy dialect is installed for '{url.scheme}://'",
                "install the dialect's package (e.g. pip install trino for trino://, sqlalchemy-bigquery for bigquery://)",
            ) from None
        except (sqlalchemy.exc.ArgumentError, ImportError, ValueError) as exc:
            raise WarehouseError("warehouse-unreachable", f"cannot use the URL: {url.mask(str(exc))}", "check the URL") from None
        name = engine.dialect.name
        self.dialect = SQLALCHEMY_DIALECTS.get(name, name)
        options: dict[str, Any] = {}
        if name == "postgresql":
            options["postgresql_readonly"] = True
            self.read_only = True
        try:
            self.conn = _with_timeout(engine.connect, min(timeout, 60), lambda: None, "connecting").execution_options(**options)
        except sqlalchemy.exc.DBAPIError as exc:
            raise self._error(exc, connecting=True) from None

    def _run(self, sql: str) -> tuple[list[str], list[tuple]]:
        def run() -> tuple[list[str], list[tuple]]:
            result = self.conn.exec_driver_sql(sql)
            return list(result.keys()), [tuple(r) for r in result.fetchall()]

        try:
            return _with_timeout(run, self.timeout, lambda: None, "the query")
        except self.sa.exc.DBAPIError as exc:
            raise self._error(exc, connecting=False) from None
        finally:
            with contextlib.suppress(self.sa.exc.SQLAlchemyError):
                self.conn.rollback()

    def describe(self, probe: str) -> list[tuple[str, str]]:
        names, rows = self._run(probe)
        first = rows[0] if rows else (None,) * len(names)
        return [(n, _python_kind(v) if v is not None else TEXT) for n, v in zip(names, first, strict=True)]

    def rows(self, sql: str) -> list[tuple]:
        return self._run(sql)[1]

    def close(self) -> None:
        self.conn.close()

    def _error(self, exc: Exception, connecting: bool) -> WarehouseError:
        text = self.url.mask(str(getattr(exc, "orig", exc)).strip().splitlines()[0])
        low = text.lower()
        if "password" in low or "authentication" in low or "login" in low:
            return WarehouseError("warehouse-login", f"the login was refused: {text}", "check the user and password")
        if connecting:
            return WarehouseError(
                "warehouse-unreachable", f"cannot connect: {text}", "check the URL, that the server runs, and the network"
            )
        if "does not exist" in low or "not found" in low:
            return WarehouseError("warehouse-missing-table", text, "check the table and the columns")
        return WarehouseError("warehouse-query-failed", f"the engine refused the query: {text}", "check the query")


def connect(url: WarehouseUrl, timeout: int, root: Path) -> Engine:
    """Give a connection to the warehouse a URL names (raises WarehouseError)."""
    if url.engine == "postgres":
        return Postgres(url, timeout)
    if url.engine == "spark":
        return Spark(url, timeout)
    if url.engine == "duckdb":
        return DuckDBFile(url, timeout, root)
    return Alchemy(url, timeout)
