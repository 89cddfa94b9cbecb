"""Benchmark of the whole build: cxreport against the Markdown + Jinja2 floor and mkdocs, in one run on one machine.

    python bench/run.py --size S          # under a minute
    python bench/run.py --size L --readme # the table in bench/README.md (also measures M, for linearity)

It generates the synthetic handbook (bench/gen_handbook.py) when it is missing, and measures, each in a
fresh process (wall time from the parent; peak memory = the largest resident set of the process and of
any worker it started, from getrusage):

- cold: `cxreport build --full` with no cache (metric tallies and dependency record removed first);
- no change: `cxreport build` again, nothing edited (the whole process, interpreter start included);
- edit: the path `cxreport serve` takes: a session (pipeline.Session) builds once, then one journey's lane
  text is edited and the session builds again, five times; the median and the worst of those rebuilds;
- Markdown pages only, over the same playbooks and pages (every one a chapter of a project without
  journeys or metrics): cxreport on one process and on all cores, the floor (Python-Markdown with the
  tables, toc and fenced_code extensions + one Jinja2 template, one process, every page written) and
  mkdocs (installed by this script into its own environment, bench/data/mkdocs-venv, default theme);
- serve: on the example handbook of this repository, the time from writing a journey file to the reload
  event and to the new page being served (cxreport.serve.DevServer, median and worst of 10 edits);
- page sizes: a journey page of 20 touchpoints, the largest and median page, the search index against
  mkdocs' search_index.json for the same pages, how many pages load plotly.min.js.

Everything it writes goes under bench/data/ (git-ignored).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"
README = HERE / "README.md"
sys.path.insert(0, str(HERE))

from gen_handbook import generate  # noqa: E402 (bench/ is not a package)

PY = sys.executable

# A child process that runs one measured thing and prints its own and its workers' peak memory.
_PEAK = textwrap.dedent("""
    import json, os, resource, sys
    if os.environ.get("CXREPORT_BENCH_SNAPSHOT"):  # the snapshot, not the work tree's editable install
        sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")]
        sys.path.insert(0, os.environ["CXREPORT_BENCH_SNAPSHOT"])
    def _peak():
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print("BENCH " + json.dumps({"self_kb": own, "children_kb": kids}), file=sys.stderr)
""")


SNAPSHOT = DATA / "snapshot"


def snapshot() -> None:
    """Copy cxreport and its theme as they are now, so every step measures the same code (the work tree may change)."""
    shutil.rmtree(SNAPSHOT, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "cxreport", SNAPSHOT / "cxreport", ignore=ignore)
    shutil.copytree(REPO / "themes", SNAPSHOT / "themes", ignore=ignore)


def run(code: str, *args: str, env: dict | None = None) -> dict:
    """Run Python code in a fresh process (on the snapshot of cxreport); give its wall time and peak memory (MB)."""
    started = time.perf_counter()
    env = dict(env or os.environ)
    if SNAPSHOT.is_dir():
        env["CXREPORT_BENCH_SNAPSHOT"] = str(SNAPSHOT)
    proc = subprocess.run([PY, "-c", _PEAK + code, *args], capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{proc.stdout}\n{proc.stderr}")
    info = {}
    for line in proc.stderr.splitlines():
        if line.startswith("BENCH "):
            info.update(json.loads(line[6:]))
    return {
        "seconds": wall,
        "peak_mb": info.get("self_kb", 0) / 1024,
        "worker_peak_mb": info.get("children_kb", 0) / 1024,
        "stdout": proc.stdout,
        "stderr": proc.stderr,
        **{k: v for k, v in info.items() if not k.endswith("_kb")},
    }


BUILD = """
import sys, time
from pathlib import Path
from cxreport.pipeline import build
class Stages:  # how long each stage of the build took
    def __init__(self):
        self.times, self.name, self.at = {}, None, time.perf_counter()
    def stage(self, name):
        now = time.perf_counter()
        if self.name:
            self.times[self.name] = self.times.get(self.name, 0) + now - self.at
        self.name, self.at = name, now
    def advance(self, done, total):
        pass
