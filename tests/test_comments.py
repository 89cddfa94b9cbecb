"""Comments (FORMAT.md, Comments; codes.json): redaction, coding, counts and margins, and nothing planted published."""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import pytest
from helpers import write_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxreport.metrics.coding import fold
from cxreport.metrics.iban import bban_classes, formats
from cxreport.metrics.redact import redact_table
from cxreport.pipeline import build, check

NAMES = ["Marieke", "Joost", "Anaïs"]


def redacted(texts: list[str], language: str = "nl", words=NAMES) -> list[str]:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE c AS SELECT unnest($1::BIGINT[]) AS rid, unnest($2::VARCHAR[]) AS comment",
        [list(range(len(texts))), texts],
    )
    redact_table(con, "c", "o", words, language, ["rid"])
    return [r[0] for r in con.execute("SELECT text FROM o ORDER BY rid").fetchall()]


# personal data in the forms customers write it: each must disappear, leaving its token
PERSONAL = [
    ("Bel 06-12345678 aub", "Bel [telefoon] aub"),
    ("Bel 06-98765432 aub", "Bel [telefoon] aub"),  # a mobile range not handed out yet is still a number
    ("Bel 0612345678.", "Bel [telefoon]."),
    ("mobiel 06 1234 5678", "mobiel [telefoon]"),
    ("mobiel 06.12.34.56.78", "mobiel [telefoon]"),
    ("mobiel 06 - 123 456 78", "mobiel [telefoon]"),
    ("(06)12345678 graag", "[telefoon] graag"),
    ("+31 6 12345678", "[telefoon]"),
    ("+31(0)6-12345678", "[telefoon]"),
    ("0031 6 12345678", "[telefoon]"),
    ("0031201234567", "[telefoon]"),
    ("kantoor (020) 123 4567", "kantoor [telefoon]"),
    ("kantoor 020-1234567", "kantoor [telefoon]"),
    ("+31 20 123 4567, bel gerust", "[telefoon], bel gerust"),
    ("tel:0201234567", "tel:[telefoon]"),
    ("in Londen +44 20 7946 0958", "in Londen [telefoon]"),
    ("België +32 470 12 34 56", "België [telefoon]"),
    ("US +1 (415) 555-0132", "US [telefoon]"),
    ("mail j.de.vries@example.nl aub", "mail [e-mail] aub"),
    ("Pien.Jansen+shop@voorbeeld.co.uk.", "[e-mail]."),
    ("jan(at)example.com", "[e-mail]"),
    ("jan [at] example.com", "[e-mail]"),
    ("op NL91 ABNA 0417 1643 00, graag", "op [IBAN], graag"),
    ("op NL91ABNA0417164300", "op [IBAN]"),
    ("op nl91abna0417164300", "op [IBAN]"),
    ("op NL00ABNA0123456789 (check klopt niet)", "op [IBAN] (check klopt niet)"),
    ("DE89 3704 0044 0532 0130 00", "[IBAN]"),
    ("BE68539007547034", "[IBAN]"),
    ("GB29 NWBK 6016 1331 9268 19", "[IBAN]"),
    ("FR14 2004 1010 0505 0001 3M02 606", "[IBAN]"),
    ("wij wonen op 1234 AB 12.", "wij wonen op [postcode]."),
    ("wij wonen op 1234AB", "wij wonen op [postcode]"),
    ("wij wonen op 1234ab", "wij wonen op [postcode]"),
    ("adres 5611AB 3a, Eindhoven", "adres [postcode], Eindhoven"),
    ("adres 9999 ZZ 100-2", "adres [postcode]"),
    ("Marieke hielp me", "[naam] hielp me"),
    ("dank aan MARIEKE!", "dank aan [naam]!"),
    ("dankzij marieke's hulp", "dankzij [naam]'s hulp"),
    ("dankzij Marieke’s hulp", "dankzij [naam]’s hulp"),
    ("Joosts collega", "[naam]s collega"),
    ("(Joost)", "([naam])"),
    ("Joost Joost Joost", "[naam] [naam] [naam]"),
    ("1234 AB 14 06-98765432", "[postcode] [telefoon]"),  # these three found by the property test below
    ("3511zx 06-98765432", "[postcode] [telefoon]"),
    ("(010) 987 6543 0031 6 98765432", "[telefoon] [telefoon]"),
    ("+31 6 98765432 06-98765432", "[telefoon] [telefoon]"),
    ('"joost",marieke.', '"[naam]",[naam].'),
    ("Anaïs belde", "[naam] belde"),
]

# look-alikes that must stay readable
KEPT = [
    "bestelling 20260417 kwam niet",
    "ordernummer 123456789",
    "bestelnummer 1003456789",
    "order #A-12345",
    "op 12-03-2026 besteld",
    "op 12.03.2026 besteld",
    "op 2026-03-12 besteld",
    "om 14:30 uur",
    "€ 1.234,56 terug",
    "EUR 1,234.56",
    "ISBN 978-90-274-3965-3",
    "ISBN 9789027439653",
    "factuur 2026-00123",
    "in 2026 en daarna",
    "maat 104 en 110",
    "Joostje",
    "NL-talig",
    "R_0042",
]


