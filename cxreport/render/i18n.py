"""The site's own words, numbers and dates in the site's language (nl or en), from the theme's catalogues."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MONTHS = {
    "nl": ("jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_PERIOD = re.compile(r"^(\d{4})-(?:(\d{2})|Q([1-4])|W(\d{2}))$")


class MissingLabel(KeyError):
    """A template asked for a label that no catalogue has: a bug in the theme, never a blank."""


@dataclass(frozen=True)
class Catalogue:
    """Labels, numbers and dates in one language."""

    language: str
    labels: Mapping[str, str]

    # --- words --------------------------------------------------------------

    def __call__(self, key: str, **values: object) -> str:
        """Give the label for key, with {name} placeholders filled from values."""
        try:
            text = self.labels[key]
        except KeyError:
            raise MissingLabel(f"no label '{key}' in the {self.language} catalogue") from None
        return text.format_map(values) if values else text

    def has(self, key: str) -> bool:
        return key in self.labels

    def plural(self, count: int, key: str) -> str:
        """Give '3 touchpoints' / '1 touchpoint' from the labels key.one and key.other."""
        form = self(f"{key}.one" if count == 1 else f"{key}.other", n=self.integer(count))
        return form

    # --- numbers ------------------------------------------------------------

    def number(self, value: float | None, decimals: int = 1) -> str:
        """Give a number with the language's decimal mark and thousands separator: 31,8 or 31.8."""
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "–"
        text = f"{value:,.{decimals}f}"
        if text.startswith("-") and float(text.replace(",", "")) == 0:
            text = text[1:]  # no '-0,0'
        if self.language == "nl":
            text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return text

    def integer(self, value: float | None) -> str:
        return self.number(value, 0)

    def signed(self, value: float | None, decimals: int = 1) -> str:
        """Give a number with its sign always shown: +4,2 or −1,0."""
        if value is None:
            return "–"
        text = self.number(value, decimals)
        return text if text.startswith("-") or text.strip("0,.") == "" else "+" + text

    def percent(self, fraction: float | None, decimals: int = 1) -> str:
        """Give a fraction as a percentage: 0.1349 -> 13,5%."""
        if fraction is None:
            return "–"
        return self.number(fraction * 100, decimals) + "%"

    def p_value(self, p: float | None) -> str:
        if p is None:
            return "–"
        if p < 0.001:
            return "< " + self.number(0.001, 3)
        return self.number(p, 3)

    # --- dates and periods --------------------------------------------------

    def date(self, day: dt.date) -> str:
        """Give a date as 3 mrt. 2026 (nl) or 3 Mar 2026 (en)."""
        return f"{day.day} {MONTHS[self.language][day.month - 1]} {day.year}"

    def datetime(self, moment: dt.datetime) -> str:
        return f"{self.date(moment.date())} {moment:%H:%M}"

    def period(self, period: str) -> str:
        """Give a period key as words: 2026-03 -> mrt. 2026, 2026-Q1 -> K1 2026, 2026-W07 -> week 7 2026, all -> overall."""
        if period == "all":
            return self("period.all")
        match = _PERIOD.match(period)
        if not match:
            return period
        year, month, quarter, week = match.groups()
        if month:
            return f"{MONTHS[self.language][int(month) - 1]} {year}"
        if quarter:
            return self("period.quarter", q=quarter, year=year)
        return self("period.week", w=int(week), year=year)


def load_catalogue(language: str, folders: list[Path]) -> Catalogue:
    """Give the catalogue for a language: each folder's <language>.json laid over the previous ones."""
    labels: dict[str, str] = {}
    for folder in folders:
        path = folder / f"{language}.json"
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            labels.update({str(k): str(v) for k, v in data.items()})
    return Catalogue(language, labels)
