"""Benchmark of the driver analysis: cxreport's driver stage against a bare numpy computation on the same arrays.

    python bench/bench_drivers.py                        # 1,000,000 respondents, 12 drivers, 5 rounds
    python bench/bench_drivers.py --respondents 200000 --drivers 6 --runs 3
    python bench/bench_drivers.py --readme               # also write the table into bench/README.md

The data: an outcome (NPS, 0-10) and 12 drivers (CSAT 1-5 and CES 1-7) for 1,000,000 respondents; each
question is answered by a random 90% of them, all in one export: one score array per question, a row per
respondent (NaN: not answered). cxreport gets them as it keeps a metric's answers (metrics/answers.py: a table
per question of the respondent id as text and the score, NULL when not answered, in file order).

- cxreport: its driver stage on those tables (metrics/drivers.py): the answers paired by position (checked id
  by id) and fetched from DuckDB, exact sums in numpy, then r, the Fisher intervals, R² and the relative weights.
- numpy: the same figures by hand from the same arrays: one matrix, pairwise masks for r, the complete cases'
  correlation matrix and an eigen-decomposition.

Both give the same figures (checked each run, to 1e-9). The reading of the survey file is not measured: it
is the metric stage's (bench_exports.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import duckdb
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from measuring import write_section  # noqa: E402

from cxreport.metrics.drivers import analyse, pair_sums, paired  # noqa: E402
from cxreport.model import DriverAnalysis  # noqa: E402


def make_data(n: int, p: int, seed: int = 7) -> list[np.ndarray]:
    """Give one score array per question, row i the i-th respondent of the export (NaN: not answered): the
    outcome first, then p drivers; each question answered by a random 90%."""
    rng = np.random.default_rng(seed)
    drivers = [rng.integers(1, 6 if j % 3 else 8, n) for j in range(p)]
    weights = rng.uniform(-0.5, 1.0, p)
    latent = sum(w * (d - d.mean()) / d.std() for w, d in zip(weights, drivers, strict=True))
    outcome = np.clip(np.round(6 + 1.2 * latent / latent.std() + rng.normal(0, 1.5, n)), 0, 10)
    out = []
    for scores in [outcome, *drivers]:
        column = scores.astype(np.float64)
        column[rng.random(n) >= 0.9] = np.nan
        out.append(column)
    return out


def bare_numpy(data: list[np.ndarray]) -> dict:
    """Give every figure of the analysis with numpy alone, from the same arrays."""
    m = np.column_stack(data)
    m = m[~np.isnan(m[:, 0])]
    y = m[:, 0]
    out: dict = {"r": [], "n": []}
    for j in range(1, m.shape[1]):
        both = ~np.isnan(m[:, j])
        out["n"].append(int(both.sum()))
        out["r"].append(float(np.corrcoef(m[both, j], y[both])[0, 1]))
    complete = m[~np.isnan(m).any(axis=1)]
    corr = np.corrcoef(complete, rowvar=False)
    values, vectors = np.linalg.eigh(corr[1:, 1:])
    root = vectors @ np.diag(np.sqrt(values)) @ vectors.T
    beta = vectors @ np.diag(1 / np.sqrt(values)) @ vectors.T @ corr[1:, 0]
    out["weights"] = list((root**2) @ (beta**2))
    out["r2"] = float(beta @ beta)
    out["n_complete"] = len(complete)
    return out


def load_tables(con: duckdb.DuckDBPyConnection, data: list[np.ndarray]) -> list[str]:
    """Create answers_j (respondent VARCHAR, score SMALLINT, NULL not answered) as cxreport keeps them for one
    export: every respondent, in file order, from the same arrays."""
    names = []
    for j, column in enumerate(data):
        frame = {"score": column}  # noqa: F841 (read by DuckDB by name)
        con.execute(
            f"CREATE OR REPLACE TABLE answers_{j} AS SELECT 'R_' || lpad((row_number() OVER () - 1)::VARCHAR, 7, '0') "
            "AS respondent, CASE WHEN NOT isnan(score) THEN score::SMALLINT END AS score FROM frame"
        )
        names.append(f"answers_{j}")
    return names


def cxreport_stage(con: duckdb.DuckDBPyConnection, names: list[str]):
    """Run cxreport's driver stage on the answers tables: the pairing, the exact sums, then the figures."""
    p = len(names) - 1
    analysis = DriverAnalysis(id="bench", title="Bench", outcome="m0", drivers=[f"m{j}" for j in range(1, p + 1)])
    return analyse(analysis, pair_sums(paired(con, names, positional=True)), [None] * p)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--drivers", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--readme", action="store_true")
    args = parser.parse_args()
    n, p = args.respondents, args.drivers
    data = make_data(n, p)
    con = duckdb.connect()
    names = load_tables(con, data)
    times: dict[str, list[float]] = {"numpy": [], "cxreport": []}
    for _ in range(args.runs):  # the two take turns
        started = time.perf_counter()
        expected = bare_numpy(data)
        times["numpy"].append(time.perf_counter() - started)
        started = time.perf_counter()
        rows, note = cxreport_stage(con, names)
        times["cxreport"].append(time.perf_counter() - started)
        assert note == ("ok",), note
        assert [r.n for r in rows] == expected["n"] and rows[0].n_complete == expected["n_complete"]
        assert np.allclose([r.r for r in rows], expected["r"], atol=1e-9)
        assert np.allclose([r.weight for r in rows], expected["weights"], atol=1e-9)
        assert abs((rows[0].r2 or 0) - expected["r2"]) < 1e-9
    best = {k: min(v) for k, v in times.items()}
    median = {k: statistics.median(v) for k, v in times.items()}
    for label, t in (("best", best), ("median", median)):
        print(
            f"{label} of {args.runs}: numpy {t['numpy']:.3f} s, cxreport {t['cxreport']:.3f} s, ratio {t['cxreport'] / t['numpy']:.2f}x"
        )
    if args.readme:
        write_readme(n, p, args.runs, times, best, median)


