"""Driver analysis (FORMAT.md, Driver analysis): which answers move the outcome most.

For each analysis the answers of the outcome and of every driver (metrics/answers.py, one table per metric:
respondent, score) are paired by respondent in DuckDB (by position when they come from one file: no join),
then summed in numpy, keeping only exact whole-number sums: per driver over the pairs (n, Σx, Σy, Σx², Σy²,
Σxy), and over the complete cases the sums and the sums of products of every pair of variables. Exact sums do
not depend on the order they are added in, so every figure is the same on every build. The correlations follow
from the sums exactly; the relative weights (Johnson 2000) are a little linear algebra on the drivers'
correlation matrix, in numpy.

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


def paired(con: duckdb.DuckDBPyConnection, tables: Sequence[str], positional: bool) -> np.ndarray:
    """Give the answers paired by respondent: a row per respondent who answered the outcome (tables[0]), a column
    per metric (the outcome first), -1 where a driver was not answered.

    positional: the tables hold the same respondents in the same order (one file, one respondent column:
    metrics/answers.py), so they pair by position with no join; that is checked on every row, and a table
    whose ids do not line up is paired by a join after all.
    """
    k = len(tables)
    scores = ", ".join(f"coalesce(t{j}.score, -1)::SMALLINT AS s{j}" for j in range(k))
    if positional and k > 1:
        joined = " POSITIONAL JOIN ".join(f"{t} t{j}" for j, t in enumerate(tables))
        same = " AND ".join(f"t{j}.respondent IS NOT DISTINCT FROM t0.respondent" for j in range(1, k))
        found = con.execute(f"SELECT {scores}, {same} AS same FROM {joined} WHERE t0.score IS NOT NULL").fetchnumpy()
        if bool(np.all(found["same"])):
            return np.column_stack([np.asarray(found[f"s{j}"], dtype=np.int16) for j in range(k)])
    joins = " ".join(
        f"LEFT JOIN (SELECT * FROM {t} WHERE score IS NOT NULL) t{j} ON t{j}.respondent = t0.respondent"
        for j, t in enumerate(tables[1:], start=1)
    )
    found = con.execute(f"SELECT {scores} FROM {tables[0]} t0 {joins} WHERE t0.score IS NOT NULL").fetchnumpy()
    return np.column_stack([np.asarray(found[f"s{j}"], dtype=np.int16) for j in range(k)])


def pair_sums(answers: np.ndarray) -> list[int]:
    """Give the sums analyse reads from paired answers (paired: outcome first, -1 not answered).

    Per driver j, over the pairs: n, Σy, Σy², Σx, Σx², Σxy; then n_complete; then over the complete cases Σv for
    each variable (y first) and Σv_a v_b for every a ≤ b, row by row of the upper triangle. Whole numbers added
    as float64 stay exact below 2⁵³ (a million answers of at most 10 × 10 are 10⁸), so the sums, and every
    figure made of them, are the same whatever order they are added in.
    """
    k = answers.shape[1]
    answered = answers >= 0
    v = np.where(answered, answers, 0).astype(np.float64)  # a score, or 0 where not answered
    y = v[:, 0]
    base = np.column_stack([np.ones_like(y), y, y * y])  # 1, y, y²
    # small products (3 × p each): one product of many columns is far slower per entry
    g_m = base.T @ answered[:, 1:].astype(np.float64)  # over the pairs: n, Σy, Σy²
    g_v = base[:, :2].T @ v[:, 1:]  # Σx, Σxy (v is 0 where not answered)
    squares = np.einsum("ij,ij->j", v[:, 1:], v[:, 1:])  # Σx²
    out: list[int] = []
    for j in range(k - 1):
        out += [int(g_m[0, j]), int(g_m[1, j]), int(g_m[2, j]), int(g_v[0, j]), int(squares[j]), int(g_v[1, j])]
    x = v[answered.all(axis=1)]
    products = x.T @ x
    out.append(len(x))
    out += [int(t) for t in x.sum(axis=0)]
    out += [int(products[a, b]) for a in range(k) for b in range(a, k)]
    return out


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
        usable = [t for t in tables if t is not None and t.ok and t.answers is not None]
        sums = None
        if len(usable) == len(tables):
            places = {(t.rel, t.layout.columns["respondent"], t.source.sheet) for t in usable}
            sums = pair_sums(paired(data.con, [t.answers or "" for t in usable], len(places) == 1))
        made, note = analyse(analysis, sums, performance)
        rows += made
        notes[analysis.id] = note
    return rows, notes


def _int(value) -> int:
    return int(value) if value is not None else 0


def analyse(
    analysis: DriverAnalysis, sums: Sequence | None, performance: Sequence[float | None]
) -> tuple[list[DriverResult], tuple]:
    """Give the rows of one analysis from the sums of pair_sums (None: a metric gave no answers) and its note."""
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
