"""cxreport new: a small, valid starting project, in Dutch or English; a non-empty folder is refused."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from click.testing import CliRunner

from cxreport import scaffold
from cxreport.cli import main
from cxreport.schema import schema_text


def run(*args: str):
    return CliRunner().invoke(main, list(args))


EXPECTED_FILES = {
    "en": [
        ".github/workflows/cxreport.yml",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".schemas/journey.schema.json",
        ".schemas/page.schema.json",
        ".schemas/persona.schema.json",
        ".schemas/playbook.schema.json",
        ".schemas/site.schema.json",
        "README.md",
        "content/journeys/first-order.yml",
        "content/metrics/customer-survey.csv",
        "content/metrics/nps.csv",
        "content/pages/about.md",
        "content/personas/busy-parent.yml",
        "content/playbooks/birthday-card.md",
        "content/playbooks/how-to-map-a-journey.md",
        "content/playbooks/late-parcel.md",
        "content/playbooks/shipping-costs-upfront.md",
        "content/playbooks/the-rain-coat.md",
        "site.yml",
    ],
    "nl": [
        ".github/workflows/cxreport.yml",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".schemas/journey.schema.json",
        ".schemas/page.schema.json",
        ".schemas/persona.schema.json",
        ".schemas/playbook.schema.json",
        ".schemas/site.schema.json",
        "README.md",
        "content/journeys/eerste-bestelling.yml",
        "content/metrics/klantonderzoek.csv",
        "content/metrics/nps.csv",
        "content/pages/over-dit-handboek.md",
        "content/personas/drukke-ouder.yml",
        "content/playbooks/de-regenjas.md",
        "content/playbooks/pakket-te-laat.md",
        "content/playbooks/verjaardagskaart.md",
        "content/playbooks/verzendkosten-vooraf.md",
        "content/playbooks/zo-teken-je-een-klantreis.md",
        "site.yml",
    ],
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_new_project_passes_strict_check_and_builds(tmp_path, language):
    target = tmp_path / f"handbook-{language}"
    result = run("new", str(target), "--language", language)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"Created a new handbook in {target} (20 files). Next:\n")
    written = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert written == EXPECTED_FILES[language]
    check = run("check", str(target), "--strict")
    assert check.exit_code == 0, check.output
    assert "OK: 1 journey, 1 persona, 5 playbooks, 1 page checked" in check.output
    assert "warning" not in check.output
    build = run("build", str(target), "--strict", "--quiet")
    assert build.exit_code == 0, build.output
    assert (target / "output" / "index.html").is_file()


# the starter's survey export (Qualtrics-shaped) and its two metrics: (id, type, file), then the place of the CSAT
SURVEY = {
    "en": (
        ("nps-survey", "nps", "metrics/customer-survey.csv"),
        ("csat-delivery", "csat", "metrics/customer-survey.csv"),
        ("first-order", "satisfaction", "delivery"),
    ),
    "nl": (
        ("nps-klantonderzoek", "nps", "metrics/klantonderzoek.csv"),
        ("csat-bezorging", "csat", "metrics/klantonderzoek.csv"),
        ("eerste-bestelling", "satisfaction", "bezorging"),
    ),
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_new_project_has_one_playbook_of_each_type_and_a_declared_metric(tmp_path, language):
    from cxreport.pipeline import check

    target = tmp_path / "hb"
    assert run("new", str(target), "--language", language).exit_code == 0
    project, _ = check(target)
    assert project.config.language == language
    assert sorted(p.type for p in project.playbooks.values()) == ["experiment", "guide", "recovery", "story", "surprise"]
    assert [(s.id, s.type, s.file) for s in project.config.metrics] == [("nps", "nps", "metrics/nps.csv"), *SURVEY[language][:2]]
    journey = next(iter(project.journeys.values()))
    assert all(t.feeling is not None and t.evidence for _, t in journey.touchpoints())
    titles = {"nl": "Eerste bestelling", "en": "First order"}
    assert journey.title == titles[language]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_editor_schema_lines_point_at_the_schemas_new_wrote(tmp_path, language):
    target = tmp_path / "hb"
    assert run("new", str(target), "--language", language).exit_code == 0
    for kind in ("site", "journey", "persona", "playbook", "page"):
        assert (target / ".schemas" / f"{kind}.schema.json").read_text() == schema_text(kind)
    yml = [target / "site.yml"] + sorted((target / "content").rglob("*.yml"))
    assert len(yml) == 3
    for path in yml:
        first = path.read_text().splitlines()[0]
        found = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert found, path
        schema = (path.parent / found.group(1)).resolve()
        assert schema.is_file(), path
        expected = "site" if path.name == "site.yml" else path.parent.name.rstrip("s")
        assert schema.name == f"{expected}.schema.json"
        json.loads(schema.read_text())


@pytest.mark.parametrize("language", ["nl", "en"])
def test_gitignore_ci_workflow_and_pre_commit_hook(tmp_path, language):
    target = tmp_path / "hb"
    assert run("new", str(target), "--language", language).exit_code == 0
    ignored = [line for line in (target / ".gitignore").read_text().splitlines() if line and not line.startswith("#")]
    assert ignored == ["output/", ".cxreport-cache/"]
    workflow = yaml.safe_load((target / ".github/workflows/cxreport.yml").read_text())
    steps = [s.get("run", "") for s in workflow["jobs"]["check-and-build"]["steps"]]
    assert "cxreport check --strict --format github" in steps and "cxreport build" in steps
    hooks = yaml.safe_load((target / ".pre-commit-config.yaml").read_text())
    hook = hooks["repos"][0]["hooks"][0]
    assert hooks["repos"][0]["repo"] == "local"
    assert (hook["entry"], hook["language"], hook["pass_filenames"]) == ("cxreport check --strict", "system", False)
    readme = (target / "README.md").read_text()
    assert "pre-commit install" in readme and "cxreport check --strict" in readme


def test_dutch_content_is_dutch_and_english_content_english(tmp_path):
    assert run("new", str(tmp_path / "nl"), "--language", "nl").exit_code == 0
    assert run("new", str(tmp_path / "en")).exit_code == 0  # English by default
    assert "language: nl" in (tmp_path / "nl/site.yml").read_text()
    assert (tmp_path / "nl/README.md").read_text().startswith("# Ons klanthandboek\n")
    assert "language: en" in (tmp_path / "en/site.yml").read_text()
    assert (tmp_path / "en/README.md").read_text().startswith("# Our customer handbook\n")


def test_refuses_a_non_empty_folder(tmp_path):
    target = tmp_path / "hb"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = run("new", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"cxreport: error: '{target}' is not empty; cxreport new only writes into a new or empty folder\n"
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hb"]  # no staging folder left beside it


def test_refuses_a_folder_holding_only_a_hidden_file(tmp_path):
    target = tmp_path / "hb"
    (target / ".git").mkdir(parents=True)
    assert run("new", str(target)).exit_code == 1
    assert [p.name for p in target.iterdir()] == [".git"]


def test_refuses_a_file(tmp_path):
    target = tmp_path / "hb"
    target.write_text("x")
    result = run("new", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"cxreport: error: '{target}' is a file, not a folder\n"


def test_an_empty_folder_is_filled(tmp_path):
    target = tmp_path / "hb"
    target.mkdir()
    assert run("new", str(target), "--language", "nl").exit_code == 0
    assert (target / "site.yml").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hb"]


def test_a_new_folder_gets_parents_and_ordinary_permissions(tmp_path):
    target = tmp_path / "a" / "b" / "hb"
    assert run("new", str(target)).exit_code == 0
    assert (target / "site.yml").is_file()
    assert target.stat().st_mode & 0o777 == 0o777 & ~scaffold._umask()


def test_a_failure_while_moving_into_place_leaves_nothing_behind(tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(scaffold.os, "replace", fail)
    target = tmp_path / "hb"
    result = run("new", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"cxreport: error: cannot create '{target}': No space left on device\n"
    assert list(tmp_path.iterdir()) == []


def test_starter_files_are_package_data_and_dotfiles_get_their_dot():
    import tomllib

    from helpers import REPO

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "starter/**/*" in pyproject["tool"]["setuptools"]["package-data"]["cxreport"]
    for language in ("nl", "en"):
        files = scaffold.starter_files(language)
        assert ".gitignore" in files and ".github/workflows/cxreport.yml" in files
        assert not any("dot-" in name for name in files)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_starter_survey_export_gives_its_figures(tmp_path, language):
    """The starter shows the pattern of a survey export: a Qualtrics file (three header rows, a preview, a -99)
    read by an NPS and by a CSAT placed at a touchpoint with `at:`; figures checked by a count of the file here."""
    import csv
    import math

    target = tmp_path / "hb"
    assert run("new", str(target), "--language", language).exit_code == 0
    assert run("build", str(target), "--strict", "--quiet").exit_code == 0
    (nps_id, _, file), (csat_id, _, _), place = SURVEY[language]
    with open(target / "content" / file, encoding="utf-8-sig", newline="") as f:
        records = list(csv.reader(f))
    tags = records[0]
    rows = [dict(zip(tags, r, strict=True)) for r in records[3:] if r[tags.index("Status")] not in ("1", "2", "8")]
    nps_scores = [int(r["Q1"]) for r in rows if r["Q1"] not in ("", "-99")]
    csat_scores = [int(r["Q2"]) for r in rows if r["Q2"] not in ("", "-99")]
    n = len(nps_scores)
    p, d = sum(s >= 9 for s in nps_scores) / n, sum(s <= 6 for s in nps_scores) / n
    s = sum(x >= 4 for x in csat_scores) / len(csat_scores)
    figures = json.loads((target / "output/data/figures.json").read_text(encoding="utf-8"))["figures"]

    def whole(metric, journey=None, stage=None, touchpoint=None):
        [f] = [
            f
            for f in figures
            if f["metric"] == metric
            and f["period"] == "all"
            and (f["journey"], f["stage"], f["touchpoint"]) == (journey, stage, touchpoint)
        ]
        return f

    nps = whole(nps_id)
    assert (nps["n"], nps["answered"], nps["missing"]) == (n, n, len(rows) - n)
    assert abs(nps["value"] - 100 * (p - d)) <= 0.05
    assert abs(nps["margin"] - 100 * 1.96 * math.sqrt((p + d - (p - d) ** 2) / n)) <= 0.05
    csat = whole(csat_id, *place)
    assert (csat["n"], csat["missing"]) == (len(csat_scores), len(rows) - len(csat_scores))
    assert abs(csat["value"] - 100 * s) <= 0.05
    assert whole(csat_id) == {**csat, "journey": None, "stage": None, "touchpoint": None}
