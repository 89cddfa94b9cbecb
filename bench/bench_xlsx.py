"""Benchmark of the .xlsx reader: cxreport's load_sheet into DuckDB against fastexcel's own read of the sheet.

    python bench/bench_xlsx.py                   # 200,000 rows, 5 rounds
    python bench/bench_xlsx.py --rows 50000 --runs 3
    python bench/bench_xlsx.py --readme          # also write the section into bench/README.md

It writes a Qualtrics-shaped workbook with xlsxwriter (the test extra) into bench/data/xlsx/
(git-ignored): three header rows (export tags, question texts, {"ImportId":…}), then one row per
response: ResponseId, RecordedDate (a typed date and time), Status, Q1 (0-10), Q2_1..Q2_8 (1-5),
Q9 (a segment) and Q1_TEXT (free text, 40 % answered); text as shared strings, as Excel writes it.
Then, in fresh processes taking turns, one measurement a process:

- floor: fastexcel's own read of the sheet into Arrow as its users call it, `read_excel(path)
  .load_sheet(0)` and the Arrow array made (`__arrow_c_array__`, what `to_arrow()` makes without
  pyarrow), types guessed, header row 0. No reader of this sheet does less.
- cxreport: `load_sheet(con, "t", path, None, header_rows=3)`, as sources.py calls it for a Qualtrics
  export, the whole of it: the safety check of the zip and its XML, the header rows read from a copy of
  the workbook cut after them, the data rows read once with a type for each column, and the DuckDB
  table of text and dates.
- careful: `load_sheet` with `header_rows=None`, the fallback when the header rows cannot be cut out:
  the whole sheet read twice at once (as text and as numbers).
- guard: the safety check alone (`inspect_workbook`), the share of cxreport's time spent on it.

Time is measured inside the process (imports not counted; the same for both); CPU is the process's
user + system time, which tells the work of the two threads apart from the wall time; peak memory is
the process's maximum resident set (os.wait4 on the child).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from measuring import run_child, write_section

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "xlsx"
KINDS = ("floor", "cxreport", "careful", "guard")
TAGS = ["ResponseId", "RecordedDate", "Status", "Q1"] + [f"Q2_{i}" for i in range(1, 9)] + ["Q9", "Q1_TEXT"]
TEXTS = (
    ["Response ID", "Recorded Date", "Response Type", "Hoe waarschijnlijk is het dat u ons aanbeveelt?"]
    + [f"Hoe tevreden bent u over onderdeel {i}?" for i in range(1, 9)]
    + ["Welk segment?", "Waarom? - Tekst"]
)
SEGMENTS = ["Particulier", "Zakelijk", "Student", "Senior"]
WORDS = [
    "snel",
    "vriendelijk",
    "duur",
    "traag",
    "prima",
    "levering",
    "app",
    "website",
    "klantenservice",
    "retour",
    "bezorger",
    "pakket",
]


def make_workbook(rows: int) -> Path:
    """Write (once) the Qualtrics-shaped workbook of `rows` responses."""
    import xlsxwriter

    path = DATA / f"qualtrics-{rows}.xlsx"
    if path.is_file():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(42)
    tmp = path.with_suffix(".tmp")
    wb = xlsxwriter.Workbook(tmp)
    ws = wb.add_worksheet("Sheet0")
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    ws.write_row(0, 0, TAGS)
    ws.write_row(1, 0, TEXTS)
    ws.write_row(2, 0, [json.dumps({"ImportId": tag}) for tag in TAGS])
    start = dt.datetime(2025, 1, 1)
    for r in range(3, rows + 3):
        ws.write_string(r, 0, f"R_{rnd.getrandbits(60):015x}")
        ws.write_datetime(r, 1, start + dt.timedelta(seconds=rnd.randrange(730 * 86400)), stamp)
        ws.write_number(r, 2, 0)
        ws.write_number(r, 3, rnd.randint(0, 10))
        for i in range(8):
            ws.write_number(r, 4 + i, rnd.randint(1, 5))
        ws.write_string(r, 12, rnd.choice(SEGMENTS))
        if rnd.random() < 0.4:
            ws.write_string(r, 13, " ".join(rnd.choices(WORDS, k=rnd.randint(2, 12))))
    wb.close()
    tmp.replace(path)
    return path


def measure(kind: str, path: Path) -> dict:
    """Give one measurement, made in this (fresh) process."""
    import duckdb
    import fastexcel

    from cxreport.metrics.xlsx import load_sheet
    from cxreport.metrics.xlsx_guard import inspect_workbook

    cpu, start = time.process_time(), time.perf_counter()
    if kind == "floor":
        sheet = fastexcel.read_excel(path).load_sheet(0)
        sheet.__arrow_c_array__()
        rows = sheet.height
    elif kind == "cxreport":
        rows = load_sheet(duckdb.connect(), "t", path, None, header_rows=3).rows
    elif kind == "careful":
        rows = load_sheet(duckdb.connect(), "t", path, None).rows
    else:
        rows = len(inspect_workbook(path, None).sheets)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "rows": rows}


def bench(rows: int, runs: int) -> dict:
    # written by a child: a child forked from a parent that grew would count the parent's memory as its own
    subprocess.run([sys.executable, __file__, "--write", str(rows)], check=True)
    path = make_workbook(rows)
    results: dict[str, list[dict]] = {k: [] for k in KINDS}
    load = [os.getloadavg()[0]]
    for _ in range(runs):
        for kind in KINDS:  # taking turns: a busy moment of the machine hits all kinds alike
            results[kind].append(run_child(__file__, kind, path))
        load.append(os.getloadavg()[0])
    out: dict = {"rows": rows, "mb": path.stat().st_size / 1_048_576, "runs": runs, "load": (min(load), max(load))}
    for kind, rs in results.items():
        times = [r["seconds"] for r in rs]
        out[kind] = {
            "best": min(times),
            "median": statistics.median(times),
            "cpu": min(r["cpu"] for r in rs),
            "peak_mb": max(r["peak_mb"] for r in rs),
            "all": [round(t, 2) for t in times],
        }
    assert results["cxreport"][0]["rows"] == results["careful"][0]["rows"] == rows + 3, results["cxreport"][0]
    return out


def _s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def table(r: dict) -> str:
    lines = [
        "| | floor: fastexcel load_sheet + Arrow | cxreport load_sheet into DuckDB | **ratio** "
        "| of which the safety check | careful read (fallback) | its ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for stat in ("best", "median"):
        lines.append(
            f"| {stat} of {r['runs']} (wall) | {_s(r['floor'][stat])} | {_s(r['cxreport'][stat])} | "
            f"**{r['cxreport'][stat] / r['floor'][stat]:.2f}×** | {_s(r['guard'][stat])} | "
            f"{_s(r['careful'][stat])} | {r['careful'][stat] / r['floor'][stat]:.2f}× |"
        )
    lines.append(
        f"| CPU, least of {r['runs']} | {_s(r['floor']['cpu'])} | {_s(r['cxreport']['cpu'])} | "
        f"**{r['cxreport']['cpu'] / r['floor']['cpu']:.2f}×** | {_s(r['guard']['cpu'])} | "
        f"{_s(r['careful']['cpu'])} | {r['careful']['cpu'] / r['floor']['cpu']:.2f}× |"
    )
    lines.append(
        f"| peak memory | {r['floor']['peak_mb']:.0f} MB | {r['cxreport']['peak_mb']:.0f} MB | | "
        f"{r['guard']['peak_mb']:.0f} MB | {r['careful']['peak_mb']:.0f} MB | |"
    )
    return "\n".join(lines)


def section(r: dict) -> str:
    import duckdb
    import fastexcel

    detail = "; ".join(f"{k} {', '.join(map(str, r[k]['all']))}" for k in KINDS)
    return f"""## Excel sheets

