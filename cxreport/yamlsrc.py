"""Safe YAML and front matter reading that keeps every value's line.

PyYAML is only used to *compose* a node graph (never to construct Python
objects), so no tag can run code. The walk below builds plain data — dicts,
lists, text and None — and records where each value sits. Plain scalars stay
text: the model's field types decide what a number or a boolean is, so YAML
1.1 surprises (`no` -> False, `0555` -> 365, `10:30` -> 630) cannot happen.
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .limits import FILE_HINTS, MAX_MARKDOWN_DEPTH, MAX_VALUES, NotAFile, markdown_limit, read_bytes, too_many_values
from .problems import Problems

_Base: type[yaml.SafeLoader] | type[yaml.CSafeLoader]
try:  # the C loader is several times faster; fall back to pure Python when absent
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Base = yaml.SafeLoader

_STR, _SEQ, _MAP, _MERGE = ("tag:yaml.org,2002:" + t for t in ("str", "seq", "map", "merge"))


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """A composer only: plain scalars stay text, so implicit type resolution is skipped (it is slow, too)."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            return _MERGE if implicit[0] and value == "<<" else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ALIAS_NODES = 10_000
MAX_DEPTH = 64

_YAML_NS = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {
    _YAML_NS + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary", "merge", "value")
}
_NULLS = {"", "~", "null", "Null", "NULL"}

PathKey = tuple  # a path into the data: keys and list indexes


class Locator:
    """Where each value (and each mapping key) of one YAML document sits in its file.

    Positions are only needed when something is wrong, and recording one for every value of every file
    costs a large handbook a quarter of its loading time and hundreds of megabytes. So a file that parsed
    cleanly gets a locator that keeps only its text and reads the positions again the first time they
    are asked for (the same walk over the same text gives the same data and positions).
    """

    __slots__ = ("_keys", "_source", "_values")

    def __init__(
        self,
        values: dict[PathKey, tuple[int, int]] | None = None,
        keys: dict[PathKey, tuple[int, int]] | None = None,
        *,
        source: tuple[str, int] | None = None,
    ) -> None:
        self._source = source  # (text, line offset) to read the positions from, while they are not read yet
        self._values = values if values is not None or source is not None else {}
        self._keys = keys if keys is not None or source is not None else {}

    @property
    def values(self) -> dict[PathKey, tuple[int, int]]:
        return self._values if self._values is not None else self._read()[0]

    @property
    def keys(self) -> dict[PathKey, tuple[int, int]]:
        return self._keys if self._keys is not None else self._read()[1]

    def _read(self) -> tuple[dict[PathKey, tuple[int, int]], dict[PathKey, tuple[int, int]]]:
        """Read the positions from the text kept (only a locator made from text has none yet) and give them."""
        assert self._source is not None
        text, offset = self._source
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        values: dict[PathKey, tuple[int, int]] = {}
        keys: dict[PathKey, tuple[int, int]] = {}
        self._values, self._keys = values, keys
        _Walker(self, offset, _Lines(text), record=True).walk(node, ())
        self._source = None
        return values, keys

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Locator) and (self.values, self.keys) == (other.values, other.keys)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "Locator(not read yet)" if self._source is not None else f"Locator({len(self.values)} values)"

    def at(self, path: PathKey) -> tuple[int, int]:
        """Give (line, col) of the value at path, or of its nearest enclosing value."""
        values = self.values
        path = tuple(path)
        while path:
            if path in values:
                return values[path]
            path = path[:-1]
        return values.get((), (1, 1))

    def key_at(self, path: PathKey) -> tuple[int, int]:
        """Give (line, col) of the key naming path, else of the value or its parent."""
        path = tuple(path)
        if path in self.keys:
            return self.keys[path]
        return self.at(path)


# YAML 1.1 also breaks lines at NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR; editors, git and CI annotations do not.
_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")
_EDITOR_BREAK = re.compile(r"\r\n|\r|\n")


