"""Benchmark of the metric stage: cxreport against a bare DuckDB read_csv + GROUP BY over the same NPS file.

    python bench/bench_metrics.py                 # 1 and 10 million rows, 5 rounds each
    python bench/bench_metrics.py --rows 1000000 --runs 5
    python bench/bench_metrics.py --readme        # also write the table into bench/README.md

It generates NPS CSVs (date, journey, touchpoint, segment, score; ISO dates, comma
separated) into bench/data/metrics/ (git-ignored), with a small project around each, and
measures in fresh processes, one measurement a process:

- floor: DuckDB's read_csv (types sniffed) and one GROUP BY to the finest figures (month, journey,
  touchpoint, segment: count, promoters, detractors), what a person would write by hand to get the
  figures of this file; every figure cxreport writes follows from these sums.
- floor-bare: read_csv and one GROUP BY touchpoint with count(*) and avg(score), for reference: the
  barest query over the file (it reads 2 of the 5 columns and computes no figure of figures.json).
- cold: cxreport's metric stage with no cache (load, validate, join_metrics, compute_figures).
- cold+cache: the same on a first build that also hashes the file and writes the cache.
- warm: a rebuild with the cache filled (the tally comes from the cache).

Time is measured inside the process (interpreter start and imports are not counted and
are the same for both); peak memory is the process's maximum resident set, taken from
os.wait4 on the child (getrusage of that one child). The kinds take turns, run after run, so
a busy moment of a shared machine hits all alike; the best and the median of the runs are
reported, and the ratio of each.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path

from measuring import run_child, write_section

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "metrics"
SEED = 0.42
JOURNEYS = {  # journey -> touchpoints by AIDAS stage
    "eerste-bestelling": {
        "attention": ["insta-advertentie", "zoekresultaat"],
        "interest": ["productpagina", "maattabel"],
        "action": ["checkout", "betaling"],
        "satisfaction": ["bezorging", "uitpakken"],
    },
    "retour": {"interest": ["retourbeleid"], "action": ["retour-aanmelden"], "satisfaction": ["terugbetaling", "nps-enquete"]},
    "herhaalaankoop": {
        "attention": ["nieuwsbrief"],
        "desire": ["verlanglijst"],
        "action": ["snel-bestellen"],
        "satisfaction": ["levering", "review-vraag"],
    },
}
SEGMENTS = ["ouders", "studenten", "zakelijk", "grootouders"]

FLOOR_SQL = (
    "SELECT date_trunc('month', date) AS month, journey, touchpoint, segment, count(*) AS n, "
    "count_if(score >= 9) AS promoters, count_if(score <= 6) AS detractors "
    "FROM read_csv('{file}') GROUP BY ALL"
)
FLOOR_BARE_SQL = "SELECT touchpoint, count(*) AS n, avg(score) AS mean FROM read_csv('{file}') GROUP BY ALL"
KINDS = ("floor", "floor-bare", "cold", "cold+cache", "warm")


# --- data ------------------------------------------------------------------------------


def project_dir(rows: int) -> Path:
    return DATA / f"nps-{rows // 1_000_000}m" if rows % 1_000_000 == 0 else DATA / f"nps-{rows}"


def make_project(rows: int) -> Path:
    """Give a project whose one metric is an NPS file of `rows` responses, generating it when missing."""
    root = project_dir(rows)
    csv = root / "content" / "metrics" / "nps.csv"
    marker = root / "generated.json"
    wanted = {"rows": rows, "seed": SEED}
    if csv.is_file() and marker.is_file() and json.loads(marker.read_text()) == wanted:
        return root
    import duckdb

    shutil.rmtree(root, ignore_errors=True)
    (root / "content" / "journeys").mkdir(parents=True)
    (root / "content" / "personas").mkdir(parents=True)
    csv.parent.mkdir(parents=True)
    (root / "site.yml").write_text(
        "title: Benchmark\nmetrics:\n  - id: nps\n    file: metrics/nps.csv\n    type: nps\n    period: month\n"
        "    columns: {journey: journey, touchpoint: touchpoint, segment: segment}\n",
        encoding="utf-8",
    )
    (root / "content" / "personas" / "klant.yml").write_text("name: Klant\n", encoding="utf-8")
    pairs = []
    for journey, stages in JOURNEYS.items():
        lines = [f"title: {journey}", "persona: klant", "stages:"]
        for stage, tps in stages.items():
            lines += [f"  - stage: {stage}", "    touchpoints:"]
            lines += [f"      - {{id: {tp}, name: {tp}, feeling: 0}}" for tp in tps]
            pairs += [(journey, tp) for tp in tps]
        (root / "content" / "journeys" / f"{journey}.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    con = duckdb.connect()
    con.execute(f"SELECT setseed({SEED})")
    pair_list = "[" + ", ".join(f"['{j}', '{t}']" for j, t in pairs) + "]"
    segments = "[" + ", ".join(f"'{s}'" for s in SEGMENTS) + "]"
    con.execute(f"""
        COPY (
            SELECT DATE '2025-01-01' + CAST(floor(random() * 730) AS INTEGER) AS date, p[1] AS journey, p[2] AS touchpoint,
                   {segments}[1 + CAST(floor(random() * {len(SEGMENTS)}) AS INTEGER)] AS segment,
                   CAST(floor(random() * 11) AS INTEGER) AS score
            FROM (SELECT {pair_list}[1 + CAST(floor(random() * {len(pairs)}) AS INTEGER)] AS p FROM range({rows}))
        ) TO '{csv}' (HEADER, DELIMITER ',')""")
    marker.write_text(json.dumps(wanted), encoding="utf-8")
    return root


# --- one measurement, in its own process -------------------------------------------------


def measure(kind: str, root: Path) -> dict:
    """Run one measurement in this process and give its time in seconds (and what it produced)."""
    csv = root / "content" / "metrics" / "nps.csv"
    cache = root / ".cxreport-cache"
    if kind in ("floor", "floor-bare"):
        import duckdb

        con = duckdb.connect()
        start = time.perf_counter()
        groups = len(con.execute((FLOOR_SQL if kind == "floor" else FLOOR_BARE_SQL).format(file=csv)).fetchall())
        return {"seconds": time.perf_counter() - start, "groups": groups}
    from cxreport.crosscheck import validate
    from cxreport.loader import load_sources
    from cxreport.metrics.compute import compute_figures
    from cxreport.metrics.join import join_metrics
    from cxreport.problems import Problems

    if kind == "cold+cache":
        shutil.rmtree(cache, ignore_errors=True)
    start = time.perf_counter()
    problems = Problems()
    project = load_sources(root, problems)
    validate(project, problems)
    data = join_metrics(project, problems, None if kind == "cold" else cache)
    figures = compute_figures(project, data)
    seconds = time.perf_counter() - start
    assert not problems.errors, [p.format() for p in problems.errors]
    cached = data.tables["nps"].cached
    assert cached == (kind == "warm"), f"{kind}: cached={cached}"
    return {"seconds": seconds, "figures": len(figures.figures)}


def bench(rows: int, runs: int) -> dict:
    """Give the best and median time and the peak memory of each measurement for one file size."""
    root = make_project(rows)
    run_child(__file__, "cold+cache", root)  # fill the cache once, so 'warm' has something to find
    results: dict[str, list[dict]] = {k: [] for k in KINDS}
    load = [os.getloadavg()[0]]
    for _ in range(runs):
        for kind in KINDS:  # taking turns: a busy moment of the machine hits all kinds alike
            results[kind].append(run_child(__file__, kind, root))
        load.append(os.getloadavg()[0])
    size = (root / "content" / "metrics" / "nps.csv").stat().st_size
    out = {"rows": rows, "mb": size / 1_048_576, "runs": runs, "load": (min(load), max(load))}
    for kind, rs in results.items():
        times = [r["seconds"] for r in rs]
        out[kind] = {
            "best": min(times),
            "median": statistics.median(times),
            "peak_mb": max(r["peak_mb"] for r in rs),
            "all": [round(t, 3) for t in times],
        }
    out["figures"] = results["cold"][0]["figures"]
    return out


# --- report --------------------------------------------------------------------------------


def _s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def table(reports: list[dict]) -> str:
    lines = [
        (
            "| rows (file) | | floor: read_csv + GROUP BY month, journey, touchpoint, segment | cxreport cold, no cache "
            "| **ratio to floor** | cold + cache write | warm (cache hit) | peak memory: cxreport / floor "
            "| floor-bare: GROUP BY touchpoint | ratio to floor-bare |"
        ),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in reports:
        for i, stat in enumerate(("best", "median")):
            first = f"{r['rows']:,} ({r['mb']:.0f} MB)" if i == 0 else ""
            memory = (
                f"{max(r[k]['peak_mb'] for k in ('cold', 'cold+cache', 'warm')):.0f} MB / {r['floor']['peak_mb']:.0f} MB"
                if i == 0
                else ""
            )
            lines.append(
                f"| {first} | {stat} of {r['runs']} | {_s(r['floor'][stat])} | {_s(r['cold'][stat])} | "
                f"**{r['cold'][stat] / r['floor'][stat]:.2f}×** | {_s(r['cold+cache'][stat])} | {_s(r['warm'][stat])} | "
                f"{memory} | {_s(r['floor-bare'][stat])} | {r['cold'][stat] / r['floor-bare'][stat]:.2f}× |"
            )
    return "\n".join(lines)


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")
        )
    import duckdb

    return (
        f"{os.cpu_count()} cores{', ' + cpu if cpu else ''}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; DuckDB {duckdb.__version__}"
    )


def section(reports: list[dict]) -> str:
    detail = "\n".join(
        f"- {r['rows']:,} rows, seconds of each run: "
        + "; ".join(f"{k} {', '.join(map(str, r[k]['all']))}" for k in KINDS)
        + f" (load average {r['load'][0]:.1f} to {r['load'][1]:.1f})"
        for r in reports
    )
    return f"""## Metrics

