"""Problems: what is wrong, where, and how to fix it — data, never tracebacks."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"


def printable(text: str) -> str:
    """Give text with control and other invisible characters written as escapes, so content cannot drive a terminal."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}" for ch in text)


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file, at a line and column (1-based; 0 when unknown)."""

    path: str
    line: int
    col: int
    severity: str
    message: str
    hint: str = field(default="", compare=False)
    code: str = field(default="", compare=False)

    def format(self) -> str:
        """Give the problem as `path:line:col: severity: message` plus an indented hint."""
        where = printable(self.path)
        if self.line:
            where += f":{self.line}:{self.col or 1}"
        text = f"{where}: {self.severity}: {printable(self.message)}"
        if self.hint:
            text += f"\n  hint: {printable(self.hint)}"
        return text

    def as_github(self) -> str:
        """Give the problem as a GitHub workflow annotation."""

        def esc(value: str, prop: bool = False) -> str:
            value = printable(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))
            if prop:
                value = value.replace(":", "%3A").replace(",", "%2C")
            return value

        kind = "error" if self.severity == ERROR else "warning"
        props = f"file={esc(self.path, True)}"
        if self.line:
            props += f",line={self.line},col={self.col or 1}"
        msg = self.message + (f" (hint: {self.hint})" if self.hint else "")
        return f"::{kind} {props}::{esc(msg)}"


class Problems:
    """A growing, ordered collection of problems from every stage of a run."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def add(self, path: str, line: int, col: int, message: str, hint: str = "", severity: str = ERROR, code: str = "") -> Problem:
        p = Problem(path, line, col, severity, message, hint, code)
        self._items.append(p)
        return p

    def error(self, path: str, line: int, col: int, message: str, hint: str = "", code: str = "") -> Problem:
        return self.add(path, line, col, message, hint, ERROR, code)

    def warning(self, path: str, line: int, col: int, message: str, hint: str = "", code: str = "") -> Problem:
        return self.add(path, line, col, message, hint, WARNING, code)

    def extend(self, items: Iterable[Problem]) -> None:
        self._items.extend(items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(self._items)

    def sorted(self) -> list[Problem]:
        """Give the problems sorted by file, line and column, duplicates dropped."""
        seen: set[tuple] = set()
        out = []
        for p in sorted(self._items, key=lambda p: (p.path, p.line, p.col, p.severity, p.message)):
            key = (p.path, p.line, p.col, p.severity, p.message)
            if key not in seen:
                seen.add(key)
                out.append(p)
        return out

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.sorted() if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.sorted() if p.severity == WARNING]

    def failed(self, strict: bool = False) -> bool:
        """Tell whether the run must stop: any error, or any warning under strict."""
        return bool(self.errors) or (strict and bool(self.warnings))

    def as_json(self) -> str:
        items = [asdict(p) for p in self.sorted()]
        text = json.dumps(items, ensure_ascii=False, indent=2)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a file name with bytes that are not UTF-8: written as \u escapes, still JSON
            text = json.dumps(items, ensure_ascii=True, indent=2)
        return text


def did_you_mean(word: str, choices: Iterable[str], what: str = "") -> str:
    """Give a hint naming the nearest choices to a misspelt word, or listing the valid ones."""
    choices = sorted(set(choices))
    close = difflib.get_close_matches(str(word), choices, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    if not choices:
        return f"there are no {what} defined" if what else ""
    shown = ", ".join(f"'{c}'" for c in choices[:12])
    more = f" (and {len(choices) - 12} more)" if len(choices) > 12 else ""
    return f"valid {what + ' ' if what else ''}values: {shown}{more}"


class ProjectError(Exception):
    """Raised to stop a run when the project cannot be read at all (the problems say why)."""

    def __init__(self, problems: Problems) -> None:
        super().__init__("project has problems")
        self.problems = problems
