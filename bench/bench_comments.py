"""Benchmark of the comments: 1,000,000 comments redacted and coded, against the same regexes in DuckDB alone.

    python bench/bench_comments.py                   # 1 million comments, 3 rounds
    python bench/bench_comments.py --rows 200000 --runs 5
    python bench/bench_comments.py --readme          # also write the table into bench/README.md

The comments are generated once into bench/data/comments/ (git-ignored) as Parquet: short Dutch comments
as a survey gets them, one in twelve with personal data (phone numbers, e-mail, IBANs, postcodes, staff
names), with a date, a place, a respondent and a score. Each measurement runs in a fresh process, which loads
the Parquet file into a table first (not timed):

- floor: one CREATE TABLE … AS SELECT of the same regexes (metrics/redact.py: e-mail, IBAN, postcode, the
  names twice; metrics/coding.py: one pattern per code over the folded text) and a phone pattern
  (redact.PHONE_CANDIDATE) replaced by DuckDB, a bare loop of the regexes with nothing else.
- cxreport: what the metric stage does with a metric's comments: redact_table (the steps above with a flag
  per kind, the counts, phonenumbers over the comments holding a run of seven digits) and code_counts (the
  codes.json rows per place and NPS group).

Time inside the process; peak memory from os.wait4 of the child.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fixtures"))
from gen_klantonderzoek import PERSONAL  # noqa: E402 (the example survey's personal data, planted the same way)
from measuring import run_child, write_section  # noqa: E402

from cxreport.metrics.coding import code_counts, code_match_sql, folded_sql  # noqa: E402
from cxreport.metrics.redact import PHONE_CANDIDATE, redact_table, redacted_sql  # noqa: E402
from cxreport.metrics.sql import lit  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "comments"
WORDS = ["Marieke", "Joost"]
CODES = {
    "levertijd": ["te laat", "vertraag*", "levertijd", "levering"],
    "maat": ["maat", "maattabel", "past niet", "te klein", "te groot"],
    "bezorger": ["bezorger", "buren", "belde niet aan"],
    "website": ["website", "ideal", "afrekenen"],
    "retour": ["retour*", "terugbetaling", "label"],
    "klantenservice": ["klantenservice", "gebeld"],
    "kosten": ["prijs", "verzendkosten", "duur"],
    "verpakking": ["verpakt", "verpakking", "kaartje"],
}
PLAIN = [
    "Het pakket kwam twee dagen te laat en niemand liet iets weten.",
    "Levertijd was veel langer dan beloofd.",
    "De broek past niet, de maat valt klein uit.",
    "Vertraagde levering en de track en trace werkte niet.",
    "Bezorger heeft het pakket bij de buren gelaten zonder briefje.",
    "Retourneren was omslachtig, ik moest zelf een label printen.",
    "Snel geleverd en netjes verpakt, top!",
    "Fijne website, makkelijk te vinden wat ik zocht.",
    "Oké prijs, prima kwaliteit en de maat klopte.",
    "Op 12-03-2026 besteld voor € 1.234,56, bestelling 20260417.",
    "Het was oké, niets bijzonders.",
]


def generate(rows: int) -> Path:
    """Write `rows` comments to a Parquet file (once per size) and give its path."""
    path = DATA / f"comments-{rows}.parquet"
    if path.is_file():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    tmp = path.with_suffix(".tmp")
    con.execute(
        f"""COPY (
            SELECT i AS rid, DATE '2026-01-01' + (i % 180)::INTEGER AS day, 'eerste-bestelling' AS journey,
                   'satisfaction' AS stage, ['bezorging', 'checkout', 'nps-enquete'][1 + i % 3] AS touchpoint,
                   'ouders' AS segment, 'R_' || i AS respondent, (i * 7 % 11)::DOUBLE AS score,
                   CASE WHEN i % 12 = 0 THEN $personal[1 + (i // 12) % {len(PERSONAL)}]
                        ELSE $plain[1 + i % {len(PLAIN)}] || ' (' || (i % 97) || ')' END AS comment
            FROM range({rows}) t(i)) TO {lit(str(tmp))} (FORMAT parquet)""",
        {"personal": PERSONAL, "plain": PLAIN},
    )
    os.replace(tmp, path)
    return path


def child(kind: str, path: Path) -> None:
    con = duckdb.connect()
    con.execute(f"CREATE TABLE c AS SELECT * FROM read_parquet({lit(str(path))})")
    con.execute(
        "CREATE TABLE cx_journeys (journey VARCHAR, model VARCHAR); "
        "CREATE TABLE cx_model_stages (model VARCHAR, stage VARCHAR, ord INTEGER); "
        "CREATE TABLE cx_touchpoints (journey VARCHAR, touchpoint VARCHAR, stage VARCHAR, ord INTEGER)"
    )
    codes = [f"{code_match_sql('folded', match)} AS code_{k}" for k, match in enumerate(CODES.values())]
    started = time.perf_counter()
    if kind == "floor":
        text = "comment"
        for kind, _ in redacted_sql("x", WORDS, "nl"):  # each step over the one before, as redact_table does
            text = dict(redacted_sql(text, WORDS, "nl"))[kind]
        text = f"regexp_replace({text}, {lit(PHONE_CANDIDATE)}, '[telefoon]', 'g')"
        con.execute(
            f"CREATE TABLE o AS SELECT rid, {text} AS text, {', '.join(codes)} "
            f"FROM (SELECT *, {folded_sql('comment')} AS folded FROM c)"
        )
        counted = con.execute("SELECT count(*) FROM o").fetchone()[0]
    else:
        keep = ["rid", "day", "journey", "stage", "touchpoint", "segment", "respondent", "score"]
        keep.append("CASE WHEN score >= 9 THEN 'promoter' WHEN score >= 7 THEN 'passive' ELSE 'detractor' END AS grp")
        inner = f"(SELECT *, {folded_sql('comment')} AS folded FROM c)"
        r = redact_table(con, inner, "o", WORDS, "nl", keep, codes)
        rows = code_counts(con, "o", "nps", ("journey", "stage", "touchpoint"), list(CODES), True, "aidas")
        counted = r.comments
        assert rows and r.redacted
    seconds = time.perf_counter() - started
    print(json.dumps({"kind": kind, "seconds": seconds, "comments": counted}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--readme", action="store_true")
    ap.add_argument("--child", nargs=2, metavar=("KIND", "PATH"))
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    path = generate(args.rows)
    results: dict[str, list[dict]] = {"floor": [], "cxreport": []}
    for _ in range(args.runs):
        for kind in results:  # the kinds take turns, so a busy moment hits both alike
            results[kind].append(run_child(__file__, kind, path))
    lines = [
        "## Comments",
        "",
        f"`python bench/bench_comments.py --rows {args.rows} --runs {args.runs}` on {os.cpu_count()} cores "
        f"({platform.machine()}, Python {platform.python_version()}, DuckDB {duckdb.__version__}): {args.rows:,} "
        "comments (one in twelve with personal data) redacted and coded, against the same regexes in DuckDB alone.",
        "",
        "| kind | best (s) | median (s) | peak memory (MB) | ratio to floor (best) |",
        "|---|---|---|---|---|",
    ]
    floor = min(r["seconds"] for r in results["floor"])
    for kind, runs in results.items():
        best = min(r["seconds"] for r in runs)
        median = statistics.median(r["seconds"] for r in runs)
        peak = max(r["peak_mb"] for r in runs)
        lines.append(f"| {kind} | {best:.2f} | {median:.2f} | {peak:.0f} | {best / floor:.2f}× |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.readme:
        write_section("Comments", text)


if __name__ == "__main__":
    main()
