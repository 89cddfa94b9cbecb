"""Redaction: the personal data in respondents' comments replaced by a token before anything can publish them.

FORMAT.md, Comments: e-mail addresses, phone numbers (Dutch and international forms, any country), IBANs (each
country's shape, with or without spaces, check digits or not), Dutch postcodes (with or without a house number)
and the site's `privacy.redact` words. `redact_table` is the one place this happens, right where a metric's
comments are read: every later stage sees only its output.

Four kinds are patterns DuckDB runs over every comment (RE2, on all cores). Phone numbers are found by
phonenumbers (Google's libphonenumber), which knows each country's numbering plan and so tells 06-12345678 or
+31 20 123 4567 from an order number, a date or an amount; it runs only on the comments that hold a run of
seven or more digits, since no phone number has fewer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import phonenumbers

from .iban import iban_pattern
from .sql import lit

KINDS = ("e-mail", "phone", "iban", "postcode", "name")
TOKENS = {
    "nl": {"e-mail": "[e-mail]", "phone": "[telefoon]", "iban": "[IBAN]", "postcode": "[postcode]", "name": "[naam]"},
    "en": {"e-mail": "[e-mail]", "phone": "[phone]", "iban": "[IBAN]", "postcode": "[postcode]", "name": "[name]"},
}

_WORD = r"\p{L}\p{N}_"
# an address, also written with (at) or [at] for the @; the local part as mail programs accept it
EMAIL = (
    r"[\p{L}\p{N}.!#$%&'*+/=?^_`{|}~-]+(?:@|\s?[\[(]at[\])]\s?)[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?"
    r"(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)+"
)
IBAN = iban_pattern()
# 1234 AB, 1234AB, 1234ab (lower case only written together: '2026 en' is a year and a word), then perhaps a
# house number with a suffix: 1234 AB 12, 1234AB 3a, 1234 AB 12-3 (no house number starts with 0, and a
# number after it only with a - or /: a phone number may follow)
POSTCODE = (
    r"\b[1-9][0-9]{3}(?: ?[A-Z]{2}|[a-z]{2}|[A-Z][a-z]|[a-z][A-Z])\b"
    r"(?:,? ?[1-9][0-9]{0,4}[A-Za-z]?\b(?: ?[-/] ?[0-9]{1,4}\b| ?-? ?[A-Za-z]\b)?)?"
)
# a run of at least seven digits that starts as a phone number is written (a 0 or a +, perhaps in brackets), with
# the separators people write between them: the comments worth a closer look (an order number is not)
PHONE_CANDIDATE = r"(?:^|[^0-9])[(]?(?:\+ ?[0-9]|0)(?:[ .()/-]{0,3}[0-9]){6,}"
PHONE_REGION = "NL"


def names_pattern(words: Sequence[str]) -> str | None:
    """Give an RE2 pattern of the privacy.redact words as whole words in any case, also before 's or an s; None
    without words. Groups: 1 what precedes, 2 the word, 3 its s or 's, 4 what follows."""
    escaped = {r"\s+".join(re.escape(w) for w in word.split()) for word in words if word.strip()}
    parts = sorted(escaped, key=lambda p: (-len(p), p))  # the longest first: 'Jan de Vries' before 'Jan'
    if not parts:
        return None
    return f"(^|[^{_WORD}])((?i:{'|'.join(parts)}))((?:['’]s|s)?)($|[^{_WORD}])"


@dataclass
class Redactions:
    """How many comments a metric has and how many were redacted, per kind (never the values)."""

    comments: int = 0
    redacted: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    def add(self, other: Redactions) -> None:
        self.comments += other.comments
        self.redacted += other.redacted
        for k, v in other.kinds.items():
            self.kinds[k] = self.kinds.get(k, 0) + v


def redacted_sql(column: str, words: Sequence[str], language: str) -> list[tuple[str, str]]:
    """Give the SQL steps of the redaction DuckDB does, in order: (kind, expression over `column`)."""
    tokens = TOKENS[language]

    def replace(text: str, pattern: str, token: str) -> str:
        return f"regexp_replace({text}, {lit(pattern)}, {lit(token)}, 'g')"

    steps = [
        ("e-mail", replace(column, EMAIL, tokens["e-mail"])),
        ("iban", replace(column, IBAN, tokens["iban"])),
        ("postcode", replace(column, POSTCODE, tokens["postcode"])),
    ]
    names = names_pattern(words)
    if names is not None:
        # twice: a match takes the character after the word, so of 'Joost Joost' the first pass replaces one
        token = "\\1" + tokens["name"] + "\\3\\4"
        steps.append(("name", replace(replace(column, names, token), names, token)))
    return steps


