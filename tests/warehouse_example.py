"""The example handbook with its metrics in a warehouse: the same rows as its CSV files, read independently.

`tables()` gives each metric file's rows as typed tables (read with Python's csv module, not cxreport's reader),
`as_warehouse(root, url)` rewrites a copy of the example's site.yml so that those five metrics read
`warehouse: dwh`. The survey's metrics (respondents, comments) stay files. The NPS table keeps its dates as text
(dd-mm-yyyy, read by date_format); the others have typed dates, so both paths are tried on every engine.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from helpers import REPO

Column = tuple[str, str]  # name, type: text | date | integer | bigint | double


def _read(name: str, delimiter: str, skip: int = 0) -> list[list[str]]:
    with (REPO / "content" / "metrics" / name).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=delimiter))
    return rows[skip + 1 :]


def _day(text: str, fmt: str = "%Y-%m-%d") -> dt.date:
    return dt.datetime.strptime(text, fmt).date()


def tables() -> dict[str, tuple[list[Column], list[tuple]]]:
    """Give the example's metric files as tables: name -> (columns, rows)."""
    nps = [(r[0], r[1], r[2], r[3], int(r[4])) for r in _read("nps.csv", ";")]
    csat = [(_day(r[0]), r[1], r[2], r[3], int(r[4])) for r in _read("csat.csv", ",")]
    funnel = [(_day(r[0]), r[1], r[2], int(r[3])) for r in _read("funnel.csv", ",")]
    ontime = [(_day(r[0], "%d-%m-%Y"), float(r[1].replace(",", ".")), int(r[2])) for r in _read("levertijd.csv", ";", skip=1)]
    conversion = [(_day(r[0]), r[1], r[2], float(r[3])) for r in _read("conversie-test.csv", ",")]
    return {
        "nps": ([("datum", "text"), ("journey", "text"), ("touchpoint", "text"), ("segment", "text"), ("score", "integer")], nps),
        "csat": (
            [("answered_at", "date"), ("journey", "text"), ("touchpoint", "text"), ("segment", "text"), ("score", "integer")],
            csat,
        ),
        "funnel": ([("day", "date"), ("journey", "text"), ("stage", "text"), ("customers", "bigint")], funnel),
        "on_time": ([("week", "date"), ("on_time", "double"), ("parcels", "bigint")], ontime),
        "conversion": ([("day", "date"), ("variant", "text"), ("segment", "text"), ("converted", "double")], conversion),
    }


# the example's declarations of those five metrics, as they read the warehouse
_DECLARED = {
    "nps-webshop": """    warehouse: dwh
    table: {schema}nps
    type: nps
    columns:
      date: datum
      journey: journey
      touchpoint: touchpoint
      segment: segment
      score: score""",
    "csat-levering": """    warehouse: dwh
    table: {schema}csat
    type: csat
    columns: {{date: answered_at, journey: journey, touchpoint: touchpoint, segment: segment, score: score}}""",
    "funnel-webshop": """    warehouse: dwh
    query: SELECT day, journey, stage, customers FROM {schema}funnel WHERE customers >= 0
    type: funnel
    columns: {{date: day, journey: journey, stage: stage, count: customers}}""",
    "op-tijd": """    warehouse: dwh
    table: {schema}on_time
    type: value
    columns:
      date: week
      value: on_time""",
    "conversie-test": """    warehouse: dwh
    table: {schema}conversion
    type: value
    columns: {{date: day, variant: variant, segment: segment, value: converted}}""",
}


def site_yml(url: str, schema: str = "cx.") -> str:
    """Give the example's site.yml with its five file metrics read from warehouse `dwh` at url."""
    text = (REPO / "site.yml").read_text(encoding="utf-8")
    for metric, declared in _DECLARED.items():
        # from the line after '- id: <metric>' up to its 'period:' line: the file's declaration
        pattern = re.compile(rf"(  - id: {re.escape(metric)}\n)(.*?)(\n    (?:period|date_format|unit):)", re.S)
        new, count = pattern.subn(lambda m, d=declared: m.group(1) + d.format(schema=schema) + m.group(3), text, count=1)
        assert count == 1, metric
        text = new
    text = re.sub(r"\n    date_format: \"%d-%m-%Y\"\n(    unit: \"%\")", r"\n\1", text)  # op-tijd's dates are typed now
    return text.replace("\nmetrics:\n", f"\nwarehouses:\n  dwh:\n    url: {url}\n    max_age: 1h\nmetrics:\n", 1)


def as_warehouse(root: Path, url: str, schema: str = "cx.") -> None:
    """Rewrite the site.yml of a copy of the example so its five file metrics read warehouse `dwh`."""
    (root / "site.yml").write_text(site_yml(url, schema), encoding="utf-8")