Measured {dt.date.today().isoformat()} with `python bench/bench_metrics.py --readme` on {machine()}.
Each measurement runs in a fresh process; the kinds take turns, {reports[0]["runs"]} rounds. Peak memory is the
largest resident set of any run. The machine is shared with other work (load averages below), so
runs vary; the best run is the better estimate of what each costs, the median the more cautious one.

The file: an NPS export `date, journey, touchpoint, segment, score` (ISO dates, commas), two years of
days, 3 journeys, 23 touchpoints, 4 segments. cxreport computes every figure of figures.json from it
({reports[-1]["figures"]:,} figures at {reports[-1]["rows"]:,} rows) and checks every row.

{table(reports)}

- floor: DuckDB's own `read_csv` (types sniffed) and one `GROUP BY` to the finest figures, written by hand:
  month, journey, touchpoint, segment with n, promoters and detractors. Every figure of figures.json
  follows from these sums, so no program can compute them without at least this work.
- floor-bare, for reference: `read_csv` and `GROUP BY touchpoint` with `count(*)`, `avg(score)`. It reads
  2 of the 5 columns (DuckDB skips parsing the others) and computes no figure of figures.json.
- cold: cxreport without cache (load, validate, `join_metrics`, `compute_figures`): one DuckDB scan reads the
  columns it uses as text, judges each date and score in SQL and counts rows per month, journey, touchpoint
  and segment with the sums the figures need; every row check, the join to the maps and the GROUPING SETS
  then run on that small tally (about 2,200 lines here).
- cold + cache write: a first build with a cache folder: it also hashes the file (SHA-256) and stores the tally.
- warm: the next build; the file's hash comes from the cache's record of its size, time stamp and inode.
- Goals (issue 3): at most 1.5× the floor at 10 million rows, peak memory under 2 GB, warm under 0.2 s.

{detail}
"""


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2], Path(sys.argv[3]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="rows of a file (repeatable); default 1M and 10M")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--readme", action="store_true", help="write the table into bench/README.md (section Metrics)")
    args = parser.parse_args()
    reports = []
    for rows in args.rows or [1_000_000, 10_000_000]:
        print(f"{rows:,} rows ...", file=sys.stderr, flush=True)
        reports.append(bench(rows, args.runs))
        print(table(reports[-1:]), file=sys.stderr, flush=True)
    text = section(reports)
    print(text)
    if args.readme:
        write_section("Metrics", text)


if __name__ == "__main__":
    main()
