"""What every command shares: the project folder a PATH argument names, and problems printed in a chosen format."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import click

from cxreport.problems import Problems


def project_root(path: str) -> Path:
    """Give the project folder PATH names (a folder, or its site.yml); a usage error when it names no folder."""
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
        click.echo(
            f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"
            + (" (warnings count as errors: strict)" if strict and w else ""),
            err=True,
        )


def fail(message: str, hint: str = "", code: int = 1, prefix: str = "cxreport: error: ") -> NoReturn:
    """Print an error the user can act on (and its hint) and end the command with code."""
    click.echo(f"{prefix}{message}" + (f"\n  hint: {hint}" if hint else ""), err=True)
    raise SystemExit(code)


def shown_path(path: str | os.PathLike[str]) -> str:
    """Give a path relative to here when it can be, else as it is (another drive on Windows)."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
