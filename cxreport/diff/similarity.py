"""Renames found as git finds renamed files: two objects are one renamed object when they still share most of
their content (docs/review.md, "Decisions"); and the order in which a journey's changes are listed."""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from cxreport import model as m

# Two objects are a rename when at least half of their facts are shared (Dice's coefficient), as git's
# rename detection pairs files that are at least 50% similar.
THRESHOLD = 0.5
# Above this many (removed x added) pairs of one kind only exact renames are looked for, as git gives up
# inexact rename detection past its diff.renameLimit: the comparison stays quick on a large refactor.
PAIR_LIMIT = 250_000

Facts = Counter


def facts(value: Any, prefix: str = "") -> Facts:
    """Give the facts of a dump: each scalar field and each list item as one (field, value) fact."""
    out: Facts = Counter()
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                out += facts(item, f"{prefix}{key}.")
            else:
                out[(f"{prefix}{key}", json.dumps(item, sort_keys=True))] += 1
    elif isinstance(value, list):
        for item in value:
            out[(prefix.rstrip("."), json.dumps(item, sort_keys=True))] += 1
    return out


def _dump(obj: m.Model, exclude: set[str]) -> dict:
    return obj.model_dump(mode="json", exclude=exclude, exclude_defaults=True)


def body_facts(body: str) -> Facts:
    """Give a Markdown body's facts: its lines that are not blank."""
    return Counter(("body", line.strip()) for line in body.splitlines() if line.strip())


def object_facts(obj: m.Model, exclude: set[str]) -> Facts:
    """Give the facts of a persona, playbook, page or metric declaration: its fields and its text's lines."""
    body = getattr(obj, "body", None)
    return facts(_dump(obj, exclude)) + (body_facts(body) if body else Counter())


def touchpoint_facts(stage: str, tp: m.Touchpoint) -> Facts:
    """Give what a touchpoint is made of besides its id: its stage, name, channel, lanes, feeling, evidence..."""
    return facts(_dump(tp, {"id"})) + Counter({("stage", stage): 1})


def journey_facts(journey: m.Journey) -> Facts:
    """Give what a journey is made of besides its id: its fields, stages and every touchpoint's facts."""
    out = facts(_dump(journey, {"id", "stages"}))
    for stage in journey.stages:
        out += facts(_dump(stage, {"touchpoints"}), "stage.")
        for tp in stage.touchpoints:
            out[("touchpoint", tp.id)] += 1
            out += Counter({(f"touchpoint.{k}", v): n for (k, v), n in touchpoint_facts(stage.stage, tp).items()})
    return out


def similarity(a: Facts, b: Facts) -> float:
    """Give how much two objects share, 0..1: twice their shared facts over all their facts."""
    total = sum(a.values()) + sum(b.values())
    return 1.0 if total == 0 else 2 * sum((a & b).values()) / total


def pair_renames(
    removed: Sequence[str],
    added: Sequence[str],
    facts_a: Callable[[str], Facts],
    facts_b: Callable[[str], Facts],
    hinted: Sequence[tuple[str, str]] = (),
) -> list[tuple[str, str]]:
    """Give (old id, new id) pairs: git's renames first, then the most similar pairs at least THRESHOLD alike."""
    pairs = []
    left, right = list(removed), list(added)
    for old, new in hinted:
        if old in left and new in right:
            pairs.append((old, new))
            left.remove(old)
            right.remove(new)
    of_a = {i: facts_a(i) for i in left}
    of_b = {i: facts_b(i) for i in right}
    if len(left) * len(right) > PAIR_LIMIT:  # exact renames only: equal facts
        by_facts: dict[frozenset, list[str]] = {}
        for new in right:
            by_facts.setdefault(frozenset(of_b[new].items()), []).append(new)
        for old in left:
            same = by_facts.get(frozenset(of_a[old].items()))
            if same:
                pairs.append((old, same.pop(0)))
        return pairs
    scored = [
        (-score, i, j, old, new)
        for i, old in enumerate(left)
        for j, new in enumerate(right)
        if (score := similarity(of_a[old], of_b[new])) >= THRESHOLD
    ]
    taken_a: set[str] = set()
    taken_b: set[str] = set()
    for _score, _i, _j, old, new in sorted(scored):
        if old not in taken_a and new not in taken_b:
            pairs.append((old, new))
            taken_a.add(old)
            taken_b.add(new)
    return pairs


def merged_order(before: Sequence[Hashable], after: Sequence[Hashable]) -> dict[Hashable, int]:
    """Give each item of either side its place in one list: the new order, with items only before where they were."""
    merged: list[Hashable] = []
    now = set(after)
    matcher = difflib.SequenceMatcher(None, list(before), list(after), autojunk=False)
    for _op, i1, i2, j1, j2 in matcher.get_opcodes():
        merged += [x for x in before[i1:i2] if x not in now]  # gone: at its old place
        merged += after[j1:j2]
    return {x: n for n, x in enumerate(dict.fromkeys(merged))}
