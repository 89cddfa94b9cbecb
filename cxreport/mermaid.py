"""Mermaid user journeys: export a journey map as a `journey` diagram, import a diagram as a journey file.

Mapping (also in docs/format.md, "Mermaid"):
- title = the journey's title; one `section` per stage, named as in the stage model;
- one task per touchpoint: `Name: score: actors`, score = feeling + 3 (-2..2 -> 1..5, half up),
  actors = the channel (commas in it separate actors), else the persona's name;
- import maps scores back (score - 3; Mermaid's 0 becomes -2), matches sections to a stage model of
  the site by id or name (English or Dutch for the built-in stages; case and accents ignored), or
  makes a new stage model for the site to add.
"""

from __future__ import annotations

import html
import math
import os
import re
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import click

from . import model as m
from .loader import Project, load_sources
from .problems import Problems, did_you_mean

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
NO_FEELING_SCORE = 3  # a touchpoint without a feeling is drawn neutral
_ENTITY = re.compile(r"#(\w+);")


class MermaidError(Exception):
    """A diagram cxreport cannot read, with the line it stops at."""

    def __init__(self, line: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


@dataclass
class Task:
    """A Mermaid journey task: a touchpoint."""

    name: str
    score: float
    actors: list[str]
    line: int = 0


@dataclass
class Section:
    """A Mermaid journey section: a stage."""

    name: str
    tasks: list[Task] = field(default_factory=list)
    line: int = 0


@dataclass
class Diagram:
    """A Mermaid user journey diagram, as its meaning: title, sections, tasks, scores, actors."""

    title: str | None
    sections: list[Section]
    description: str | None = None

    def meaning(self) -> tuple:
        """Give what a reader sees: (title, ((section, ((task, score, actors), ...)), ...))."""
        return (self.title, tuple((s.name, tuple((t.name, t.score, tuple(t.actors)) for t in s.tasks)) for s in self.sections))


# --- text helpers -------------------------------------------------------------------


def _decode_entity(match: re.Match) -> str:
    name = match.group(1)
    if name.isdigit():
        code = int(name)
        return chr(code) if 0 < code < 0x110000 else match.group(0)
    decoded = html.unescape(f"&{name};")
    return match.group(0) if decoded.startswith("&") else decoded


def decode(text: str) -> str:
    """Give text with Mermaid's entity codes (`#58;`, `#amp;`) turned into characters."""
    return _ENTITY.sub(_decode_entity, text)


def encode(text: str, chars: str = "#:;") -> str:
    """Give text safe as a Mermaid journey name, on one line: chars (`#`, `:`, `;`) as entity codes (`#58;`)."""
    text = " ".join(text.split())
    return "".join(f"#{ord(ch)};" if ch in chars else ch for ch in text)


def fold(text: str) -> str:
    """Give text for matching names: accents dropped, case folded, spaces, '-' and '_' alike."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.split(r"[\s_-]+", text)).strip()


def slugify(text: str, fallback: str = "item") -> str:
    """Give an id (`^[a-z0-9][a-z0-9_-]*$`) made from text."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-")
    return slug or fallback


def unique(slug: str, taken: set[str]) -> str:
    """Give slug, or slug-2, slug-3 … when taken; record it as taken."""
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate


# --- reading a diagram ----------------------------------------------------------------


def _lines(text: str) -> list[str]:
    """Give the lines as Mermaid sees them: split at newlines only (not at U+2028 and the like)."""
    return [line.rstrip("\r") for line in text.split("\n")]


def _strip_comment(line: str) -> str:
    line = re.sub(r"%%(?!\{).*$", "", line)
    return line.split("#", 1)[0]  # entity codes are hidden before this runs


def _mermaid_block(text: str) -> tuple[str, int]:
    """Give the diagram text and the line it starts on: the whole file, or the first ```mermaid block holding a journey."""
    lines = _lines(text)
    for i, line in enumerate(lines):
        if re.match(r"^\s*(```|~~~)\s*mermaid\s*$", line):
            fence = line.strip()[:3]
            body = []
            for j in range(i + 1, len(lines)):
                if lines[j].strip().startswith(fence):
                    break
                body.append(lines[j])
            if any(re.match(r"^\s*journey\s*$", b, re.IGNORECASE) for b in body):
                return "\n".join(body), i + 1
    return text, 0


