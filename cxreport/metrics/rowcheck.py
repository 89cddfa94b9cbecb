"""Row problems: every check as a SQL condition, counted on the tally and located on the rows.

A check is a condition over a standard view with the columns rid, w (rows the line stands
for), period, date_status, journey, stage, touchpoint, segment, variant and num_status.
The tally and the rows both offer that view, so the count of problems comes from the
tally (cheap) and, only when it is not 0, the rows are read again in file order to find
the first 21 and their lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from ..model import MetricSource
from ..problems import Problems, did_you_mean
from .layout import KEY_COLUMNS, Layout
from .map_index import MapIndex
from .read import number_decimal
from .sql import (
    DATE_EMPTY,
    DATE_UNREADABLE,
    NUM_EMPTY,
    NUM_NEGATIVE,
    NUM_NOT_BINARY,
    NUM_NOT_WHOLE,
    NUM_OUT_OF_RANGE,
    NUM_UNREADABLE,
    human_date_format,
    lit,
    one_row,
    period_label_sql,
)

LIMIT = 20  # problems listed per file; one more says how many were left out
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # invisible, and no page or spreadsheet should get them


@dataclass(frozen=True)
class Check:
    """One kind of row problem in one column: a SQL condition over the standard view."""

    column: str  # our column name: date, score, count, value, journey, ...
    kind: str
    condition: str

    @property
    def on_keys(self) -> bool:
        """Tell whether the check looks up ids in the maps (its outcome depends on the row's keys alone)."""
        return self.kind in ("unknown", "ambiguous", "not_in_model", "mismatch")


def checks(source: MetricSource, layout: Layout, experiment: str | None, index: MapIndex) -> list[Check]:
    """Give every check that applies to a metric file, given which columns it has."""
    cols = set(layout.columns) | set(layout.fixed)  # the rows' keys; a fixed one (`at:`) was checked once
    number = source.kind.number
    out = (
        []
        if layout.dateless
        else [
            Check("date", "empty", f"date_status = {DATE_EMPTY}"),
            Check("date", "unreadable", f"date_status = {DATE_UNREADABLE}"),
        ]
    )
    out += [
        Check(number, "empty", f"num_status = {NUM_EMPTY}"),
        Check(number, "unreadable", f"num_status = {NUM_UNREADABLE}"),
        Check(number, "negative", f"num_status = {NUM_NEGATIVE}"),
        Check(number, "not_whole", f"num_status = {NUM_NOT_WHOLE}"),
        Check(number, "out_of_range", f"num_status = {NUM_OUT_OF_RANGE}"),
    ]
    if experiment is not None:
        out.append(Check(number, "not_binary", f"num_status = {NUM_NOT_BINARY}"))
    for key in KEY_COLUMNS:
        # a segment or variant 'not answered' (missing:) leaves the row out of that breakdown only
        if key in layout.columns and not (key in ("segment", "variant") and source.missing_texts):
            out.append(Check(key, "empty", f"{key} IS NULL"))
    for key in ("segment", "variant"):  # free text shown on the site and in its downloads
        if key in layout.columns:
            out.append(Check(key, "control", f"regexp_matches({key}, {lit(CONTROL_CHARACTERS)})"))
    known_journey = "journey IN (SELECT journey FROM cx_journeys)"
    if "journey" in layout.columns:
        out.append(Check("journey", "unknown", f"journey IS NOT NULL AND NOT {known_journey}"))
    if "touchpoint" in layout.columns:
        if "journey" in cols:
            out.append(
                Check(
                    "touchpoint",
                    "unknown",
                    f"touchpoint IS NOT NULL AND {known_journey} AND NOT EXISTS "
                    "(SELECT 1 FROM cx_touchpoints t WHERE t.journey = x.journey AND t.touchpoint = x.touchpoint)",
                )
            )
        else:
            out.append(Check("touchpoint", "unknown", "touchpoint NOT IN (SELECT touchpoint FROM cx_touchpoints)"))
            out.append(
                Check(
                    "touchpoint",
                    "ambiguous",
                    "touchpoint IN (SELECT touchpoint FROM cx_touchpoints GROUP BY touchpoint HAVING count(*) > 1)",
                )
            )
    if "stage" in layout.columns:
        in_model = (
            "EXISTS (SELECT 1 FROM cx_journeys j JOIN cx_model_stages m ON m.model = j.model "
            "WHERE j.journey = x.journey AND m.stage = x.stage)"
        )
        if "journey" in cols:
            out.append(Check("stage", "not_in_model", f"stage IS NOT NULL AND {known_journey} AND NOT {in_model}"))
        else:
            in_model = f"stage IN (SELECT stage FROM cx_model_stages WHERE model = {lit(index.default_model)})"
            if "touchpoint" not in cols:
                out.append(Check("stage", "unknown", f"stage IS NOT NULL AND NOT {in_model}"))
        if "touchpoint" in cols:
            same = "t.journey = x.journey AND " if "journey" in cols else ""
            unique = (
                ""
                if "journey" in cols
                else (" AND touchpoint NOT IN (SELECT touchpoint FROM cx_touchpoints GROUP BY touchpoint HAVING count(*) > 1)")
            )
            guard = f" AND {in_model}" if "journey" in cols else ""
            out.append(
                Check(
                    "stage",
                    "mismatch",
                    f"stage IS NOT NULL{guard}{unique} AND EXISTS (SELECT 1 FROM cx_touchpoints t "
                    f"WHERE {same}t.touchpoint = x.touchpoint AND t.stage <> x.stage)",
                )
            )
    return out


def count_problems(con: duckdb.DuckDBPyConnection, view: str, found: list[Check]) -> int:
    """Give how many problems the rows behind a view have (each row counts w times), in one pass over it."""
    counts = ", ".join(f"coalesce(sum(w) FILTER (WHERE {c.condition}), 0)" for c in found)
    return int(sum(one_row(con, f"SELECT {counts} FROM {view} x")))


def resolved_sql(view: str, layout: Layout) -> str:
    """Give a SELECT of a standard view with each row's journey and stage, found from its touchpoint when needed."""
    cols = set(layout.columns) | set(layout.fixed)
    if "touchpoint" not in cols:
        return f"SELECT x.*, x.journey AS j, x.stage AS s FROM {view} x"
    on = "tp.touchpoint = x.touchpoint" + (" AND tp.journey = x.journey" if "journey" in cols else "")
    j = "x.journey" if "journey" in cols else "tp.journey"
    s = "x.stage" if "stage" in cols else "tp.stage"
    return f"SELECT x.*, {j} AS j, {s} AS s FROM {view} x LEFT JOIN cx_touchpoints tp ON {on}"


def funnel_breaks_sql(resolved: str, index: MapIndex, period: str) -> str:
    """Give the funnel stages whose count is larger than the previous stage's.

    Stages in the model's order, within the same journey, period, segment and variant.
    """
    return f"""
        WITH s AS (SELECT period, j, segment, variant, s AS stage, sum(a) AS c FROM ({resolved}) GROUP BY ALL),
        o AS (SELECT s.*, m.ord FROM s LEFT JOIN cx_journeys jm ON jm.journey = s.j
              JOIN cx_model_stages m ON m.model = coalesce(jm.model, {lit(index.default_model)}) AND m.stage = s.stage),
        w AS (SELECT *, lag(c) OVER win AS prev_c, lag(stage) OVER win AS prev_stage FROM o
              WINDOW win AS (PARTITION BY period, j, segment, variant ORDER BY ord))
        SELECT period, {period_label_sql("period", period)} AS label, j, segment, variant, stage, c, prev_stage, prev_c
        FROM w WHERE c > prev_c ORDER BY period, j, segment, variant, ord"""


# --- lines -------------------------------------------------------------------------


def _quote_state_patterns(delimiter: str) -> tuple[str, str, str]:
    """Give regexes for a line that leaves a quoted field open: from outside quotes, and two from inside one.

    As DuckDB reads CSV: a field is quoted only when it starts with a quote; inside it a
    doubled quote is a quote; a quote inside an unquoted field is just a character.
    """
    d = re.escape(delimiter)
    quoted = '"(?:[^"]|"")*"'
    unquoted = f'(?:[^"{d}][^{d}]*)?'
    field = f"(?:{quoted}|{unquoted})"
    still_open = '"(?:[^"]|"")*'
    out_to_in = f"(?:{field}{d})*{still_open}"
    in_to_in = '(?:[^"]|"")*'
    in_to_in_again = f'(?:[^"]|"")*"(?:{d}{field})*{d}{still_open}'
    return out_to_in, in_to_in, in_to_in_again


def record_lines(
    con: duckdb.DuckDBPyConnection, name: str, lines_from: str, layout: Layout, rids: list[int], record_count: int
) -> dict[int, tuple[int, bool]]:
    """Give, for records (0-based, in file order), the line each starts on and whether it spans more lines.

    The file is read once more as plain lines. Each line maps the state "inside a quoted
    field or not" at its start to the state at its end; that map is the identity (always,
    for a line without a quote), a flip or a constant. After each constant line the state
    is that constant flipped once per flipping line since, so the state at every line is a
    running sum in SQL (no loop over rows), streamed in file order.
    A record starts on a line that begins outside quotes and is not blank (DuckDB skips
    blank lines). Empty when the count of records found disagrees with the rows read.
    """
    if not rids:
        return {}
    out_to_in, in_to_in, in_to_in_again = (lit(p) for p in _quote_state_patterns(layout.delimiter))
    try:
        # each line judged as it is read: the table keeps three flags a line, not its text
        con.execute(f"""CREATE OR REPLACE TABLE {name} AS SELECT coalesce(l, '') = '' AS blank,
                            contains(l, '"') AND regexp_full_match(l, {out_to_in}) AS o,
                            l IS NULL OR NOT contains(l, '"') OR regexp_full_match(l, {in_to_in})
                                OR regexp_full_match(l, {in_to_in_again}) AS i
                        FROM {lines_from}""")
        # streaming windows (no ORDER BY: the flags table keeps the file's order), so memory stays small
        running = "OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
        inside = "(coalesce(last_fixed % 2, 0) + flips - coalesce(flips_then, 0)) % 2 = 1"  # after the line
        wanted = ", ".join(str(r) for r in rids)
        rows, last = one_row(
            con,
            f"""
            WITH f AS (SELECT rowid + 1 AS line, blank, coalesce(o, false) AS o, i FROM {name} WHERE rowid >= {layout.skip}),
            k AS (SELECT *, o = i AS fixed, o AND NOT i AS flip FROM f),
            s AS (SELECT *, sum(flip::INTEGER) {running} AS flips FROM k),
            t AS (SELECT *, max(CASE WHEN fixed THEN line * 2 + o::INTEGER END) {running} AS last_fixed,
                            max(CASE WHEN fixed THEN flips END) {running} AS flips_then FROM s),
            a AS (SELECT line, blank, {inside} AS inside_after FROM t),
            b AS (SELECT *, coalesce(lag(inside_after) OVER (), false) AS inside_before FROM a),
            c AS (SELECT line, inside_after AS spans, NOT inside_before AND NOT blank AS starts FROM b),
            d AS (SELECT *, sum(starts::INTEGER) {running} - {1 + layout.header_records} AS rec FROM c)
            SELECT list([rec, line, spans::INTEGER]) FILTER (WHERE starts AND rec IN ({wanted})), max(rec) FILTER (WHERE starts)
            FROM d
        """,
        )
    except duckdb.Error:
        return {}
    finally:
        con.execute(f"DROP TABLE IF EXISTS {name}")
    if last is None or last + 1 != record_count:
        return {}
    return {rec: (line, bool(spans)) for rec, line, spans in rows or []}


# --- messages ----------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """A located problem before it gets its words: the row (0-based), the column and what is wrong."""

    rid: int
    col: int
    name: str
    kind: str
    values: dict
    text: tuple[str, str] | None = None  # (message, hint) when the check words it itself


_RAW = ["date_raw", "num_raw", "journey", "stage", "touchpoint", "segment", "variant"]


def _failed(found: list[Check], indexes: list[int]) -> str:
    """Give a SQL list of the indexes of the checks a line fails."""
    return (
        "list_filter(["
        + ", ".join(f"CASE WHEN {found[i].condition} THEN {i} END" for i in indexes)
        + "], lambda f: f IS NOT NULL)"
    )


def locate(
    con: duckdb.DuckDBPyConnection, rows: str, std: str, found: list[Check], layout: Layout, limit: int
) -> list[RowProblem]:
    """Give the first `limit` problems of judged rows (read.rows_sql), in file order, in one pass over them.

    The checks that look ids up in the maps run once per distinct set of keys (from the
    tally); the rows are only matched against the few sets that fail. The other checks run
    on each row. Only the first rows with a problem are kept, so memory stays small however
    large the file.
    """
    local = [i for i, c in enumerate(found) if not c.on_keys]
    keyed = [i for i, c in enumerate(found) if c.on_keys]
    keys = ("journey", "stage", "touchpoint")
    key_failed: dict[tuple, list[int]] = {}
    if keyed:
        key_failed = {
            tuple(row[:3]): row[3]
            for row in con.execute(
                f"SELECT {', '.join(keys)}, {_failed(found, keyed)} FROM (SELECT DISTINCT {', '.join(keys)} FROM {std}) x "
                f"WHERE {' OR '.join('(' + found[i].condition + ')' for i in keyed)}"
            ).fetchall()
        }
    where = "len(local) > 0"
    if key_failed:
        # one text per set of keys, NULL-safe; the IN list is the small side of the match
        composite = "concat_ws(chr(31), " + ", ".join(f"coalesce({k}, chr(0))" for k in keys) + ")"
        sets = ", ".join("(" + ", ".join("NULL::VARCHAR" if v is None else lit(v) for v in key) + ")" for key in key_failed)
        where += f" OR {composite} IN (SELECT {composite} FROM (VALUES {sets}) AS bad({', '.join(keys)}))"
    sql = (
        f"WITH r AS (SELECT rid, {_failed(found, local)} AS local, {', '.join(_RAW)} FROM ({rows}) x) "
        f"SELECT rid, local, {', '.join(_RAW)} FROM r WHERE {where} ORDER BY rid LIMIT {limit}"
    )
    out = []
    for rid, row_failed, *raw in con.execute(sql).fetchall():
        values = dict(zip(_RAW, raw, strict=False))
        failed = row_failed + key_failed.get(tuple(values[k] for k in keys), [])
        out += [
            RowProblem(rid, layout.col(c.column), c.column, c.kind, values)
            for c in sorted((found[i] for i in failed), key=lambda c: layout.col(c.column))
        ]
    return out[:limit]


def describe(p: RowProblem, source: MetricSource, layout: Layout, index: MapIndex, experiment: str | None) -> tuple[str, str]:
    """Give the message and hint of a located row problem, naming the column's header and the value."""
    header = layout.headers[p.col - 1]
    value = {"date": p.values["date_raw"], source.kind.number: p.values["num_raw"]}.get(p.name, p.values.get(p.name))
    where = f"in column '{header}'"
    kind, name = p.kind, p.name
    if kind == "empty":
        return f"empty cell {where}: every row needs a {name}", f"fill in the {name}, or remove the row"
    if kind == "control":
        char = next(c for c in str(value) if re.match(CONTROL_CHARACTERS, c))
        shown = str(value).encode("unicode_escape").decode("ascii")
        return (
            f"cell {where} holds the invisible control character U+{ord(char):04X}: '{shown}'",
            "remove the character (export the file again, or retype the cell); it would show as a blank or a box",
        )
    if name == "date":
        human = human_date_format(source.date_format)
        hint = (
            f"check the date; dates in this file are read as {human} (date_format '{source.date_format}')"
            if source.date_format
            else "write dates as yyyy-mm-dd, or declare the file's pattern with 'date_format:' in site.yml, e.g. '%d-%m-%Y'"
        ) + "; a date must lie in the years 1900 to 2199"
        return f"unreadable date '{value}' {where}: expected {human}", hint
    if name == source.kind.number:
        return _number_message(kind, name, str(value), where, source, layout, experiment)
    if name == "journey":
        return f"unknown journey '{value}' {where}", did_you_mean(str(value), index.journey_model, "journeys")
    if name == "touchpoint":
        journey = _key(p, "journey")
        if kind == "ambiguous":
            return (
                f"touchpoint '{value}' {where} is in more than one journey ({', '.join(index.journeys_of(str(value)))})",
                "add a journey column to the file and map it under the metric's 'columns:' in site.yml, e.g. 'journey: Journey'",
            )
        if layout.has("journey"):
            return (
                f"unknown touchpoint '{value}' of journey '{journey}' {where}",
                did_you_mean(str(value), index.touchpoints.get(journey, {}), f"touchpoints of journey '{journey}'"),
            )
        return f"unknown touchpoint '{value}' {where}", did_you_mean(str(value), index.all_touchpoints(), "touchpoints")
    if name == "stage":
        journey = _key(p, "journey")
        if kind == "mismatch":
            tp = _key(p, "touchpoint")
            owners = [journey] if journey else index.journeys_of(tp)
            actual = index.touchpoints.get(owners[0], {}).get(tp) if owners else None
            return (
                f"stage '{value}' {where} does not match touchpoint '{tp}', which is in stage '{actual}'",
                "correct the stage or the touchpoint: a touchpoint's rows count for its own stage",
            )
        model = index.model_of(journey if layout.has("journey") else None)
        of = f" of journey '{journey}'" if layout.has("journey") else " (the site's stage_model)"
        return (
            f"stage '{value}' {where} is not in stage model '{model}'{of}",
            did_you_mean(str(value), index.model_stages.get(model, ()), f"stages of '{model}'"),
        )
    return f"{kind} {name} '{value}' {where}", ""


def _key(p: RowProblem, name: str) -> str:
    """Give the text of a row's key cell ('' for an empty one)."""
    value = p.values.get(name)
    return "" if value is None else str(value)


_NUMBER_CODES = {
    "unreadable": "csv-unreadable-number",
    "not_whole": "csv-not-whole-number",
    "out_of_range": "csv-score-out-of-range",
    "negative": "csv-negative-count",
    "not_binary": "csv-not-binary",
}


def code_of(p: RowProblem, source: MetricSource) -> str:
    """Give the problem code of a located row problem, as describe words it."""
    kind, name = p.kind, p.name
    if kind in ("empty", "control", "funnel_order"):
        return {"empty": "csv-empty-cell", "control": "csv-control-character", "funnel_order": "funnel-order"}[kind]
    if name == "date":
        return "csv-unreadable-date"
    if name == source.kind.number:
        if kind == "unreadable" and source.values:
            return "csv-unknown-answer"
        return _NUMBER_CODES.get(kind, "csv-invalid-cell")
    if name == "journey":
        return "csv-unknown-journey"
    if name == "touchpoint":
        return "csv-ambiguous-touchpoint" if kind == "ambiguous" else "csv-unknown-touchpoint"
    if name == "stage":
        return "csv-stage-mismatch" if kind == "mismatch" else "csv-unknown-stage"
    return "csv-invalid-cell"


def _number_message(
    kind: str, name: str, value: str, where: str, source: MetricSource, layout: Layout, experiment: str | None
) -> tuple[str, str]:
    if kind == "unreadable" and source.values:
        listed = list(source.values)
        return (
            f"answer '{value}' {where} is neither a number nor one of the answers under 'values'",
            did_you_mean(value, listed, "answers in 'values'")
            + f"; add it to 'values' of metric '{source.id}' in site.yml, or to 'missing' if it means 'not answered'",
        )
    if kind == "unreadable":
        decimal, thousands = number_decimal(layout, source)
        other = "." if decimal == "," else ","
        if other in value and thousands != other:
            hint = (
                f"if '{other}' separates thousands here, declare 'thousands: \"{other}\"' for metric '{source.id}' "
                f"in site.yml; if it is the decimal mark, declare 'decimal: \"{other}\"'"
            )
            return f"unreadable number '{value}' {where}: this file's decimal mark is '{decimal}'", hint
        return f"unreadable number '{value}' {where}", f"write a plain number, e.g. 8 or 7{decimal}5"
    if kind == "not_whole":
        what = "a score" if source.kind.scored else "a count of customers"
        return f"{name} '{value}' {where} is not a whole number", f"{what} is a whole number"
    if kind == "out_of_range" and source.kind.score_range is not None:
        lo, hi = source.kind.score_range
        return (
            f"score '{value}' {where} is out of range: {source.kind.article} {source.type} score is {lo} to {hi}",
            source.kind.scale_hint,
        )
    if kind == "negative":
        return f"count '{value}' {where} is negative", "a funnel count is a number of customers, 0 or more"
    if kind == "not_binary":
        return (
            f"value '{value}' {where} must be 0 or 1: experiment '{experiment}' counts a 1 as a conversion",
            "write 1 for a visit that converted and 0 for one that did not",
        )
    return f"{kind} {name} '{value}' {where}", ""


def report(
    problems: Problems, rel: str, located: list[tuple[int, int, str, str, str, str]], total: int, limit: int = LIMIT
) -> None:
    """Add located problems (line, col, message, hint, where, code) to problems: the first `limit`, then how many more."""
    for line, col, message, hint, suffix, code in located[:limit]:
        problems.error(rel, line, col, message + suffix, hint, code=code)
    if total > limit:
        line, col = (located[limit][0], located[limit][1]) if len(located) > limit else (0, 0)
        more = total - limit
        problems.error(
            rel,
            line,
            col,
            f"{more} more problem{'s' * (more != 1)} in this file from here on (only the first {limit} are listed)",
            "fix the problems above and check again; the rest are often the same mistake",
            code="more-problems",
        )
