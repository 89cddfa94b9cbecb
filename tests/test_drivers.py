"""Driver analysis (FORMAT.md v2, Driver analysis): every figure against scipy / statsmodels and a hand case.

The oracles are independent: Pearson's r and its interval from scipy, R² from a statsmodels OLS fit, and
Johnson's relative weights from their definition (the drivers made orthogonal with scipy.linalg.sqrtm, the
outcome regressed on them with statsmodels, the squared coefficients shared back by the squared loadings).
"""

from __future__ import annotations

import json
import math
import textwrap

import numpy as np
import pytest
import scipy.linalg
import scipy.stats
import statsmodels.api as sm
from helpers import located
from test_metrics_read import FIRST_ORDER, PERSONA, RETURNS, site  # noqa: F401

from cxreport import stats
from cxreport.metrics.drivers import MAX_VIF, relative_weights
from cxreport.metrics.output import drivers_json

SURVEY = "content/metrics/survey.csv"
DECLS = """\
- id: nps
  file: metrics/survey.csv
  type: nps
  columns: {date: Date, score: NPS, respondent: Id}
  missing: [""]
- id: csat-delivery
  file: metrics/survey.csv
  type: csat
  columns: {date: Date, score: Delivery, respondent: Id}
  missing: [""]
  at: {journey: first-order, touchpoint: checkout}
- id: csat-site
  file: metrics/survey.csv
  type: csat
  columns: {date: Date, score: Site, respondent: Id}
  missing: [""]
- id: ces-pay
  file: metrics/survey.csv
  type: ces
  columns: {date: Date, score: Effort, respondent: Id}
  missing: [""]
"""
DRIVERS = """\
drivers:
  - id: what-drives
    title: What drives the NPS?
    outcome: nps
    drivers: [csat-delivery, csat-site, ces-pay]
    journey: first-order
"""


def survey(n: int, seed: int = 7, *, missing: float = 0.1) -> tuple[str, np.ndarray]:
    """Give a survey CSV of n respondents and its answers as an array (nan: not answered): NPS, 3 drivers."""
    rng = np.random.default_rng(seed)
    delivery = rng.integers(1, 6, n)
    site_ = np.clip(np.round(0.5 * delivery + rng.normal(1.5, 1.0, n)), 1, 5)
    effort = rng.integers(1, 8, n)
    nps = np.clip(np.round(1.2 * delivery + 0.4 * site_ - 0.3 * effort + rng.normal(2, 1.5, n)), 0, 10)
    answers = np.column_stack([nps, delivery, site_, effort]).astype(float)
    answers[rng.random(answers.shape) < missing] = np.nan
    lines = ["Id,Date,NPS,Delivery,Site,Effort"]
    for i, row in enumerate(answers):
        cells = ["" if math.isnan(v) else str(int(v)) for v in row]
        lines.append(f"R_{i},2026-03-{1 + i % 28:02d}," + ",".join(cells))
    return "\n".join(lines) + "\n", answers


@pytest.fixture
def driver_project(make_project):
    def make(csv: str, drivers: str = DRIVERS, decls: str = DECLS):
        return make_project(
            {
                "site.yml": site(decls) + textwrap.dedent(drivers),
                "content/personas/parent.yml": PERSONA,
                "content/journeys/first-order.yml": FIRST_ORDER,
                "content/journeys/returns.yml": RETURNS,
                SURVEY: csv,
            },
            minimal=False,
        )

    return make