def parse_mermaid(text: str) -> Diagram:
    """Give the user journey diagram in text, or raise MermaidError at the first line it cannot read."""
    text = text.lstrip("\ufeff")
    text, offset = _mermaid_block(text)
    lines = _lines(text)
    title: str | None = None
    description: str | None = None
    sections: list[Section] = []
    start = 0
    if lines and lines[0].strip() == "---":  # Mermaid's front matter: only its title is used
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                for fm in lines[1:i]:
                    found = re.match(r"^title:\s*(.+?)\s*$", fm)
                    if found:
                        title = found.group(1).strip("\"'")
                start = i + 1
                break
        else:
            raise MermaidError(offset + 1, "front matter ('---') is never closed", "end it with a line '---'")
    seen_journey = False
    multiline_descr: list[str] | None = None
    for i in range(start, len(lines)):
        number = offset + i + 1
        raw = lines[i]
        if multiline_descr is not None:
            if "}" in raw:
                multiline_descr.append(raw.split("}", 1)[0])
                description = " ".join(" ".join(multiline_descr).split()) or None
                multiline_descr = None
            else:
                multiline_descr.append(raw)
            continue
        if raw.strip().startswith("%%"):
            continue
        hidden = _ENTITY.sub(lambda mt: "\x00" + mt.group(1) + "\x01", raw)
        line = _strip_comment(hidden).strip()
        if not line:
            continue

        def restore(s):
            return decode(s.replace("\x00", "#").replace("\x01", ";")).strip()

        if not seen_journey:
            if line.lower() != "journey":
                raise MermaidError(
                    number,
                    f"not a Mermaid user journey: the diagram starts with '{restore(line)[:40]}'",
                    "a user journey starts with a line 'journey'",
                )
            seen_journey = True
            continue
        if ";" in line:
            raise MermaidError(number, "';' is not allowed in a Mermaid journey", "write it as #59;")
        if re.match(r"^title\s", line, re.IGNORECASE):
            title = restore(line[6:])
        elif re.match(r"^accTitle\s*:", line):
            continue
        elif re.match(r"^accDescr\s*:", line):
            description = restore(line.split(":", 1)[1]) or None
        elif re.match(r"^accDescr\s*\{", line):
            rest = line.split("{", 1)[1]
            if "}" in rest:
                description = restore(rest.split("}", 1)[0]) or None
            else:
                multiline_descr = [restore(rest)]
        elif re.match(r"^section\s", line, re.IGNORECASE):
            name = line[8:]
            if ":" in name:
                raise MermaidError(number, "a section name may not contain ':'", "write it as #58;")
            sections.append(Section(restore(name), [], number))
        elif ":" in line:
            name, data = line.split(":", 1)
            pieces = data.split(":")
            score_text = restore(pieces[0])
            try:
                score = float(score_text)
            except ValueError:
                score = math.nan
            if not math.isfinite(score) or not 0 <= score <= 5:
                raise MermaidError(
                    number,
                    f"task '{restore(name)}' has score '{score_text}'; a score is a number from 1 to 5",
                    "write 'Task name: 4: Actor'",
                )
            actors = [restore(a) for a in pieces[1].split(",")] if len(pieces) > 1 else []
            task = Task(restore(name), int(score) if score.is_integer() else score, [a for a in actors if a], number)
            if not sections:
                raise MermaidError(
                    number, f"task '{task.name}' comes before any section", "add a line 'section <stage name>' above it"
                )
            sections[-1].tasks.append(task)
        else:
            raise MermaidError(
                number,
                f"cannot read '{restore(line)[:60]}': not a title, section or task",
                "a task is written 'Task name: score: actor, actor'",
            )
    last = offset + max((i + 1 for i, line in enumerate(lines) if line.strip()), default=1)
    if multiline_descr is not None:
        raise MermaidError(last, "accDescr { … is never closed", "end it with '}'")
    if not seen_journey:
        raise MermaidError(
            offset + 1, "not a Mermaid user journey: no line 'journey'", "a user journey starts with a line 'journey'"
        )
    if not sections:
        raise MermaidError(last, "the journey has no sections", "add 'section <stage name>' lines with tasks under them")
    return Diagram(title, sections, description)


