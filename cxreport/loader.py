"""load_sources: read site.yml and content/ into one typed, immutable Project."""

from __future__ import annotations

import functools
import multiprocessing
import os
import re
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar, cast

from pydantic import BaseModel, ValidationError

from . import model as m
from .collector import paused
from .fingerprints import Stamp
from .model_errors import in_file, report_validation_error, salvage
from .problems import Problem, Problems, did_you_mean
from .yamlsrc import Locator, char_at, editor_lines, parse_front_matter, parse_yaml, read_text

ID_RE = re.compile(m.ID_PATTERN)
ContentObject = m.Journey | m.Persona | m.Page | m.Surprise | m.Recovery | m.Story | m.Experiment | m.Guide
_M = TypeVar("_M", bound=BaseModel)

KINDS = {  # kind -> (folder under content/, file suffixes)
    "journey": ("journeys", (".yml", ".yaml")),
    "persona": ("personas", (".yml", ".yaml")),
    "playbook": ("playbooks", (".md",)),
    "page": ("pages", (".md",)),
}


@dataclass(frozen=True)
class Origin:
    """Where an object was read from: its file (relative to the project) and its locator."""

    path: str
    locator: Locator
    body_line: int = 0
    gone: Mapping[tuple, frozenset[int]] | None = None  # a salvaged object's lists: the items it lost (in_file)

    def at(self, *keys) -> tuple[int, int]:
        return self.locator.at(in_file(keys, self.gone) if self.gone else keys)

    def key_at(self, *keys) -> tuple[int, int]:
        return self.locator.key_at(in_file(keys, self.gone) if self.gone else keys)

    def holds(self, *keys) -> bool:
        """Tell whether the file holds a value at the path keys."""
        return (in_file(keys, self.gone) if self.gone else keys) in self.locator.values


@dataclass(frozen=True)
class Salvaged:
    """What could be read of an object whose file has errors (model_errors.salvage): its references are
    checked in the same run as the file's own errors, and it is never shown.

    relaxed: the top-level fields that failed (they hold their default, or None); pruned: the paths of the
    values taken out below the top level.
    """

    kind: str
    obj: ContentObject
    origin: Origin
    relaxed: frozenset[str]
    pruned: tuple[tuple, ...]

    @property
    def keeps_map(self) -> bool:
        """Tell whether a journey kept its id, stage model, every stage and every touchpoint id."""
        if self.kind != "journey" or self.relaxed & {"id", "stages", "stage_model"}:
            return False
        return not any(
            p[0] == "stages" and (len(p) <= 2 or (len(p) == 3 and p[2] != "goal") or len(p) == 4 or p[4] == "id")
            for p in self.pruned
        )


@dataclass(frozen=True)
class Project:
    """Everything cxreport read from one project, typed and checked field by field."""

    root: Path
    config: m.SiteConfig
    journeys: Mapping[str, m.Journey]
    personas: Mapping[str, m.Persona]
    playbooks: Mapping[str, m.Surprise | m.Recovery | m.Story | m.Experiment | m.Guide]
    pages: Mapping[str, m.Page]
    stage_models: Mapping[str, tuple[m.StageDef, ...]]
    pillars: Mapping[str, m.Pillar]
    origins: Mapping[tuple[str, str], Origin] = field(default_factory=dict)
    site_origin: Origin = Origin("site.yml", Locator())
    broken: frozenset[tuple[str, str]] = frozenset()  # (kind, id) of files that failed to load: no follow-up errors
    salvaged: tuple[Salvaged, ...] = ()  # what could be read of the objects of those files, by file

    def ids(self, kind: str) -> frozenset[str]:
        """Give the ids of one kind, those of files that failed to load included (made once per project)."""
        return self._id_sets[kind]

    @functools.cached_property
    def _id_sets(self) -> dict[str, frozenset[str]]:
        loaded = {"journey": self.journeys, "persona": self.personas, "playbook": self.playbooks, "page": self.pages}
        return {kind: frozenset(objects) | {i for k, i in self.broken if k == kind} for kind, objects in loaded.items()}

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    def stage_model_of(self, journey: m.Journey) -> str:
        return journey.stage_model or self.config.stage_model

    def metric(self, metric_id: str) -> m.MetricSource | None:
        return next((s for s in self.config.metrics if s.id == metric_id), None)