class _Lines:
    """Turns a YAML mark into the (line, col) an editor shows, where YAML's own count of lines differs."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in _EDITOR_BREAK.finditer(text)] if _YAML_ONLY_BREAKS.search(text) else None

    def at(self, mark) -> tuple[int, int]:
        """Give 1-based (line, col) of a mark (or of a character index)."""
        index = mark if isinstance(mark, int) else mark.index
        if self.starts is None and not isinstance(mark, int):
            return mark.line + 1, mark.column + 1
        starts = self.starts or [0]
        line = bisect.bisect_right(starts, index)
        return line, index - starts[line - 1] + 1

    @staticmethod
    def plain_at(text: str, index: int) -> tuple[int, int]:
        """Give 1-based (line, col) of a character index, lines broken as editors break them."""
        head = text[:index]
        breaks = list(_EDITOR_BREAK.finditer(head))
        return len(breaks) + 1, index - (breaks[-1].end() if breaks else 0) + 1


class _Noted(Exception):
    """A walk without positions met something to report (a duplicate key): walk again with them."""


class _Refused(Exception):
    def __init__(self, line: int, col: int, message: str, hint: str = "", *, code: str) -> None:
        super().__init__(message)
        self.line, self.col, self.message, self.hint, self.code = line, col, message, hint, code


def read_text(path: Path, rel: str, problems: Problems, limit: int = MAX_FILE_BYTES) -> str | None:
    """Give a file's text decoded as UTF-8 (byte-order mark dropped), or None with a problem."""
    try:
        data = read_bytes(path, limit)
    except NotAFile as exc:
        problems.error(
            rel,
            0,
            0,
            f"cannot read file: {exc.strerror}",
            FILE_HINTS["not-a-file"],
            code="not-a-file",
        )
        return None
    except OSError as exc:
        problems.error(
            rel,
            0,
            0,
            f"cannot read file: {exc.strerror or exc}",
            "check that the file exists and is readable",
            code="file-unreadable",
        )
        return None
    if len(data) > limit:
        size = os.path.getsize(path) if os.path.exists(path) else len(data)
        problems.error(
            rel,
            1,
            1,
            f"file is too large ({size / 1_048_576:.1f} MB; the limit is {limit // 1_048_576} MB)",
            "split it into several files",
            code="file-too-large",
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.error(
            rel,
            line,
            col,
            f"file is not UTF-8 text (byte 0x{data[exc.start]:02X} cannot be read)",
            "save the file as UTF-8 in your editor (e.g. 'Save with encoding: UTF-8')",
            code="file-encoding",
        )
        return None
    text = text.removeprefix("\ufeff")
    return text


def parse_yaml(text: str, rel: str, problems: Problems, line_offset: int = 0, kind: str = "file") -> tuple[Any, Locator] | None:
    """Give (data, locator) of a single YAML document, or None after adding its problems."""
    lines = _Lines(text)
    crowded = too_many_values(text)
    if crowded is not None:
        line, col = lines.at(crowded)
        problems.error(
            rel,
            line + line_offset,
            col,
            f"{kind} holds more than {MAX_VALUES:,} values (this one is past the limit)",
            "split the file, or write long lists as text",
            code="yaml-too-many-values",
        )
        return None
    try:
        loader = _Loader(text)
        try:
            if not loader.check_node():
                _report_empty(rel, problems, line_offset, kind)
                return None
            node = loader.get_node()
            if loader.check_node():
                extra = loader.get_node()
                line = lines.at(extra.start_mark)[0] + line_offset if extra is not None else 1
                problems.error(
                    rel,
                    line,
                    1,
                    f"{kind} holds several YAML documents (a second one starts here)",
                    "keep one document per file: remove the '---' line, or split the file",
                    code="yaml-several-documents",
                )
                return None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        _report_syntax_error(exc, text, lines, rel, problems, line_offset)
        return None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other control characters)
        line, col = lines.at(exc.position) if lines.starts else _Lines.plain_at(text, exc.position)
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        problems.error(
            rel,
            line + line_offset,
            col,
            f"YAML cannot be read: character U+{char:04X} is not allowed in YAML",
            "remove the control character (it is invisible in most editors)",
            code="yaml-forbidden-character",
        )
        return None
    except yaml.YAMLError as exc:
        problems.error(rel, 1 + line_offset, 1, f"YAML cannot be read: {exc}", code="yaml-syntax")
        return None
    if node is None:
        _report_empty(rel, problems, line_offset, kind)
        return None
    # first without recording positions (the usual case: nothing wrong); where something is, walk again
    # recording them, so each problem names its line exactly
    loc = Locator(source=(text, line_offset))
    try:
        data = _Walker(loc, line_offset, lines, record=False, anchors="&" in text).walk(node, ())
        return data, loc
    except (_Refused, _Noted, RecursionError):
        pass
    loc = Locator()
    walker = _Walker(loc, line_offset, lines)
    try:
        data = walker.walk(node, ())
    except _Refused as exc:
        problems.error(rel, exc.line, exc.col, exc.message, exc.hint, code=exc.code)
        return None
    except RecursionError:
        problems.error(rel, 1 + line_offset, 1, "YAML is nested too deeply", code="yaml-too-deep")
        return None
    for line, col, message, hint, code in walker.problems:  # duplicate keys: report, and read on for the rest
        problems.error(rel, line, col, message, hint, code=code)
    return data, loc


