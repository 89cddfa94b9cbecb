"""File stamps and digests: how a build knows a file is the one it read before without reading it again.

A file is hashed (SHA-256) once and then trusted by its size, time stamps (modification and change) and inode
while those stay the same and the file was already older than RACY_NS when it was hashed, as git's index does:
a file changed twice within one clock tick would otherwise go unnoticed. The dependency record
(cxreport.incremental.record) and the tally cache (cxreport.metrics.cache) both trust a hash by that rule.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any, NamedTuple

RACY_NS = 2_000_000_000  # a file hashed sooner than this after its last change is hashed again


class Stamp(NamedTuple):
    """What a build knows of one file: its stat fields, its SHA-256 (None: unreadable) and when that was taken.

    A tuple, so it is written to JSON as the list [size, mtime_ns, inode, ctime_ns, sha, hashed_ns].
    """

    size: int
    mtime_ns: int
    inode: int
    ctime_ns: int
    sha: str | None
    hashed_ns: int

    @classmethod
    def of(cls, row: Any) -> Stamp:
        """Give the stamp written as a JSON list (TypeError or ValueError when it is not one)."""
        if not isinstance(row, (list, tuple)) or len(row) != 6:
            raise ValueError(f"not a file stamp: {row!r}")
        return cls(*row)

    @property
    def stat(self) -> tuple[int, int, int, int]:
        """Give (size, mtime_ns, inode, ctime_ns): what must stay the same for the hash to hold."""
        return (self.size, self.mtime_ns, self.inode, self.ctime_ns)

    @property
    def content(self) -> tuple[int, int, int, int, str | None]:
        """Give the stamp without when it was hashed: equal for a file read once and not changed since."""
        return (self.size, self.mtime_ns, self.inode, self.ctime_ns, self.sha)

    def vouches_for(self, st: os.stat_result) -> bool:
        """Tell whether this stamp's hash still holds for a file that stats as st (see the module's docstring)."""
        return bool(self.sha) and self.stat == stat_of(st) and hashed_late_enough(self.hashed_ns, st.st_mtime_ns)


UNREADABLE = Stamp(0, 0, 0, 0, None, 0)


def stat_of(st: os.stat_result) -> tuple[int, int, int, int]:
    """Give (size, mtime_ns, inode, ctime_ns) of a file's stat."""
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def hashed_late_enough(hashed_ns: int, mtime_ns: int) -> bool:
    """Tell whether a hash taken at hashed_ns can be trusted for a file last modified at mtime_ns."""
    return hashed_ns - mtime_ns > RACY_NS


def digest(data: Any) -> str:
    """Give a short, stable digest of JSON-able data."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()  # lone surrogates too
