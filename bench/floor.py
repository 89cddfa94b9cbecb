"""A cold build against the work no program can skip, measured side by side in one run (issue 19).

    python bench/floor.py --size M            # the generated handbook (bench/gen_handbook.py)
    python bench/floor.py --size M --size L --readme

The floor, on the same cores (a process pool of one worker per core, as cxreport draws its pages):
(a) PyYAML's front matter, Python-Markdown (tables, toc, fenced_code) and one Jinja2 template over every
    playbook and page, each page written;
(b) one plain Jinja2 page per journey listing its stages, touchpoints and lanes, from its YAML;
(c) DuckDB's read_csv and one GROUP BY to the finest figures (month, journey, touchpoint, segment, score)
    of every metric file, in the parent while the pool draws.
cxreport: `cxreport build --full` in a fresh process, the cache and the record removed first. Both are wall
times of fresh processes, best of --runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_handbook import generate  # noqa: E402 (bench/ is not a package)
from measuring import write_section  # noqa: E402

DATA = HERE / "data"

FLOOR = r"""
import json, os, sys, time
from multiprocessing import Pool
from pathlib import Path
import duckdb, jinja2, markdown, yaml

root, out = Path(sys.argv[1]), Path(sys.argv[2])
PAGE = ('<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{{ title }}</title>'
        '<link rel="stylesheet" href="../style.css"></head><body><main><h1>{{ title }}</h1>{{ body|safe }}</main></body></html>')
JOURNEY = ('<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{{ j.title }}</title></head><body><main>'
           '<h1>{{ j.title }}</h1>{% for s in j.stages %}<section><h2>{{ s.stage }}</h2>{% for t in s.touchpoints %}'
           '<article><h3>{{ t.name }}</h3>{% for lane in lanes %}{% if t[lane] %}<ul class="{{ lane }}">'
           '{% for item in t[lane] %}<li>{{ item }}</li>{% endfor %}</ul>{% endif %}{% endfor %}</article>'
           '{% endfor %}</section>{% endfor %}</main></body></html>')
LANES = ["doing", "thinking", "pain_points", "opportunities", "backstage"]
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
env = jinja2.Environment(autoescape=True)

def markdown_pages(paths):
    template, md = env.from_string(PAGE), markdown.Markdown(extensions=["tables", "toc", "fenced_code"])
    for path in paths:
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.load(front, Loader=loader)
        md.reset()
        (out / (path.parent.name + "-" + path.stem + ".html")).write_text(
            template.render(title=meta["title"], body=md.convert(body)), encoding="utf-8")
    return len(paths)

def journey_pages(paths):
    template = env.from_string(JOURNEY)
    for path in paths:
        j = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        (out / ("journey-" + path.stem + ".html")).write_text(template.render(j=j, lanes=LANES), encoding="utf-8")
    return len(paths)

def chunks(items, n):
    size = max(1, -(-len(items) // (n * 4)))
    return [items[i:i + size] for i in range(0, len(items), size)]

if __name__ == "__main__":
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    cores = len(os.sched_getaffinity(0))
    md = sorted((root / "content" / "playbooks").glob("*.md")) + sorted((root / "content" / "pages").glob("*.md"))
    journeys = sorted((root / "content" / "journeys").glob("*.yml"))
    with Pool(cores) as pool:
        a = pool.map_async(markdown_pages, chunks(md, cores))
        b = pool.map_async(journey_pages, chunks(journeys, cores))
        con = duckdb.connect()
        groups = 0
        for csv in sorted((root / "content" / "metrics").glob("*.csv")):
            groups += con.execute(
                "SELECT count(*) FROM (SELECT date_trunc('month', CAST(date AS DATE)) AS m, journey, touchpoint, segment, "
                f"score, count(*) FROM read_csv('{csv}', header=true) GROUP BY ALL)").fetchone()[0]
        pages = sum(a.get()) + sum(b.get())
    print("BENCH " + json.dumps({"seconds": time.perf_counter() - started, "pages": pages, "groups": groups}))
"""


def timed(cmd: list[str]) -> tuple[float, float]:
    """Give a command's wall time and the peak memory (MB) of its largest process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return seconds, usage.ru_maxrss / 1024


def compiled() -> None:
    """Compile cxreport's modules, as `pip install cxreport` does: an editable install under PYTHONDONTWRITEBYTECODE
    (as on CI) would otherwise compile every module of cxreport again in each build, which the floor's libraries,
    compiled when pip installed them, never do."""
    import cxreport

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(cxreport.__file__).parent)], check=True)


def measure(size: str, runs: int) -> dict:
    root = DATA / f"handbook-{size}"
    if not (root / "site.yml").is_file():
        generate(size, root)
    floors, builds = [], []
    for _ in range(runs):
        out = DATA / f"floor-{size}"
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()  # the whole process, interpreter and imports included, as for cxreport
        proc = subprocess.run([sys.executable, "-c", FLOOR, str(root), str(out)], check=True, capture_output=True, text=True)
        floors.append(time.perf_counter() - started)
        floor = json.loads(proc.stdout.split("BENCH ", 1)[1])
        for stale in (root / ".cxreport-cache", root / "output"):
            shutil.rmtree(stale, ignore_errors=True)
        cxreport = shutil.which("cxreport") or str(Path(sys.executable).with_name("cxreport"))
        builds.append(timed([cxreport, "build", str(root), "--full", "-q"]))
    best = min(builds)
    return {
        "size": size,
        "floor": min(floors),
        "cxreport": best[0],
        "peak": max(b[1] for b in builds),
        "pages": floor["pages"],
        "groups": floor["groups"],
    }


def report(results: list[dict]) -> str:
    cores = len(os.sched_getaffinity(0))
    lines = [
        "## Build against its floor",
        "",
        f"`python bench/floor.py` on {cores} cores, best of each: a cold `cxreport build --full` (no cache, no record) against "
        "the floor of issue 19, both fresh processes, in one run.",
        "",
        "| handbook | floor's pages | floor | cxreport cold build | **ratio** | goal | cxreport's peak memory |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ratio = r["cxreport"] / r["floor"]
        lines.append(
            f"| {r['size']} | {r['pages']:,} | {r['floor']:.2f} s | {r['cxreport']:.2f} s | **{ratio:.2f}×** | ≤ 1.3× "
            f"| {r['peak']:.0f} MB |"
        )
    lines += [
        "",
        "The floor: (a) front matter, Python-Markdown and one Jinja2 template over every playbook and page; (b) one",
        "plain Jinja2 page per journey listing its lanes; (c) DuckDB's read_csv and one GROUP BY to the finest",
        "figures of every metric file, in the parent while a pool of one worker per core draws (a) and (b).",
        "cxreport draws far more per journey (the map, figures, charts, playbooks at their touchpoints, search).",
        "cxreport's modules are compiled first, as `pip install` does; peak memory is of its largest process.",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", action="append", choices=["S", "M", "L"])
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--readme", action="store_true", help="write the table into bench/README.md")
    args = ap.parse_args()
    compiled()
    results = [measure(size, args.runs) for size in args.size or ["M"]]
    text = report(results)
    print(text)
    if args.readme:
        write_section("Build against its floor", text)


if __name__ == "__main__":
    main()
