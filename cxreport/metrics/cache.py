"""A cache of tallies, so an unchanged metric file is not read again on the next build.

An entry is keyed by the SHA-256 of the file's bytes, the parts of the declaration that
change how it is read, and the versions of cxreport and of the tally layout. Hashing a
large file takes longer than the rest of a warm build, so the hash of a file is remembered
with its stat fields and trusted by the rule of cxreport.fingerprints (unchanged size, time
stamps and inode, hashed late enough after the last change). A missing, unreadable,
truncated or foreign entry is rebuilt, never trusted. Entries are written under a
temporary name and moved into place, so a build that stops halfway leaves no half entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .. import __version__
from ..fingerprints import Stamp, hashed_late_enough, stat_of
from ..model import MetricSource
from .sql import lit, one_row

TALLY_LAYOUT = 5  # bump when the cached table's columns or meaning change
_READ_FIELDS = (
    *("file", "type", "columns", "period", "date_format", "delimiter", "decimal", "thousands", "encoding"),
    *("format", "sheet", "values", "missing", "at"),
)


def declaration_key(source: MetricSource) -> dict:
    """Give the parts of a metric's declaration that change its tally (a new label does not)."""
    data = source.model_dump(mode="json")
    return {k: data[k] for k in _READ_FIELDS}


@dataclass
class TallyCache:
    """Tallies stored as Parquet files in a folder of the project (.cxreport-cache/)."""

    folder: Path

    def __post_init__(self) -> None:
        try:  # best effort, as every write of the cache: one that cannot be written never fails a build
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                self._write(ignore, "# cxreport's cache: safe to delete\n*\n")
        except OSError:
            pass

    # -- keys -----------------------------------------------------------------------

    def _stat_file(self, path: Path) -> Path:
        return self.folder / "files" / (hashlib.sha1(str(path.resolve()).encode()).hexdigest() + ".json")

    def content_hash(self, path: Path, fingerprint: Stamp | None = None) -> str:
        """Give the SHA-256 of a file, from the remembered one when the file is surely unchanged.

        fingerprint: the build's Stamp of the file (record.fingerprint), trusted by the same rule as the cache's own
        record.
        """
        st = path.stat()
        stamp = list(stat_of(st))
        record = self._stat_file(path)
        try:
            known = json.loads(record.read_text(encoding="utf-8"))
            if known["stamp"] == stamp and hashed_late_enough(known["hashed_ns"], st.st_mtime_ns):
                return known["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        if fingerprint is not None and fingerprint.sha is not None and fingerprint.vouches_for(st):
            digest, hashed_ns = fingerprint.sha, fingerprint.hashed_ns
        else:
            hashed_ns = time.time_ns()
            with path.open("rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()
        self._write(record, json.dumps({"stamp": stamp, "hashed_ns": hashed_ns, "sha256": digest}))
        return digest

    def key(self, path: Path, source: MetricSource, fingerprint: Stamp | None = None) -> str:
        """Give the cache key of a metric file as declared (fingerprint: see content_hash)."""
        parts = {
            "sha256": self.content_hash(path, fingerprint),
            "declaration": declaration_key(source),
            "cxreport": __version__,
            "duckdb": duckdb.__version__,
            "tally": TALLY_LAYOUT,
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    # -- entries --------------------------------------------------------------------

    def _entry(self, key: str) -> tuple[Path, Path]:
        return self.folder / "tallies" / f"{key}.parquet", self.folder / "tallies" / f"{key}.json"

    def load(self, con: duckdb.DuckDBPyConnection, key: str, table: str, columns: list[str]) -> bool:
        """Create `table` from a cached tally; give False (and drop the entry) when it is missing or not trustworthy."""
        data, meta = self._entry(key)
        if not meta.is_file():
            return False
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            if info.get("key") != key or info.get("columns") != columns:
                raise ValueError("entry of another key")
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_parquet({lit(str(data))})")
            names = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            rows = one_row(con, f"SELECT count(*) FROM {table}")[0]
            if names != columns or rows != info.get("rows"):
                raise ValueError("entry does not match its description")
            return True
        except (OSError, ValueError, duckdb.Error):
            con.execute(f"DROP TABLE IF EXISTS {table}")
            for p in (meta, data):
                with contextlib.suppress(OSError):  # a cache that cannot be written keeps the entry, never trusted
                    p.unlink(missing_ok=True)
            return False

    def info(self, key: str) -> dict | None:
        """Give what was stored beside a cached tally (save's `extra`), or None when there is no such entry."""
        _, meta = self._entry(key)
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return info if isinstance(info, dict) and info.get("key") == key else None

    def save(
        self, con: duckdb.DuckDBPyConnection, key: str, table: str, columns: list[str], owner: str, extra: dict | None = None
    ) -> None:
        """Store a tally under its key and drop the entry its owner (file and metric) had before.

        Best effort: a cache that cannot be written never fails a build.
        """
        data, meta = self._entry(key)
        tmp = data.with_name(f".{data.name}.{os.getpid()}.tmp")
        try:
            data.parent.mkdir(parents=True, exist_ok=True)
            con.execute(f"COPY {table} TO {lit(str(tmp))} (FORMAT parquet)")
            rows = one_row(con, f"SELECT count(*) FROM {table}")[0]
            os.replace(tmp, data)
            self._write(meta, json.dumps({**(extra or {}), "key": key, "columns": columns, "rows": rows}))
            previous = self.folder / "files" / (hashlib.sha1(owner.encode()).hexdigest() + ".entry")
            try:
                old = previous.read_text(encoding="utf-8").strip()
            except OSError:
                old = ""
            if old and old != key:
                for p in self._entry(old):
                    p.unlink(missing_ok=True)
            self._write(previous, key)
        except (OSError, duckdb.Error):
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)  # a disk that filled up while writing leaves no half entry

    @staticmethod
    def _write(path: Path, text: str) -> None:
        """Write a cache file under a temporary name and move it into place; best effort, nothing half-written left."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
