"""diff: what changed in the handbook between two git revisions, in CX words (see docs/review.md).

The pipeline: resolve each revision with git -> materialise it into a temporary folder
-> check it like any project -> compare the two Projects -> render text, Markdown or JSON.
Git is only ever called with an argument list; revisions are verified before use and
never allowed to look like options.
"""

from __future__ import annotations

import difflib
import html
import json
import os
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import click

from . import model as m
from .loader import Project, resolve_content_path
from .problems import Problems

FORMAT_VERSION = 1
WORKING_TREE = "working tree"
# Order in which kinds are listed everywhere (JSON records, summary, text and Markdown).
KINDS = ("journey", "stage", "touchpoint", "persona", "playbook", "page", "metric", "site")
ACTIONS = ("added", "removed", "renamed", "changed")
PLURAL = {
    "journey": "journeys",
    "stage": "stages",
    "touchpoint": "touchpoints",
    "persona": "personas",
    "playbook": "playbooks",
    "page": "pages",
    "metric": "metrics",
    "site": "site settings",
}
PROJECT_PARTS = ("site.yml", "content", "themes")


# --- git --------------------------------------------------------------------------


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
        for (mode, oid, name), data in zip(entries, blobs, strict=False):
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


# --- one side of the comparison -----------------------------------------------------


@dataclass
class Side:
    """One side of a diff: its label, its commit (None: the working tree) and its checked project."""

    label: str
    revision: str | None
    commit: str | None
    project: Project

    def as_json(self) -> dict:
        return {"label": self.label, "revision": self.revision, "commit": self.commit}


def load_side(
    label: str,
    project: Project | None,
    problems: Problems,
    revision: str | None,
    commit: str | None,
    shown: tuple[str, str] = ("", ""),
) -> Side:
    """Give a side whose project loaded without errors, or raise DiffError listing its problems.

    shown: (temporary folder, what to call it) so a hint names the user's folder, not ours.
    """
    errors = problems.errors
    if project is None or errors:
        tmp, name = shown
        lines = [f"{label}: {p.format().replace(tmp, name) if tmp else p.format()}" for p in errors]
        n = len(errors)
        raise DiffError(
            f"{label}: the handbook has {n} error{'s' * (n != 1)} at this revision; nothing was compared",
            "fix the errors (or compare other revisions) and run cxreport diff again",
            lines=lines,
        )
    return Side(label, revision, commit, project)


# --- comparing ------------------------------------------------------------------


@dataclass
class Change:
    """One thing that changed: a journey, stage, touchpoint, persona, playbook, page, metric or the site."""

    kind: str
    action: str
    id: str | None
    name: str | None = None
    journey: str | None = None
    type: str | None = None
    path: str | None = None
    from_id: str | None = None
    from_path: str | None = None
    changes: list[dict] = field(default_factory=list)

    def sort_key(self) -> tuple:
        return (KINDS.index(self.kind), self.journey or "", self.id or "", ACTIONS.index(self.action))

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "action": self.action,
            "id": self.id,
            "name": self.name,
            "journey": self.journey,
            "type": self.type,
            "path": self.path,
            "from_id": self.from_id,
            "from_path": self.from_path,
            "changes": self.changes,
        }


