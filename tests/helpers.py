"""Small helpers shared by tests."""
from __future__ import annotations

from pathlib import Path

from cxreport.pipeline import check


def problems_of(root: Path, severity: str | None = None) -> list[tuple[str, int, int, str]]:
    """Give the (path, line, col, message) of every problem of a project, sorted."""
    _, problems = check(root)
    return [(p.path, p.line, p.col, p.message) for p in problems if severity in (None, p.severity)]


def hints_of(root: Path) -> list[str]:
    _, problems = check(root)
    return [p.hint for p in problems]
