"""What every page family shares: names in the site's language, Markdown, charts, the map's parts, links."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .. import model as m
from ..figures import FigureSet
from ..loader import Project
from ..problems import Problems
from .charts import Chart, ChartStyle
from .figure_index import FigureIndex
from .i18n import Catalogue
from .markdown import MarkdownRenderer
from .paths import (
    journey_path,
    persona_path,
    playbook_path,
    relative_url,
    touchpoint_path,
)

LANES = ("figures", "doing", "thinking", "feeling", "pain_points", "opportunities", "playbooks", "backstage", "evidence")

SURPRISE_STATUSES = ("idea", "planned", "live", "retired")

PLAYBOOK_KINDS = ("surprise", "recovery", "story", "experiment", "guide")

VERDICTS = ("better", "worse", "inconclusive", "no_data")

NAV_LIMIT = 15  # a navigation section lists its pages up to this many; beyond, its index page does

PLAYBOOK_SECTIONS = tuple(f"surprise-{s}" for s in SURPRISE_STATUSES) + ("recovery", "story", "experiment", "guide")


@dataclass
class PlannerBase:
    """The project, its figures and the site's language, with the views every page family shares."""

    project: Project
    figures: FigureSet
    t: Catalogue
    markdown: MarkdownRenderer
    style: ChartStyle
    problems: Problems
    _chart_count: dict[str, int] = field(default_factory=dict)
    _metric_rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = FigureIndex.of(self.figures)
        self.cfg = self.project.config
        self.metric_ids = [s.id for s in self.cfg.metrics]
        self._playbooks_at: dict[tuple[str | None, str | None], list] = defaultdict(list)
        self._playbooks_of: dict[str | None, list] = defaultdict(list)  # journey -> its playbooks (no guides)
        self._playbooks_for: dict[str, list] = defaultdict(list)  # persona -> playbooks for it (audience, story)
        for pb in self.project.playbooks.values():
            if pb.type != "guide":
                self._playbooks_at[(pb.journey, pb.touchpoint)].append(pb)
                self._playbooks_of[pb.journey].append(pb)  # by id, as project.playbooks is
            for persona_id in {getattr(pb, "audience", None), pb.persona if pb.type == "story" else None}:
                if persona_id is not None:
                    self._playbooks_for[persona_id].append(pb)
        self._journeys_of: dict[str, list] = defaultdict(list)  # persona -> journeys (by id)
        for j in self.project.journeys.values():
            self._journeys_of[j.persona].append(j)

    def stage_model(self, journey: m.Journey) -> tuple[m.StageDef, ...]:
        return self.project.stage_models.get(self.project.stage_model_of(journey), ())

    def stage_name(self, model_id: str, stage_id: str) -> str:
        stages = self.project.stage_models.get(model_id, ())
        builtin = m.BUILTIN_STAGE_MODELS.get(model_id)
        if stages is builtin and self.t.has(f"stage.{model_id}.{stage_id}"):
            return self.t(f"stage.{model_id}.{stage_id}")
        return next((s.name for s in stages if s.id == stage_id), stage_id)

    def stage_description(self, model_id: str, stage_id: str) -> str | None:
        stages = self.project.stage_models.get(model_id, ())
        if stages is m.BUILTIN_STAGE_MODELS.get(model_id) and self.t.has(f"stage.{model_id}.{stage_id}.description"):
            return self.t(f"stage.{model_id}.{stage_id}.description")
        return next((s.description for s in stages if s.id == stage_id), None)

    def pillar_name(self, pillar_id: str) -> str:
        if pillar_id not in self.cfg.pillars and self.t.has(f"pillar.{pillar_id}"):
            return self.t(f"pillar.{pillar_id}")
        pillar = self.project.pillars.get(pillar_id)
        return pillar.name if pillar else pillar_id

    def pillar_description(self, pillar_id: str) -> str | None:
        if pillar_id not in self.cfg.pillars and self.t.has(f"pillar.{pillar_id}.description"):
            return self.t(f"pillar.{pillar_id}.description")
        pillar = self.project.pillars.get(pillar_id)
        return pillar.description if pillar else None

    def metric_label(self, metric_id: str) -> str:
        source = self.project.metric(metric_id)
        return (source.label or source.id) if source else metric_id

    def source_of(self, kind: str, object_id: str) -> tuple[str, int]:
        origin = self.project.origins.get((kind, object_id))
        return (origin.path, origin.body_line) if origin else ("", 0)

    def md(self, text: str | None, page: str, kind: str = "", object_id: str = "", *, ids: bool = False, body: bool = False):
        source, body_line = self.source_of(kind, object_id) if kind else ("", 0)
        return self.markdown.block(text, source=source, page=page, line=body_line if body else 0, ids=ids)

    def md_inline(self, text: str | None, page: str, kind: str = "", object_id: str = ""):
        source = self.source_of(kind, object_id)[0] if kind else ""
        return self.markdown.inline(text, source=source, page=page)

    def chart(
        self, page: str, name: str, figure: dict, label: str, height: int = 260, css_class: str = "chart", note: str = ""
    ) -> Chart:
        """Give a chart with an id unique on its page (note: what it left out, shown under it)."""
        key = f"{page}:{name}"
        self._chart_count[key] = self._chart_count.get(key, 0) + 1
        suffix = "" if self._chart_count[key] == 1 else f"-{self._chart_count[key]}"
        return Chart(id=f"chart-{name}{suffix}", figure=figure, label=label, height=height, css_class=css_class, note=note)

    def ordered_stages(self, journey: m.Journey) -> list[m.Stage]:
        """Give a journey's stages in the stage model's order (stages not in the model last, as written)."""
        order = {s.id: i for i, s in enumerate(self.stage_model(journey))}
        return sorted(journey.stages, key=lambda s: order.get(s.stage, len(order)))

    def feeling_view(self, feeling: m.Feeling | None) -> dict | None:
        if feeling is None:
            return None
        rounded = max(-2, min(2, round(feeling.score)))
        return {
            "score": feeling.score,
            "score_text": self.t.signed(feeling.score, 0 if feeling.score == int(feeling.score) else 1),
            "label": feeling.label or "",
            "word": self.t(f"feeling.{rounded}"),
            "level": rounded,
        }

    def playbooks_at(self, journey_id: str, touchpoint_id: str | None, page: str) -> list[dict]:
        return [self.playbook_link(pb, page) for pb in self._playbooks_at.get((journey_id, touchpoint_id), [])]

    def playbook_link(self, pb, page: str) -> dict:
        status = getattr(pb, "status", None)
        return {
            "id": pb.id,
            "title": pb.title,
            "type": pb.type,
            "type_text": self.t(f"playbook.{pb.type}"),
            "url": relative_url(page, playbook_path(pb.id)),
            "status": status or "",
            "status_text": self.t(f"{pb.type}.status.{status}") if status else "",
        }

    def curve(self, journey: m.Journey) -> tuple[list[str], list[float | None], list[str]]:
        names, scores, hover = [], [], []
        for stage in self.ordered_stages(journey):
            for tp in stage.touchpoints:
                names.append(tp.name)
                scores.append(tp.feeling.score if tp.feeling else None)
                f = self.feeling_view(tp.feeling)
                hover.append(f"{tp.name}: {f['score_text']} {f['label']}".strip() if f else f"{tp.name}: –")
        return names, scores, hover

    def evidence_count(self, journey: m.Journey) -> dict:
        tps = [t for _, t in journey.touchpoints()]
        evidenced = sum(1 for t in tps if t.evidenced)
        return {
            "evidenced": evidenced,
            "total": len(tps),
            "text": self.t("journey.evidence_count", n=self.t.integer(evidenced), total=self.t.integer(len(tps))),
        }

    def place_link(self, pb, page: str) -> dict | None:
        """Give the journey (and touchpoint) a playbook is linked to, as a link."""
        if not pb.journey or pb.journey not in self.project.journeys:
            return None
        journey = self.project.journeys[pb.journey]
        tp = next((t for _, t in journey.touchpoints() if t.id == pb.touchpoint), None)
        target = touchpoint_path(journey.id, tp.id) if tp else journey_path(journey.id)
        return {"journey": journey.title, "touchpoint": tp.name if tp else "", "url": relative_url(page, target)}

    def persona_link(self, persona_id: str | None, page: str) -> dict | None:
        persona = self.project.personas.get(persona_id) if persona_id else None
        return {"name": persona.name, "url": relative_url(page, persona_path(persona.id))} if persona else None

    def _stage_pos(self, key: tuple[str | None, str | None]) -> int:
        journey_id, stage_id = key
        journey = self.project.journeys.get(journey_id) if journey_id else None
        if journey is None or stage_id is None:
            return -1
        ids = [s.id for s in self.stage_model(journey)]
        return ids.index(stage_id) if stage_id in ids else len(ids)

    def _place_name(self, journey_id: str | None, stage_id: str | None, touchpoint_id: str | None) -> str:
        if journey_id is None:
            return self.t("metric.everyone") if stage_id is None else stage_id
        journey = self.project.journeys.get(journey_id)
        if journey is None:
            return journey_id
        parts = [journey.title]
        if stage_id:
            parts.append(self.stage_name(self.project.stage_model_of(journey), stage_id))
        if touchpoint_id:
            tp = next((t for _, t in journey.touchpoints() if t.id == touchpoint_id), None)
            parts.append(tp.name if tp else touchpoint_id)
        return " · ".join(parts)

    def _more(self, count: int, label: str = "pillars.more") -> str:
        """Give the note under a shortened list ('and 12 more: …'), or '' when nothing was left out."""
        return self.t(label, count=self.t.integer(count)) if count > 0 else ""

    def fetched_text(self, metric: str) -> str | None:
        """Give when a warehouse metric's figures were fetched, in the site's words (None for a file's metric)."""
        at = self.figures.fetched.get(metric)
        if at is None:
            return None
        return self.t.datetime(dt.datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ"))

    def experiment_summary(self, pb: m.Experiment, page: str) -> dict:
        verdict = self.figures.verdicts.get(pb.id, "no_data")
        verdict = verdict if verdict in VERDICTS else "no_data"
        return self.playbook_link(pb, page) | {
            "hypothesis": pb.hypothesis,
            "verdict": verdict,
            "verdict_text": self.t(f"verdict.{verdict}"),
        }
