"""What every command shares: the project folder a PATH argument names, and problems printed in a chosen format."""

from __future__ import annotations

import dataclasses
import os
import re
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


def counted(n: int, noun: str, plural: str = "") -> str:
    """Give a count with its noun in the singular or plural: 1 journey, 2 journeys, 0 pages."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def print_problems(problems: Problems, fmt: str, strict: bool, root: Path | None = None) -> None:
    """Print problems in the chosen format: text (stderr), json or github (stdout).

    GitHub places an annotation by its path from the repository root, so with root (the project folder) the
    github format names each file from there (annotation_base); text and json name it from the project.
    """
    items = problems.sorted()
    if fmt == "json":
        click.echo(problems.as_json())
        return
    if fmt == "github":
        prefix = _prefix(root, annotation_base(root)) if root is not None else ""
        for p in items:
            click.echo((dataclasses.replace(p, path=prefix + p.path) if prefix and not _absolute(p.path) else p).as_github())
        return
    for p in items:
        click.echo(p.format(), err=True)
    if items:
        e, w = len(problems.errors), len(problems.warnings)
        click.echo(
            f"{counted(e, 'error')}, {counted(w, 'warning')}" + (" (warnings count as errors: strict)" if strict and w else ""),
            err=True,
        )


def annotation_base(root: Path) -> Path:
    """Give the folder an annotation's path starts from: the git repository holding the project, else the
    working directory when the project is inside it, else the project folder itself."""
    project = root.resolve()
    for folder in (project, *project.parents):
        if (folder / ".git").exists():
            return folder
    here = Path.cwd().resolve()
    return here if project == here or here in project.parents else project


def _prefix(root: Path, base: Path) -> str:
    """Give the path from base to the project folder, with forward slashes and a slash at the end ('' for none)."""
    rel = root.resolve().relative_to(base).as_posix()
    return "" if rel == "." else rel + "/"


def _absolute(path: str) -> bool:
    return path.startswith("/") or bool(re.match(r"^[A-Za-z]:[\\/]", path))


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
