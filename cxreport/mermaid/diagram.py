"""A Mermaid user journey diagram read from text (the whole file, or the first ```mermaid block holding one)."""

from __future__ import annotations

import html
import math
import re
import textwrap
import unicodedata
from dataclasses import dataclass, field

from cxreport.problems import Problems
from cxreport.yamlsrc import parse_yaml

_ENTITY = re.compile(r"#(\w+);")
# A line break in a Mermaid name (<br>, <br/>, <br />, </br>, any case), drawn as one by Mermaid; one line here.
_LINE_BREAK = re.compile(r"[ \t]*<\s*/?\s*br\s*/?\s*>[ \t]*", re.IGNORECASE)
# A Markdown fence opening a Mermaid block: ```mermaid, and the documentation's ```mermaid-example / -nocode.
_COMMENT_LINE = re.compile(r"\s*%%")
_DESCR_BLOCK = re.compile(r"\s*accDescr\s*\{", re.IGNORECASE)
_FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})\s*mermaid(?:-[a-z]+)?(?:\s.*)?$", re.IGNORECASE)


class MermaidError(Exception):
    """A diagram cxreport cannot read, with the line it stops at."""

    def __init__(self, line: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


@dataclass
class Task:
    """A Mermaid journey task: a touchpoint."""

    name: str
    score: float
    actors: list[str]
    line: int = 0


@dataclass
class Section:
    """A Mermaid journey section: a stage."""

    name: str
    tasks: list[Task] = field(default_factory=list)
    line: int = 0


@dataclass
class Diagram:
    """A Mermaid user journey diagram, as its meaning: title, sections, tasks, scores, actors."""

    title: str | None
    sections: list[Section]
    description: str | None = None
    acc_title: str | None = None

    def meaning(self) -> tuple:
        """Give what a reader sees: (title, ((section, ((task, score, actors), ...)), ...))."""
        return (self.title, tuple((s.name, tuple((t.name, t.score, tuple(t.actors)) for t in s.tasks)) for s in self.sections))


# --- text helpers -------------------------------------------------------------------


def _decode_entity(match: re.Match) -> str:
    name = match.group(1)
    if name.isdigit():
        code = int(name)
        return chr(code) if 0 < code < 0x110000 else match.group(0)
    decoded = html.unescape(f"&{name};")
    return match.group(0) if decoded.startswith("&") else decoded


def decode(text: str) -> str:
    """Give text with Mermaid's entity codes (`#58;`, `#amp;`) turned into characters."""
    return _ENTITY.sub(_decode_entity, text)


def encode(text: str, chars: str = "#:;") -> str:
    """Give text safe as a Mermaid journey name, on one line: chars (`#`, `:`, `;`) as entity codes (`#58;`), and
    the first '%' of '%%' too, which would start a comment."""
    text = " ".join(text.split())
    return "".join(f"#{ord(ch)};" if ch in chars else ch for ch in text).replace("%%", "#37;%")


def fold(text: str) -> str:
    """Give text for matching names: accents dropped, case folded, spaces, '-' and '_' alike."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.split(r"[\s_-]+", text)).strip()


def slugify(text: str, fallback: str = "item") -> str:
    """Give an id (`^[a-z0-9][a-z0-9_-]*$`) made from text."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-")
    return slug or fallback


def unique(slug: str, taken: set[str]) -> str:
    """Give slug, or slug-2, slug-3 … when taken; record it as taken."""
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate


# --- reading a diagram ----------------------------------------------------------------


def _lines(text: str) -> list[str]:
    """Give the lines as Mermaid sees them: split at newlines only (not at U+2028 and the like)."""
    return [line.rstrip("\r") for line in text.split("\n")]


def _strip_comment(line: str) -> str:
    line = re.sub(r"%%(?!\{).*$", "", line)
    return line.split("#", 1)[0]  # entity codes are hidden before this runs


def _mermaid_block(text: str) -> tuple[str, int]:
    """Give the diagram text and the line it starts on: the whole file, or the first Mermaid block holding a journey
    (fenced ```mermaid, or ```mermaid-example and ```mermaid-nocode as Mermaid's own documentation writes it)."""
    lines = _lines(text)
    for i, line in enumerate(lines):
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group("fence")
            body = []
            for j in range(i + 1, len(lines)):
                closing = lines[j].strip()
                if closing.startswith(fence) and closing.strip(fence[0]) == "":
                    break
                body.append(lines[j])
            if any(re.match(r"^\s*journey\s*$", b, re.IGNORECASE) for b in body):
                return "\n".join(body), i + 1
    return text, 0


def _front_matter(lines: list[str], offset: int) -> tuple[str | None, int]:
    """Give the title of Mermaid's front matter ('---' lines, indented or not, after any blank lines; only its title
    is used) and the line after it."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != "---":
        return None, 0
    for i in range(first + 1, len(lines)):
        if lines[i].strip() == "---":
            block = textwrap.dedent("\n".join(lines[first + 1 : i]))
            problems = Problems()
            parsed = parse_yaml(block, "front matter", problems, kind="front matter") if block.strip() else (None, None)
            if parsed is None:
                p = problems.errors[0]
                raise MermaidError(offset + first + 1 + p.line, f"front matter: {p.message}", p.hint)
            data = parsed[0]
            title = data.get("title") if isinstance(data, dict) else None
            return (_one_line(title) if isinstance(title, str) else None), i + 1
    raise MermaidError(offset + first + 1, "front matter ('---') is never closed", "end it with a line '---'")


def _one_line(text: str) -> str:
    """Give a name on one line: each of Mermaid's <br> line breaks as one space."""
    return _LINE_BREAK.sub(" ", text).strip()


