"""The build as its own table of contents: load_sources -> validate -> join_metrics -> compute_figures -> render -> write."""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import gc
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .crosscheck import ValidationMemo, validate
from .figures import FigureSet
from .loader import Project, load_sources, relpath, resolve_content_path
from .problems import Problems

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
    made: int = 0  # pages made by this build (an incremental build keeps the rest)
    unchanged: bool = False  # nothing had changed: the site in out was already this build's

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


def join_metrics(project: Project, problems: Problems, cache_dir: Path, hashes: dict | None = None) -> Any:
    """Give the metric rows joined to the map (cxreport.metrics), or None while that stage is not installed.

    hashes: the build's fingerprint of its input files (record.fingerprint), so a metric file hashed for it is
    not hashed again for the tally cache.
    """
    metrics = _metrics()
    if metrics is None:
        return None
    return metrics.join_metrics(project, problems, cache_dir, hashes)


def compute_figures(project: Project, data: Any) -> FigureSet:
    """Give every figure and experiment result of the project; none without the metrics stage."""
    metrics = _metrics()
    if metrics is None or data is None:
        return FigureSet()
    return metrics.compute_figures(project, data)


def render(
    project: Project,
    figures: FigureSet,
    problems: Problems,
    *,
    stamp: bool = False,
    progress: Progress | None = None,
    print_date: dt.date | None = None,
    reuse=None,
    jobs: int = 1,
):
    """Give the whole site rendered in memory (render.RenderedSite); with print_date also print.html for the PDF.

    With reuse (render.Reuse) only the pages whose content keys changed are made; the others are kept.
    """
    from .render import build_stamp, render_site

    return render_site(
        project,
        figures,
        problems,
        stamp=build_stamp(stamp),
        on_page=(progress or Silent()).advance,
        print_date=print_date,
        reuse=reuse,
        jobs=jobs,
    )


def write(site, out: Path, project_root: Path, progress: Progress | None = None) -> None:
    """Write the rendered site into out atomically (staged beside it, swapped in at the end)."""
    from .render.write import write_site

    write_site(site.files, out, project_root, on_file=(progress or Silent()).advance)


def write_in_place(site, out: Path, previous: set[str]) -> set[str]:
    """Update out file by file: changed files written under a temporary name and moved into place, files no
    longer in the site removed; give the files written. Only for a folder nobody else writes to (serve's): a
    reader may see a mix of two builds for a moment, never a half-written file.
    """
    import os
    import shutil

    from .render.write import MARKER, KeptFile

    pid = os.getpid()
    base = str(out)
    written = set()
    for rel, data in site.files.files.items():
        if isinstance(data, KeptFile) and str(data) == os.path.join(base, rel):
            continue  # kept as it is
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{pid}.tmp")
        if isinstance(data, Path):
            shutil.copyfile(data, tmp)
        else:
            tmp.write_bytes(data)
        os.replace(tmp, dest)
        written.add(rel)
    for rel in previous - site.files.files.keys():
        (out / rel).unlink(missing_ok=True)
    (out / MARKER).touch()
    return written


def default_out(root: Path) -> Path:
    return root / "output"


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
) -> Build:
    """Give the outcome of building the project in root into out; nothing is written unless every stage succeeded.

    Only what changed since the last build into out is made again (see Session), unless full.
    Raises render.write.OutputFolderError before any work when out is a folder cxreport must not replace.
    """
    session = Session(root, out, stamp=stamp, strict=strict, full=full or print_date is not None, jobs=jobs)
    return session.build(progress, print_date=print_date)


