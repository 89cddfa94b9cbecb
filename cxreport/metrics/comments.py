"""Comments (columns.comment): each metric's open answers read with the rows, kept beside its tally, then made
publishable.

`keep_comments` keeps what the comments of version 2 (FORMAT.md, Comments) need: the row (for its order), the
period and day, the place and segment, the respondent, the answer and its score (for an NPS group) and the text
as the file has it (cached so). `publishable` turns that table into the one every later stage reads: each
comment redacted (metrics/redact.py), its place resolved, its NPS group, and whether each code of the coding
frame matches it (matched on the text as written, before redaction); the original text is dropped with it.
"""

from __future__ import annotations

import hashlib

import duckdb

from .. import model as m
from ..loader import Project
from ..model import MetricSource, SiteConfig
from ..problems import Problems, did_you_mean
from .coding import code_match_sql, folded_sql
from .files import FileRef
from .layout import Layout
from .read import cells_sql, keys_sql, number_sql_pair
from .redact import Redactions, redact_table
from .rowcheck import resolved_sql
from .sql import period_sql

COMMENT_COLUMNS = [
    *("rid", "period", "day", "journey", "stage", "touchpoint", "segment", "variant", "respondent", "answer", "score"),
    "comment",
]
# an NPS answer's group (FORMAT.md, NPS): promoters 9-10, passives 7-8, detractors 0-6
GROUP_SQL = "CASE WHEN score >= 9 THEN 'promoter' WHEN score >= 7 THEN 'passive' WHEN score >= 0 THEN 'detractor' END"


def cache_key(key: str) -> str:
    """Give the cache key of a metric's comments from its tally's key."""
    return hashlib.sha256((key + ":comments").encode()).hexdigest()


def keep_comments(con: duckdb.DuckDBPyConnection, table: str, file: FileRef, layout: Layout, source: MetricSource) -> None:
    """Create `table`: the metric's rows with a comment that is not blank, in file order."""
    extra = ("comment", "respondent") if "respondent" in layout.columns else ("comment",)
    cells = cells_sql(file, layout, source, with_rid=True, extra=extra)
    respondent = "respondent" if "respondent" in layout.columns else "NULL::VARCHAR AS respondent"
    number, _ = number_sql_pair("num_raw", layout, source)
    score = f"CASE WHEN NOT miss THEN TRY_CAST({number} AS DOUBLE) END" if source.kind.scored else "NULL::DOUBLE"
    con.execute(
        f"CREATE OR REPLACE TABLE {table} AS SELECT rid::BIGINT AS rid, {period_sql('d', source.period)} AS period, "
        f"d::DATE AS day, {keys_sql(layout)}, {respondent}, num_raw AS answer, {score} AS score, comment FROM ({cells}) "
        f"WHERE comment IS NOT NULL AND trim(comment) <> '' ORDER BY rid"
    )


def publishable(
    con: duckdb.DuckDBPyConnection, kept: str, table: str, layout: Layout, source: MetricSource, cfg: SiteConfig
) -> Redactions:
    """Create `table` from the kept comments `kept`: rid, day, journey, stage, touchpoint, segment, respondent,
    grp (an NPS group, else NULL), text (redacted) and a column code_<k> per code of the coding frame, in order.
    The kept table, which holds the text as written, is dropped. Give what was redacted."""
    resolved = f"(SELECT * EXCLUDE (journey, stage), j AS journey, s AS stage FROM ({resolved_sql(kept, layout)}))"
    group = GROUP_SQL if source.type == "nps" else "NULL::VARCHAR"
    codes = [f"{code_match_sql('folded', c.match)} AS code_{k}" for k, c in enumerate(cfg.codes.values())]
    inner = f"(SELECT *, {folded_sql('comment')} AS folded FROM {resolved})" if codes else resolved
    keep = ["rid", "day", "journey", "stage", "touchpoint", "segment", "respondent", f"{group} AS grp", "score"]
    try:
        return redact_table(con, inner, table, cfg.privacy.redact, cfg.language, keep, codes)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {kept}")


def check_quotes(con: duckdb.DuckDBPyConnection, table: str, project: Project, source: MetricSource, problems: Problems) -> None:
    """Report each story whose quote_comment names a respondent without a comment in this metric."""
    for pb in project.playbooks.values():
        ref = pb.quote_comment if isinstance(pb, m.Story) else None
        if ref is None or ref.metric != source.id:
            continue
        found = con.execute(f"SELECT count(*) FROM {table} WHERE respondent = ?", [ref.respondent]).fetchone()
        if found and found[0]:
            continue
        near = [
            r[0]
            for r in con.execute(
                f"SELECT respondent FROM {table} WHERE respondent IS NOT NULL ORDER BY levenshtein(respondent, ?), respondent "
                "LIMIT 3",
                [ref.respondent],
            ).fetchall()
        ]
        origin = project.origins[("playbook", pb.id)]
        line, col = origin.at("quote_comment", "respondent")
        problems.error(
            origin.path,
            line,
            col,
            f"respondent '{ref.respondent}' left no comment in metric '{source.id}'",
            did_you_mean(ref.respondent, near, "respondents with a comment"),
            code="unknown-respondent",
        )
