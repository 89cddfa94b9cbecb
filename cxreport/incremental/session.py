"""A session: builds of one project into one folder, each redoing only what changed since the one before.

The pipeline (cxreport.pipeline.build) runs the stages; the session gives it, step by step, what an
incremental build reuses: whether the site in the folder is already this build's (start), the figures of an
earlier build when nothing they are computed from changed (figures, keep_figures), which pages to keep
(reuse_plan), and keeps what this build read and made for the next one (writing, remember, settle).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import model as m
from ..collector import paused
from ..crosscheck import ValidationMemo
from ..figures import FigureSet
from ..fingerprints import Stamp, digest
from ..loader import Parsed, Project, relpath, resolve_content_path
from ..metrics.policy import Policy
from ..problems import Problem, Problems
from ..render.page import KeptPage, RenderedSite, Reuse
from ..render.pages import PARALLEL_FROM, default_jobs
from ..render.theme import builtin_theme_dir
from ..render.write import KeptFile, check_output_dir, clean_stale
from .keys import ObjectDigests, changed, content_keys, figure_keys, with_wildcards
from .memory import compile_templates, freeze_what_is_kept
from .record import (
    Record,
    code_key,
    fingerprint,
    input_files,
    output_files,
    output_stats,
    problem_of,
    problem_row,
    record_file,
    same_inputs,
)

CACHE_DIR = ".cxreport-cache"


@dataclass
class FiguresMemo:
    """The figures of a build, kept while nothing they are computed from changes."""

    inputs: str  # the digest of what they are computed from (Session.figures)
    figures: FigureSet
    problems: list[Problem]  # what joining the metrics found
    made_keys: dict[str, str] | None = None

    @property
    def keys(self) -> dict[str, str]:
        """Their content keys (keys.figure_keys), made when first asked for (a cold build: while pages are drawn)."""
        if self.made_keys is None:
            self.made_keys = figure_keys(self.figures)
        return self.made_keys


@dataclass
class MapPart:
    """What the figures read of one journey: its stage model, its touchpoints and their stages (digested)."""

    journey: m.Journey
    stage_model: str
    digest: str


@dataclass
class ExperimentPart:
    """One experiment playbook and the digest of it the figures depend on."""

    playbook: Any
    digest: str


@dataclass
class Run:
    """What one build of a session knows about the build before it, found step by step."""

    recorded: bool  # the build leaves a record (pages with a time stamp or the PDF's page do not)
    incremental: bool  # the build may reuse what the record vouches for
    inputs: dict[str, Stamp]
    options: dict
    previous: Record | None = None
    keys: dict[str, str] = field(default_factory=dict)
    site_key: str = ""
    now: dict[str, list] = field(default_factory=dict)  # the outputs as they are before writing
    reused: bool = False


def default_out(root: Path) -> Path:
    return root / "output"


class Session:
    """Builds of one project into one folder, each redoing only what changed since the one before.

    What the last build read and made is its dependency record (cxreport.incremental.record), kept in the cache
    folder between processes. A session kept alive (cxreport serve) also keeps the parsed content files, the
    figures and the digests in memory, so a rebuild parses only the files that changed and computes the
    figures only when the metric files, their declarations or the maps they are joined to changed.

    A file is read again only when its stamp changed (record.fingerprint), and only the journeys and playbooks
    an edit can affect are validated again (crosscheck.ValidationMemo). A session that updates its folder in
    place (serve's) is kept alive and keeps its memory as cxreport.incremental.memory says.
    """

    def __init__(
        self,
        root: Path,
        out: Path | None = None,
        *,
        stamp: bool = False,
        strict: bool = False,
        full: bool = False,
        jobs: int | None = None,
        keep_record: bool = True,
        in_place: bool = False,
        refresh: bool = False,
    ) -> None:
        self.root = root.resolve()
        self.out = (out if out is not None else default_out(self.root)).resolve()
        self.stamp, self.strict, self.full, self.keep_record = stamp, strict, full, keep_record
        self.in_place = in_place  # rebuilds update out file by file instead of swapping in a staged copy (serve)
        self.jobs = jobs
        self.refresh = refresh  # the first build fetches every warehouse metric again (build --refresh)
        self.built_once = False  # serve: after the first build, a warehouse's cached tally of any age will do
        self.cache_dir = self.root / CACHE_DIR
        self.record_path = record_file(self.cache_dir, self.out)
        self.record: Record | None = None
        self.memo: dict[str, Parsed] = {}  # content file -> its text and what it gave (loader)
        self.digests = ObjectDigests()
        self.validation = ValidationMemo()  # what each journey and playbook gave validate
        self.figures_memo: FiguresMemo | None = None
        self.map_parts: dict[str, MapPart] = {}  # journey id -> what the figures read of it
        self.experiment_parts: dict[str, ExperimentPart] = {}  # experiment id -> its playbook and digest
        self.frozen = False  # whether a build of this session froze what it keeps (incremental.memory)
        self.run = Run(False, False, {}, {})
        self._figures_input = ""
        self._begun = False  # kept_build() began this build and found work: start() takes up its fingerprint

    @property
    def workers(self) -> int:
        """Give how many processes a build may use."""
        return self.jobs or default_jobs()

    # -- the steps of a build, in order ---------------------------------------------------------------------------

    def start(self, print_date: dt.date | None = None) -> Record | None:
        """Begin a build: check out, take the fingerprint of the inputs; give the last build's record when nothing
        changed and out holds exactly what it wrote (the site there is the one this build would make).

        Raises render.write.OutputFolderError when out is a folder cxreport must not replace.
        """
        if self._begun:  # kept_build() took the fingerprint and found work to do
            self._begun = False
            return None
        check_output_dir(self.root, self.out)
        recorded = not (self.stamp or print_date is not None)  # pages that carry a time or the PDF's page: no record
        incremental = recorded and not self.full
        self.full = False  # a session asked for a full build does one, then goes on incrementally
        previous = self.record if incremental else None
        if incremental and previous is None and self.keep_record:
            previous = Record.load(self.record_path, with_entries=False)
        files = input_files(self.root, [builtin_theme_dir()])
        inputs = fingerprint(files, previous.inputs if previous else None)
        options = {"strict": self.strict}
        if previous is not None and (previous.code != code_key() or previous.options != options):
            previous = None
        self.run = Run(recorded, incremental, inputs, options, previous)
        if previous is not None and same_inputs(previous.inputs, inputs) and not self._warehouse_due(previous):
            clean_stale(self.out)
            if self._as_left(previous):
                self.record = previous
                return previous
        return None

    def _warehouse_due(self, record: Record) -> bool:
        """Tell whether the last build's warehouse figures must be fetched again (--refresh, or older than max_age)."""
        due = record.summary.get("warehouse_due")
        return self.refresh or (isinstance(due, (int, float)) and due <= time.time())

    def policy(self) -> Policy:
        """Give how this build treats warehouse metrics: --refresh once; in serve, the cache after the first build."""
        policy = Policy(refresh=self.refresh, any_age=self.in_place and self.built_once)
        self.refresh, self.built_once = False, True
        return policy

    def kept_build(self) -> Build | None:
        """Give the outcome of a build when the site in out is already the one it would make, or None when there is
        work.

        It needs none of the stages, so `cxreport build` with nothing changed answers without loading them
        (cxreport.cli.build); the build that follows a None takes up the fingerprint taken here.
        """
        started = time.perf_counter()
        record = self.start()
        if record is None:
            self._begun = True
            return None
        result = as_kept(Build(root=self.root, out=self.out, problems=Problems(), strict=self.strict), record)
        result.seconds = time.perf_counter() - started
        return result

    def _as_left(self, record: Record) -> bool:
        """Tell whether out holds exactly the files the record says the last build wrote, unchanged."""
        present = output_files(self.out)
        if present is None or present != set(record.outputs):
            return False
        return output_stats(self.out, record.outputs) == record.outputs

    def figures(self, project: Project) -> FiguresMemo | None:
        """Give the figures of an earlier build of this session when nothing they are computed from changed."""
        self._figures_input = self._figures_digest(project)
        if self.figures_memo is not None and self.figures_memo.inputs == self._figures_input:
            return self.figures_memo
        self.figures_memo = None
        return None

    def keep_figures(self, figures: FigureSet, problems: list[Problem]) -> FiguresMemo:
        """Keep the figures just computed (and what joining the metrics found) for the next build."""
        self.figures_memo = FiguresMemo(self._figures_input, figures, problems)
        return self.figures_memo

    def _figures_digest(self, project: Project) -> str:
        """Give a digest of everything the figures are computed from: declarations, metric files, maps, experiments.

        What the figures read of each journey (its stage model, its touchpoints and their stages: metrics.MapIndex)
        and each experiment is digested once per object and kept: a rebuild digests only the objects that changed.
        """
        cfg, inputs = project.config, self.run.inputs
        files: dict[str, str | None] = {}
        for source in cfg.metrics:
            if source.file is None:  # a warehouse's tally: kept for the session (an edit never queries the warehouse)
                files[source.id] = None
                continue
            path = resolve_content_path(project.root, source.file)
            rel = relpath(path, project.root) if path is not None else None
            stamp = inputs.get(rel) if rel else None
            files[source.id] = stamp.sha if stamp is not None else None
        maps: dict[str, MapPart] = {}
        for j in project.journeys.values():
            known = self.map_parts.get(j.id)
            if known is None or known.journey is not j or known.stage_model != project.stage_model_of(j):
                known = MapPart(j, project.stage_model_of(j), digest([[t.id, s.stage] for s, t in j.touchpoints()]))
            maps[j.id] = known
        experiments: dict[str, ExperimentPart] = {}
        for pb in project.playbooks.values():
            if pb.type == "experiment":
                seen = self.experiment_parts.get(pb.id)
                if seen is None or seen.playbook is not pb:
                    seen = ExperimentPart(pb, digest(pb.model_dump(mode="json")))
                experiments[pb.id] = seen
        self.map_parts, self.experiment_parts = maps, experiments
        return digest(
            [
                # codes, privacy and language: the comments are coded and redacted (in the site's tokens) with the figures
                cfg.model_dump(
                    mode="json",
                    include={"metrics", "targets", "stage_model", "stage_models", "drivers", "codes", "privacy", "language"},
                ),
                files,
                cfg.stage_model,
                [[jid, part.stage_model, part.digest] for jid, part in maps.items()],
                sorted((mid, [s.id for s in stages]) for mid, stages in project.stage_models.items()),
                [part.digest for part in experiments.values()],
            ]
        )

    def cold(self) -> bool:
        """Whether this build makes every page anew (no earlier build it may reuse) in a process of its own (not
        serve's kept session): the pages that show no figures may then be drawn before the figures are known."""
        return not self.in_place and (self.run.previous is None or not self.run.incremental)

    def plan_keys(self, project: Project, figures: FiguresMemo) -> None:
        """Make the keys of every page and of the site, which the record keeps (reuse_plan, or a cold build while
        its pages are drawn: it reuses nothing, so the keys are only needed once the site is written)."""
        run = self.run
        with paused():  # digests of half a million figures, which stay: no collections over them
            run.keys = with_wildcards({**content_keys(project, self.digests), **figures.keys})
        run.site_key = digest(
            [
                code_key(),
                run.options,
                {k: v.sha for k, v in run.inputs.items() if not k.startswith("content/")},
                sorted(k for k in run.inputs if k.startswith("content/")),
                sorted((kind, oid, o.path) for (kind, oid), o in project.origins.items()),
            ]
        )

    def reuse_plan(self, project: Project, figures: FiguresMemo) -> Reuse | None:
        """Give what the render can take from the last build (pages and files whose keys did not change), or None
        when every page is to be made anew (as always in a cold build: cold())."""
        self.plan_keys(project, figures)
        run = self.run
        previous = run.previous
        if not (
            run.incremental
            and previous is not None
            and previous.site == run.site_key
            and (previous.entries or previous.load_entries(self.record_path))
        ):
            return None
        changed_keys = changed(previous.keys, run.keys)
        out = self.out
        run.now = output_stats(out, previous.outputs)
        intact = {p for p, st in run.now.items() if st is not None and st == previous.outputs[p]}
        pages = {
            path: KeptPage([problem_of(r) for r in rows], bool(charts), previous.entries.get(path, []), out / path)
            for path, (rows, charts) in previous.pages.items()
            if path in intact and path in previous.entries
        }
        kept_files = (
            {}
            if "figures:*" in changed_keys
            else {p: KeptFile(out / p) for p in intact if p not in previous.pages}  # linked, or left in place, not copied
        )
        run.reused = True
        return Reuse(pages, kept_files, lambda spec: any(d in changed_keys for d in spec.deps), previous.summary.get("nav", ""))

    def updates_in_place(self) -> bool:
        """Tell whether this build writes into out file by file (serve's session, reusing the last build)."""
        return self.in_place and self.run.reused

    def previous_outputs(self) -> set[str]:
        """Give the files the last build wrote into out."""
        previous = self.run.previous
        return set(previous.outputs) if previous is not None else set()

    def writing(self) -> None:
        """Forget the record before out changes: while it does, no record vouches for it."""
        if self.run.recorded:
            self.record = None
            Record.forget(self.record_path)

    def remember(self, site: RenderedSite, problems: Problems, summary: dict, written: set[str] | None) -> None:
        """Keep the record of the build just written (written: the files an in-place write wrote, else None)."""
        if not self.run.recorded:
            self.record = None
            Record.forget(self.record_path)
            return
        run, out = self.run, self.out
        paths = sorted(site.files.files)
        if written is not None:
            stats = output_stats(out, written)
            outputs = {p: stats[p] if p in stats else run.now.get(p) or output_stats(out, [p])[p] for p in paths}
        else:
            outputs = output_stats(out, paths)
        self.record = Record(
            code=code_key(),
            options=run.options,
            inputs=run.inputs,
            site=run.site_key,
            keys=run.keys,
            pages={path: [[problem_row(p) for p in info.problems], info.charts] for path, info in site.infos.items()},
            outputs=outputs,
            problems=[problem_row(p) for p in problems.sorted()],
            summary={**summary, "nav": site.nav},
            entries={path: info.entries for path, info in site.infos.items()},
        )
        if self.keep_record:
            self.record.save(self.record_path)

    def settle(self, figures_before: FiguresMemo | None, made: int | None, project: Project | None) -> None:
        """After a build (made: the pages it made, None when it stopped short), keep a kept session's memory lean
        (cxreport.incremental.memory)."""
        if self.in_place and (
            not self.frozen
            or (made is not None and made >= PARALLEL_FROM)  # workers unfreeze
            or (self.figures_memo is not None and self.figures_memo is not figures_before)
        ):
            if project is not None:
                compile_templates(project)
            self.frozen = freeze_what_is_kept()


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
    made: int = 0  # pages made by this build (an incremental build keeps the rest)
    unchanged: bool = False  # nothing had changed: the site in out was already this build's

    @property
    def failed(self) -> bool:
        return self.problems.failed(self.strict)


def as_kept(result: Build, record: Record) -> Build:
    """Fill the outcome of a build that found the site in out already made, from the record of the build that made it."""
    result.problems.extend(problem_of(row) for row in record.problems)
    summary = record.summary
    result.strict = summary.get("strict", result.strict)
    result.pages, result.figures, result.files = summary.get("pages", 0), summary.get("figures", 0), summary.get("files", 0)
    result.written, result.unchanged = True, True
    return result
