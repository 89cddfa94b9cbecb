"""A project whose data and labels hold the HTML that Plotly would draw as markup (tests of charts as plain text)."""

from __future__ import annotations

from pathlib import Path

LINK = '<a href="https://evil.invalid/">here</a>'
BOLD = "<b>bold</b>"
BIG = '<span style="font-size:200px">big</span>'

# A project whose CSV segments and variants, touchpoint and journey names and metric labels all hold the markup
# Plotly would draw: every chart kind of the site shows at least one of them.
MARKUP_FILES = {
    "site.yml": f"""\
title: Markup
language: en
metrics:
  - {{id: nps, file: metrics/nps.csv, type: nps, label: '{BOLD} NPS {LINK}'}}
  - {{id: conv, file: metrics/conv.csv, type: value, label: 'Conversion {BIG}',
      columns: {{date: date, variant: variant, segment: segment, value: value}}}}
""",
    "content/personas/parent.yml": f"name: 'Parent {BOLD}'\nsegment: '{BOLD}'\n",
    "content/journeys/first-order.yml": f"""\
title: '{BIG} order'
persona: parent
stages:
  - stage: attention
    touchpoints:
      - id: ad
        name: '{LINK} advert'
        feeling: 1
  - stage: action
    touchpoints:
      - id: checkout
        name: 'Checkout {BOLD}'
        feeling: -1
""",
    "content/playbooks/test.md": f"""\
---
type: experiment
title: 'Test {BOLD}'
hypothesis: it helps
status: done
journey: first-order
metric: conv
control: 'control {BOLD}'
---
Text.
""",
    "content/metrics/nps.csv": "date,journey,touchpoint,segment,score\n"
    + "".join(
        f'2026-0{m}-{d:02d},first-order,{tp},"{seg}",{(d * 3 + m) % 11}\n'
        for m in (1, 2)
        for d in range(1, 29)
        for tp in ("ad", "checkout")
        for seg in (BOLD, LINK.replace('"', '""'), BIG.replace('"', '""'))
    ),
    "content/metrics/conv.csv": "date,variant,segment,value\n"
    + "".join(
        f'2026-01-{d:02d},"{var}","{seg}",{(d + i) % 2}\n'
        for d in range(1, 29)
        for i, var in enumerate((f"control {BOLD}", LINK.replace('"', '""')))
        for seg in (BOLD, BIG.replace('"', '""'))
        for _ in range(3)
    ),
}


def write_markup_project(root: Path) -> Path:
    """Write the markup project into root and give root."""
    for rel, text in MARKUP_FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root
