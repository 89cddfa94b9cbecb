"""Problems: what is wrong, where, and how to fix it — data, never tracebacks."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"

# Every problem carries one of these codes: stable, kebab-case, one per kind of mistake, so a user or a CI script
# can filter on it. docs/problems.md explains each; a test keeps the two lists the same.
CODES: dict[str, str] = {
    # YAML and front matter
    "file-unreadable": "a file cannot be opened or read",
    "file-too-large": "a file is over the size cxreport reads",
    "not-a-file": "a named pipe, socket or device where cxreport reads a file",
    "folder-unreadable": "a content folder that cannot be listed",
    "file-encoding": "a text file is not UTF-8",
    "yaml-empty": "a YAML file holds no data",
    "yaml-several-documents": "a YAML file holds more than one document",
    "yaml-tab-indent": "YAML is indented with a tab",
    "yaml-syntax": "YAML that cannot be parsed",
    "yaml-forbidden-character": "YAML holds a control character YAML does not allow",
    "yaml-too-deep": "YAML nested deeper than cxreport reads",
    "yaml-recursive-alias": "a YAML alias that refers to its own anchor",
    "yaml-alias-bomb": "YAML aliases that expand to too many values",
    "yaml-too-many-values": "a YAML file with more values than cxreport reads",
    "markdown-limit": "Markdown text past a limit of what cxreport draws (length, nesting, '[' or '<')",
    "yaml-forbidden-tag": "a YAML tag (!!python/…, !include, …) cxreport does not read",
    "yaml-complex-key": "a YAML mapping key that is a list or a mapping",
    "yaml-bad-merge": "a YAML merge key '<<' that does not name a mapping",
    "yaml-duplicate-key": "the same key twice in one YAML mapping",
    "front-matter-missing": "a Markdown file that does not start with front matter",
    "front-matter-unclosed": "front matter without its closing '---' line",
    "front-matter-empty": "front matter with no fields",
    "not-a-mapping": "a file or front matter that is not a mapping of fields",
    # fields
    "site-yml-missing": "the project folder has no site.yml",
    "file-ignored": "a file in a content folder with a suffix that kind of file does not have",
    "missing-field": "a required field is not written",
    "unknown-field": "a field the file's kind does not have (often a misspelling)",
    "invalid-id": "an id (or a file name used as one) with characters an id may not hold",
    "invalid-choice": "a value that is not one of the field's allowed values",
    "invalid-text": "a field that takes text holds a list or a mapping",
    "invalid-number": "a field that takes a number holds something else",
    "invalid-boolean": "a field that takes true or false holds something else",
    "invalid-list": "a field that takes a list holds something else",
    "invalid-mapping": "a field that takes a mapping of fields holds something else",
    "invalid-colour": "a colour not written as #rrggbb",
    "out-of-range": "a number outside the range its field allows",
    "empty-value": "a field or list that must not be empty is empty",
    "invalid-value": "a value its field refuses for another reason (the message says which)",
    "duplicate-id": "two things of one kind with the same id",
    "reserved-id": "an id that names a page cxreport makes itself",
    "file-name-case-clash": "two file names that differ only in upper and lower case",
    "flow-list-comma": "a comma in a flow list [a, b] of prose that most likely split a sentence into two items",
    # references
    "unknown-reference": "a reference to a persona, journey, stage, touchpoint, metric, pillar… that does not exist",
    "self-reference": "a journey that names itself where it must name another one",
    "stage-listed-twice": "a journey lists the same stage twice",
    "stage-order": "a journey's stages are not in the stage model's order",
    "stage-without-touchpoints": "a journey's stage has no touchpoints",
    "touchpoint-without-feeling": "a touchpoint without a feeling, leaving a gap in the emotion curve",
    "experiment-source": "an experiment with neither or both of 'results' and 'metric'",
    "experiment-metric-type": "an experiment's metric is not a value metric",
    "experiment-variants": "an experiment's results with fewer than two variants",
    "unknown-control": "an experiment's control variant that is not among its variants",
    "quote-comment-metric": "a story's quote_comment names a metric without comment and respondent columns",
    "unknown-respondent": "a story's quote_comment names a respondent who left no comment in that metric",
    "path-outside-project": "a file path (metric file, logo) that leads out of the project",
    "file-not-found": "a file path (metric file, logo) that names no file",
    "link-outside-project": "a file that is a link to a place outside the project, so it is not read",
    # metric files
    "invalid-date-format": "a metric's date_format that is not a date pattern",
    "number-separators": "a metric's thousands separator and decimal mark are the same",
    "missing-column": "a metric's file lacks a column the metric needs",
    "csv-encoding": "a metric file line that is not text in the file's encoding",
    "csv-no-header": "a metric file without a header row",
    "csv-unreadable": "a metric file, or a row of it, that cannot be read as CSV",
    "csv-unclosed-quote": "a CSV field whose quotes do not pair up",
    "csv-row-width": "a CSV row with more or fewer fields than the header has columns",
    "csv-unnamed-column": "a metric file column without a header",
    "csv-duplicate-header": "a metric file header that names two columns",
    "parquet-unreadable": "a .parquet file that cannot be read as Parquet",
    "xlsx-not-a-workbook": "a metric file named .xlsx that is not an Excel workbook",
    "xlsx-old-format": "an old Excel workbook (.xls, Excel 97-2003), which cxreport does not read",
    "xlsx-encrypted": "a password-protected Excel workbook",
    "xlsx-refused": "an Excel workbook refused as unsafe (a zip bomb, a DTD, cells spread too far)",
    "xlsx-unreadable": "an Excel workbook that is damaged and cannot be read",
    "xlsx-unknown-sheet": "a metric's sheet: that names no sheet of its workbook",
    "csv-empty-cell": "an empty cell where every row needs a value",
    "csv-control-character": "a cell holding an invisible control character",
    "csv-unreadable-date": "a date cell that does not match the file's date format",
    "csv-unreadable-number": "a number cell that cannot be read as a number",
    "csv-not-whole-number": "a score or count cell that is not a whole number",
    "csv-score-out-of-range": "a score outside its metric type's scale",
    "csv-negative-count": "a funnel count below zero",
    "csv-not-binary": "an experiment's value cell that is not 0 or 1",
    "csv-unknown-journey": "a journey cell naming no journey",
    "csv-unknown-touchpoint": "a touchpoint cell naming no touchpoint",
    "csv-ambiguous-touchpoint": "a touchpoint cell naming a touchpoint of several journeys, with no journey column",
    "csv-unknown-stage": "a stage cell naming no stage of the stage model",
    "csv-stage-mismatch": "a stage cell that is not the stage of the row's touchpoint",
    "csv-invalid-cell": "a cell its column refuses for another reason (the message says which)",
    "funnel-order": "a funnel stage reached by more customers than the stage before it",
    "more-problems": "more problems of one file than are listed",
    # survey exports and spreadsheets
    "export-format": "a metric file that does not have the header rows of its declared format",
    "csv-no-rows": "a metric file that gives no rows",
    "csv-unknown-answer": "an answer that is neither a number nor one of the metric's values",
    "metric-without-date": "a metric without a date column, so its figures are for the whole time only",
    "sheet-not-a-workbook": "a metric with 'sheet:' whose file is not an .xlsx workbook",
    "metric-at-and-column": "a metric with 'at:' that also maps a column for the same key",
    "unknown-place": "a metric's 'at:' naming a journey, stage or touchpoint that is not in the map",
    "warehouse-url": "a warehouse URL that cannot be used: its variable not set, or not a URL",
    "warehouse-password-in-url": "a literal warehouse URL in site.yml that holds a password",
    "unknown-warehouse": "a metric naming a warehouse that site.yml does not declare",
    "warehouse-file-option": "a file's option (delimiter, decimal, sheet ...) on a warehouse metric, ignored",
    "warehouse-unsupported-column": "a respondent or comment column on a warehouse metric, which only sends counts",
    "warehouse-driver-missing": "the driver for a warehouse is not installed (names the extra)",
    "warehouse-unreachable": "a warehouse that cannot be reached, or a DuckDB file that does not exist",
    "warehouse-login": "a warehouse that refused the login",
    "warehouse-missing-table": "a warehouse metric's table (or a table of its query) that does not exist",
    "warehouse-missing-column": "a column of a warehouse metric's query that does not exist",
    "warehouse-permission": "a reading role without SELECT on a warehouse table",
    "warehouse-not-read-only": "a query that tried to write in cxreport's read-only transaction",
    "warehouse-query-refused": "a warehouse metric's query: or table: refused before anything was sent",
    "warehouse-query-failed": "a warehouse query the engine refused",
    "warehouse-timeout": "a warehouse query that took longer than its timeout",
    "warehouse-stale": "a warehouse that could not be asked, so the cached figures were used",
    "warehouse-not-checked": "a warehouse metric whose rows check did not check (no cache, no URL)",
    "csv-duplicate-respondent": "a respondent id that occurs on more than one row of a metric",
    # driver analysis
    "drivers-no-respondent": "a driver analysis names a metric without a respondent column",
    "drivers-not-a-score": "a driver analysis names a metric that is not a score (nps, csat, ces)",
    "drivers-outcome-is-driver": "a driver analysis lists its outcome among its drivers",
    "drivers-too-few": "a driver analysis with fewer than two drivers",
    "drivers-repeated": "a driver analysis lists the same driver twice",
    # theme
    "theme-not-found": "site.yml names a theme with no folder under themes/",
    "theme-labels": "a theme's labels file that is not one JSON object",
    "template-syntax": "a theme template that Jinja cannot parse",
    # output
    "template-failed": "a theme template that failed while drawing a page",
    "broken-link": "a link in content that leads to no page or file of the site",
    "internal-error": "a bug in cxreport met while building (cxreport serve)",
}


def printable(text: str) -> str:
    """Give text with control and other invisible characters written as escapes, so content cannot drive a terminal."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}" for ch in text)


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file, at a line and column (1-based; 0 when unknown), with its code (one of CODES)."""

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
        if self.code:
            props += f",title={esc(self.code, True)}"
        msg = self.message + (f" (hint: {self.hint})" if self.hint else "")
        return f"::{kind} {props}::{esc(msg)}"


class Problems:
    """A growing, ordered collection of problems from every stage of a run."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def add(self, path: str, line: int, col: int, message: str, hint: str = "", severity: str = ERROR, *, code: str) -> Problem:
        """Add a problem; its code must be one of CODES."""
        if code not in CODES:
            raise ValueError(f"problem code '{code}' is not in problems.CODES")
        p = Problem(path, line, col, severity, message, hint, code)
        self._items.append(p)
        return p

    def error(self, path: str, line: int, col: int, message: str, hint: str = "", *, code: str) -> Problem:
        return self.add(path, line, col, message, hint, ERROR, code=code)

    def warning(self, path: str, line: int, col: int, message: str, hint: str = "", *, code: str) -> Problem:
        return self.add(path, line, col, message, hint, WARNING, code=code)

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
        """Give the problems as a JSON list of {path, line, col, severity, message, hint, code}.

        A problem about a whole file has line and col null (its text form shows no line either); a column not
        known on a known line is 0.
        """
        items = [{**asdict(p), "line": p.line or None, "col": p.col if p.line else None} for p in self.sorted()]
        text = json.dumps(items, ensure_ascii=False, indent=2)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a file name with bytes that are not UTF-8: written as \u escapes, still JSON
            text = json.dumps(items, ensure_ascii=True, indent=2)
        return text


def did_you_mean(word: str, choices: Iterable[str], what: str = "") -> str:
    """Give a hint naming the nearest choices to a misspelt word, or listing the valid ones.

    what names the choices in the plural ("personas", "touchpoints of journey 'x'"): the hint reads
    "valid personas: 'a', 'b'" or "there are no personas defined".
    """
    choices = sorted(set(choices))
    close = difflib.get_close_matches(str(word), choices, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    if not choices:
        return f"there are no {what} defined" if what else ""
    shown = ", ".join(f"'{c}'" for c in choices[:12])
    more = f" (and {len(choices) - 12} more)" if len(choices) > 12 else ""
    return f"valid {what or 'values'}: {shown}{more}"


class ProjectError(Exception):
    """Raised to stop a run when the project cannot be read at all (the problems say why)."""

    def __init__(self, problems: Problems) -> None:
        super().__init__("project has problems")
        self.problems = problems
