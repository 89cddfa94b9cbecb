"""Small helpers shared by tests."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from cxreport.pipeline import check


def problems_of(root: Path, severity: str | None = None) -> list[tuple[str, int, int, str]]:
    """Give the (path, line, col, message) of every problem of a project, sorted."""
    _, problems = check(root)
    return [(p.path, p.line, p.col, p.message) for p in problems if severity in (None, p.severity)]


def hints_of(root: Path) -> list[str]:
    _, problems = check(root)
    return [p.hint for p in problems]


REPO = Path(__file__).resolve().parent.parent

MINIMAL_SITE = "title: Test\nlanguage: en\n"
MINIMAL_PERSONA = "name: Parent\nsegment: parents\n"
MINIMAL_JOURNEY = """\
title: First order
persona: parent
stages:
  - stage: attention
    touchpoints:
      - id: ad
        name: Advert
        feeling: {score: 1, label: curious}
  - stage: action
    touchpoints:
      - id: checkout
        name: Checkout
        feeling: -1
"""


def copy_example(root: Path) -> Path:
    """Copy the example handbook (site.yml and content/) into root, a new folder, and give root."""
    root.mkdir(parents=True)
    shutil.copy(REPO / "site.yml", root / "site.yml")
    shutil.copytree(REPO / "content", root / "content")
    return root


def many_files(journeys: int, personas: int = 3, playbooks: dict[str, int] | None = None, metric: bool = False) -> dict[str, str]:
    """Give the files of a generated English handbook (for write_project) with many objects, so lists go over pages.

    Journey i (id j0000, title 'Journey 0') is for persona i % personas (p000, 'Persona 0') and has two touchpoints,
    `ad` (reliability) and `buy`; playbooks maps a type to how many (surprises are live, experiments running,
    guides in order: ids s000, r000, t000, e000, g000). With metric, an NPS file has one answer per touchpoint.
    """
    files = {
        "site.yml": "title: Many\nlanguage: en\n"
        + ("metrics:\n  - {id: nps, file: metrics/nps.csv, type: nps, label: NPS}\n" if metric else "")
    }
    for i in range(personas):
        files[f"content/personas/p{i:03d}.yml"] = f"name: Persona {i}\nsegment: s{i % 4}\n"
    for i in range(journeys):
        files[f"content/journeys/j{i:04d}.yml"] = (
            f"title: Journey {i}\npersona: p{i % personas:03d}\nstages:\n"
            f"  - stage: attention\n    touchpoints:\n      - {{id: ad, name: Advert {i}, feeling: 1, pillars: [reliability]}}\n"
            f"  - stage: action\n    touchpoints:\n      - {{id: buy, name: Checkout {i}, feeling: -1}}\n"
        )
    fields = {
        "surprise": "trigger: a wish\nstatus: live\njourney: j0000\ntouchpoint: ad\n",
        "recovery": "failure: a late parcel\n",
        "story": "persona: p000\nmoral: listen\n",
        "experiment": "hypothesis: it helps\nstatus: running\nresults: {a: {n: 100, conversions: 10}, b: {n: 100, conversions: 14}}\n",
        "guide": "",
    }
    for kind, count in (playbooks or {}).items():
        for i in range(count):
            order = f"order: {i}\n" if kind == "guide" else ""
            files[f"content/playbooks/{kind[0] if kind != 'story' else 't'}{i:03d}.md"] = (
                f"---\ntype: {kind}\ntitle: {kind.title()} {i}\n{order}{fields[kind]}---\nText.\n"
            )
    if metric:
        rows = [
            f"2026-0{k}-15,j{i:04d},{tp},s{(i + k) % 4},{(i * 7 + k * 3) % 11}"
            for i in range(journeys)
            for tp in ("ad", "buy")
            for k in (1, 2, 3)
        ]
        files["content/metrics/nps.csv"] = "date,journey,touchpoint,segment,score\n" + "\n".join(rows) + "\n"
    return files


def write_project(root: Path, files: dict[str, str | bytes], dedent: bool = True) -> Path:
    """Write files (path -> text or bytes) under root and give root; text is dedented unless dedent=False, and
    written as UTF-8 with its line ends untouched."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(textwrap.dedent(content) if dedent else content)
    return root


def sample_figures(project):
    """Give a hand-made FigureSet for a project: figures for every metric, journey, stage and touchpoint.

    Values are made up but deterministic, so the site can be rendered and checked before (and apart from) the
    metric engine. Experiments with inline results get rows too.
    """
    from cxreport.figures import Figure, FigureSet, VariantResult

    periods = ["2026-01", "2026-02", "2026-03"]
    figures = []
    for mi, source in enumerate(project.config.metrics):
        places = [(None, None, None)]
        for journey in project.journeys.values():
            places.append((journey.id, None, None))
            for stage in journey.stages:
                places.append((journey.id, stage.stage, None))
                for tp in stage.touchpoints:
                    places.append((journey.id, stage.stage, tp.id))
        segments = [None] + sorted({p.segment for p in project.personas.values() if p.segment})
        for pi, (journey, stage, tp) in enumerate(places):
            if source.type == "funnel" and stage is None:
                continue
            for si, segment in enumerate(segments):
                for ki, period in enumerate(periods + ["all"]):
                    n = 12 + (pi * 37 + si * 11 + ki * 53 + mi * 7) % 400
                    base = {"nps": 20.0, "csat": 75.0, "ces": 3.5, "funnel": 1000.0, "value": 90.0}[source.type]
                    value = round(base + ((pi * 13 + si * 7 + ki * 5) % 21) - 10 + 0.25, 2)
                    margin = None if source.type in ("funnel", "value") else round(90 / (n**0.5), 2)
                    status = None
                    target = project.config.targets.get(source.id) or project.config.targets.get(source.type)
                    if target is not None:
                        status = target.status(value)
                    figures.append(
                        Figure(
                            metric=source.id,
                            type=source.type,
                            period=period,
                            journey=journey,
                            stage=stage,
                            touchpoint=tp,
                            segment=segment,
                            variant=None,
                            n=n,
                            value=value,
                            margin=margin,
                            conversion=(0.5 if source.type == "funnel" else None),
                            status=status,
                        )
                    )
    figures.sort(
        key=lambda f: (f.metric, f.period, f.journey or "", f.stage or "", f.touchpoint or "", f.segment or "", f.variant or "")
    )
    experiments, verdicts = [], {}
    for pb in project.playbooks.values():
        if pb.type != "experiment":
            continue
        variants = list(pb.results) if pb.results else [pb.control or "control", "variant"]
        control = pb.control or variants[0]
        for segment in [None, "ouders", "studenten"]:
            for variant in variants:
                is_control = variant == control
                experiments.append(
                    VariantResult(
                        experiment=pb.id,
                        variant=variant,
                        control=control,
                        period="all",
                        segment=segment,
                        n=2400,
                        conversions=300 if is_control else 336,
                        rate=0.125 if is_control else 0.14,
                        lift=None if is_control else 0.12,
                        ci_low=None if is_control else -0.004,
                        ci_high=None if is_control else 0.034,
                        p_value=None if is_control else 0.123,
                    )
                )
        verdicts[pb.id] = "inconclusive"
    return FigureSet(figures=tuple(figures), experiments=tuple(experiments), verdicts=verdicts)


def located(problems, severity: str = "error") -> list[tuple[str, int, int, str]]:
    """Give problems as (path, line, col, message) tuples, sorted: one-line table comparisons in tests."""
    return [(p.path, p.line, p.col, p.message) for p in problems.sorted() if p.severity == severity]
