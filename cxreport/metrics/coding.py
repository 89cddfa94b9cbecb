"""Coding: which themes of the site's coding frame (`codes:`) each comment mentions, and how often per place.

FORMAT.md, Comments: a code matches a comment when one of its `match` entries occurs as whole words, in any
case, in the comment as written; a trailing `*` matches the word itself and any word that begins with it.
Words are runs of letters and digits (any script): `levertijd-probleem` holds the word `levertijd`. Accents
do not matter either (docs/format.md): `oke` matches `Oké` and `één` matches `een`, as a coder reading the
comments would count them. Both sides are folded the same way (lower case, accents dropped), so the match is
one RE2 pattern per code that DuckDB runs over every comment on all cores.

Counts (codes.json, More data files): per metric, period `all`, place (none, journey, journey + stage,
journey + stage + touchpoint, as far as the metric's rows reach) and group (none, and for nps each NPS group):
`comments` at that place and group, `mentions` those matching the code, `share` and its 95% margin.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from itertools import product

import duckdb

from ..figures import CodeCount
from .sql import lit

GROUPS = ("promoter", "passive", "detractor")
_WORD = r"\p{L}\p{N}_"


def fold(text: str) -> str:
    """Give text in lower case with its accents dropped, as folded_sql does in DuckDB ('Oké' -> 'oke')."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def folded_sql(column: str) -> str:
    return f"strip_accents(lower({column}))"


def entry_pattern(entry: str) -> str:
    """Give the RE2 pattern of one `match` entry over folded text: its words in order, any white space between
    them, a trailing '*' for any ending of the last word."""
    words = fold(entry).split()
    parts = []
    for k, word in enumerate(words):
        wildcard = k == len(words) - 1 and word.endswith("*") and len(word) > 1
        stem = word[:-1] if wildcard else word
        parts.append(re.escape(stem) + (f"[{_WORD}]*" if wildcard else ""))
    return r"\s+".join(parts)


def code_pattern(match: Sequence[str]) -> str:
    """Give the RE2 pattern of a code over folded text: any of its entries as whole words."""
    entries = sorted({entry_pattern(e) for e in match if e.strip()})
    return f"(?:^|[^{_WORD}])(?:{'|'.join(entries)})(?:$|[^{_WORD}])"


def code_match_sql(column: str, match: Sequence[str]) -> str:
    """Give whether a code matches a comment, as SQL over its folded text."""
    return f"regexp_matches({column}, {lit(code_pattern(match))})"


def share_margin(mentions: int, comments: int) -> tuple[float, float]:
    """Give the share of comments that mention a code and its 95% margin, 1.96 sqrt(p(1 - p) / n)."""
    p = mentions / comments
    return p, 1.96 * math.sqrt(p * (1 - p) / comments)


def code_counts(
    con: duckdb.DuckDBPyConnection,
    table: str,
    metric: str,
    places: Sequence[str],
    codes: Sequence[str],
    grouped: bool,
    default_model: str,
) -> list[CodeCount]:
    """Give the codes.json rows of one metric's published comments (metrics/comments.py), in their order: places
    as figures.json orders them (none first, journeys by id, stages in model order, touchpoints in map order),
    then the group (none, promoter, passive, detractor), then the codes as site.yml lists them."""
    if not codes:
        return []
    levels = [tuple(places[:k]) for k in range(len(places) + 1)]
    groups: list[tuple[str, ...]] = [(), ("grp",)] if grouped else [()]
    sets = [lv + g for lv, g in product(levels, groups)]
    keys = [*places, *(["grp"] if grouped else [])]
    outer = ", ".join(k if k in places else f"NULL AS {k}" for k in ("journey", "stage", "touchpoint"))
    having = " AND ".join(f"NOT (GROUPING({k}) = 0 AND {k} IS NULL)" for k in keys) or "true"
    counts = ", ".join(f"count_if(code_{k})::BIGINT AS m{k}" for k in range(len(codes)))
    grp = "grp" if grouped else "NULL::VARCHAR AS grp"
    group_order = "CASE g.grp WHEN 'promoter' THEN 1 WHEN 'passive' THEN 2 WHEN 'detractor' THEN 3 ELSE 0 END"
    sql = f"""
        WITH g AS (
            SELECT {outer}, {grp}, count(*)::BIGINT AS n, {counts} FROM {table}
            GROUP BY GROUPING SETS ({", ".join("(" + ", ".join(s) + ")" for s in sets)})
            HAVING {having})
        SELECT g.* FROM g LEFT JOIN cx_journeys jm ON jm.journey = g.journey
        LEFT JOIN cx_model_stages ms ON ms.model = coalesce(jm.model, {lit(default_model)}) AND ms.stage = g.stage
        LEFT JOIN cx_touchpoints tp ON tp.journey = g.journey AND tp.touchpoint = g.touchpoint
        ORDER BY g.journey NULLS FIRST, ms.ord NULLS FIRST, g.stage NULLS FIRST, tp.ord NULLS FIRST,
                 g.touchpoint NULLS FIRST, {group_order}"""
    out = []
    for journey, stage, touchpoint, group, n, *mentions in con.execute(sql).fetchall():
        for code, m in zip(codes, mentions, strict=True):
            share, margin = share_margin(m, n)
            out.append(CodeCount(metric, "all", journey, stage, touchpoint, group, code, n, m, share, margin))
    return out


def top_codes(rows: Iterable[CodeCount], limit: int) -> list[CodeCount]:
    """Give the codes mentioned most, most first (ties in the frame's order), none that no comment mentions."""
    ranked = [(k, r) for k, r in enumerate(rows) if r.mentions > 0]
    ranked.sort(key=lambda kr: (-kr[1].mentions, kr[0]))
    return [r for _, r in ranked[:limit]]