def _plain(value: Any) -> Any:
    """Give a JSON value with whole floats as ints, so a score reads -1, not -1.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _dump(obj: Any, exclude: set[str]) -> dict:
    return _plain(obj.model_dump(mode="json", exclude=exclude))


def _list_change(name: str, a: list, b: list) -> list[dict]:
    remaining = list(a)
    added = []
    for item in b:
        if item in remaining:
            remaining.remove(item)
        else:
            added.append(item)
    if added or remaining:
        return [{"field": name, "added": added, "removed": remaining}]
    if a != b:
        return [{"field": name, "from": a, "to": b}]  # same items, new order
    return []


def field_changes(a: dict, b: dict, prefix: str = "") -> list[dict]:
    """Give the changes between two dumps of an object, field by field, in field order."""
    out: list[dict] = []
    for key in list(a) + [k for k in b if k not in a]:
        va, vb, name = a.get(key), b.get(key), prefix + key
        if va == vb:
            continue
        if key == "pillars" and isinstance(va or {}, dict) and isinstance(vb or {}, dict):
            va, vb = va or {}, vb or {}
            added, removed = [p for p in vb if p not in va], [p for p in va if p not in vb]
            if added or removed:  # pillars are a set: their order is no change
                out.append({"field": name, "added": added, "removed": removed})
            out += [{"field": f"{name}.{p}", "from": va[p], "to": vb[p]} for p in va if p in vb and va[p] != vb[p]]
        elif isinstance(va, dict) or isinstance(vb, dict):
            if va is None or vb is None or (isinstance(va, dict) and isinstance(vb, dict)):
                out += field_changes(va or {}, vb or {}, name + ".")
            else:
                out.append({"field": name, "from": va, "to": vb})
        elif isinstance(va, list) or isinstance(vb, list):
            if va is None or vb is None or (isinstance(va, list) and isinstance(vb, list)):
                out += _list_change(name, va or [], vb or [])
            else:
                out.append({"field": name, "from": va, "to": vb})
        else:
            out.append({"field": name, "from": va, "to": vb})
    return out


def text_change(name: str, a: str, b: str) -> list[dict]:
    """Give a change counting the lines added and removed in a text, or nothing when it is the same."""
    if a == b:
        return []
    la, lb = a.splitlines(), b.splitlines()
    added = removed = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, la, lb, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            removed += i2 - i1
        if op in ("replace", "insert"):
            added += j2 - j1
    return [{"field": name, "lines_added": added, "lines_removed": removed}]


def _pair_renames(removed: list[str], added: list[str], key_a, key_b, hinted: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Give (old id, new id) pairs: git's renames first, then objects with the same content under a new id."""
    pairs = []
    removed, added = list(removed), list(added)
    for old, new in hinted:
        if old in removed and new in added:
            pairs.append((old, new))
            removed.remove(old)
            added.remove(new)
    for old in sorted(removed):
        match = next((new for new in sorted(added) if key_a(old) == key_b(new)), None)
        if match is not None:
            pairs.append((old, match))
            added.remove(match)
    return pairs


