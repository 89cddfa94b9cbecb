"""cxreport export mermaid and cxreport import mermaid: a journey as a Mermaid user journey diagram, and back."""

from __future__ import annotations

import re
from pathlib import Path

import click

from cxreport import model as m
from cxreport.cli.output import fail, project_root
from cxreport.loader import Project, load_sources
from cxreport.mermaid import (
    Diagram,
    MermaidError,
    import_diagram,
    parse_mermaid,
    slugify,
    to_mermaid,
    unique,
    write_new,
    write_replacing,
)
from cxreport.problems import Problems, did_you_mean


def _load(path: str) -> tuple[Project | None, Problems]:
    root = project_root(path)
    problems = Problems()
    return load_sources(root, problems), problems


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
        fail("the project cannot be read; fix the problems above")
    if journey not in project.journeys:
        rel = f"content/journeys/{journey}.yml"
        own = [p for p in problems.errors if p.path.startswith(rel[:-4])]
        for p in own:
            click.echo(p.format(), err=True)
        if own:
            fail(f"journey '{journey}' has errors; fix them and export again")
        fail(f"unknown journey '{journey}'", did_you_mean(journey, project.ids("journey"), "journeys"))
    text = to_mermaid(project, project.journeys[journey])
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        write_replacing(Path(out), text)
    except OSError as exc:
        fail(f"cannot write '{out}': {exc.strerror or exc}")
    click.echo(f"wrote {out}", err=True)


def _read_diagram(source: Path, file: str) -> Diagram:
    """Give the diagram in the file, or end the command saying why it cannot be read."""
    try:
        text = source.read_bytes().decode("utf-8")
    except FileNotFoundError:
        fail(f"'{file}' does not exist")
    except UnicodeDecodeError:
        fail(f"'{file}' is not UTF-8 text")
    except OSError as exc:
        fail(f"cannot read '{file}': {exc.strerror or exc}")
    try:
        return parse_mermaid(text)
    except MermaidError as exc:
        fail(exc.message, exc.hint, prefix=f"{file}:{exc.line}:1: error: ")


def _persona(project: Project | None, persona: str | None, notes: list[str]) -> str:
    """Give the journey's persona: the one named (it must exist), the project's only one, or 'todo' when it has none."""
    personas = dict(project.personas) if project else {}
    if persona is not None:
        if project is not None and persona not in project.ids("persona"):
            fail(f"unknown persona '{persona}'", did_you_mean(persona, project.ids("persona"), "personas"))
        return persona
    if len(personas) == 1:
        persona = next(iter(personas))
        notes.append(f"persona: {persona} (the project's only persona)")
        return persona
    if personas:
        raise click.UsageError("name the journey's persona with --persona (one of: " + ", ".join(sorted(personas)) + ")")
    notes.append("the project has no personas yet: create content/personas/todo.yml, or change 'persona:'")
    return "todo"


def _journey_id(name: str, out: str | None, project: Project | None) -> str:
    """Give the new journey's id: the --out file's name when it is an id, else one made from name, not yet taken."""
    journey_id = slugify(name, "imported-journey")
    if out is None or out == "-":
        if project is not None:
            journey_id = unique(journey_id, set(project.ids("journey")))
    elif re.fullmatch(m.ID_PATTERN, Path(out).stem):
        journey_id = Path(out).stem
    return journey_id


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
    diagram = _read_diagram(source, file)
    project, _problems = _load(path)
    root = Path(path).parent if Path(path).is_file() else Path(path)
    stage_models = dict(project.stage_models) if project else dict(m.BUILTIN_STAGE_MODELS)
    default_model = project.config.stage_model if project else "aidas"
    personas = dict(project.personas) if project else {}
    notes = [] if project else [f"no usable site.yml in '{path}': sections were matched with the built-in stage models"]
    persona = _persona(project, persona, notes)
    persona_name = personas[persona].name if persona in personas else None
    journey_id = _journey_id(diagram.title or source.stem, out, project)
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
        models_in_use={j.stage_model for j in project.journeys.values() if j.stage_model} if project else set(),
    )
    notes += imported.notes
    if out == "-":
        click.echo(imported.text, nl=False)
    else:
        target = Path(out) if out is not None else root / "content" / "journeys" / f"{journey_id}.yml"
        try:
            write_new(target, imported.text)
        except FileExistsError:
            fail(f"'{target}' already exists; cxreport never overwrites a file", "give another file name with --out")
        except OSError as exc:
            fail(f"cannot write '{target}': {exc.strerror or exc}")
        click.echo(f"wrote {target}", err=True)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if imported.snippet:
        click.echo(
            f"note: the sections are not the stages of a stage model of this site; add this to site.yml "
            f"(under stage_models: if it has that key already):\n\n{imported.snippet}",
            err=True,
        )
