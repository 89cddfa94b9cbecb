"""Pydantic validation errors turned into problems at the line of the offending key or value."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from .problems import Problems, did_you_mean
from .yamlsrc import Locator

_ID_HINT = "an id uses lowercase letters, digits, '-' and '_', and starts with a letter or digit"


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


def fields_at(cls: type[BaseModel], loc: tuple) -> list[str]:
    """Give the valid field names of the mapping at loc inside a model, or [] when unknown."""
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
    names: list[str] = []
    for tp in current:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            names.extend(tp.model_fields)
    return [n for n in names if n != "body"]


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
        kind = err["type"]
        if kind == "too_short" and any(other != path and other[: len(path)] == path for other in locs):
            continue  # pydantic's follow-up to a failing item: the item's own error says it
        full = base + path
        name = str(path[-1]) if path else "file"
        line, col = loc.at(full)
        value = err.get("input")
        hint = ""
        code = _code_of(err)
        if kind == "missing":
            line, col = loc.at(full[:-1])
            message = f"missing required field '{name}'"
            hint = f"add '{name}: …' here"
        elif kind == "extra_forbidden":
            line, col = loc.key_at(full)
            message = f"unknown field '{name}'"
            hint = did_you_mean(name, fields_at(cls, path[:-1]), "field")
        elif "[key]" in err["loc"]:
            line, col = loc.key_at(full)
            message = f"'{name}' is not a valid id"
            hint = _ID_HINT
        elif kind == "string_pattern_mismatch":
            pattern = err.get("ctx", {}).get("pattern", "")
            if pattern.startswith("^#"):
                message = f"{name}: {_describe(value)} is not a colour"
                hint = "write a colour as #rrggbb, e.g. #0b6e4f"
            else:
                message = f"{name}: {_describe(value)} is not a valid id"
                hint = _ID_HINT
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            message = f"{name}: {_describe(value)} is not allowed; use {expected}"
            choices = [c.strip().strip("'") for c in expected.replace(" or ", ",").split(",") if c.strip()]
            if value is not None:
                close = did_you_mean(str(value), choices)
                if close.startswith("did you mean"):
                    hint = close
        elif kind in ("string_type",):
            message = f"{name}: expected text, found {_describe(value)}"
            if isinstance(value, (dict, list)):
                hint = "put the text on the same line, in quotes if it contains ': '"
        elif kind in ("int_parsing", "float_parsing", "int_type", "float_type", "int_from_float"):
            what = "a whole number" if kind.startswith("int") else "a number"
            message = f"{name}: expected {what}, found {_describe(value)}"
            hint = "write numbers with a decimal point, e.g. 1.5" if isinstance(value, str) and "," in value else ""
        elif kind in ("bool_parsing", "bool_type"):
            message = f"{name}: expected true or false, found {_describe(value)}"
        elif kind in ("tuple_type", "list_type"):
            message = f"{name}: expected a list, found {_describe(value)}"
            hint = "write a list as '- item' lines, or [a, b]"
        elif kind in ("dict_type", "model_type", "model_attributes_type"):
            message = f"{name}: expected a mapping of fields, found {_describe(value)}"
            hint = "write fields as 'name: value' lines indented under it"
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            message = f"{name}: {_describe(value)} is out of range ({err['msg'].replace('Input should be ', 'must be ')})"
        elif kind == "string_too_short" or kind == "too_short":
            message = f"{name}: must not be empty"
        elif kind == "finite_number":
            message = f"{name}: {_describe(value)} is not a finite number"
        elif kind == "value_error":
            message = (f"{name}: " if path else "") + err["msg"].removeprefix("Value error, ")
        else:
            message = f"{name}: {err['msg']}"
        problems.error(rel, line, col, message, hint, code=code)
