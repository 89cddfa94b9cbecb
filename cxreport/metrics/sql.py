"""How one cell of a metric file is read: dates, numbers and periods as DuckDB SQL expressions.

The same expressions judge a cell in the fast pass (a tally of the whole file) and in the
row-by-row pass that finds the lines of problems, so both always agree. A cell's status is
a small number; 0 means it read well.
"""

from __future__ import annotations

import duckdb

from ..kinds import MetricKind
from ..model import MetricSource

# date status
DATE_OK, DATE_EMPTY, DATE_UNREADABLE = 0, 1, 2
# number status (score, count, value)
NUM_OK, NUM_UNREADABLE, NUM_NEGATIVE, NUM_NOT_WHOLE, NUM_OUT_OF_RANGE, NUM_NOT_BINARY, NUM_EMPTY = 0, 1, 2, 3, 4, 6, 7
NUM_MISSING = 8  # a 'not answered' text (missing:): no problem, and not counted in n

_TIME_CODES = ("%H", "%I", "%M", "%S", "%p", "%f", "%z", "%Z", "%T", "%R", "%X", "%c", "%s", "%g", "%n")

# A number after the decimal mark is made a point: digits with one optional point, an optional exponent.
_NUMBER_RE = r"[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?"


def one_row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    """Give the row of a query that gives exactly one, such as an aggregate without GROUP BY."""
    row = con.execute(sql).fetchone()
    if row is None:
        raise duckdb.Error(f"no row from: {sql[:80]}")
    return row


