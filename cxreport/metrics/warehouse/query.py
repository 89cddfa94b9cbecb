"""The SQL cxreport sends: built as a sqlglot tree, identifiers quoted, written in the engine's dialect.

Two statements per metric: a probe that returns no row (the source's columns and their types) and the tally,
one GROUP BY that returns the counts a metric's figures and row checks need. Nothing from site.yml is pasted
into SQL text: table and column names become quoted identifiers, a `query:` is parsed and refused unless it is
one SELECT. Only what translates faithfully is used: COUNT, SUM, MIN, CASE, CAST to DATE, FLOOR, and DATE_TRUNC
to month or quarter (to the ISO week only where the engine's week starts on Monday); no percentiles, no FILTER,
no GROUP BY ALL or ordinals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from .engines import DATE, NUMBER

# dialects whose DATE_TRUNC('MONTH' | 'QUARTER') sqlglot writes faithfully; and those whose week is ISO (Monday)
TRUNCATES = {"postgres", "redshift", "spark", "databricks", "duckdb", "trino", "presto", "snowflake", "bigquery"}
ISO_WEEK = {"postgres", "redshift", "spark", "databricks", "duckdb", "trino", "presto"}
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")
_FOLD = {"postgres": str.lower, "redshift": str.lower, "snowflake": str.upper}


class QueryError(ValueError):
    """A `query:` or `table:` cxreport will not send: the words say why."""


def ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def table_expr(table: str, dialect: str) -> exp.Table:
    """Give `schema.table` (or catalog.schema.table) as quoted identifiers; plain names folded as the engine does."""
    parts = [p.strip() for p in table.split(".")]
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise QueryError(f"'{table}' is not a table name: write table, schema.table or catalog.schema.table")
    fold = _FOLD.get(dialect)
    parts = [fold(p) if fold and _PLAIN.match(p) else p for p in parts]
    names = [None] * (3 - len(parts)) + parts
    catalog, db, name = names
    return exp.Table(
        this=ident(name or ""),
        db=ident(db) if db else None,
        catalog=ident(catalog) if catalog else None,
    )


_WRITES = (exp.DML, exp.DDL, exp.Command, exp.Into, exp.Lock, exp.Set, exp.Transaction, exp.Commit, exp.Rollback)


def parse_select(query: str, dialect: str) -> exp.Query:
    """Give a `query:` parsed, or raise QueryError when it is not exactly one SELECT that only reads."""
    try:
        statements = [s for s in sqlglot.parse(query, read=dialect) if s is not None]
    except SqlglotError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "it does not parse"
        raise QueryError(f"the query is not SQL cxreport can read ({first})") from None
    if len(statements) != 1:
        raise QueryError(f"the query holds {len(statements)} statements; give exactly one SELECT")
    stmt = statements[0]
    if not isinstance(stmt, exp.Query):
        raise QueryError(f"the query is a {stmt.key.upper()} statement, not a SELECT: cxreport only reads")
    for node in stmt.walk():
        if isinstance(node, _WRITES):
            raise QueryError(f"the query holds {node.key.upper()}: cxreport only reads, so give one SELECT that writes nothing")
    return stmt


def source_expr(table: str | None, query: str | None, dialect: str) -> exp.Expression:
    """Give what a metric reads: its table, or its query as a subquery named cx_source."""
    if table is not None:
        return table_expr(table, dialect)
    assert query is not None
    return exp.Subquery(this=parse_select(query, dialect), alias=exp.TableAlias(this=ident("cx_source")))


def probe_sql(source: exp.Expression, dialect: str, rows: int = 0) -> str:
    """Give a SELECT * of the source that returns `rows` rows (0: the columns only; 1: a row for their types)."""
    return exp.select("*").from_(source.copy()).limit(rows).sql(dialect=dialect)


@dataclass(frozen=True)
class Plan:
    """What the tally query selects: the date (as the engine truncates it), the keys, the number, the counts."""

    date: str | None  # the source's date column
    date_kind: str | None  # DATE | NUMBER | TEXT
    keys: tuple[tuple[str, str], ...]  # (our key name, the source's column)
    number: str  # the source's score, count or value column
    number_kind: str
    aggregated: bool  # a numeric count or value: summed in the engine, not grouped by
    period: str  # week | month | quarter


def _col(name: str) -> exp.Column:
    return exp.Column(this=ident(name))


def _date_select(plan: Plan, dialect: str) -> exp.Expression | None:
    if plan.date is None:
        return None
    col = _col(plan.date)
    if plan.date_kind != DATE:
        return col  # text (or a number): grouped as written, read by cxreport as a file's date is
    day = exp.Cast(this=col, to=exp.DataType.build("DATE"))
    unit = {"month": "MONTH", "quarter": "QUARTER", "week": "WEEK"}[plan.period]
    if dialect in TRUNCATES and (plan.period != "week" or dialect in ISO_WEEK):
        trunc = exp.TimestampTrunc(this=day, unit=exp.var(unit))  # built, not parsed: no second dialect to load
        return exp.Cast(this=trunc, to=exp.DataType.build("DATE"))
    return day  # grouped by day: cxreport finds the period


def _count_when(condition: exp.Expression | exp.Condition) -> exp.Expression:
    return exp.Sum(this=exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))], default=exp.Literal.number(0)))


def _sum_when(condition: exp.Expression | exp.Condition, value: exp.Expression) -> exp.Expression:
    return exp.Sum(this=exp.Case(ifs=[exp.If(this=condition, true=value)]))


def _min_when(condition: exp.Expression | exp.Condition, value: exp.Expression) -> exp.Expression:
    return exp.Min(this=exp.Case(ifs=[exp.If(this=condition, true=value)]))


def aggregates(plan: Plan, funnel: bool) -> list[tuple[str, exp.Expression]]:
    """Give the sums of a numeric count (funnel) or value column, per status, with an example of each problem."""
    x = _col(plan.number)
    floor = exp.Floor(this=x.copy())
    null = exp.Is(this=x.copy(), expression=exp.Null())
    if funnel:
        negative = exp.LT(this=x.copy(), expression=exp.Literal.number(0))
        fraction = exp.and_(exp.GTE(this=x.copy(), expression=exp.Literal.number(0)), exp.NEQ(this=x.copy(), expression=floor))
        ok = exp.and_(exp.GTE(this=x.copy(), expression=exp.Literal.number(0)), exp.EQ(this=x.copy(), expression=floor.copy()))
        return [
            ("cx_empty", _count_when(null)),
            ("cx_ok_w", _count_when(ok)),
            ("cx_ok_sum", _sum_when(ok.copy(), x.copy())),
            ("cx_neg_w", _count_when(negative)),
            ("cx_neg_ex", _min_when(negative.copy(), x.copy())),
            ("cx_frac_w", _count_when(fraction)),
            ("cx_frac_ex", _min_when(fraction.copy(), x.copy())),
        ]
    binary = exp.In(this=x.copy(), expressions=[exp.Literal.number(0), exp.Literal.number(1)])
    other = exp.and_(exp.Not(this=exp.Paren(this=null.copy())), exp.Not(this=exp.Paren(this=binary.copy())))
    return [
        ("cx_empty", _count_when(null)),
        ("cx_ok_w", _count_when(binary)),
        ("cx_ok_sum", _sum_when(binary.copy(), x.copy())),
        ("cx_nb_w", _count_when(other)),
        ("cx_nb_sum", _sum_when(other.copy(), x.copy())),
        ("cx_nb_ex", _min_when(other.copy(), x.copy())),
    ]


def tally_sql(source: exp.Expression, plan: Plan, dialect: str, funnel: bool) -> tuple[str, list[str]]:
    """Give the tally query in the engine's dialect and the names of the columns it returns, in order."""
    groups: list[tuple[str, exp.Expression]] = []
    date = _date_select(plan, dialect)
    if date is not None:
        groups.append(("cx_date", date))
    groups += [(f"cx_{name}", _col(column)) for name, column in plan.keys]
    if not plan.aggregated:
        groups.append(("cx_num", _col(plan.number)))
    measures: list[tuple[str, exp.Expression]] = [("cx_w", exp.Count(this=exp.Star()))]
    if plan.aggregated:
        measures += aggregates(plan, funnel)
    select = exp.select(*(exp.alias_(e, name, quoted=False) for name, e in groups + measures)).from_(source.copy())
    if groups:
        select = select.group_by(*(e.copy() for _, e in groups))
    return select.sql(dialect=dialect), [name for name, _ in groups + measures]


def plan_of(columns: dict[str, tuple[str, str]], number_name: str, keys: tuple[str, ...], period: str, scored: bool) -> Plan:
    """Give the tally plan of a metric: columns maps our names (date, score, journey, ...) -> (column, kind)."""
    date = columns.get("date")
    number, number_kind = columns[number_name]
    return Plan(
        date[0] if date else None,
        date[1] if date else None,
        tuple((k, columns[k][0]) for k in keys if k in columns),
        number,
        number_kind,
        aggregated=not scored and number_kind == NUMBER,
        period=period,
    )
