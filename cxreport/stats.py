"""The formulas of FORMAT.md (section Formulas): pure functions, no I/O, so every figure can be checked by hand.

Each function gives None where a figure does not exist (no responses, a division by zero),
never NaN or an infinity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

Z95 = 1.96  # two-sided 95%: the normal quantile FORMAT.md names


# Each formula in the form the metric engine calls once per figure: (n, a, b) -> (n, value, margin), from
# n > 0 rows and the kind's two tally sums a and b (a sum over no rows may be None: it counts as 0).
# cxreport/kinds.py names one per metric kind; the tally has no empty group, so there is no check for n = 0.
FigureParts = tuple[int, float, float | None]


def nps_figure(n: int, promoters: int | None, detractors: int | None) -> tuple[int, float, float]:
    """Give (n, NPS, margin) in percent points: 100 (P - D) and 100 × 1.96 × sqrt((P + D - (P - D)²) / n)."""
    p, d = (promoters or 0) / n, (detractors or 0) / n
    variance = max(p + d - (p - d) ** 2, 0.0)  # rounding can make an exact 0 slightly negative
    return n, 100 * (p - d), 100 * Z95 * math.sqrt(variance / n)


def csat_figure(n: int, satisfied: int | None, _: object = None) -> tuple[int, float, float]:
    """Give (n, CSAT, margin) in percent points: 100 S and 100 × 1.96 × sqrt(S (1 - S) / n)."""
    s = (satisfied or 0) / n
    return n, 100 * s, 100 * Z95 * math.sqrt(max(s * (1 - s), 0.0) / n)


def ces_figure(n: int, total: int, total_sq: int) -> FigureParts:
    """Give (n, mean, margin) from the sum and the sum of squares of n scores; margin = 1.96 s / sqrt(n), None for n < 2.

    The sums are whole numbers, so the sample variance is computed exactly as (n Σx² - (Σx)²) / (n (n - 1)).
    """
    mean = total / n
    if n < 2:
        return n, mean, None
    variance = (n * total_sq - total * total) / (n * (n - 1))
    return n, mean, Z95 * math.sqrt(max(variance, 0.0)) / math.sqrt(n)


def count_figure(n: int, count: float, _: object = None) -> FigureParts:
    """Give (count, count, None): a count of customers is its own n and value, with no margin."""
    whole = int(count)
    return whole, whole, None


def mean_figure(n: int, total: float, _: object = None) -> FigureParts:
    """Give (n, mean, None): the mean of n values, with no margin."""
    return n, float(total) / n, None


def nps(promoters: int, detractors: int, n: int) -> tuple[float, float] | None:
    """Give (NPS, margin) of n responses (nps_figure), None without responses."""
    if n <= 0:
        return None
    _, value, margin = nps_figure(n, promoters, detractors)
    return value, margin


def csat(satisfied: int, n: int) -> tuple[float, float] | None:
    """Give (CSAT, margin) of n responses (csat_figure), None without responses."""
    if n <= 0:
        return None
    _, value, margin = csat_figure(n, satisfied)
    return value, margin


def ces(total: int, total_sq: int, n: int) -> tuple[float, float | None] | None:
    """Give (mean, margin) of n scores (ces_figure), None without scores."""
    if n <= 0:
        return None
    _, value, margin = ces_figure(n, total, total_sq)
    return value, margin


def share(part: float, whole: float) -> float | None:
    """Give part / whole, or None when whole is 0 (a funnel stage nobody reached)."""
    return part / whole if whole else None


def two_sided_p(z: float) -> float:
    """Give the two-sided p-value of a standard normal z score."""
    return math.erfc(abs(z) / math.sqrt(2))


@dataclass(frozen=True)
class Comparison:
    """A variant against its control: rate, lift, 95% interval of the difference, p-value."""

    rate: float | None
    lift: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None


def compare(conversions_c: int, n_c: int, conversions_v: int, n_v: int) -> Comparison:
    """Give a variant's comparison with its control (FORMAT.md, Experiment).

    lift = (p_v - p_c) / p_c (None when p_c = 0); the 95% interval of p_v - p_c is
    ± 1.96 × sqrt(p_c(1 - p_c)/n_c + p_v(1 - p_v)/n_v); the p-value is two-sided from the
    pooled two-proportion z-test. When both groups are all-or-nothing alike (pooled
    variance 0) the difference is exactly 0 and the p-value is 1.
    """
    rate_v = share(conversions_v, n_v)
    rate_c = share(conversions_c, n_c)
    if rate_v is None or rate_c is None:
        return Comparison(rate_v, None, None, None, None)
    diff = rate_v - rate_c
    lift = diff / rate_c if rate_c else None
    half = Z95 * math.sqrt(rate_c * (1 - rate_c) / n_c + rate_v * (1 - rate_v) / n_v)
    pooled = (conversions_c + conversions_v) / (n_c + n_v)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_c + 1 / n_v))
    p_value = two_sided_p(diff / se) if se > 0 else 1.0
    return Comparison(rate_v, lift, diff - half, diff + half, p_value)


def verdict(low: float | None, high: float | None) -> str:
    """Give 'better', 'worse' or 'inconclusive' from the 95% interval of p_v - p_c ('no_data' without one)."""
    if low is None or high is None:
        return "no_data"
    if low > 0:
        return "better"
    if high < 0:
        return "worse"
    return "inconclusive"


# --- version 2: drivers and experiment plans ---------------------------------------


def pearson(n: int, sx: int, sy: int, sxx: int, syy: int, sxy: int) -> float | None:
    """Give Pearson's r of n pairs from their exact (whole-number) sums, None when either side has no variance.

    r = (n Σxy - Σx Σy) / sqrt((n Σx² - (Σx)²)(n Σy² - (Σy)²)); the sums are Python ints, so the products are exact
    and the same rows in any order give the same r.
    """
    if n < 2:
        return None
    vx, vy = n * sxx - sx * sx, n * syy - sy * sy
    if vx <= 0 or vy <= 0:
        return None
    r = (n * sxy - sx * sy) / math.sqrt(vx * vy)
    return max(-1.0, min(1.0, r))


def fisher_interval(r: float | None, n: int) -> tuple[float | None, float | None]:
    """Give the 95% interval of Pearson's r by Fisher's z: tanh(atanh(r) ± 1.96 / sqrt(n - 3)); None for n < 4.

    An r of exactly ±1 has the interval [r, r] (atanh would be infinite).
    """
    if r is None or n < 4:
        return None, None
    if abs(r) >= 1.0:
        return r, r
    z, half = math.atanh(r), Z95 / math.sqrt(n - 3)
    return math.tanh(z - half), math.tanh(z + half)


def needed_per_variant(baseline: float, mde: float, power: float = 0.8, alpha: float = 0.05) -> int:
    """Give the visitors each variant needs to find an absolute difference mde from baseline (FORMAT.md, plan):

    n = ⌈(z₁₋α/₂ √(2 p̄(1 − p̄)) + z₁₋β √(p₁(1 − p₁) + p₂(1 − p₂)))² / (p₂ − p₁)²⌉, p₁ = baseline, p₂ = baseline + mde.
    """
    normal = NormalDist()
    p1, p2 = baseline, baseline + mde
    mean = (p1 + p2) / 2
    za, zb = normal.inv_cdf(1 - alpha / 2), normal.inv_cdf(power)
    root = za * math.sqrt(2 * mean * (1 - mean)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    # a hair below a whole number is that number: 3841.0000000000005 must not become 3842
    return math.ceil(round(root * root / (mde * mde), 9))


def holm(p_values: list[float | None]) -> list[float | None]:
    """Give Holm's step-down adjusted p-values in the same order (None stays None and is not counted).

    Sorted ascending, p_(i) is multiplied by m - i + 1 (i from 1), made non-decreasing, and capped at 1.
    """
    known = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    m = len(known)
    out: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(known):
        running = max(running, min(1.0, (m - rank) * p))
        out[i] = running
    return out
