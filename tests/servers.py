"""Real servers for the warehouse tests and bench/bench_warehouse.py: a PostgreSQL cluster and a Spark Connect server.

No mocks: each context manager starts the engine from the machine's own packages on 127.0.0.1, on a free port,
in a fresh folder directly under the system's temporary folder, and stops it and removes the folder on the way
out, also when the code inside fails.

    with postgres_cluster() as pg:      # initdb + pg_ctl (PostgreSQL from apt-get install postgresql)
        pg.load_csv("cx.nps_responses", rows, {"answered_at": "date", "score": "integer"})
        url = pg.url()                  # the read-only role cx_reader, SELECT grants only
    with spark_connect() as spark:      # spark-submit SparkConnectServer from the pyspark wheel, Java 17
        spark.load_rows("cx.nps_responses", rows, "answered_at date, score int")
        url = spark.url                 # sc://127.0.0.1:PORT

A machine without the engine raises ServerUnavailable (tests/conftest.py skips on it locally, fails under CI).
This module needs no pytest: the benchmark imports it too (sys.path).
"""

from __future__ import annotations

import contextlib
import csv
import glob
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

ADMIN = "cx_admin"
ADMIN_PASSWORD = "admin-Secret-4417"
READER = "cx_reader"
READER_PASSWORD = "reader-Secret-9082"  # a test asserts that this never appears in any output
DATABASE = "cx"
SPARK_READY = "Spark Connect server started at"


class ServerUnavailable(Exception):
    """The machine lacks what a server needs (its binaries, a driver, Java); the message says what to install."""


def free_port() -> int:
    """Give a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_folder(prefix: str, owner: str | None = None) -> Path:
    """Give a new folder directly under the system's temporary folder, owned by `owner` when given (we are root)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=tempfile.gettempdir()))
    if owner:
        shutil.chown(folder, owner, owner)
    return folder


def _tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


# --- PostgreSQL -------------------------------------------------------------------------------------------------


def postgres_bindir() -> Path:
    """Give the folder of initdb and pg_ctl: /usr/lib/postgresql/<newest>/bin, else `pg_config --bindir`."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name or 0))
    if found:
        return Path(found[-1]).parent
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out and (Path(out) / "initdb").is_file():
            return Path(out)
    if shutil.which("initdb"):
        return Path(shutil.which("initdb") or "").parent
    raise ServerUnavailable("no PostgreSQL server (initdb, pg_ctl): apt-get install postgresql")


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise ServerUnavailable("no psycopg 3: pip install -e '.[test]' (or 'cxreport[postgres]')") from None
    return psycopg


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _qualified(table: str) -> tuple[str, str]:
    schema, _, name = table.rpartition(".")
    return (schema or "public"), name


@dataclass
class PostgresServer:
    """A running throwaway cluster: database `cx`, superuser cx_admin, read-only role cx_reader."""

    folder: Path
    bindir: Path
    port: int
    host: str = "127.0.0.1"
    run_as: list[str] = field(default_factory=list)  # ["runuser", "-u", "postgres", "--"] when we are root

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def socket_dir(self) -> Path:
        return self.folder

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def url(self, user: str = READER, password: str | None = READER_PASSWORD, database: str = DATABASE) -> str:
        """Give a postgresql:// URL over TCP on 127.0.0.1 (the reader by default)."""
        auth = quote(user, safe="") + (":" + quote(password, safe="") if password is not None else "")
        return f"postgresql://{auth}@{self.host}:{self.port}/{quote(database, safe='')}"

    def admin(self, database: str = DATABASE) -> Any:
        """Give a psycopg connection as the superuser over the unix socket, autocommit (close it, or use `with`)."""
        psycopg = _psycopg()
        return psycopg.connect(
            host=str(self.socket_dir), port=self.port, user=ADMIN, dbname=database, autocommit=True, connect_timeout=10
        )

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one statement as the superuser and give its rows (none for a statement without)."""
        with self.admin() as con, con.cursor() as cur:
            cur.execute(sql, params)  # type: ignore[arg-type]
            return list(cur.fetchall()) if cur.description else []

    def load_csv(
        self,
        table: str,
        path_or_rows: str | os.PathLike[str] | Iterable[Sequence[Any]],
        columns_types: Mapping[str, str] | Sequence[tuple[str, str]],
    ) -> int:
        """Create `schema.table` (replacing it) with these columns and types, fill it, grant the reader SELECT.

        `path_or_rows` is a CSV file with a header row (its columns in the order of columns_types; an empty cell
        is NULL) or rows of values. Give the number of rows loaded.
        """
        columns = list(columns_types.items()) if isinstance(columns_types, Mapping) else list(columns_types)
        schema, name = _qualified(table)
        target = f"{_quote_ident(schema)}.{_quote_ident(name)}"
        names = ", ".join(_quote_ident(c) for c, _ in columns)
        with self.admin() as con, con.cursor() as cur:
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote_ident(schema)}")
            cur.execute(f"GRANT USAGE ON SCHEMA {_quote_ident(schema)} TO {READER}")
            cur.execute(f"DROP TABLE IF EXISTS {target}")
            cur.execute(f"CREATE TABLE {target} ({', '.join(f'{_quote_ident(c)} {t}' for c, t in columns)})")
            with cur.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
                for row in _rows_of(path_or_rows):
                    copy.write_row(row)
            cur.execute(f"GRANT SELECT ON {target} TO {READER}")
            cur.execute(f"ANALYZE {target}")
            cur.execute(f"SELECT count(*) FROM {target}")
            return int(cur.fetchone()[0])  # type: ignore[index]


def _rows_of(path_or_rows: str | os.PathLike[str] | Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    if isinstance(path_or_rows, str | os.PathLike):
        with open(path_or_rows, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            next(reader, None)  # the header
            for row in reader:
                yield [cell if cell != "" else None for cell in row]
    else:
        yield from path_or_rows


def _postgres_user() -> list[str]:
    """Give the prefix that runs a PostgreSQL binary as an unprivileged user: none unless we are root."""
    if os.geteuid() != 0:
        return []
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        raise ServerUnavailable("running as root, but there is no 'postgres' user to run the server as") from None
    if not shutil.which("runuser"):
        raise ServerUnavailable("running as root, but runuser (util-linux) is missing")
    return ["runuser", "-u", "postgres", "--"]


_SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{socket}'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
max_wal_size = 4GB
logging_collector = off
"""
_HBA = f"""
local all {ADMIN} trust
host  all all 127.0.0.1/32 scram-sha-256
"""
_GRANTS = f"""
CREATE ROLE {READER} LOGIN PASSWORD '{READER_PASSWORD}';
CREATE DATABASE {DATABASE} OWNER {ADMIN};
"""
_DB_GRANTS = f"""
REVOKE ALL ON DATABASE {DATABASE} FROM PUBLIC;
GRANT CONNECT ON DATABASE {DATABASE} TO {READER};
CREATE SCHEMA cx;
GRANT USAGE ON SCHEMA cx TO {READER};
ALTER DEFAULT PRIVILEGES IN SCHEMA cx GRANT SELECT ON TABLES TO {READER};
"""