stages = Stages()
r = build(Path(sys.argv[1]), Path(sys.argv[2]), full=sys.argv[3] == "full", jobs=int(sys.argv[4]) if sys.argv[4] != "0" else None,
          progress=stages)
stages.stage(None)
assert r.written, [p.format() for p in r.problems.errors]
print("BENCH " + __import__("json").dumps({"pages": r.pages, "made": r.made, "unchanged": r.unchanged, "inner": r.seconds,
                                           "stages": stages.times}), file=sys.stderr)
_peak()
sys.stderr.flush()
import os
os._exit(0)  # as the cxreport command does after a build (cxreport.cli.finish.leave): the OS frees the memory at once
"""

NO_CHANGE = """
import sys
from cxreport.cli import main
try:
    main(["build", sys.argv[1], "--out", sys.argv[2], "-q"])
except SystemExit as e:
    assert not e.code, e.code
_peak()
"""

EDIT = """
import sys, time
from pathlib import Path
from cxreport.pipeline import Session
root, out, rel, old, new = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
session = Session(root, out, keep_record=False, in_place=True)
first = session.build()
assert first.written
path = root / rel
text = path.read_text(encoding="utf-8")
times = []
try:
    for i in range(5):  # five edits, each a new text for the lane
        path.write_text(text.replace(old, f"{new} {i}", 1), encoding="utf-8")
        t = time.perf_counter()
        again = session.build()
        times.append(time.perf_counter() - t)
        assert again.written and not again.unchanged and again.made == 1, (again.made, [p.format() for p in again.problems.errors])
finally:
    path.write_text(text, encoding="utf-8")
import statistics
print("BENCH " + __import__("json").dumps({"edit_seconds": statistics.median(times), "edit_max": max(times), "made": again.made,
                                           "pages": again.pages}), file=sys.stderr)
_peak()
"""

FLOOR = """
import sys, os
from pathlib import Path
import jinja2, markdown
src, out = Path(sys.argv[1]), Path(sys.argv[2])
env = jinja2.Environment(autoescape=True)
template = env.from_string('<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{{ title }}</title>'
                           '<link rel="stylesheet" href="../style.css"></head><body><header><a href="../index.html">Handboek</a>'
                           '</header><main><h1>{{ title }}</h1>{{ body|safe }}</main></body></html>')
md = markdown.Markdown(extensions=["tables", "toc", "fenced_code"])
out.mkdir(parents=True, exist_ok=True)
n = 0
for path in sorted(src.glob("*.md")):
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\\n", 2)
    title = next(l.split(":", 1)[1].strip() for l in front.splitlines() if l.startswith("title:"))
    md.reset()
    (out / (path.stem + ".html")).write_text(template.render(title=title, body=md.convert(body)), encoding="utf-8")
    n += 1
