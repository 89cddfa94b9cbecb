"""join_metrics: read and check every declared metric file and join its rows to the maps."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .. import model as m
from ..fingerprints import Stamp
from ..limits import FILE_HINTS, not_a_file
from ..loader import Project, relpath, resolve_content_path
from ..problems import Problems, did_you_mean
from . import answers, comments, rowcheck, where
from .cache import TallyCache
from .files import FileRef
from .layout import Layout, map_columns
from .map_index import MapIndex
from .policy import Policy
from .read import STANDARD_COLUMNS, build_standard, rows_sql, source_sql
from .redact import Redactions
from .respondents import check_respondents
from .sources import SourceFile, file_key, file_kind
from .sql import NUM_MISSING, lit, one_row, strftime_of
from .unparsable import report_unparsable


@dataclass(frozen=True)
class MetricTable:
    """One metric's rows, tallied in DuckDB, and what the file offers (which key columns)."""

    source: m.MetricSource
    index: int  # position in site.yml's metrics
    rel: str  # the file, relative to the project: content/metrics/nps.csv
    layout: Layout
    joined: str  # a table: period, journey, stage, touchpoint, segment, variant, w, m (not answered) and the sums a, b
    ok: bool  # no row problems: its figures can be computed
    cached: bool  # the tally came from the cache
    comments: str | None = None  # a table of the metric's published comments (columns.comment; metrics/comments.py)
    fetched_at: str | None = None  # a warehouse metric: when its tally was fetched (ISO 8601, UTC)
    due: float | None = None  # a warehouse metric: when its tally is older than max_age (seconds since the epoch)
    answers: str | None = None  # a table (respondent, score) for a driver analysis (metrics/answers.py)
    redactions: Redactions | None = None  # how many of them were redacted, per kind

    @property
    def places(self) -> tuple[str, ...]:
        """Give the levels of the map the rows reach: journey, stage, touchpoint (a touchpoint gives the other two)."""
        has = self.layout.has
        out = []
        if has("journey") or has("touchpoint"):
            out.append("journey")
        if has("stage") or has("touchpoint"):
            out.append("stage")
        if has("touchpoint"):
            out.append("touchpoint")
        return tuple(out)

    def has(self, column: str) -> bool:
        return self.layout.has(column)


@dataclass
class MetricData:
    """Every metric read: the DuckDB connection holding the tallies, and one MetricTable per metric id."""

    con: duckdb.DuckDBPyConnection
    index: MapIndex
    tables: Mapping[str, MetricTable] = field(default_factory=dict)

    @property
    def redactions(self) -> Redactions:
        """Give the comments of every metric and how many were redacted, per kind."""
        total = Redactions()
        for table in self.tables.values():
            if table.redactions is not None:
                total.add(table.redactions)
        return total

    def close(self) -> None:
        self.con.close()


@dataclass
class _Plan:
    """A metric on its way: its file, its located layout, and whether its tally came from the cache."""

    i: int
    source: m.MetricSource
    file: SourceFile
    layout: Layout
    cached: bool = False
    answers: bool = False  # a driver analysis pairs this metric's answers: keep them per respondent


