"""The search index: built at build time and loaded as a script, so search also works from disk (file://).

The index is made from the page plan (each page's context), so it finds what the pages show: journeys, their
touchpoints with every lane, personas, playbooks, chapters and their sections, pillars and metrics.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

KINDS = ("journey", "touchpoint", "persona", "playbook", "page", "section", "pillar", "metric", "comment")
MAX_COMMENTS = 2_000  # comments of one metric in the index (its comments page lists and filters them all)
COMMENT_TITLE = 80  # characters of a comment shown as its title
INDEX_PATH = "assets/search-index.js"
MAX_TEXT = 400  # folded characters of words kept per entry besides title and context: enough to find, small enough to ship
# Words too common to find anything by; a query for them still matches longer words by prefix ("de" -> "dekbed").
STOP_WORDS = {
    "nl": frozenset(
        {
            "aan",
            "al",
            "als",
            "bij",
            "dan",
            "dat",
            "de",
            "deze",
            "die",
            "dit",
            "door",
            "een",
            "en",
            "er",
            "het",
            "hij",
            "in",
            "is",
            "je",
            "ik",
            "kan",
            "met",
            "na",
            "naar",
            "niet",
            "nog",
            "of",
            "om",
            "op",
            "te",
            "tot",
            "uit",
            "van",
            "voor",
            "was",
            "wat",
            "we",
            "wel",
            "wie",
            "zij",
            "ze",
            "zich",
            "zo",
            "zijn",
        }
    ),
    "en": frozenset(
        {
            "a",
            "an",
            "and",
            "are",
            "as",
            "at",
            "be",
            "by",
            "for",
            "from",
            "has",
            "have",
            "in",
            "is",
            "it",
            "its",
            "of",
            "on",
            "or",
            "that",
            "the",
            "this",
            "to",
            "was",
            "were",
            "with",
            "you",
            "your",
        }
    ),
}
_TAG = re.compile(r"<[^>]+>")
_SECTION = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.DOTALL)
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class SearchEntry:
    """One thing a reader can find: a journey, a touchpoint, a persona, a playbook, a page, a section, a pillar, a metric."""

    kind: str
    title: str
    url: str  # relative to the site root, with #anchor for a touchpoint or section
    context: str = ""  # shown under the title: the journey and stage of a touchpoint, a playbook's type
    text: str = ""  # words to search besides the title (lanes, summaries, bodies)


def fold(text: str) -> str:
    """Give text lowercased with accents removed and punctuation turned into spaces (ë -> e, É -> e).

    search.js folds a query the same way: lower case, NFKD, marks dropped, anything not a letter or digit a space.
    """
    folded = text.casefold()
    if not folded.isascii():  # ASCII has nothing to decompose (most text): skip the walk over every character
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return _NOT_WORD.sub(" ", folded).strip()


def plain(markup: Any) -> str:
    """Give the text of an HTML fragment (rendered Markdown): tags become spaces, entities characters."""
    text = str(markup or "")
    if "<" not in text and "&" not in text:  # most lane lines and names: nothing to take out
        return text
    return html.unescape(_TAG.sub(" ", text))


def words_of(entry: SearchEntry, stop: frozenset[str] = frozenset()) -> str:
    """Give the entry's searchable words beyond its title and context: folded, each once, at most MAX_TEXT characters."""
    shown = set(fold(entry.title).split()) | set(fold(entry.context).split())
    kept: list[str] = []
    size = 0
    for word in dict.fromkeys(fold(entry.text).split()):  # each word once, in the order it first appears
        if len(word) < 2 or word in stop or word in shown:
            continue
        if size + len(word) + 1 > MAX_TEXT + 1:
            break
        kept.append(word)
        size += len(word) + 1
    return " ".join(kept)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # what json.dumps makes with these options


def _script_json(data: Any) -> str:
    return _escaped(_ENCODER.encode(data))


