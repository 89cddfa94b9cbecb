"""new: a small, valid starting project, rendered beside its folder and moved into place at the end.

The starter files live in cxreport/starter/<language>/. A name starting with `dot-` is written
with a `.` instead (`dot-gitignore` -> `.gitignore`), so packaging never drops a hidden file.
The editor schemas in `.schemas/` are generated from the models at the time `new` runs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from .schema import KIND_MODELS, schema_text

LANGUAGES = ("en", "nl")
SKIP = {"__pycache__", ".DS_Store"}


class ScaffoldError(Exception):
    """A folder `new` cannot write into."""


def starter_files(language: str) -> dict[str, bytes]:
    """Give the starter project's files (relative path -> bytes) for a language, schemas included."""
    files: dict[str, bytes] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for entry in sorted(node.iterdir(), key=lambda e: e.name):
            if entry.name in SKIP:
                continue
            name = "." + entry.name[4:] if entry.name.startswith("dot-") else entry.name
            if entry.is_dir():
                walk(entry, f"{prefix}{name}/")
            else:
                files[prefix + name] = entry.read_bytes()

    walk(resources.files("cxreport").joinpath("starter", language), "")
    for kind in sorted(KIND_MODELS):
        files[f".schemas/{kind}.schema.json"] = schema_text(kind).encode("utf-8")
    return dict(sorted(files.items()))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def create_project(target: Path, language: str) -> list[str]:
    """Write a new project into target (absent or empty); give the files written. Nothing is left behind on failure."""
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"'{target}' is a file, not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise ScaffoldError(f"'{target}' is not empty; cxreport new only writes into a new or empty folder")
    files = starter_files(language)
    parent = target.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.cxreport-new-", dir=parent))
    try:
        for rel, data in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private; a project folder is not
        if target.is_dir():
            if any(target.iterdir()):  # filled while we were writing
                raise ScaffoldError(f"'{target}' is not empty; cxreport new only writes into a new or empty folder")
            for entry in sorted(staging.iterdir()):
                os.replace(entry, target / entry.name)
            staging.rmdir()
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return list(files)
