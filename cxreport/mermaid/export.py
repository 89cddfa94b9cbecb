"""A journey map written as a Mermaid `journey` diagram, its sections named as the site names the stages."""

from __future__ import annotations

import math

from cxreport import model as m
from cxreport.loader import Project
from cxreport.render.i18n import load_catalogue
from cxreport.render.theme import Theme

from .diagram import encode

NO_FEELING_SCORE = 3  # a touchpoint without a feeling is drawn neutral


def mermaid_score(feeling: m.Feeling | None) -> int:
    """Give the Mermaid score (1..5) of a feeling (-2..2): feeling + 3, half up; 3 without a feeling."""
    if feeling is None:
        return NO_FEELING_SCORE
    return max(1, min(5, math.floor(feeling.score + 3 + 0.5)))


def actors_of(tp: m.Touchpoint) -> list[str]:
    """Give a touchpoint's actors: the channel's comma-separated parts; none without a channel (a task with no actor
    imports as a touchpoint with no channel, and comes back as one)."""
    return [encode(a.strip(), "#:;,") for a in (tp.channel or "").split(",") if a.strip()]


def stage_names(project: Project, model_id: str) -> dict[str, str]:
    """Give the names the site shows for a stage model's stages: a built-in model's in the site's language
    (from the theme's labels, as the journey page names them), a model of site.yml's as written there."""
    stages = project.stage_models.get(model_id, ())
    names = {s.id: s.name for s in stages}
    if stages is m.BUILTIN_STAGE_MODELS.get(model_id):
        theme = Theme.for_project(project.root, project.config.theme)
        t = load_catalogue(project.config.language, theme.i18n_dirs())
        names.update({s.id: t(f"stage.{model_id}.{s.id}") for s in stages if t.has(f"stage.{model_id}.{s.id}")})
    return names


def to_mermaid(project: Project, journey: m.Journey) -> str:
    """Give a journey as a Mermaid `journey` diagram, its sections named as the site names the stages."""
    names = stage_names(project, project.stage_model_of(journey))
    title = encode(journey.title, "#;")
    # the title is also the accessible title (Mermaid's `title` is only drawn); the summary its description
    out = ["journey", f"    title {title}", f"    accTitle: {title}"]
    if journey.summary and journey.summary.strip():
        out.append(f"    accDescr: {encode(journey.summary, '#;')}")
    for stage in journey.stages:
        name = names.get(stage.stage, stage.stage)
        out.append(f"    section {encode(name)}")
        for tp in stage.touchpoints:
            actors = actors_of(tp)
            out.append(f"      {encode(tp.name)}: {mermaid_score(tp.feeling)}" + (f": {', '.join(actors)}" if actors else ""))
    return "\n".join(out) + "\n"
