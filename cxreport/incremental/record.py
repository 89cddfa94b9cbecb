"""The dependency record: what the last build read, which content keys each page showed, and what it wrote.

It lives in the project's cache folder (.cxreport-cache/builds/), one per output folder. The next build
compares the project's files with it: when nothing changed and the output is as it was left, nothing is
done; otherwise only the pages whose keys (cxreport.incremental.keys) changed are made again. Anything the record
cannot vouch for — another layout, another cxreport, a damaged or missing file, an output changed by hand —
means a full build, never a wrong site.

Each file is hashed once and then trusted by its stamp (cxreport.fingerprints: size, time stamps and inode,
hashed late enough after its last change); a file changed since, or too recently to tell, is hashed again. So
a rebuild of a large handbook reads only the files that changed, not all of them.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import json
import os
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..fingerprints import UNREADABLE, Stamp, stat_of
from ..limits import open_regular
from ..loader import inside
from ..problems import Problem
from ..render.write import KEEP_NAMES, MARKER

LAYOUT = 1


def record_file(cache_dir: Path, out: Path) -> Path:
    """Give where the record of builds into out is kept."""
    name = hashlib.sha1(str(out.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:20]
    return cache_dir / "builds" / f"{name}.json"


@functools.lru_cache(maxsize=1)
def code_key() -> str:
    """Give a digest of cxreport's own code and the versions of what draws the pages: a new one makes every page anew."""
    package = Path(__file__).resolve().parent.parent  # all of cxreport
    parts: list[Any] = [LAYOUT, __version__, sys.version]
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".html", ".json", ".css", ".js"):
            st = path.stat()
            parts.append((path.relative_to(package).as_posix(), st.st_size, st.st_mtime_ns))
    for dist in ("jinja2", "markdown", "nh3", "plotly", "pydantic", "duckdb", "markupsafe"):
        try:
            parts.append((dist, importlib.metadata.version(dist)))
        except importlib.metadata.PackageNotFoundError:
            parts.append((dist, None))
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


class OutsideLink(type(Path())):  # type: ignore[misc]
    """A project file that is a link to a place outside the project: never read, known by where it points."""


def input_files(root: Path, theme_dirs: Iterable[Path]) -> dict[str, str | OutsideLink]:
    """Give every file a build may read, by a stable name: site.yml, content/**, the project's themes and the built-in one.

    Folders are walked as os.walk does (sorted, links to folders listed but not entered); a project file that is
    a link leading out of the project is given as an OutsideLink, every other file as its path (a string).
    """
    found: dict[str, str | OutsideLink] = {}
    site = os.path.join(root, "site.yml")
    if os.path.isfile(site):
        found["site.yml"] = site
    for base, prefix in [(root / "content", "content/"), (root / "themes", "themes/")] + [
        (Path(d), f"theme:{i}/") for i, d in enumerate(theme_dirs)
    ]:
        if not base.is_dir():
            continue
        own = prefix.endswith("/") and not prefix.startswith("theme:")
        walked_inside = own and inside(base, root)  # os.walk does not enter linked folders: only linked files can lead out
        _walk(str(base), prefix, own, walked_inside, root, found)
    return found


def _walk(folder: str, prefix: str, own: bool, walked_inside: bool, root: Path, found: dict) -> None:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    dirs = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            dirs.append(entry)
            continue
        path: str | OutsideLink = entry.path
        if (
            own and (not walked_inside or entry.is_symlink()) and not inside(Path(path), root)
        ):  # checking refuses it; hashing it would read it
            path = OutsideLink(path)
        found[prefix + entry.name] = path
    for entry in dirs:
        try:
            if entry.is_symlink():
                continue  # listed by os.walk, never entered
        except OSError:
            continue
        _walk(entry.path, f"{prefix}{entry.name}/", own, walked_inside, root, found)


def _hash(path: str | Path) -> str:
    if isinstance(path, OutsideLink):
        return "link:" + hashlib.sha256(os.fsencode(os.readlink(path)) if path.is_symlink() else b"").hexdigest()
    with os.fdopen(open_regular(path), "rb") as f:  # a named pipe is never read: it could block for ever
        return hashlib.file_digest(f, "sha256").hexdigest()