print("BENCH " + __import__("json").dumps({"pages": n}), file=sys.stderr)
_peak()
"""

MKDOCS = """
import sys, subprocess, resource, json
proc = subprocess.run([sys.argv[1], "build", "-q", "-f", sys.argv[2], "-d", sys.argv[3]], capture_output=True, text=True)
assert proc.returncode == 0, proc.stderr
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("BENCH " + json.dumps({"self_kb": kids, "children_kb": 0}), file=sys.stderr)
"""

SERVE = """
import sys, time, statistics, http.client, shutil, tempfile, json
from pathlib import Path
from cxreport.serve import DevServer
repo = Path(sys.argv[1])
root = Path(tempfile.mkdtemp()) / "example"
root.mkdir()
shutil.copy(repo / "site.yml", root / "site.yml")
shutil.copytree(repo / "content", root / "content")
dev = DevServer(root, "127.0.0.1", 0, echo=lambda t: None)
dev.start()
conn = http.client.HTTPConnection("127.0.0.1", dev.port, timeout=10)
conn.request("GET", "/__cxreport/events")
events = conn.getresponse()
def next_version():
    event = None
    while True:
        line = events.fp.readline().decode().rstrip("\\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "version":
            return int(line[6:])
def page(path):
    c = http.client.HTTPConnection("127.0.0.1", dev.port, timeout=10)
    c.request("GET", path)
    body = c.getresponse().read().decode()
    c.close()
    return body
next_version()
journey = root / "content/journeys/eerste-bestelling.yml"
base = journey.read_text(encoding="utf-8")
to_event, to_page, made = [], [], []
for i in range(10):
    t = time.perf_counter()
    journey.write_text(base.replace("Scrolt 's avonds", f"Scrolt {i} keer"), encoding="utf-8")
    next_version()
    t1 = time.perf_counter()
    body = page("/journeys/eerste-bestelling.html")
    t2 = time.perf_counter()
    assert f"Scrolt {i} keer" in body
    to_event.append(t1 - t); to_page.append(t2 - t); made.append(dev.last.made)
    time.sleep(0.3)
dev.stop()
print("BENCH " + json.dumps({"event_median": statistics.median(to_event), "event_max": max(to_event),
                             "page_median": statistics.median(to_page), "page_max": max(to_page), "made": max(made)}), file=sys.stderr)
_peak()
"""


def handbook(size: str) -> Path:
    """Give the generated handbook of a size, generating it when it is missing."""
    root = DATA / f"handbook-{size}"
    if not (root / "content" / "metrics" / "nps.csv").is_file():
        print(f"generating handbook {size} ...", flush=True)
        generate(size, root)
    return root


def markdown_only(hb: Path, size: str) -> tuple[Path, Path, int]:
    """Give (cxreport project, mkdocs project, pages): the handbook's playbooks and pages as chapters, and as mkdocs docs."""
    cx = DATA / f"markdown-{size}" / "cxreport"
    mk = DATA / f"markdown-{size}" / "mkdocs"
    stamp = DATA / f"markdown-{size}" / ".made"
    sources = sorted((hb / "content" / "playbooks").glob("*.md")) + sorted((hb / "content" / "pages").glob("*.md"))
    if not stamp.is_file() or stamp.read_text() != str(len(sources)):
        shutil.rmtree(DATA / f"markdown-{size}", ignore_errors=True)
        (cx / "content" / "pages").mkdir(parents=True)
        (mk / "docs").mkdir(parents=True)
        (cx / "site.yml").write_text(f"title: Markdown {size}\nlanguage: nl\n", encoding="utf-8")
        (mk / "mkdocs.yml").write_text(f"site_name: Markdown {size}\nuse_directory_urls: false\n", encoding="utf-8")
        (mk / "docs" / "index.md").write_text("# Handboek\n", encoding="utf-8")
        for i, path in enumerate(sources):
            _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
            title = next(line.split(":", 1)[1].strip() for line in front.splitlines() if line.startswith("title:"))
            name = f"{path.parent.name}-{path.stem}"
            (cx / "content" / "pages" / f"{name}.md").write_text(
                f"---\ntitle: {title}\norder: {i}\n---\n{body}", encoding="utf-8"
            )
            (mk / "docs" / f"{name}.md").write_text(f"# {title}\n\n{body}", encoding="utf-8")
        stamp.write_text(str(len(sources)))
    return cx, mk, len(sources)


def mkdocs_bin() -> Path:
    """Give the mkdocs of the benchmark's own environment, installing it there first when needed."""
    env = DATA / "mkdocs-venv"
    exe = env / "bin" / "mkdocs"
    if not exe.is_file():
        print("installing mkdocs into bench/data/mkdocs-venv ...", flush=True)
        venv.create(env, with_pip=True)
        subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", "mkdocs>=1.6,<2"], check=True)
    return exe


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def cold(root: Path, out: Path, jobs: int = 0) -> dict:
    shutil.rmtree(root / ".cxreport-cache", ignore_errors=True)
    fresh(out)
    return run(BUILD, str(root), str(out), "full", str(jobs))


def page_sizes(out: Path) -> dict:
    pages = sorted(out.rglob("*.html"))
    sizes = sorted(p.stat().st_size for p in pages)
    largest = max(pages, key=lambda p: (p.stat().st_size, str(p)))
    journey = max(
        (p for p in (out / "journeys").glob("*.html") if p.name != "index.html"), key=lambda p: p.stat().st_size, default=None
    )
    plotly = [p for p in pages if b"plotly.min.js" in p.read_bytes()]
    index = out / "assets" / "search-index.js"
    return {
        "pages": len(pages),
        "median_kb": statistics.median(sizes) / 1024,
        "max_kb": sizes[-1] / 1024,
        "max_page": largest.relative_to(out).as_posix(),
        "journey_kb": journey.stat().st_size / 1024 if journey else 0,
        "plotly_copies": len(list(out.rglob("plotly.min.js"))),
        "plotly_pages": len(plotly),
        "search_kb": index.stat().st_size / 1024 if index.is_file() else 0,
    }


def lane_edit(root: Path) -> tuple[str, str, str]:
    """Give (file, old, new): a lane text of one journey, as an author would change it."""
    rel = "content/journeys/journey-1.yml"
    text = (root / rel).read_text(encoding="utf-8")
    old = re.search(r"doing: \[(.+?)\]", text).group(1)
    return rel, old, old + " Nu anders"


def measure(size: str, with_mkdocs: bool = True) -> dict:
    hb = handbook(size)
    out = DATA / f"out-{size}"
    res: dict = {"size": size}
    print(f"[{size}] cold build ...", flush=True)
    res["cold"] = cold(hb, out)
    res["sizes"] = page_sizes(out)
    print(f"[{size}] no-change rebuild ...", flush=True)
    res["no_change"] = run(NO_CHANGE, str(hb), str(out))
    print(f"[{size}] one-journey edit (serve's path) ...", flush=True)
    rel, old, new = lane_edit(hb)
    res["edit"] = run(EDIT, str(hb), str(DATA / f"out-{size}-edit"), rel, old, new)
    cx, mk, n = markdown_only(hb, size)
    res["md_pages"] = n
    print(f"[{size}] Markdown pages: cxreport on 1 process, on all cores ...", flush=True)
    res["cx_md_1"] = cold(cx, DATA / f"out-{size}-md1", jobs=1)
    res["cx_md_n"] = cold(cx, DATA / f"out-{size}-mdn", jobs=0)
    res["md_sizes"] = page_sizes(DATA / f"out-{size}-md1")
    print(f"[{size}] the floor ...", flush=True)
    res["floor"] = run(FLOOR, str(cx / "content" / "pages"), str(fresh(DATA / f"out-{size}-floor")))
    if with_mkdocs:
        print(f"[{size}] mkdocs ...", flush=True)
        exe = mkdocs_bin()
        site = fresh(DATA / f"out-{size}-mkdocs")
        res["mkdocs"] = run(MKDOCS, str(exe), str(mk / "mkdocs.yml"), str(site))
        index = site / "search" / "search_index.json"
        res["mkdocs_search_kb"] = index.stat().st_size / 1024 if index.is_file() else 0
        res["mkdocs_version"] = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return res


def fmt_s(x: float) -> str:
    return f"{x:.2f} s" if x < 10 else f"{x:.1f} s"


def report(main: dict, smaller: dict | None, serve: dict, machine: str) -> str:
    m = main
    n = m["md_pages"]
    cold_pages = m["cold"]["pages"]

    def per(r, count):
        return r["seconds"] / count * 1000

    floor_pp, cx1_pp = per(m["floor"], n), per(m["cx_md_1"], n)

    def peak(r):
        return max(r["peak_mb"], r["worker_peak_mb"])

    rows = [
        (
            "cxreport cold build (`build --full`, no cache)",
            f"{cold_pages:,} pages",
            fmt_s(m["cold"]["seconds"]),
            f"{m['cold']['peak_mb']:.0f} MB (workers {m['cold']['worker_peak_mb']:.0f} MB)",
        ),
        (
            "cxreport no-change rebuild (`build`, whole process)",
            "0 made",
            fmt_s(m["no_change"]["seconds"]),
            f"{m['no_change']['peak_mb']:.0f} MB",
        ),
        (
            "cxreport one-journey edit (serve's session; median of 5, worst)",
            f"{m['edit']['made']} made",
            f"{fmt_s(m['edit']['edit_seconds'])} ({fmt_s(m['edit'].get('edit_max', m['edit']['edit_seconds']))})",
            f"{peak(m['edit']):.0f} MB (the session)",
        ),
        (
            "Markdown pages: cxreport, 1 process",
            f"{n:,} + overviews",
            fmt_s(m["cx_md_1"]["seconds"]),
            f"{m['cx_md_1']['peak_mb']:.0f} MB",
        ),
        (
            "Markdown pages: cxreport, all cores",
            f"{n:,} + overviews",
            fmt_s(m["cx_md_n"]["seconds"]),
            f"{m['cx_md_n']['peak_mb']:.0f} MB (workers {m['cx_md_n']['worker_peak_mb']:.0f} MB)",
        ),
        (
            "Markdown pages: floor (Python-Markdown + Jinja2, 1 process)",
            f"{n:,}",
            fmt_s(m["floor"]["seconds"]),
            f"{m['floor']['peak_mb']:.0f} MB",
        ),
    ]
    if "mkdocs" in m:
        rows.append(
            (
                f"Markdown pages: {m['mkdocs_version'].split(' from ')[0]} (default theme)",
                f"{n + 1:,}",
                fmt_s(m["mkdocs"]["seconds"]),
                f"{m['mkdocs']['peak_mb']:.0f} MB",
            )
        )
    if smaller:
        rows.append(
            (
                f"cxreport cold build at {smaller['size']}",
                f"{smaller['cold']['pages']:,} pages",
                fmt_s(smaller["cold"]["seconds"]),
                f"{peak(smaller['cold']):.0f} MB",
            )
        )
    lines = ["| what | pages | wall time | peak memory |", "|---|---:|---:|---:|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    stages = m["cold"].get("stages") or {}
    if stages:
        inner = m["cold"].get("inner", 0)
        lines += [
            "",
            f"Stages of the cold build ({fmt_s(inner)} inside the process, {fmt_s(m['cold']['seconds'] - inner)} "
            "interpreter start and imports): " + ", ".join(f"{k} {fmt_s(v)}" for k, v in stages.items()) + ".",
        ]
    s = m["sizes"]
    ratios = [
        ("Markdown pages, cxreport on 1 process ÷ floor (per page)", cx1_pp / floor_pp, "≤ 1.25×"),
        ("Markdown pages, cxreport 1 process ÷ all cores", m["cx_md_1"]["seconds"] / m["cx_md_n"]["seconds"], "≥ 1.5×"),
    ]
    if "mkdocs" in m:
        ratios.append(
            (
                "cold build over the Markdown part alone: mkdocs ÷ cxreport (all cores)",
                m["mkdocs"]["seconds"] / m["cx_md_n"]["seconds"],
                "≥ 4×",
            )
        )
        ratios.append(
            (
                "mkdocs over the Markdown ÷ cxreport cold build of the whole handbook (maps, metrics, figures too)",
                m["mkdocs"]["seconds"] / m["cold"]["seconds"],
                "for comparison",
            )
        )
        ratios.append(
            (
                "cxreport search index ÷ mkdocs search_index.json (same Markdown pages)",
                m["md_sizes"]["search_kb"] / m["mkdocs_search_kb"] if m["mkdocs_search_kb"] else float("nan"),
                "≤ 0.25×",
            )
        )
    if smaller:
        ratios.append(
            (
                f"per-page time {m['size']} ÷ {smaller['size']} (cold builds)",
                (m["cold"]["seconds"] / cold_pages) / (smaller["cold"]["seconds"] / smaller["cold"]["pages"]),
                "≤ 1.2×",
            )
        )
        ratios.append(
            (f"median page size {m['size']} ÷ {smaller['size']}", s["median_kb"] / smaller["sizes"]["median_kb"], "≈ 1×")
        )
        ratios.append((f"largest page {m['size']} ÷ {smaller['size']}", s["max_kb"] / smaller["sizes"]["max_kb"], "≈ 1×"))
    lines += ["", "| ratio | measured | goal |", "|---|---:|---:|"]
    lines += [f"| {a} | {v:.2f}× | {g} |" for a, v, g in ratios]
    lines += [
        "",
        "| page weight | measured | goal |",
        "|---|---:|---:|",
        f"| largest journey page (20 touchpoints) | {s['journey_kb']:.0f} KB | < 150 KB |",
        f"| median page / largest page | {s['median_kb']:.0f} KB / {s['max_kb']:.0f} KB ({s.get('max_page', '')}) | not growing with the site |",
        f"| plotly.min.js: copies / pages that load it | {s['plotly_copies']} / {s['plotly_pages']} of {s['pages']} | 1 / pages with charts |",
        f"| search index of the whole handbook | {s['search_kb']:.0f} KB | |",
    ]
    if "mkdocs" in m:
        lines.append(
            f"| search index, same Markdown pages: cxreport / mkdocs | {m['md_sizes']['search_kb']:.0f} KB / "
            f"{m['mkdocs_search_kb']:.0f} KB | ≤ 1/4 |"
        )
    lines += [
        "",
        "| serve, example handbook (10 edits of a journey) | median | worst | goal |",
        "|---|---:|---:|---:|",
        f"| file written → reload event | {serve['event_median'] * 1000:.0f} ms | {serve['event_max'] * 1000:.0f} ms | |",
        f"| file written → new page served | {serve['page_median'] * 1000:.0f} ms | {serve['page_max'] * 1000:.0f} ms | < 500 ms |",
    ]
    head = f"Measured {dt.date.today().isoformat()} with `python bench/run.py --size {m['size']}` on {machine}."
    return head + "\n\n" + "\n".join(lines) + "\n"


def machine() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0
    return (
        f"{cores} cores{', ' + cpu if cpu else ''}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; load average {load:.1f} at the end"
    )


def write_readme(text: str) -> None:
    start, end = "<!-- build-bench -->", "<!-- /build-bench -->"
    current = README.read_text(encoding="utf-8") if README.is_file() else "# Benchmarks\n"
    block = f"{start}\n{text}{end}"
    if start in current and end in current:
        current = current[: current.index(start)] + block + current[current.index(end) + len(end) :]
    else:
        current = current.rstrip("\n") + "\n\n## Build\n\n" + block + "\n"
    README.write_text(current, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=["S", "M", "L"], default="S")
    ap.add_argument("--no-mkdocs", action="store_true", help="leave mkdocs out (no install)")
    ap.add_argument("--readme", action="store_true", help="write the table into bench/README.md")
    ap.add_argument("--json", type=Path, help="also write every measurement as JSON here")
    args = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    snapshot()
    started = time.perf_counter()
    print("[example] serve: edit to reload ...", flush=True)
    serve = run(SERVE, str(REPO))
    main_run = measure(args.size, with_mkdocs=not args.no_mkdocs)
    if args.json:
        args.json.write_text(json.dumps({"main": main_run, "serve": serve}, indent=1, default=str))
    smaller = None
    if args.size in ("M", "L"):
        small = "M" if args.size == "L" else "S"
        hb = handbook(small)
        print(f"[{small}] cold build, for linearity ...", flush=True)
        smaller = {"size": small, "cold": cold(hb, DATA / f"out-{small}")}
        smaller["sizes"] = page_sizes(DATA / f"out-{small}")
    text = report(main_run, smaller, serve, machine())
    print()
    print(text)
    print(f"(the benchmark took {time.perf_counter() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps({"main": main_run, "smaller": smaller, "serve": serve}, indent=1, default=str))
    if args.readme:
        write_readme(text)


if __name__ == "__main__":
    main()
