"""The build as its own table of contents: load_sources -> validate -> join_metrics -> compute_figures -> render -> write."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .figures import FigureSet
from .loader import Project, load_sources
from .problems import Problems
from .validate import validate

CACHE_DIR = ".cxreport-cache"
STAGES = ("load_sources", "validate", "join_metrics", "compute_figures", "render", "write")


class Progress(Protocol):
    """What the build tells while it runs: the stage it is in, and how far it is through pages or files."""

    def stage(self, name: str) -> None: ...

    def advance(self, done: int, total: int) -> None: ...


class Silent:
    """Progress that tells nothing."""

    def stage(self, name: str) -> None:
        pass

    def advance(self, done: int, total: int) -> None:
        pass


@dataclass
class Build:
    """The outcome of a build: the problems found, what was rendered, where it went and how long it took."""

    root: Path
    out: Path
    problems: Problems
    project: Project | None = None
    pages: int = 0
    figures: int = 0
    files: int = 0
    written: bool = False
    seconds: float = 0.0
    strict: bool = False

    @property
    def failed(self) -> bool:
        return self.problems.failed(self.strict)


def _metrics():
    from .render.data import metrics_module

    return metrics_module()


def check(root: Path) -> tuple[Project | None, Problems]:
    """Give the project and every problem found reading and validating it (and joining its metrics, when that stage exists)."""
    problems = Problems()
    project = load_sources(root, problems)
    if project is not None:
        validate(project, problems)
        if not problems.errors:
            join_metrics(project, problems, project.root / CACHE_DIR)
    return project, problems


def join_metrics(project: Project, problems: Problems, cache_dir: Path) -> Any:
    """Give the metric rows joined to the map (cxreport.metrics), or None while that stage is not installed."""
    metrics = _metrics()
    if metrics is None:
        return None
    return metrics.join_metrics(project, problems, cache_dir)


def compute_figures(project: Project, data: Any) -> FigureSet:
    """Give every figure and experiment result of the project; none without the metrics stage."""
    metrics = _metrics()
    if metrics is None or data is None:
        return FigureSet()
    return metrics.compute_figures(project, data)


def render(project: Project, figures: FigureSet, problems: Problems, *, stamp: bool = False,
           progress: Progress | None = None, print_date: dt.date | None = None):
    """Give the whole site rendered in memory (render.RenderedSite); with print_date also print.html for the PDF."""
    from .render import build_stamp, render_site

    return render_site(project, figures, problems, stamp=build_stamp(stamp),
                       on_page=(progress or Silent()).advance, print_date=print_date)


def write(site, out: Path, project_root: Path, progress: Progress | None = None) -> None:
    """Write the rendered site into out atomically (staged beside it, swapped in at the end)."""
    from .render.write import write_site

    write_site(site.files, out, project_root, on_file=(progress or Silent()).advance)


def default_out(root: Path) -> Path:
    return root / "output"


def build(root: Path, out: Path | None = None, *, stamp: bool = False, strict: bool = False,
          progress: Progress | None = None, print_date: dt.date | None = None) -> Build:
    """Give the outcome of building the project in root into out; nothing is written unless every stage succeeded.

    Raises render.write.OutputFolderError before any work when out is a folder cxreport must not replace.
    """
    from .render.write import check_output_dir

    progress = progress or Silent()
    started = time.perf_counter()
    root = root.resolve()
    out = (out if out is not None else default_out(root)).resolve()
    check_output_dir(root, out)
    result = Build(root=root, out=out, problems=Problems(), strict=strict)
    problems = result.problems

    progress.stage("load_sources")
    project = load_sources(root, problems)
    result.project = project
    if project is None:
        return _done(result, started)
    result.strict = strict or project.config.strict
    progress.stage("validate")
    validate(project, problems)
    if result.failed:
        return _done(result, started)
    progress.stage("join_metrics")
    data = join_metrics(project, problems, root / CACHE_DIR)
    if result.failed:
        return _done(result, started)
    progress.stage("compute_figures")
    figures = compute_figures(project, data)
    progress.stage("render")
    site = render(project, figures, problems, stamp=stamp, progress=progress, print_date=print_date)
    result.pages, result.figures, result.files = len(site.pages), site.figures, len(site.files)
    if result.failed:
        return _done(result, started)
    progress.stage("write")
    write(site, out, root, progress)
    result.written = True
    return _done(result, started)


def _done(result: Build, started: float) -> Build:
    result.seconds = time.perf_counter() - started
    return result