def _escaped(text: str) -> str:
    """Give JSON text safe inside <script>: <, >, & and the two line separators JavaScript ends lines at, escaped."""
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def index_row(entry: SearchEntry, stop: frozenset[str] = frozenset()) -> list:
    """Give one row of the index: [kind number, title, url, context, words]."""
    order = KINDS.index(entry.kind) if entry.kind in KINDS else None
    if order is None:
        raise ValueError(f"unknown search entry kind {entry.kind!r}")
    return [order, entry.title, entry.url, entry.context, words_of(entry, stop)]


def script_of_rows(rows: Iterable[list], labels: Mapping[str, str]) -> str:
    """Give the index script of rows made by index_row (an incremental build keeps each page's rows)."""
    items = sorted(rows, key=lambda r: (r[0], r[2], r[1]))
    data = {"kinds": list(KINDS), "labels": dict(sorted(labels.items())), "items": items}
    return f"window.CXSEARCH={_script_json(data)};\n"


class RowTexts:
    """Each page's index rows as they appear in the index script, kept between builds of one process.

    A page's rows are known by the list that holds them (a build keeps the list of every page it does not make
    again): rows already seen are not serialised again, so a rebuild that makes a few pages only sorts and joins.
    The lists must not change once given (index_row makes new ones).
    """

    def __init__(self) -> None:
        self._known: dict[int, tuple[list[list], list[tuple[tuple, str]]]] = {}

    def script(self, pages: Iterable[list[list]], labels: Mapping[str, str]) -> str:
        """Give exactly what script_of_rows gives for the rows of all pages, in this order."""
        known, fresh = self._known, {}
        items: list[tuple[tuple, str]] = []
        for rows in pages:
            entry = known.get(id(rows))
            if entry is None or entry[0] is not rows:
                encode = _ENCODER.encode  # a page's rows escaped at once: the encoder never writes a line break
                texts = _escaped("\n".join([encode(r) for r in rows])).split("\n") if rows else []
                entry = (rows, [((r[0], r[2], r[1]), text) for r, text in zip(rows, texts, strict=True)])
            fresh[id(rows)] = entry  # holding the list keeps its id from being reused while it is known
            items.extend(entry[1])
        self._known = fresh
        items.sort(key=lambda item: item[0])  # stable, as script_of_rows: rows with one key keep their order
        head = _script_json({"kinds": list(KINDS), "labels": dict(sorted(labels.items()))})
        return f'window.CXSEARCH={head[:-1]},"items":[{",".join(text for _, text in items)}]}};\n'


ROW_TEXTS = RowTexts()  # the search index of the last site built by this process (cxreport serve rebuilds it often)


def index_script(entries: Iterable[SearchEntry], labels: Mapping[str, str], language: str = "") -> str:
    """Give the JavaScript file that defines the index as `window.CXSEARCH` (safe inside <script>, byte-stable).

    Rows are [kind number, title, url, context, words], sorted by kind, then url; `labels` are the words search.js
    shows (group headings, counts), in the site's language.
    """
    stop = STOP_WORDS.get(language, frozenset())
    return script_of_rows([index_row(e, stop) for e in entries], labels)


# --- entries from the page plan ---------------------------------------------------------------------


def _join(*parts: Any) -> str:
    out: list[str] = []
    for part in parts:
        if part is None:
            continue
        if isinstance(part, (list, tuple)):
            out.append(_join(*part))
        else:
            out.append(plain(part))
    return " ".join(p for p in out if p)


def _sections(body: Any, page_path: str, title: str) -> list[SearchEntry]:
    """Give an entry for each second-level heading of a rendered body, linking to its anchor."""
    return [
        SearchEntry("section", plain(text).strip(), f"{page_path}#{anchor}", title)
        for anchor, text in _SECTION.findall(str(body or ""))
        if plain(text).strip()
    ]


