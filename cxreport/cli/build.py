"""cxreport build: the site written atomically, with progress on a terminal and a one-line summary."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import ClassVar, NoReturn

import click

from cxreport.cli.finish import leave
from cxreport.cli.output import counted, print_problems, project_root, shown_path
from cxreport.incremental.session import Build, Session
from cxreport.render.write import OutputFolderError


class TerminalProgress:
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


def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt


def _summary(result: Build) -> str:
    w = len(result.problems.warnings)
    how = (
        " (nothing changed)"
        if result.unchanged
        else f" ({result.made} made anew, the rest kept)"
        if result.made < result.pages
        else ""
    )
    return (
        f"Built {counted(result.pages, 'page')}, {counted(result.figures, 'figure')}, {counted(w, 'warning')} "
        f"in {result.seconds:.1f} s{how} -> {shown_path(result.out)}"
    )


@click.command()
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Folder to write the site into (default: PATH/output).")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems: no progress, no summary.")
@click.option("--stamp", is_flag=True, help="Print the build time on the pages (off by default, so builds are byte-identical).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--full", is_flag=True, help="Make every page again, whatever the last build's record says.")
@click.option("--refresh", is_flag=True, help="Fetch every warehouse metric again, however fresh its cached figures are.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 512),
    default=None,
    help="Processes drawing the pages of a large site (default: one per core).",
)
def build(
    path: str, out_dir: str | None, quiet: bool, stamp: bool, strict: bool, full: bool, refresh: bool, jobs: int | None
) -> None:
    """Build the site of the project in PATH into output/ (or --out), atomically: all or nothing.

    Only the pages whose content changed since the last build are made again (--full makes them all).
    """
    if out_dir is not None and not out_dir.strip():  # an unset variable in a script: never guess a folder
        raise click.UsageError("--out is empty: name the folder to write the site into, or leave --out out for PATH/output")
    root = project_root(path)
    tty = sys.stderr.isatty() and not quiet
    progress = TerminalProgress() if tty else None
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        session = Session(
            root, Path(out_dir) if out_dir else None, stamp=stamp, strict=strict, full=full, jobs=jobs, refresh=refresh
        )
        result = session.kept_build()
        if result is None:
            import cxreport.pipeline  # the stages load DuckDB, Jinja2 and Markdown (0.2 s): only for a build with work

            result = cxreport.pipeline.build(root, progress=progress, session=session)
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
        click.echo(_summary(result), err=True)
    leave()
