"""figures.json and experiments.json (FORMAT.md): the figures a build computed, as files a person can download.

Keys come in a fixed order, one row a line, so two builds of the same content give the
same bytes and a change reads well in a diff. Numbers are rounded as docs/metrics.md says
(a figure's value and margin to its kind's decimals, cxreport/kinds.py); no NaN or
infinity can be written (json refuses it).
"""

from __future__ import annotations

import io
import json
import math

from ..figures import CodeCount, DriverResult, Figure, FigureSet, PlanResult, VariantResult
from ..kinds import KINDS

FRACTION_DECIMALS = 4
P_DIGITS = 4


def _round(x: float | None, decimals: int) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(x, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0


def _significant(x: float | None, digits: int) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return float(f"{x:.{digits}g}") + 0.0


def rounded(f: Figure) -> tuple[float | int | None, float | None, float | None]:
    """Give a figure's value, margin and conversion as figures.json writes them (conversion: kinds counted per stage)."""
    kind = KINDS[f.type]
    conversion = _round(f.conversion, FRACTION_DECIMALS) if kind.staged else None
    if kind.decimals is None:  # a whole count
        return int(f.value), _round(f.margin, FRACTION_DECIMALS), conversion
    return _round(f.value, kind.decimals), _round(f.margin, kind.decimals), conversion


def figure_row(f: Figure) -> dict:
    """Give one row of figures.json."""
    value, margin, conversion = rounded(f)
    row = {
        "metric": f.metric,
        "type": f.type,
        "period": f.period,
        "journey": f.journey,
        "stage": f.stage,
        "touchpoint": f.touchpoint,
        "segment": f.segment,
        "variant": f.variant,
        "n": f.n,
        "value": value,
        "margin": margin,
    }
    if KINDS[f.type].staged:
        row["conversion"] = conversion
    if f.missing is not None:
        row["answered"] = f.n
        row["missing"] = f.missing
    return row


def experiment_row(r: VariantResult) -> dict:
    """Give one row of experiments.json."""
    return {
        "experiment": r.experiment,
        "variant": r.variant,
        "control": r.control,
        "period": r.period,
        "segment": r.segment,
        "n": r.n,
        "conversions": r.conversions,
        "rate": _round(r.rate, FRACTION_DECIMALS),
        "lift": _round(r.lift, FRACTION_DECIMALS),
        "ci_low": _round(r.ci_low, FRACTION_DECIMALS),
        "ci_high": _round(r.ci_high, FRACTION_DECIMALS),
        "p_value": _significant(r.p_value, P_DIGITS),
        "p_holm": _significant(r.p_holm, P_DIGITS),
    }


def plan_row(p: PlanResult) -> dict:
    """Give one plan of experiments.json."""
    return {
        "experiment": p.experiment,
        "baseline": p.baseline,
        "mde": p.mde,
        "power": p.power,
        "alpha": p.alpha,
        "needed_per_variant": p.needed_per_variant,
    }


def driver_row(d: DriverResult, performance: float | None) -> dict:
    """Give one row of drivers.json; performance as the driver metric's figure is rounded (figures.json)."""
    return {
        "analysis": d.analysis,
        "outcome": d.outcome,
        "driver": d.driver,
        "n": d.n,
        "r": _round(d.r, FRACTION_DECIMALS),
        "r_low": _round(d.r_low, FRACTION_DECIMALS),
        "r_high": _round(d.r_high, FRACTION_DECIMALS),
        "n_complete": d.n_complete,
        "r2": _round(d.r2, FRACTION_DECIMALS),
        "weight": _round(d.weight, FRACTION_DECIMALS),
        "share": _round(d.share, FRACTION_DECIMALS),
        "performance": performance,
    }


def _document(name: str, rows: list[dict], more: tuple[tuple[str, list[dict]], ...] = ()) -> str:
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode  # one encoder, not one per row

    def part(key: str, items: list[dict]) -> str:
        if not items:
            return f'"{key}": []'
        lines = ",\n".join("  " + encode(r) for r in items)
        return f'"{key}": [\n{lines}\n]'

    return "{" + ",\n".join(part(k, v) for k, v in ((name, rows), *more)) + "}\n"


def figures_json(fs: FigureSet) -> str:
    """Give the text of output/data/figures.json: the bytes json would write for figure_row of each figure.

    Written line by line without a dict per figure: a large handbook has half a million figures, whose ids
    and periods repeat, so each distinct text is encoded once.
    """
    if not fs.figures:
        return '{"figures": []}\n'
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    texts: dict = {None: "null"}

    def text(v: str | None) -> str:
        out = texts.get(v)
        if out is None:
            out = texts[v] = encode(v)
        return out

    def number(v) -> str:
        return "null" if v is None else repr(v)  # json writes ints and finite floats as repr does

    staged = {name for name, kind in KINDS.items() if kind.staged}

    out = io.StringIO()  # line by line into one buffer: no list of half a million lines beside the text
    write = out.write
    write('{"figures": [\n')
    between = ""
    for f in fs.figures:
        value, margin, conversion = rounded(f)
        write(between)
        between = ",\n"
        write(
            f'  {{"metric": {text(f.metric)}, "type": {text(f.type)}, "period": {text(f.period)}, '
            f'"journey": {text(f.journey)}, "stage": {text(f.stage)}, "touchpoint": {text(f.touchpoint)}, '
            f'"segment": {text(f.segment)}, "variant": {text(f.variant)}, "n": {f.n}, "value": {number(value)}, '
            f'"margin": {number(margin)}'
        )
        if f.type in staged:
            write(f', "conversion": {number(conversion)}')
        write(f', "answered": {f.n}, "missing": {f.missing}}}' if f.missing is not None else "}")
    write("\n]}\n")
    return out.getvalue()


def experiments_json(fs: FigureSet) -> str:
    """Give the text of output/data/experiments.json."""
    return _document("experiments", [experiment_row(r) for r in fs.experiments], (("plans", [plan_row(p) for p in fs.plans]),))


def drivers_json(fs: FigureSet) -> str:
    """Give the text of output/data/drivers.json: analyses in site.yml's order, drivers as declared."""
    kinds = {f.metric: f.type for f in fs.figures if f.period == "all"}
    rows = []
    for d in fs.drivers:
        performance = None
        if d.performance is not None and d.driver in kinds:
            decimals = KINDS[kinds[d.driver]].decimals
            performance = _round(d.performance, decimals) if decimals is not None else int(d.performance)
        rows.append(driver_row(d, performance))
    return _document("drivers", rows)


def code_row(c: CodeCount) -> dict:
    """Give one row of codes.json: share and margin as fractions to 4 decimals."""
    return {
        "metric": c.metric,
        "period": c.period,
        "journey": c.journey,
        "stage": c.stage,
        "touchpoint": c.touchpoint,
        "group": c.group,
        "code": c.code,
        "comments": c.comments,
        "mentions": c.mentions,
        "share": _round(c.share, FRACTION_DECIMALS),
        "margin": _round(c.margin, FRACTION_DECIMALS),
    }


def codes_json(fs: FigureSet) -> str:
    """Give the text of output/data/codes.json (FORMAT.md, More data files)."""
    return _document("codes", [code_row(c) for c in fs.codes])
