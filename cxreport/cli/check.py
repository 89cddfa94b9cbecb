"""cxreport check: every problem of a project with its file and line, in text, JSON or GitHub annotations."""

from __future__ import annotations

import sys

import click

from cxreport.cli.output import print_problems, project_root
from cxreport.pipeline import check as run_check


@click.command()
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="How to print problems: text, a JSON list, or GitHub workflow annotations.",
)
def check(path: str, strict: bool, fmt: str) -> None:
    """Check the project in PATH (default: here) and report every problem with its file and line."""
    root = project_root(path)
    project, problems = run_check(root)
    strict = strict or bool(project and project.config.strict)
    print_problems(problems, fmt, strict)
    if problems.failed(strict):
        sys.exit(1)
    if fmt == "text" and project is not None:
        click.echo(
            f"OK: {len(project.journeys)} journeys, {len(project.personas)} personas, {len(project.playbooks)} playbooks, "
            f"{len(project.pages)} pages checked" + (f", {len(problems.warnings)} warnings" if problems.warnings else ""),
            err=True,
        )
