"""The respondents' own words as the reader sees them: a code's share with its margin, a few quotes chosen.

Every text here is a comment as the metric stage published it (redacted, metrics/redact.py); nothing in the
render stage ever sees the text as written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cached_property

from .. import model as m
from ..figures import CodeCount, Comment
from ..metrics.coding import GROUPS, top_codes
from ..metrics.redact import TOKENS
from .metric_views import MetricViews
from .paths import relative_url

TOP_CODES = 3  # the codes a touchpoint shows, most mentioned first
QUOTES_PER_GROUP = 2  # detractors and promoters each; a metric without groups shows QUOTES_PER_GROUP + 1
SOME_LENGTH = 40  # characters: a quote long enough to say something


def comments_path(metric_id: str) -> str:
    return f"comments/{metric_id}.html"


def _recent_first(c: Comment) -> int:
    return -dt.date.fromisoformat(c.day).toordinal() if c.day else 0


class CommentViews(MetricViews):
    """Codes and comments at a place, a story's quoted comment."""

    @cached_property
    def comments_of(self) -> dict[str, list[Comment]]:
        """Give each metric's published comments, in file order."""
        out: dict[str, list[Comment]] = defaultdict(list)
        for c in self.figures.comments:
            out[c.metric].append(c)
        return out

    @cached_property
    def _comments_at(self) -> dict[tuple, list[Comment]]:
        out: dict[tuple, list[Comment]] = defaultdict(list)
        for c in self.figures.comments:
            if c.touchpoint is not None:
                out[(c.metric, c.journey, c.touchpoint)].append(c)
        return out

    @cached_property
    def _codes_at(self) -> dict[tuple, list[CodeCount]]:
        out: dict[tuple, list[CodeCount]] = defaultdict(list)
        for r in self.figures.codes:
            out[(r.metric, r.journey, r.stage, r.touchpoint, r.group)].append(r)
        return out

    @cached_property
    def _tokens(self) -> tuple[str, ...]:
        return tuple(TOKENS[self.cfg.language].values())

    def codes_at(self, metric: str, journey: str | None, stage: str | None, tp: str | None, group: str | None = None):
        return self._codes_at.get((metric, journey, stage, tp, group), [])

    def code_name(self, code: str) -> str:
        known = self.cfg.codes.get(code)
        return known.name if known else code

    def group_text(self, group: str | None) -> str:
        return self.t(f"comments.group.{group}") if group else ""

    def code_view(self, r: CodeCount) -> dict:
        """Give a code's share of the comments at a place: 'Levertijd 23% ± 4%' with its counts."""
        return {
            "code": r.code,
            "name": self.code_name(r.code),
            "share_text": self.t.percent(r.share, 0),
            "margin_text": "± " + self.t.percent(r.margin, 0),
            "mentions": r.mentions,
            "comments": r.comments,
            "counts_text": self.t("comments.counts", mentions=self.t.integer(r.mentions), comments=self.t.integer(r.comments)),
        }

    def quote_view(self, c: Comment) -> dict:
        """Give a comment as a quote: its text, NPS group, date and codes."""
        return {
            "text": c.text,
            "group": c.group or "",
            "group_text": self.group_text(c.group),
            "day_text": self.t.date(dt.date.fromisoformat(c.day)) if c.day else "",
            "codes": [self.code_name(k) for k in c.codes],
            "respondent": c.respondent or "",
        }

    def chosen(self, comments: Sequence[Comment], grouped: bool) -> list[Comment]:
        """Give a few comments to quote, chosen deterministically: the most recent of some length first, those
        without a redaction token before those with one, each text once; for nps the detractors' then the
        promoters'."""

        def rank(c: Comment) -> tuple:
            return (any(t in c.text for t in self._tokens), len(c.text) < SOME_LENGTH, _recent_first(c), c.respondent or "")

        ordered = sorted(comments, key=rank)
        pools = [[c for c in ordered if c.group == g] for g in ("detractor", "promoter")] if grouped else [ordered]
        limit = QUOTES_PER_GROUP if grouped else QUOTES_PER_GROUP + 1
        out: list[Comment] = []
        seen: set[str] = set()
        for pool in pools:
            taken = 0
            for c in pool:
                if taken == limit:
                    break
                if c.text not in seen:
                    seen.add(c.text)
                    out.append(c)
                    taken += 1
        return out

    def voices_at(self, journey: m.Journey, stage: str, tp: m.Touchpoint, page: str) -> list[dict]:
        """Give, per metric with comments at a touchpoint, its most mentioned codes and a few quotes."""
        out = []
        for source in self.cfg.metrics:
            comments = self._comments_at.get((source.id, journey.id, tp.id), [])
            if not comments:
                continue
            codes = top_codes(self.codes_at(source.id, journey.id, stage, tp.id), TOP_CODES)
            out.append(
                {
                    "metric": source.id,
                    "label": source.label or source.id,
                    "url": relative_url(page, comments_path(source.id)),
                    "count_text": self.t.plural(len(comments), "comments.count"),
                    "codes": [self.code_view(r) for r in codes],
                    "quotes": [self.quote_view(c) for c in self.chosen(comments, source.type == "nps")],
                }
            )
        return out

    def quoted_comment(self, ref: m.CommentRef | None) -> Comment | None:
        """Give the comment a story quotes (quote_comment), or None."""
        if ref is None:
            return None
        return next((c for c in self.comments_of.get(ref.metric, []) if c.respondent == ref.respondent), None)

    def code_table(self, metric: str, groups: Iterable[str | None]) -> list[dict]:
        """Give each code of the frame with its share per group at the metric's whole (no place)."""
        rows = []
        columns = list(groups)
        by_group = {g: {r.code: r for r in self.codes_at(metric, None, None, None, g)} for g in columns}
        for code in self.cfg.codes:
            cells = [by_group[g].get(code) for g in columns]
            rows.append({"code": code, "name": self.code_name(code), "cells": [self.code_view(r) if r else None for r in cells]})
        return rows

    def group_columns(self, metric_type: str) -> list[str | None]:
        return [None, *GROUPS] if metric_type == "nps" else [None]
