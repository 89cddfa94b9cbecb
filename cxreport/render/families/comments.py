"""Each metric's comments page: every published comment with its codes, filtered by code and NPS group.

The page works from disk without a server: the comments are embedded in it as JSON (safe inside <script>,
charts.script_json) and assets/comments.js pages and filters them; the first page is drawn in the HTML too, so
the page reads without JavaScript.
"""

from __future__ import annotations

import datetime as dt

from ... import model as m
from ..charts import script_json
from ..comment_views import CommentViews, comments_path
from ..contexts import CommentsContext
from ..page import Page
from ..paths import metric_path, relative_url, touchpoint_path

PAGE_SIZE = 25  # comments a page of the list shows


class CommentPages(CommentViews):
    """A page per metric with comments."""

    def comment_metrics(self) -> list[m.MetricSource]:
        """Give the metrics that have published comments, in site.yml's order."""
        return [s for s in self.cfg.metrics if self.comments_of.get(s.id)]

    def _place_names(self) -> dict[tuple[str, str], str]:
        return {(j.id, t.id): t.name for j in self.project.journeys.values() for _, t in j.touchpoints()}

    def comments_page(self, source: m.MetricSource) -> Page:
        path = comments_path(source.id)
        comments = self.comments_of.get(source.id, [])
        names = self._place_names()
        items = []
        for c in comments:
            place, url = "", ""
            if c.journey and c.touchpoint:
                place = names.get((c.journey, c.touchpoint), "")
                url = relative_url(path, touchpoint_path(c.journey, c.touchpoint))
            items.append(
                {
                    "t": c.text,
                    "g": c.group or "",
                    "c": list(c.codes),
                    "d": self.t.date(dt.date.fromisoformat(c.day)) if c.day else "",
                    "p": place,
                    "u": url,
                    "r": c.respondent or "",
                }
            )
        groups = self.group_columns(source.type)
        label = self.metric_label(source.id)
        labels = {
            "page": self.t("comments.page_of"),
            "shown": self.t("comments.shown"),
            "none": self.t("comments.none"),
            "codes": {code: self.code_name(code) for code in self.cfg.codes},
            "groups": {g: self.group_text(g) for g in groups if g},
        }
        context: CommentsContext = {
            "metric": {"id": source.id, "label": label, "url": relative_url(path, metric_path(source.id))},
            "count_text": self.t.plural(len(comments), "comments.count"),
            "code_table": self.code_table(source.id, groups),
            "group_columns": [{"id": g or "", "text": self.group_text(g) if g else self.t("comments.group.all")} for g in groups],
            "code_options": [{"id": code, "name": self.code_name(code)} for code in self.cfg.codes],
            "group_options": [{"id": g, "text": self.group_text(g)} for g in groups if g],
            "first": [
                self.quote_view(c) | {"place": items[k]["p"], "url": items[k]["u"]} for k, c in enumerate(comments[:PAGE_SIZE])
            ],
            "page_size": PAGE_SIZE,
            "data": script_json({"items": items, "labels": labels, "size": PAGE_SIZE}),
        }
        return Page(path, "comments.html", "comments", self.t("comments.title", metric=label), context)
