"""Making pages: each chosen page planned and drawn, on every core for a large site, always in the same order.

Workers are forked from the building process, so they inherit the planner (project, figures, theme) as it is
and nothing is sent to them but page numbers; each gives back its pages' bytes, problems and search entries,
which are taken in page order, so the output is the same on any number of cores.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import os
import posixpath
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..collector import collecting, frozen
from ..problems import Problem, Problems
from .page import Page, PageSpec
from .write import SpooledFile

PARALLEL_FROM = 150  # pages: below this, starting workers costs more than it saves
CHUNKS_PER_WORKER = 8  # pages go out in small batches, so a worker that drew large pages does not hold up the rest


@dataclass
class MadePage:
    """One page made: its HTML (or the spool file a worker wrote it to), the page (without its context when made
    by a worker), its problems and extras."""

    path: str
    html: bytes | Path
    page: Page
    problems: list[Problem]
    extra: Any = None


class ProblemSink:
    """Where problems found while making a page go: swapped for each page, so every page keeps its own."""

    def __init__(self, problems: Problems) -> None:
        self.current = problems

    def warning(self, *args, **kwargs) -> Problem:
        return self.current.warning(*args, **kwargs)


def default_jobs() -> int:
    """Give the number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _make(
    spec: PageSpec,
    draw: Callable[[Page], str],
    extra: Callable[[Page], Any] | None,
    sink: ProblemSink,
    light: bool,
    spool: Path | None = None,
) -> MadePage:
    own = Problems()
    before, sink.current = sink.current, own
    try:
        page = spec.make()
        if page.path != spec.path:
            raise ValueError(f"page planned for {spec.path} was made for {page.path}")
        html = draw(page).encode("utf-8")
        more = extra(page) if extra is not None else None
    finally:
        sink.current = before
    if light:  # a context holds Markup of the whole page: not worth sending back
        page = dataclasses.replace(page, context={})
    return MadePage(page.path, _spooled(html, page.path, spool), page, own.sorted(), more)


def _spooled(html: bytes, path: str, spool: Path | None) -> bytes | Path:
    """Give a worker's page as a file in the spool folder (not sent back, not held until the write), or as bytes
    when there is no spool or it cannot be written."""
    if spool is None or posixpath.normpath(path) != path or path.startswith(("/", "..")) or "\\" in path:
        return html  # a path that could leave the spool: the writer refuses it (SiteFiles.add)
    file = spool / path
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(html)
    except OSError:  # no room or no permission beside the output: sent back (the writer tells, if it fails)
        return html
    return SpooledFile(file)


_JOB: tuple | None = None  # (specs, draw, extra, sink, spool): set while a pool's workers are forked, inherited


def _work(indices: range) -> list[MadePage]:
    assert _JOB is not None
    specs, draw, extra, sink, spool = _JOB
    return [_make(specs[i], draw, extra, sink, light=True, spool=spool) for i in indices]


def forkable() -> bool:
    """Whether pages can be drawn in forked workers here."""
    return "fork" in multiprocessing.get_all_start_methods()


class Drawing:
    """Pages being drawn in forked workers while this process goes on with other work; collect() gives them.

    The workers are forked when the drawing starts, so they see the process as it is then (a drawing started
    before the figures are computed may only draw pages that show none). Several drawings may run at once, each
    with a spool folder of its own (the pages' files are written there by the workers).
    """

    def __init__(
        self,
        specs: Sequence[PageSpec],
        draw: Callable[[Page], str],
        sink: ProblemSink,
        extra: Callable[[Page], Any] | None,
        jobs: int,
        spool: Path | None = None,
    ) -> None:
        global _JOB
        self.total = total = len(specs)
        size = max(1, -(-total // (jobs * CHUNKS_PER_WORKER)))
        chunks = [range(i, min(i + size, total)) for i in range(0, total, size)]
        # the workers collect their own garbage (a drawing may start while this process has the collector paused)
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"), initializer=gc.enable)
        _JOB = (specs, draw, extra, sink, spool)
        try:
            with frozen():  # the workers' collections leave the inherited objects alone (and so do not copy them)
                self.futures = [self.pool.submit(_work, chunk) for chunk in chunks]  # every worker forked at the first
        except BaseException:
            self.stop()
            raise
        finally:
            _JOB = None

    def collect(
        self, on_page: Callable[[int, int], None] | None = None, before: int = 0, total: int | None = None
    ) -> list[MadePage]:
        """Give the pages in their order, once every worker is done (a worker's failure is raised here)."""
        made: list[MadePage] = []
        try:
            for future in self.futures:
                made.extend(future.result())
                if on_page:
                    on_page(len(made), self.total)
        except BaseException:
            self.stop()
            raise
        self.pool.shutdown(wait=True)
        return made

    def stop(self) -> None:
        """Stop drawing now (Ctrl-C, a failure, a build that stopped short)."""
        processes = list((getattr(self.pool, "_processes", None) or {}).values())  # shutdown forgets them
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()


def make_pages(
    specs: Sequence[PageSpec],
    draw: Callable[[Page], str],
    sink: ProblemSink,
    *,
    extra: Callable[[Page], Any] | None = None,
    jobs: int = 1,
    on_page: Callable[[int, int], None] | None = None,
    meanwhile: Callable[[], None] | None = None,
    parallel_from: int | None = None,
    spool: Path | None = None,
) -> list[MadePage]:
    """Give every page of specs made, in their order; with jobs > 1 and enough pages, in forked workers.

    meanwhile runs in this process while the workers draw (other files of the site). spool: a folder where the
    workers write the pages they draw (a SpooledFile each, moved into the site by the writer).
    """
    total = len(specs)
    if jobs <= 1 or total < (PARALLEL_FROM if parallel_from is None else parallel_from) or not forkable():
        if meanwhile is not None:
            meanwhile()
        made = []
        with collecting():  # drawing makes garbage cycles, which a build on several cores leaves to its workers
            for i, spec in enumerate(specs, 1):
                made.append(_make(spec, draw, extra, sink, light=False))
                if on_page:
                    on_page(i, total)
        return made
    drawing = Drawing(specs, draw, sink, extra, jobs, spool)
    try:
        if meanwhile is not None:
            meanwhile()
    except BaseException:
        drawing.stop()
        raise
    return drawing.collect(on_page)
