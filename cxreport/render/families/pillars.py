"""The pillars page: coverage, the matrix of touchpoints by pillar, gaps and plans per pillar."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ... import model as m
from ..contexts import PillarMatrix, PillarsContext
from ..metric_views import MetricViews
from ..page import Page
from ..paging import ListPages, Paging
from ..paths import (
    journey_path,
    relative_url,
    touchpoint_path,
)

PILLAR_MATRIX_JOURNEYS = 40  # journeys in the pillar matrix before it gives one row per journey instead of per stage

PILLAR_LIST_LIMIT = 50  # gaps, touchpoints and surprise plans listed per pillar; the rest are counted


class PillarPages(MetricViews, Paging):
    """The pillars page: coverage, the matrix of touchpoints by pillar, gaps and plans per pillar."""

    def pillar_matrix_pages(self) -> ListPages:
        """Give the pages of the pillar matrix: its first rows on pillars.html, the rest on pages of their own."""
        return ListPages("pillars.html", "pillars", len(self.project.journeys), "sec-matrix")

    def pillar_coverage(self, page: str) -> list[dict]:
        """Give per pillar how many touchpoints carry it and how many journey stages lack it."""
        out = []
        stages = [(j, s) for j in self.project.journeys.values() for s in j.stages]
        for pid in self.project.pillars:
            count = sum(1 for j, s in stages for tp in s.touchpoints if pid in tp.pillars)
            gaps = sum(1 for j, s in stages if not any(pid in tp.pillars for tp in s.touchpoints))
            out.append(
                {
                    "id": pid,
                    "name": self.pillar_name(pid),
                    "touchpoints": count,
                    "gaps": gaps,
                    "stages": len(stages),
                    "url": relative_url(page, f"pillars.html#sec-pillar-{pid}"),
                    "touchpoints_text": self.t.plural(count, "count.touchpoints"),
                    "gaps_text": self.t.plural(gaps, "count.gaps"),
                }
            )
        return out

    def pillar_matrix(self, journeys: Iterable[m.Journey], page: str) -> PillarMatrix:
        """Give the pillar matrix of some journeys: the pillars, a row per journey (with its stages unless compact)."""
        pillars = list(self.project.pillars)
        rows = []
        # a large handbook gets a row per journey, so the page does not grow with every stage of every journey
        compact = len(self.project.journeys) > PILLAR_MATRIX_JOURNEYS
        for journey in journeys:
            model_id = self.project.stage_model_of(journey)
            stage_rows: list[dict[str, Any]] = []
            for stage in self.ordered_stages(journey):
                cells = []
                for pid in pillars:
                    tps = [tp for tp in stage.touchpoints if pid in tp.pillars]
                    cells.append({"pillar": pid, "count": len(tps), "gap": not tps, "names": ", ".join(tp.name for tp in tps)})
                stage_rows.append(
                    {
                        "name": self.stage_name(model_id, stage.stage),
                        "url": relative_url(page, journey_path(journey.id) + f"#stage-{stage.stage}"),
                        "cells": cells,
                    }
                )
            totals = [sum(r["cells"][i]["count"] for r in stage_rows) for i in range(len(pillars))]
            rows.append(
                {
                    "id": journey.id,
                    "title": journey.title,
                    "url": relative_url(page, journey_path(journey.id)),
                    "stages": [] if compact else stage_rows,
                    "totals": totals,
                }
            )
        return {"pillars": [{"id": p, "name": self.pillar_name(p)} for p in pillars], "rows": rows, "compact": compact}

    def pillars_page(self, number: int = 1) -> Page:
        """Give the pillars page (number 1), or a further page of its matrix."""
        pages = self.pillar_matrix_pages()
        path = pages.path(number)
        matrix = self.pillar_matrix(list(self.project.journeys.values())[pages.rows(number)], path)
        matrix["pager"] = self.pager(pages, number, self.t("pillars.matrix"))
        if number > 1:
            matrix["pillars_url"] = relative_url(path, "pillars.html")
            return Page(path, "pillar_matrix.html", "pillar-matrix", self.numbered(self.t("pillars.matrix"), number), matrix)
        pillars = list(self.project.pillars)
        details = []
        coverage = {c["id"]: c for c in self.pillar_coverage(path)}
        for pid in pillars:
            gaps = [
                {
                    "journey": j.title,
                    "stage": self.stage_name(self.project.stage_model_of(j), s.stage),
                    "url": relative_url(path, journey_path(j.id) + f"#stage-{s.stage}"),
                }
                for j in self.project.journeys.values()
                for s in self.ordered_stages(j)
                if not any(pid in tp.pillars for tp in s.touchpoints)
            ]
            metrics = [
                self.headline(None, path, metric=s.id, types=()) or self.figure_view(None, s.id, path)
                for s in self.cfg.metrics
                if s.pillar == pid
            ]
            surprises = [pb for pb in self.project.playbooks.values() if pb.type == "surprise" and pid in pb.pillars]
            touchpoints = [
                {
                    "name": tp.name,
                    "journey": j.title,
                    "url": relative_url(path, touchpoint_path(j.id, tp.id)),
                    "note": tp.pillars[pid] or "",
                }
                for j in self.project.journeys.values()
                for _, tp in j.touchpoints()
                if pid in tp.pillars
            ]
            details.append(
                {
                    "id": pid,
                    "anchor": f"sec-pillar-{pid}",
                    "name": self.pillar_name(pid),
                    "description": self.pillar_description(pid) or "",
                    "metrics": metrics,
                    "surprises": [self.playbook_link(pb, path) for pb in surprises[:PILLAR_LIST_LIMIT]],
                    "surprises_more": self._more(len(surprises) - PILLAR_LIST_LIMIT, "pillars.more_surprises"),
                    "gaps": gaps[:PILLAR_LIST_LIMIT],
                    "gaps_more": self._more(len(gaps) - PILLAR_LIST_LIMIT),
                    "touchpoints": touchpoints[:PILLAR_LIST_LIMIT],
                    "touchpoints_more": self._more(len(touchpoints) - PILLAR_LIST_LIMIT),
                    "coverage": coverage[pid],
                }
            )
        context: PillarsContext = {**matrix, "details": details}
        return Page(path, "pillars.html", "pillars", self.t("nav.pillars"), context)