class Session:
    """Builds of one project into one folder, each redoing only what changed since the one before.

    What the last build read and made is its dependency record (cxreport.incremental.record), kept in the cache folder
    between processes. A session kept alive (cxreport serve) also keeps the parsed content files, the
    figures and the digests in memory, so a rebuild parses only the files that changed and computes the
    figures only when the metric files, their declarations or the maps they are joined to changed.

    A file is read again only when its size, time stamps or inode changed (record.fingerprint), and only the
    journeys and playbooks an edit can affect are validated again (validate.ValidationMemo).

    A session that updates its folder in place (serve's) is kept alive: after a build that made much of what it
    keeps (the first, or one that computed the figures again) it collects the garbage once and freezes what is
    left out of Python's cyclic garbage collector (gc.freeze; again after a build that made enough pages to draw
    them in workers, which unfreeze), so that a later rebuild does not spend half a second walking millions of
    figures and parsed values that stay; it also compiles the theme's templates here when workers drew the pages.
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
    ) -> None:
        from .incremental.keys import ObjectDigests
        from .incremental.record import record_file

        self.root = root.resolve()
        self.out = (out if out is not None else default_out(self.root)).resolve()
        self.stamp, self.strict, self.full, self.keep_record = stamp, strict, full, keep_record
        self.in_place = in_place  # rebuilds update out file by file instead of swapping in a staged copy (serve)
        self.jobs = jobs
        self.record_path = record_file(self.root / CACHE_DIR, self.out)
        self.record = None
        self.memo: dict = {}  # content file -> its text and what it gave (loader)
        self.digests = ObjectDigests()
        self.validation = ValidationMemo()  # what each journey and playbook gave validate
        self.figures_memo: tuple | None = None  # (inputs digest, figures, metric problems, figure keys)
        self.map_parts: dict[str, tuple] = {}  # journey id -> (journey, digest of what the figures read of it)
        self.experiment_parts: dict[str, tuple] = {}  # experiment id -> (playbook, its digest)
        self.frozen = False  # whether a build of this session froze what it keeps (see below)

    def build(self, progress: Progress | None = None, print_date: dt.date | None = None) -> Build:
        """Give the outcome of building the project again; nothing is written unless every stage succeeded."""
        from .render.pages import PARALLEL_FROM

        figures_before, result = self.figures_memo, None
        try:
            result = self._build(progress, print_date)
            return result
        finally:
            if self.in_place and (
                not self.frozen
                or (result is not None and result.made >= PARALLEL_FROM)  # workers unfreeze
                or (self.figures_memo is not None and self.figures_memo is not figures_before)
            ):
                if result is not None and result.project is not None:
                    _compile_templates(result.project)
                self.frozen = _freeze_what_is_kept()

    def _build(self, progress: Progress | None, print_date: dt.date | None) -> Build:
        from .incremental.keys import changed, content_keys, digest, figure_keys, with_wildcards
        from .incremental.record import (
            Record,
            code_key,
            fingerprint,
            input_files,
            output_stats,
            problem_of,
            problem_row,
            same_inputs,
        )
        from .render import KeptPage, Reuse
        from .render.pages import default_jobs
        from .render.theme import TemplateFailure, builtin_theme_dir
        from .render.write import KeptFile, check_output_dir, clean_stale

        progress = progress or Silent()
        started = time.perf_counter()
        root, out = self.root, self.out
        check_output_dir(root, out)
        result = Build(root=root, out=out, problems=Problems(), strict=self.strict)
        problems = result.problems
        recorded = not (self.stamp or print_date is not None)  # pages that carry a time or the PDF's page: no record
        incremental = recorded and not self.full
        self.full = False  # a session asked for a full build does one, then goes on incrementally

        previous = self.record if incremental else None
        if incremental and previous is None and self.keep_record:
            previous = Record.load(self.record_path, with_entries=False)
        files = input_files(root, [builtin_theme_dir()])
        inputs = fingerprint(files, previous.inputs if previous else None)
        options = {"strict": self.strict}
        if previous is not None and (previous.code != code_key() or previous.options != options):
            previous = None
        if previous is not None and same_inputs(previous.inputs, inputs):
            clean_stale(out)
            if self._as_left(previous):  # nothing changed: the site in out is the one this build would make
                problems.extend(problem_of(row) for row in previous.problems)
                result.strict = previous.summary.get("strict", self.strict)
                result.pages, result.figures = previous.summary.get("pages", 0), previous.summary.get("figures", 0)
                result.files, result.written, result.unchanged = previous.summary.get("files", 0), True, True
                self.record = previous
                return _done(result, started)

        progress.stage("load_sources")
        project = load_sources(root, problems, self.memo, inputs, jobs=self.jobs or default_jobs())
        result.project = project
        if project is None:
            return _done(result, started)
        result.strict = self.strict or project.config.strict
        progress.stage("validate")
        validate(project, problems, self.validation)
        if result.failed:
            return _done(result, started)
        progress.stage("join_metrics")
        figures_input = self._figures_input(project, inputs)
        if self.figures_memo is not None and self.figures_memo[0] == figures_input:
            _, figures, found, fig_keys = self.figures_memo
            problems.extend(found)
            if result.failed:
                return _done(result, started)
            progress.stage("compute_figures")
        else:
            self.figures_memo = None
            own = Problems()
            data = join_metrics(project, own, root / CACHE_DIR, inputs)
            found = list(own)
            problems.extend(found)
            if result.failed:
                if data is not None:
                    data.close()
                return _done(result, started)
            progress.stage("compute_figures")
            figures = compute_figures(project, data)
            if data is not None:
                data.close()  # no DuckDB connection may be open while workers are forked
            fig_keys = figure_keys(figures)
            self.figures_memo = (figures_input, figures, found, fig_keys)

        keys = with_wildcards({**content_keys(project, self.digests), **fig_keys})
        site_key = digest(
            [
                code_key(),
                options,
                {k: v[4] for k, v in inputs.items() if not k.startswith("content/")},
                sorted(k for k in inputs if k.startswith("content/")),
                sorted((kind, oid, o.path) for (kind, oid), o in project.origins.items()),
            ]
        )
        reuse = None
        if (
            incremental
            and previous is not None
            and previous.site == site_key
            and (previous.entries or previous.load_entries(self.record_path))
        ):
            changed_keys = changed(previous.keys, keys)
            now = output_stats(out, previous.outputs)
            intact = {p for p, st in now.items() if st is not None and st == previous.outputs[p]}
            pages = {
                path: KeptPage([problem_of(r) for r in rows], bool(charts), previous.entries.get(path, []), out / path)
                for path, (rows, charts) in previous.pages.items()
                if path in intact and path in previous.entries
            }
            kept_files = (
                {}
                if "figures:*" in changed_keys
                else {  # linked, or left in place, not copied
                    p: KeptFile(out / p) for p in intact if p not in previous.pages
                }
            )
            reuse = Reuse(
                pages, kept_files, lambda spec: any(d in changed_keys for d in spec.deps), previous.summary.get("nav", "")
            )

        progress.stage("render")
        try:
            site = render(
                project,
                figures,
                problems,
                stamp=self.stamp,
                progress=progress,
                print_date=print_date,
                reuse=reuse,
                jobs=self.jobs or default_jobs(),
            )
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
        result.pages, result.figures, result.files = len(site.specs), site.figures, len(site.files)
        result.made = len(site.pages)
        if result.failed:
            return _done(result, started)
        progress.stage("write")
        if recorded:
            self.record = None
            Record.forget(self.record_path)  # while out changes, no record vouches for it
        paths = sorted(site.files.files)
        if self.in_place and reuse is not None:
            written = output_stats(out, write_in_place(site, out, set(previous.outputs)))
            outputs = {p: written[p] if p in written else now.get(p) or output_stats(out, [p])[p] for p in paths}
        else:
            write(site, out, root, progress)
            outputs = output_stats(out, paths)
        result.written = True
        if recorded:
            self.record = Record(
                code=code_key(),
                options=options,
                inputs=inputs,
                site=site_key,
                keys=keys,
                pages={path: [[problem_row(p) for p in info.problems], info.charts] for path, info in site.infos.items()},
                outputs=outputs,
                problems=[problem_row(p) for p in problems.sorted()],
                summary={
                    "pages": result.pages,
                    "figures": result.figures,
                    "files": result.files,
                    "strict": result.strict,
                    "nav": site.nav,
                },
                entries={path: info.entries for path, info in site.infos.items()},
            )
            if self.keep_record:
                self.record.save(self.record_path)
        else:
            self.record = None
            Record.forget(self.record_path)
        return _done(result, started)

    def _as_left(self, record) -> bool:
        """Tell whether out holds exactly the files the record says the last build wrote, unchanged."""
        from .incremental.record import output_files, output_stats

        present = output_files(self.out)
        if present is None or present != set(record.outputs):
            return False
        return output_stats(self.out, record.outputs) == record.outputs

    def _figures_input(self, project: Project, inputs: dict) -> str:
        """Give a digest of everything the figures are computed from: declarations, metric files, maps, experiments.

        What the figures read of each journey (its stage model, its touchpoints and their stages: metrics.MapIndex)
        and each experiment is digested once per object and kept: a rebuild digests only the objects that changed.
        """
        from .incremental.keys import digest

        cfg = project.config
        files = {}
        for source in cfg.metrics:
            path = resolve_content_path(project.root, source.file)
            rel = relpath(path, project.root) if path is not None else None
            files[source.id] = inputs.get(rel, [None] * 5)[4] if rel else None
        maps: dict[str, tuple] = {}
        for j in project.journeys.values():
            known = self.map_parts.get(j.id)
            if known is None or known[0] is not j or known[1] != project.stage_model_of(j):
                known = (j, project.stage_model_of(j), digest([[t.id, s.stage] for s, t in j.touchpoints()]))
            maps[j.id] = known
        experiments: dict[str, tuple] = {}
        for pb in project.playbooks.values():
            if pb.type == "experiment":
                known = self.experiment_parts.get(pb.id)
                experiments[pb.id] = known if known is not None and known[0] is pb else (pb, digest(pb.model_dump(mode="json")))
        self.map_parts, self.experiment_parts = maps, experiments
        return digest(
            [
                cfg.model_dump(mode="json", include={"metrics", "targets", "stage_model", "stage_models"}),
                files,
                cfg.stage_model,
                [[jid, part[1], part[2]] for jid, part in maps.items()],
                sorted((mid, [s.id for s in stages]) for mid, stages in project.stage_models.items()),
                [part[1] for part in experiments.values()],
            ]
        )


def _compile_templates(project: Project) -> None:
    """Compile the theme's templates in this process: page workers compiled them in theirs, and the first rebuild
    of a kept session would otherwise wait for it (70 ms at L)."""
    import jinja2

    from .render.theme import Theme

    env = Theme.for_project(project.root, project.config.theme).environment()
    for name in env.list_templates(extensions=["html"]):
        try:
            env.get_template(name)
        except jinja2.TemplateError:
            pass  # validate reports a template that does not parse; a build that uses it fails there


@functools.cache
def _unfreeze_at_exit() -> None:
    atexit.register(gc.unfreeze)  # objects left frozen are never finalised: extension modules report them as leaks


def _freeze_what_is_kept() -> bool:
    """Collect the garbage, then leave every object alive now out of later collections (see Session)."""
    gc.collect()
    gc.freeze()
    _unfreeze_at_exit()
    return True


def _done(result: Build, started: float) -> Build:
    result.seconds = time.perf_counter() - started
    return result
