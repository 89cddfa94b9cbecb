"""Shared fixtures: small projects written into a temporary folder.

Plain helpers live in tests/helpers.py: import them from there, never from conftest (tests/browser and
tests/hostile have conftest files of their own, and `conftest` would name whichever was imported first).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.register_assert_rewrite("hostile_support")

from helpers import MINIMAL_JOURNEY, MINIMAL_PERSONA, MINIMAL_SITE, write_project  # noqa: E402 (after the rewrite hook)


@pytest.fixture
def make_project(tmp_path):
    """Give a function that writes a project into tmp_path; `minimal=True` adds a valid base."""

    def make(files: dict[str, str | bytes] | None = None, minimal: bool = True) -> Path:
        base: dict[str, str | bytes] = {}
        if minimal:
            base = {
                "site.yml": MINIMAL_SITE,
                "content/personas/parent.yml": MINIMAL_PERSONA,
                "content/journeys/first-order.yml": MINIMAL_JOURNEY,
            }
        base.update(files or {})
        return write_project(tmp_path, base)

    return make


@pytest.fixture
def run_metrics():
    """Give a function that loads a project and runs its metric stage: (project, problems, FigureSet, MetricData)."""
    from cxreport.crosscheck import validate
    from cxreport.loader import load_sources
    from cxreport.metrics.compute import compute_figures
    from cxreport.metrics.join import join_metrics
    from cxreport.problems import Problems

    opened = []

    def run(root: Path, cache_dir: Path | None = None):
        problems = Problems()
        project = load_sources(root, problems)
        assert project is not None, [p.format() for p in problems]
        validate(project, problems)
        data = join_metrics(project, problems, cache_dir)
        opened.append(data)
        return project, problems, compute_figures(project, data), data

    yield run
    for data in opened:
        data.close()


# --- real servers for the warehouse tests (tests/servers.py); only tests marked slow may use them -----------------

SERVER_FIXTURES = ("postgres_server", "spark_server")


def pytest_collection_modifyitems(config, items):
    """Refuse a test that starts a real server without being marked slow: the fast lane must never start one."""
    unmarked = [
        f"{item.nodeid} uses {name}"
        for item in items
        for name in SERVER_FIXTURES
        if name in getattr(item, "fixturenames", ()) and item.get_closest_marker("slow") is None
    ]
    if unmarked:
        raise pytest.UsageError("mark these tests @pytest.mark.slow (they start a real server):\n" + "\n".join(unmarked))


def _server(start):
    """Enter a server's context manager: skip when the machine lacks the engine, fail instead under CI."""
    import os

    from servers import ServerUnavailable

    try:
        return start()
    except ServerUnavailable as missing:
        if os.environ.get("CI"):
            pytest.fail(f"warehouse tests cannot run under CI: {missing}", pytrace=False)
        pytest.skip(str(missing))


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL cluster on 127.0.0.1 for the whole session (servers.PostgresServer)."""
    from servers import postgres_cluster

    cluster = postgres_cluster()
    server = _server(cluster.__enter__)
    try:
        yield server
    finally:
        cluster.__exit__(None, None, None)


@pytest.fixture(scope="session")
def spark_server():
    """A Spark Connect server on 127.0.0.1 for the whole session (servers.SparkServer)."""
    from servers import spark_connect

    connect = spark_connect()
    server = _server(connect.__enter__)
    try:
        yield server
    finally:
        connect.__exit__(None, None, None)