def _restore(s: str) -> str:
    """Give a statement's text with the entity codes hidden from comment stripping put back and decoded."""
    return _one_line(decode(s.replace("\x00", "#").replace("\x01", ";")))


def _task(number: int, line: str) -> Task:
    """Give the task a line 'Task name: score: actor, actor' states."""
    name, data = line.split(":", 1)
    pieces = data.split(":")
    score_text = _restore(pieces[0])
    try:
        score = float(score_text)
    except ValueError:
        score = math.nan
    if not math.isfinite(score) or not 0 <= score <= 5:
        raise MermaidError(
            number,
            f"task '{_restore(name)}' has score '{score_text}'; a score is a number from 1 to 5",
            "write 'Task name: 4: Actor'",
        )
    actors = [_restore(a) for a in pieces[1].split(",")] if len(pieces) > 1 else []
    return Task(_restore(name), int(score) if score.is_integer() else score, [a for a in actors if a], number)


@dataclass
class _Reader:
    """The diagram as read so far, line by line."""

    title: str | None
    description: str | None = None
    acc_title: str | None = None
    sections: list[Section] = field(default_factory=list)
    seen_journey: bool = False
    multiline_descr: list[str] | None = None

    def read(self, number: int, raw: str) -> None:
        """Take one line of the diagram (number: its line in the file). After an `accDescr {…}` block's '}' the
        line goes on (`}title My day`), as Mermaid reads it; positions, not copies, so a long line stays linear."""
        pos: int | None = 0
        while pos is not None:
            pos = self._take(number, raw, pos)

    def _take(self, number: int, raw: str, pos: int) -> int | None:
        """Take the line from pos on; give where to go on reading it (after an `accDescr {…}` block), or None."""
        if self.multiline_descr is not None:
            end = raw.find("}", pos)
            self.multiline_descr.append(raw[pos:] if end < 0 else raw[pos:end])
            if end < 0:
                return None
            self.description = " ".join(_one_line(decode(" ".join(self.multiline_descr))).split()) or None
            self.multiline_descr = None
            return end + 1
        if _COMMENT_LINE.match(raw, pos):
            return None
        opening = _DESCR_BLOCK.match(raw, pos) if self.seen_journey else None
        if opening:  # its text may hold ';' and '#': read from the raw line
            self.multiline_descr = []
            return opening.end()
        hidden = _ENTITY.sub(lambda mt: "\x00" + mt.group(1) + "\x01", raw[pos:])
        line = _strip_comment(hidden).strip()
        if not line:
            return None
        if not self.seen_journey:
            if line.lower() != "journey":
                raise MermaidError(
                    number,
                    f"not a Mermaid user journey: the diagram starts with '{_restore(line)[:40]}'",
                    "a user journey starts with a line 'journey'",
                )
            self.seen_journey = True
            return None
        if ";" in line:
            raise MermaidError(number, "';' is not allowed in a Mermaid journey", "write it as #59;")
        self._statement(number, line)
        return None

    def _statement(self, number: int, line: str) -> None:
        """Take a title, accessibility, section or task statement (keywords in any case, as Mermaid reads them)."""
        if re.match(r"^title\s", line, re.IGNORECASE):
            self.title = _restore(line[6:])
        elif re.match(r"^accTitle\s*:", line, re.IGNORECASE):
            self.acc_title = _restore(line.split(":", 1)[1]) or None
        elif re.match(r"^accDescr\s*:", line, re.IGNORECASE):
            self.description = _restore(line.split(":", 1)[1]) or None
        elif re.match(r"^section\s", line, re.IGNORECASE):
            name = line[8:]
            if ":" in name:
                raise MermaidError(number, "a section name may not contain ':'", "write it as #58;")
            self.sections.append(Section(_restore(name), [], number))
        elif ":" in line:
            task = _task(number, line)
            if not self.sections:
                raise MermaidError(
                    number, f"task '{task.name}' comes before any section", "add a line 'section <stage name>' above it"
                )
            self.sections[-1].tasks.append(task)
        else:
            raise MermaidError(
                number,
                f"cannot read '{_restore(line)[:60]}': not a title, section or task",
                "a task is written 'Task name: score: actor, actor'",
            )


def parse_mermaid(text: str) -> Diagram:
    """Give the user journey diagram in text, or raise MermaidError at the first line it cannot read."""
    text = text.lstrip("\ufeff")
    text, offset = _mermaid_block(text)
    lines = _lines(text)
    title, start = _front_matter(lines, offset)
    reader = _Reader(title)
    for i in range(start, len(lines)):
        reader.read(offset + i + 1, lines[i])
    last = offset + max((i + 1 for i, line in enumerate(lines) if line.strip()), default=1)
    if reader.multiline_descr is not None:
        raise MermaidError(last, "accDescr { … is never closed", "end it with '}'")
    if not reader.seen_journey:
        raise MermaidError(
            offset + 1, "not a Mermaid user journey: no line 'journey'", "a user journey starts with a line 'journey'"
        )
    if not reader.sections:
        raise MermaidError(last, "the journey has no sections", "add 'section <stage name>' lines with tasks under them")
    return Diagram(reader.title, reader.sections, reader.description, reader.acc_title)
