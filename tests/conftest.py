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
