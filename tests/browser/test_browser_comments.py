"""The comments page in a real browser, opened from disk: filter by code and NPS group, page through."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PAGE = "comments/nps-onderzoek.html"


def shown(page) -> list[dict]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('.comment-list li blockquote')).map(q => ({
        cls: q.className, text: q.querySelector('p').textContent, meta: q.querySelector('footer').textContent}))""")


def test_filters_and_pages_work_from_disk(watched, disk, site):
    import json

    page = watched.page
    watched.open(disk + PAGE)
    data = json.loads(page.locator("script.comment-data").text_content())
    items = data["items"]
    assert len(shown(page)) == 25 and page.locator(".comment-pager").is_visible()
    page.select_option("select[name=code]", "retour")
    page.select_option("select[name=group]", "detractor")
    expected = [i for i in items if "retour" in i["c"] and i["g"] == "detractor"]
    rows = shown(page)
    assert [r["text"] for r in rows] == [i["t"] for i in expected[:25]]
    assert all("criticaster" in r["meta"] and "Retourneren" in r["meta"] for r in rows)
    assert page.locator(".comment-status").text_content() == f"{len(expected)} van {len(items)} opmerkingen"
    page.select_option("select[name=group]", "")
    page.select_option("select[name=code]", "")
    page.locator(".comment-next").click()
    assert [r["text"] for r in shown(page)] == [i["t"] for i in items[25:50]]
    html = page.content()
    assert "Marieke" not in html and "06-12345678" not in html