class Comparison:
    """The comparison of two sides: a sorted list of Changes."""

    def __init__(self, a: Side, b: Side, renamed_paths: list[tuple[str, str]] = ()) -> None:
        self.a, self.b = a, b
        self.renamed_paths = list(renamed_paths)
        self.changes: list[Change] = []
        self._site()
        self._metrics()
        self._objects("persona", lambda p: p.personas, lambda o: o.name, {"id"})
        self._objects("playbook", lambda p: p.playbooks, lambda o: o.title, {"id"}, body=True)
        self._objects("page", lambda p: p.pages, lambda o: o.title, {"id"}, body=True)
        self._objects("journey", lambda p: p.journeys, lambda o: o.title, {"id", "stages"}, inner=self._journey_inner)
        self.changes.sort(key=Change.sort_key)

    # what the two sides hold
    def _hints(self, kind: str) -> list[tuple[str, str]]:
        """Give git's renames as (old id, new id) pairs of one kind."""
        by_path_a = {o.path: i for (k, i), o in self.a.project.origins.items() if k == kind}
        by_path_b = {o.path: i for (k, i), o in self.b.project.origins.items() if k == kind}
        return [(by_path_a[old], by_path_b[new]) for old, new in self.renamed_paths if old in by_path_a and new in by_path_b]

    def _path(self, side: Side, kind: str, obj_id: str) -> str | None:
        origin = side.project.origins.get((kind, obj_id))
        return origin.path if origin else None

    def _objects(self, kind, objects_of, name_of, exclude, body=False, inner=None) -> None:
        objs_a, objs_b = objects_of(self.a.project), objects_of(self.b.project)
        removed = [i for i in objs_a if i not in objs_b]
        added = [i for i in objs_b if i not in objs_a]

        def content(objs):
            return lambda i: (
                _dump(objs[i], exclude),
                getattr(objs[i], "body", None),
                None if inner is None else [_dump(s, set()) for s in objs[i].stages],
            )

        pairs = _pair_renames(removed, added, content(objs_a), content(objs_b), self._hints(kind))
        matched = [(i, i) for i in objs_a if i in objs_b] + pairs
        for old, new in pairs:
            removed.remove(old)
            added.remove(new)

        def type_of(o):
            return getattr(o, "type", None) if kind == "playbook" else None

        for i in removed:
            o = objs_a[i]
            self.changes.append(Change(kind, "removed", i, name_of(o), type=type_of(o), path=self._path(self.a, kind, i)))
        for i in added:
            o = objs_b[i]
            self.changes.append(Change(kind, "added", i, name_of(o), type=type_of(o), path=self._path(self.b, kind, i)))
        for old, new in matched:
            oa, ob = objs_a[old], objs_b[new]
            fields = field_changes(_dump(oa, exclude), _dump(ob, exclude))
            if body:
                fields += text_change("body", oa.body, ob.body)
            inner_changed = False
            if inner is not None:
                extra, inner_changed = inner(oa, ob)
                fields += extra
            if old != new or fields or inner_changed:
                self.changes.append(
                    Change(
                        kind,
                        "renamed" if old != new else "changed",
                        new,
                        name_of(ob),
                        type=type_of(ob),
                        path=self._path(self.b, kind, new),
                        from_id=old if old != new else None,
                        from_path=self._path(self.a, kind, old) if old != new else None,
                        changes=fields,
                    )
                )

    def _stage_name(self, side: Side, journey: m.Journey, stage_id: str) -> str:
        model = side.project.stage_models.get(side.project.stage_model_of(journey), ())
        return next((s.name for s in model if s.id == stage_id), stage_id)

    def _journey_inner(self, ja: m.Journey, jb: m.Journey) -> tuple[list[dict], bool]:
        """Add the stage and touchpoint changes of a journey; give its stage-order change and whether there were any."""
        before = len(self.changes)
        path = self._path(self.b, "journey", jb.id)
        stages_a = {s.stage: s for s in ja.stages}
        stages_b = {s.stage: s for s in jb.stages}
        for sid in stages_a:
            if sid not in stages_b:
                self.changes.append(Change("stage", "removed", sid, self._stage_name(self.a, ja, sid), journey=jb.id, path=path))
        for sid, stage in stages_b.items():
            if sid not in stages_a:
                self.changes.append(Change("stage", "added", sid, self._stage_name(self.b, jb, sid), journey=jb.id, path=path))
                continue
            fields = field_changes(_dump(stages_a[sid], {"stage", "touchpoints"}), _dump(stage, {"stage", "touchpoints"}))
            order_a = [t.id for t in stages_a[sid].touchpoints]
            order_b = [t.id for t in stage.touchpoints]
            common_a = [t for t in order_a if t in order_b]
            common_b = [t for t in order_b if t in order_a]
            if common_a != common_b:
                fields.append({"field": "touchpoint order", "from": common_a, "to": common_b})
            if fields:
                self.changes.append(
                    Change("stage", "changed", sid, self._stage_name(self.b, jb, sid), journey=jb.id, path=path, changes=fields)
                )
        common_a = [s for s in stages_a if s in stages_b]
        common_b = [s for s in stages_b if s in stages_a]
        order = [{"field": "stage order", "from": common_a, "to": common_b}] if common_a != common_b else []
        tps_a = {t.id: (s.stage, t) for s, t in ja.touchpoints()}
        tps_b = {t.id: (s.stage, t) for s, t in jb.touchpoints()}
        removed = [i for i in tps_a if i not in tps_b]
        added = [i for i in tps_b if i not in tps_a]
        pairs = _pair_renames(removed, added, lambda i: _dump(tps_a[i][1], {"id"}), lambda i: _dump(tps_b[i][1], {"id"}), [])
        for old, new in pairs:
            removed.remove(old)
            added.remove(new)
        for i in removed:
            self.changes.append(Change("touchpoint", "removed", i, tps_a[i][1].name, journey=jb.id, path=path))
        for i in added:
            self.changes.append(
                Change(
                    "touchpoint",
                    "added",
                    i,
                    tps_b[i][1].name,
                    journey=jb.id,
                    path=path,
                    changes=[{"field": "stage", "from": None, "to": tps_b[i][0]}],
                )
            )
        for old, new in [(i, i) for i in tps_a if i in tps_b] + pairs:
            (sa, ta), (sb, tb) = tps_a[old], tps_b[new]
            fields = [{"field": "stage", "from": sa, "to": sb}] if sa != sb else []
            fields += field_changes(_dump(ta, {"id"}), _dump(tb, {"id"}))
            if fields or old != new:
                self.changes.append(
                    Change(
                        "touchpoint",
                        "renamed" if old != new else "changed",
                        new,
                        tb.name,
                        journey=jb.id,
                        path=path,
                        from_id=old if old != new else None,
                        changes=fields,
                    )
                )
        return order, len(self.changes) > before

    def _site(self) -> None:
        ca, cb = self.a.project.config, self.b.project.config
        fields = field_changes(_dump(ca, {"metrics"}), _dump(cb, {"metrics"}))
        if fields:
            self.changes.append(Change("site", "changed", None, cb.title, path="site.yml", changes=fields))

    def _metrics(self) -> None:
        ma = {s.id: s for s in self.a.project.config.metrics}
        mb = {s.id: s for s in self.b.project.config.metrics}
        removed = [i for i in ma if i not in mb]
        added = [i for i in mb if i not in ma]
        pairs = _pair_renames(removed, added, lambda i: _dump(ma[i], {"id"}), lambda i: _dump(mb[i], {"id"}), [])
        for old, new in pairs:
            removed.remove(old)
            added.remove(new)

        def label(s):
            return s.label or s.id

        for i in removed:
            self.changes.append(Change("metric", "removed", i, label(ma[i]), type=ma[i].type, path="site.yml"))
        for i in added:
            self.changes.append(Change("metric", "added", i, label(mb[i]), type=mb[i].type, path="site.yml"))
        for old, new in [(i, i) for i in ma if i in mb] + pairs:
            fields = field_changes(_dump(ma[old], {"id"}), _dump(mb[new], {"id"}))
            fields += self._data_change(ma[old], mb[new])
            if fields or old != new:
                self.changes.append(
                    Change(
                        "metric",
                        "renamed" if old != new else "changed",
                        new,
                        label(mb[new]),
                        type=mb[new].type,
                        path="site.yml",
                        from_id=old if old != new else None,
                        changes=fields,
                    )
                )

    def _data_change(self, sa: m.MetricSource, sb: m.MetricSource) -> list[dict]:
        def read(side: Side, source: m.MetricSource) -> str:
            path = resolve_content_path(side.project.root, source.file)
            try:
                return path.read_bytes().decode("utf-8", "replace") if path is not None else ""
            except OSError:
                return ""

        return text_change("data", read(self.a, sa), read(self.b, sb))

    # results
    def summary(self) -> dict[str, dict[str, int]]:
        counts = {k: {a: 0 for a in ACTIONS} for k in KINDS}
        for c in self.changes:
            counts[c.kind][c.action] += 1
        return counts

    def as_json(self) -> dict:
        return {
            "version": FORMAT_VERSION,
            "from": self.a.as_json(),
            "to": self.b.as_json(),
            "summary": self.summary(),
            "changes": [c.as_json() for c in self.changes],
        }


