"""The command line: the cxreport group, and one module per command (check, build, schema, serve, pdf, diff,
new, export/import mermaid) that turns the domain modules' results and errors into output and exit codes."""

from __future__ import annotations

import importlib
import os
import sys

import click

from cxreport import __version__
from cxreport.cli import finish

# Each command's module, loaded when the command runs (click's lazy subcommands): `cxreport build` with nothing
# changed loads neither the server, git, Playwright nor the pipeline's stages.
COMMANDS = {
    "build": "cxreport.cli.build:build",
    "check": "cxreport.cli.check:check",
    "diff": "cxreport.cli.diff:diff_command",
    "export": "cxreport.cli.mermaid:export_group",
    "import": "cxreport.cli.mermaid:import_group",
    "new": "cxreport.cli.new:new_command",
    "pdf": "cxreport.cli.pdf:pdf_command",
    "schema": "cxreport.cli.schema:schema",
    "serve": "cxreport.cli.serve:serve_command",
}


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command)
        return command

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
