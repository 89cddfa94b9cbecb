"""The command line: check, schema (and build, serve, diff as they arrive)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .problems import Problems
from .schema import KIND_MODELS, schema_text


def _project_root(path: str) -> Path:
    root = Path(path)
    if root.is_file() and root.name == "site.yml":
        root = root.parent
    if not root.is_dir():
        raise click.UsageError(f"'{path}' is not a folder")
    return root


def print_problems(problems: Problems, fmt: str, strict: bool) -> None:
    """Print problems in the chosen format: text (stderr), json or github (stdout)."""
    items = problems.sorted()
    if fmt == "json":
        click.echo(problems.as_json())
        return
    if fmt == "github":
        for p in items:
            click.echo(p.as_github())
        return
    for p in items:
        click.echo(p.format(), err=True)
    if items:
        e, w = len(problems.errors), len(problems.warnings)
        click.echo(f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"
                   + (" (warnings count as errors: strict)" if strict and w else ""), err=True)


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # a bug: say so plainly instead of a traceback
            if os.environ.get("CXREPORT_DEBUG"):
                raise
            click.echo(f"cxreport: internal error: {type(exc).__name__}: {exc}\n"
                       "This is a bug in cxreport; run again with CXREPORT_DEBUG=1 for details and report it.", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cxreport")
def main() -> None:
    """cxreport: customer-experience journey maps and playbooks, checked and built into a site."""


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="How to print problems: text, a JSON list, or GitHub workflow annotations.")
def check(path: str, strict: bool, fmt: str) -> None:
    """Check the project in PATH (default: here) and report every problem with its file and line."""
    from .pipeline import check as run_check

    root = _project_root(path)
    project, problems = run_check(root)
    strict = strict or bool(project and project.config.strict)
    print_problems(problems, fmt, strict)
    if problems.failed(strict):
        sys.exit(1)
    if fmt == "text":
        n = len(project.journeys) if project else 0
        click.echo(f"OK: {n} journeys, {len(project.personas)} personas, {len(project.playbooks)} playbooks, "
                   f"{len(project.pages)} pages checked" + (f", {len(problems.warnings)} warnings" if problems.warnings else ""), err=True)


@main.command()
@click.argument("kind", required=False, type=click.Choice(sorted(KIND_MODELS)))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Write <kind>.schema.json files into this folder.")
def schema(kind: str | None, out_dir: str | None) -> None:
    """Print the JSON Schema of a file kind (site, journey, persona, playbook, page) for editors."""
    if out_dir is None:
        if kind is None:
            raise click.UsageError("name a kind (site, journey, persona, playbook, page) or give --out FOLDER for all")
        click.echo(schema_text(kind), nl=False)
        return
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for k in [kind] if kind else sorted(KIND_MODELS):
        (folder / f"{k}.schema.json").write_text(schema_text(k), encoding="utf-8")
        click.echo(f"wrote {folder / (k + '.schema.json')}", err=True)
