"""The personas overview and each persona's page."""

from __future__ import annotations

from typing import Any

from ... import model as m
from ...kinds import KINDS
from ..charts import time_series
from ..contexts import PersonaContext, PersonasContext
from ..figure_index import ALL
from ..page import Page
from ..paging import PREVIEW_ITEMS, ListPages
from ..paths import (
    journey_path,
    persona_path,
    relative_url,
)
from .journeys import JourneyPages


class PersonaPages(JourneyPages):
    """The personas overview and each persona's page."""

    def persona_pages(self) -> ListPages:
        return ListPages("personas/index.html", "personas", len(self.project.personas))

    def personas_page(self, number: int = 1) -> Page:
        """Give page `number` of the personas overview; a card names the persona's first journeys and counts the rest."""
        pages = self.persona_pages()
        path = pages.path(number)
        personas = []
        for p in list(self.project.personas.values())[pages.rows(number)]:
            theirs = self._journeys_of.get(p.id, [])
            journeys = [{"title": j.title, "url": relative_url(path, journey_path(j.id))} for j in theirs[:PREVIEW_ITEMS]]
            personas.append(
                {
                    "id": p.id,
                    "name": p.name,
                    "quote": p.quote or "",
                    "segment": p.segment or "",
                    "url": relative_url(path, persona_path(p.id)),
                    "journeys": journeys,
                    "journeys_more": self.t.integer(len(theirs) - PREVIEW_ITEMS) if len(theirs) > PREVIEW_ITEMS else "",
                }
            )
        context: PersonasContext = {"personas": personas, "pager": self.pager(pages, number, self.t("nav.personas"))}
        return Page(path, "personas.html", "personas", self.numbered(self.t("nav.personas"), number), context)

    def persona_page(self, persona: m.Persona) -> Page:
        path = persona_path(persona.id)
        journeys = [self.journey_card(j, path, with_chart=False)[0] for j in self._journeys_of.get(persona.id, ())]
        figures = []
        charts = []
        if persona.segment:
            for source in self.cfg.metrics:
                seg = self.index.get(source.id, ALL, segment=persona.segment)
                if seg is None:
                    continue
                everyone = self.index.get(source.id, ALL)
                figures.append(
                    {"segment": self.figure_view(seg, source.id, path), "everyone": self.figure_view(everyone, source.id, path)}
                )
            for source in self.cfg.metrics:
                if not source.kind.headline:
                    continue
                seg_rows = self.index.over_time(source.id, segment=persona.segment)
                all_rows = self.index.over_time(source.id)
                if seg_rows:
                    series: list[dict[str, Any]] = [
                        {
                            "name": persona.name,
                            "x": [self.t.period(f.period) for f in seg_rows],
                            "y": [f.value for f in seg_rows],
                            "margin": [f.margin for f in seg_rows],
                            "text": [self.value_text(f) for f in seg_rows],
                        },
                        {
                            "name": self.t("persona.everyone"),
                            "x": [self.t.period(f.period) for f in all_rows],
                            "y": [f.value for f in all_rows],
                            "margin": None,
                            "text": [self.value_text(f) for f in all_rows],
                        },
                    ]
                    charts.append(
                        self.chart(
                            path,
                            f"segment-{source.id}",
                            time_series(series, self.style, y_title="NPS", scale=KINDS["nps"].value_range),
                            self.t("chart.segment", metric=self.metric_label(source.id), name=persona.name),
                        )
                    )
                    break
        playbooks = [self.playbook_link(pb, path) for pb in self._playbooks_for.get(persona.id, ())]
        kind = ("persona", persona.id)
        context: PersonaContext = {
            "persona": {
                "id": persona.id,
                "name": persona.name,
                "quote": persona.quote or "",
                "segment": persona.segment or "",
                "description": self.md(persona.description, path, *kind),
                "goals": [self.md_inline(x, path, *kind) for x in persona.goals],
                "frustrations": [self.md_inline(x, path, *kind) for x in persona.frustrations],
                "channels": list(persona.channels),
            },
            "journeys": journeys,
            "figures": figures,
            "segment_chart": charts[0] if charts else None,
            "playbooks": playbooks,
            "drivers": [link for j in self._journeys_of.get(persona.id, ()) for link in self.driver_links(path, journey=j.id)],
        }
        return Page(path, "persona.html", "persona", persona.name, context, tuple(charts))
