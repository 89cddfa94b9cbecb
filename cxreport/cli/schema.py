"""cxreport schema: the JSON Schema of a file kind, printed or written for editors."""

from __future__ import annotations

from pathlib import Path

import click

from cxreport.schema import KIND_MODELS, schema_text


@click.command()
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
