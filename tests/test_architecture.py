"""The shape of the package (CONTRIBUTING.md): small modules and functions, imports at the top, no cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cxreport"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
# Imported inside a function on purpose, each with its reason at the import: heavy and optional (the pdf extra),
# or plotly, whose import (60 ms) only the build that copies plotly.min.js needs, not check, diff or serve's rebuilds;
# and the pipeline in `cxreport build`, which answers a build with nothing changed without loading the stages;
# the warehouse drivers (optional extras) and cxreport's warehouse code (sqlglot), only for a project with warehouses.
LAZY = {
    *("playwright", "playwright.sync_api", "pypdf", "plotly", "cxreport.pipeline"),
    *(".warehouse", ".drivers", "psycopg", "pyspark.errors", "pyspark.sql.connect.session", "sqlalchemy"),
}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def resolve(module: str, path: Path, node: ast.ImportFrom) -> list[str]:
    """Give the cxreport modules an import names (its module, and its names where they are modules)."""
    if node.level:
        base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        base = base[: len(base) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    return [target, *(f"{target}.{alias.name}" for alias in node.names)]


def top_level_imports(module: str, path: Path) -> set[str]:
    known = modules()
    out: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            out.update(m for m in resolve(module, path, node) if m in known and m != module)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names if alias.name in known)
    return out


def test_no_module_is_over_600_lines():
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_is_over_80_lines():
    long = {}
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if lines > MAX_FUNCTION_LINES:
                    long[f"{name}.{node.name}"] = lines
    assert long == {}


def test_imports_are_at_the_top_except_heavy_optional_ones():
    inside = []
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""] if not node.level else ["." * node.level + (node.module or "")]
                else:
                    continue
                inside += [f"{name}:{node.lineno} {n}" for n in names if n not in LAZY]
    assert inside == []


def test_no_import_cycles():
    graph = {name: top_level_imports(name, path) for name, path in modules().items()}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt.startswith(node + "."):  # a package importing its own submodules is no cycle
                continue
            if state.get(nxt) == 1 and not node.startswith(nxt + "."):
                cycles.append(trail[trail.index(nxt) :] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize("name", ["cxreport.loader", "cxreport.pipeline"])
def test_the_checker_sees_imports(name):
    # a guard on the guard: the helpers above find the package's own imports
    assert top_level_imports(name, modules()[name])


def test_every_package_is_shipped():
    # pyproject.toml lists the packages by hand (the built-in theme is mapped in as cxreport._theme): a new
    # subpackage missing there would work from a checkout and be absent from an installed cxreport
    import tomllib

    listed = set(tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(PACKAGE.parent).parts) for p in PACKAGE.rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)