def relpath(path: Path, root: Path) -> str:
    """Give a path relative to the project root, with forward slashes."""
    text, base = str(path), str(root)
    if text.startswith(base) and text[len(base) : len(base) + 1] == os.sep and os.sep == "/":
        return text[len(base) + 1 :]  # the common case without pathlib's parsing (3,300 files a load at L)
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def inside(path: Path, root: Path) -> bool:
    """Tell whether a path, symlinks resolved, stays inside root."""
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def resolve_content_path(project_root: Path, value: str) -> Path | None:
    """Give the file a content path (relative to content/) names, or None if it leaves the project."""
    if not value or value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", value) or "\x00" in value:
        return None
    candidate = project_root / "content" / value
    return candidate if inside(candidate, project_root) else None


def _validate(cls: type[_M], data: dict, rel: str, loc: Locator, problems: Problems) -> _M | None:
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        report_validation_error(exc, cls, rel, loc, problems)
        return None


def load_config(root: Path, problems: Problems) -> tuple[m.SiteConfig | None, Origin]:
    """Give the site configuration read from site.yml, or None with problems."""
    path = root / "site.yml"
    origin = Origin("site.yml", Locator())
    if not path.is_file():
        problems.error(
            "site.yml",
            0,
            0,
            "no site.yml in the project folder",
            f"run cxreport in the folder that holds site.yml (here: {root}), or create one with 'cxreport new'",
            code="site-yml-missing",
        )
        return None, origin
    text = read_text(path, "site.yml", problems)
    if text is None:
        return None, origin
    parsed = parse_yaml(text, "site.yml", problems)
    if parsed is None:
        return None, origin
    data, loc = parsed
    origin = Origin("site.yml", loc)
    if not isinstance(data, dict):
        problems.error(
            "site.yml", 1, 1, "site.yml must be a mapping of fields (name: value)", "start with 'title: …'", code="not-a-mapping"
        )
        return None, origin
    return _validate(m.SiteConfig, data, "site.yml", loc, problems), origin


def _content_files(root: Path, kind: str, problems: Problems) -> list[Path]:
    folder, suffixes = KINDS[kind]
    base = root / "content" / folder
    if not base.is_dir():
        return []
    out = []
    base_inside = inside(base, root)  # then only a file that is itself a link can lead out (resolving each costs)
    entries = _listing(base, relpath(base, root), problems)
    if entries is None:
        return []
    for entry in entries:
        if entry.name.startswith(".") or _is_dir(entry):
            continue
        path = base / entry.name
        rel = relpath(path, root)
        if path.suffix.lower() not in suffixes:
            problems.warning(
                rel,
                0,
                0,
                f"file ignored: {kind} files end in {' or '.join(suffixes)}",
                f"rename it to {path.stem}{suffixes[0]}, or move it out of content/{folder}/",
                code="file-ignored",
            )
            continue
        if (entry.is_symlink() or not base_inside) and not inside(path, root):
            problems.error(
                rel,
                0,
                0,
                "file is a link to a place outside the project; it was not read",
                "copy the file into the project instead of linking to it",
                code="link-outside-project",
            )
            continue
        out.append(path)
    return out


def _listing(base: Path, rel: str, problems: Problems) -> list[os.DirEntry] | None:
    """Give a content folder's entries in the order of sorted paths, or None with a problem when it cannot be listed."""
    try:
        with os.scandir(base) as listing:  # what Path.iterdir gives, with file types known without a stat each
            return sorted(listing, key=lambda e: os.path.normcase(e.name))
    except OSError as exc:
        problems.error(
            rel,
            0,
            0,
            f"cannot read folder: {exc.strerror or exc}",
            "give the user running cxreport permission to read the folder (chmod u+rx)",
            code="folder-unreadable",
        )
        return None


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()  # links followed, as Path.is_dir
    except OSError:
        return False


def _object_id(data: dict, path: Path, rel: str, loc: Locator, problems: Problems) -> str | None:
    if "id" in data:
        return data["id"] if isinstance(data["id"], str) else None  # the model reports a bad id
    if ID_RE.match(path.stem):
        return path.stem
    suggestion = m.id_like(path.stem) or "my-id"
    problems.error(
        rel,
        1,
        1,
        f"file name '{path.stem}' is not a valid id",
        f"rename the file to '{suggestion}{path.suffix}' or set 'id: {suggestion}' in it",
        code="invalid-id",
    )
    return None


@dataclass(frozen=True)
class _Loaded:
    """What one content file gave: its object (None when it failed) and the ids it blocks follow-up errors for."""

    obj: ContentObject | None
    loc: Locator | None
    body_line: int
    broken: frozenset[tuple[str, str]]
    rejected: tuple[type[BaseModel], dict] | None = None  # the class and data of an object that failed (to salvage)