def _run(cmd: list[str], log: Path | None = None) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        detail = (proc.stdout + proc.stderr).strip() + ("\n" + _tail(log) if log else "")
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{detail}")


@contextlib.contextmanager
def postgres_cluster(settings: str = "") -> Iterator[PostgresServer]:
    """Start a throwaway PostgreSQL cluster; stop it (pg_ctl stop -m fast) and remove its folder on the way out.

    `settings` are extra postgresql.conf lines (the benchmark gives the server more memory).
    """
    bindir = postgres_bindir()
    run_as = _postgres_user()
    _psycopg()
    folder = fresh_folder("cxreport-pg-", owner="postgres" if run_as else None)
    server = PostgresServer(folder=folder, bindir=bindir, port=free_port(), run_as=run_as)
    started = False
    try:
        pwfile = folder / "pwfile"
        pwfile.write_text(ADMIN_PASSWORD + "\n", encoding="utf-8")
        if run_as:
            shutil.chown(pwfile, "postgres", "postgres")
        _run(
            [
                *run_as,
                str(bindir / "initdb"),
                "-D",
                str(server.data),
                "-U",
                ADMIN,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )
        with open(server.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(_SETTINGS.format(port=server.port, socket=folder) + settings + "\n")
        (server.data / "pg_hba.conf").write_text(_HBA, encoding="utf-8")
        for attempt in range(3):  # the free port may be taken between free_port() and the start
            try:
                _run(
                    [*run_as, str(bindir / "pg_ctl"), "-D", str(server.data), "-l", str(server.log), "-w", "-t", "60", "start"],
                    server.log,
                )
                started = True
                break
            except RuntimeError:
                if attempt == 2 or "could not bind" not in _tail(server.log):
                    raise
                server.port = free_port()
                with open(server.data / "postgresql.conf", "a", encoding="utf-8") as conf:
                    conf.write(f"port = {server.port}\n")
        with server.admin(database="postgres") as con:
            for stmt in filter(str.strip, _GRANTS.split(";")):
                con.execute(stmt)
        with server.admin() as con:
            for stmt in filter(str.strip, _DB_GRANTS.split(";")):
                con.execute(stmt)
        yield server
    finally:
        if started:
            subprocess.run(
                [*run_as, str(bindir / "pg_ctl"), "-D", str(server.data), "-m", "fast", "-w", "stop"],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(folder, ignore_errors=True)


# --- Spark Connect ----------------------------------------------------------------------------------------------


def spark_home() -> Path:
    """Give the installed pyspark package's folder (the wheel carries Spark and the Connect server's jar)."""
    spec = importlib.util.find_spec("pyspark")
    if spec is None or spec.origin is None:
        raise ServerUnavailable("no pyspark: pip install -e '.[test]' (or 'cxreport[spark]')")
    home = Path(spec.origin).parent
    if not (home / "bin" / "spark-submit").is_file() or not glob.glob(str(home / "jars" / "spark-connect_*.jar")):
        raise ServerUnavailable(f"pyspark at {home} has no spark-submit or Spark Connect jar: pip install 'pyspark[connect]'")
    return home


def java_home() -> str | None:
    """Give JAVA_HOME when set, else None when `java` is on PATH; raise when there is no Java at all."""
    if os.environ.get("JAVA_HOME") and (Path(os.environ["JAVA_HOME"]) / "bin" / "java").is_file():
        return os.environ["JAVA_HOME"]
    if shutil.which("java"):
        return None
    raise ServerUnavailable("no Java runtime for Spark: apt-get install openjdk-17-jre-headless")


@dataclass
class SparkServer:
    """A running Spark Connect server (local[2]) and, once asked for, one client session to it."""

    folder: Path
    port: int
    process: subprocess.Popen[bytes]
    _session: Any = None

    @property
    def url(self) -> str:
        return f"sc://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def session(self) -> Any:
        """Give a Spark Connect client session to this server (made once, stopped with the server)."""
        if self._session is None:
            from pyspark.sql import SparkSession

            self._session = SparkSession.builder.remote(self.url).getOrCreate()
        return self._session

    def sql(self, query: str) -> list[Any]:
        return list(self.session().sql(query).collect())

    def load_rows(self, table: str, rows: Iterable[Sequence[Any]], schema: str) -> int:
        """Save rows as table `db.name` (replacing it) with a DDL schema ("answered_at date, score int"); give its count."""
        spark = self.session()
        database, _, _ = table.rpartition(".")
        if database:
            spark.sql(f"CREATE DATABASE IF NOT EXISTS `{database.replace('`', '``')}`")
        frame = spark.createDataFrame([tuple(r) for r in rows], schema=schema)
        frame.write.mode("overwrite").saveAsTable(table)
        return int(spark.table(table).count())

    def stop_session(self) -> None:
        if self._session is not None:
            with contextlib.suppress(Exception):
                self._session.stop()
            self._session = None


def _spark_command(home: Path, folder: Path, port: int, conf: Mapping[str, str]) -> list[str]:
    settings = {
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(port),
        "spark.sql.warehouse.dir": str(folder / "warehouse"),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={folder / 'derby'}",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "4",
        **conf,
    }
    cmd = [
        str(home / "bin" / "spark-submit"),
        "--class",
        "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--master",
        "local[2]",
    ]
    for key, value in settings.items():
        cmd += ["--conf", f"{key}={value}"]
    # spark-submit wants a primary resource: the Connect jar itself (the class is in it)
    return [*cmd, glob.glob(str(home / "jars" / "spark-connect_*.jar"))[0]]


def _wait_ready(process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
        if SPARK_READY in text:
            return
        if process.poll() is not None:
            raise RuntimeError(f"the Spark Connect server ended ({process.returncode}) before it was ready:\n{_tail(log)}")
        time.sleep(0.25)
    raise RuntimeError(f"the Spark Connect server was not ready after {timeout:.0f} s:\n{_tail(log)}")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def spark_connect(conf: Mapping[str, str] | None = None, timeout: float = 120) -> Iterator[SparkServer]:
    """Start a Spark Connect server on 127.0.0.1; kill its process group and remove its folder on the way out.

    `conf` adds or overrides Spark settings (the benchmark gives the driver more memory).
    """
    home = spark_home()
    java = java_home()
    folder = fresh_folder("cxreport-spark-")
    port = free_port()
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_CONF_DIR": str(folder / "conf")}
    if java:
        env["JAVA_HOME"] = java
    (folder / "conf").mkdir()
    (folder / "derby").mkdir()
    with open(folder / "server.log", "wb") as log:
        process = subprocess.Popen(
            _spark_command(home, folder, port, conf or {}),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=folder,
            start_new_session=True,
        )
    server = SparkServer(folder=folder, port=port, process=process)
    try:
        _wait_ready(process, server.log, timeout)
        yield server
    finally:
        server.stop_session()
        _kill_group(process)
        shutil.rmtree(folder, ignore_errors=True)
