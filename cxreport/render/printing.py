"""The print page: the whole report as one document for `cxreport pdf`, made from the contexts of the planned pages.

print.html is built only for the PDF, never into the site: a cover with the brand and the date, the home summary,
every journey with its map in page-wide parts (whole stages only) and its charts, the pillars and the playbooks
(the whole pillar matrix and every playbook, where the site's overview pages show the first and link to the rest).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, cast

from .charts import Chart, emotion_curve
from .contexts import HomeContext, PrintContext
from .site import Page, Planner

PRINT_PATH = "print.html"
# Touchpoint columns beside the lane column that fit the width of an A4 landscape page at a readable size.
PRINT_COLUMNS = 6
# A link in the PDF would lead into the temporary folder the report was printed from: only links within it stay.
_LINK = re.compile(r'(<a\b[^>]*?)\s+href="(?!#)[^"]*"')


def map_parts(stages: Sequence[dict], limit: int = PRINT_COLUMNS) -> list[list[dict]]:
    """Give a journey's stages in groups whose columns fit one page width; a stage is never cut in two.

    A stage wider than the page alone makes a part of its own (its columns are narrowed to fit).
    """
    parts: list[list[dict]] = []
    current: list[dict] = []
    width = 0
    for stage in stages:
        if current and width + stage["span"] > limit:
            parts.append(current)
            current, width = [], 0
        current.append(stage)
        width += stage["span"]
    if current:
        parts.append(current)
    return parts


def without_links(html: str) -> str:
    """Give the print page's HTML with links to other files dropped (anchors within the document stay)."""
    return _LINK.sub(r"\1", html)


def _renamed(chart: Chart | None, prefix: str) -> Chart | None:
    """Give a chart of another page with an id unique on the print page."""
    if chart is None:
        return None
    return dataclasses.replace(chart, id=f"chart-{prefix}-{chart.id.removeprefix('chart-')}")


def _journey_part(planner: Planner, journey: dict, stages: list[dict], number: int, total: int) -> dict:
    columns = [tp for s in stages for tp in (s["touchpoints"] or [{"empty": True, "stage": s["id"]}])]
    chart = None
    scores = [c["feeling"]["score"] if not c["empty"] and c["feeling"] else None for c in columns]
    if any(s is not None for s in scores):
        names = [c.get("name", "") for c in columns]
        hover = [c["name"] if not c["empty"] else "" for c in columns]
        chart = planner.chart(
            PRINT_PATH,
            f"p-{journey['id']}-emotion",
            emotion_curve(names, scores, hover, planner.style, fill_columns=True),
            planner.t("chart.emotion", title=journey["title"]),
            height=110,
            css_class="chart emotion",
        )
    return {
        "stages": stages,
        "columns": columns,
        "emotion_chart": chart,
        "number": number,
        "total": total,
        "label": planner.t("print.map_part", title=journey["title"], n=number, total=total),
    }


def _short_voices(voices: Sequence[dict]) -> list[dict]:
    """Give a journey's voices as the report prints them: per metric its codes and one quote of each NPS group
    (the first of each the site shows, so the report quotes what the site quotes)."""
    out = []
    for v in voices:
        metrics = []
        for mt in v["metrics"]:
            first: dict[str, dict] = {}
            for q in mt["quotes"]:
                first.setdefault(q["group"], q)
            metrics.append(dict(mt, quotes=list(first.values())[:2]))
        out.append(dict(v, metrics=metrics))
    return out


def print_page(planner: Planner, pages: Sequence[Page], when: dt.date) -> Page:
    """Give the print page of a planned site, dated `when` (the cover shows it in the site's language)."""
    t = planner.t
    by_kind: dict[str, list[Page]] = {}
    for page in pages:
        by_kind.setdefault(page.kind, []).append(page)
    home = by_kind["home"][0]
    charts: list[Chart] = list(home.charts)
    journeys: list[dict[str, Any]] = []
    for page in by_kind.get("journey", []):
        c = page.context
        groups = map_parts(c["stages"])
        parts = [_journey_part(planner, c["journey"], g, i, len(groups)) for i, g in enumerate(groups, 1)]
        prefix = f"p-{c['journey']['id']}"
        nps = _renamed(c["nps_chart"], prefix)
        compare = dict(c["compare"], chart=_renamed(c["compare"]["chart"], prefix)) if c["compare"] else None
        charts += [p["emotion_chart"] for p in parts if p["emotion_chart"]]
        charts += [x for x in (nps, compare["chart"] if compare else None) if x]
        journeys.append(
            {
                **c,
                "anchor": f"sec-print-journey-{c['journey']['id']}",
                "parts": parts,
                "nps_chart": nps,
                "compare": compare,
                "voices": _short_voices(c["voices"]),
            }
        )
    context: PrintContext = {
        "cover": {"date_text": t.date(when), "date": when.isoformat()},
        "print_columns": PRINT_COLUMNS,
        "summary": cast(HomeContext, home.context),
        "journey_maps": journeys,
        # the report holds the whole matrix and every playbook, which the site spreads over pages of their own
        "pillars_view": dict(by_kind["pillars"][0].context)
        | planner.pillar_matrix(planner.project.journeys.values(), PRINT_PATH)
        | {"pager": None}
        if "pillars" in by_kind
        else None,
        "playbooks_view": planner.playbooks_view(PRINT_PATH, whole=True) if "playbooks" in by_kind else None,
    }
    return Page(PRINT_PATH, "print.html", "print", planner.cfg.title, context, tuple(charts))