def join_metrics(
    project: Project,
    problems: Problems,
    cache_dir: Path | None = None,
    hashes: Mapping[str, Stamp] | None = None,
    policy: Policy | None = None,
) -> MetricData:
    """Give every declared metric read, checked row by row and joined to the maps; problems go to `problems`.

    Each file is read once however many metrics read it (sources.py). With a cache folder, an unchanged
    file's tally is taken from there instead of reading the file. hashes (file relative to the project ->
    its fingerprints.Stamp, record.fingerprint) spares hashing a file the build hashed already. A warehouse
    metric's tally is fetched (or taken from the cache) as `policy` says (metrics/warehouse/fetch.py).
    """
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # a long read drew DuckDB's bar on stderr, even under --quiet
    index = MapIndex.of(project)
    index.register(con)
    cache = TallyCache(cache_dir) if cache_dir is not None else None
    experiments: dict[str, list[m.Experiment]] = {}
    for pb in project.playbooks.values():  # sorted by id
        if isinstance(pb, m.Experiment) and pb.metric:
            experiments.setdefault(pb.metric, []).append(pb)
    answering = {i for a in project.config.drivers for i in (a.outcome, *a.drivers)}  # metrics a driver analysis pairs
    tables: dict[str, MetricTable] = {}
    with tempfile.TemporaryDirectory(prefix="cxreport-") as scratch:
        # should DuckDB need to spill (reading a huge file's rows again to find problems), it does so here,
        # never in the folder cxreport was started from
        con.execute(f"SET temp_directory = {lit(str(Path(scratch) / 'duckdb'))}")
        files: dict[tuple, SourceFile] = {}
        plans: list[_Plan] = []
        remote: list[tuple[int, m.MetricSource]] = []
        for i, source in enumerate(project.config.metrics):
            if any(p.source.id == source.id for p in plans) or any(s.id == source.id for _, s in remote):
                continue  # validate reports the second declaration
            if source.warehouse is not None:
                remote.append((i, source))
                continue
            plan = _plan(con, project, index, i, source, problems, files, Path(scratch))
            if plan is not None:
                std = f"std_{i}"  # a table, not a view: the checks, the join and the cache all read it
                key = cache.key(plan.file.path, source, (hashes or {}).get(plan.file.rel)) if cache else None
                plan.cached = bool(cache and key and cache.load(con, key, std, STANDARD_COLUMNS))
                if plan.cached and "comment" in plan.layout.columns and cache and key:  # both from the cache, or none
                    plan.cached = cache.load(con, comments.cache_key(key), f"comments_{i}", comments.COMMENT_COLUMNS)
                plan.answers = source.id in answering and "respondent" in plan.layout.columns
                if plan.cached and plan.answers and cache and key:
                    plan.cached = cache.load(con, answers.cache_key(key), f"answers_{i}", answers.ANSWER_COLUMNS)
                if not plan.cached:
                    plan.file.readers += 1
                    plan.file.layouts.append((plan.layout, source))
                plans.append(plan)
        for plan in plans:
            table = _read_metric(con, project, index, plan, problems, cache, hashes or {}, experiments.get(plan.source.id, []))
            if table is not None:
                tables[plan.source.id] = table
        for sf in files.values():
            sf.close()
        if remote:
            tables.update(_read_warehouses(con, project, index, remote, problems, cache, policy or Policy(), experiments))
        con.execute("SET temp_directory = ''")  # the scratch folder goes; the tables left are small
    _release_buffers(con)
    return MetricData(con, index, tables)


def _release_buffers(con: duckdb.DuckDBPyConnection) -> None:
    """Give back the memory DuckDB kept from reading the files: the tallies are small, but the blocks the reads
    used stay in its buffer pool (100 MB after 10 million rows). Lowering its limit to what is in use evicts them."""
    try:
        used = con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()
        con.execute(f"SET memory_limit = '{int((used[0] if used else 0) or 0) + (64 << 20)}B'")
        con.execute("RESET memory_limit")
    except duckdb.Error:  # pragma: no cover (the limit stays as it was: only memory is lost)
        con.execute("RESET memory_limit")


def _read_warehouses(
    con: duckdb.DuckDBPyConnection,
    project: Project,
    index: MapIndex,
    remote: list[tuple[int, m.MetricSource]],
    problems: Problems,
    cache: TallyCache | None,
    policy: Policy,
    experiments: dict[str, list[m.Experiment]],
) -> dict[str, MetricTable]:
    """Give the metrics read from warehouses: each tally fetched (or cached), judged and joined as a file's."""
    from .warehouse import checks, fetch, tally  # the drivers' code: only for a project with warehouses

    reader = fetch.WarehouseReader(project, problems, cache, policy)
    out: dict[str, MetricTable] = {}
    try:
        for i, source in remote:
            got = reader.read(con, i, source)
            if got is None:
                continue
            std, layout, own = f"std_{i}", got.layout, experiments.get(source.id, [])
            tally.build_standard(con, std, got.table, layout, source, got.typed_date)
            first = own[0].id if own else None
            ok = checks.report(con, project, i, source, layout, std, got.table, got.typed_date, index, first, problems)
            if ok and one_row(con, f"SELECT coalesce(sum(w), 0) FROM {std}")[0] == 0:
                line, col = project.site_origin.at("metrics", i)
                problems.warning(
                    project.site_origin.path,
                    line,
                    col,
                    f"metric '{source.id}': {got.name} of warehouse '{source.warehouse}' has no rows yet, so it has no figures",
                    "check the table or the query's WHERE; figures appear once there are rows",
                    code="csv-no-rows",
                )
                ok = False
            joined = f"joined_{i}"
            if ok:
                con.execute(f"CREATE OR REPLACE TABLE {joined} AS {_joined_sql(std, layout)}")
                for pb in own:
                    _check_control(con, project, pb, source, layout, joined, problems)
            out[source.id] = MetricTable(source, i, got.name, layout, joined, ok, False, None, got.fetched_at, got.due)
    finally:
        reader.close()
    return out


