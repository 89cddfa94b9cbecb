"""Answers (FORMAT.md, Driver analysis): each respondent's score on a metric, kept beside its tally.

The tally counts answers per group and forgets who gave them; pairing a driver's answers with the outcome's
needs them per respondent. Read only for the metrics a driver analysis names, in the same pass order as the
comments (metrics/comments.py), and cached with the tally (metrics/cache.py).
"""

from __future__ import annotations

import hashlib

import duckdb

from ..model import MetricSource
from .files import FileRef
from .layout import Layout
from .read import cells_sql, number_sql_pair

ANSWER_COLUMNS = ["respondent", "score"]


def cache_key(key: str) -> str:
    """Give the cache key of a metric's answers from its tally's key."""
    return hashlib.sha256((key + ":answers").encode()).hexdigest()


def keep_answers(con: duckdb.DuckDBPyConnection, table: str, file: FileRef, layout: Layout, source: MetricSource) -> None:
    """Create `table` (respondent, score): every row with a respondent id, in file order, the id trimmed as the
    respondent check compares it, the score NULL when not answered; survey previews, tests and spam left out.

    Metrics that read one file with one respondent column so keep the same rows in the same order: their
    answers pair by position, with no join (metrics/drivers.py).
    """
    cells = cells_sql(file, layout, source, extra=("respondent",))
    number, _ = number_sql_pair("num_raw", layout, source)
    con.execute(
        f"CREATE OR REPLACE TABLE {table} AS SELECT trim(respondent) AS respondent, "
        f"CASE WHEN NOT miss THEN TRY_CAST({number} AS SMALLINT) END AS score FROM ({cells}) "
        f"WHERE respondent IS NOT NULL AND trim(respondent) <> ''"
    )