def _load_file(kind: str, path: Path, rel: str, text: str, problems: Problems) -> _Loaded:
    """Give the object one content file holds, checked field by field, or None in it with problems."""
    # a file that cannot be read at all still names an object (by its file name): no follow-up "unknown" errors
    unreadable = frozenset({(kind, path.stem)}) if ID_RE.match(path.stem) else frozenset()
    body, body_line = "", 0
    if path.suffix == ".md":
        fm = parse_front_matter(text, rel, problems)
        if fm is None:
            return _Loaded(None, None, 0, unreadable)
        data, loc, body, body_line = dict(fm.data), fm.locator, fm.body, fm.body_line
    else:
        parsed = parse_yaml(text, rel, problems)
        if parsed is None:
            return _Loaded(None, None, 0, unreadable)
        data, loc = parsed
        if not isinstance(data, dict):
            line, col = loc.at(())
            problems.error(
                rel,
                line,
                col,
                f"a {kind} file must be a mapping of fields (name: value)",
                "start with 'title: …'" if kind == "journey" else "start with 'name: …'",
                code="not-a-mapping",
            )
            return _Loaded(None, None, 0, unreadable)
    wrote_body = "body" in data  # asked before 'body' is set below (asking the locator would read its positions)
    _split_sentences(kind, data, rel, text, loc, problems)
    obj_id = _object_id(data, path, rel, loc, problems)
    nameless = obj_id is None and "id" not in data
    if nameless:  # its file name is not an id (reported): read it under the id suggested, to report the rest too
        obj_id = m.id_like(path.stem) or "my-id"
    data.setdefault("id", obj_id)
    cls: type[BaseModel]
    if kind == "journey":
        cls = m.Journey
    elif kind == "persona":
        cls = m.Persona
    elif kind == "page":
        cls = m.Page
        data["body"] = body
    else:
        ptype = data.get("type")
        if ptype is None:
            line, col = loc.at(())
            problems.error(
                rel,
                line,
                col,
                "missing required field 'type'",
                "add 'type: …', one of " + ", ".join(m.PLAYBOOK_TYPES),
                code="missing-field",
            )
            return _Loaded(None, None, 0, frozenset())
        if not isinstance(ptype, str) or ptype not in m.PLAYBOOK_TYPES:
            line, col = loc.at(("type",))
            problems.error(
                rel,
                line,
                col,
                f"type: '{ptype}' is not a playbook type",
                did_you_mean(str(ptype), m.PLAYBOOK_TYPES, "types"),
                code="invalid-choice",
            )
            return _Loaded(None, None, 0, frozenset())
        cls = m.PLAYBOOK_TYPES[ptype]
        data["body"] = body
    if wrote_body:
        line, col = loc.key_at(("body",))
        problems.error(
            rel, line, col, "unknown field 'body'", "write the text below the front matter instead", code="unknown-field"
        )
    obj = cast("ContentObject | None", _validate(cls, data, rel, loc, problems))  # cls is one of ContentObject's
    if obj is None or nameless or wrote_body:
        blocked = frozenset({(kind, data["id"])}) if isinstance(data.get("id"), str) else frozenset()
        return _Loaded(None, loc, body_line, blocked, (cls, data))
    return _Loaded(obj, loc, body_line, frozenset())


# Lanes and lists of Markdown lines, where an item is prose: a comma in a flow list [a, b] splits a sentence there.
PROSE_LISTS = {
    "journey": ("doing", "thinking", "pain_points", "opportunities", "backstage"),
    "persona": ("goals", "frustrations"),
}