def _site_error(project: Project, problems: Problems, keys: tuple, message: str, hint: str, *, code: str) -> None:
    line, col = project.site_origin.at(*keys)
    problems.error(project.site_origin.path, line, col, message, hint, code=code)


def _plan(
    con: duckdb.DuckDBPyConnection,
    project: Project,
    index: MapIndex,
    i: int,
    source: m.MetricSource,
    problems: Problems,
    files: dict[tuple, SourceFile],
    scratch: Path,
) -> _Plan | None:
    """Give a metric's file and located layout, or None with problems when it cannot be read."""
    path = _metric_path(project, i, source, problems)
    if (
        path is None
        or not _date_format_ok(con, project, i, source, problems)
        or not _place_ok(project, index, i, source, problems)
    ):
        return None
    if source.sheet is not None and file_kind(path) != "sheet":
        line, col = project.site_origin.at("metrics", i, "sheet")
        problems.warning(
            project.site_origin.path,
            line,
            col,
            f"metric '{source.id}': 'sheet' is ignored: {source.file} is not an Excel workbook (.xlsx)",
            "remove 'sheet:', or name the .xlsx file the sheet is in",
            code="sheet-not-a-workbook",
        )
    key = file_key(path, source)
    sf = files.get(key)
    if sf is None:
        sf = files[key] = SourceFile(con, f"src_{len(files)}", path, relpath(path, project.root), source, scratch)

    def sheet_error(message: str, hint: str, code: str) -> None:
        keys = ("metrics", i, "sheet") if ("metrics", i, "sheet") in project.site_origin.locator.values else ("metrics", i)
        _site_error(project, problems, keys, f"metric '{source.id}': {message}", hint, code=code)

    header = sf.inspect(problems, sheet_error)
    if header is None:
        return None
    layout = map_columns(header, source, i, sf.rel, project, problems)
    if layout is None:
        return None
    return _Plan(i, source, sf, layout)


def _read_metric(
    con: duckdb.DuckDBPyConnection,
    project: Project,
    index: MapIndex,
    plan: _Plan,
    problems: Problems,
    cache: TallyCache | None,
    hashes: Mapping[str, Stamp],
    experiments: list[m.Experiment],
) -> MetricTable | None:
    """Give one metric tallied, checked and joined to the maps, or None when its file cannot be read."""
    i, source, layout, sf = plan.i, plan.source, plan.layout, plan.file
    std = f"std_{i}"

    def file() -> FileRef | None:
        return sf.ref(problems)

    unique = True  # a cached tally was saved only when its respondents were unique
    if not plan.cached:
        f = file()
        if f is None:
            return None
        try:
            build_standard(con, std, f, layout, source)
        except duckdb.Error as exc:
            report_unparsable(con, f"rejects_{i}", f, layout, source, exc, problems, rowcheck.LIMIT)
            return None
        if not _has_rows(con, project, std, plan, f, problems):
            return None
        unique = _respondents_unique(con, i, plan, f, problems)
        if "comment" in layout.columns:
            comments.keep_comments(con, f"comments_{i}", f, layout, source)
        if plan.answers:
            answers.keep_answers(con, f"answers_{i}", f, layout, source)
        if cache and unique:
            key = cache.key(sf.path, source, hashes.get(sf.rel))
            if key:
                owner = f"{sf.path.resolve()}#{source.id}"
                cache.save(con, key, std, STANDARD_COLUMNS, owner)
                if "comment" in layout.columns:
                    cache.save(con, comments.cache_key(key), f"comments_{i}", comments.COMMENT_COLUMNS, owner + "#comments")
                if plan.answers:
                    cache.save(con, answers.cache_key(key), f"answers_{i}", answers.ANSWER_COLUMNS, owner + "#answers")
    # an experiment's metric must hold 0 and 1 only; the first experiment names the reason
    ok = _check_rows(con, i, source, layout, std, index, experiments[0].id if experiments else None, file, problems)
    ok = ok and unique
    joined = f"joined_{i}"
    if ok:
        con.execute(f"CREATE OR REPLACE TABLE {joined} AS {_joined_sql(std, layout)}")
        for pb in experiments:
            _check_control(con, project, pb, source, layout, joined, problems)
    kept, redactions = None, None
    if "comment" in layout.columns:  # redacted here, before any other stage sees them
        kept = f"said_{i}"
        redactions = comments.publishable(con, f"comments_{i}", kept, layout, source, project.config)
        comments.check_quotes(con, kept, project, source, problems)
    kept_answers = f"answers_{i}" if plan.answers else None
    return MetricTable(source, i, sf.rel, layout, joined, ok, plan.cached, kept, answers=kept_answers, redactions=redactions)


