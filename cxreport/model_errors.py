"""Pydantic validation errors turned into problems at the line of the offending key or value."""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError, create_model
from pydantic.fields import FieldInfo

from . import model as m
from .problems import Problems, did_you_mean
from .yamlsrc import Locator

_ID_HINT = "an id uses lowercase letters, digits, '-' and '_', and starts with a letter or digit"
_FEELING = "-2 (very negative) to 2 (very positive)"
_DECIMAL_COMMA = re.compile(r"\s*[-+]?\d+,\d+\s*")  # a number written with a decimal comma: the number's own hint
_PLAIN_LABEL = re.compile(r"[^\W_][\w .'-]{0,40}")  # words that read the same inside {score: N, label: …}


def _unwrap(tp: Any) -> list[Any]:
    """Give the concrete types inside Annotated, Optional and Union."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        out = []
        for arg in typing.get_args(tp):
            out.extend(_unwrap(arg))
        return out
    return [tp]


def _types_at(cls: type[BaseModel], loc: tuple) -> list[Any]:
    """Give the concrete types the value at loc inside a model may have."""
    current: list[Any] = [cls]
    for part in loc:
        nxt: list[Any] = []
        for tp in current:
            origin = typing.get_origin(tp)
            if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
                f = tp.model_fields.get(part)
                if f is not None:
                    nxt.extend(_unwrap(f.annotation))
            elif origin in (tuple, list) and isinstance(part, int):
                args = [a for a in typing.get_args(tp) if a is not Ellipsis]
                for a in args:
                    nxt.extend(_unwrap(a))
            elif origin is dict and isinstance(part, str):
                nxt.extend(_unwrap(typing.get_args(tp)[1]))
        current = [t for c in nxt for t in _unwrap(c)]
    return current


def fields_at(cls: type[BaseModel], loc: tuple) -> list[str]:
    """Give the valid field names of the mapping at loc inside a model, or [] when unknown."""
    names: list[str] = []
    for tp in _types_at(cls, loc):
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            names.extend(tp.model_fields)
    return [n for n in names if n != "body"]


def _field_at(cls: type[BaseModel], loc: tuple) -> tuple[type[BaseModel], FieldInfo] | None:
    """Give the model and field the value at loc belongs to, or None when loc names no model field."""
    if not loc or not isinstance(loc[-1], str):
        return None
    return _field_of(cls, tuple(0 if isinstance(p, int) else p for p in loc))  # every item of a list is alike


@functools.lru_cache(maxsize=1024)
def _field_of(cls: type[BaseModel], loc: tuple) -> tuple[type[BaseModel], FieldInfo] | None:
    for tp in _types_at(cls, loc[:-1]):
        if isinstance(tp, type) and issubclass(tp, BaseModel) and loc[-1] in tp.model_fields:
            return tp, tp.model_fields[loc[-1]]
    return None


def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, (int, float)) and float(value).is_integer() else str(value)


def _allowed_range(field: FieldInfo | None) -> str:
    """Give the range a number field allows, in words ('from -2 to 2', '0 or more'), or '' when it has none."""
    bounds: dict[str, Any] = {}
    for item in field.metadata if field is not None else ():
        for name in ("ge", "gt", "le", "lt"):
            if isinstance(item, getattr(annotated_types, name.capitalize())):
                bounds[name] = getattr(item, name)
    low = f"{_number(bounds['ge'])}" if "ge" in bounds else f"more than {_number(bounds['gt'])}" if "gt" in bounds else ""
    high = f"{_number(bounds['le'])}" if "le" in bounds else f"less than {_number(bounds['lt'])}" if "lt" in bounds else ""
    if "ge" in bounds and "le" in bounds:
        return f"from {low} to {high}"
    if low and high:
        return f"{low} and {high}"
    return f"{low} or more" if "ge" in bounds else low or (f"{high} or less" if "le" in bounds else high)


# pydantic's error types by the problem code they give (docs/problems.md); any other type is invalid-value
_CODES = {
    "missing": "missing-field",
    "extra_forbidden": "unknown-field",
    "literal_error": "invalid-choice",
    "enum": "invalid-choice",
    "string_type": "invalid-text",
    "int_parsing": "invalid-number",
    "float_parsing": "invalid-number",
    "int_type": "invalid-number",
    "float_type": "invalid-number",
    "int_from_float": "invalid-number",
    "finite_number": "invalid-number",
    "bool_parsing": "invalid-boolean",
    "bool_type": "invalid-boolean",
    "tuple_type": "invalid-list",
    "list_type": "invalid-list",
    "dict_type": "invalid-mapping",
    "model_type": "invalid-mapping",
    "model_attributes_type": "invalid-mapping",
    "greater_than_equal": "out-of-range",
    "less_than_equal": "out-of-range",
    "greater_than": "out-of-range",
    "less_than": "out-of-range",
    "string_too_short": "empty-value",
    "too_short": "empty-value",
}


def _code_of(err: Any) -> str:
    """Give the problem code of one pydantic error."""
    kind = err["type"]
    if kind not in ("missing", "extra_forbidden") and "[key]" in err["loc"]:
        return "invalid-id"
    if kind == "string_pattern_mismatch":
        return "invalid-colour" if err.get("ctx", {}).get("pattern", "").startswith("^#") else "invalid-id"
    return _CODES.get(kind, "invalid-value")


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


def report_validation_error(
    exc: ValidationError, cls: type[BaseModel], rel: str, loc: Locator, problems: Problems, base: tuple = ()
) -> None:
    """Add one problem per pydantic error, each at the line of its key or value."""
    errors = exc.errors(include_url=False)
    locs = [tuple(p for p in e["loc"] if p != "[key]") for e in errors]
    for err, path in zip(errors, locs, strict=False):
        if err["type"] == "too_short" and any(other != path and other[: len(path)] == path for other in locs):
            continue  # pydantic's follow-up to a failing item: the item's own error says it
        line, col, message, hint = _described(err, cls, path, base + path, loc)
        problems.error(rel, line, col, message, hint, code=_code_of(err))


def _described(err: Any, cls: type[BaseModel], path: tuple, full: tuple, loc: Locator) -> tuple[int, int, str, str]:
    """Give the line, column, message and hint of one pydantic error at path (full: path in the file)."""
    kind = err["type"]
    name = str(path[-1]) if path else "file"
    line, col = loc.at(full)
    value = err.get("input")
    owner = _field_at(cls, path)
    if owner is not None and owner[0] is m.Feeling:
        said = _feeling(kind, value, full, loc, owner[1])
        if said is not None:
            return line, col, *said
    if kind == "missing":
        line, col = loc.at(full[:-1])
        return line, col, f"missing required field '{name}'", f"add '{name}: …' here"
    if kind == "extra_forbidden":
        line, col = loc.key_at(full)
        return line, col, f"unknown field '{name}'", did_you_mean(name, fields_at(cls, path[:-1]), "fields")
    if "[key]" in err["loc"]:
        line, col = loc.key_at(full)
        return line, col, f"'{name}' is not a valid id", _id_hint(name)
    if kind == "string_pattern_mismatch":
        if err.get("ctx", {}).get("pattern", "").startswith("^#"):
            return line, col, f"{name}: {_describe(value)} is not a colour", "write a colour as #rrggbb, e.g. #0b6e4f"
        return line, col, f"{name}: {_describe(value)} is not a valid id", _id_hint(value)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        allowed = _allowed_range(owner[1] if owner is not None else None)
        fallback = err["msg"].replace("Input should be ", "")
        return line, col, f"{name}: {_describe(value)} is out of range: must be {allowed or fallback}", ""
    message, hint = _plain(kind, name, value, err, path)
    return line, col, message, hint


def _plain(kind: str, name: str, value: Any, err: Any, path: tuple) -> tuple[str, str]:
    """Give the message and hint of an error whose words need only its kind, field name and value."""
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ",").split(",") if c.strip()]
        close = did_you_mean(str(value), choices) if value is not None else ""
        return f"{name}: {_describe(value)} is not allowed; use {expected}", close if close.startswith("did you mean") else ""
    if kind == "string_type":
        hint = "put the text on the same line, in quotes if it contains ': '" if isinstance(value, (dict, list)) else ""
        return f"{name}: expected text, found {_describe(value)}", hint
    if kind in ("int_parsing", "float_parsing", "int_type", "float_type", "int_from_float"):
        what = "a whole number" if kind.startswith("int") else "a number"
        hint = "write numbers with a decimal point, e.g. 1.5" if isinstance(value, str) and "," in value else ""
        return f"{name}: expected {what}, found {_describe(value)}", hint
    if kind in ("bool_parsing", "bool_type"):
        return f"{name}: expected true or false, found {_describe(value)}", ""
    if kind in ("tuple_type", "list_type"):
        return f"{name}: expected a list, found {_describe(value)}", "write a list as '- item' lines, one item a line"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        hint = "write fields as 'name: value' lines indented under it"
        return f"{name}: expected a mapping of fields, found {_describe(value)}", hint
    if kind in ("string_too_short", "too_short"):
        return f"{name}: must not be empty", ""
    if kind == "finite_number":
        return f"{name}: {_describe(value)} is not a finite number", ""
    if kind == "value_error":
        return (f"{name}: " if path else "") + err["msg"].removeprefix("Value error, "), ""
    return f"{name}: {err['msg']}", ""


def _id_hint(value: Any) -> str:
    """Give the hint for a text that is not an id: the id it most likely means, with the rule."""
    suggestion = m.id_like(value) if isinstance(value, str) else ""
    if suggestion and len(suggestion) <= 60 and m.ID_RE.match(suggestion):
        return f"did you mean '{suggestion}'? {_ID_HINT[0].upper()}{_ID_HINT[1:]}"
    return _ID_HINT


def _feeling(kind: str, value: Any, full: tuple, loc: Locator, score: FieldInfo) -> tuple[str, str] | None:
    """Give the message and hint of an error in a feeling, in the words of a feeling; None for other errors.

    `feeling: 1` is short for `{score: 1}`: when the file holds the short form (no 'score' key), the message
    names the feeling, and words where a score belongs are shown as the label they most likely are.
    """
    if full[-1] != "score":
        return None
    short = full not in loc.keys
    name = "feeling" if short else "score"
    allowed = _allowed_range(score)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{name}: {_describe(value)} is out of range: must be {allowed}", f"a feeling runs from {_FEELING}"
    if kind in ("float_parsing", "float_type", "finite_number") and not _DECIMAL_COMMA.fullmatch(str(value)):
        label = value if isinstance(value, str) and _PLAIN_LABEL.fullmatch(value) else "…"
        what = "a feeling" if short else "a score"
        return (
            f"{name}: expected {what} {allowed}, found {_describe(value)}",
            f"write 'feeling: {{score: N, label: {label}}}' with N from {_FEELING}",
        )
    return None


# --- what can still be read of an object that failed --------------------------------------------------------


@dataclass(frozen=True)
class Salvage:
    """An object made of what validated in a file with errors: each failing value taken out, so its references
    can still be checked in the same run.

    A failing top-level field is left out too: it holds its default, or None where it has none (relaxed).
    pruned: the paths (in the file) of the values taken out below the top level; gone: for each list that lost
    items, the indexes (in the file) of those items, so a path into the object can be turned into one into
    the file (in_file).
    """

    obj: BaseModel
    relaxed: frozenset[str]
    pruned: tuple[tuple, ...]
    gone: dict[tuple, frozenset[int]]


_GONE = object()  # a value taken out, while a round of taking out is under way
MAX_ROUNDS = 16  # each round takes out at least one value; a real file needs a few (a field, then its container)


def salvage(cls: type[BaseModel], data: dict) -> Salvage | None:
    """Give the object data makes once every value that fails validation is taken out, or None when the file's
    top level itself is refused (a rule over several fields) or taking out does not settle.

    A failing value is taken out where it sits; a missing required field takes out the mapping that lacks it
    (a touchpoint without a name), and a failing top-level field is relaxed (see Salvage).
    """
    work = _copied(data)
    relaxed: set[str] = set()
    pruned: list[tuple] = []
    gone: dict[tuple, set[int]] = {}
    for _ in range(MAX_ROUNDS):
        try:
            obj = _relaxed(cls, frozenset(relaxed)).model_validate(work)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
        else:
            return Salvage(obj, frozenset(relaxed), tuple(pruned), {k: frozenset(v) for k, v in gone.items()})
        taken: list[tuple] = []
        for at in _failing(work, errors):
            if not at:
                return None
            if len(at) == 1:
                relaxed.add(str(at[0]))
                work.pop(at[0], None)
            elif _take_out(work, at):
                taken.append(in_file(at, gone))  # this round's paths are all as the round began
        for where in taken:
            pruned.append(where)
            if isinstance(where[-1], int):
                gone.setdefault(where[:-1], set()).add(where[-1])
        _compact(work)
    return None


def _failing(data: dict, errors: list[Any]) -> list[tuple]:
    """Give the path of the value to take out for each error: the failing value, or the mapping that lacks a
    required field (() when that is the whole object)."""
    locs = [tuple(err["loc"]) for err in errors]
    out = []
    for err, loc in zip(errors, locs, strict=True):
        if err["type"] == "too_short" and any(o != loc and o[: len(loc)] == loc for o in locs):
            continue  # the list is short only of the item that failed: taking that out is enough
        at = _reach(data, loc)
        if err["type"] == "missing" and at == loc[:-1] and not at:
            at = loc[:1]  # a top-level field that is missing: relaxed
        out.append(at)
    return out


def in_file(path: tuple, gone: Mapping[tuple, Any]) -> tuple:
    """Give the path in the file of a path into a salvaged object, whose lists lost the items gone names."""
    out: tuple = ()
    for part in path:
        if isinstance(part, int) and out in gone:
            index, left = -1, part
            while left >= 0:
                index += 1
                if index not in gone[out]:
                    left -= 1
            part = index
        out += (part,)
    return out


@functools.cache
def _relaxed(cls: type[BaseModel], fields: frozenset[str]) -> type[BaseModel]:
    """Give cls with the named fields taking any value and holding their default (None when they have none)."""
    if not fields:
        return cls
    overrides: dict[str, Any] = {
        name: (Any, None if cls.model_fields[name].is_required() else cls.model_fields[name].default)
        for name in sorted(fields)
        if name in cls.model_fields
    }
    made: type[BaseModel] = create_model(f"Salvaged{cls.__name__}", __base__=cls, **overrides)
    return made


def _copied(data: Any) -> Any:
    """Give a copy of plain data (mappings, lists, text, None), a few times faster than copy.deepcopy."""
    if isinstance(data, dict):
        return {k: _copied(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copied(v) for v in data]
    return data


def _reach(data: Any, loc: tuple) -> tuple:
    """Give the longest start of loc that the data holds (pydantic's locations may name a type, a key's '[key]')."""
    at: tuple = ()
    for part in loc:
        if isinstance(data, dict):
            held = isinstance(part, str) and part in data
        else:
            held = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if not held:
            break
        data = data[part]
        at += (part,)
    return at


def _take_out(data: Any, at: tuple) -> bool:
    """Mark the value at a path as taken out; give whether it was there still (it or a value holding it may
    have been taken out in this round already)."""
    for part in at[:-1]:
        data = data[part]
        if data is _GONE:
            return False
    if data[at[-1]] is _GONE:
        return False
    data[at[-1]] = _GONE
    return True


def _compact(data: Any) -> None:
    """Drop every value marked as taken out, in place."""
    if isinstance(data, dict):
        for key in [k for k, v in data.items() if v is _GONE]:
            del data[key]
        for value in data.values():
            _compact(value)
    elif isinstance(data, list):
        data[:] = [v for v in data if v is not _GONE]
        for value in data:
            _compact(value)