def _split_sentences(kind: str, data: dict, rel: str, text: str, loc: Locator, problems: Problems) -> None:
    """Warn where a flow list of prose most likely split a sentence at a comma: `[Veel advertenties, weinig
    reviews]` is two items. Most likely: its first item starts with a capital and a later one, unquoted, does not."""
    lines: list[str] | None = None  # the file's lines, split once it is needed
    for base, holder in _prose_holders(kind, data):
        for lane in PROSE_LISTS[kind]:
            items = holder.get(lane)
            if not isinstance(items, list) or len(items) < 2 or not all(isinstance(i, str) and i for i in items):
                continue
            if not items[0][0].isupper() or not any(i[0].islower() for i in items[1:]):
                continue  # checked before any position is asked for: asking reads the file's positions
            lines = editor_lines(text) if lines is None else lines
            if char_at(lines, *loc.at(base + (lane,))) != "[":
                continue  # a block list: each '- ' line is one item, commas and all
            at = (base + (lane, k) for k in range(1, len(items)) if items[k][0].islower())
            first = next((p for p in at if char_at(lines, *loc.at(p)) not in "\"'"), None)  # a quoted item is meant
            if first is not None:
                k = first[-1]
                line, col = loc.at(first)
                shown = items[k] if len(items[k]) <= 40 else items[k][:40] + "…"
                problems.warning(
                    rel,
                    line,
                    col,
                    f"{lane}: the comma before '{shown}' makes it an item of its own ({len(items)} items in this list)",
                    "in [a, b] a comma separates items: write the list as '- …' lines, one item a line (a comma in "
                    "such a line stays in the text), or put the sentence in quotes",
                    code="flow-list-comma",
                )


def _prose_holders(kind: str, data: dict) -> list[tuple[tuple, dict]]:
    """Give the mappings of a journey or persona file that hold prose lists, with their paths (touchpoints)."""
    if kind == "persona":
        return [((), data)]
    if kind != "journey" or not isinstance(data.get("stages"), list):
        return []
    return [
        (("stages", si, "touchpoints", ti), tp)
        for si, stage in enumerate(data["stages"])
        if isinstance(stage, dict) and isinstance(stage.get("touchpoints"), list)
        for ti, tp in enumerate(stage["touchpoints"])
        if isinstance(tp, dict)
    ]


_Read = tuple[str | None, _Loaded | None, list[Problem]]  # a file's text, what it gave, its problems


def _read_and_load(kind: str, path: Path, rel: str) -> _Read:
    """Give one content file's text, what it gave and its problems (text None: it could not be read)."""
    own = Problems()
    text = read_text(path, rel, own)
    return text, (_load_file(kind, path, rel, text, own) if text is not None else None), list(own)


@dataclass
class Parsed:
    """A content file as a load read it, kept between loads: a file whose text or stamp is the same is not parsed again."""

    kind: str
    text: str
    loaded: _Loaded
    problems: list[Problem]
    stamp: tuple | None  # the file's Stamp.content when it was read (None: read without stamps)


PARALLEL_FILES = 600  # content files to read before a load is shared out over the cores (forking costs ~0.1 s)


def _read_all(files: dict[str, list[Path]], root: Path, jobs: int) -> dict[str, _Read]:
    """Give every content file read and loaded (rel -> _read_and_load's answer), on `jobs` forked processes.

    A large handbook's first load is mostly YAML parsing, one file at a time: shared out over the cores, and
    the results sent back pickled (a fifth of the parsing's cost), it takes half the time on two.
    """
    work = [(kind, path, relpath(path, root)) for kind, paths in files.items() for path in paths]
    chunks = [work[i :: jobs * 4] for i in range(jobs * 4)]  # interleaved: each chunk has files of every kind
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        done = list(pool.map(_read_chunk, chunks))
    return {
        rel: result
        for chunk, results in zip(chunks, done, strict=True)
        for (_, _, rel), result in zip(chunk, results, strict=True)
    }


def _read_chunk(chunk: list[tuple[str, Path, str]]) -> list[_Read]:
    return [_read_and_load(kind, path, rel) for kind, path, rel in chunk]


def _read_one(
    kind: str, path: Path, rel: str, known: Parsed | None, read: Mapping[str, _Read] | None, problems: Problems
) -> tuple[str, _Loaded, list[Problem]] | None:
    """Give a content file's text, what it gave and its problems; None when it cannot be read (told in problems).

    What it gave is taken from known when the text is the one known, from read when the file was read there.
    """
    if read is not None and rel in read:
        text, loaded, found = read[rel]
        if text is None:
            problems.extend(found)
            return None
    else:
        text = read_text(path, rel, problems)
        if text is None:
            return None
        loaded = None
    if known is not None and known.kind == kind and known.text == text:
        return text, known.loaded, known.problems
    if loaded is None:
        own = Problems()
        return text, _load_file(kind, path, rel, text, own), list(own)
    return text, loaded, found


