"""The home page."""

from __future__ import annotations

from ..contexts import HomeContext
from ..page import Page
from ..paging import PREVIEW_ITEMS
from ..paths import (
    relative_url,
)
from .journeys import JourneyPages
from .pillars import PillarPages
from .playbooks import PlaybookPages

HOME_CARDS = 24  # journeys shown as cards (with a sparkline) on the home page


class HomePages(JourneyPages, PillarPages, PlaybookPages):
    """The home page."""

    def home_page(self) -> Page:
        path = "index.html"
        cards, charts = [], []
        for journey in list(self.project.journeys.values())[:HOME_CARDS]:
            card, chart = self.journey_card(journey, path)
            cards.append(card)
            if chart:
                charts.append(chart)
        coverage = self.pillar_coverage(path)
        live = self.section_playbooks("surprise-live")
        experiments = self.section_playbooks("experiment")
        running = [pb for pb in experiments if pb.status == "running"]
        done = [pb for pb in experiments if pb.status == "done"]
        context: HomeContext = {
            "description": self.md(self.cfg.description, path),
            "journeys": cards,
            "journeys_total": len(self.project.journeys),
            "journeys_url": relative_url(path, "journeys/index.html"),
            "coverage": coverage,
            "live_surprises": [self.playbook_link(pb, path) | {"trigger": pb.trigger} for pb in live[:PREVIEW_ITEMS]],
            "live_surprises_more": self.section_more("surprise-live", path) if len(live) > PREVIEW_ITEMS else None,
            "running_experiments": [self.experiment_summary(pb, path) for pb in running[:PREVIEW_ITEMS]],
            "done_experiments": [self.experiment_summary(pb, path) for pb in done[:PREVIEW_ITEMS]],
            "experiments_more": self.section_more("experiment", path) if max(len(running), len(done)) > PREVIEW_ITEMS else None,
            "overall": self.headline(None, path),
        }
        return Page(path, "home.html", "home", self.cfg.title, context, tuple(charts))
