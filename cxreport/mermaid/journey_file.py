"""A Mermaid diagram made into a journey file: sections matched to a stage model of the site, or a new one."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from cxreport import model as m

from .diagram import Diagram, Section, fold, slugify, unique

# The built-in stages' names in English and Dutch, so a diagram drawn in either language matches.
STAGE_NAMES = {
    "attention": ("Attention", "Aandacht"),
    "interest": ("Interest", "Interesse"),
    "desire": ("Desire", "Verlangen"),
    "action": ("Action", "Actie"),
    "satisfaction": ("Satisfaction", "Tevredenheid"),
    "awareness": ("Awareness", "Bewustwording"),
    "research": ("Research", "Onderzoek"),
    "purchase": ("Purchase", "Aankoop"),
    "unboxing": ("Unboxing", "Uitpakken"),
    "returns": ("Returns", "Retour", "Retouren"),
}


def _names(model_id: str, stage: m.StageDef) -> set[str]:
    names = {fold(stage.id), fold(stage.name)}
    if model_id in m.BUILTIN_STAGE_MODELS:
        names |= {fold(n) for n in STAGE_NAMES.get(stage.id, ())}
    return names


def match_stage_model(
    sections: list[Section], stage_models: dict[str, tuple[m.StageDef, ...]], default: str
) -> tuple[str, list[str]] | None:
    """Give (model id, stage id per section) for the first model (the default first) that has every section, each once."""
    for model_id in [default] + sorted(k for k in stage_models if k != default):
        stages = stage_models.get(model_id)
        if not stages:
            continue
        ids = []
        for section in sections:
            hit = next((s.id for s in stages if fold(section.name) in _names(model_id, s)), None)
            if hit is None or hit in ids:
                break
            ids.append(hit)
        else:
            return model_id, ids
    return None


def _scalar(text: str) -> str:
    """Give text as a YAML scalar: plain when that is unambiguous, else double-quoted (JSON quoting is valid YAML)."""
    if re.fullmatch(r"[^\W_](?:[\w .,'()/&+-]*[\w.)'])?", text) and ": " not in text and " #" not in text:
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    # YAML reads these as line breaks even inside quotes; escape them so the text stays one line
    return quoted.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\x85")


@dataclass
class Imported:
    """A journey file made from a diagram: its text, and the stage model snippet the site needs (if any)."""

    journey_id: str
    text: str
    stage_model: str
    snippet: str | None = None
    notes: list[str] = field(default_factory=list)


def import_diagram(
    diagram: Diagram,
    *,
    source: str,
    journey_id: str,
    persona: str,
    persona_name: str | None,
    stage_models: dict[str, tuple[m.StageDef, ...]],
    default_model: str,
    write_id: bool = False,
) -> Imported:
    """Give the journey file for a diagram, its stages matched to the site's stage models or a new one."""
    notes: list[str] = []
    matched = match_stage_model(diagram.sections, stage_models, default_model)
    snippet = None
    if matched:
        model_id, stage_ids = matched
        order = [s.id for s in stage_models[model_id]]
        if [order.index(s) for s in stage_ids] != sorted(order.index(s) for s in stage_ids):
            notes.append(f"the sections are not in the order of stage model '{model_id}'; cxreport check will warn")
    else:
        model_id = unique(slugify(diagram.title or journey_id, "imported"), set(stage_models))
        taken: set[str] = set()
        stage_ids = [unique(slugify(s.name, "stage"), taken) for s in diagram.sections]
        snippet = (
            "stage_models:\n  "
            + model_id
            + ":\n"
            + "".join(
                f"    - {{id: {sid}, name: {_scalar(s.name)}}}\n" for sid, s in zip(stage_ids, diagram.sections, strict=False)
            )
        )
    shown = " ".join("".join(ch if ch.isprintable() else " " for ch in source).split())
    header = [f"# Imported from {shown} by cxreport import mermaid."]
    if snippet:
        header += [
            "#",
            "# Its sections are not the stages of a stage model of this site, so this journey uses a new",
            f"# stage model, '{model_id}'. Add it to site.yml (under stage_models: if site.yml has that key already):",
            "#",
        ] + ["#   " + line for line in snippet.splitlines()]
    out = (
        header
        + ([f"id: {journey_id}"] if write_id else [])
        + [
            f"title: {_scalar(diagram.title or journey_id)}",
            f"persona: {_scalar(persona)}",
            "state: current",
            f"stage_model: {model_id}",
        ]
    )
    if diagram.description:
        out.append(f"summary: {_scalar(diagram.description)}")
    out.append("stages:")
    taken_tps: set[str] = set()
    for sid, section in zip(stage_ids, diagram.sections, strict=False):
        out.append(f"  - stage: {sid}")
        if not section.tasks:
            out.append("    touchpoints: []")
            notes.append(f"section '{section.name}' has no tasks; cxreport check will warn")
            continue
        out.append("    touchpoints:")
        for task in section.tasks:
            if task.score < 1:
                notes.append(f"task '{task.name}' has score {task.score}; scores below 1 are read as 1 (feeling -2)")
            feeling = max(-2, min(2, task.score - 3))
            out.append(f"      - id: {unique(slugify(task.name, 'touchpoint'), taken_tps)}")
            out.append(f"        name: {_scalar(task.name or 'touchpoint')}")
            actors = task.actors
            if persona_name is not None and [fold(a) for a in actors] == [fold(persona_name)]:
                actors = []  # the persona itself, as cxreport exports a touchpoint without a channel
            if actors:
                out.append(f"        channel: {_scalar(', '.join(actors))}")
            out.append(f"        feeling: {{score: {feeling}}}")
    return Imported(journey_id, "\n".join(out) + "\n", model_id, snippet, notes)
