"""cxreport diff: what changed in the handbook between two revisions, as text, Markdown or JSON."""

from __future__ import annotations

from pathlib import Path

import click

from cxreport.cli.output import fail
from cxreport.diff import RENDERERS, DiffError, compare_revisions


@click.command("diff")
@click.argument("rev_a", required=False, default="HEAD", metavar="[REV_A]")
@click.argument("rev_b", required=False, metavar="[REV_B]")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(RENDERERS)),
    default="text",
    show_default=True,
    help="text for a terminal, markdown for a pull-request comment, json for tools.",
)
@click.option(
    "--path",
    "path",
    default=".",
    type=click.Path(),
    show_default=True,
    help="The project folder (the one holding site.yml) inside a git repository.",
)
def diff_command(rev_a: str, rev_b: str | None, fmt: str, path: str) -> None:
    """Show what changed in the handbook between REV_A (default HEAD) and REV_B (default: the working tree)."""
    folder = Path(path)
    if folder.name == "site.yml" and folder.is_file():
        folder = folder.parent
    try:
        comparison = compare_revisions(folder, rev_a, rev_b)
    except DiffError as exc:
        if exc.exit_code == 2:
            raise click.UsageError(exc.message + (f" ({exc.hint})" if exc.hint else "")) from None
        for line in exc.lines:
            click.echo(line, err=True)
        fail(exc.message, exc.hint, exc.exit_code, prefix="cxreport diff: error: ")
    click.echo(RENDERERS[fmt](comparison), nl=False)
