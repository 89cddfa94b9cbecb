"""Content keys: a digest for each thing a page can show, so a rebuild redoes only the pages whose keys changed.

A page names the keys it reads (render.site.PageSpec.deps); a key is `kind:id` for one object, or `kind:*` for
every object of a kind (their ids and order included). The kinds:

    journey:J           the whole journey (its page, and a future journey that compares itself with it)
    journey-brief:J     what other pages show of a journey: title, persona, state, stages, touchpoint names,
                        channels, owners, pillars, feelings, evidence kinds and metrics (not the lane texts)
    persona:P           the whole persona
    playbook:X          the whole playbook, body included
    pb-meta:X           the playbook without its body (what lists and links show)
    pb-at:J             the pb-meta of the playbooks placed at journey J, in order
    pb-for-persona:P    the pb-meta of the surprise plans for persona P and the stories about P
    journeys-of:P       the journey-brief of the journeys of persona P
    page:P              the whole chapter
    chapters            id, title and order of every chapter (pages and guides)
    figures:J           the figures of journey J, its code counts and published comments; figures:- those of no
                        journey, the experiments and verdicts, the plans and the driver analyses

Anything else a page depends on (site.yml, the theme, which content files exist, the navigation, cxreport
itself) is part of the site key: when it changes, every page is made again.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from .. import model as m
from ..figures import FigureSet
from ..fingerprints import digest

WILDCARD_KINDS = ("journey", "journey-brief", "persona", "playbook", "pb-meta", "page", "figures")


def _brief(journey: m.Journey) -> dict:
    return {
        "id": journey.id,
        "title": journey.title,
        "persona": journey.persona,
        "state": journey.state,
        "stage_model": journey.stage_model,
        "compare_to": journey.compare_to,
        "owner": journey.owner,
        "stages": [
            {
                "stage": s.stage,
                "touchpoints": [
                    {
                        "id": t.id,
                        "name": t.name,
                        "channel": t.channel,
                        "owner": t.owner,
                        "pillars": t.pillars,
                        "feeling": t.feeling.model_dump(mode="json") if t.feeling else None,
                        "evidenced": t.evidenced,
                        "metrics": list(t.metrics),
                    }
                    for t in s.touchpoints
                ],
            }
            for s in journey.stages
        ],
    }


class ObjectDigests:
    """Digests of single objects, remembered by object identity (a rebuild that keeps an object keeps its digests)."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], tuple[Any, Any, dict[str, str]]] = {}

    def of(self, kind: str, obj: Any, origin: Any) -> dict[str, str]:
        """Give the keys of one object: {key: digest}."""
        where = (origin.path, origin.body_line) if origin is not None else None
        known = self._known.get((kind, obj.id))
        if known is not None and known[0] is obj and known[1] == where:
            return known[2]
        full = obj.model_dump(mode="json")
        out: dict[str, str] = {}
        if kind == "journey":
            out[f"journey:{obj.id}"] = digest([full, where])
            out[f"journey-brief:{obj.id}"] = digest(_brief(obj))
        elif kind == "playbook":
            out[f"pb-meta:{obj.id}"] = digest(full)
            out[f"playbook:{obj.id}"] = digest([full, obj.body, where])
        else:
            out[f"{kind}:{obj.id}"] = digest([full, getattr(obj, "body", None), where])
        self._known[(kind, obj.id)] = (obj, where, out)
        return out