def oracle_weights(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Give (R², relative weights) by Johnson's definition, computed apart from cxreport."""
    xs = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    ys = (y - y.mean()) / y.std(ddof=1)
    r = np.corrcoef(xs, rowvar=False)
    root = np.real(scipy.linalg.sqrtm(r))
    z = xs @ np.linalg.inv(root)  # orthogonal: the drivers' nearest uncorrelated stand-ins
    beta = sm.OLS(ys, z).fit().params
    weights = (root**2) @ (beta**2)
    return float(sm.OLS(y, sm.add_constant(x)).fit().rsquared), weights


def test_every_figure_against_scipy_and_statsmodels(driver_project, run_metrics):
    csv, answers = survey(400)
    _, problems, fs, _ = run_metrics(driver_project(csv))
    assert located(problems) == []
    rows = fs.drivers
    assert [r.driver for r in rows] == ["csat-delivery", "csat-site", "ces-pay"]
    y = answers[:, 0]
    for j, r in enumerate(rows, start=1):
        both = ~np.isnan(y) & ~np.isnan(answers[:, j])
        expected = scipy.stats.pearsonr(answers[both, j], y[both])
        assert r.n == both.sum()
        assert r.r == pytest.approx(expected.statistic, abs=1e-12)
        z, half = math.atanh(r.r), 1.96 / math.sqrt(r.n - 3)  # FORMAT.md's 1.96, by hand
        assert (r.r_low, r.r_high) == pytest.approx((math.tanh(z - half), math.tanh(z + half)), abs=1e-12)
        ci = expected.confidence_interval(0.95)  # scipy's quantile is 1.959964...: equal to 4 decimals
        assert (r.r_low, r.r_high) == pytest.approx((ci.low, ci.high), abs=5e-5)
    complete = ~np.isnan(answers).any(axis=1)
    r2, weights = oracle_weights(answers[complete, 1:], y[complete])
    assert rows[0].n_complete == complete.sum()
    assert rows[0].r2 == pytest.approx(r2, abs=1e-10)
    assert [r.weight for r in rows] == pytest.approx(list(weights), abs=1e-10)
    assert sum(r.weight for r in rows) == pytest.approx(r2, abs=1e-12)  # the weights add up to R²
    assert sum(r.share for r in rows) == pytest.approx(1.0, abs=1e-12)
    delivery = fs.select("csat-delivery", period="all", journey=None, segment=None)[0]
    assert rows[0].performance == delivery.value
    assert fs.driver_notes == {"what-drives": ("ok",)}


def test_relative_weights_hand_cases():
    # uncorrelated drivers: Z = I, β = r_xy, each weight is its squared correlation
    r2, weights, vif = relative_weights(np.eye(2), np.array([0.3, 0.4]))
    assert r2 == pytest.approx(0.25) and weights == pytest.approx([0.09, 0.16]) and vif == pytest.approx([1, 1])
    # two drivers correlated 0.5, each 0.6 with the outcome: R² = 2 (0.36) / 1.5 = 0.48, shared equally
    r2, weights, vif = relative_weights(np.array([[1, 0.5], [0.5, 1]]), np.array([0.6, 0.6]))
    assert r2 == pytest.approx(0.48) and weights == pytest.approx([0.24, 0.24]) and vif == pytest.approx([4 / 3] * 2)
    # a driver that is a copy of another: no weights, infinite inflation
    r2, weights, vif = relative_weights(np.ones((2, 2)), np.array([0.5, 0.5]))
    assert (r2, weights) == (None, None) and vif == [math.inf, math.inf]


def test_pearson_and_fisher_hand_cases():
    # x = 1, 2, 3, 4; y = 2, 4, 5, 4: Σx 10, Σy 15, Σx² 30, Σy² 61, Σxy 40 -> r = 10 / sqrt(20 · 19)
    assert stats.pearson(4, 10, 15, 30, 61, 40) == pytest.approx(10 / math.sqrt(380))
    assert stats.pearson(4, 10, 12, 30, 36, 30) is None  # y has no variance
    assert stats.fisher_interval(0.5, 3) == (None, None)  # n < 4
    assert stats.fisher_interval(1.0, 10) == (1.0, 1.0)
    low, high = stats.fisher_interval(0.5, 28)  # atanh(0.5) = 0.549306, ± 1.96 / 5
    assert (low, high) == pytest.approx((math.tanh(0.549306144 - 0.392), math.tanh(0.549306144 + 0.392)))


def test_holm_against_statsmodels():
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(3)
    for _ in range(50):
        p = list(rng.random(int(rng.integers(1, 12))) ** 3)
        expected = multipletests(p, method="holm")[1]
        assert stats.holm(p) == pytest.approx(list(expected), abs=1e-15)
    assert stats.holm([0.01, None, 0.04, 0.03]) == pytest.approx([0.03, None, 0.06, 0.06])


def test_sample_size_by_hand_and_the_published_value():
    # baseline 0.10, mde 0.02, power 0.8, alpha 0.05: 3,841 per variant (Fleiss' formula without continuity correction)
    assert stats.needed_per_variant(0.10, 0.02) == 3841
    za, zb = 1.959963984540054, 0.8416212335729143
    p1, p2 = 0.12, 0.15
    mean = (p1 + p2) / 2
    by_hand = (za * math.sqrt(2 * mean * (1 - mean)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / 0.03**2
    assert stats.needed_per_variant(0.12, 0.03) == math.ceil(by_hand) == 2036
    assert stats.needed_per_variant(0.5, 0.1, power=0.9, alpha=0.01) > stats.needed_per_variant(0.5, 0.1)


def test_too_few_complete_answers_are_said_not_drawn(driver_project, run_metrics):
    csv, _ = survey(25, missing=0.0)
    _, problems, fs, _ = run_metrics(driver_project(csv))
    assert located(problems) == []
    assert fs.driver_notes["what-drives"] == ("few", 25)
    assert {(r.r2, r.weight, r.share) for r in fs.drivers} == {(None, None, None)}
    assert all(r.r is not None and r.n == 25 for r in fs.drivers)  # the correlations are still there


def test_a_driver_without_variance(driver_project, run_metrics):
    csv, _ = survey(100, missing=0.0)
    lines = csv.splitlines()
    flat = [lines[0]] + [",".join([*line.split(",")[:4], "4", line.split(",")[5]]) for line in lines[1:]]
    _, problems, fs, _ = run_metrics(driver_project("\n".join(flat) + "\n"))
    assert located(problems) == []
    assert fs.driver_notes["what-drives"] == ("constant", "csat-site")
    site_row = fs.drivers[1]
    assert (site_row.r, site_row.r_low, site_row.weight, site_row.r2) == (None, None, None, None)


def test_collinear_drivers_keep_r2_but_not_weights(driver_project, run_metrics):
    csv, answers = survey(300, missing=0.0)
    lines = csv.splitlines()
    # Site answers as Delivery does, but for every tenth respondent: r between them near 0.95
    copied = [lines[0]]
    for i, line in enumerate(lines[1:]):
        cells = line.split(",")
        if i % 10:
            cells[4] = cells[3]
        copied.append(",".join(cells))
    _, problems, fs, _ = run_metrics(driver_project("\n".join(copied) + "\n"))
    assert located(problems) == []
    note = fs.driver_notes["what-drives"]
    assert note[0] == "collinear" and set(note[1:]) == {"csat-delivery", "csat-site"}
    assert all(r.weight is None and r.share is None for r in fs.drivers)
    x = np.array([[float(c) for c in line.split(",")[3:]] for line in copied[1:]])
    y = np.array([float(line.split(",")[2]) for line in copied[1:]])
    vif = np.diag(np.linalg.inv(np.corrcoef(x, rowvar=False)))
    assert vif.max() > MAX_VIF
    assert fs.drivers[0].r2 == pytest.approx(sm.OLS(y, sm.add_constant(x)).fit().rsquared, abs=1e-10)


def test_drivers_json_exact_content(driver_project, run_metrics):
    csv = "Id,Date,NPS,Delivery,Site,Effort\n" + "".join(
        f"R_{i},2026-03-01,{n},{d},{s},{e}\n"
        for i, (n, d, s, e) in enumerate(
            [(9, 5, 4, 2), (3, 1, 3, 6), (7, 4, 2, 3), (10, 5, 5, 1), (6, 2, 4, 5), (8, 3, 3, 2)] * 6
        )
    )
    _, problems, fs, _ = run_metrics(driver_project(csv))
    assert located(problems) == []
    text = drivers_json(fs)
    rows = json.loads(text)["drivers"]
    data = np.array([(9, 5, 4, 2), (3, 1, 3, 6), (7, 4, 2, 3), (10, 5, 5, 1), (6, 2, 4, 5), (8, 3, 3, 2)] * 6, float)
    r2, weights = oracle_weights(data[:, 1:], data[:, 0])
    expected = []
    for j, name in enumerate(["csat-delivery", "csat-site", "ces-pay"], start=1):
        r = scipy.stats.pearsonr(data[:, j], data[:, 0]).statistic
        half = 1.96 / math.sqrt(36 - 3)
        perf = {1: 100 * 3 / 6, 2: 100 * 3 / 6, 3: 19 / 6}[j]  # CSAT: the share of 4 and 5 (3 of 6); CES: the mean
        expected.append(
            {
                "analysis": "what-drives",
                "outcome": "nps",
                "driver": name,
                "n": 36,
                "r": round(r, 4),
                "r_low": round(math.tanh(math.atanh(r) - half), 4),
                "r_high": round(math.tanh(math.atanh(r) + half), 4),
                "n_complete": 36,
                "r2": round(r2, 4),
                "weight": round(weights[j - 1], 4),
                "share": round(weights[j - 1] / r2, 4),
                "performance": round(perf, 1 if j < 3 else 2),
            }
        )
    assert rows == expected
    assert text.startswith('{"drivers": [\n  {"analysis": "what-drives", "outcome": "nps", "driver": "csat-delivery", "n": 36,')
    assert "NaN" not in text and "Infinity" not in text


def _problems(driver_project, run_metrics, drivers: str, decls: str = DECLS):
    csv, _ = survey(40)
    _, problems, _, _ = run_metrics(driver_project(csv, drivers, decls))
    return [(p.line, p.code, p.message, p.hint) for p in problems if p.severity == "error"]


def test_validation_names_the_line(driver_project, run_metrics):
    # site.yml: 3 lines of header, the four metrics from line 4 to 24, drivers: on line 25
    found = _problems(
        driver_project,
        run_metrics,
        """\
        drivers:
          - id: a
            title: A
            outcome: nsp
            drivers: [csat-delivery, csat-site]
            journey: first-ordr
          - id: b
            title: B
            outcome: nps
            drivers: [csat-site, nps]
          - id: c
            title: C
            outcome: nps
            drivers: [csat-site, csat-site]
          - id: c
            title: C again
            outcome: nps
            drivers: csat-site
        """,
    )
    assert sorted((line, code) for line, code, *_ in found) == [
        (28, "unknown-reference"),
        (30, "unknown-reference"),
        (34, "drivers-outcome-is-driver"),
        (34, "drivers-too-few"),
        (38, "drivers-repeated"),
        (38, "drivers-too-few"),
        (39, "duplicate-id"),
        (42, "drivers-too-few"),
    ]
    texts = {(line, code): (message, hint) for line, code, message, hint in found}
    assert texts[(28, "unknown-reference")] == ("driver analysis 'a': unknown outcome metric 'nsp'", "did you mean 'nps'?")
    assert texts[(30, "unknown-reference")] == (
        "driver analysis 'a': unknown journey 'first-ordr'",
        "did you mean 'first-order'?",
    )
    assert texts[(34, "drivers-outcome-is-driver")][0] == "driver analysis 'b': the outcome 'nps' is also listed as a driver"
    assert texts[(39, "duplicate-id")][0] == "driver analysis 'c' is declared twice (first on line 35)"
    assert texts[(42, "drivers-too-few")][0] == "driver analysis 'c' has 1 driver(s); it needs at least two"


def test_a_metric_without_respondents_or_not_a_score(driver_project, run_metrics):
    decls = DECLS.replace("columns: {date: Date, score: Site, respondent: Id}", "columns: {date: Date, score: Site}")
    found = _problems(driver_project, run_metrics, DRIVERS, decls)
    assert [(line, code) for line, code, *_ in found] == [(29, "drivers-no-respondent")]
    assert found[0][3] == "map the column that identifies each response in metric 'csat-site': columns: {respondent: ResponseId}"
    decls = DECLS.replace("  type: ces\n", "  type: value\n").replace("score: Effort", "value: Effort")
    found = _problems(driver_project, run_metrics, DRIVERS, decls)
    assert [(line, code) for line, code, *_ in found] == [(29, "drivers-not-a-score")]
