"""The site's navigation bar."""

from __future__ import annotations

from ..contexts import NavLink, NavSection
from ..paths import (
    CHAPTERS_PATH,
    journey_path,
    metric_path,
    persona_path,
)
from ..views import NAV_LIMIT
from .chapters import ChapterPages
from .drivers import DRIVERS_PATH


class Navigation(ChapterPages):
    """The site's navigation bar."""

    def navigation(self) -> list[NavSection]:
        """Give the site's navigation with site-absolute paths (each page makes them relative)."""
        nav: list[NavSection] = [{"label": self.t("nav.home"), "path": "index.html", "items": []}]

        def listed(items: list[NavLink]) -> list[NavLink]:
            return items if len(items) <= NAV_LIMIT else []

        nav.append(
            {
                "label": self.t("nav.journeys"),
                "path": "journeys/index.html",
                "items": listed([{"label": j.title, "path": journey_path(j.id)} for j in self.project.journeys.values()]),
            }
        )
        nav.append(
            {
                "label": self.t("nav.personas"),
                "path": "personas/index.html",
                "items": listed([{"label": p.name, "path": persona_path(p.id)} for p in self.project.personas.values()]),
            }
        )
        nav.append({"label": self.t("nav.pillars"), "path": "pillars.html", "items": []})
        nav.append({"label": self.t("nav.playbooks"), "path": "playbooks/index.html", "items": []})
        if self.cfg.metrics:
            nav.append(
                {
                    "label": self.t("nav.metrics"),
                    "path": "metrics/index.html",
                    "items": listed([{"label": self.metric_label(s.id), "path": metric_path(s.id)} for s in self.cfg.metrics]),
                }
            )
        if self.cfg.drivers:  # version 2: what moves the score, one page for every analysis
            nav.append({"label": self.t("nav.drivers"), "path": DRIVERS_PATH, "items": []})
        chapters = self.chapters_listed()
        if chapters is None:  # too many to list on every page: the handbook's own contents page lists them
            nav.append({"label": self.t("nav.handbook"), "path": CHAPTERS_PATH, "items": []})
        elif chapters:
            nav.append({"label": self.t("nav.handbook"), "path": None, "items": chapters})
        return nav
