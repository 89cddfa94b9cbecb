"""A metric's breakdown table shows each group of answers once: a narrower place or group with exactly the answers
of the wider one is one row, which says what else it stands for."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from helpers import write_project

from cxreport.figures import Figure
from cxreport.pipeline import build
from cxreport.render.families.metrics import without_repeats

SITE = "title: T\nlanguage: en\nmetrics:\n  - {id: nps, file: metrics/nps.csv, type: nps, label: NPS}\n"
PERSONA = "name: Parent\nsegment: parents\n"
JOURNEY = """\
title: First order
persona: parent
stages:
  - stage: attention
    touchpoints:
      - {id: ad, name: Advert, feeling: 1}
      - {id: tip, name: Tip, feeling: 1}
  - stage: action
    touchpoints:
      - {id: checkout, name: Checkout, feeling: -1}
"""
REPEAT = "title: Repeat\npersona: parent\nstages:\n  - stage: action\n    touchpoints:\n      - {id: mail, name: Mail}\n"


def breakdown_rows(site: Path, metric: str = "nps") -> list[tuple[str, str, str]]:
    """Give the breakdown table of a metric page as (place, segment, n) per row, as a reader sees them."""
    html = (site / f"metrics/{metric}.html").read_text("utf-8")
    table = html[html.index('id="sec-breakdown"') :]
    table = table[: table.index("</table>")]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        cells = [" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        rows.append((cells[0], cells[1], cells[5]))
    return rows


def built(tmp_path: Path, csv: str) -> Path:
    root = write_project(
        tmp_path / "project",
        {
            "site.yml": SITE,
            "content/personas/parent.yml": PERSONA,
            "content/journeys/first-order.yml": JOURNEY,
            "content/journeys/repeat.yml": REPEAT,
            "content/metrics/nps.csv": "date,journey,touchpoint,segment,score\n" + csv,
        },
    )
    result = build(root, tmp_path / "site")
    assert result.written, [p.format() for p in result.problems]
    return tmp_path / "site"


def test_one_stage_and_touchpoint_with_data_and_one_segment_is_one_row(tmp_path):
    # the case: every answer is at one touchpoint, from one segment: all customers, the journey, the stage
    # and the touchpoint, each with and without the segment, are eight times the same figure
    site = built(tmp_path, "".join(f"2026-01-{d:02d},first-order,ad,parents,{d % 11}\n" for d in range(1, 29)))
    assert breakdown_rows(site) == [
        (
            "First order · Attention · Advert (also the whole stage, the whole journey, all journeys and the group"
            " parents: the same answers)",
            "",
            "28",
        )
    ]


def test_places_and_groups_with_answers_of_their_own_keep_their_rows(tmp_path):
    rows = [f"2026-01-{d:02d},first-order,ad,parents,9\n" for d in range(1, 11)]  # 10 at the advert, parents
    rows += [f"2026-01-{d:02d},first-order,tip,students,3\n" for d in range(1, 6)]  # 5 at the tip, students
    rows += [f"2026-01-{d:02d},first-order,checkout,parents,7\n" for d in range(1, 5)]  # 4 at checkout, parents
    rows += ["2026-01-20,repeat,mail,students,10\n"]  # 1 answer in another journey
    assert breakdown_rows(built(tmp_path, "".join(rows))) == [
        ("All customers", "", "20"),
        ("All customers", "students", "6"),  # 5 in the first order, 1 in the repeat
        ("First order", "", "19"),
        ("First order (also all journeys: the same answers)", "parents", "14"),  # every parent is in this journey
        ("First order · Attention", "", "15"),  # the advert and the tip
        # the advert's answers are all the parents', and the stage's parents are all at the advert
        ("First order · Attention · Advert (also the group parents here and in the whole stage: the same answers)", "", "10"),
        (
            "First order · Attention · Tip (also the group students here and in the whole stage and the whole journey:"
            " the same answers)",
            "",
            "5",
        ),
        ("First order · Action · Checkout (also the whole stage and the group parents: the same answers)", "", "4"),
        ("Repeat · Action · Mail (also the whole stage, the whole journey and the group students: the same answers)", "", "1"),
    ]


def fig(journey=None, stage=None, touchpoint=None, segment=None, variant=None, n=10, value=5.0) -> Figure:
    return Figure("m", "value", "all", journey, stage, touchpoint, segment, variant, n, value, None)


@pytest.mark.parametrize(
    "figures, kept, same",
    [
        # a journey whose answers are all at one stage, the stage's spread over two touchpoints
        (
            [fig("j"), fig("j", "s"), fig("j", "s", "a", n=6, value=4.0), fig("j", "s", "b", n=4, value=6.5)],
            [fig("j", "s"), fig("j", "s", "a", n=6, value=4.0), fig("j", "s", "b", n=4, value=6.5)],
            {("j", "s", None, None, None): (("place", "journey", ()),)},
        ),
        # the same count but another value is not the same answers
        ([fig("j"), fig("j", "s", value=4.0)], [fig("j"), fig("j", "s", value=4.0)], {}),
        # a variant holding every answer of its place
        ([fig("j"), fig("j", variant="v")], [fig("j")], {("j", None, None, None, None): (("variant", "v", ()),)}),
        # a segment whose answers at the journey are all at its one stage, which has another segment too
        (
            [
                fig("j", n=9),
                fig("j", "s", n=9),
                fig("j", segment="x", n=3, value=1.0),
                fig("j", "s", segment="x", n=3, value=1.0),
            ],
            [fig("j", "s", n=9), fig("j", "s", segment="x", n=3, value=1.0)],
            {("j", "s", None, None, None): (("place", "journey", ()),), ("j", "s", None, "x", None): (("place", "journey", ()),)},
        ),
    ],
)
def test_without_repeats(figures, kept, same):
    assert without_repeats(figures) == (kept, same)


def test_a_funnel_keeps_every_stage(tmp_path):
    # a funnel's stages count people at each step, not subsets of a wider group: none is merged
    root = write_project(
        tmp_path / "project",
        {
            "site.yml": "title: T\nlanguage: en\nmetrics:\n  - {id: f, file: metrics/f.csv, type: funnel, label: F}\n",
            "content/personas/parent.yml": PERSONA,
            "content/journeys/first-order.yml": JOURNEY,
            "content/metrics/f.csv": "date,journey,stage,count\n2026-01-01,first-order,attention,100\n"
            "2026-01-01,first-order,action,100\n",
        },
    )
    assert build(root, tmp_path / "site").written
    assert breakdown_rows(tmp_path / "site", "f") == [("First order · Attention", "", "100"), ("First order · Action", "", "100")]
