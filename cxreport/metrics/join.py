"""join_metrics: read and check every declared metric file and join its rows to the maps."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .. import model as m
from ..fingerprints import Stamp
from ..limits import FILE_HINTS, not_a_file
from ..loader import Project, relpath, resolve_content_path
from ..problems import Problems, did_you_mean
from . import rowcheck
from .cache import TallyCache
from .layout import Layout, inspect_csv, inspect_parquet, map_columns
from .map_index import MapIndex
from .read import (
    STANDARD_COLUMNS,
    FileRef,
    build_standard,
    lines_from,
    report_unparsable,
    rows_sql,
    transcode,
)
from .sql import lit, one_row

PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True)
class MetricTable:
    """One metric's rows, tallied in DuckDB, and what the file offers (which key columns)."""

    source: m.MetricSource
    index: int  # position in site.yml's metrics
    rel: str  # the file, relative to the project: content/metrics/nps.csv
    layout: Layout
    joined: str  # a table: period, journey, stage, touchpoint, segment, variant, w and the sums a, b
    ok: bool  # no row problems: its figures can be computed
    cached: bool  # the tally came from the cache

    @property
    def places(self) -> tuple[str, ...]:
        """Give the levels of the map the rows reach: journey, stage, touchpoint (a touchpoint gives the other two)."""
        cols = self.layout.columns
        out = []
        if "journey" in cols or "touchpoint" in cols:
            out.append("journey")
        if "stage" in cols or "touchpoint" in cols:
            out.append("stage")
        if "touchpoint" in cols:
            out.append("touchpoint")
        return tuple(out)

    def has(self, column: str) -> bool:
        return column in self.layout.columns


@dataclass
class MetricData:
    """Every metric read: the DuckDB connection holding the tallies, and one MetricTable per metric id."""

    con: duckdb.DuckDBPyConnection
    index: MapIndex
    tables: Mapping[str, MetricTable] = field(default_factory=dict)

    def close(self) -> None:
        self.con.close()


def join_metrics(
    project: Project, problems: Problems, cache_dir: Path | None = None, hashes: Mapping[str, Stamp] | None = None
) -> MetricData:
    """Give every declared metric read, checked row by row and joined to the maps; problems go to `problems`.

    With a cache folder, an unchanged file's tally is taken from there instead of reading the file. hashes
    (file relative to the project -> its fingerprints.Stamp, record.fingerprint)
    spares hashing a file the build hashed already.
    """
    con = duckdb.connect()
    index = MapIndex.of(project)
    index.register(con)
    cache = TallyCache(cache_dir) if cache_dir is not None else None
    experiments: dict[str, list[m.Experiment]] = {}
    for pb in project.playbooks.values():  # sorted by id
        if isinstance(pb, m.Experiment) and pb.metric:
            experiments.setdefault(pb.metric, []).append(pb)
    tables: dict[str, MetricTable] = {}
    with tempfile.TemporaryDirectory(prefix="cxreport-") as scratch:
        # should DuckDB need to spill (reading a huge file's rows again to find problems), it does so here,
        # never in the folder cxreport was started from
        con.execute(f"SET temp_directory = {lit(str(Path(scratch) / 'duckdb'))}")
        for i, source in enumerate(project.config.metrics):
            if source.id in tables:
                continue  # validate reports the second declaration
            table = _read_metric(
                con, project, index, i, source, problems, cache, experiments.get(source.id, []), Path(scratch), hashes or {}
            )
            if table is not None:
                tables[source.id] = table
        con.execute("SET temp_directory = ''")  # the scratch folder goes; the tables left are small
    return MetricData(con, index, tables)


def _site_error(project: Project, problems: Problems, keys: tuple, message: str, hint: str, *, code: str) -> None:
    line, col = project.site_origin.at(*keys)
    problems.error(project.site_origin.path, line, col, message, hint, code=code)