def _report_empty(rel: str, problems: Problems, line_offset: int, kind: str) -> None:
    problems.error(
        rel,
        1 + line_offset,
        1,
        f"{kind} is empty",
        "write the fields of this file; see docs/format.md",
        code="front-matter-empty" if kind == "front matter" else "yaml-empty",
    )


def _report_syntax_error(
    exc: yaml.MarkedYAMLError, text: str, lines: _Lines, rel: str, problems: Problems, line_offset: int
) -> None:
    """Add the problem of YAML that cannot be parsed, at the character that stopped it."""
    mark = exc.problem_mark or exc.context_mark
    line, col = lines.at(mark) if mark else (1, 1)
    src_lines = _EDITOR_BREAK.split(text)
    src_line = src_lines[line - 1] if line - 1 < len(src_lines) else ""
    line += line_offset
    if "\t" in src_line[: len(src_line) - len(src_line.lstrip())] or "'\\t'" in str(exc.problem):
        problems.error(
            rel, line, col, "tab character used for indentation", "indent YAML with spaces only", code="yaml-tab-indent"
        )
    elif any(_YAML_ONLY_BREAKS.search(near) for near in src_lines[max(line - 2 - line_offset, 0) : line - line_offset]):
        # the separator made YAML see a line break that the file does not show: point at the separator
        at = next(
            i
            for i in range(line - line_offset - 1, max(line - 2 - line_offset, 0) - 1, -1)
            if i < len(src_lines) and _YAML_ONLY_BREAKS.search(src_lines[i])
        )
        separator = _YAML_ONLY_BREAKS.search(src_lines[at])
        assert separator is not None  # the line was chosen for holding one
        line, col = at + 1 + line_offset, separator.start() + 1
        problems.error(
            rel,
            line,
            col,
            f"YAML syntax error: {exc.problem or exc.context or 'cannot be read'}",
            "this line holds a line or paragraph separator (U+2028, U+2029 or U+0085), which YAML reads "
            "as a line break: put the text in double quotes, or remove the character",
            code="yaml-syntax",
        )
    else:
        what = exc.problem or exc.context or "cannot be read"
        problems.error(
            rel,
            line,
            col,
            f"YAML syntax error: {what}",
            "check the indentation, and put text that contains ': ' or starts with a special character in quotes",
            code="yaml-syntax",
        )


