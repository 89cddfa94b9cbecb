"""A comparison in words: text for a terminal, Markdown for a pull-request comment, JSON for tools."""

from __future__ import annotations

import html
import json
from dataclasses import replace
from typing import Any

from .compare import ACTIONS, KINDS, PLURAL, Change, Comparison, Side

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
    "average_feeling": "average feeling",
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


def shown_changes(change: Change, new_stages: set[tuple[str | None, str | None]]) -> Change:
    """Give the change as text and Markdown show it: a touchpoint added in a new stage without its 'stage' line,
    since the stage's own line stands just above it (a new stage is shown once)."""
    if change.kind == "touchpoint" and change.action == "added":
        kept = [f for f in change.changes if not (f["field"] == "stage" and (change.journey, f.get("to")) in new_stages)]
        return replace(change, changes=kept)
    return change


def new_stages(comparison: Comparison) -> set[tuple[str | None, str | None]]:
    """Give the (journey, stage) pairs of the stages added to a journey."""
    return {(c.journey, c.id) for c in comparison.changes if c.kind == "stage" and c.action == "added"}


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
    """Give (journey change or None, kind, changes) groups: each journey with its stages and touchpoints, then the rest."""
    journeys = [c for c in comparison.changes if c.kind == "journey"]
    inner = [c for c in comparison.changes if c.kind in ("stage", "touchpoint")]
    groups: list[tuple[Change | None, str, list[Change]]] = []
    for j in journeys:
        # in journey order: each stage's change just before its touchpoints'
        groups.append((j, "journey", sorted((c for c in inner if c.journey == j.id), key=lambda c: c.position)))
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
    fresh = new_stages(comparison)
    for journey, _kind, items in _groups(comparison):
        for top in [journey] if journey else items:
            out.append(headline(top))
            out += ["  " + line for line in detail_lines(top)]
            if journey:
                for c in items:
                    out.append("  " + headline(c))
                    out += ["    " + line for line in detail_lines(shown_changes(c, fresh))]
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
    fresh = new_stages(comparison)
    for journey, kind, items in _groups(comparison):
        if journey and not journey.changes and not items:
            plain.append(f"- {headline(journey, md_escape, strong, code)}")
            continue
        if journey:
            summary = headline(journey, md_escape, strong, code)
            body = [f"- {line}" for line in detail_lines(journey, **bullets)]
            for c in items:
                body.append(f"- {headline(c, md_escape, strong, code)}")
                body += [f"  - {line}" for line in detail_lines(shown_changes(c, fresh), **bullets)]
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