def _respondents_unique(con: duckdb.DuckDBPyConnection, i: int, plan: _Plan, f: FileRef, problems: Problems) -> bool:
    """Tell whether every respondent id of a metric occurs once, checked once per file and respondent column."""
    layout, sf = plan.layout, plan.file
    if "respondent" not in layout.columns:
        return True
    key = (layout.columns["respondent"], layout.status)
    if key not in sf.checked:  # metrics that share the file and the column share the answer, reported once
        sf.checked[key] = check_respondents(con, f"resp_{i}", f, layout, plan.source, problems)
    return sf.checked[key]


def _metric_path(project: Project, i: int, source: m.MetricSource, problems: Problems) -> Path | None:
    """Give a metric's file, or None with a problem when it lies outside the project or does not exist."""
    path = resolve_content_path(project.root, source.path)
    # the same words as validate, so a run that does both reports each once
    if path is None:
        _site_error(
            project,
            problems,
            ("metrics", i, "file"),
            f"metric file '{source.file}' lies outside the project",
            "put the file under content/ (e.g. content/metrics/) and write its path relative to content/",
            code="path-outside-project",
        )
        return None
    bad = not_a_file(path)
    if bad is not None:
        code, words = bad
        _site_error(
            project, problems, ("metrics", i, "file"), f"metric file 'content/{source.file}' {words}", FILE_HINTS[code], code=code
        )
        return None
    return path


def _date_format_ok(con: duckdb.DuckDBPyConnection, project: Project, i: int, source: m.MetricSource, problems: Problems) -> bool:
    """Tell whether a metric's date_format is a strftime pattern DuckDB knows (none is fine), with a problem if not.

    A pattern without a single % code (dd-mm-yyyy) would match no date at all; its strftime form is suggested.
    """
    fmt = source.date_format
    if fmt is None:
        return True
    reason = None
    if "%" not in fmt:
        reason = "it has no strftime code (such as %d), so it would match no date"
    else:
        try:
            con.execute(f"SELECT try_strptime('', {lit(fmt)})")
        except duckdb.Error as exc:
            reason = str(exc).splitlines()[0]
    if reason is None:
        return True
    suggested = strftime_of(fmt) if "%" not in fmt else None
    hint = (
        f"write it as '{suggested}' (strftime codes: %d day, %m month, %Y year, %H:%M time)"
        if suggested
        else "use strftime codes, e.g. '%d-%m-%Y' for 31-12-2026 or '%m/%d/%Y %H:%M' for 12/31/2026 14:05"
    )
    _site_error(
        project,
        problems,
        ("metrics", i, "date_format"),
        f"metric '{source.id}': date_format '{fmt}' is not a date pattern: {reason}",
        hint,
        code="invalid-date-format",
    )
    return False


