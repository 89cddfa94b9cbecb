"""A Mermaid diagram made into a journey file: sections matched to a stage model of the site, or a new one."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass, field

import yaml

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


_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"


def _reads_as_text(text: str) -> bool:
    """Say whether a plain scalar reads as that text: YAML 1.1's rules for a plain scalar give no null (`null`, `~`,
    which cxreport reads as none too), boolean (`yes`), number (`12`, `1_000`) or date (`2024-01-01`)."""
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR


def _scalar(text: str, flow: bool = False) -> str:
    """Give text as a YAML scalar that reads back as that text: plain when it does, else double-quoted (JSON quoting
    is valid YAML). flow: the scalar stands in a flow collection (`{id: …, name: …}`), where ',' would end it."""
    plain = re.fullmatch(r"[^\W_](?:[\w .,'()/&+-]*[\w.)'])?", text) and ": " not in text and " #" not in text
    if plain and _reads_as_text(text) and not (flow and "," in text):
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


def _new_stage_model(diagram: Diagram, model_id: str) -> tuple[list[str], str]:
    """Give the stage ids of a new stage model made of the diagram's sections, and the snippet for site.yml."""
    taken: set[str] = set()
    stage_ids = [unique(slugify(s.name, "stage"), taken) for s in diagram.sections]
    stages = "".join(
        f"    - {{id: {_scalar(sid, flow=True)}, name: {_scalar(s.name, flow=True)}}}\n"
        for sid, s in zip(stage_ids, diagram.sections, strict=True)
    )
    return stage_ids, f"stage_models:\n  {_scalar(model_id)}:\n{stages}"


def _header(source: str, model_id: str, snippet: str | None) -> list[str]:
    shown = " ".join("".join(ch if ch.isprintable() else " " for ch in source).split())
    header = [f"# Imported from {shown} by cxreport import mermaid."]
    if snippet:
        header += [
            "#",
            "# Its sections are not the stages of a stage model of this site, so this journey uses a new",
            f"# stage model, '{model_id}'. Add it to site.yml (under stage_models: if site.yml has that key already):",
            "#",
        ] + ["#   " + line for line in snippet.splitlines()]
    return header


def _stage_lines(diagram: Diagram, stage_ids: list[str], persona_name: str | None, notes: list[str]) -> list[str]:
    """Give the journey file's `stages:` list: one stage per section, one touchpoint per task."""
    out = ["stages:"]
    taken_tps: set[str] = set()
    as_persona = 0
    for sid, section in zip(stage_ids, diagram.sections, strict=True):
        out.append(f"  - stage: {_scalar(sid)}")
        if not section.tasks:
            out.append("    touchpoints: []")
            notes.append(f"section '{section.name}' has no tasks; cxreport check will warn")
            continue
        out.append("    touchpoints:")
        for task in section.tasks:
            if task.score < 1:
                notes.append(f"task '{task.name}' has score {task.score}; scores below 1 are read as 1 (feeling -2)")
            feeling = max(-2, min(2, task.score - 3))
            out.append(f"      - id: {_scalar(unique(slugify(task.name, 'touchpoint'), taken_tps))}")
            out.append(f"        name: {_scalar(task.name or 'touchpoint')}")
            actors = task.actors
            if persona_name is not None and [fold(a) for a in actors] == [fold(persona_name)]:
                actors = []  # the persona itself, as cxreport 0.1 exported a touchpoint without a channel
                as_persona += 1
            if actors:
                out.append(f"        channel: {_scalar(', '.join(actors))}")
            out.append(f"        feeling: {{score: {feeling}}}")
    if as_persona:
        notes.append(
            f"{as_persona} task{'s' * (as_persona != 1)} whose only actor is the persona's name "
            f"'{persona_name}' got no channel (cxreport 0.1 exported a touchpoint without a channel that way)"
        )
    return out


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
    models_in_use: Collection[str] = (),
) -> Imported:
    """Give the journey file for a diagram, its stages matched to the site's stage models or a new one.

    models_in_use: stage model ids journeys name that site.yml may not have yet (an earlier import's), never reused.
    """
    notes: list[str] = []
    matched = match_stage_model(diagram.sections, stage_models, default_model)
    snippet = None
    if matched:
        model_id, stage_ids = matched
        order = [s.id for s in stage_models[model_id]]
        if [order.index(s) for s in stage_ids] != sorted(order.index(s) for s in stage_ids):
            notes.append(f"the sections are not in the order of stage model '{model_id}'; cxreport check will warn")
    else:  # named after the journey, whose id is unique: two diagrams of one title get two stage models
        model_id = unique(journey_id, set(stage_models) | set(models_in_use))
        stage_ids, snippet = _new_stage_model(diagram, model_id)
    title = diagram.title or diagram.acc_title or journey_id
    if diagram.acc_title and diagram.acc_title != title:
        notes.append(f"accTitle '{diagram.acc_title}' is not kept: the journey's title '{title}' is its accessible title")
    out = _header(source, model_id, snippet) + ([f"id: {_scalar(journey_id)}"] if write_id else [])
    out += [f"title: {_scalar(title)}", f"persona: {_scalar(persona)}", "state: current", f"stage_model: {_scalar(model_id)}"]
    if diagram.description:
        out.append(f"summary: {_scalar(diagram.description)}")
    out += _stage_lines(diagram, stage_ids, persona_name, notes)
    return Imported(journey_id, "\n".join(out) + "\n", model_id, snippet, notes)
