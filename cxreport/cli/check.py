"""cxreport check: every problem of a project with its file and line, in text, JSON or GitHub annotations."""

from __future__ import annotations

import sys

import click

from cxreport.cli.output import counted, print_problems, project_root
from cxreport.loader import Project
from cxreport.metrics.redact import KINDS, Redactions
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
@click.option("-q", "--quiet", is_flag=True, help="Print only problems: no summary line.")
def check(path: str, strict: bool, fmt: str, quiet: bool) -> None:
    """Check the project in PATH (default: here) and report every problem with its file and line."""
    root = project_root(path)
    redactions = Redactions()
    project, problems = run_check(root, redactions)
    strict = strict or bool(project and project.config.strict)
    print_problems(problems, fmt, strict, root)
    if problems.failed(strict):
        sys.exit(1)
    if fmt == "text" and project is not None and not quiet:
        click.echo(_summary(project, len(problems.warnings)), err=True)
        if redactions.comments:
            click.echo(_redacted(redactions), err=True)


def _summary(project: Project, warnings: int) -> str:
    """Give the line a clean check ends with: what was checked, and how many warnings there were."""
    counts = [
        counted(len(project.journeys), "journey"),
        counted(len(project.personas), "persona"),
        counted(len(project.playbooks), "playbook"),
        counted(len(project.pages), "page"),
    ]
    return f"OK: {', '.join(counts)} checked" + (f", {counted(warnings, 'warning')}" if warnings else "")


KIND_WORDS = {
    "e-mail": "an e-mail address",
    "phone": "a phone number",
    "iban": "an IBAN",
    "postcode": "a postcode",
    "name": "a name",
}


def _redacted(r: Redactions) -> str:
    """Give the line on the comments: how many were read, how many redacted and of which kind (never the values)."""
    line = f"Comments: {counted(r.comments, 'comment')} read, {r.redacted} of them redacted before publishing"
    kinds = [f"{r.kinds[k]} with {KIND_WORDS[k]}" for k in KINDS if r.kinds.get(k)]
    return line + (f": {', '.join(kinds)}" if kinds else "")