def content_keys(project, digests: ObjectDigests | None = None) -> dict[str, str]:
    """Give every content key of a project with its digest (figures apart: figure_keys)."""
    digests = digests or ObjectDigests()
    keys: dict[str, str] = {}
    origins = project.origins
    for kind, objects in (
        ("journey", project.journeys),
        ("persona", project.personas),
        ("playbook", project.playbooks),
        ("page", project.pages),
    ):
        for obj_id, obj in objects.items():
            keys.update(digests.of(kind, obj, origins.get((kind, obj_id))))
    at: dict[str, list[str]] = defaultdict(list)
    for_persona: dict[str, list[str]] = defaultdict(list)
    for pb in project.playbooks.values():
        meta = keys[f"pb-meta:{pb.id}"]
        if pb.journey and pb.type != "guide":
            at[pb.journey].append(meta)
        if isinstance(pb, m.Surprise) and pb.audience:
            for_persona[pb.audience].append(meta)
        if isinstance(pb, m.Story) and pb.persona:
            for_persona[pb.persona].append(meta)
    journeys_of: dict[str, list[str]] = defaultdict(list)
    for j in project.journeys.values():
        journeys_of[j.persona].append(keys[f"journey-brief:{j.id}"])
    keys.update({f"pb-at:{k}": digest(v) for k, v in at.items()})
    keys.update({f"pb-for-persona:{k}": digest(v) for k, v in for_persona.items()})
    keys.update({f"journeys-of:{k}": digest(v) for k, v in journeys_of.items()})
    chapters = [[p.id, p.title, p.order, "page"] for p in project.pages.values()]
    chapters += [[pb.id, pb.title, pb.order, "guide"] for pb in project.playbooks.values() if pb.type == "guide"]
    keys["chapters"] = digest(chapters)
    return keys


def figure_keys(figures: FigureSet) -> dict[str, str]:
    """Give figures:J for each journey with figures and figures:- for the rest (experiments and verdicts too);
    code counts and comments count with their journey."""
    by_journey: dict[str, list] = defaultdict(list)
    for f in figures.figures:  # every field of the figure (a named tuple: taken as a plain one when digested)
        by_journey[f.journey if f.journey is not None else "-"].append(f)
    for counted in figures.codes:  # the comments are figures too (redacted, with their codes)
        by_journey[counted.journey if counted.journey is not None else "-"].append(counted)
    for comment in figures.comments:
        by_journey[comment.journey if comment.journey is not None else "-"].append(comment)
    rest = by_journey["-"]
    rest.append(tuple(repr(r) for r in figures.experiments))
    rest.append(tuple(sorted(figures.verdicts.items())))
    rest.append(tuple(sorted(figures.fetched.items())))  # the pages that say when a warehouse's figures were fetched
    # version 2: the segments' verdicts, the plans and the driver analyses (shown on journey and drivers pages)
    rest.append(
        repr((sorted(figures.segment_verdicts.items()), figures.plans, figures.drivers, sorted(figures.driver_notes.items())))
    )
    # the named tuples made plain one journey at a time: half a million copies at once cost a large handbook 40 MB
    return {f"figures:{j}": _value_digest([_plain(r) for r in rows]) for j, rows in by_journey.items()}


def _plain(row: Any) -> Any:
    """Give a named tuple as a plain tuple of its fields (pickled by value, without its class); anything else as it is."""
    return tuple(row) if isinstance(row, tuple) and type(row) is not tuple else row


def _value_digest(value: Any) -> str:
    """Give a digest of plain data (tuples and lists of text, numbers, None) by value, a few times faster than repr.

    Pickled without its memo (fast mode), so equal values give equal bytes whether or not they share objects.
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return hashlib.blake2b(buffer.getbuffer(), digest_size=12).hexdigest()


def with_wildcards(keys: Mapping[str, str]) -> dict[str, str]:
    """Give keys plus `kind:*` for each wildcard kind: the digest of all that kind's keys, in order."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, value in keys.items():
        kind, _, _ = key.partition(":")
        if kind in WILDCARD_KINDS:
            groups[kind].append((key, value))
    out = dict(keys)
    for kind in WILDCARD_KINDS:
        out[f"{kind}:*"] = digest(groups.get(kind, []))
    return out


def changed(old: Mapping[str, str], new: Mapping[str, str]) -> set[str]:
    """Give the keys whose digest differs (present in one only counts)."""
    return {k for k in set(old) | set(new) if old.get(k) != new.get(k)}


def dirty(deps: Iterable[str], changed_keys: set[str]) -> bool:
    return any(d in changed_keys for d in deps)
