"""The build as its own table of contents: load_sources -> validate -> join_metrics -> ... -> write."""
from __future__ import annotations

from pathlib import Path

from .loader import Project, load_sources
from .problems import Problems
from .validate import validate


def check(root: Path) -> tuple[Project | None, Problems]:
    """Give the project and every problem found reading and validating it."""
    problems = Problems()
    project = load_sources(root, problems)
    if project is not None:
        validate(project, problems)
    return project, problems
