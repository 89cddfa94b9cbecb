"""Benchmark of a survey export read by many metrics: cxreport against DuckDB reading the CSV once.

    python bench/bench_exports.py                       # 1,000,000 respondents, 3 rounds
    python bench/bench_exports.py --rows 200000 --runs 5
    python bench/bench_exports.py --readme              # also write the table into bench/README.md

It generates a Qualtrics-shaped export (three header rows: export tags, question texts with line
breaks, ImportId JSON; every field quoted; CRLF line ends as Qualtrics writes them) into
bench/data/exports/ (git-ignored): metadata columns, Status (1 in 200 a preview, test or spam), an
NPS question Q1, eight satisfaction questions Q2_1..Q2_8 (1-5, one in ten blank, one in fifty -99),
an effort question Q3 (1-7), Q4 (a yes/no), a segment Q9 and an open answer Q1_TEXT: 12 questions.
Ten metrics read it: the NPS per segment, a CSAT at each of eight touchpoints (`at:`), the CES.

Each measurement runs in a fresh process, one a process, the kinds taking turns:
- floor: DuckDB reads the CSV once (every column as text, the three header rows skipped) into a
  table and runs one GROUP BY per question to the finest figures (month and, for the NPS, segment:
  n and the sums the figure needs), leaving out previews, tests and spam and the unanswered rows.
- cold: cxreport's metric stage with no cache (load, validate, join_metrics, compute_figures): every
  figure of figures.json for the ten metrics, every row checked.
Peak memory is the child's largest resident set.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

from measuring import run_child, write_section

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "exports"
SEED = 0.17
TOUCHPOINTS = ["zoeken", "productpagina", "maattabel", "checkout", "betaling", "bezorging", "uitpakken", "retour"]
SEGMENTS = ["ouders", "studenten", "zakelijk", "grootouders"]
KINDS = ("floor", "cold")
SKIPPED = "('1', '2', '8')"


def project_dir(rows: int) -> Path:
    return DATA / f"qualtrics-{rows}"


def _site() -> str:
    metrics = [
        "  - id: nps\n    file: metrics/export.csv\n    format: qualtrics\n    type: nps\n"
        "    columns: {date: RecordedDate, score: Q1, segment: Q9, respondent: ResponseId, comment: Q1_TEXT}\n"
    ]
    for k, tp in enumerate(TOUCHPOINTS, start=1):
        metrics.append(
            f"  - id: csat-{tp}\n    file: metrics/export.csv\n    format: qualtrics\n    type: csat\n"
            f"    columns: {{date: RecordedDate, score: Q2_{k}, respondent: ResponseId}}\n"
            f"    at: {{journey: bestellen, touchpoint: {tp}}}\n    missing: ['', '-99']\n"
        )
    metrics.append(
        "  - id: ces\n    file: metrics/export.csv\n    format: qualtrics\n    type: ces\n"
        "    columns: {date: RecordedDate, score: Q3, respondent: ResponseId}\n"
    )
    return "title: Benchmark\nlanguage: nl\nmetrics:\n" + "".join(metrics)


def make_project(rows: int) -> Path:
    """Give a project around a Qualtrics-shaped export of `rows` respondents, generating it when missing."""
    root = project_dir(rows)
    csv = root / "content" / "metrics" / "export.csv"
    marker = root / "generated.json"
    wanted = {"rows": rows, "seed": SEED, "site": _site()}
    if csv.is_file() and marker.is_file() and json.loads(marker.read_text()) == wanted:
        return root
    import duckdb

    shutil.rmtree(root, ignore_errors=True)
    for folder in ("journeys", "personas", "metrics"):
        (root / "content" / folder).mkdir(parents=True)
    (root / "site.yml").write_text(_site(), encoding="utf-8")
    (root / "content" / "personas" / "klant.yml").write_text("name: Klant\n", encoding="utf-8")
    stages = ["attention", "interest", "interest", "action", "action", "satisfaction", "satisfaction", "satisfaction"]
    lines = ["title: Bestellen", "persona: klant", "stages:"]
    for stage in dict.fromkeys(stages):
        lines += [f"  - stage: {stage}", "    touchpoints:"]
        lines += [
            f"      - {{id: {tp}, name: {tp}, feeling: 0}}" for tp, s in zip(TOUCHPOINTS, stages, strict=True) if s == stage
        ]
    (root / "content" / "journeys" / "bestellen.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tags = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished", "RecordedDate"]
    tags += ["ResponseId", "Q1"] + [f"Q2_{k}" for k in range(1, 9)] + ["Q3", "Q4", "Q9", "Q1_TEXT"]
    texts = [t.replace("_", " ") for t in tags[:9]] + ["Hoe waarschijnlijk is het dat u ons aanbeveelt?\n(0-10)"]
    texts += [f"Hoe tevreden bent u over...\n- {tp}" for tp in TOUCHPOINTS]
    texts += ["Hoeveel moeite kostte het?", "Zou u weer bestellen?", "Wie bent u?", "Waarom?"]
    imports = ['{"ImportId":"' + t + '"}' for t in tags]

    def row(cells: list[str]) -> str:
        return ",".join('"' + c.replace('"', '""') + '"' for c in cells) + "\r\n"

    head = row(tags) + row(texts) + row(imports)
    con = duckdb.connect()
    con.execute(f"SELECT setseed({SEED})")
    segments = "[" + ", ".join(f"'{s}'" for s in SEGMENTS) + "]"

    def answer(lo: int, hi: int) -> str:
        return (
            f"CASE WHEN random() < 0.1 THEN '' WHEN random() < 0.02 THEN '-99' "
            f"ELSE CAST({lo} + CAST(floor(random() * {hi - lo + 1}) AS INTEGER) AS VARCHAR) END"
        )

    q2 = ", ".join(f"{answer(1, 5)} AS q2_{k}" for k in range(1, 9))
    body = csv.with_suffix(".body")
    con.execute(f"""
        COPY (
            SELECT strftime(ts - INTERVAL 5 MINUTE, '%Y-%m-%d %H:%M:%S') AS s, strftime(ts, '%Y-%m-%d %H:%M:%S') AS e,
                   CASE WHEN random() < 0.005 THEN ['1', '2', '8'][1 + CAST(floor(random() * 3) AS INTEGER)] ELSE '0' END AS st,
                   '10.0.0.1' AS ip, '100' AS progress, '300' AS duration, '1' AS finished,
                   strftime(ts, '%Y-%m-%d %H:%M:%S') AS recorded, 'R_' || CAST(i AS VARCHAR) AS rid,
                   CAST(CAST(floor(random() * 11) AS INTEGER) AS VARCHAR) AS q1, {q2},
                   CAST(1 + CAST(floor(random() * 7) AS INTEGER) AS VARCHAR) AS q3,
                   CASE WHEN random() < 0.5 THEN 'Ja' ELSE 'Nee' END AS q4,
                   {segments}[1 + CAST(floor(random() * {len(SEGMENTS)}) AS INTEGER)] AS q9,
                   CASE WHEN random() < 0.3 THEN 'Snel geleverd, "top"' ELSE '' END AS q1_text
            FROM (SELECT i, TIMESTAMP '2025-01-01' + to_seconds(CAST(floor(random() * 63072000) AS BIGINT)) AS ts FROM range({rows}) t(i))
        ) TO '{body}' (HEADER false, DELIMITER ',', QUOTE '"', FORCE_QUOTE *, NEW_LINE '\\r\\n')""")
    with csv.open("wb") as out:
        out.write(head.encode("utf-8"))
        with body.open("rb") as src:
            shutil.copyfileobj(src, out, 1 << 22)
    body.unlink()
    marker.write_text(json.dumps(wanted), encoding="utf-8")
    return root


def _floor_queries(table: str) -> list[str]:
    """Give one GROUP BY per question to the finest figures (answered rows of real responses only)."""
    month = "date_trunc('month', CAST(column07 AS TIMESTAMP))"
    real = f"column02 NOT IN {SKIPPED}"
    out = [
        f"SELECT {month}, column20, count(*), count_if(CAST(column09 AS INTEGER) >= 9), "
        f"count_if(CAST(column09 AS INTEGER) <= 6) FROM {table} WHERE {real} AND column09 <> '' GROUP BY ALL"
    ]
    for k in range(8):
        col = f"column{10 + k:02d}"
        out.append(
            f"SELECT {month}, count(*), count_if(CAST({col} AS INTEGER) >= 4) FROM {table} "
            f"WHERE {real} AND {col} NOT IN ('', '-99') GROUP BY ALL"
        )
    out.append(
        f"SELECT {month}, count(*), sum(CAST(column18 AS INTEGER)), sum(CAST(column18 AS INTEGER) ^ 2) FROM {table} "
        f"WHERE {real} AND column18 <> '' GROUP BY ALL"
    )
    return out


def measure(kind: str, root: Path) -> dict:
    """Run one measurement in this process and give its time in seconds."""
    csv = root / "content" / "metrics" / "export.csv"
    if kind == "floor":
        import duckdb

        con = duckdb.connect()
        start = time.perf_counter()
        con.execute(
            f"CREATE TABLE t AS SELECT * FROM read_csv('{csv}', header=false, skip=3, all_varchar=true, quote='\"', "
            "escape='\"', delim=',')"
        )
        groups = sum(len(con.execute(q).fetchall()) for q in _floor_queries("t"))
        return {"seconds": time.perf_counter() - start, "groups": groups}
    from cxreport.crosscheck import validate
    from cxreport.loader import load_sources
    from cxreport.metrics.compute import compute_figures
    from cxreport.metrics.join import join_metrics
    from cxreport.problems import Problems

    start = time.perf_counter()
    problems = Problems()
    project = load_sources(root, problems)
    assert project is not None
    validate(project, problems)
    data = join_metrics(project, problems, None)
    figures = compute_figures(project, data)
    seconds = time.perf_counter() - start
    assert not problems.errors, [p.format() for p in problems.errors]
    return {"seconds": seconds, "figures": len(figures.figures)}


def bench(rows: int, runs: int) -> dict:
    root = make_project(rows)
    results: dict[str, list[dict]] = {k: [] for k in KINDS}
    for _ in range(runs):
        for kind in KINDS:
            results[kind].append(run_child(__file__, kind, root))
    size = (root / "content" / "metrics" / "export.csv").stat().st_size
    out: dict = {"rows": rows, "mb": size / 1_048_576, "runs": runs, "figures": results["cold"][0]["figures"]}
    for kind, rs in results.items():
        times = [r["seconds"] for r in rs]
        out[kind] = {"best": min(times), "median": statistics.median(times), "peak_mb": max(r["peak_mb"] for r in rs)}
        out[kind]["all"] = [round(t, 2) for t in times]
    return out


def section(r: dict) -> str:
    ratio_best = r["cold"]["best"] / r["floor"]["best"]
    ratio_median = r["cold"]["median"] / r["floor"]["median"]
    return f"""## Survey exports