class _Walker:
    """Turns a composed node graph into plain data, guarding against bombs and cycles."""

    def __init__(self, loc: Locator, offset: int, lines: _Lines | None = None, record: bool = True, anchors: bool = True) -> None:
        self.loc = loc
        self.record = record  # without: no positions kept, and anything to report stops the walk (_Noted)
        self.anchored = anchors  # False: the text has no '&', so no anchor, so no alias: no node is met twice
        self.lines = lines
        self.offset = offset
        self.alias_nodes = 0
        self.active: set[int] = set()
        self.walked: set[int] = set()  # nodes met before: meeting one again means an alias
        self.problems: list[tuple[int, int, str, str, str]] = []  # line, col, message, hint, code

    def pos(self, node: yaml.Node) -> tuple[int, int]:
        if self.lines is not None and self.lines.starts is not None:
            line, col = self.lines.at(node.start_mark)
            return line + self.offset, col
        return node.start_mark.line + 1 + self.offset, node.start_mark.column + 1

    def walk(self, node: yaml.Node, path: PathKey, via_alias: bool = False, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise _Refused(
                *self.pos(node), "YAML is nested too deeply", f"at most {MAX_DEPTH} levels are read", code="yaml-too-deep"
            )
        if self.anchored:
            via_alias = self.met(node, path, via_alias)
        if self.record and path not in self.loc.values:
            self.loc.values[path] = self.pos(node)
        if node.tag not in _ALLOWED_TAGS and node.tag != "!":
            tag = node.tag.replace(_YAML_NS, "!!", 1)
            raise _Refused(
                *self.pos(node),
                f"YAML tag '{tag}' is not allowed",
                "remove the tag; cxreport reads plain text, numbers, lists and mappings only",
                code="yaml-forbidden-tag",
            )
        if isinstance(node, yaml.ScalarNode):
            if not node.style and node.value in _NULLS:  # plain style: None (Python parser) or '' (libyaml)
                return None
            if len(node.value) >= MAX_MARKDOWN_DEPTH:  # a text a page may draw as Markdown: within its limits
                self.check_markdown(node)
            return node.value
        if self.anchored:
            self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.walk(child, path + (i,), via_alias, depth + 1) for i, child in enumerate(node.value)]
            assert isinstance(node, yaml.MappingNode)  # the composer makes only scalars, sequences and mappings
            return self.walk_mapping(node, path, via_alias, depth)
        finally:
            self.active.discard(id(node))

    def met(self, node: yaml.Node, path: PathKey, via_alias: bool) -> bool:
        """Tell whether the node is reached through an alias; refuse a recursive alias and an alias bomb."""
        if id(node) in self.active:
            if not self.record:
                raise _Noted
            raise _Refused(
                *self.loc.key_at(path),
                "an anchor refers to itself (a recursive alias)",
                "an alias (*name) may only refer to an anchor (&name) defined before and outside it",
                code="yaml-recursive-alias",
            )
        if id(node) in self.walked:
            via_alias = True
        self.walked.add(id(node))
        if via_alias:
            self.alias_nodes += 1
            if self.alias_nodes > MAX_ALIAS_NODES:
                if not self.record:
                    raise _Noted
                # the shared node sits at its anchor; name the top-level key whose aliases blew up
                raise _Refused(
                    *self.loc.key_at(path[:1]),
                    "aliases expand to too many values (an alias bomb?)",
                    f"at most {MAX_ALIAS_NODES} values may come from aliases (*name); write the values out",
                    code="yaml-alias-bomb",
                )
        return via_alias

    def check_markdown(self, node: yaml.ScalarNode) -> None:
        over = markdown_limit(node.value)
        if over is not None:
            line, col = self.pos(node)
            index, message, hint = over
            if node.style == "|":  # a literal block keeps its lines: name the one past the limit
                line, col = line + 1 + index, 1
            raise _Refused(line, col, message, hint, code="markdown-limit")

    def walk_mapping(self, node: yaml.MappingNode, path: PathKey, via_alias: bool, depth: int) -> dict:
        out: dict[str, Any] = {}
        seen: dict[str, tuple[int, int]] = {}
        merged: dict[str, tuple[int, int]] = {}
        merges: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _YAML_NS + "merge":
                merges.append((key_node, value_node))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(
                    *self.pos(key_node),
                    "a mapping key must be a plain word, not a list or mapping",
                    "write 'name: value' with a simple name",
                    code="yaml-complex-key",
                )
            key = key_node.value
            if not self.record:
                if key in seen:
                    raise _Noted
                seen[key] = (0, 0)  # only whether it was seen counts here
                out[key] = self.walk(value_node, path + (key,), via_alias, depth + 1)
                continue
            kpos = self.pos(key_node)
            if key in seen:
                line0 = seen[key][0]
                self.problems.append(
                    (
                        kpos[0],
                        kpos[1],
                        f"duplicate key '{key}' (first on line {line0}, again on line {kpos[0]})",
                        "keep one of them: YAML silently keeps only the last",
                        "yaml-duplicate-key",
                    )
                )
                continue
            seen[key] = kpos
            self.loc.keys[path + (key,)] = kpos
            out[key] = self.walk(value_node, path + (key,), via_alias, depth + 1)
        for key_node, value_node in merges:
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for src in sources:
                if not isinstance(src, yaml.MappingNode):
                    raise _Refused(
                        *self.pos(src),
                        "'<<' (merge) needs a mapping or a list of mappings",
                        "write '<<: *anchor' where &anchor names a mapping",
                        code="yaml-bad-merge",
                    )
                data = self.walk(src, path + ("<<",), True, depth + 1)
                if not self.record:
                    raise _Noted  # merges are rare: read them with positions
                kpos = self.pos(key_node)
                for k, v in data.items():
                    if k in seen:
                        continue  # an explicit key overrides a merged one: the purpose of '<<'
                    if k in merged:
                        line0 = merged[k][0]
                        self.problems.append(
                            (
                                kpos[0],
                                kpos[1],
                                f"duplicate key '{k}' through '<<' merges "
                                f"(first merged on line {line0}, again on line {kpos[0]})",
                                "merge mappings that do not share keys, or write the key out",
                                "yaml-duplicate-key",
                            )
                        )
                        continue
                    merged[k] = kpos
                    out[k] = v
                    self.loc.keys.setdefault(path + (k,), kpos)
                    self.loc.values.setdefault(path + (k,), kpos)
        return out


