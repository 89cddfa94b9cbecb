"""Where a cold build's CPU goes: per stage, and per page kind within rendering (issue 19's first step).

    python bench/profile.py --size M            # the generated handbook (bench/gen_handbook.py)
    python bench/profile.py --size M --readme   # the table into bench/README.md (section Profile)

One cold build (`--full`, no cache, no record) in this process on one core (jobs=1, so every page is timed
here): each stage's wall and CPU time from the pipeline's progress calls, and, for the render stage, the CPU
of every page split into its context (the family's view code), its template (Jinja2) and the rest (search
text and data files of the page), summed per page kind. A build on all cores draws the pages in workers; the
split per kind is the same work, spread.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_handbook import generate  # noqa: E402 (bench/ is not a package)
from measuring import write_section  # noqa: E402

DATA = HERE / "data"


class Stages:
    """Progress that records when each stage began: wall and CPU time."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float, float]] = []

    def stage(self, name: str) -> None:
        self.marks.append((name, time.perf_counter(), time.process_time()))

    def advance(self, done: int, total: int) -> None:
        pass

    def table(self, end_wall: float, end_cpu: float) -> list[tuple[str, float, float]]:
        out = []
        for (name, wall, cpu), nxt in zip(self.marks, [*self.marks[1:], ("end", end_wall, end_cpu)], strict=True):
            out.append((name, nxt[1] - wall, nxt[2] - cpu))
        return out


def profile(size: str) -> tuple[list, dict, int]:
    import cxreport.render.pages as pages
    from cxreport.incremental.session import Session
    from cxreport.pipeline import build

    root = DATA / f"handbook-{size}"
    if not (root / "site.yml").is_file():
        generate(size, root)
    for stale in (root / ".cxreport-cache", root / "output"):
        shutil.rmtree(stale, ignore_errors=True)
    kinds: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    original = pages._make

    def timed(spec, draw, extra, sink, light):
        started = time.process_time()
        marks: dict[str, float] = {}

        def drawn(page):
            marks["made"] = time.process_time()
            html = draw(page)
            marks["drawn"] = time.process_time()
            marks["kind"] = page.kind
            return html

        made = original(spec, drawn, extra, sink, light)
        row = kinds[str(marks.get("kind", "?"))]
        row[0] += 1
        row[1] += marks.get("made", started) - started
        row[2] += marks.get("drawn", started) - marks.get("made", started)
        row[3] += time.process_time() - marks.get("drawn", started)
        return made

    pages._make = timed
    stages = Stages()
    try:
        session = Session(root, root / "output", full=True, jobs=1)
        result = build(root, progress=stages, session=session)
    finally:
        pages._make = original
    assert result.written, [p.format() for p in result.problems]
    return stages.table(time.perf_counter(), time.process_time()), dict(kinds), result.pages


def report(size: str, stages: list, kinds: dict, count: int) -> str:
    total_wall = sum(w for _, w, _ in stages)
    total_cpu = sum(c for _, _, c in stages)
    lines = [
        f"`python bench/profile.py --size {size}`: one cold build (`--full`, no cache) of the generated handbook {size} "
        f"({count:,} pages) in one process, jobs=1.",
        "",
        "| stage | wall (s) | CPU (s) | share of CPU |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {name} | {w:.2f} | {c:.2f} | {100 * c / total_cpu:.0f}% |" for name, w, c in stages]
    lines += [f"| **total** | **{total_wall:.2f}** | **{total_cpu:.2f}** | |", ""]
    lines += [
        "| page kind | pages | context (s) | template (s) | rest (s) | CPU per page (ms) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, (n, ctx, tpl, rest) in sorted(kinds.items(), key=lambda kv: -(kv[1][1] + kv[1][2] + kv[1][3])):
        lines.append(f"| {kind} | {int(n):,} | {ctx:.2f} | {tpl:.2f} | {rest:.2f} | {1000 * (ctx + tpl + rest) / n:.1f} |")
    in_pages = sum(ctx + tpl + rest for _, ctx, tpl, rest in kinds.values())
    render_cpu = next((c for name, _, c in stages if name == "render"), 0.0)
    lines += [
        f"| render outside the pages (data files, search index, assets) | | | | {render_cpu - in_pages:.2f} | |",
        "",
        "The first page of a kind also compiles its templates (the home page's template time is mostly that).",
        "context: the page family's view code (figures looked up, Markdown, charts); template: Jinja2 drawing the",
        "page; rest: what is made of the page besides its HTML (its search-index text).",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=["S", "M", "L"], default="M")
    ap.add_argument("--readme", action="store_true", help="write the tables into bench/README.md (section Profile)")
    args = ap.parse_args()
    stages, kinds, count = profile(args.size)
    text = report(args.size, stages, kinds, count)
    print(text)
    if args.readme:
        write_section("Profile", "## Profile\n\n" + text)


if __name__ == "__main__":
    main()
