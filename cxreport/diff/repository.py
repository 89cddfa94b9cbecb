"""Git, called safely: the repository holding a project, its revisions, and a project written out at a commit.

Git is only ever called with an argument list; revisions are verified before use and never allowed to look
like options. Every failure is a DiffError with a message and a hint.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

PROJECT_PARTS = ("site.yml", "content", "themes")


class DiffError(Exception):
    """A failure the user can act on: printed as one clear message, never a traceback."""

    def __init__(self, message: str, hint: str = "", exit_code: int = 1, lines: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code
        self.lines = list(lines)


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    # The folder given with --path decides the repository, not variables left by a hook.
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_NAMESPACE"):
        env.pop(name, None)
    env.update({"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_PAGER": "cat"})
    return env


def git(args: list[str], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """Give the finished git process (bytes out); raise DiffError when git cannot be run at all."""
    cmd = ["git", "-c", "core.fsmonitor=false", "-c", "core.quotepath=off", "--literal-pathspecs", *args]
    try:
        return subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True, env=_git_env(), check=False)
    except FileNotFoundError:
        raise DiffError(
            "git is not installed (or not on PATH); cxreport diff needs git",
            "install git, e.g. 'apt-get install git' or from https://git-scm.com",
        ) from None
    except OSError as exc:
        raise DiffError(f"could not run git: {exc.strerror or exc}") from None


def _first_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else ""


def check_revision(rev: str) -> None:
    """Refuse a revision that git could take for an option (a usage error, before git runs)."""
    if rev == "":
        raise DiffError("a revision may not be empty", "name a commit, branch or tag, e.g. HEAD~1 or main", exit_code=2)
    if rev.startswith("-"):
        raise DiffError(
            f"revision '{rev}' starts with '-' and would be read as an option; refused",
            "name a commit, branch or tag, e.g. HEAD~1 or main",
            exit_code=2,
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in rev):  # git refuses them in names; never echo them to a terminal
        raise DiffError("a revision may not contain control characters", exit_code=2)


@dataclass(frozen=True)
class Repository:
    """The git repository that holds the project, and the project's folder inside it."""

    top: Path
    prefix: str  # the project's folder relative to top, '' or ending in '/'

    @classmethod
    def of(cls, folder: Path) -> Repository:
        """Give the repository holding folder, or raise DiffError if there is none."""
        done = git(["rev-parse", "--show-toplevel", "--show-prefix"], folder)
        if done.returncode != 0:
            reason = _first_line(done.stderr)
            raise DiffError(
                f"'{folder}' is not inside a git repository" + (f" (git: {reason})" if reason else ""),
                "run cxreport diff in a clone of the handbook's repository, or give --path",
            )
        lines = os.fsdecode(done.stdout).split("\n")
        return cls(Path(lines[0]), lines[1] if len(lines) > 1 else "")

    def resolve(self, rev: str) -> str:
        """Give the commit id a revision names, or raise DiffError saying why there is none."""
        check_revision(rev)
        done = git(["rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"], self.top)
        sha = done.stdout.decode("ascii", "replace").strip()
        if done.returncode == 0 and sha:
            return sha
        shallow = git(["rev-parse", "--is-shallow-repository"], self.top).stdout.strip() == b"true"
        if shallow:
            raise DiffError(
                f"revision '{rev}' is not in this clone's history: the repository is shallow",
                "fetch the history with 'git fetch --unshallow' (in GitHub Actions: actions/checkout with 'fetch-depth: 0')",
            )
        if git(["rev-parse", "--verify", "--quiet", "HEAD"], self.top).returncode != 0:
            raise DiffError(f"unknown revision '{rev}': the repository has no commits yet", "commit the handbook first")
        raise DiffError(
            f"unknown revision '{rev}': no commit of that name in this repository",
            "name a commit, branch or tag, e.g. HEAD~1, main or a commit id ('git log --oneline' lists them)",
        )

    def materialise(self, sha: str, dest: Path) -> list[str]:
        """Write the project's files (site.yml, content/, themes/) at a commit into dest; give skipped paths."""
        paths = [self.prefix + part for part in PROJECT_PARTS]
        listing = git(["ls-tree", "-r", "-z", "--full-tree", sha, "--", *paths], self.top)
        if listing.returncode != 0:
            raise DiffError(f"git could not list the files of commit {sha[:12]}: {_first_line(listing.stderr)}")
        entries = []
        for raw in listing.stdout.split(b"\x00"):
            if not raw:
                continue
            meta, _, name = raw.partition(b"\t")
            mode, kind, oid = meta.split(b" ")
            if kind != b"blob":
                continue  # submodules
            entries.append((mode, oid, os.fsdecode(name)))
        blobs = self._blobs([oid for _, oid, _ in entries])
        skipped = []
        for (mode, _oid, name), data in zip(entries, blobs, strict=False):
            rel = name.removeprefix(self.prefix)
            parts = PurePosixPath(rel).parts
            if not parts or any(p in ("", ".", "..", ".git") for p in parts) or rel.startswith("/"):
                skipped.append(rel)
                continue
            target = dest.joinpath(*parts)
            if not target.parent.resolve().is_relative_to(dest.resolve()):  # never write through a link
                skipped.append(rel)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if mode == b"120000":
                try:
                    os.symlink(os.fsdecode(data), target)
                except OSError:
                    skipped.append(rel)
            else:
                target.write_bytes(data)
        return skipped

    def _blobs(self, oids: list[bytes]) -> list[bytes]:
        """Give the contents of blobs, read with one 'git cat-file --batch'."""
        if not oids:
            return []
        done = git(["cat-file", "--batch"], self.top, stdin=b"\n".join(oids) + b"\n")
        if done.returncode != 0:
            raise DiffError(f"git could not read files: {_first_line(done.stderr)}")
        out, pos, blobs = done.stdout, 0, []
        for oid in oids:
            eol = out.index(b"\n", pos)
            header = out[pos:eol].split(b" ")
            if len(header) != 3:  # '<oid> missing': e.g. a partial clone that cannot fetch it
                raise DiffError(
                    f"git could not read object {oid.decode('ascii', 'replace')}: it is missing from this clone",
                    "fetch the full history (git fetch --refetch, or clone without --filter)",
                )
            size = int(header[2])
            blobs.append(out[eol + 1 : eol + 1 + size])
            pos = eol + 1 + size + 1
        return blobs

    def renames(self, sha_a: str, sha_b: str | None) -> list[tuple[str, str]]:
        """Give (old path, new path) pairs git's rename detection finds under content/, relative to the project."""
        args = ["diff", "-M", "-z", "--name-status", "--no-ext-diff", sha_a]
        if sha_b:
            args.append(sha_b)
        done = git([*args, "--", self.prefix + "content"], self.top)
        if done.returncode != 0:
            return []  # rename detection only improves the report; content comparison still works
        fields = [os.fsdecode(f) for f in done.stdout.split(b"\x00")]
        pairs, i = [], 0
        while i < len(fields) and fields[i]:
            status = fields[i]
            if status[:1] in ("R", "C"):
                old, new = fields[i + 1], fields[i + 2]
                if status[:1] == "R":
                    pairs.append((old[len(self.prefix) :], new[len(self.prefix) :]))
                i += 3
            else:
                i += 2
        return pairs
