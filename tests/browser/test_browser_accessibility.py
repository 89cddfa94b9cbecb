"""axe-core (axe-playwright-python) on the home page, a journey page and a playbook page, and on the pages of
lists that go over pages: no serious or critical violation. Every violation found is written to
test-artifacts/axe.json (axe-lists.json) for a person to read."""

from __future__ import annotations

import json

import pytest
from browser_support import ARTIFACTS

pytestmark = pytest.mark.browser

PAGES = [
    "index.html",
    "journeys/eerste-bestelling.html",
    "playbooks/maathulp-productpagina.html",
    "playbooks/pakket-vertraagd.html",
]


def scan(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": len(v["nodes"]),
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in results.response["violations"]
    ]


def serious_of(found: dict[str, list[dict]], artifact: str) -> dict[str, list[dict]]:
    """Keep every violation found in test-artifacts/<artifact>; give the serious and critical ones per page."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / artifact).write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return {path: [v for v in violations if v["impact"] in ("serious", "critical")] for path, violations in found.items()}


def test_no_serious_or_critical_violation(watched, server):
    page = watched.page
    found: dict[str, list[dict]] = {}
    for path in PAGES:
        watched.open(server + path)
        found[path] = scan(page)
    # The search results open, too: their groups and links are part of the page then.
    watched.open(server + "index.html")
    page.locator("#search-input").fill("maattabel")
    page.wait_for_selector("#search-results a.search-hit")
    found["index.html (search results open)"] = scan(page)
    assert serious_of(found, "axe.json") == {path: [] for path in found}
    assert watched.problems == []


LIST_PAGES = [
    "journeys/page/2.html",
    "personas/index.html",
    "playbooks/index.html",
    "playbooks/surprise-live/index.html",
    "playbooks/guide/page/3.html",
    "pillars/page/2.html",
    "metrics/nps.html",
    "metrics/nps/breakdown/page/2.html",
    "chapters/page/2.html",
    "index.html",
]


def test_pages_of_long_lists_have_no_serious_or_critical_violation(watched, many_server):
    found: dict[str, list[dict]] = {}
    for path in LIST_PAGES:
        watched.open(many_server + path)
        found[path] = scan(watched.page)
        if "/page/" in path:
            assert watched.page.locator("nav.pager a[aria-current=page]").count() == 1, path
    assert serious_of(found, "axe-lists.json") == {path: [] for path in found}
    assert watched.problems == []