_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")


@dataclass(frozen=True)
class FrontMatter:
    """A Markdown file split into its front matter data and its body."""

    data: dict
    locator: Locator
    body: str
    body_line: int


def parse_front_matter(text: str, rel: str, problems: Problems) -> FrontMatter | None:
    """Give the front matter and body of a Markdown file, or None after adding its problems."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0].rstrip("\r")):
        problems.error(
            rel,
            1,
            1,
            "file has no front matter",
            "start the file with a line '---', then fields such as 'title: …', then a closing '---' line",
            code="front-matter-missing",
        )
        return None
    for i in range(1, len(lines)):
        if _CLOSE.match(lines[i].rstrip("\r")):
            end = i
            break
    else:
        problems.error(
            rel,
            1,
            1,
            "front matter is never closed",
            "add a line '---' after the last front matter field",
            code="front-matter-unclosed",
        )
        return None
    fm_text = "\n".join(lines[1:end]) + "\n"
    if not fm_text.strip():
        problems.error(
            rel, 1, 1, "front matter is empty", "write at least 'title: …' between the '---' lines", code="front-matter-empty"
        )
        return None
    parsed = parse_yaml(fm_text, rel, problems, line_offset=1, kind="front matter")
    if parsed is None:
        return None
    data, loc = parsed
    if not isinstance(data, dict):
        line, col = loc.at(())
        problems.error(
            rel,
            line,
            col,
            "front matter must be a mapping of fields (name: value)",
            "write e.g. 'title: My playbook'",
            code="not-a-mapping",
        )
        return None
    body = "\n".join(lines[end + 1 :])
    over = markdown_limit(body)
    if over is not None:
        index, message, hint = over
        problems.error(rel, end + 2 + index, 1, message, hint, code="markdown-limit")
        return None
    return FrontMatter(data, loc, body, end + 2)


def editor_lines(text: str) -> list[str]:
    """Give the lines of a text as editors (and a Locator's positions) count them."""
    return _EDITOR_BREAK.split(text)


def char_at(lines: list[str], line: int, col: int) -> str:
    """Give the character at a (line, col) as a Locator gives it, in the text editor_lines split, or ''."""
    return lines[line - 1][col - 1 : col] if 0 < line <= len(lines) and col > 0 else ""