@pytest.mark.parametrize("text, expected", PERSONAL)
def test_personal_data_disappears(text, expected):
    assert redacted([text]) == [expected]


@pytest.mark.parametrize("text", KEPT)
def test_look_alikes_stay(text):
    assert redacted([text]) == [text]


def test_tokens_are_in_the_sites_language():
    assert redacted(["06-12345678 Joost a@b.nl NL91ABNA0417164300 1234 AB"], "en") == [
        "[phone] [name] [e-mail] [IBAN] [postcode]"
    ]


def test_iban_registry_lengths_match_their_shapes():
    for country, (length, shape) in formats().items():
        assert len(bban_classes(shape)) == length - 4, country


# --- codes ------------------------------------------------------------------------------------------------------

SURVEY = "ResponseId,Datum,Score,Toelichting\n"


def survey_project(root: Path, rows: list[tuple], codes: str, extra: dict | None = None) -> Path:
    lines = [SURVEY] + [f"{r},{d},{s},{json.dumps(c, ensure_ascii=False)}\n" for r, d, s, c in rows]
    site = (
        "title: T\nlanguage: nl\n"
        "metrics:\n"
        "  - {id: nps, file: metrics/survey.csv, type: nps, missing: [''], "
        "columns: {respondent: ResponseId, date: Datum, score: Score, comment: Toelichting}}\n"
        f"{codes}"
        "privacy: {redact: [Marieke]}\n"
    )
    files = {"site.yml": site, "content/metrics/survey.csv": "".join(lines), **(extra or {})}
    return write_project(root, files, dedent=False)


ROWS = [
    ("R_1", "2026-03-01", 10, "Snel geleverd, top"),
    ("R_2", "2026-03-02", 2, "Levering VERTRAAGD en te  laat"),
    ("R_3", "2026-03-03", 8, "De vertraging viel mee; oké"),
    ("R_4", "2026-03-04", 6, "Geïrriteerd: de maat klopte niet"),
    ("R_5", "2026-03-05", 9, "Oke, levertijd-probleem opgelost door Marieke"),
    ("R_6", "2026-03-06", "", "geen cijfer, wel te laat"),
    ("R_7", "2026-03-07", 3, "   "),
    ("R_8", "2026-03-08", 0, "laatste keer, telaat"),
]
CODES = (
    "codes:\n"
    "  laat: {name: Te laat, match: ['te laat', 'vertraag*']}\n"
    "  oke: {name: Oké, match: ['oké']}\n"
    "  irritatie: {name: Irritatie, match: ['geirriteerd', 'levertijd']}\n"
)


def codes_of(out: Path) -> list[dict]:
    return json.loads((out / "data" / "codes.json").read_text(encoding="utf-8"))["codes"]


def test_codes_match_whole_words_wildcards_and_any_accent_and_codes_json_is_exact(tmp_path):
    root = survey_project(tmp_path / "p", ROWS, CODES)
    result = build(root, tmp_path / "out")
    assert result.written, [p.format() for p in result.problems]
    # by hand: 7 comments (R_7 is blank); R_6 has no score, so no group
    # laat: R_2 ('vertraagd', 'te  laat'), R_6 ('te laat'); not R_3 ('vertraging' does not begin with 'vertraag'),
    # not R_8 ('laatste', 'telaat')
    # oke: R_3 ('oké'), R_5 ('Oke'); irritatie: R_4 ('Geïrriteerd'), R_5 ('levertijd' in 'levertijd-probleem')
    mentions = {
        (None, "laat"): 2, (None, "oke"): 2, (None, "irritatie"): 2,
        ("promoter", "laat"): 0, ("promoter", "oke"): 1, ("promoter", "irritatie"): 1,
        ("passive", "laat"): 0, ("passive", "oke"): 1, ("passive", "irritatie"): 0,
        ("detractor", "laat"): 1, ("detractor", "oke"): 0, ("detractor", "irritatie"): 1,
    }  # fmt: skip
    comments = {None: 7, "promoter": 2, "passive": 1, "detractor": 3}

    def row(group, code):
        n, m = comments[group], mentions[(group, code)]
        p = m / n
        margin = round(1.96 * math.sqrt(p * (1 - p) / n), 4) + 0.0
        return {
            "metric": "nps", "period": "all", "journey": None, "stage": None, "touchpoint": None, "group": group,
            "code": code, "comments": n, "mentions": m, "share": round(p, 4) + 0.0, "margin": margin,
        }  # fmt: skip

    expected = [row(g, c) for g in (None, "promoter", "passive", "detractor") for c in ("laat", "oke", "irritatie")]
    assert codes_of(tmp_path / "out") == expected
    assert expected[0]["share"] == 0.2857 and expected[0]["margin"] == 0.3347  # 2/7 and 1.96 sqrt(2/7 · 5/7 / 7)


