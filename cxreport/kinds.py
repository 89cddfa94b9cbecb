"""The metric kinds (site.yml's `type:`): what each one reads, counts, computes, rounds and shows, in one place.

Every part of cxreport that treats one kind of metric differently from another asks its
MetricKind: the loader (which types there are), the cross-file checks, the metric engine
(which column it reads, how a cell is judged, which sums the tally keeps, the formula) and
the writers (rounding in figures.json, how the site shows a value). A kind knows nothing of
where its rows come from, so a new source of rows (a survey export, a warehouse) reuses all
of it: it only has to give the tally, whose sums come from `tally_sql`.

Adding a kind is one entry in KINDS (plus its labels `metric.type.<name>` and
`metric.explain.<name>` in the theme's i18n files).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import stats


@dataclass(frozen=True)
class MetricKind:
    """One kind of metric: its column, cell rule, tally sums, formula, margin, rounding and small-sample rule."""

    name: str  # the `type:` in site.yml and figures.json
    title: str  # a figure's name on a chart axis: NPS, CSAT, ...
    number: str  # our column holding each row's number: score, count or value
    # the sums a and b the tally keeps besides the row count, as SQL over `score` (a score kind) or `total` (the sum
    # of the numbers): {rows} is the row count (count(*), or sum(w) over counted lines), {w} the weight of a line
    sums: tuple[str, str]
    formula: Callable[[int, Any, Any], stats.FigureParts]  # (n, a, b) -> (n, value, margin), from cxreport/stats.py
    score_range: tuple[int, int] | None = None  # a score: a whole number from..to on every row; None: a count or value
    value_range: tuple[float, float] | None = None  # the range of the figure itself (charts; a margin stays in it)
    whole: bool = False  # a count: every row's number is a whole number, 0 or more
    whole_sums: bool = True  # the tally's sums are whole numbers (else exact decimals)
    margin: bool = False  # the figure has a 95% margin of error
    small_sample: int = 0  # a figure from fewer rows than this is marked as a small sample (0: never)
    decimals: int | None = 4  # figures.json's value and margin; None: the value is a whole number (a count)
    shown_decimals: int | None = None  # decimals of value and margin on the site; None: chosen by the value's size
    suffix: str = ""  # after a value on the site, e.g. '%'
    staged: bool = False  # counts per stage: rows only at levels with a stage, a conversion from the stage before
    conversions: bool = False  # a row can be one visit, 1 = a conversion: what an experiment's metric must be
    headline: bool = False  # the site's headline figure and its chart over time (home, journeys, personas)
    article: str = "a"  # 'an' nps score, 'a' csat score
    scale_hint: str = "check the survey's scale"  # the hint for a score out of range

    @property
    def scored(self) -> bool:
        """Tell whether each row holds a score on a fixed scale (nps, csat, ces)."""
        return self.score_range is not None

    @property
    def number_type(self) -> str:
        """Give the DuckDB type a row's number is read as: a score as DOUBLE, a count or value as an exact decimal."""
        return "DOUBLE" if self.scored else "DECIMAL(38,10)"

    @property
    def sum_type(self) -> str:
        """Give the DuckDB type of the tally's sum a: exact, so the same rows give the same figures in any order."""
        return "HUGEINT" if self.whole_sums else "DECIMAL(38,10)"

    @property
    def result_type(self) -> str:
        """Give the type a figure's sum a is fetched as: a Python int, or a float for decimal sums."""
        return "BIGINT" if self.whole_sums else "DOUBLE"

    def tally_sql(self, per_row: bool = False) -> tuple[str, str]:
        """Give the SQL of the sums a and b over counted lines (weight w), or, with per_row, over single rows."""
        rows, w = ("count(*)", "") if per_row else ("sum(w)", "w * ")
        a, b = self.sums
        return a.format(rows=rows, w=w), b.format(rows=rows, w=w)


KINDS: dict[str, MetricKind] = {
    kind.name: kind
    for kind in (
        MetricKind(
            "nps",
            "NPS",
            "score",
            ("{rows} FILTER (WHERE score >= 9)", "{rows} FILTER (WHERE score <= 6)"),  # promoters, detractors
            stats.nps_figure,
            score_range=(0, 10),
            value_range=(-100, 100),
            margin=True,
            small_sample=30,
            decimals=1,
            shown_decimals=1,
            headline=True,
            article="an",
            scale_hint="check the survey's scale; a 1-10 scale is not an NPS scale",
        ),
        MetricKind(
            "csat",
            "CSAT",
            "score",
            ("{rows} FILTER (WHERE score >= 4)", "NULL"),  # satisfied
            stats.csat_figure,
            score_range=(1, 5),
            value_range=(0, 100),
            margin=True,
            small_sample=30,
            decimals=1,
            shown_decimals=1,
            suffix="%",
        ),
        MetricKind(
            "ces",
            "CES",
            "score",
            ("sum({w}score)", "sum({w}score * score)"),  # the sum and the sum of squares of the scores
            stats.ces_figure,
            score_range=(1, 7),
            value_range=(1, 7),
            margin=True,
            small_sample=30,
            decimals=2,
            shown_decimals=2,
        ),
        MetricKind(
            "funnel",
            "Funnel",
            "count",
            ("sum(total)", "NULL"),  # the counts
            stats.count_figure,
            whole=True,
            decimals=None,
            shown_decimals=0,
            staged=True,
        ),
        MetricKind("value", "Value", "value", ("sum(total)", "NULL"), stats.mean_figure, whole_sums=False, conversions=True),
    )
}
