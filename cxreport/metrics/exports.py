"""Survey tools' exports as they come: how many header rows each format has and what its columns are called.

A CSV (or a sheet) is a list of records; this module looks only at the first few. `format: csv`
has one header row. Qualtrics writes three (export tags, question texts, `{"ImportId":…}` JSON),
its legacy export two (`V1…` tags, then names); SurveyMonkey two (question texts, blank over a
question's further columns, then answer labels). Header names are compared after collapsing
every run of white space, line breaks included, to one space (FORMAT.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Qualtrics' Status: 0 a response, 1 a survey preview, 2 a test, 4 imported, 8 spam, 16 offline ...
SKIPPED_STATUS = ("1", "2", "8", "survey preview", "survey test", "spam")
HEAD_RECORDS = 3  # the most header rows a format has


def header_name(text: str | None) -> str:
    """Give a header as cxreport compares it: trimmed, every run of white space one space."""
    return " ".join((text or "").split())


@dataclass(frozen=True)
class Header:
    """What a format makes of a file's first records: the column names and how many records they take."""

    names: tuple[str, ...]
    records: int  # header records before the data
    status: int | None = None  # Qualtrics: the Status column, whose preview, test and spam rows are skipped


class NotThisFormat(Exception):
    """The first records do not look like the declared format's export (message, hint)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def read_header(fmt: str, records: Sequence[Sequence[str | None]]) -> Header:
    """Give the header of a file in format `fmt` from its first records (at most HEAD_RECORDS), or raise NotThisFormat."""
    if fmt == "qualtrics":
        return _qualtrics(records)
    if fmt == "surveymonkey":
        return _surveymonkey(records)
    return Header(tuple(header_name(h) for h in records[0]), 1)


def _first(record: Sequence[str | None]) -> str:
    return next((header_name(c) for c in record if header_name(c)), "")


def _qualtrics(records: Sequence[Sequence[str | None]]) -> Header:
    tags = tuple(header_name(h) for h in records[0])
    if len(records) >= 3 and _first(records[2]).startswith('{"ImportId"'):
        count = 3
        status = tags.index("Status") if "Status" in tags else None
    elif tags and tags[0] == "V1" and len(records) >= 2:
        count = 2  # the legacy export: V1, V2 ... over the names (ResponseID, Status ...)
        names = tuple(header_name(h) for h in records[1])
        status = names.index("Status") if "Status" in names else (tags.index("Status") if "Status" in tags else None)
    else:
        raise NotThisFormat(
            'this is not a Qualtrics export: its third row is not the ImportId row ({"ImportId":…}) '
            "and its first header is not V1 (the legacy export)",
            "export the data from Qualtrics as CSV (Data & Analysis > Export & Import > Export data), "
            "or declare 'format: csv' if the file has one header row",
        )
    if len(records) <= count - 1:
        raise NotThisFormat("the Qualtrics export ends inside its header rows", "export the data again")
    return Header(tags, count, status)


def _surveymonkey(records: Sequence[Sequence[str | None]]) -> Header:
    if len(records) < 2:
        raise NotThisFormat(
            "this is not a SurveyMonkey export: it has one header row, and SurveyMonkey writes two "
            "(the questions, then the answer labels)",
            "export the responses from SurveyMonkey as CSV ('All responses data', expanded columns), "
            "or declare 'format: csv' if the file has one header row",
        )
    questions = [header_name(h) for h in records[0]]
    labels = [header_name(h) for h in records[1]]
    labels += [""] * (len(questions) - len(labels))
    names: list[str] = []
    question = ""
    for i, text in enumerate(questions):
        spans = i + 1 < len(questions) and not questions[i + 1]
        if text:
            question = text
            names.append(f"{text} - {labels[i]}" if spans and labels[i] else text)
        else:  # a further column of the question before it
            names.append(f"{question} - {labels[i]}" if question else labels[i])
    return Header(tuple(names), 2)
