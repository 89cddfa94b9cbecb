"""cxreport pdf: the report printed as one PDF; the build's problems and a missing Chromium said plainly."""

from __future__ import annotations

from pathlib import Path

import click

from cxreport.cli.output import counted, print_problems, project_root, shown_path
from cxreport.pdf import BuildFailed, PdfError, make_pdf
from cxreport.render.write import OutputFolderError


@click.command("pdf")
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="The PDF to write (default: <site title>.pdf in PATH).")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
def pdf_command(path: str, out_file: str | None, quiet: bool) -> None:
    """Print the report of the project in PATH as one PDF (A4 landscape) with headless Chromium."""
    root = project_root(path)

    def say(text: str) -> None:
        if not quiet:
            click.echo(f"cxreport pdf: {text}", err=True)

    try:
        result = make_pdf(root, Path(out_file) if out_file else None, echo=say)
    except BuildFailed as failed:
        print_problems(failed.result.problems, "text", failed.result.strict)
        raise click.ClickException("no PDF was made; fix the problems above and try again") from None
    except (PdfError, OutputFolderError) as exc:
        raise click.ClickException(str(exc)) from None
    if result.problems is not None and result.problems.warnings:
        print_problems(result.problems, "text", False)
    if not quiet:
        click.echo(f"Printed {counted(result.pages, 'page')} in {result.seconds:.1f} s -> {shown_path(result.path)}", err=True)
