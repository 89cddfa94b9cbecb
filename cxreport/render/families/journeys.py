"""The journeys overview and each journey's map."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ... import model as m
from ...kinds import KINDS
from ..charts import Chart, emotion_compare, emotion_curve, sparkline, time_series
from ..comment_views import CommentViews
from ..contexts import JourneyContext, JourneysContext
from ..page import Page
from ..paging import ListPages, Paging
from ..paths import (
    journey_path,
    persona_path,
    relative_url,
)
from ..views import LANES
from .drivers import DriverPages


class JourneyPages(DriverPages, CommentViews, Paging):
    """The journeys overview and each journey's map."""

    def journey_pages(self) -> ListPages:
        return ListPages("journeys/index.html", "journeys", len(self.project.journeys))

    def journey_card(self, journey: m.Journey, page: str, with_chart: bool = True) -> tuple[dict, Chart | None]:
        _names, scores, _hover = self.curve(journey)
        chart = None
        if with_chart and any(s is not None for s in scores):
            chart = self.chart(
                page,
                f"spark-{journey.id}",
                sparkline(scores, self.style),
                self.t("chart.sparkline", title=journey.title),
                height=56,
                css_class="chart sparkline",
            )
        persona = self.project.personas.get(journey.persona)
        return {
            "id": journey.id,
            "title": journey.title,
            "url": relative_url(page, journey_path(journey.id)),
            "state": journey.state,
            "state_text": self.t(f"journey.state.{journey.state}"),
            "persona": {"name": persona.name, "url": relative_url(page, persona_path(persona.id))} if persona else None,
            "headline": self.headline(journey.id, page),
            "evidence": self.evidence_count(journey),
            "touchpoints": len(journey.touchpoints()),
            "chart": chart,
            "owner": journey.owner or "",
        }, chart

    def journeys_page(self, number: int = 1) -> Page:
        """Give page `number` of the journeys overview."""
        pages = self.journey_pages()
        path = pages.path(number)
        cards = [
            self.journey_card(j, path, with_chart=False)[0] for j in list(self.project.journeys.values())[pages.rows(number)]
        ]
        context: JourneysContext = {"journeys": cards, "pager": self.pager(pages, number, self.t("nav.journeys"))}
        return Page(path, "journeys.html", "journeys", self.numbered(self.t("nav.journeys"), number), context)

    def touchpoint_view(self, journey: m.Journey, stage: m.Stage, tp: m.Touchpoint, page: str) -> dict:
        kind = ("journey", journey.id)

        def lane(items):
            return [self.md_inline(x, page, *kind) for x in items]

        return {
            "empty": False,
            "id": tp.id,
            "anchor": f"tp-{tp.id}",
            "name": tp.name,
            "channel": tp.channel or "",
            "owner": tp.owner or "",
            "stage": stage.stage,
            "pillars": [{"id": p, "name": self.pillar_name(p), "note": note or ""} for p, note in tp.pillars.items()],
            "doing": lane(tp.doing),
            "thinking": lane(tp.thinking),
            "feeling": self.feeling_view(tp.feeling),
            "pain_points": lane(tp.pain_points),
            "opportunities": lane(tp.opportunities),
            "backstage": lane(tp.backstage),
            "evidence": [
                {"kind": e.kind, "kind_text": self.t(f"evidence.{e.kind}"), "source": e.source or "", "note": e.note or ""}
                for e in tp.evidence
            ],
            "evidenced": tp.evidenced,
            "figures": self.place_figures(journey.id, stage.stage, tp.id, page, tp.metrics),
            "playbooks": self.playbooks_at(journey.id, tp.id, page),
            "drivers": self.driver_links(page, journey=journey.id, touchpoint=tp.id),
        }

    def journey_stages(self, journey: m.Journey, path: str) -> list[dict]:
        """Give the stages of a journey's map, in order, each with its touchpoints' views and its figures."""
        model_id = self.project.stage_model_of(journey)
        stages = []
        for stage in self.ordered_stages(journey):
            tps = [self.touchpoint_view(journey, stage, tp, path) for tp in stage.touchpoints]
            stages.append(
                {
                    "id": stage.stage,
                    "anchor": f"stage-{stage.stage}",
                    "name": self.stage_name(model_id, stage.stage),
                    "description": self.stage_description(model_id, stage.stage) or "",
                    "goal": self.md(stage.goal, path, "journey", journey.id),
                    "touchpoints": tps,
                    "span": max(len(tps), 1),
                    "figures": self.place_figures(journey.id, stage.stage, None, path),
                }
            )
        return stages

    def emotion_chart(self, journey: m.Journey, path: str, columns: list[dict]) -> Chart | None:
        """Give the emotion curve over a map's columns, or None when no touchpoint has a feeling's score."""
        names = [c.get("name", "") for c in columns]
        scores = [c["feeling"]["score"] if not c["empty"] and c["feeling"] else None for c in columns]
        hover = [
            (f"{c['name']}: {c['feeling']['score_text']} {c['feeling']['label']}".strip() if c["feeling"] else c["name"])
            if not c["empty"]
            else ""
            for c in columns
        ]
        if all(s is None for s in scores):
            return None
        return self.chart(
            path,
            "emotion",
            emotion_curve(names, scores, hover, self.style, fill_columns=True),
            self.t("chart.emotion", title=journey.title),
            height=150,
            css_class="chart emotion",
        )

    def nps_series(self, journey: m.Journey, path: str) -> list[dict]:
        """Give a journey's NPS per period, one series per NPS metric that has figures for it."""
        series: list[dict[str, Any]] = []
        for source in self.cfg.metrics:
            if not source.kind.headline:
                continue
            rows = self.index.over_time(source.id, journey.id)
            if rows:
                series.append(
                    {
                        "name": self.metric_label(source.id),
                        "x": [self.t.period(f.period) for f in rows],
                        "y": [f.value for f in rows],
                        "margin": [f.margin for f in rows],
                        "text": [f"{self.t.period(f.period)}: {self.value_text(f)} (n = {self.t.integer(f.n)})" for f in rows],
                        "rows": [self.figure_view(f, source.id, path) for f in rows],
                    }
                )
        return series

    def journey_page(self, journey: m.Journey) -> Page:
        path = journey_path(journey.id)
        model_id = self.project.stage_model_of(journey)
        stages = self.journey_stages(journey, path)
        touchpoints = [tp for s in stages for tp in s["touchpoints"]]
        # One column a touchpoint; a stage without touchpoints still gets an (empty) column.
        columns = [tp for s in stages for tp in (s["touchpoints"] or [{"empty": True, "stage": s["id"]}])]
        lanes = [
            {"key": k, "label": self.t(f"lane.{k}"), "hint": self.t(f"lane.{k}.hint")}
            for k in LANES
            if k == "feeling" or any(tp[k] for tp in touchpoints)
        ]
        charts = []
        emotion = self.emotion_chart(journey, path, columns)
        if emotion is not None:
            charts.append(emotion)
        nps_series = self.nps_series(journey, path)
        nps_chart = None
        if nps_series:
            nps_chart = self.chart(
                path,
                "nps",
                time_series(nps_series, self.style, y_title="NPS", scale=KINDS["nps"].value_range),
                self.t("chart.nps_over_time", title=journey.title),
            )
            charts.append(nps_chart)
        compare = self.compare(journey, path)
        if compare and compare["chart"]:
            charts.append(compare["chart"])
        drivers, driver_charts = self.analyses_of_journey(journey.id, path)
        charts += driver_charts
        persona = self.project.personas.get(journey.persona)
        linked = [self.playbook_link(pb, path) for pb in self._playbooks_of.get(journey.id, ())]
        context: JourneyContext = {
            "journey": {
                "id": journey.id,
                "title": journey.title,
                "state": journey.state,
                "state_text": self.t(f"journey.state.{journey.state}"),
                "owner": journey.owner or "",
                "summary": self.md(journey.summary, path, "journey", journey.id),
                "stage_model": model_id,
                "persona": {"name": persona.name, "url": relative_url(path, persona_path(persona.id))} if persona else None,
            },
            "stages": stages,
            "touchpoints": touchpoints,
            "columns": columns,
            "lanes": lanes,
            "emotion_chart": emotion,
            "nps_chart": nps_chart,
            "nps_series": nps_series,
            "headline": self.headline(journey.id, path),
            "journey_figures": self.place_figures(journey.id, None, None, path),
            "evidence": self.evidence_count(journey),
            "channels": self.channels(journey, path),
            "compare": compare,
            "playbooks": linked,
            "drivers": drivers,
            "voices": self.journey_voices(journey, path),
        }
        return Page(path, "journey.html", "journey", journey.title, context, tuple(charts))

    def journey_voices(self, journey: m.Journey, page: str) -> list[dict]:
        """Give the touchpoints with comments, in map order, each with its codes and quotes per metric."""
        out = []
        for stage, tp in journey.touchpoints():
            metrics = self.voices_at(journey, stage.stage, tp, page)
            if metrics:
                out.append({"id": tp.id, "anchor": f"voices-{tp.id}", "name": tp.name, "stage": stage.stage, "metrics": metrics})
        return out

    def channels(self, journey: m.Journey, page: str) -> list[dict]:
        groups: dict[str, list[m.Touchpoint]] = defaultdict(list)
        for _, tp in journey.touchpoints():
            groups[tp.channel or ""].append(tp)
        out = []
        for channel in sorted(groups, key=lambda c: (c == "", c.casefold())):
            tps = groups[channel]
            scores = [t.feeling.score for t in tps if t.feeling]
            mean = sum(scores) / len(scores) if scores else None
            out.append(
                {
                    "channel": channel or self.t("channel.none"),
                    "touchpoints": [{"name": t.name, "url": f"#tp-{t.id}"} for t in tps],
                    "mean_text": self.t.signed(mean, 1) if mean is not None else "–",
                    "pillars": sorted({self.pillar_name(p) for t in tps for p in t.pillars}),
                }
            )
        return out

    def compare(self, journey: m.Journey, page: str) -> dict | None:
        """Give a future journey's comparison with the journey it replaces: both curves and what changes per stage."""
        if not journey.compare_to or journey.compare_to not in self.project.journeys:
            return None
        other = self.project.journeys[journey.compare_to]
        model_id = self.project.stage_model_of(journey)
        order = [s.id for s in self.stage_model(journey)]
        stage_ids = [s for s in order if any(st.stage == s for st in journey.stages + other.stages)]
        stage_ids += [st.stage for st in journey.stages + other.stages if st.stage not in stage_ids]
        stage_ids = list(dict.fromkeys(stage_ids))

        def series(j: m.Journey, name: str) -> dict:
            xs, ys, texts = [], [], []
            for k, sid in enumerate(stage_ids):
                tps = [tp for st in j.stages if st.stage == sid for tp in st.touchpoints]
                for i, tp in enumerate(tps):
                    xs.append(round(k + (i + 1) / (len(tps) + 1), 4))
                    ys.append(tp.feeling.score if tp.feeling else None)
                    f = self.feeling_view(tp.feeling)
                    texts.append(f"{tp.name}: {f['score_text']} {f['label']}".strip() if f else tp.name)
            return {"name": name, "x": xs, "y": ys, "text": texts}

        names = [self.stage_name(model_id, s) for s in stage_ids]
        chart = self.chart(
            page,
            "compare",
            emotion_compare([series(journey, journey.title), series(other, other.title)], names, self.style),
            self.t("chart.compare", title=journey.title, other=other.title),
            height=300,
        )
        changes = []
        for sid in stage_ids:
            now = {tp.id: tp for st in other.stages if st.stage == sid for tp in st.touchpoints}
            then = {tp.id: tp for st in journey.stages if st.stage == sid for tp in st.touchpoints}
            feeling_changes = []
            for tid in [t for t in then if t in now]:
                a, b = now[tid].feeling, then[tid].feeling
                if (a.score if a else None) != (b.score if b else None):
                    feeling_changes.append(
                        {
                            "name": then[tid].name,
                            "url": f"#tp-{tid}",
                            "before": self.t.signed(a.score, 0) if a else "–",
                            "after": self.t.signed(b.score, 0) if b else "–",
                        }
                    )
            pains_before = {p for tp in now.values() for p in tp.pain_points}
            pains_after = {p for tp in then.values() for p in tp.pain_points}

            def mean(tps) -> float | None:
                s = [t.feeling.score for t in tps if t.feeling]
                return sum(s) / len(s) if s else None

            mb, ma = mean(now.values()), mean(then.values())
            changes.append(
                {
                    "stage": sid,
                    "name": self.stage_name(model_id, sid),
                    "added": [{"name": then[t].name, "url": f"#tp-{t}"} for t in then if t not in now],
                    "removed": [{"name": now[t].name} for t in now if t not in then],
                    "feelings": feeling_changes,
                    "pains_solved": [self.md_inline(p, page, "journey", other.id) for p in sorted(pains_before - pains_after)],
                    "pains_new": [self.md_inline(p, page, "journey", journey.id) for p in sorted(pains_after - pains_before)],
                    "mean_before": self.t.signed(mb, 1) if mb is not None else "–",
                    "mean_after": self.t.signed(ma, 1) if ma is not None else "–",
                    "unchanged": False,
                }
            )
            c = changes[-1]
            c["unchanged"] = not (c["added"] or c["removed"] or c["feelings"] or c["pains_solved"] or c["pains_new"])
        return {
            "other": {
                "id": other.id,
                "title": other.title,
                "url": relative_url(page, journey_path(other.id)),
                "state_text": self.t(f"journey.state.{other.state}"),
            },
            "chart": chart,
            "changes": changes,
        }