# --- running ----------------------------------------------------------------------


def _revision_side(repo: Repository, rev: str, sha: str, folder: Path) -> tuple[Project | None, Problems, str, str, Path]:
    folder.mkdir(parents=True)
    repo.materialise(sha, folder)
    from .pipeline import check

    project, problems = check(folder)
    return project, problems, rev, sha, folder


def compare_revisions(folder: Path, rev_a: str = "HEAD", rev_b: str | None = None) -> Comparison:
    """Give the comparison of the handbook in folder at rev_a with rev_b (None: the working tree)."""
    from .pipeline import check

    for rev in (rev_a, rev_b):
        if rev is not None:
            check_revision(rev)  # before git runs at all
    if not folder.is_dir():
        raise DiffError(f"'{folder}' is not a folder", "give the folder that holds site.yml with --path", exit_code=2)
    repo = Repository.of(folder)
    sha_a = repo.resolve(rev_a)
    sha_b = repo.resolve(rev_b) if rev_b is not None else None
    with tempfile.TemporaryDirectory(prefix="cxreport-diff-", ignore_cleanup_errors=True) as tmp:
        loaded = [_revision_side(repo, rev_a, sha_a, Path(tmp) / "a")]
        if rev_b is None:
            project, problems = check(folder)
            loaded.append((project, problems, WORKING_TREE, None, None))
        else:
            loaded.append(_revision_side(repo, rev_b, sha_b, Path(tmp) / "b"))
        sides, failures = [], []
        for project, problems, label, sha, materialised in loaded:
            shown = (str(materialised.resolve()), f"{folder} at {label}") if materialised else ("", "")
            try:
                sides.append(load_side(label, project, problems, None if sha is None else label, sha, shown))
            except DiffError as exc:
                failures.append(exc)
        if failures:
            raise DiffError(
                "; ".join(f.message for f in failures), failures[0].hint, lines=[line for f in failures for line in f.lines]
            )
        return Comparison(sides[0], sides[1], repo.renames(sha_a, sha_b))