def test_fold_matches_duckdb_strip_accents():
    text = "Geïrriteerd OKÉ één Zoë crème Ångström"
    con = duckdb.connect()
    assert con.execute("SELECT strip_accents(lower(?))", [text]).fetchone()[0] == fold(text)


def test_a_story_quoting_an_unknown_respondent_names_its_line(tmp_path):
    story = "---\ntype: story\ntitle: S\nquote_comment: {metric: nps, respondent: R_99}\n---\nText\n"
    root = survey_project(tmp_path / "p", ROWS, CODES, {"content/playbooks/s.md": story})
    _, problems = check(root)
    found = [(p.path, p.line, p.code) for p in problems]
    assert found == [("content/playbooks/s.md", 4, "unknown-respondent")], [p.format() for p in problems]


def test_a_story_quoting_a_metric_without_comments_is_an_error(tmp_path):
    story = "---\ntype: story\ntitle: S\nquote_comment: {metric: plain, respondent: R_1}\n---\nText\n"
    root = survey_project(tmp_path / "p", ROWS, CODES, {"content/playbooks/s.md": story})
    (root / "site.yml").write_text(
        "title: T\nlanguage: nl\nmetrics:\n"
        "  - {id: plain, file: metrics/survey.csv, type: nps, missing: [''], columns: {date: Datum, score: Score}}\n"
    )
    _, problems = check(root)
    assert [(p.line, p.code) for p in problems] == [(4, "quote-comment-metric")], [p.format() for p in problems]


def test_the_quoted_comment_is_on_the_story_page_redacted(tmp_path):
    story = "---\ntype: story\ntitle: S\nquote_comment: {metric: nps, respondent: R_5}\n---\nText\n"
    root = survey_project(tmp_path / "p", ROWS, CODES, {"content/playbooks/s.md": story})
    assert build(root, tmp_path / "out").written
    page = (tmp_path / "out" / "playbooks" / "s.html").read_text(encoding="utf-8")
    assert "Oke, levertijd-probleem opgelost door [naam]" in page and "Marieke" not in page


# --- nothing planted survives anywhere in the output --------------------------------------------------------------

PLANTED = st.sampled_from(
    [
        "06-98765432", "+31 6 98765432", "0031 6 98765432", "(010) 987 6543", "+44 20 7946 0321",
        "pien.planted@voorbeeld.nl", "NL02 RABO 0381 9472 65", "nl02rabo0381947265", "DE02 1203 0000 0000 2020 51",
        "3511 ZX 14", "3511zx", "Gerrit-Jan", "GERRIT-JAN", "Zoë",
    ]
)  # fmt: skip
SECRET = {  # what must not appear: the digits or letters that identify the person, in the forms planted
    "06-98765432": ["98765432"], "+31 6 98765432": ["98765432"], "0031 6 98765432": ["98765432"],
    "(010) 987 6543": ["987 6543"], "+44 20 7946 0321": ["7946 0321"], "pien.planted@voorbeeld.nl": ["planted"],
    "NL02 RABO 0381 9472 65": ["0381 9472", "RABO 0381"], "nl02rabo0381947265": ["0381947265", "nl02rabo"],
    "DE02 1203 0000 0000 2020 51": ["2020 51"], "3511 ZX 14": ["3511 ZX"], "3511zx": ["3511zx"],
    "Gerrit-Jan": ["Gerrit"], "GERRIT-JAN": ["GERRIT"], "Zoë": ["Zoë", "Zo\\u00eb"],
}  # fmt: skip
FILLER = st.sampled_from(["Bel", "graag", "mijn", "nummer", "is", "te laat", "oké", ",", "(", ")", "'s", "."])


@st.composite
def planted_comment(draw) -> tuple[str, list[str]]:
    words = draw(st.lists(st.one_of(FILLER, PLANTED), min_size=1, max_size=6))
    planted = [w for w in words if w in SECRET]
    return " ".join(words), planted


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(comments=st.lists(planted_comment(), min_size=1, max_size=6))
def test_no_output_file_holds_a_planted_value(tmp_path_factory, comments):
    base = tmp_path_factory.mktemp("planted")
    rows = [(f"R_{k}", "2026-03-01", k % 11, text) for k, (text, _) in enumerate(comments)]
    root = survey_project(base / "p", rows, CODES)
    site = (root / "site.yml").read_text().replace("[Marieke]", "[Marieke, Gerrit-Jan, Zoë]")
    (root / "site.yml").write_text(site)
    story = "---\ntype: story\ntitle: S\nquote_comment: {metric: nps, respondent: R_0}\n---\nText\n"
    write_project(root, {"content/playbooks/s.md": story}, dedent=False)
    out = base / "out"
    result = build(root, out)
    assert result.written, [p.format() for p in result.problems]
    secrets = {s for _, planted in comments for p in planted for s in SECRET[p]}
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in secrets:
                assert secret.encode() not in data, (path, secret)
