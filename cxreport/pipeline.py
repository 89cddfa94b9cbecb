"""The build as its own table of contents: load_sources -> validate -> join_metrics -> compute_figures -> render -> write.

Each stage is one call with typed input and output: the Project (cxreport.loader), the MetricData joined to it
(cxreport.metrics), its FigureSet (cxreport.figures), the RenderedSite (cxreport.render), written to the output
folder (cxreport.render.write). What an incremental build reuses between builds is the session's business
(cxreport.incremental.session); build() asks it at each step.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from . import incremental
from .collector import paused
from .crosscheck import validate
from .figures import FigureSet
from .fingerprints import Stamp
from .incremental.session import CACHE_DIR, Build, as_kept, default_out
from .loader import Project, load_sources
from .metrics.compute import compute_figures
from .metrics.join import MetricData, join_metrics
from .metrics.policy import Policy
from .metrics.redact import Redactions
from .model import Journey
from .problems import ERROR, Problems
from .render.page import RenderedSite, Reuse
from .render.theme import TemplateFailure
from .render.whole_site import EarlyPages, build_stamp, draw_early, render_site
from .render.write import spool_dir, write_in_place, write_site

__all__ = [
    "CACHE_DIR",
    "STAGES",
    "Build",
    "Progress",
    "Session",
    "Silent",
    "build",
    "check",
    "compute_figures",
    "default_out",
    "join_metrics",
    "load_sources",
    "render",
    "validate",
    "write",
]

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


def check(root: Path, redactions: Redactions | None = None) -> tuple[Project | None, Problems]:
    """Give the project and every problem found reading, validating it and joining its metrics; with redactions,
    add to it how many comments were read and redacted (per kind, never the values)."""
    problems = Problems()
    project = load_sources(root, problems)
    if project is not None:
        validate(project, problems)
        # check can run without the warehouse: a cached tally of any age, else a warning that its rows were not checked
        policy = Policy(any_age=True, needs_url=False)
        check_metrics(project, problems, project.root / CACHE_DIR, policy=policy, redactions=redactions)
    return project, problems


# Row problems that name a journey, stage or touchpoint: what they say depends on every journey having loaded.
MAP_CODES = frozenset(
    {"csv-unknown-journey", "csv-unknown-touchpoint", "csv-ambiguous-touchpoint", "csv-unknown-stage", "csv-stage-mismatch"}
)


def check_metrics(
    project: Project,
    problems: Problems,
    cache_dir: Path | None,
    hashes: Mapping[str, Stamp] | None = None,
    policy: Policy | None = None,
    redactions: Redactions | None = None,
) -> None:
    """Add the problems of every metric file, also when content files have errors: the rows are checked with
    the journeys that loaded (and those read whole from a file with errors, Project.salvaged).

    While a journey file failed and its stages and touchpoints are not all known, rows naming a journey, stage
    or touchpoint are not judged (MAP_CODES): they would name that journey's touchpoints as unknown.
    """
    errors = [p for p in problems if p.severity == ERROR]
    if not errors:
        data = join_metrics(project, problems, cache_dir, hashes, policy)
        if redactions is not None:
            redactions.add(data.redactions)
        data.close()
        return
    failed = {p.path for p in errors}
    whole = {s.obj.id: s for s in project.salvaged if s.keeps_map and s.obj.id not in project.journeys}
    journeys = {**project.journeys, **{i: s.obj for i, s in whole.items() if isinstance(s.obj, Journey)}}
    loaded = {project.origins[("journey", i)].path for i in project.journeys} | {s.origin.path for s in whole.values()}
    complete = not any(p.startswith("content/journeys/") and p not in loaded for p in failed)
    playbooks = {i: pb for i, pb in project.playbooks.items() if project.origins[("playbook", i)].path not in failed}
    own = Problems()
    join_metrics(dataclasses.replace(project, journeys=journeys, playbooks=playbooks), own, cache_dir, hashes, policy).close()
    found = list(own)
    unjudged = {p.path for p in found if p.code in MAP_CODES} if not complete else set()
    problems.extend(p for p in found if p.path not in unjudged or p.code not in MAP_CODES | {"more-problems"})


def render(
    project: Project,
    figures: FigureSet,
    problems: Problems,
    *,
    stamp: bool = False,
    progress: Progress | None = None,
    print_date: dt.date | None = None,
    reuse: Reuse | None = None,
    jobs: int = 1,
    early: EarlyPages | None = None,
    when: dt.datetime | None = None,
    spool: Path | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> RenderedSite:
    """Give the whole site rendered in memory; with print_date also print.html for the PDF.

    With reuse (render.Reuse) only the pages whose content keys changed are made; the others are kept. early:
    the pages that show no figures, drawn while the metrics were read (draw_early, with the same when).
    meanwhile: more work for this process while the workers draw (after the data files).
    """
    on_page = (progress or Silent()).advance
    return render_site(
        project,
        figures,
        problems,
        stamp=when if when is not None else build_stamp(stamp),
        on_page=on_page,
        print_date=print_date,
        reuse=reuse,
        jobs=jobs,
        early=early,
        spool=spool,
        meanwhile=meanwhile,
    )


def write(site: RenderedSite, out: Path, project_root: Path, progress: Progress | None = None) -> None:
    """Write the rendered site into out atomically (staged beside it, swapped in at the end)."""
    write_site(site.files, out, project_root, on_file=(progress or Silent()).advance)


class Session(incremental.session.Session):
    """Builds of one project into one folder, each redoing only what changed (cxreport.incremental.session)."""

    def build(self, progress: Progress | None = None, print_date: dt.date | None = None) -> Build:
        """Give the outcome of building the project again; nothing is written unless every stage succeeded."""
        return build(self.root, self.out, progress=progress, print_date=print_date, session=self)


def build(
    root: Path,
    out: Path | None = None,
    *,
    stamp: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
    print_date: dt.date | None = None,
    full: bool = False,
    jobs: int | None = None,
    session: incremental.session.Session | None = None,
) -> Build:
    """Give the outcome of building the project in root into out; nothing is written unless every stage succeeded.

    Only what changed since the last build into out is made again (see Session), unless full. With a session,
    its root, folder and options are used and what it keeps between builds is reused (cxreport serve).
    Raises render.write.OutputFolderError before any work when out is a folder cxreport must not replace.
    """
    if session is None:
        session = Session(root, out, stamp=stamp, strict=strict, full=full or print_date is not None, jobs=jobs)
    figures_before, result = session.figures_memo, None
    try:
        # on several cores the pages are drawn by workers, which collect their own garbage; this process makes what
        # stays to the end (the content, the figures, their keys, the data files) and no cycles worth a collection
        # over those millions of objects (a second of a large handbook's build). Pages it draws itself (a small site:
        # render.pages.make_pages) are drawn with the collector on.
        with paused() if session.workers > 1 and print_date is None else contextlib.nullcontext():
            result = _stages(session, progress or Silent(), print_date)
        return result
    finally:
        shutil.rmtree(spool_dir(session.out), ignore_errors=True)  # what the writer did not move into the site
        session.settle(figures_before, result.made if result else None, result.project if result else None)


def _stages(session: incremental.session.Session, progress: Progress, print_date: dt.date | None) -> Build:
    """Run the stages in order, stopping at the first that fails."""
    started = time.perf_counter()
    result = Build(root=session.root, out=session.out, problems=Problems(), strict=session.strict)
    problems = result.problems
    kept = session.start(print_date)
    if kept is not None:  # nothing changed: the site in out is the one this build would make
        return _done(as_kept(result, kept), started)
    progress.stage("load_sources")
    project = result.project = load_sources(session.root, problems, session.memo, session.run.inputs, jobs=session.workers)
    if project is None:
        return _done(result, started)
    result.strict = session.strict or project.config.strict
    progress.stage("validate")
    validate(project, problems, session.validation)
    if result.failed:  # nothing is built, but the metric files' problems are told in this run too
        progress.stage("join_metrics")
        check_metrics(project, problems, session.cache_dir, session.run.inputs, Policy(any_age=True, needs_url=False))
        return _done(result, started)
    progress.stage("join_metrics")
    when, early, cold = build_stamp(session.stamp), None, session.cold()
    spool = spool_dir(session.out) if session.out.parent.is_dir() else None  # large files written as they are made
    if cold and print_date is None:  # the pages that show no figures are drawn while the metrics are read
        early = draw_early(project, stamp=when, jobs=session.workers, spool=spool)
    try:
        with paused():  # the figures and their keys are half a million objects that stay: no collections over them
            figures = _figures(session, project, result, progress)
            if figures is None:
                return _done(result, started)
            # a cold build reuses nothing: the keys its record keeps are made while the workers draw the pages
            reuse = None if cold else session.reuse_plan(project, figures)
        progress.stage("render")
        site = render(
            project,
            figures.figures,
            problems,
            progress=progress,
            print_date=print_date,
            reuse=reuse,
            jobs=session.workers,
            early=early,
            when=when,
            spool=spool,
            meanwhile=functools.partial(session.plan_keys, project, figures) if cold else None,
        )
        early = None  # render took them
    except TemplateFailure as exc:
        problems.error(
            exc.file,
            exc.line,
            0,
            f"template failed while drawing {exc.page}: {exc.message}",
            "fix the template, or delete it to use the built-in one; docs/themes.md lists what each template is given",
            code="template-failed",
        )
        return _done(result, started)
    finally:
        if early is not None:  # the build stopped short: stop drawing
            early.stop()
    result.pages, result.figures, result.files, result.made = len(site.specs), site.figures, len(site.files), len(site.pages)
    if result.failed:
        return _done(result, started)
    progress.stage("write")
    session.writing()
    if session.updates_in_place():
        written: set[str] | None = write_in_place(site.files, session.out, session.previous_outputs())
    else:
        write(site, session.out, session.root, progress)
        written = None
    result.written = True
    summary: dict[str, object] = {
        "pages": result.pages,
        "figures": result.figures,
        "files": result.files,
        "strict": result.strict,
    }
    if figures.figures.due is not None:  # the next build fetches again from then on (warehouse max_age)
        summary["warehouse_due"] = figures.figures.due
    session.remember(site, problems, summary, written)
    return _done(result, started)


def _figures(
    session: incremental.session.Session, project: Project, result: Build, progress: Progress
) -> incremental.session.FiguresMemo | None:
    """Give the figures (an earlier build's when nothing they are computed from changed), or None when joining
    the metrics failed the build."""
    known = session.figures(project)
    if known is not None:
        result.problems.extend(known.problems)
        if result.failed:
            return None
        progress.stage("compute_figures")
        return known
    own = Problems()
    data: MetricData = join_metrics(project, own, session.cache_dir, session.run.inputs, session.policy())
    found = list(own)
    result.problems.extend(found)
    try:
        if result.failed:
            return None
        progress.stage("compute_figures")
        figures = compute_figures(project, data)
    finally:
        data.close()  # no DuckDB connection may be open while workers are forked
    return session.keep_figures(figures, found)


def _done(result: Build, started: float) -> Build:
    result.seconds = time.perf_counter() - started
    return result
