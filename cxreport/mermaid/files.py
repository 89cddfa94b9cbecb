"""Files written by export and import: a new file never replaces one; a replaced file is swapped in whole."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_new(path: Path, text: str) -> None:
    """Write text into a new file; raise FileExistsError rather than replace one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_replacing(path: Path, text: str) -> None:
    """Write text into path through a temporary file beside it, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