def redact_phones(text: str, token: str) -> str:
    """Give text with every phone number in it as token (_phones_once until nothing changes: of two numbers side
    by side, '+31 6 98765432 06-98765432', the matcher may take a piece of the first as a number of its own)."""
    text = _phones_settled(text, token)
    # numbers written side by side, '(010) 987 6543 0031 6 98765432', read as one run too long to be a number:
    # each piece that starts as a number starts (+, 0, a bracket) is tried alone, then the whole again
    text = _RUN.sub(lambda run: " ".join(_phones_settled(piece, token) for piece in _PIECE.split(run.group())), text)
    return _phones_settled(text, token)


_RUN = re.compile(r"[+(]?[0-9](?:[ .()/-]{0,3}[0-9]){6,}")
_PIECE = re.compile(r"(?<=[0-9)]) (?=[+(0])")


def _phones_settled(text: str, token: str) -> str:
    for _ in range(4):
        redacted = _phones_once(text, token)
        if redacted == text:
            break
        text = redacted
    return text


def _phones_once(text: str, token: str) -> str:
    """Give text with every phone number in it as token.

    Of the numbers phonenumbers finds possible, those written as a phone number is written: with the trunk 0 of a
    Dutch number (020 …, 06 …) or an international prefix (+, 00); a date, an amount or an order number has
    neither. Such a number counts when its numbering plan knows it (valid), when it is a Dutch number of nine
    digits after the 0 (not every range is handed out yet, but a customer's number may be in a new one), or when
    it has an international prefix and ten digits or more of a possible length.
    """
    found = []
    for match in phonenumbers.PhoneNumberMatcher(text, PHONE_REGION, leniency=phonenumbers.Leniency.POSSIBLE):
        written = match.raw_string.lstrip("( ")
        if not written.startswith(("0", "+")):
            continue
        number = match.number
        digits = re.sub(r"\D", "", written)
        if (
            phonenumbers.is_valid_number(number)
            or (number.country_code == 31 and len(str(number.national_number)) == 9)
            or (written.startswith(("+", "00")) and len(digits) >= 10 and phonenumbers.is_possible_number(number))
        ):
            found.append(match)
    for match in reversed(found):
        text = text[: match.start] + token + text[match.end :]
    return text


def redact_table(
    con: duckdb.DuckDBPyConnection,
    source: str,
    target: str,
    words: Sequence[str],
    language: str,
    keep: Sequence[str],
    extra: Sequence[str] = (),
) -> Redactions:
    """Create `target` from the comments in `source` (column comment): the columns `keep`, `text` (the comment
    redacted) and the `extra` expressions (over the original comment: codes are matched as written). The
    original text is in no column of `target`. Give how many comments were redacted, per kind."""
    inner = f"SELECT {', '.join([*keep, *extra])}, comment AS t0 FROM {source}"
    flags = []
    steps = [(kind, "") for kind, _ in redacted_sql("x", words, language)]
    for k, (kind, _) in enumerate(steps, start=1):
        expr = dict(redacted_sql(f"t{k - 1}", words, language))[kind]
        inner = f"SELECT *, {expr} AS t{k} FROM ({inner})"
        flags.append((kind, f"t{k} <> t{k - 1}"))
    flag_sql = ", ".join(f"{cond} AS r_{kind.replace('-', '')}" for kind, cond in flags)
    last = len(steps)
    drop = ", ".join(f"t{k}" for k in range(last + 1))
    con.execute(
        f"CREATE OR REPLACE TABLE {target} AS SELECT * EXCLUDE ({drop}), t{last} AS text, false AS r_phone, {flag_sql} "
        f"FROM ({inner})"
    )
    _phone_pass(con, target, TOKENS[language]["phone"])
    kinds = [kind for kind, _ in steps] + ["phone"]
    columns = [f"r_{k.replace('-', '')}" for k in kinds]
    row = con.execute(
        f"SELECT count(*), count_if({' OR '.join(columns)}), {', '.join(f'count_if({c})' for c in columns)} FROM {target}"
    ).fetchone()
    assert row is not None
    con.execute(f"ALTER TABLE {target} DROP COLUMN {columns[0]}")
    for c in columns[1:]:
        con.execute(f"ALTER TABLE {target} DROP COLUMN {c}")
    counts = dict(zip(kinds, row[2:], strict=True))
    return Redactions(row[0], row[1], {k: counts[k] for k in KINDS if counts.get(k)})


def _phone_pass(con: duckdb.DuckDBPyConnection, table: str, token: str) -> None:
    """Replace the phone numbers in the comments of `table` that hold a run of digits, and flag those comments."""
    rows = con.execute(f"SELECT rid, text FROM {table} WHERE regexp_matches(text, {lit(PHONE_CANDIDATE)})").fetchall()
    changed = [(rid, new) for rid, text in rows if (new := redact_phones(text, token)) != text]
    if changed:
        rids, texts = [list(c) for c in zip(*changed, strict=True)]
        con.execute(
            f"UPDATE {table} SET text = u.text, r_phone = true FROM "
            f"(SELECT unnest($1::BIGINT[]) AS rid, unnest($2::VARCHAR[]) AS text) u WHERE {table}.rid = u.rid",
            [rids, texts],
        )
