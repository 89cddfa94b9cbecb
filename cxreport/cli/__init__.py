"""The command line: the cxreport group, and one module per command (check, build, schema, serve, pdf, diff,
new, export/import mermaid) that turns the domain modules' results and errors into output and exit codes."""

from __future__ import annotations

import os
import sys

import click

from cxreport import __version__
from cxreport.cli import finish
from cxreport.cli.build import build as build_command
from cxreport.cli.check import check as check_command
from cxreport.cli.diff import diff_command
from cxreport.cli.mermaid import export_group, import_group
from cxreport.cli.new import new_command
from cxreport.cli.pdf import pdf_command
from cxreport.cli.schema import schema as schema_command
from cxreport.cli.serve import serve_command


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


def run() -> None:
    """The cxreport command (console script and python -m cxreport)."""
    finish.AS_COMMAND = True
    main()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cxreport")
def main() -> None:
    """cxreport: customer-experience journey maps and playbooks, checked and built into a site."""


for _command in (
    check_command,
    build_command,
    schema_command,
    diff_command,
    export_group,
    import_group,
    new_command,
    pdf_command,
    serve_command,
):
    main.add_command(_command)
