"""What cxreport reads at most, and how it reads a file without waiting for ever.

A content file, an asset or a metric file is read only when it is a regular file: a named pipe, a socket or a
device in the project is named as such (reading a pipe waits for a writer that never comes). Markdown past
the limits below is refused at its line: within them, Python-Markdown's time grows with a text's length, past
them faster (quadratic in unclosed '[' or '<', worse in nesting). docs/format.md, "Limits", lists them all.
"""

from __future__ import annotations

import bisect
import errno
import os
import re
import stat

import yaml

# Markdown (a body, or a field drawn as Markdown) past these costs Python-Markdown time that grows faster than its
# size (quadratic in '[' or '<', cubic in nesting): refused, so every text renders in time linear in its length.
MAX_VALUES = 100_000  # values (texts, lists, mappings) in one YAML file: a 2-million-item list took 25 s and 776 MB
MAX_MARKDOWN_CHARS = 1_000_000
MAX_MARKDOWN_DEPTH = 20  # '>' quote markers and 4-column indents before a line's text
MAX_PARAGRAPH_OPENERS = 100  # '[' or '<' in one paragraph (lines between blank lines), fenced code aside
MAX_TEXT_ANGLES = 1_000  # '<' in one text, fenced code aside
MAX_UNCLOSED_FENCES = 10  # ``` or ~~~ lines that open no block (never closed): 800 of them took 36 s


class NotAFile(OSError):
    """A path that names a named pipe, socket or device, not a file: never read (reading one can wait for ever)."""


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)
FILE_HINTS = {
    "file-not-found": "check the file name; paths are relative to content/",
    "not-a-file": "remove it, or put a file with this name in its place",
    "file-unreadable": "give the user running cxreport permission to read it (chmod u+r)",
}


def what_it_is(mode: int) -> str:
    """Give what a file that is not a regular one is, in words."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_regular(path: str | os.PathLike) -> int:
    """Give a descriptor of a regular file opened for reading; NotAFile for a pipe, socket, device or folder.

    The file is opened without waiting (a named pipe would block the open until a writer came), then judged by
    what was opened, so a file swapped for a pipe between a check and the open is refused just the same. (On a
    regular file, O_NONBLOCK changes nothing.)
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):  # a device is not even opened (opening some has effects)
        raise NotAFile(errno.EINVAL, f"it is {what_it_is(st.st_mode)}, not a file", os.fspath(path))
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotAFile(errno.EINVAL, f"it is {what_it_is(st.st_mode)}, not a file", os.fspath(path))
    except BaseException:
        os.close(fd)
        raise
    return fd


def not_a_file(path: str | os.PathLike) -> tuple[str, str] | None:
    """Give (code, words) when path names no regular file (links followed), None when it does.

    ('file-not-found', 'does not exist'), or ('not-a-file', 'is a named pipe (FIFO), not a file') and the like.
    """
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return "file-not-found", "does not exist"
    return None if stat.S_ISREG(st.st_mode) else ("not-a-file", f"is {what_it_is(st.st_mode)}, not a file")


def unreadable(path: str | os.PathLike) -> tuple[str, str] | None:
    """Give (code, words) when path cannot be opened and read as a file, None when it can (nothing is read)."""
    bad = not_a_file(path)
    if bad is not None:
        return bad
    try:
        os.close(open_regular(path))
    except OSError as exc:
        return "file-unreadable", f"cannot be read: {exc.strerror or exc}"
    return None