def write_readme(n: int, p: int, runs: int, times: dict, best: dict, median: dict) -> None:
    cores = len(os.sched_getaffinity(0))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    text = f"""## Driver analysis

Measured {dt.date.today().isoformat()} with `python bench/bench_drivers.py --readme` on {cores} cores; \
{platform.system()} {platform.release()}; Python {platform.python_version()}; DuckDB {duckdb.__version__}; \
numpy {np.__version__}; load average {load} at the end.

{n:,} respondents, an NPS outcome and {p} drivers (CSAT and CES), each question answered by a random 90%
(so about {0.9 ** (p + 1):.0%} answered all). Both compute every figure of drivers.json (n, r, the complete
cases, R², the weights) from the same per-metric arrays, and agree to 1e-9 on every run.

| | numpy, bare | cxreport's driver stage | **ratio** |
|---|---:|---:|---:|
| best of {runs} | {best["numpy"] * 1000:.0f} ms | {best["cxreport"] * 1000:.0f} ms | **{best["cxreport"] / best["numpy"]:.2f}×** |
| median of {runs} | {median["numpy"] * 1000:.0f} ms | {median["cxreport"] * 1000:.0f} ms | **{median["cxreport"] / median["numpy"]:.2f}×** |

- numpy: the score arrays stacked into one matrix; a mask per driver for r (np.corrcoef), the complete cases'
  correlation matrix, an eigen-decomposition. It trusts that row i is the same respondent in every array.
- cxreport: the answers as it keeps them (ids as text); one DuckDB query pairs them by position and checks
  that every row's ids agree (a hash join per driver when they come from different files), numpy adds exact
  whole-number sums (the same figures in any order), then the 13×13 algebra.
- Goal (issue 16): under 5 s on 2 cores, at most 1.5× the bare computation.
- seconds of each run: numpy {", ".join(f"{t:.3f}" for t in times["numpy"])}; cxreport \
{", ".join(f"{t:.3f}" for t in times["cxreport"])}
"""
    write_section("Driver analysis", text)


if __name__ == "__main__":
    main()
