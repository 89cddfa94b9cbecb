"""figures.json and experiments.json (FORMAT.md): the figures a build computed, as files a person can download.

Keys come in a fixed order, one row a line, so two builds of the same content give the
same bytes and a change reads well in a diff. Numbers are rounded as docs/metrics.md says;
no NaN or infinity can be written (json refuses it).
"""
from __future__ import annotations

import json
import math

from ..figures import Figure, FigureSet, VariantResult

VALUE_DECIMALS = {"nps": 1, "csat": 1, "ces": 2, "value": 4}
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


def figure_row(f: Figure) -> dict:
    """Give one row of figures.json."""
    if f.type == "funnel":
        value = int(f.value)
    else:
        value = _round(f.value, VALUE_DECIMALS[f.type])
    margin = _round(f.margin, VALUE_DECIMALS.get(f.type, 4))
    row = {"metric": f.metric, "type": f.type, "period": f.period, "journey": f.journey, "stage": f.stage,
           "touchpoint": f.touchpoint, "segment": f.segment, "variant": f.variant, "n": f.n, "value": value, "margin": margin}
    if f.type == "funnel":
        row["conversion"] = _round(f.conversion, FRACTION_DECIMALS)
    return row


def experiment_row(r: VariantResult) -> dict:
    """Give one row of experiments.json."""
    return {"experiment": r.experiment, "variant": r.variant, "control": r.control, "period": r.period,
            "segment": r.segment, "n": r.n, "conversions": r.conversions,
            "rate": _round(r.rate, FRACTION_DECIMALS), "lift": _round(r.lift, FRACTION_DECIMALS),
            "ci_low": _round(r.ci_low, FRACTION_DECIMALS), "ci_high": _round(r.ci_high, FRACTION_DECIMALS),
            "p_value": _significant(r.p_value, P_DIGITS)}


def _document(name: str, rows: list[dict]) -> str:
    if not rows:
        return f'{{"{name}": []}}\n'
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode  # one encoder, not one per row
    lines = ",\n".join("  " + encode(r) for r in rows)
    return f'{{"{name}": [\n{lines}\n]}}\n'


def figures_json(fs: FigureSet) -> str:
    """Give the text of output/data/figures.json."""
    return _document("figures", [figure_row(f) for f in fs.figures])


def experiments_json(fs: FigureSet) -> str:
    """Give the text of output/data/experiments.json."""
    return _document("experiments", [experiment_row(r) for r in fs.experiments])