def _place_ok(project: Project, index: MapIndex, i: int, source: m.MetricSource, problems: Problems) -> bool:
    """Tell whether a metric's `at:` place is in the map, with a problem at the key that is not."""
    at = source.at
    if at is None:
        return True
    if at.journey is not None and at.journey not in index.journey_model:
        _site_error(
            project,
            problems,
            ("metrics", i, "at", "journey"),
            f"metric '{source.id}': 'at' names journey '{at.journey}', which does not exist",
            did_you_mean(at.journey, index.journey_model, "journeys"),
            code="unknown-place",
        )
        return False
    if at.touchpoint is not None and at.journey is not None and at.touchpoint not in index.touchpoints.get(at.journey, {}):
        _site_error(
            project,
            problems,
            ("metrics", i, "at", "touchpoint"),
            f"metric '{source.id}': 'at' names touchpoint '{at.touchpoint}', which is not in journey '{at.journey}'",
            did_you_mean(at.touchpoint, index.touchpoints.get(at.journey, {}), f"touchpoints of journey '{at.journey}'"),
            code="unknown-place",
        )
        return False
    if at.stage is not None:
        model = index.model_of(at.journey)
        if at.stage not in index.model_stages.get(model, ()):
            _site_error(
                project,
                problems,
                ("metrics", i, "at", "stage"),
                f"metric '{source.id}': 'at' names stage '{at.stage}', which is not in stage model '{model}'",
                did_you_mean(at.stage, index.model_stages.get(model, ()), f"stages of '{model}'"),
                code="unknown-place",
            )
            return False
    return True


def _has_rows(con: duckdb.DuckDBPyConnection, project: Project, std: str, plan: _Plan, f: FileRef, problems: Problems) -> bool:
    """Tell whether a metric read any row, with an error naming the likely cause when it read none.

    A file that gives no rows never passes in silence: the metric's page would say "no figures yet".
    """
    if one_row(con, f"SELECT coalesce(sum(w), 0) FROM {std}")[0] > 0:
        return True
    layout, rel = plan.layout, plan.file.rel
    records = one_row(con, f"SELECT count(*) FROM {source_sql(f, layout, False)}")[0]
    if records and layout.status is not None:
        message = (
            f"no rows: all {records} responses are survey previews, tests or spam (column '{layout.headers[layout.status]}')"
        )
        hint = "export the data again with the real responses, or share the survey and collect some"
        problems.error(rel, 0, 0, message, hint, code="csv-no-rows")
    elif layout.kind == "csv" and _has_text_after(plan.file.path, layout):
        message = f"no rows were read from the lines after the header (from line {layout.first_data_line})"
        hint = "check the line ends and the quotes: a quote that is never closed joins every line after it; export the file again"
        problems.error(rel, 0, 0, message, hint, code="csv-no-rows")
    else:  # not in silence, yet no error: a survey just sent out has no answers yet
        problems.warning(
            rel,
            0,
            0,
            f"the file has its header but no rows yet, so metric '{plan.source.id}' has no figures",
            "export the data again once there are responses",
            code="csv-no-rows",
        )
    return False


def _has_text_after(path: Path, layout: Layout) -> bool:
    """Tell whether a CSV file holds more than white space after its header."""
    with path.open("rb") as f:
        f.seek(layout.header_bytes)
        while block := f.read(1 << 20):
            if block.strip():
                return True
    return False


def _joined_sql(std: str, layout: Layout) -> str:
    """Give the rows joined to the map: per period, journey, stage, touchpoint, segment and variant, w, a and b."""
    return (
        f"SELECT period, j AS journey, s AS stage, touchpoint, segment, variant, "
        f"coalesce(sum(w) FILTER (WHERE num_status <> {NUM_MISSING}), 0) AS w, "
        f"coalesce(sum(w) FILTER (WHERE num_status = {NUM_MISSING}), 0) AS m, sum(a) AS a, sum(b) AS b "
        f"FROM ({rowcheck.resolved_sql(std, layout)}) GROUP BY ALL"
    )