# --- rendering ----------------------------------------------------------------------

KIND_NAMES = {
    "journey": "Journey",
    "stage": "Stage",
    "touchpoint": "Touchpoint",
    "persona": "Persona",
    "playbook": "Playbook",
    "page": "Page",
    "metric": "Metric",
    "site": "Site settings",
}
PLAYBOOK_TYPES = {
    "surprise": "surprise plan",
    "recovery": "recovery plan",
    "story": "story",
    "experiment": "experiment",
    "guide": "guide",
}
FIELD_NAMES = {
    "feeling.score": "feeling",
    "feeling.label": "feeling label",
    "body": "text",
    "data": "data file",
    "compare_to": "compared with",
    "stage_model": "stage model",
    "stage_models": "stage models",
    "success_metric": "success metric",
    "response_time": "response time",
    "date_format": "date format",
    "higher_is_better": "higher is better",
    "base_url": "base url",
}
ITEM_NAMES = {
    "doing": "doing",
    "thinking": "thinking",
    "pain_points": "pain point",
    "opportunities": "opportunity",
    "backstage": "backstage",
    "evidence": "evidence",
    "pillars": "pillar",
    "metrics": "metric",
    "goals": "goal",
    "frustrations": "frustration",
    "channels": "channel",
    "path": "path step",
}
SHORTEN = 160


def field_name(name: str) -> str:
    return FIELD_NAMES.get(name, name.replace("_", " "))


