"""The playbooks overview, its sections over numbered pages, and each playbook's page."""

from __future__ import annotations

import functools
from typing import Any

from ... import model as m
from ...figures import VariantResult
from ..charts import MAX_INTERVALS, Chart, emotion_curve, intervals
from ..comment_views import CommentViews
from ..contexts import ChapterContext, PlaybookContext, PlaybookListContext, PlaybooksContext, ShowAll
from ..figure_index import ALL
from ..page import Page
from ..paging import PREVIEW_ITEMS, ListPages
from ..paths import (
    metric_path,
    playbook_path,
    relative_url,
    touchpoint_path,
)
from ..views import PLAYBOOK_SECTIONS, SURPRISE_STATUSES
from .chapters import ChapterPages, without_title

# Segments (the most visited) and periods (the latest) an experiment's page shows a table of; the rest are in
# data/experiments.json, and the page says how many.
EXPERIMENT_TABLES = 20


class PlaybookPages(ChapterPages, CommentViews):
    """The playbooks overview, its sections over numbered pages, and each playbook's page."""

    def section_pages(self, section: str) -> ListPages | None:
        """Give the pages of a playbooks section's own list, or None when the overview shows the whole section."""
        total = len(self.section_playbooks(section))
        return ListPages(f"playbooks/{section}/index.html", f"playbooks/{section}", total) if total > PREVIEW_ITEMS else None

    @functools.cached_property
    def _sections(self) -> dict[str, list]:
        sections: dict[str, list] = {section: [] for section in PLAYBOOK_SECTIONS}
        for pb in self.project.playbooks.values():  # by id
            if pb.type in ("recovery", "story", "experiment"):
                sections[pb.type].append(pb)
            elif pb.type == "surprise":
                sections[f"surprise-{pb.status}"].append(pb)
        sections["guide"] = [c for c in self.chapters_sorted() if isinstance(c, m.Guide)]
        return sections

    def section_playbooks(self, section: str) -> list:
        """Give the playbooks of a section of the playbooks overview (a surprise status, recovery, …, guide), in order."""
        return self._sections[section]

    def section_title(self, section: str) -> str:
        kind, _, status = section.partition("-")
        if kind == "surprise":
            return f"{self.t('playbooks.surprises')}: {self.t(f'surprise.status.{status}')}"
        return self.t(
            {
                "recovery": "playbooks.recoveries",
                "story": "playbooks.stories",
                "experiment": "playbooks.experiments",
                "guide": "playbooks.guides",
            }[kind]
        )

    def section_more(self, section: str, page: str) -> ShowAll:
        """Give the link from a shortened section to its own list (it has one: it is longer than PREVIEW_ITEMS)."""
        return self.show_all(
            relative_url(page, f"playbooks/{section}/index.html"),
            len(self.section_playbooks(section)),
            self.section_title(section),
        )

    def playbook_item(self, pb, page: str) -> dict:
        """Give what a list of playbooks shows of one: a surprise's card, a recovery's row, a story, an experiment, a guide."""
        view = self.playbook_link(pb, page)
        if pb.type == "surprise":
            return view | {
                "trigger": pb.trigger,
                "owner": pb.owner or "",
                "budget_text": self.t.number(pb.budget, 2) if pb.budget is not None else "",
                "place": self.place_link(pb, page),
                "audience": self.persona_link(pb.audience, page),
            }
        if pb.type == "recovery":
            return view | {
                "failure": pb.failure,
                "signal": pb.signal or "",
                "response_time": pb.response_time or "",
                "owner": pb.owner or "",
                "place": self.place_link(pb, page),
            }
        if pb.type == "story":
            return view | {
                "moral": pb.moral or "",
                "persona": self.persona_link(pb.persona, page),
                "place": self.place_link(pb, page),
            }
        if pb.type == "experiment":
            return self.experiment_summary(pb, page) | {
                "place": self.place_link(pb, page),
                "status_text": self.t(f"experiment.status.{pb.status}"),
            }
        return view

    def playbooks_view(self, page: str, whole: bool = False) -> PlaybooksContext:
        """Give the playbooks overview: per section its first PREVIEW_ITEMS playbooks and a link to the rest (or, whole,
        every playbook: the print page)."""
        items, more = {}, {}
        for section in PLAYBOOK_SECTIONS:
            pbs = self.section_playbooks(section)
            shortened = not whole and len(pbs) > PREVIEW_ITEMS
            items[section] = [self.playbook_item(pb, page) for pb in (pbs[:PREVIEW_ITEMS] if shortened else pbs)]
            more[section] = self.section_more(section, page) if shortened else None
        board = [
            {
                "status": status,
                "label": self.t(f"surprise.status.{status}"),
                "cards": items[f"surprise-{status}"],
                "total": len(self.section_playbooks(f"surprise-{status}")),
                "more": more[f"surprise-{status}"],
            }
            for status in SURPRISE_STATUSES
        ]
        return {
            "board": board,
            "recoveries": items["recovery"],
            "stories": items["story"],
            "experiments": items["experiment"],
            "guides": items["guide"],
            "more": more,
        }

    def playbooks_page(self) -> Page:
        path = "playbooks/index.html"
        return Page(path, "playbooks.html", "playbooks", self.t("nav.playbooks"), self.playbooks_view(path))

    def playbook_list_page(self, section: str, number: int) -> Page:
        """Give page `number` of a playbooks section's own list (made for a section longer than the overview shows)."""
        pages = self.section_pages(section)
        assert pages is not None
        path = pages.path(number)
        title = self.section_title(section)
        items = [self.playbook_item(pb, path) for pb in self.section_playbooks(section)[pages.rows(number)]]
        context: PlaybookListContext = {
            "section": {"id": section, "kind": section.partition("-")[0], "title": title, "items": items, "total": pages.total},
            "playbooks_url": relative_url(path, "playbooks/index.html"),
            "pager": self.pager(pages, number, title),
        }
        return Page(path, "playbook_list.html", "playbook-list", self.numbered(title, number), context)

    def playbook_page(self, pb) -> Page:
        path = playbook_path(pb.id)
        body = self.md(without_title(pb.body), path, "playbook", pb.id, ids=True, body=True)
        context: PlaybookContext = {"playbook": self.playbook_link(pb, path) | {"body": body, "place": self.place_link(pb, path)}}
        charts: list[Chart] = []
        view = context["playbook"]
        if pb.type == "guide":
            chapter: ChapterContext = {"chapter": {"title": pb.title, "body": body}}
            return Page(path, "chapter.html", "chapter", pb.title, chapter)
        if pb.type == "surprise":
            view.update(
                {
                    "trigger": pb.trigger,
                    "audience": self.persona_link(pb.audience, path),
                    "owner": pb.owner or "",
                    "budget_text": self.t.number(pb.budget, 2) if pb.budget is not None else "",
                    "pillars": [{"id": p, "name": self.pillar_name(p), "note": n or ""} for p, n in pb.pillars.items()],
                    "success_metric": (
                        self.headline(None, path, metric=pb.success_metric, types=())
                        or self.figure_view(None, pb.success_metric, path)
                    )
                    if pb.success_metric
                    else None,
                }
            )
        elif pb.type == "recovery":
            view.update(
                {
                    "failure": pb.failure,
                    "signal": pb.signal or "",
                    "response_time": pb.response_time or "",
                    "owner": pb.owner or "",
                }
            )
        elif pb.type == "story":
            steps, chart = self.story_path(pb, path)
            if chart:
                charts.append(chart)
            view.update(
                {
                    "persona": self.persona_link(pb.persona, path),
                    "quote": pb.quote or "",
                    "moral": pb.moral or "",
                    "steps": steps,
                    "chart": chart,
                    "quoted_comment": self._quoted(pb),
                }
            )
        elif pb.type == "experiment":
            charts += self.experiment_view(pb, path, view)
        return Page(path, f"{pb.type}.html", "playbook", pb.title, context, tuple(charts))

    def _quoted(self, pb: m.Story) -> dict | None:
        """Give the comment a story quotes by respondent (quote_comment), redacted, or None."""
        comment = self.quoted_comment(pb.quote_comment)
        return self.quote_view(comment) if comment is not None else None

    def story_path(self, pb: m.Story, page: str) -> tuple[list[dict], Chart | None]:
        journey = self.project.journeys.get(pb.journey) if pb.journey else None
        if journey is None:
            return [], None
        by_id = {tp.id: (stage, tp) for stage, tp in journey.touchpoints()}
        model_id = self.project.stage_model_of(journey)
        steps: list[dict[str, Any]] = []
        for tid in pb.path:
            if tid not in by_id:
                continue
            stage, tp = by_id[tid]
            steps.append(
                {
                    "name": tp.name,
                    "url": relative_url(page, touchpoint_path(journey.id, tp.id)),
                    "stage": self.stage_name(model_id, stage.stage),
                    "feeling": self.feeling_view(tp.feeling),
                    "score": tp.feeling.score if tp.feeling else None,
                }
            )
        chart = None
        if any(s["score"] is not None for s in steps):
            hover = [
                f"{s['name']}: {s['feeling']['score_text']} {s['feeling']['label']}".strip() if s["feeling"] else s["name"]
                for s in steps
            ]
            chart = self.chart(
                page,
                "story",
                emotion_curve([s["name"] for s in steps], [s["score"] for s in steps], hover, self.style),
                self.t("chart.story", title=pb.title),
                height=300,
            )
        return steps, chart

    def experiment_view(self, pb: m.Experiment, page: str, view: dict) -> list[Chart]:
        rows = self.index.experiment(pb.id)
        summary = self.experiment_summary(pb, page)

        def row_view(r: VariantResult) -> dict:
            is_control = r.variant == r.control
            return {
                "variant": r.variant,
                "is_control": is_control,
                "n_text": self.t.integer(r.n),
                "conversions_text": self.t.integer(r.conversions),
                "rate_text": self.t.percent(r.rate),
                "lift_text": "" if is_control or r.lift is None else self.t.signed(r.lift * 100, 1) + "%",
                "interval_text": ""
                if is_control or r.ci_low is None or r.ci_high is None
                else self.t("experiment.interval", low=self.t.signed(r.ci_low * 100, 1), high=self.t.signed(r.ci_high * 100, 1)),
                "p_text": "" if is_control else self.t.p_value(r.p_value),
                "p_holm_text": "" if is_control or r.period != ALL else self.t.p_value(r.p_holm),
            }

        groups: dict[tuple[str, str | None], list[VariantResult]] = {}
        for r in rows:
            groups.setdefault((r.period, r.segment), []).append(r)
        overall = groups.get((ALL, None), [])
        segments, more_segments = self._most_visited({seg for per, seg in groups if per == ALL and seg is not None}, groups)
        periods = sorted({per for per, seg in groups if per != ALL and seg is None})
        more_periods = max(0, len(periods) - EXPERIMENT_TABLES)
        segment_tables = [self._segment_table(pb, s, [row_view(r) for r in groups[(ALL, s)]]) for s in segments]
        period_tables = [
            {"period": self.t.period(p), "rows": [row_view(r) for r in groups[(p, None)]]} for p in periods[more_periods:]
        ]
        everyone = [(self.t("experiment.everyone"), overall)]
        interval_rows = self._interval_rows(everyone + [(s, groups[(ALL, s)]) for s in segments])
        charts = []
        chart = None
        if interval_rows:
            left_out = len(interval_rows) - MAX_INTERVALS
            chart = self.chart(
                page,
                "intervals",
                intervals(interval_rows[:MAX_INTERVALS], self.style, x_title=self.t("experiment.difference")),
                self.t("chart.intervals", title=pb.title),
                height=90 + 44 * min(len(interval_rows), MAX_INTERVALS),
                note=self.t("chart.left_out.intervals", shown=self.t.integer(MAX_INTERVALS), more=self.t.integer(left_out))
                if left_out > 0
                else "",
            )
            charts.append(chart)
        view.update(
            {
                "hypothesis": pb.hypothesis,
                "decision": pb.decision or "",
                "control": pb.control or (next(iter(pb.results)) if pb.results else ""),
                "metric": {"label": self.metric_label(pb.metric), "url": relative_url(page, metric_path(pb.metric))}
                if pb.metric
                else None,
                "verdict": summary["verdict"],
                "verdict_text": summary["verdict_text"],
                "results": [row_view(r) for r in overall],
                "segments": segment_tables,
                "segments_more": self.t("experiment.more_segments", more=self.t.integer(more_segments)) if more_segments else "",
                "periods": period_tables,
                "periods_more": self.t("experiment.more_periods", more=self.t.integer(more_periods)) if more_periods else "",
                "chart": chart,
                "holm_text": self.t(
                    "experiment.holm", count=self.t.integer(sum(1 for r in rows if r.period == ALL and r.p_value is not None))
                )
                if segment_tables
                else "",
                **self._plan_view(pb, overall),
            }
        )
        return charts

    def _segment_table(self, pb: m.Experiment, segment: str, rows: list[dict]) -> dict:
        """Give one segment's table with its verdict, judged on the p-value corrected by Holm (FORMAT.md)."""
        verdict = self.figures.segment_verdicts.get(pb.id, {}).get(segment, "no_data")
        return {"segment": segment, "rows": rows, "verdict": verdict, "verdict_text": self.t(f"segment_verdict.{verdict}")}

    def _plan_view(self, pb: m.Experiment, overall: list[VariantResult]) -> dict:
        """Give an experiment's plan: the visitors each variant needs, how far each is, and whether it is read early."""
        plan = next((p for p in self.figures.plans if p.experiment == pb.id), None)
        if plan is None:
            return {"plan": None, "early": ""}
        needed = self.t.integer(plan.needed_per_variant)
        text = self.t(
            "experiment.plan_text",
            needed=needed,
            mde=self.t.number(plan.mde * 100, 1),
            baseline=self.t.percent(plan.baseline, 1),
            power=self.t.percent(plan.power, 0),
            alpha=self.t.number(plan.alpha, 2),
        )
        progress = [
            {
                "variant": r.variant,
                "text": self.t("experiment.progress", variant=r.variant, n=self.t.integer(r.n), needed=needed),
                "reached": r.n >= plan.needed_per_variant,
                "percent": min(100, round(100 * r.n / plan.needed_per_variant)),
            }
            for r in overall
        ]
        read = bool(overall) and pb.status != "planned"
        early = read and any(not p["reached"] for p in progress)
        return {
            "plan": {"text": text, "needed": needed, "progress": progress},
            "early": self.t("experiment.early", needed=needed) if early else "",
        }

    @staticmethod
    def _most_visited(segments: set[str], groups: dict[tuple[str, str | None], list[VariantResult]]) -> tuple[list[str], int]:
        """Give the EXPERIMENT_TABLES segments with the most visitors (ties by name), in name order, and how many
        are left out: one page draws a bounded number of tables whatever the data holds."""
        visitors = {s: sum(r.n for r in groups[(ALL, s)]) for s in segments}
        chosen = sorted(segments, key=lambda s: (-visitors[s], s))[:EXPERIMENT_TABLES]
        return sorted(chosen), len(segments) - len(chosen)

    def _interval_rows(self, groups: list[tuple[str, list[VariantResult]]]) -> list[dict[str, Any]]:
        """Give the rows of an experiment's interval chart: each variant against control, per group (all, a segment)."""
        interval_rows = []
        for label, group in groups:
            for r in group:
                if r.variant == r.control or r.ci_low is None or r.ci_high is None:
                    continue
                diff = ((r.ci_low + r.ci_high) / 2) * 100
                interval_rows.append(
                    {
                        "label": f"{label}: {r.variant}",
                        "diff": round(diff, 4),
                        "low": round(r.ci_low * 100, 4),
                        "high": round(r.ci_high * 100, 4),
                        "text": f"{label}, {r.variant}: "
                        + self.t(
                            "experiment.interval", low=self.t.signed(r.ci_low * 100, 1), high=self.t.signed(r.ci_high * 100, 1)
                        ),
                    }
                )
        return interval_rows
