"""Experiments, version 2: Holm's p_holm over an experiment's family, the segments' verdicts, plans (FORMAT.md)."""

from __future__ import annotations

import json

import pytest
from helpers import REPO, located
from statsmodels.stats.multitest import multipletests

from cxreport.metrics.output import experiments_json


def test_example_p_holm_against_statsmodels_and_the_segment_verdicts(run_metrics):
    _, problems, fs, _ = run_metrics(REPO)
    assert located(problems) == []
    doc = json.loads(experiments_json(fs))
    rows = [r for r in doc["experiments"] if r["experiment"] == "gratis-retour-test"]
    family = [r for r in rows if r["period"] == "all" and r["p_value"] is not None]
    assert [(r["segment"], r["variant"]) for r in family] == [
        (None, "gratis-retour"),
        ("ouders", "gratis-retour"),
        ("studenten", "gratis-retour"),
    ]
    raw = [
        r.p_value for r in fs.experiments if r.experiment == "gratis-retour-test" and r.period == "all" and r.p_value is not None
    ]
    expected = multipletests(raw, method="holm")[1]
    assert [r["p_holm"] for r in family] == [float(f"{p:.4g}") for p in expected]
    assert all(r["p_holm"] is None for r in rows if r["period"] != "all" or r["p_value"] is None)
    # each segment's raw p-value is above 0.05 and so is its corrected one: no segment "wins"
    assert fs.segment_verdicts["gratis-retour-test"] == {"ouders": "inconclusive", "studenten": "inconclusive"}
    assert fs.verdicts["gratis-retour-test"] == "better"  # the whole, judged on its interval as in version 1
    assert doc["plans"] == [
        {
            "experiment": "bezorgmoment-kiezen",
            "baseline": 0.18,
            "mde": 0.03,
            "power": 0.8,
            "alpha": 0.05,
            "needed_per_variant": 2737,
        },
        {
            "experiment": "gratis-retour-test",
            "baseline": 0.09,
            "mde": 0.03,
            "power": 0.8,
            "alpha": 0.05,
            "needed_per_variant": 1638,
        },
        {
            "experiment": "maathulp-productpagina",
            "baseline": 0.12,
            "mde": 0.03,
            "power": 0.8,
            "alpha": 0.05,
            "needed_per_variant": 2036,
        },
    ]


def test_a_segment_wins_only_when_its_corrected_p_value_is_below_005():
    from cxreport.figures import VariantResult
    from cxreport.metrics.experiments import segment_verdict, with_holm

    def row(segment, variant, p, low, high):
        return VariantResult("x", variant, "c", "all", segment, 100, 10, 0.1, 0.1, low, high, p)

    rows = with_holm([row(None, "v", 0.02, 0.01, 0.03), row("a", "v", 0.03, 0.01, 0.05), row("b", "v", 0.004, -0.09, -0.01)])
    assert [r.p_holm for r in rows] == pytest.approx([0.04, 0.04, 0.012])
    assert segment_verdict([rows[1]], "c") == "better"
    assert segment_verdict([rows[2]], "c") == "worse"
    rows = with_holm([row(None, "v", 0.02, 0.01, 0.03), row("a", "v", 0.03, 0.01, 0.05), row("b", "v", 0.04, 0.01, 0.05)])
    assert segment_verdict([rows[1]], "c") == "inconclusive"  # 0.03 alone would win; corrected 0.06 does not


def test_a_planned_experiment_needs_no_results_and_shows_its_plan(make_project):
    from helpers import problems_of

    root = make_project(
        {
            "content/playbooks/plan.md": "---\ntype: experiment\ntitle: Plan\nhypothesis: H\nstatus: planned\n"
            "plan: {baseline: 0.1, mde: 0.02}\n---\nBody\n",
            "content/playbooks/bad.md": "---\ntype: experiment\ntitle: Bad\nhypothesis: H\nstatus: running\n"
            "plan: {baseline: 0.9, mde: 0.2}\n---\nBody\n",
        }
    )
    # the planned one passes without results; a plan whose rates reach 100% is refused at its line
    assert problems_of(root) == [
        ("content/playbooks/bad.md", 6, 7, "plan: baseline + mde must stay below 1: a rate cannot reach 100%")
    ]