def printable(text: str) -> str:
    """Give text with control and other invisible characters written as escapes (no terminal tricks from content)."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}" for ch in text)


def show(value: Any) -> str:
    """Give a value as a person reads it: (none), yes/no, a list joined, evidence as 'kind — source — note'."""
    if value is None or value == "":
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        text = " — ".join(show(v) for v in value.values() if v not in (None, "", {}, []))
    elif isinstance(value, list):
        text = ", ".join(show(v) for v in value) if value else "(none)"
    else:
        text = str(value)
    text = printable(" ".join(text.split()))
    return text if len(text) <= SHORTEN else text[: SHORTEN - 1] + "…"


def detail_lines(change: Change, esc=lambda s: s, added="+ ", removed="- ") -> list[str]:
    """Give one line per field change of a Change (items added and removed each on their own line)."""
    lines = []
    for f in change.changes:
        name = field_name(f["field"])
        if "added" in f:
            item = ITEM_NAMES.get(f["field"], name)
            lines += [f"{added}{item}: {esc(show(x))}" for x in f["added"]]
            lines += [f"{removed}{item}: {esc(show(x))}" for x in f["removed"]]
        elif "lines_added" in f:
            lines.append(
                f"{name} changed: {f['lines_added']} line{'s' * (f['lines_added'] != 1)} added, {f['lines_removed']} removed"
            )
        elif change.action == "added":
            lines.append(f"{name}: {esc(show(f['to']))}")
        else:
            lines.append(f"{name}: {esc(show(f['from']))} → {esc(show(f['to']))}")
    return lines


def headline(change: Change, esc=lambda s: s, strong=lambda s: f'"{s}"', code=lambda s: s) -> str:
    """Give the one-line title of a change: what it is, its name and id, and what happened."""
    what = KIND_NAMES[change.kind]
    if change.kind == "site":
        return f"{what}: {change.action}"
    ident = code(change.id)
    if change.type and change.kind == "playbook":
        ident += f", {PLAYBOOK_TYPES.get(change.type, change.type)}"
    action = change.action
    if change.action == "renamed":
        action = f"renamed from {code(change.from_id)}" + (" and changed" if change.changes else "")
    status = next((f for f in change.changes if f["field"] == "status" and "to" in f), None)
    if change.kind == "playbook" and status and status["to"] == "live":
        action += " — went live"
    if not change.name or change.name == change.id:
        return f"{what} {ident.replace(', ', ' (', 1) + ')' if ', ' in ident else ident}: {action}"
    return f"{what} {strong(esc(show(change.name)))} ({ident}): {action}"


def _summary_phrases(comparison: Comparison) -> list[str]:
    phrases = []
    for kind, counts in comparison.summary().items():
        parts = [f"{n} {a}" for a, n in counts.items() if n]
        if parts:
            phrases.append(f"{PLURAL[kind]}: " + ", ".join(parts))
    return phrases


def _groups(comparison: Comparison) -> list[tuple[Change | None, str, list[Change]]]:
    """Give (journey change or None, kind, changes) groups: each journey with its stages and touchpoints, then the rest by kind."""
    journeys = [c for c in comparison.changes if c.kind == "journey"]
    inner = [c for c in comparison.changes if c.kind in ("stage", "touchpoint")]
    groups: list[tuple[Change | None, str, list[Change]]] = []
    for j in journeys:
        groups.append((j, "journey", [c for c in inner if c.journey == j.id]))
    for kind in KINDS:
        if kind not in ("journey", "stage", "touchpoint"):
            items = [c for c in comparison.changes if c.kind == kind]
            if items:
                groups.append((None, kind, items))
    return groups


def _side_name(side: Side) -> str:
    return "the working tree" if side.commit is None else f"{side.label} ({side.commit[:7]})"


def render_text(comparison: Comparison) -> str:
    """Give the comparison as plain text for a terminal."""
    a, b = comparison.a, comparison.b
    out = [f"Handbook changes from {_side_name(a)} to {_side_name(b)}", ""]
    if not comparison.changes:
        return "\n".join(out + ["No changes to journeys, personas, playbooks, pages, metrics or site settings."]) + "\n"
    for journey, _kind, items in _groups(comparison):
        for top in [journey] if journey else items:
            out.append(headline(top))
            out += ["  " + line for line in detail_lines(top)]
            if journey:
                for c in items:
                    out.append("  " + headline(c))
                    out += ["    " + line for line in detail_lines(c)]
    out += ["", "Summary: " + "; ".join(_summary_phrases(comparison))]
    return "\n".join(out) + "\n"


def md_escape(text: str) -> str:
    """Give text that Markdown and HTML show as written (no links, emphasis, tags or tables)."""
    special = set("\\`*_[]<>|~&#")
    # '@' gets a zero-width space so a name in the content never mentions (and notifies) a GitHub user.
    return "".join(f"&#{ord(ch)};" if ch in special else "@\u200b" if ch == "@" else ch for ch in text)


def render_markdown(comparison: Comparison) -> str:
    """Give the comparison as a pull-request comment: a summary table, then details collapsed per journey and kind."""
    a, b = comparison.a, comparison.b

    def name(s):
        return f"<code>{html.escape(s.label)}</code> ({s.commit[:7]})" if s.commit else "the working tree"

    out = ["<!-- cxreport-diff -->", f"### Handbook changes: {name(a)} → {name(b)}", ""]
    if not comparison.changes:
        out.append("No changes to journeys, personas, playbooks, pages, metrics or site settings.")
        return "\n".join(out) + "\n"
    out += ["| | added | removed | renamed | changed |", "|:--|--:|--:|--:|--:|"]
    for kind, counts in comparison.summary().items():
        if any(counts.values()):
            out.append(f"| {PLURAL[kind]} | " + " | ".join(str(counts[a]) for a in ACTIONS) + " |")
    out.append("")

    def strong(s):
        return f"<b>{s}</b>"

    def code(s):
        return f"<code>{html.escape(s)}</code>"

    bullets = {"esc": md_escape, "added": "added ", "removed": "removed "}
    plain: list[str] = []  # journeys added, removed or renamed with nothing more to show: one list
    for journey, kind, items in _groups(comparison):
        if journey and not journey.changes and not items:
            plain.append(f"- {headline(journey, md_escape, strong, code)}")
            continue
        if journey:
            summary = headline(journey, md_escape, strong, code)
            body = [f"- {line}" for line in detail_lines(journey, **bullets)]
            for c in items:
                body.append(f"- {headline(c, md_escape, strong, code)}")
                body += [f"  - {line}" for line in detail_lines(c, **bullets)]
        else:
            if plain:
                out += _details(f"Journeys: {_count_phrase(plain_changes(comparison))}", plain)
                plain = []
            counts = comparison.summary()[kind]
            summary = f"{PLURAL[kind].capitalize()}: " + ", ".join(f"{n} {a}" for a, n in counts.items() if n)
            body = []
            for c in items:
                body.append(f"- {headline(c, md_escape, strong, code)}")
                body += [f"  - {line}" for line in detail_lines(c, **bullets)]
        out += _details(summary, body)
    if plain:
        out += _details(f"Journeys: {_count_phrase(plain_changes(comparison))}", plain)
    return "\n".join(out)


def plain_changes(comparison: Comparison) -> list[Change]:
    """Give the journey changes that have no details of their own (added, removed, renamed as they were)."""
    inner = {c.journey for c in comparison.changes if c.kind in ("stage", "touchpoint")}
    return [c for c in comparison.changes if c.kind == "journey" and not c.changes and c.id not in inner]


def _count_phrase(changes: list[Change]) -> str:
    return ", ".join(f"{n} {a}" for a in ACTIONS if (n := sum(c.action == a for c in changes)))


def _details(summary: str, body: list[str]) -> list[str]:
    return ["<details>", f"<summary>{summary}</summary>", ""] + body + ["", "</details>", ""]


def render_json(comparison: Comparison) -> str:
    """Give the comparison as JSON, keys sorted (the structure is documented in docs/review.md)."""
    return json.dumps(comparison.as_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}


@click.command("diff")
@click.argument("rev_a", required=False, default="HEAD", metavar="[REV_A]")
@click.argument("rev_b", required=False, metavar="[REV_B]")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(RENDERERS)),
    default="text",
    show_default=True,
    help="text for a terminal, markdown for a pull-request comment, json for tools.",
)
@click.option(
    "--path",
    "path",
    default=".",
    type=click.Path(),
    show_default=True,
    help="The project folder (the one holding site.yml) inside a git repository.",
)
def diff_command(rev_a: str, rev_b: str | None, fmt: str, path: str) -> None:
    """Show what changed in the handbook between REV_A (default HEAD) and REV_B (default: the working tree)."""
    folder = Path(path)
    if folder.name == "site.yml" and folder.is_file():
        folder = folder.parent
    try:
        comparison = compare_revisions(folder, rev_a, rev_b)
    except DiffError as exc:
        if exc.exit_code == 2:
            raise click.UsageError(exc.message + (f" ({exc.hint})" if exc.hint else "")) from None
        for line in exc.lines:
            click.echo(line, err=True)
        click.echo(f"cxreport diff: error: {exc.message}" + (f"\n  hint: {exc.hint}" if exc.hint else ""), err=True)
        raise SystemExit(exc.exit_code) from None
    click.echo(RENDERERS[fmt](comparison), nl=False)