# --- export ----------------------------------------------------------------------------


def mermaid_score(feeling: m.Feeling | None) -> int:
    """Give the Mermaid score (1..5) of a feeling (-2..2): feeling + 3, half up; 3 without a feeling."""
    if feeling is None:
        return NO_FEELING_SCORE
    return max(1, min(5, math.floor(feeling.score + 3 + 0.5)))


def actors_of(tp: m.Touchpoint, persona_name: str) -> list[str]:
    """Give a touchpoint's actors: the channel's comma-separated parts, else the persona's name (commas kept)."""
    if tp.channel and tp.channel.strip():
        return [encode(a.strip(), "#:;,") for a in tp.channel.split(",") if a.strip()]
    return [encode(persona_name, "#:;,")]


def stage_names(project: Project, model_id: str) -> dict[str, str]:
    """Give the names the site shows for a stage model's stages: a built-in model's in the site's language
    (from the theme's labels, as the journey page names them), a model of site.yml's as written there."""
    stages = project.stage_models.get(model_id, ())
    names = {s.id: s.name for s in stages}
    if stages is m.BUILTIN_STAGE_MODELS.get(model_id):
        from .render.i18n import load_catalogue
        from .render.theme import Theme

        theme = Theme.for_project(project.root, project.config.theme)
        t = load_catalogue(project.config.language, theme.i18n_dirs())
        names.update({s.id: t(f"stage.{model_id}.{s.id}") for s in stages if t.has(f"stage.{model_id}.{s.id}")})
    return names


def to_mermaid(project: Project, journey: m.Journey) -> str:
    """Give a journey as a Mermaid `journey` diagram, its sections named as the site names the stages."""
    names = stage_names(project, project.stage_model_of(journey))
    persona = project.personas.get(journey.persona)
    persona_name = persona.name if persona else journey.persona
    out = ["journey", f"    title {encode(journey.title, '#;')}"]
    for stage in journey.stages:
        name = names.get(stage.stage, stage.stage)
        out.append(f"    section {encode(name)}")
        for tp in stage.touchpoints:
            out.append(f"      {encode(tp.name)}: {mermaid_score(tp.feeling)}: {', '.join(actors_of(tp, persona_name))}")
    return "\n".join(out) + "\n"


# --- import ----------------------------------------------------------------------------


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
    import json

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


# --- commands ---------------------------------------------------------------------------


def _fail(message: str, hint: str = "", code: int = 1):
    click.echo(f"cxreport: error: {message}" + (f"\n  hint: {hint}" if hint else ""), err=True)
    sys.exit(code)


def _load(path: str) -> tuple[Project | None, Problems]:
    root = Path(path)
    if root.is_file() and root.name == "site.yml":
        root = root.parent
    if not root.is_dir():
        raise click.UsageError(f"'{path}' is not a folder")
    problems = Problems()
    return load_sources(root, problems), problems


def write_new(path: Path, text: str) -> None:
    """Write text into a new file; raise FileExistsError rather than replace one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_replacing(path: Path, text: str) -> None:
    """Write text into path through a temporary file beside it, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.group("export")
def export_group() -> None:
    """Export a part of the handbook in another tool's format."""


@export_group.command("mermaid")
@click.argument("journey")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write the diagram into this file (default: print it).")
@click.option("--path", "path", default=".", show_default=True, help="The project folder (the one holding site.yml).")
def export_mermaid(journey: str, out: str | None, path: str) -> None:
    """Write JOURNEY (an id) as a Mermaid user journey diagram."""
    project, problems = _load(path)
    if project is None:
        for p in problems.errors:
            click.echo(p.format(), err=True)
        _fail("the project cannot be read; fix the problems above")
    if journey not in project.journeys:
        rel = f"content/journeys/{journey}.yml"
        own = [p for p in problems.errors if p.path.startswith(rel[:-4])]
        for p in own:
            click.echo(p.format(), err=True)
        if own:
            _fail(f"journey '{journey}' has errors; fix them and export again")
        _fail(f"unknown journey '{journey}'", did_you_mean(journey, project.ids("journey"), "journeys"))
    text = to_mermaid(project, project.journeys[journey])
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        write_replacing(Path(out), text)
    except OSError as exc:
        _fail(f"cannot write '{out}': {exc.strerror or exc}")
    click.echo(f"wrote {out}", err=True)


