"""cxreport new: a small, valid starting project in a new or empty folder."""

from __future__ import annotations

from pathlib import Path

import click

from cxreport.cli.output import fail
from cxreport.scaffold import LANGUAGES, ScaffoldError, create_project


@click.command("new")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=True, dir_okay=True))
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of the example content and the site's labels.",
)
def new_command(directory: str, language: str) -> None:
    """Create a small, valid handbook in DIR (a new or empty folder) to start from."""
    target = Path(directory)
    try:
        files = create_project(target, language)
    except ScaffoldError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot create '{target}': {exc.strerror or exc}")
    click.echo(
        f"Created a new handbook in {target} ({len(files)} files). Next:\n"
        f"  cd {directory}\n  cxreport check --strict\n  cxreport build",
        err=True,
    )