Measured {dt.date.today().isoformat()} with `python bench/bench_exports.py --readme` ({os.cpu_count()} cores), {r["runs"]} rounds,
each measurement in a fresh process, the kinds taking turns.

A Qualtrics-shaped export of {r["rows"]:,} respondents ({r["mb"]:.0f} MB: three header rows, every field quoted, CRLF,
line breaks in the question texts), 12 questions, read by 10 metrics (an NPS per segment, a CSAT at each of
eight touchpoints with `at:` and `missing: ['', '-99']`, a CES); {r["figures"]:,} figures.

| | floor: DuckDB reads the CSV once + one GROUP BY per question | cxreport, 10 metrics, cold | **ratio** |
|---|---:|---:|---:|
| best | {r["floor"]["best"]:.2f} s | {r["cold"]["best"]:.2f} s | **{ratio_best:.2f}×** |
| median | {r["floor"]["median"]:.2f} s | {r["cold"]["median"]:.2f} s | {ratio_median:.2f}× |
| peak memory | {r["floor"]["peak_mb"]:.0f} MB | {r["cold"]["peak_mb"]:.0f} MB | |

Goal (issue 14): at most 1.5× the floor, peak memory under 1 GB. Runs: floor {r["floor"]["all"]}, cxreport {r["cold"]["all"]}.
"""


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2], Path(sys.argv[3]))))
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--readme", action="store_true")
    args = parser.parse_args()
    text = section(bench(args.rows, args.runs))
    print(text)
    if args.readme:
        write_section("Survey exports", text)


if __name__ == "__main__":
    main()
