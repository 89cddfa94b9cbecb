"""JSON Schemas of each file kind, from the same models that validate them (for editors)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter

from . import model as m

KIND_MODELS: dict[str, Any] = {  # a model class, or the annotated union of the playbook types
    "site": m.SiteConfig,
    "journey": m.Journey,
    "persona": m.Persona,
    "playbook": m.Playbook,
    "page": m.Page,
}
TITLES = {
    "site": "cxreport site.yml",
    "journey": "cxreport journey map (content/journeys/*.yml)",
    "persona": "cxreport persona (content/personas/*.yml)",
    "playbook": "cxreport playbook front matter (content/playbooks/*.md)",
    "page": "cxreport page front matter (content/pages/*.md)",
}


def _drop_internal(node: Any) -> None:
    """Remove what a file never holds: the Markdown body, and 'id' as a required field (the file name gives it)."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            props.pop("body", None)
        req = node.get("required")
        if isinstance(req, list) and "id" in req and "title" in (props or {}):
            req.remove("id")
        for value in node.values():
            _drop_internal(value)
    elif isinstance(node, list):
        for value in node:
            _drop_internal(value)


def json_schema(kind: str) -> dict:
    """Give the JSON Schema of one file kind."""
    schema = TypeAdapter(KIND_MODELS[kind]).json_schema()
    _drop_internal(schema)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": TITLES[kind]}
    return schema


def schema_text(kind: str) -> str:
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
