"""Driver analysis (FORMAT.md, Driver analysis): which answers move the outcome most.

For each analysis the answers of the outcome and of every driver (metrics/answers.py, one table per metric:
respondent, score) are paired by respondent in DuckDB, in one pass that keeps only exact whole-number sums:
per driver over the pairs (n, Σx, Σy, Σx², Σy², Σxy), and over the complete cases the sums and the sums of
products of every pair of variables. Sums of whole numbers do not depend on the order DuckDB adds them in, so
every figure is the same on every build. The correlations follow from the sums exactly; the relative weights
(Johnson 2000) are a little linear algebra on the drivers' correlation matrix, in numpy.

An analysis whose weights would not be sound says why instead (docs/metrics.md, Driver analysis): fewer than
MIN_COMPLETE complete cases, a variable with no variance among them, or drivers so collinear that a variance
inflation factor exceeds MAX_VIF.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import duckdb
import numpy as np

from .. import stats
from ..figures import DriverResult, Figure
from ..loader import Project
from ..model import DriverAnalysis
from .join import MetricData

MIN_COMPLETE = 30  # fewer complete cases than this: no R² and no weights (as a figure's small sample)
MAX_VIF = 10.0  # a driver's variance inflation factor above this: the weights are unstable (the usual rule)


def pairing_sql(tables: Sequence[str]) -> str:
    """Give the query of a driver analysis's sums: tables[0] the outcome's answers, the others the drivers'.

    Columns: per driver j (n_j, Σy, Σy², Σx, Σx², Σxy over the pairs), then n_complete, then over the complete
    cases Σv_a for every variable (y first) and Σv_a v_b for every a ≤ b, row by row of the upper triangle.
    """
    p = len(tables) - 1
    xs = [f"x{j}" for j in range(1, p + 1)]
    joins = " ".join(f"LEFT JOIN {t} d{j} ON d{j}.respondent = o.respondent" for j, t in enumerate(tables[1:], start=1))
    complete = " AND ".join(f"{x} IS NOT NULL" for x in xs)
    picked = ", ".join(f"d{j}.score AS x{j}" for j in range(1, p + 1))
    parts: list[str] = []
    for x in xs:
        f = f"FILTER (WHERE {x} IS NOT NULL)"
        parts += [f"count({x})", f"sum(y) {f}", f"sum(y * y) {f}", f"sum({x})", f"sum({x} * {x})", f"sum({x} * y)"]
    variables = ["y", *xs]
    parts.append("count(*) FILTER (WHERE c)")
    parts += [f"sum({v}) FILTER (WHERE c)" for v in variables]
    parts += [f"sum({a} * {b}) FILTER (WHERE c)" for k, a in enumerate(variables) for b in variables[k:]]
    return f"SELECT {', '.join(parts)} FROM (SELECT o.score AS y, {picked}, ({complete}) AS c FROM {tables[0]} o {joins})"


def driver_results(project: Project, data: MetricData, figures: Sequence[Figure]) -> tuple[list[DriverResult], dict[str, tuple]]:
    """Give every driver of every analysis (analyses in site.yml's order, drivers as declared) and a note each."""
    own = {f.metric: f for f in figures if f.period == "all" and f.journey is None and f.segment is None and f.variant is None}
    rows: list[DriverResult] = []
    notes: dict[str, tuple] = {}
    for analysis in project.config.drivers:
        if analysis.id in notes:
            continue  # validate reports the second declaration
        performance = [own[d].value if d in own else None for d in analysis.drivers]
        tables = [data.tables.get(i) for i in (analysis.outcome, *analysis.drivers)]
        names = [t.answers for t in tables if t is not None and t.ok and t.answers is not None]
        sums = data.con.execute(pairing_sql(names)).fetchone() if len(names) == len(tables) else None
        found, note = analyse(analysis, sums, performance)
        rows += found
        notes[analysis.id] = note
    return rows, notes


def _int(value) -> int:
    return int(value) if value is not None else 0


def analyse(
    analysis: DriverAnalysis, sums: Sequence | None, performance: Sequence[float | None]
) -> tuple[list[DriverResult], tuple]:
    """Give the rows of one analysis from the sums of pairing_sql (None: a metric gave no answers) and its note."""
    drivers = list(analysis.drivers)
    p = len(drivers)
    if sums is None:
        empty = [
            DriverResult(analysis.id, analysis.outcome, d, 0, None, None, None, 0, None, None, None, performance[j])
            for j, d in enumerate(drivers)
        ]
        return empty, ("no-answers",)
    values = [_int(v) for v in sums]
    pairs = []
    for j in range(p):
        n, sy, syy, sx, sxx, sxy = values[6 * j : 6 * j + 6]
        r = stats.pearson(n, sx, sy, sxx, syy, sxy)
        pairs.append((n, r, *stats.fisher_interval(r, n)))
    rest = values[6 * p :]
    n_complete, weights, r2 = rest[0], None, None
    note: tuple = ("ok",)
    k = p + 1
    totals = rest[1 : 1 + k]
    products = iter(rest[1 + k :])
    cross = [[0] * k for _ in range(k)]
    for a in range(k):
        for b in range(a, k):
            cross[a][b] = cross[b][a] = next(products)
    # exact: n Σab - Σa Σb in whole numbers, then once to a float
    centred = [[n_complete * cross[a][b] - totals[a] * totals[b] for b in range(k)] for a in range(k)]
    flat = [v for v in range(k) if centred[v][v] <= 0]
    if n_complete < MIN_COMPLETE:
        note = ("few", n_complete)
    elif flat:
        note = ("constant", *[([analysis.outcome, *drivers])[v] for v in flat])
    else:
        corr = np.array(centred, dtype=np.float64)
        scale = np.sqrt(np.diag(corr))
        corr = corr / np.outer(scale, scale)
        np.fill_diagonal(corr, 1.0)
        r2, weights, vif = relative_weights(corr[1:, 1:], corr[1:, 0])
        unstable = [drivers[j] for j in range(p) if not vif[j] <= MAX_VIF]
        if unstable:
            weights, note = None, ("collinear", *unstable)
    rows = []
    for j, d in enumerate(drivers):
        n, r, low, high = pairs[j]
        weight = weights[j] if weights is not None else None
        share = weight / r2 if weight is not None and r2 is not None and r2 > 0 else None
        rows.append(
            DriverResult(
                analysis.id, analysis.outcome, d, n, r, low, high, n_complete, r2, weight, share, _finite(performance[j])
            )
        )
    return rows, note


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def relative_weights(rxx: np.ndarray, rxy: np.ndarray) -> tuple[float | None, list[float] | None, list[float]]:
    """Give (R², Johnson's relative weights, variance inflation factors) from the drivers' correlation matrix rxx
    and their correlations with the outcome rxy.

    R = V Λ Vᵀ; Z = V Λ^½ Vᵀ; β = Z⁻¹ r_xy; weight_j = Σ_k Z_jk² β_k², adding up to R² = r_xyᵀ R⁻¹ r_xy = Σ β_k².
    A singular R (a driver that is a sum of others) gives no R² or weights and infinite inflation factors.
    """
    eigenvalues, vectors = np.linalg.eigh(rxx)
    p = len(rxy)
    if eigenvalues[0] <= 1e-10 * max(eigenvalues[-1], 1.0):
        return None, None, [math.inf] * p
    root = vectors @ np.diag(np.sqrt(eigenvalues)) @ vectors.T
    beta = vectors @ np.diag(1.0 / np.sqrt(eigenvalues)) @ vectors.T @ rxy
    weights = (root**2) @ (beta**2)
    vif = (vectors**2) @ (1.0 / eigenvalues)
    r2 = float(beta @ beta)
    return r2, [float(w) for w in weights], [float(v) for v in vif]


def sums_of(con: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> tuple | None:
    """Give the sums of pairing_sql for answer tables already in con (the benchmark's entry)."""
    return con.execute(pairing_sql(tables)).fetchone()
