"""Comments (columns.comment): each metric's open answers read with the rows and kept beside its tally.

Kept, not published: the comments of version 2 (FORMAT.md, Comments) are redacted and coded before any page,
download or data file can hold them. The table keeps what that needs: the row (for its line), the period,
the place and segment, the respondent, the answer (for an NPS group) and the text as the file has it.
"""

from __future__ import annotations

import hashlib

import duckdb

from ..model import MetricSource
from .files import FileRef
from .layout import Layout
from .read import cells_sql, keys_sql
from .sql import period_sql

COMMENT_COLUMNS = ["rid", "period", "journey", "stage", "touchpoint", "segment", "variant", "respondent", "answer", "comment"]


def cache_key(key: str) -> str:
    """Give the cache key of a metric's comments from its tally's key."""
    return hashlib.sha256((key + ":comments").encode()).hexdigest()


def keep_comments(con: duckdb.DuckDBPyConnection, table: str, file: FileRef, layout: Layout, source: MetricSource) -> None:
    """Create `table`: the metric's rows with a comment that is not blank, in file order."""
    extra = ("comment", "respondent") if "respondent" in layout.columns else ("comment",)
    cells = cells_sql(file, layout, source, with_rid=True, extra=extra)
    respondent = "respondent" if "respondent" in layout.columns else "NULL::VARCHAR AS respondent"
    con.execute(
        f"CREATE OR REPLACE TABLE {table} AS SELECT rid::BIGINT AS rid, {period_sql('d', source.period)} AS period, "
        f"{keys_sql(layout)}, {respondent}, num_raw AS answer, comment FROM ({cells}) "
        f"WHERE comment IS NOT NULL AND trim(comment) <> '' ORDER BY rid"
    )
