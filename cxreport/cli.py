"""The command line: check, build, schema (and serve, diff as they arrive)."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import ClassVar

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
        click.echo(
            f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"
            + (" (warnings count as errors: strict)" if strict and w else ""),
            err=True,
        )


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # a bug: say so plainly instead of a traceback
            if os.environ.get("CXREPORT_DEBUG"):
                raise
            click.echo(
                f"cxreport: internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in cxreport; run again with CXREPORT_DEBUG=1 for details and report it.",
                err=True,
            )
            sys.exit(1)


_AS_COMMAND = False  # set by run(): this process is the cxreport command itself, not a caller of main()


def run() -> None:
    """The cxreport command (console script and python -m cxreport)."""
    global _AS_COMMAND
    _AS_COMMAND = True
    main()


def _leave() -> None:
    """End the command at once after a build: the OS frees a large build's memory in one go, where Python would
    free its millions of objects one by one (a second at 1,000 journeys). Only as the command itself."""
    if _AS_COMMAND:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cxreport")
def main() -> None:
    """cxreport: customer-experience journey maps and playbooks, checked and built into a site."""


# The authoring loop's commands live in their own modules.
from .diff import diff_command
from .mermaid import export_group, import_group
from .pdf import pdf_command
from .scaffold import new_command
from .serve import serve_command

main.add_command(diff_command)
main.add_command(export_group)
main.add_command(import_group)
main.add_command(new_command)
main.add_command(pdf_command)
main.add_command(serve_command)


@main.command()
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
    from .pipeline import check as run_check

    root = _project_root(path)
    project, problems = run_check(root)
    strict = strict or bool(project and project.config.strict)
    print_problems(problems, fmt, strict)
    if problems.failed(strict):
        sys.exit(1)
    if fmt == "text":
        n = len(project.journeys) if project else 0
        click.echo(
            f"OK: {n} journeys, {len(project.personas)} personas, {len(project.playbooks)} playbooks, "
            f"{len(project.pages)} pages checked" + (f", {len(problems.warnings)} warnings" if problems.warnings else ""),
            err=True,
        )


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


class _TerminalProgress:
    """Progress on a terminal: the stage, and a bar over pages while rendering and files while writing."""

    LABELS: ClassVar[dict[str, str]] = {
        "load_sources": "reading content",
        "validate": "checking references",
        "join_metrics": "joining metrics",
        "compute_figures": "computing figures",
        "render": "rendering pages",
        "write": "writing files",
    }

    def __init__(self) -> None:
        self.name = ""
        self.index = 0
        self.last = 0.0

    def stage(self, name: str) -> None:
        self.name = name
        self.index += 1
        self._show(f"[{self.index}/6] {self.LABELS.get(name, name)}…")

    def advance(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done != total and now - self.last < 0.05:
            return
        self.last = now
        width = 24
        filled = int(width * done / total) if total else width
        self._show(
            f"[{self.index}/6] {self.LABELS.get(self.name, self.name)} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        )

    def _show(self, text: str) -> None:
        click.echo("\r\033[2K" + text, nl=False, err=True)

    def clear(self) -> None:
        click.echo("\r\033[2K", nl=False, err=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Folder to write the site into (default: PATH/output).")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems: no progress, no summary.")
@click.option("--stamp", is_flag=True, help="Print the build time on the pages (off by default, so builds are byte-identical).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--full", is_flag=True, help="Make every page again, whatever the last build's record says.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 512),
    default=None,
    help="Processes drawing the pages of a large site (default: one per core).",
)
def build(path: str, out_dir: str | None, quiet: bool, stamp: bool, strict: bool, full: bool, jobs: int | None) -> None:
    """Build the site of the project in PATH into output/ (or --out), atomically: all or nothing.

    Only the pages whose content changed since the last build are made again (--full makes them all).
    """
    from .pipeline import build as run_build
    from .render.write import OutputFolderError

    if out_dir is not None and not out_dir.strip():  # an unset variable in a script: never guess a folder
        raise click.UsageError("--out is empty: name the folder to write the site into, or leave --out out for PATH/output")
    root = _project_root(path)
    tty = sys.stderr.isatty() and not quiet
    progress = _TerminalProgress() if tty else None
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        result = run_build(
            root, Path(out_dir) if out_dir else None, stamp=stamp, strict=strict, progress=progress, full=full, jobs=jobs
        )
    except OutputFolderError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        if progress:
            progress.clear()
        click.echo("cxreport: build interrupted; the previous site is unchanged", err=True)
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if progress:
        progress.clear()
    print_problems(result.problems, "text", result.strict)
    if not result.written:
        click.echo("cxreport: nothing was written; fix the problems above and build again", err=True)
        sys.exit(1)
    if not quiet:
        w = len(result.problems.warnings)
        try:
            shown = os.path.relpath(result.out)
        except ValueError:
            shown = str(result.out)
        how = (
            " (nothing changed)"
            if result.unchanged
            else f" ({result.made} made anew, the rest kept)"
            if result.made < result.pages
            else ""
        )
        click.echo(
            f"Built {result.pages} pages, {result.figures} figures, {w} warning{'s' * (w != 1)} "
            f"in {result.seconds:.1f} s{how} -> {shown}",
            err=True,
        )
    _leave()
