"""The comparison of two revisions of a handbook: each side checked like any project, then compared as journeys,
stages, touchpoints, personas, playbooks, pages, metrics and site settings (a sorted list of Changes)."""

from __future__ import annotations

import difflib
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxreport import model as m
from cxreport.loader import Project, resolve_content_path
from cxreport.pipeline import check
from cxreport.problems import Problems

from .repository import DiffError, Repository, check_revision
from .similarity import journey_facts, merged_order, object_facts, pair_renames, touchpoint_facts

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
    # a stage's or touchpoint's place in its journey (stages and touchpoints listed in journey order)
    position: tuple[int, int] = (0, 0)

    def sort_key(self) -> tuple:
        return (KINDS.index(self.kind), self.journey or "", self.position, self.id or "", ACTIONS.index(self.action))

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


def average_feeling(journey: m.Journey) -> float | None:
    """Give a journey's average feeling as its page shows it (one decimal), or None when no touchpoint has one."""
    scores = [t.feeling.score for _, t in journey.touchpoints() if t.feeling is not None]
    return float(f"{sum(scores) / len(scores):.1f}") + 0.0 if scores else None  # + 0.0: no -0.0


def _average_feeling_change(ja: m.Journey, jb: m.Journey) -> list[dict]:
    before, after = average_feeling(ja), average_feeling(jb)
    return [] if before == after else [{"field": "average_feeling", "from": _plain(before), "to": _plain(after)}]


class Comparison:
    """The comparison of two sides: a sorted list of Changes."""

    def __init__(self, a: Side, b: Side, renamed_paths: Iterable[tuple[str, str]] = ()) -> None:
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

        def facts_of(objs):
            return lambda i: journey_facts(objs[i]) if inner is not None else object_facts(objs[i], exclude)

        pairs = pair_renames(removed, added, facts_of(objs_a), facts_of(objs_b), self._hints(kind))
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
        """Add the stage and touchpoint changes of a journey, in journey order; give the journey's own derived
        changes (average feeling, stage order) and whether any stage or touchpoint changed."""
        before = len(self.changes)
        stages_a = {s.stage: s for s in ja.stages}
        stages_b = {s.stage: s for s in jb.stages}
        stage_place = merged_order(list(stages_a), list(stages_b))
        self._stage_changes(ja, jb, stage_place)
        self._touchpoint_changes(ja, jb, stage_place)
        common_a = [s for s in stages_a if s in stages_b]
        common_b = [s for s in stages_b if s in stages_a]
        derived = _average_feeling_change(ja, jb)
        if common_a != common_b:
            derived.append({"field": "stage order", "from": common_a, "to": common_b})
        return derived, len(self.changes) > before

    def _stage_changes(self, ja: m.Journey, jb: m.Journey, place: dict) -> None:
        path = self._path(self.b, "journey", jb.id)
        stages_a = {s.stage: s for s in ja.stages}
        stages_b = {s.stage: s for s in jb.stages}

        def add(action: str, sid: str, side: Side, journey: m.Journey, changes: list[dict] | None = None) -> None:
            name = self._stage_name(side, journey, sid)
            self.changes.append(Change("stage", action, sid, name, journey=jb.id, path=path, changes=changes or []))
            self.changes[-1].position = (place[sid], -1)

        for sid in stages_a:
            if sid not in stages_b:
                add("removed", sid, self.a, ja)
        for sid, stage in stages_b.items():
            if sid not in stages_a:
                add("added", sid, self.b, jb)
                continue
            fields = field_changes(_dump(stages_a[sid], {"stage", "touchpoints"}), _dump(stage, {"stage", "touchpoints"}))
            order_a = [t.id for t in stages_a[sid].touchpoints]
            order_b = [t.id for t in stage.touchpoints]
            common_a = [t for t in order_a if t in order_b]
            common_b = [t for t in order_b if t in order_a]
            if common_a != common_b:
                fields.append({"field": "touchpoint order", "from": common_a, "to": common_b})
            if fields:
                add("changed", sid, self.b, jb, fields)

    def _touchpoint_changes(self, ja: m.Journey, jb: m.Journey, stage_place: dict) -> None:
        path = self._path(self.b, "journey", jb.id)
        tps_a = {t.id: (s.stage, t) for s, t in ja.touchpoints()}
        tps_b = {t.id: (s.stage, t) for s, t in jb.touchpoints()}
        removed = [i for i in tps_a if i not in tps_b]
        added = [i for i in tps_b if i not in tps_a]
        pairs = pair_renames(removed, added, lambda i: touchpoint_facts(*tps_a[i]), lambda i: touchpoint_facts(*tps_b[i]))
        new_id = {old: new for old, new in pairs}
        for old, new in pairs:
            removed.remove(old)
            added.remove(new)
        # each touchpoint's place: the new journey's order, a removed one where it was
        keys_a = [("now", new_id.get(i, i)) if i not in removed else ("gone", i) for i in tps_a]
        place = merged_order(keys_a, [("now", i) for i in tps_b])

        def add(change: Change, stage: str, key: tuple[str, str]) -> None:
            change.position = (stage_place[stage], place[key])
            self.changes.append(change)

        for i in removed:
            add(Change("touchpoint", "removed", i, tps_a[i][1].name, journey=jb.id, path=path), tps_a[i][0], ("gone", i))
        for i in added:
            stage, tp = tps_b[i]
            first = [{"field": "stage", "from": None, "to": stage}]
            add(Change("touchpoint", "added", i, tp.name, journey=jb.id, path=path, changes=first), stage, ("now", i))
        for old, new in [(i, i) for i in tps_a if i in tps_b] + pairs:
            (sa, ta), (sb, tb) = tps_a[old], tps_b[new]
            fields = [{"field": "stage", "from": sa, "to": sb}] if sa != sb else []
            fields += field_changes(_dump(ta, {"id"}), _dump(tb, {"id"}))
            if fields or old != new:
                action, from_id = ("renamed", old) if old != new else ("changed", None)
                change = Change("touchpoint", action, new, tb.name, journey=jb.id, path=path, from_id=from_id, changes=fields)
                add(change, sb, ("now", new))

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
        pairs = pair_renames(removed, added, lambda i: object_facts(ma[i], {"id"}), lambda i: object_facts(mb[i], {"id"}))
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
            if source.file is None:  # a warehouse's rows are not in the repository
                return ""
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


# A side as checked: (project, problems, label, commit, the folder it was written into); None: the working tree.
_Loaded = tuple[Project | None, Problems, str, str | None, Path | None]


def _revision_side(repo: Repository, rev: str, sha: str, folder: Path) -> _Loaded:
    folder.mkdir(parents=True)
    repo.materialise(sha, folder)
    project, problems = check(folder)
    return project, problems, rev, sha, folder


def compare_revisions(folder: Path, rev_a: str = "HEAD", rev_b: str | None = None) -> Comparison:
    """Give the comparison of the handbook in folder at rev_a with rev_b (None: the working tree)."""
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
        if rev_b is None or sha_b is None:
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