def fingerprint(files: Mapping[str, str | Path], known: Mapping[str, Stamp] | None = None) -> dict[str, Stamp]:
    """Give each file's Stamp; an unreadable file gets one with a sha of None.

    A file whose known stamp still vouches for it (fingerprints.Stamp.vouches_for) keeps it; any other is hashed
    (a link leading out of the project always: its stamps are its target's).
    """
    known = known or {}
    out: dict[str, Stamp] = {}
    for name, path in files.items():
        try:
            st = os.stat(path)
            before = known.get(name)
            if before is not None and before.vouches_for(st) and not isinstance(path, OutsideLink):
                out[name] = before
            else:
                out[name] = Stamp(*stat_of(st), _hash(path), time.time_ns())
        except OSError:
            out[name] = UNREADABLE
    return out


def same_inputs(a: Mapping[str, Stamp], b: Mapping[str, Stamp]) -> bool:
    """Tell whether two fingerprints name the same files with the same contents."""
    return a.keys() == b.keys() and all(a[k].sha is not None and a[k].sha == b[k].sha for k in a)


def output_stats(out: Path, paths: Iterable[str]) -> dict[str, list]:
    """Give [size, mtime_ns, inode] of each written file; a missing file gets None."""
    stats: dict[str, list] = {}
    base = str(out)
    for rel in paths:
        try:
            st = os.stat(os.path.join(base, rel))
            stats[rel] = [st.st_size, st.st_mtime_ns, st.st_ino]
        except OSError:
            stats[rel] = None  # type: ignore[assignment]
    return stats


def output_files(out: Path) -> set[str] | None:
    """Give the files of an output folder (hidden ones and the ones kept across builds aside), or None without one."""

    if not (out / MARKER).is_file():
        return None
    found: set[str] = set()
    for folder, dirs, files in os.walk(out):
        rel = Path(folder).relative_to(out).as_posix()
        if rel == ".":
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            files = [f for f in files if not f.startswith(".") and f not in KEEP_NAMES]
        for name in files:
            found.add(name if rel == "." else f"{rel}/{name}")
    return found


def problem_row(p: Problem) -> list:
    return [p.path, p.line, p.col, p.severity, p.message, p.hint, p.code]


def problem_of(row: list) -> Problem:
    return Problem(*row)


@dataclass
class Record:
    """What a build leaves for the next one (see the module's docstring)."""

    code: str
    options: dict
    inputs: dict[str, Stamp]
    site: str  # the digest of everything every page depends on
    keys: dict[str, str]  # content key -> digest
    pages: dict[str, list]  # page path -> [problem rows, draws charts]
    outputs: dict[str, list]  # every written file -> [size, mtime_ns, inode]
    problems: list[list]  # every problem of the build
    summary: dict  # pages, figures, files
    entries: dict[str, list] = field(default_factory=dict)  # page path -> search entries (kept in a file beside)

    def to_json(self) -> str:
        data = {k: v for k, v in vars(self).items() if k != "entries"}
        data["layout"] = LAYOUT
        return json.dumps(data, separators=(",", ":"))  # ASCII: a lone surrogate in content is written as an escape

    @classmethod
    def load(cls, path: Path, with_entries: bool = True) -> Record | None:
        """Give the record kept at path, or None when there is none or it cannot be trusted."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.pop("layout", None) != LAYOUT:
                return None
            record = cls(**data)
            if not isinstance(record.inputs, dict):
                return None
            record.inputs = {name: Stamp.of(row) for name, row in record.inputs.items()}
            if not all(
                isinstance(getattr(record, k), dict) for k in ("options", "inputs", "keys", "pages", "outputs", "summary")
            ):
                return None
            if with_entries:
                record.load_entries(path)
            return record
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def load_entries(self, path: Path) -> bool:
        try:
            entries = json.loads(_entries_file(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if not isinstance(entries, dict) or entries.keys() != self.pages.keys():
            return False
        self.entries = entries
        return True

    def save(self, path: Path) -> None:
        """Keep the record (best effort: a cache that cannot be written never fails a build)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            ignore = path.parent.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# cxreport's cache: safe to delete\n*\n", encoding="utf-8")
            for target, text in ((_entries_file(path), json.dumps(self.entries, separators=(",", ":"))), (path, self.to_json())):
                tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
                try:
                    tmp.write_text(text, encoding="utf-8")
                    os.replace(tmp, target)
                finally:
                    with contextlib.suppress(OSError):
                        tmp.unlink(missing_ok=True)  # a full disk leaves no half-written file behind
        except (OSError, ValueError):
            pass

    @staticmethod
    def forget(path: Path) -> None:
        for p in (path, _entries_file(path)):
            with contextlib.suppress(OSError):
                p.unlink()


def _entries_file(path: Path) -> Path:
    return path.with_name(path.stem + ".entries.json")