def lit(text: str) -> str:
    """Give text as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def decimal_mark(source: MetricSource, delimiter: str) -> str:
    """Give the decimal mark: declared, else ',' for semicolon files and '.' otherwise."""
    return source.decimal or ("," if delimiter == ";" else ".")


FIRST_DAY, LAST_DAY = "1900-01-01", "2199-12-31"  # a date outside these is a typo or a placeholder, not an answer


def in_range(date: str) -> str:
    """Give a DATE expression NULL (unreadable) outside the years 1900 to 2199: -0001-01-01, 294247-01-10, 0001-01-01."""
    return f"CASE WHEN {date} BETWEEN DATE '{FIRST_DAY}' AND DATE '{LAST_DAY}' THEN {date} END"


def date_sql(raw: str, date_format: str | None) -> str:
    """Give a DATE expression for a text cell: ISO 8601 (a time part is allowed) or the declared strftime pattern."""
    if date_format is None:
        # never TRY_CAST a bare CSV column: DuckDB 2.0 pushes that cast into the reader as a hard one,
        # so one bad date fails the whole read (duckdb/duckdb#23818); nullif keeps it an expression
        return in_range(f"TRY_CAST(nullif({raw}, '') AS DATE)")
    parsed = f"try_strptime(trim({raw}), {lit(date_format)})"
    if not any(code in date_format for code in _TIME_CODES):
        # a date pattern on a cell that carries a time too (Google Forms, SurveyMonkey): the time is ignored,
        # as for ISO dates; the cell is cut after as many words as the pattern has
        words = len(date_format.split())
        first = f"array_to_string(string_split(regexp_replace(trim({raw}), '\\s+', ' ', 'g'), ' ')[1:{words}], ' ')"
        parsed = f"coalesce({parsed}, try_strptime(regexp_replace({first}, 'T[0-9].*$', ''), {lit(date_format)}))"
    return in_range(f"CAST({parsed} AS DATE)")


def date_status_sql(raw: str, parsed: str) -> str:
    """Give the status of a date cell whose parsed date is `parsed`: read, empty or unreadable."""
    return (
        f"CASE WHEN {parsed} IS NOT NULL THEN {DATE_OK} WHEN {raw} IS NULL OR trim({raw}) = '' THEN {DATE_EMPTY} "
        f"ELSE {DATE_UNREADABLE} END"
    )


def period_sql(parsed: str, period: str) -> str:
    """Give the first day of the period (week: the ISO week's Monday) a date falls in."""
    return f"CAST(date_trunc({lit(period)}, {parsed}) AS DATE)"


def period_label_sql(start: str, period: str) -> str:
    """Give a period's label from its first day: 2026-03, 2026-Q1 or 2026-W07 (ISO week-year)."""
    if period == "month":
        return f"strftime({start}, '%Y-%m')"
    if period == "quarter":
        return f"CAST(year({start}) AS VARCHAR) || '-Q' || CAST(quarter({start}) AS VARCHAR)"
    return f"strftime({start}, '%G-W%V')"


def number_text_sql(raw: str, decimal: str, thousands: str | None) -> str:
    """Give a cell as text with the thousands separators dropped and a point as decimal mark, NULL if it mixes marks.

    Without a declared thousands separator the other mark makes a number unreadable: in a
    decimal-comma file '1.234' is refused, never guessed to be 1234 or 1.234.
    """
    text = f"trim({raw})"
    if thousands:
        for mark in [" ", "\u00a0", "\u202f"] if thousands == " " else [thousands]:
            text = f"replace({text}, {lit(mark)}, '')"
    other = "." if decimal == "," else ","
    if decimal == ",":
        return f"CASE WHEN contains({text}, {lit(other)}) THEN NULL ELSE replace({text}, ',', '.') END"
    return f"CASE WHEN contains({text}, {lit(other)}) THEN NULL ELSE {text} END"


def number_sql(text: str, as_type: str = "DOUBLE") -> str:
    """Give a number from normalised text (number_text_sql), NULL when it is not a plain decimal number."""
    return f"CASE WHEN regexp_full_match({text}, {lit(_NUMBER_RE)}) THEN TRY_CAST({text} AS {as_type}) END"


def number_status_sql(raw: str, number: str, kind: MetricKind) -> str:
    """Give the status of a kind's score, count or value cell whose parsed number is `number`.

    A score must be whole and on the kind's scale; a count whole and 0 or more; a value any
    number, marked when it is neither 0 nor 1 (what an experiment's metric must hold).
    """
    head = f"CASE WHEN {raw} IS NULL OR trim({raw}) = '' THEN {NUM_EMPTY} WHEN {number} IS NULL THEN {NUM_UNREADABLE} "
    if kind.score_range is not None:
        lo, hi = kind.score_range
        return head + (
            f"WHEN {number} <> floor({number}) THEN {NUM_NOT_WHOLE} "
            f"WHEN {number} < {lo} OR {number} > {hi} THEN {NUM_OUT_OF_RANGE} ELSE {NUM_OK} END"
        )
    if kind.whole:
        return (
            head
            + f"WHEN {number} < 0 THEN {NUM_NEGATIVE} WHEN {number} <> floor({number}) THEN {NUM_NOT_WHOLE} ELSE {NUM_OK} END"
        )
    return head + f"WHEN {number} NOT IN (0, 1) THEN {NUM_NOT_BINARY} ELSE {NUM_OK} END"


def plain_scores_sql(kind: MetricKind) -> str:
    """Give the SQL list of a score kind's scores as plainly written texts: '0', '1', ... '10' for nps."""
    if kind.score_range is None:
        raise ValueError(f"metric type '{kind.name}' has no scores")
    lo, hi = kind.score_range
    return ", ".join(lit(str(v)) for v in range(lo, hi + 1))


def human_date_format(date_format: str | None) -> str:
    """Give a date pattern as a spreadsheet user reads it: %d-%m-%Y -> dd-mm-yyyy."""
    if date_format is None:
        return "yyyy-mm-dd"
    out = date_format
    for code, word in (
        ("%d", "dd"),
        ("%m", "mm"),
        ("%Y", "yyyy"),
        ("%y", "yy"),
        ("%H", "hh"),
        ("%M", "mm"),
        ("%S", "ss"),
        ("%-d", "d"),
        ("%-m", "m"),
        ("%b", "mon"),
        ("%B", "month"),
    ):
        out = out.replace(code, word)
    return out


_HUMAN_CODES = (("yyyy", "%Y"), ("yy", "%y"), ("dd", "%d"), ("d", "%-d"), ("hh", "%H"), ("ss", "%S"))


def strftime_of(human: str) -> str | None:
    """Give the strftime pattern of a date written as a spreadsheet user writes it (dd-mm-yyyy -> %d-%m-%Y), or None."""
    out, rest, time = "", human, False
    while rest:
        low = rest.lower()
        if low.startswith("mm"):
            out += "%M" if time else "%m"
            rest = rest[2:]
            continue
        if low.startswith("m") and not low.startswith("mon"):
            out += "%M" if time else "%-m"
            rest = rest[1:]
            continue
        for word, code in _HUMAN_CODES:
            if low.startswith(word):
                out += code
                rest = rest[len(word) :]
                time = time or word == "hh"
                break
        else:
            if rest[0].isalpha():
                return None
            out += rest[0]
            rest = rest[1:]
    return out if "%" in out else None