@click.group("import")
def import_group() -> None:
    """Import another tool's file into the handbook."""


@import_group.command("mermaid")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--out", "out", help="The journey file to write (default: content/journeys/<id>.yml of the project; '-' prints it)."
)
@click.option("--persona", "persona", help="The persona id of the journey (default: the project's only persona).")
@click.option("--path", "path", default=".", show_default=True, help="The project folder (the one holding site.yml).")
def import_mermaid(file: str, out: str | None, persona: str | None, path: str) -> None:
    """Turn a Mermaid user journey diagram (FILE, or a Markdown file holding one) into a journey file."""
    source = Path(file)
    try:
        text = source.read_bytes().decode("utf-8")
    except FileNotFoundError:
        _fail(f"'{file}' does not exist")
    except UnicodeDecodeError:
        _fail(f"'{file}' is not UTF-8 text")
    except OSError as exc:
        _fail(f"cannot read '{file}': {exc.strerror or exc}")
    try:
        diagram = parse_mermaid(text)
    except MermaidError as exc:
        click.echo(f"{file}:{exc.line}:1: error: {exc.message}" + (f"\n  hint: {exc.hint}" if exc.hint else ""), err=True)
        sys.exit(1)
    project, _problems = _load(path)
    root = Path(path).parent if Path(path).is_file() else Path(path)
    stage_models = dict(project.stage_models) if project else dict(m.BUILTIN_STAGE_MODELS)
    default_model = project.config.stage_model if project else "aidas"
    personas = dict(project.personas) if project else {}
    notes = [] if project else [f"no usable site.yml in '{path}': sections were matched with the built-in stage models"]
    if persona is not None:
        if project is not None and persona not in project.ids("persona"):
            _fail(f"unknown persona '{persona}'", did_you_mean(persona, project.ids("persona"), "personas"))
    elif len(personas) == 1:
        persona = next(iter(personas))
        notes.append(f"persona: {persona} (the project's only persona)")
    elif personas:
        raise click.UsageError("name the journey's persona with --persona (one of: " + ", ".join(sorted(personas)) + ")")
    else:
        persona = "todo"
        notes.append("the project has no personas yet: create content/personas/todo.yml, or change 'persona:'")
    persona_name = personas[persona].name if persona in personas else None
    journey_id = slugify(diagram.title or source.stem, "imported-journey")
    if out is None or out == "-":
        if project is not None:
            journey_id = unique(journey_id, set(project.ids("journey")))
    elif re.fullmatch(m.ID_PATTERN, Path(out).stem):
        journey_id = Path(out).stem
    write_id = out not in (None, "-") and Path(out).stem != journey_id  # a file name that is not an id needs 'id:'
    imported = import_diagram(
        diagram,
        source=source.name,
        journey_id=journey_id,
        persona=persona,
        persona_name=persona_name,
        stage_models=stage_models,
        default_model=default_model,
        write_id=write_id,
    )
    notes += imported.notes
    if out == "-":
        click.echo(imported.text, nl=False)
    else:
        target = Path(out) if out is not None else root / "content" / "journeys" / f"{journey_id}.yml"
        try:
            write_new(target, imported.text)
        except FileExistsError:
            _fail(f"'{target}' already exists; cxreport never overwrites a file", "give another file name with --out")
        except OSError as exc:
            _fail(f"cannot write '{target}': {exc.strerror or exc}")
        click.echo(f"wrote {target}", err=True)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if imported.snippet:
        click.echo(
            f"note: the sections are not the stages of a stage model of this site; add this to site.yml "
            f"(under stage_models: if it has that key already):\n\n{imported.snippet}",
            err=True,
        )
