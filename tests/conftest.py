"""Shared fixtures: small projects written into a temporary folder."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

MINIMAL_SITE = "title: Test\nlanguage: en\n"
MINIMAL_PERSONA = "name: Parent\nsegment: parents\n"
MINIMAL_JOURNEY = """\
title: First order
persona: parent
stages:
  - stage: attention
    touchpoints:
      - id: ad
        name: Advert
        feeling: {score: 1, label: curious}
  - stage: action
    touchpoints:
      - id: checkout
        name: Checkout
        feeling: -1
"""


def write_project(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write files (path -> text or bytes; text is dedented) under root and give root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@pytest.fixture
def make_project(tmp_path):
    """Give a function that writes a project into tmp_path; `minimal=True` adds a valid base."""

    def make(files: dict[str, str | bytes] | None = None, minimal: bool = True) -> Path:
        base: dict[str, str | bytes] = {}
        if minimal:
            base = {
                "site.yml": MINIMAL_SITE,
                "content/personas/parent.yml": MINIMAL_PERSONA,
                "content/journeys/first-order.yml": MINIMAL_JOURNEY,
            }
        base.update(files or {})
        return write_project(tmp_path, base)

    return make
