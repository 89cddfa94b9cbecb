"""What the benchmark scripts share: a measurement in a fresh process, and their section of bench/README.md."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def run_child(script: str, kind: str, path: Path) -> dict:
    """Give the measurement `script --child kind path` prints, made in a fresh process, with its peak memory (MB)."""
    proc = subprocess.Popen([sys.executable, script, "--child", kind, str(path)], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # the child's own resource use, not the parent's
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{kind} failed on {path}")
    result = json.loads(out)
    result["peak_mb"] = usage.ru_maxrss / 1024  # Linux: kilobytes
    return result


def write_section(heading: str, text: str) -> None:
    """Put text (starting with '## heading') in place of that section of bench/README.md, or add it at the end."""
    old = README.read_text(encoding="utf-8") if README.is_file() else "# Benchmarks\n"
    pattern = re.compile(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    new = pattern.sub(lambda _: text + "\n", old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + text
    README.write_text(new, encoding="utf-8")
