"""Two versions of cxreport on the same handbooks, in one run: the ratio after ÷ before of each kind of build.

    python bench/compare.py --before 8df839b            # M and L, 3 rounds, the work tree as "after"
    python bench/compare.py --before v0.1.0 --after HEAD --sizes M --rounds 5

Each version is a copy of its cxreport/ and themes/ folders (from git for a ref, from the work tree for
"worktree") under bench/data/compare/, run in a fresh process with that copy first on sys.path, so both use
the same interpreter and libraries. The versions take turns in every round, so a machine that gets busier
slows both. Measured, each as the whole `cxreport` command (interpreter start included):

- cold: `cxreport build --full` with no cache and an empty output folder;
- no change: `cxreport build` again, nothing edited;
- edit: one journey's lane text changed, then `cxreport build` (the incremental build of a CI run or a
  second `cxreport build`; serve's in-memory session is measured by bench/run.py).

It prints a table of the median seconds of each and the ratio after ÷ before (goal of issue 13: ≤ 1.05).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"
COPIES = DATA / "compare"
sys.path.insert(0, str(HERE))

from gen_handbook import generate  # noqa: E402 (bench/ is not a package)

# Run the command of the copy given first: the editable install of the work tree is taken off the path.
PRELUDE = (
    "import sys, os; "
    "sys.meta_path[:] = [f for f in sys.meta_path if '__editable__' not in getattr(f, '__module__', '')]; "
    "sys.path.insert(0, os.environ['CXREPORT_COMPARE_COPY']); "
    "from cxreport.__main__ import run; sys.argv[0] = 'cxreport'; run()"
)


def copy_of(ref: str) -> Path:
    """Give a folder holding cxreport/ and themes/ of ref ("worktree": the files as they are now)."""
    dest = COPIES / re.sub(r"[^\w.-]", "_", ref)
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    if ref == "worktree":
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for name in ("cxreport", "themes"):
            shutil.copytree(REPO / name, dest / name, ignore=ignore)
    else:
        blob = subprocess.run(["git", "-C", str(REPO), "archive", ref, "cxreport", "themes"], capture_output=True, check=True)
        with tarfile.open(fileobj=io.BytesIO(blob.stdout)) as tar:
            tar.extractall(dest, filter="data")
    return dest


def cxreport(copy: Path, *args: str) -> float:
    """Give the wall time of one cxreport command run from copy."""
    env = {**os.environ, "CXREPORT_COMPARE_COPY": str(copy)}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", PRELUDE, *args], capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"cxreport {' '.join(args)} failed ({copy.name}):\n{proc.stdout}\n{proc.stderr}")
    return seconds


def one_round(copy: Path, hb: Path, out: Path) -> dict[str, float]:
    """Give the seconds of a cold build, a no-change rebuild and an edit rebuild of hb by copy."""
    shutil.rmtree(hb / ".cxreport-cache", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    times = {"cold": cxreport(copy, "build", str(hb), "--out", str(out), "--full", "-q")}
    times["no change"] = cxreport(copy, "build", str(hb), "--out", str(out), "-q")
    path = hb / "content" / "journeys" / "journey-1.yml"
    text = path.read_text(encoding="utf-8")
    old = re.search(r"doing: \[(.+?)\]", text).group(1)
    try:
        path.write_text(text.replace(old, old + " Nu anders", 1), encoding="utf-8")
        times["edit"] = cxreport(copy, "build", str(hb), "--out", str(out), "-q")
    finally:
        path.write_text(text, encoding="utf-8")
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="a git ref")
    ap.add_argument("--after", default="worktree", help="a git ref, or worktree (default)")
    ap.add_argument("--sizes", default="M,L")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    versions = {"before": copy_of(args.before), "after": copy_of(args.after)}
    rows = []
    for size in args.sizes.split(","):
        hb = DATA / f"handbook-{size}"
        if not (hb / "site.yml").is_file():
            print(f"[{size}] generating the handbook ...", flush=True)
            generate(size, hb)
        seen: dict[str, dict[str, list[float]]] = {name: {} for name in versions}
        for i in range(args.rounds):
            order = list(versions) if i % 2 == 0 else list(reversed(versions))
            for name in order:
                print(f"[{size}] round {i + 1}: {name} ...", flush=True)
                for kind, secs in one_round(versions[name], hb, DATA / f"compare-out-{size}").items():
                    seen[name].setdefault(kind, []).append(secs)
        for kind in seen["before"]:
            b, a = statistics.median(seen["before"][kind]), statistics.median(seen["after"][kind])
            rows.append(f"| {size} | {kind} | {b:.2f} s | {a:.2f} s | **{a / b:.2f}×** |")
    print(
        f"\nbefore = {args.before}, after = {args.after}; median of {args.rounds} rounds, taking turns; "
        f"load average {os.getloadavg()[0]:.1f} at the end\n"
    )
    print("| handbook | build | before | after | after ÷ before |\n|---|---|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
