"""diff: what changed in the handbook between two git revisions, in CX words (see docs/review.md).

The pipeline: resolve each revision with git (repository) -> materialise it into a temporary folder
-> check it like any project -> compare the two Projects (compare) -> render text, Markdown or JSON (render).
"""

from .compare import Change, Comparison, Side, compare_revisions, field_changes, load_side, text_change
from .render import RENDERERS, render_json, render_markdown, render_text, show
from .repository import DiffError, Repository, check_revision, git

__all__ = [
    "RENDERERS",
    "Change",
    "Comparison",
    "DiffError",
    "Repository",
    "Side",
    "check_revision",
    "compare_revisions",
    "field_changes",
    "git",
    "load_side",
    "render_json",
    "render_markdown",
    "render_text",
    "show",
    "text_change",
]