def _check_rows(
    con: duckdb.DuckDBPyConnection,
    i: int,
    source: m.MetricSource,
    layout: Layout,
    std: str,
    index: MapIndex,
    experiment: str | None,
    file,
    problems: Problems,
) -> bool:
    """Report the row problems of one metric file; give whether it has none."""
    found = rowcheck.checks(source, layout, experiment, index)
    total = rowcheck.count_problems(con, std, found)
    breaks = []
    if total == 0 and source.kind.staged:
        breaks = con.execute(rowcheck.funnel_breaks_sql(rowcheck.resolved_sql(std, layout), index, source.period)).fetchall()
        total = len(breaks)
    if total == 0:
        return True
    f = file()
    if f is None:
        return False
    rows = rows_sql(f, layout, source)
    if breaks:
        located = _locate_breaks(con, rows, layout, source.kind.number, breaks[: rowcheck.LIMIT + 1])
    else:
        located = rowcheck.locate(con, rows, std, found, layout, rowcheck.LIMIT + 1)
    lines = where.places(con, f"lines_{i}", f, layout, [p.rid for p in located])
    out = []
    for p in located:
        message, hint = p.text or rowcheck.describe(p, source, layout, index, experiment)
        code = rowcheck.code_of(p, source)
        if p.rid in lines:
            line, spans = lines[p.rid]
            out.append((line, p.col, message, hint, where.suffix(layout, line, p.col, spans), code))
        else:
            out.append((0, p.col, message, hint, where.unplaced(layout, p.rid), code))
    out.sort(key=lambda o: (o[0], o[1]))
    rowcheck.report(problems, f.rel, out, total)
    return False


def _locate_breaks(
    con: duckdb.DuckDBPyConnection, rows: str, layout: Layout, column: str, breaks: list[tuple]
) -> list[rowcheck.RowProblem]:
    """Give the first row of each funnel stage whose count exceeds the previous stage's, in one pass over the rows."""
    header = layout.header(column)
    groups = " UNION ALL ".join(
        f"SELECT {k} AS g, ?::DATE AS period, ?::VARCHAR AS j, ?::VARCHAR AS segment, ?::VARCHAR AS variant, ?::VARCHAR AS s"
        for k in range(len(breaks))
    )
    params = [v for period, _, journey, segment, variant, stage, *_ in breaks for v in (period, journey, segment, variant, stage)]
    first = dict(
        con.execute(
            f"SELECT b.g, min(r.rid) FROM ({rowcheck.resolved_sql(f'({rows})', layout)}) r JOIN ({groups}) b "
            f"ON r.period = b.period AND r.j IS NOT DISTINCT FROM b.j AND r.segment IS NOT DISTINCT FROM b.segment "
            f"AND r.variant IS NOT DISTINCT FROM b.variant AND r.s = b.s GROUP BY b.g",
            params,
        ).fetchall()
    )
    out = []
    for k, (_, label, journey, segment, variant, stage, c, prev_stage, prev_c) in enumerate(breaks):
        within = ", ".join(
            [label] + [f"{w} '{v}'" for w, v in (("journey", journey), ("segment", segment), ("variant", variant)) if v]
        )
        message = (
            f"funnel count in column '{header}': stage '{stage}' has {_whole(c)} ({within}), "
            f"more than the {_whole(prev_c)} of the stage before it, '{prev_stage}'"
        )
        hint = (
            "no stage can be reached by more customers than the stage before it in the stage model; "
            "check the counts and the stage ids"
        )
        out.append(rowcheck.RowProblem(first[k], layout.col(column), column, "funnel_order", {}, (message, hint)))
    return sorted(out, key=lambda p: p.rid)


def _whole(value) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _check_control(
    con: duckdb.DuckDBPyConnection,
    project: Project,
    pb: m.Experiment,
    source: m.MetricSource,
    layout: Layout,
    joined: str,
    problems: Problems,
) -> None:
    """Report an experiment whose control variant does not occur in its metric's variant column."""
    if pb.control is None or "variant" not in layout.columns:
        return
    variants = [
        r[0] for r in con.execute(f"SELECT DISTINCT variant FROM {joined} WHERE variant IS NOT NULL ORDER BY 1").fetchall()
    ]
    if variants and pb.control not in variants:
        origin = project.origins[("playbook", pb.id)]
        line, col = origin.at("control")
        problems.error(
            origin.path,
            line,
            col,
            f"control '{pb.control}' does not occur in column '{layout.header('variant')}' of metric '{source.id}'",
            did_you_mean(pb.control, variants, "variants"),
            code="unknown-control",
        )