def _read_metric(
    con: duckdb.DuckDBPyConnection,
    project: Project,
    index: MapIndex,
    i: int,
    source: m.MetricSource,
    problems: Problems,
    cache: TallyCache | None,
    experiments: list[m.Experiment],
    scratch: Path,
    hashes: Mapping[str, Stamp],
) -> MetricTable | None:
    """Give one metric read, tallied, checked and joined to the maps, or None when its file cannot be read."""
    path = _metric_path(project, i, source, problems)
    if path is None or not _date_format_ok(con, project, i, source, problems):
        return None
    rel = relpath(path, project.root)
    is_parquet = path.suffix.lower() in PARQUET_SUFFIXES
    layout = inspect_parquet(con, path, rel, problems) if is_parquet else inspect_csv(path, rel, source, problems)
    if layout is None:
        return None
    layout = map_columns(layout, source, i, rel, project, problems)
    if layout is None:
        return None

    readable: list[FileRef] = []

    def file() -> FileRef | None:
        """Give the file DuckDB reads, transcoding a cp1252 file once, when first needed."""
        if not readable:
            if not is_parquet and source.encoding == "cp1252":
                copy = transcode(path, rel, source, (cache.scratch() if cache else None) or scratch, problems)
                if copy is None:
                    return None
                readable.append(FileRef(copy, rel, "cp1252"))
            else:
                readable.append(FileRef(path, rel, source.encoding))
        return readable[0]

    std = f"std_{i}"  # a table, not a view: the checks, the join and the cache all read it
    cached = _tally(con, std, i, path, source, layout, cache, hashes.get(rel), file, problems)
    if cached is None:
        return None
    # an experiment's metric must hold 0 and 1 only; the first experiment names the reason
    ok = _check_rows(con, i, source, layout, std, index, experiments[0].id if experiments else None, file, problems)
    joined = f"joined_{i}"
    if ok:
        con.execute(f"CREATE OR REPLACE TABLE {joined} AS {_joined_sql(std, layout)}")
        for pb in experiments:
            _check_control(con, project, pb, source, layout, joined, problems)
    return MetricTable(source, i, rel, layout, joined, ok, cached)


def _metric_path(project: Project, i: int, source: m.MetricSource, problems: Problems) -> Path | None:
    """Give a metric's file, or None with a problem when it lies outside the project or does not exist."""
    path = resolve_content_path(project.root, source.file)
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
    """Tell whether DuckDB knows a metric's date_format (no date_format is fine), with a problem when it does not."""
    if source.date_format is not None:
        try:
            con.execute(f"SELECT try_strptime('', {lit(source.date_format)})")
        except duckdb.Error as exc:
            _site_error(
                project,
                problems,
                ("metrics", i, "date_format"),
                f"metric '{source.id}': date_format '{source.date_format}' is not a date pattern ({str(exc).splitlines()[0]})",
                "use strftime codes, e.g. '%d-%m-%Y' for 31-12-2026",
                code="invalid-date-format",
            )
            return False
    return True


def _tally(
    con: duckdb.DuckDBPyConnection,
    std: str,
    i: int,
    path: Path,
    source: m.MetricSource,
    layout: Layout,
    cache: TallyCache | None,
    fingerprint: Stamp | None,
    file: Callable[[], FileRef | None],
    problems: Problems,
) -> bool | None:
    """Make table std, the metric's tally, from the cache or from one scan of the file; give whether it was cached.

    None when the file cannot be read (the problems say why).
    """
    key = cache.key(path, source, fingerprint) if cache else None
    cached = bool(cache and key and cache.load(con, key, std, STANDARD_COLUMNS))
    if not cached:
        f = file()
        if f is None:
            return None
        try:
            build_standard(con, std, f, layout, source)
        except duckdb.Error as exc:
            report_unparsable(con, f"rejects_{i}", f, layout, source, exc, problems, rowcheck.LIMIT)
            return None
        if cache and key:
            cache.save(con, key, std, STANDARD_COLUMNS, f"{path.resolve()}#{source.id}")
    return cached


def _joined_sql(std: str, layout: Layout) -> str:
    """Give the rows joined to the map: per period, journey, stage, touchpoint, segment and variant, w, a and b."""
    return (
        f"SELECT period, j AS journey, s AS stage, touchpoint, segment, variant, sum(w) AS w, sum(a) AS a, sum(b) AS b "
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
    lines = {}
    if layout.kind == "csv":
        count = one_row(con, f"SELECT sum(w) FROM {std}")[0]
        lines = rowcheck.record_lines(con, f"lines_{i}", lines_from(f, layout), layout, sorted({p.rid for p in located}), count)
    out = []
    for p in located:
        message, hint = p.text or rowcheck.describe(p, source, layout, index, experiment)
        code = rowcheck.code_of(p, source)
        if layout.kind == "parquet":
            out.append((p.rid + 1, p.col, message, hint, f" (row {p.rid + 1})", code))
        elif p.rid in lines:
            line, spans = lines[p.rid]
            out.append((line, p.col, message, hint, f" (record starting on line {line})" if spans else "", code))
        else:
            out.append((0, p.col, message, hint, f" (record {p.rid + 1} after the header)", code))
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