def read_bytes(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """Give a regular file's bytes (NotAFile for anything else); with limit, at most limit + 1 of them."""
    with os.fdopen(open_regular(path), "rb") as f:
        if limit is None:
            return f.read()
        size = os.fstat(f.fileno()).st_size
        data = f.read(min(size, limit) + 1)  # sized to the file: a buffer of the limit for each would cost
        if size < len(data) <= limit:  # it grew while being read
            data += f.read(limit + 1 - len(data))
        return data


_FENCE_LINE = re.compile(r"^(`{3,}|~{3,})")  # as Python-Markdown's fenced_code: at the margin
_DEEP_CANDIDATE = re.compile(rf"^[ \t>]{{{MAX_MARKDOWN_DEPTH},}}", re.MULTILINE)
_PREFIX = re.compile(r"[ \t>]*")
_QUOTE_MARK = re.compile(r"> ?")


def markdown_limit(text: str) -> tuple[int, str, str] | None:
    """Give (line index from 0, message, hint) where Markdown text passes a limit of MAX_MARKDOWN_*, or None.

    Cheap for any text within the limits (a few counts); only a text near one is read line by line.
    """
    if len(text) < MAX_MARKDOWN_DEPTH:
        return None
    if len(text) > MAX_MARKDOWN_CHARS:
        return 0, f"text is too long ({len(text):,} characters; the limit is {MAX_MARKDOWN_CHARS:,})", "split it"
    crowded = text.count("[") > MAX_PARAGRAPH_OPENERS or text.count("<") > MAX_PARAGRAPH_OPENERS
    fences = text.count("```") + text.count("~~~") > MAX_UNCLOSED_FENCES
    if not crowded and not fences and _DEEP_CANDIDATE.search(text) is None:
        return None
    return _markdown_lines(text.split("\n"))


def _markdown_lines(lines: list[str]) -> tuple[int, str, str] | None:
    closers: dict[str, list[int]] = {}  # where each fence could close (Python-Markdown: the same fence, alone)
    for i, line in enumerate(lines):
        if line[:1] in "`~" and _FENCE_LINE.match(line):
            closers.setdefault(line.rstrip(" "), []).append(i)
    skip_to = -1
    brackets, angles, all_angles, unclosed = 0, 0, 0, 0
    for i, line in enumerate(lines):
        if i <= skip_to:
            continue
        opening = _FENCE_LINE.match(line) if line[:1] in "`~" else None
        if opening:  # a fenced block is code: stashed before any other step reads it
            ends = closers.get(opening.group(1), [])
            at = bisect.bisect_right(ends, i)
            if at < len(ends):
                skip_to = ends[at]
                continue
            unclosed += 1  # each one costs Python-Markdown a search to the end of the text
            if unclosed > MAX_UNCLOSED_FENCES:
                return (
                    i,
                    f"text holds more than {MAX_UNCLOSED_FENCES} code fences that are never closed",
                    ("close each ``` or ~~~ block with the same fence on a line of its own"),
                )
        if not line.strip():
            brackets, angles = 0, 0
            continue
        prefix = _PREFIX.match(line).group()  # type: ignore[union-attr]  # matches at least ''
        depth = prefix.count(">") + len(_QUOTE_MARK.sub("", prefix).expandtabs(4)) // 4  # '> ' is one level
        if depth > MAX_MARKDOWN_DEPTH:
            return (
                i,
                f"Markdown nested too deeply ({depth} levels of quotes and indents)",
                (f"nest quotes and lists at most {MAX_MARKDOWN_DEPTH} levels deep; put code in a ``` block"),
            )
        brackets += line.count("[")
        angles += line.count("<")
        all_angles += line.count("<")
        if brackets > MAX_PARAGRAPH_OPENERS or angles > MAX_PARAGRAPH_OPENERS:
            which = "[" if brackets > MAX_PARAGRAPH_OPENERS else "<"
            return (
                i,
                f"paragraph holds more than {MAX_PARAGRAPH_OPENERS} '{which}'",
                ("split the paragraph with a blank line, or put the text in a ``` code block"),
            )
        if all_angles > MAX_TEXT_ANGLES:
            return i, f"text holds more than {MAX_TEXT_ANGLES:,} '<'", "split the text, or put it in a ``` code block"
    return None


_EVENTS_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # only its parser is used: events, no nodes
_VALUE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)


def too_many_values(text: str):
    """Give the mark of the value past MAX_VALUES in text, or None; read as events, before any node is made.

    A value takes at least two characters ('a,'), so a shorter text cannot hold too many and is not read twice.
    """
    if len(text) <= 2 * MAX_VALUES:
        return None
    count = 0
    try:
        for event in yaml.parse(text, Loader=_EVENTS_LOADER):
            if isinstance(event, _VALUE_EVENTS):
                count += 1
                if count > MAX_VALUES:
                    return event.start_mark
    except yaml.YAMLError:
        return None  # composing the text reports it, at its place
    return None