Measured {dt.date.today().isoformat()} with `python bench/bench_xlsx.py --readme` on {os.cpu_count()} cores;
{platform.system()} {platform.release()}; Python {platform.python_version()}; DuckDB {duckdb.__version__}; fastexcel
{fastexcel.__version__}. A Qualtrics-shaped sheet of {r["rows"]:,} responses and 3 header rows, 14 columns
({r["mb"]:.1f} MB .xlsx; the sheet's XML unpacks to about 7 times that); each measurement in a fresh process, the
kinds taking turns, {r["runs"]} rounds; load average {r["load"][0]:.1f} to {r["load"][1]:.1f}.

{table(r)}

- floor: fastexcel's own read as its users call it: `read_excel(path).load_sheet(0)` and the Arrow array
  made, types guessed (this sheet's header rows make every column text).
- cxreport: `load_sheet(..., header_rows=3)` whole, as sources.py calls it for a Qualtrics export: the
  safety check (it unpacks the sheet and the shared strings once and scans them: zip bomb, DTD,
  far-apart cells, error and boolean cells), the 3 header rows read carefully from a copy of the
  workbook cut after them (a few kilobytes), the data rows read once with a type for each column, and
  the DuckDB table of text and dates written from that read in SQL. No column here mixes kinds; one that
  does (numbers and text) is read again, as numbers, on its own.
- careful: `header_rows=None`, the fallback when the head cannot be cut (rows out of order, a cell in
  another row): the whole sheet read twice at once on two threads, as text and as numbers, as before.
- Goals: at most 1.3× the floor, peak memory under 1 GB: {_goal(r)}.
  On this shared machine the floor's own least time moves by up to a fifth from run to run, and the
  ratio with it: runs of the same code lie about 0.1 apart.
- Where the time goes, in one process (least of 6 loads, CPU): the safety check about 0.40 s, of which
  unpacking 0.15 s and the search for far-apart cells 0.18 s (a pattern tried at each of the sheet's 3
  million `r="` references); the typed read 1.05 s (the floor's read makes every cell text and costs
  more); DuckDB about 0.35 s (the read copied in, its checks, the table of 28 columns written).
- Before (the same machine and sheet, main of 2026-12-02, 5 rounds, load average 0.8 to 1.1): floor
  1.58 s; cxreport 3.36 s best wall (2.12×), 4.48 s least CPU (2.84×); the safety check 687 ms; peak
  memory 499 MB. The careful column above is that code path with today's cheaper safety check.
- seconds of each run: {detail}
"""


def _goal(r: dict) -> str:
    """Tell whether the goals are met, in the words of the section."""
    wall, cpu = r["cxreport"]["best"] / r["floor"]["best"], r["cxreport"]["cpu"] / r["floor"]["cpu"]
    memory = f"memory is {'met' if r['cxreport']['peak_mb'] < 1024 else 'not met'} ({r['cxreport']['peak_mb']:.0f} MB)"
    time = "met" if max(wall, cpu) <= 1.3 else "not met"
    return f"{memory}; time is {time} in this run: {wall:.2f}× the floor's wall time, {cpu:.2f}× its CPU time"


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        make_workbook(int(sys.argv[2]))
        return
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2], Path(sys.argv[3]))))
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--readme", action="store_true", help="write the section into bench/README.md (Excel sheets)")
    args = parser.parse_args()
    report = bench(args.rows, args.runs)
    text = section(report)
    print(text)
    if args.readme:
        write_section("Excel sheets", text)


if __name__ == "__main__":
    main()