def _load_kind(
    root: Path,
    kind: str,
    problems: Problems,
    origins: dict,
    broken: set,
    salvaged: list[Salvaged],
    memo: dict[str, Parsed] | None = None,
    stamps: Mapping[str, Stamp] | None = None,
    files: list[Path] | None = None,
    read: Mapping[str, _Read] | None = None,
) -> dict[str, ContentObject]:
    """Give the objects of one kind; with memo (rel -> Parsed), a file whose text is unchanged is not parsed again.

    With stamps (rel -> the file's stamp, record.fingerprint) a file whose stamp is the one it was read with is not
    even read again. files and read: the kind's files as listed already, and what reading them gave (_read_all).
    """
    objects: dict[str, ContentObject] = {}
    for path in files if files is not None else _content_files(root, kind, problems):
        rel = relpath(path, root)
        known = memo.get(rel) if memo is not None else None
        stamp = stamps.get(rel) if stamps is not None else None
        if known is not None and known.kind == kind and stamp is not None and stamp.sha and known.stamp == stamp.content:
            loaded, found = known.loaded, known.problems
        else:
            got = _read_one(kind, path, rel, known, read, problems)
            if got is None:
                broken.update({(kind, path.stem)} if ID_RE.match(path.stem) else set())
                continue
            text, loaded, found = got
            if memo is not None:
                memo[rel] = Parsed(kind, text, loaded, found, stamp.content if stamp is not None else None)
        problems.extend(found)
        broken.update(loaded.broken)
        obj, loc = loaded.obj, loaded.loc
        if loc is not None and loaded.rejected is not None:
            kept = salvage(*loaded.rejected)
            if kept is not None:
                origin = Origin(rel, loc, loaded.body_line, MappingProxyType(kept.gone))
                salvaged.append(Salvaged(kind, cast("ContentObject", kept.obj), origin, kept.relaxed, kept.pruned))
        if obj is None or loc is None:
            continue
        if obj.id in objects:
            first = origins[(kind, obj.id)].path
            line, col = loc.key_at(("id",)) if ("id",) in loc.keys else (1, 1)
            problems.error(
                rel,
                line,
                col,
                f"{kind} id '{obj.id}' is already used by {first}",
                "give each file its own id (the file name, or 'id:')",
                code="duplicate-id",
            )
            continue
        objects[obj.id] = obj
        origins[(kind, obj.id)] = Origin(rel, loc, loaded.body_line)
    return objects


def load_sources(
    root: Path,
    problems: Problems,
    memo: dict[str, Parsed] | None = None,
    stamps: Mapping[str, Stamp] | None = None,
    jobs: int = 1,
) -> Project | None:
    """Give the whole project read and checked field by field, or None when site.yml is unusable.

    memo, kept by the caller between loads (cxreport serve), lets a file whose text is unchanged skip parsing;
    with stamps (record.fingerprint of the files, taken before this load) a file whose stamp is unchanged since
    it was read is not read again either. With jobs > 1, a first load of many files is shared out over that
    many processes; the project and its problems are the same as on one.
    """
    root = root.resolve()
    config, site_origin = load_config(root, problems)
    origins: dict[tuple[str, str], Origin] = {}
    broken: set[tuple[str, str]] = set()
    salvaged: list[Salvaged] = []
    with paused():
        files = {kind: _content_files(root, kind, problems) for kind in KINDS}
        read = None
        if (
            jobs > 1
            and not memo
            and sum(map(len, files.values())) >= PARALLEL_FILES
            and "fork" in multiprocessing.get_all_start_methods()
        ):
            read = _read_all(files, root, jobs)
        loaded = {
            kind: _load_kind(root, kind, problems, origins, broken, salvaged, memo, stamps, files[kind], read) for kind in KINDS
        }
    if memo is not None:
        known = {o.path for o in origins.values()}
        for rel in [r for r in memo if r not in known and not (root / r).is_file()]:
            del memo[rel]
    if config is None:
        return None
    stage_models = dict(m.BUILTIN_STAGE_MODELS)
    stage_models.update(config.stage_models)
    pillars = dict(m.BUILTIN_PILLARS)
    pillars.update(config.pillars)

    def freeze(d):
        return MappingProxyType(dict(sorted(d.items())))

    return Project(
        root=root,
        config=config,
        journeys=freeze(loaded["journey"]),
        personas=freeze(loaded["persona"]),
        playbooks=freeze(loaded["playbook"]),
        pages=freeze(loaded["page"]),
        stage_models=MappingProxyType(stage_models),
        pillars=MappingProxyType(pillars),
        origins=MappingProxyType(origins),
        site_origin=site_origin,
        broken=frozenset(broken),
        salvaged=tuple(salvaged),
    )