def _journey_entries(path: str, c: Mapping[str, Any]) -> list[SearchEntry]:
    j = c["journey"]
    persona = j["persona"]["name"] if j.get("persona") else ""
    entries = [
        SearchEntry(
            "journey",
            j["title"],
            path,
            " · ".join(x for x in (j["state_text"], persona) if x),
            _join(j["summary"], j["owner"], [s["name"] for s in c["stages"]], [s["goal"] for s in c["stages"]]),
        )
    ]
    for stage in c["stages"]:
        for tp in stage["touchpoints"]:
            feeling = tp["feeling"]
            entries.append(
                SearchEntry(
                    "touchpoint",
                    tp["name"],
                    f"{path}#{tp['anchor']}",
                    f"{j['title']} · {stage['name']}",
                    _join(
                        tp["channel"],
                        tp["owner"],
                        [p["name"] for p in tp["pillars"]],
                        tp["doing"],
                        tp["thinking"],
                        feeling["label"] if feeling else "",
                        tp["pain_points"],
                        tp["opportunities"],
                        tp["backstage"],
                        [(e["source"], e["note"]) for e in tp["evidence"]],
                        [p["title"] for p in tp["playbooks"]],
                    ),
                )
            )
    return entries


def _playbook_entries(path: str, c: Mapping[str, Any]) -> list[SearchEntry]:
    pb = c["playbook"]
    place = pb.get("place") or {}
    context = " · ".join(x for x in (pb["type_text"], pb.get("status_text", "")) if x)
    text = _join(
        *(pb.get(k, "") for k in ("trigger", "failure", "signal", "owner", "hypothesis", "decision", "moral", "quote")),
        place.get("journey", ""),
        place.get("touchpoint", ""),
        pb["body"],
    )
    return [SearchEntry("playbook", pb["title"], path, context, text), *_sections(pb["body"], path, pb["title"])]


def _comment_entries(path: str, c: Mapping[str, Any]) -> list[SearchEntry]:
    """Give an entry per comment (redacted: the page's own data), linking to it on its metric's comments page."""
    data = json.loads(str(c["data"]))
    label = c["metric"]["label"]
    out = []
    for item in data["items"][:MAX_COMMENTS]:
        text = item["t"]
        title = text if len(text) <= COMMENT_TITLE else text[: COMMENT_TITLE - 1].rstrip() + "…"
        context = " · ".join(x for x in (label, data["labels"]["groups"].get(item["g"], ""), item["d"]) if x)
        url = f"{path}#r-{item['r']}" if item["r"] else path
        out.append(SearchEntry("comment", title, url, context, text))
    return out


def entries_for(pages: Sequence[Any], guide_label: str = "") -> list[SearchEntry]:
    """Give the search entries of a planned site: what each page shows that a reader may look for."""
    entries: list[SearchEntry] = []
    for page in pages:
        c, path = page.context, page.path
        if page.kind == "journey":
            entries += _journey_entries(path, c)
        elif page.kind == "persona":
            p = c["persona"]
            entries.append(
                SearchEntry(
                    "persona",
                    p["name"],
                    path,
                    p["segment"],
                    _join(p["quote"], p["description"], p["goals"], p["frustrations"], p["channels"]),
                )
            )
        elif page.kind == "playbook":
            entries += _playbook_entries(path, c)
        elif page.kind == "chapter":
            ch = c["chapter"]
            context = guide_label if path.startswith("playbooks/") else ""
            entries.append(SearchEntry("page", ch["title"], path, context, _join(ch["body"])))
            entries += _sections(ch["body"], path, ch["title"])
        elif page.kind == "pillars":
            entries += [
                SearchEntry("pillar", d["name"], f"{path}#{d['anchor']}", "", _join(d["description"])) for d in c["details"]
            ]
        elif page.kind == "comments":
            entries += _comment_entries(path, c)
        elif page.kind == "metric":
            mt = c["metric"]
            entries.append(
                SearchEntry(
                    "metric",
                    mt["label"],
                    path,
                    mt["type_text"],
                    _join(mt["id"], mt["pillar"]["name"] if mt["pillar"] else "", mt["unit"]),
                )
            )
    return entries
