"""Fuzzing: generated and mutated journeys, front matter, metric files and strings on the pages.

Whatever goes in, cxreport either builds or reports problems: never a traceback (the stages run in-process and
nothing is caught here, so any exception fails the test), never a hang (each example has a time bound), and
never a generated string unescaped in a script or an attribute.

Profiles: `cxreport-ci` (2,000 examples a target) is loaded when CI is set; `cxreport-dev` is quicker. The
cases that found bugs are kept in tests/hostile/corpus/ and replayed by test_corpus_replays.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxreport import pipeline
from cxreport.crosscheck import validate
from cxreport.loader import load_sources
from cxreport.metrics.output import figures_json
from cxreport.problems import Problems
from cxreport.render.data import metric_csv
from cxreport.yamlsrc import parse_yaml

STARTER = Path(__file__).resolve().parents[2] / "cxreport" / "starter" / "en"
CORPUS = Path(__file__).resolve().parent / "corpus"

settings.register_profile(
    "cxreport-ci", max_examples=2000, deadline=None, print_blob=True, suppress_health_check=list(HealthCheck)
)
settings.register_profile("cxreport-dev", max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
PROFILE = "cxreport-ci" if os.environ.get("CI") else "cxreport-dev"
FUZZ = settings(settings.get_profile(PROFILE))
TIME_BOUND = 10.0  # seconds for one example: a hang, not a slow machine


class Hang(Exception):
    """An example ran past the time bound."""


@contextlib.contextmanager
def time_bound(seconds: float = TIME_BOUND):
    """Fail the example (raise Hang) when its body runs longer than seconds."""

    def alarm(signum, frame):
        raise Hang(f"an example ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def well_formed(problems: Problems) -> None:
    """Every problem names a file and says something, at a line and column that can exist."""
    for p in problems:
        assert p.path and p.message and p.severity in ("error", "warning")
        assert p.line >= 0 and p.col >= 0
        assert "Traceback" not in p.message
        shown = p.format() + p.as_github()  # printable in every format, and nothing in it can drive a terminal
        assert all(ch.isprintable() or ch == "\n" for ch in shown), shown


WORKER = "CXREPORT_FUZZ_WORKER"


@pytest.fixture(scope="module", autouse=True)
def csv_worker():
    """Start the metric-file target in a second process, so both cores fuzz; None inside that process."""
    if os.environ.get(WORKER):
        yield None
        return
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(repo),
            f"{Path(__file__).relative_to(repo)}::test_fuzz_metric_files",
        ],
        cwd=repo,
        env={**os.environ, WORKER: "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def starter(tmp_path_factory) -> Path:
    """Give a copy of the English starter handbook (every playbook type, a metric) to fuzz inside."""
    root = tmp_path_factory.mktemp("fuzz") / "handbook"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns("dot-*"))
    return root


MEMO: dict = {}  # what serve keeps between loads: a file whose text is unchanged is not parsed again


def load_and_check(root: Path) -> tuple[object, Problems]:
    """Run load_sources and validate, the stages every command starts with, and give (project, problems)."""
    problems = Problems()
    with time_bound():
        project = load_sources(root, problems, MEMO)
        if project is not None:
            validate(project, problems)
    assert project is not None or problems.errors
    well_formed(problems)
    return project, problems


# --- what to feed in -------------------------------------------------------------------------------------------

TOKENS = list("ab:- \n\t[]{},&*!|>'\"#%@`?~0123456789.\\é<=+") + [
    "---",
    "...",
    "<<",
    "!!python/object",
    "!!binary",
    "&a",
    "*a",
    "  ",
    "\u2028",
    "\x85",
    "\x00",
    "\ufeff",
    "\r\n",
    "title",
    "persona",
    "stages",
    "stage",
    "touchpoints",
    "id",
    "name",
    "feeling",
    "score",
    "type",
    "guide",
    "results",
    "attention",
    "action",
    "busy-parent",
    "first-order",
    "no",
    "yes",
    "0555",
    "10:30",
    "1.10",
    "-3",
    "1e999",
    ".nan",
    "{{ 7*7 }}",
    "<script>",
    "%TAG",
    "? ",
    "~",
]
yaml_noise = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)

KEYS = [
    "title",
    "persona",
    "state",
    "stage_model",
    "compare_to",
    "summary",
    "owner",
    "stages",
    "stage",
    "goal",
    "touchpoints",
    "id",
    "name",
    "channel",
    "pillars",
    "doing",
    "thinking",
    "feeling",
    "score",
    "label",
    "pain_points",
    "opportunities",
    "backstage",
    "evidence",
    "kind",
    "source",
    "note",
    "metrics",
    "type",
    "trigger",
    "audience",
    "journey",
    "touchpoint",
    "budget",
    "status",
    "success_metric",
    "failure",
    "signal",
    "path",
    "quote",
    "moral",
    "hypothesis",
    "metric",
    "control",
    "results",
    "n",
    "conversions",
    "decision",
    "order",
    "body",
    "x",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=16),
    st.sampled_from(
        [
            "attention",
            "interest",
            "action",
            "satisfaction",
            "busy-parent",
            "first-order",
            "advert",
            "checkout",
            "nps",
            "reliability",
            "guide",
            "surprise",
            "recovery",
            "story",
            "experiment",
            "live",
            "done",
            "interview",
            "assumption",
            "no",
            "yes",
            "0555",
            "10:30",
            "-3",
            "2",
            "index",
            "Index",
            "",
        ]
    ),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)),
    max_leaves=20,
)


def _paths(data, prefix=()):
    """Give the path of every value inside nested data (dict keys and list indexes)."""
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, prefix + (i,))


def _get(data, path):
    for part in path:
        data = data[part]
    return data


@st.composite
def mutated_data(draw, valid):
    """Give valid data with a few fields dropped, duplicated, retyped or emptied."""
    data = json.loads(json.dumps(valid))  # a deep copy of plain data
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, last = _get(data, path[:-1]), path[-1]
        action = draw(st.sampled_from(["drop", "duplicate", "retype", "empty", "swap"]))
        if action == "drop":
            del parent[last]
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(last, json.loads(json.dumps(parent[last])))
        elif action == "duplicate" and isinstance(parent, dict):
            parent[f"{last}"] = parent[last]
            parent[draw(st.sampled_from(KEYS))] = json.loads(json.dumps(parent[last]))
        elif action == "retype":
            parent[last] = draw(documents)
        elif action == "empty":
            parent[last] = draw(st.sampled_from([None, "", [], {}, 0, " "]))
        else:
            other = draw(st.sampled_from(paths))
            with contextlib.suppress(KeyError, IndexError, TypeError):
                parent[last] = json.loads(json.dumps(_get(data, other)))
    return data


@st.composite
def mutated_bytes(draw, raw: bytes):
    """Give raw bytes truncated, with bytes replaced, inserted or a line duplicated."""
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["truncate", "replace", "insert", "duplicate_line"]))
        at = draw(st.integers(0, len(data)))
        if action == "truncate":
            del data[at:]
        elif action == "replace" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif action == "insert":
            data[at:at] = draw(st.one_of(st.binary(max_size=6), st.sampled_from(TOKENS).map(lambda t: t.encode("utf-8"))))
        else:
            lines = bytes(data).split(b"\n")
            i = at % max(len(lines), 1)
            lines.insert(i, lines[i] if lines else b"")
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def yaml_file(valid_text: str) -> st.SearchStrategy[bytes]:
    """Give file contents for a YAML file: noise, generated documents, or the valid text mutated by data or byte."""
    valid = parse_yaml(valid_text, "seed", Problems())[0]  # as cxreport reads it (PyYAML's pure parser differs)

    def dump(d):
        return yaml.safe_dump(d, allow_unicode=True, sort_keys=False).encode("utf-8")

    return st.one_of(
        yaml_noise.map(lambda t: t.encode("utf-8")),
        documents.map(dump),
        mutated_data(valid).map(dump),
        mutated_bytes(valid_text.encode("utf-8")),
    )


def front_matter_split(text: str) -> tuple[str, str]:
    _, head, body = text.split("---\n", 2)
    return head, body


# --- YAML files: journeys, personas, site.yml ------------------------------------------------------------------

YAML_FILES = {
    rel: (STARTER / rel).read_text(encoding="utf-8")
    for rel in ("content/journeys/first-order.yml", "content/personas/busy-parent.yml", "site.yml")
}


@st.composite
def yaml_case(draw):
    rel = draw(st.sampled_from(sorted(YAML_FILES)))
    return rel, draw(yaml_file(YAML_FILES[rel]))


@pytest.mark.slow
@FUZZ
@given(case=yaml_case())
def test_fuzz_journeys_personas_and_site(starter, case):
    rel, raw = case
    path = starter / rel
    try:
        path.write_bytes(raw)
        load_and_check(starter)
    finally:
        path.write_text(YAML_FILES[rel], encoding="utf-8")


# --- front matter ------------------------------------------------------------------------------------------------

PLAYBOOKS = {p.name: p.read_text(encoding="utf-8") for p in sorted((STARTER / "content/playbooks").glob("*.md"))}


@st.composite
def playbook_file(draw):
    name = draw(st.sampled_from(sorted(PLAYBOOKS)))
    head, body = front_matter_split(PLAYBOOKS[name])
    fm = draw(yaml_file(head))
    wrap = draw(st.sampled_from(["normal", "unclosed", "dots", "crlf", "no-fence"]))
    if wrap == "unclosed":
        raw = b"---\n" + fm + b"\n" + body.encode()
    elif wrap == "dots":
        raw = b"---\n" + fm + b"\n...\n" + body.encode()
    elif wrap == "crlf":
        raw = (b"---\n" + fm + b"\n---\n" + body.encode()).replace(b"\n", b"\r\n")
    elif wrap == "no-fence":
        raw = fm + b"\n---\n" + body.encode()
    else:
        raw = b"---\n" + fm + b"\n---\n" + body.encode()
    return name, raw


@FUZZ
@given(file=playbook_file())
def test_fuzz_front_matter(starter, file):
    name, raw = file
    path = starter / "content/playbooks" / name
    try:
        path.write_bytes(raw)
        load_and_check(starter)
    finally:
        path.write_text(PLAYBOOKS[name], encoding="utf-8")


# --- metric files -------------------------------------------------------------------------------------------------

CELLS = [
    "2026-01-05",
    "05-01-2026",
    "2026-02-30",
    "2026-13-01",
    "",
    " ",
    "9",
    "10",
    "0",
    "11",
    "-1",
    "7.5",
    "7,5",
    "1.234",
    "1.234,5",
    "1e3",
    "inf",
    "nan",
    "n.v.t.",
    "+8",
    "8.0",
    "first-order",
    "checkout",
    "advert",
    "nps-survey",
    "attention",
    "action",
    "parents",
    "=1+1",
    "@SUM(A1)",
    "-x",
    '"',
    '""',
    '"a,b"',
    '"a\nb"',
    "\u2028",
    "\x00",
    "é",
    "\ufeff",
    "sep=;",
    "a;b",
    "a\tb",
    "</script>",
    "x" * 300,
]
HEADERS = ["date", "score", "journey", "touchpoint", "segment", "stage", "count", "value", "variant", "Datum", "", "date"]


@st.composite
def csv_file(draw):
    """Give (declaration, bytes): a metric file written as some spreadsheet might, generated or mutated."""
    decl = {"id": "nps", "file": "metrics/nps.csv", "type": draw(st.sampled_from(["nps", "csat", "ces", "funnel", "value"]))}
    for key, choices in (
        ("delimiter", [",", ";", "tab"]),
        ("decimal", [".", ","]),
        ("thousands", [".", ",", " ", ""]),
        ("encoding", ["utf-8", "cp1252", "latin-1"]),
        ("date_format", ["%d-%m-%Y", "%Y-%m-%d", "%Q"]),
        ("period", ["week", "month", "quarter"]),
    ):
        if draw(st.booleans()) and draw(st.booleans()):
            decl[key] = draw(st.sampled_from(choices))
    valid = (STARTER / "content/metrics/nps.csv").read_bytes()
    if draw(st.booleans()):
        raw = draw(mutated_bytes(valid))
    else:
        sep = draw(st.sampled_from([",", ";", "\t"]))
        header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6))
        rows = draw(st.lists(st.lists(st.sampled_from(CELLS), max_size=7), max_size=8))
        text = sep.join(header) + "\n" + "".join(sep.join(r) + draw(st.sampled_from(["\n", "\r\n", "\r"])) for r in rows)
        if draw(st.booleans()):
            text = draw(st.sampled_from(["\ufeff", "sep=;\n", "sep=,\r\n", "\ufeffsep=;\n"])) + text
        raw = text.encode(draw(st.sampled_from(["utf-8", "cp1252", "utf-16"])), errors="replace")
    return decl, raw


@pytest.fixture(scope="module")
def loaded(starter):
    """Give the starter project as loaded, once."""
    project, problems = load_and_check(starter)
    assert not problems.errors, [p.format() for p in problems]
    return Base(project, None)


# --- strings on the pages ----------------------------------------------------------------------------------------

DANGER = st.sampled_from(
    [
        "<",
        ">",
        '"',
        "'",
        "&",
        "</script>",
        "<!--",
        "\u2028",
        "\u2029",
        "{{",
        "}}",
        "{%",
        "`",
        "\\",
        "javascript:",
        "onerror=",
        "<img src=x onerror=alert(1)>",
        "]]>",
        "\n",
        "&amp;",
        "%s",
        " ",
    ]
)
# no NUL and no lone surrogate: the readers refuse both (not YAML, not UTF-8), so neither reaches a page
payloads = st.lists(
    st.one_of(DANGER, st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=4)),
    min_size=1,
    max_size=8,
).map("".join)
TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*/?>")
ATTR = re.compile(r"""\s+([^\s=>/]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?""")
OUR_SCRIPT = re.compile(r'<script(?:(?: defer)? src="[^"<>]*"| type="application/json" data-chart="[^"<>]*")>', re.IGNORECASE)


SMALL = {
    "site.yml": "title: T\nmetrics:\n  - {id: nps, file: nps.csv, type: nps, columns: {segment: segment}}\n",
    "content/nps.csv": "date,touchpoint,segment,score\n2026-01-05,ad,parents,9\n2026-02-05,checkout,parents,3\n",
    "content/personas/parent.yml": "name: P\nsegment: parents\n",
    "content/journeys/first-order.yml": (
        "title: J\npersona: parent\nstages:\n  - stage: attention\n    touchpoints:\n"
        "      - {id: ad, name: A, feeling: {score: 1, label: l}, pillars: {reliability: n}, doing: [d],"
        " evidence: [{kind: interview, source: s, note: n}]}\n"
        "  - stage: action\n    touchpoints:\n      - {id: checkout, name: C, feeling: -1, metrics: [nps]}\n"
    ),
    "content/playbooks/s.md": "---\ntype: surprise\ntitle: S\ntrigger: t\njourney: first-order\ntouchpoint: ad\nstatus: live\n---\nB\n",
    "content/playbooks/e.md": (
        "---\ntype: experiment\ntitle: E\nhypothesis: h\nstatus: done\nresults:\n"
        "  a: {n: 100, conversions: 10}\n  b: {n: 100, conversions: 14}\n---\nB\n"
    ),
}


@pytest.fixture(scope="module")
def rendered_base(tmp_path_factory):
    """Give a small project (a page of each kind that shows names: journey, persona, playbooks, metric) loaded,
    with its figures computed once."""
    root = tmp_path_factory.mktemp("strings")
    for rel, text in SMALL.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    problems = Problems()
    project = load_sources(root, problems)
    validate(project, problems)
    assert not problems.errors, [p.format() for p in problems]
    data = pipeline.join_metrics(project, problems, None)
    figures = pipeline.compute_figures(project, data)
    data.close()
    return Base(project, figures)


@dataclasses.dataclass(frozen=True, repr=False)
class Base:
    """The loaded project and its figures (kept out of hypothesis's report of a failing example)."""

    project: object
    figures: object

    def __repr__(self) -> str:
        return "<the starter project>"


MARK = "Q7z"  # around the string in plain-text fields, so the raw check never matches the templates' own text


def with_strings(project, figures, s: str):
    """Give the project and figures with s in every field a reader sees: MARK+s+MARK in plain-text fields (titles,
    names, labels, notes, segments), s alone in Markdown fields (lanes, summaries, goals, descriptions)."""
    m, plain = project.config, MARK + s + MARK
    journeys = {}
    for jid, j in project.journeys.items():
        stages = tuple(
            st_.model_copy(
                update={
                    "goal": s,
                    "touchpoints": tuple(
                        tp.model_copy(
                            update={
                                "name": plain,
                                "channel": plain,
                                "owner": plain,
                                "doing": (s,),
                                "thinking": (s,),
                                "pain_points": (s,),
                                "pillars": {k: plain for k in tp.pillars},
                                "feeling": tp.feeling.model_copy(update={"label": plain}) if tp.feeling else None,
                                "evidence": tuple(e.model_copy(update={"source": plain, "note": plain}) for e in tp.evidence),
                            }
                        )
                        for tp in st_.touchpoints
                    ),
                }
            )
            for st_ in j.stages
        )
        journeys[jid] = j.model_copy(update={"title": plain, "owner": plain, "summary": s, "stages": stages})
    personas = {
        k: p.model_copy(update={"name": plain, "quote": plain, "goals": (s,), "channels": (plain,), "segment": plain})
        for k, p in project.personas.items()
    }
    playbooks = {k: p.model_copy(update={"title": plain}) for k, p in project.playbooks.items()}
    pillars = {k: v.model_copy(update={"name": plain, "description": plain}) for k, v in project.pillars.items()}
    config = m.model_copy(
        update={
            "title": plain,
            "description": s,
            "metrics": tuple(src.model_copy(update={"label": plain, "unit": plain}) for src in m.metrics),
            "brand": m.brand.model_copy(update={"footer": plain}),
        }
    )
    project = dataclasses.replace(
        project,
        config=config,
        journeys=MappingProxyType(journeys),
        personas=MappingProxyType(personas),
        playbooks=MappingProxyType(playbooks),
        pillars=MappingProxyType(pillars),
    )
    figures = dataclasses.replace(
        figures, figures=tuple(f._replace(segment=plain) if f.segment is not None else f for f in figures.figures)
    )
    return project, figures


def assert_escaped(files: dict, s: str) -> None:
    """Fail when s shows up in a page where markup could run: raw in the HTML, in a script, or as a tag or attribute."""
    special = any(c in s for c in '<>"&')  # in text, attributes and JSON each of these is always written escaped
    for path, data in files.items():
        if not isinstance(data, bytes) or not path.endswith((".html", ".js")):
            continue
        text = data.decode("utf-8")
        if special:
            assert MARK + s + MARK not in text, f"{path}: the generated string is written raw"
        if path.endswith(".js"):
            assert "</script" not in text.lower() and "\u2028" not in text, path
            continue
        for match in re.finditer(r"<script\b[^>]*>", text, re.IGNORECASE):
            assert OUR_SCRIPT.fullmatch(match.group(0)) or "data-cxreport" in match.group(0), f"{path}: {match.group(0)}"
        for block in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', text, re.DOTALL):
            assert "<" not in block and "\u2028" not in block, path
            json.loads(block)
        for tag in TAG.finditer(text):
            for attr in (a.group(1) for a in ATTR.finditer(tag.group(2))):
                assert not attr.lower().startswith("on"), f"{path}: <{tag.group(1)} {attr}>"


@pytest.mark.slow
@FUZZ
@given(s=payloads)
def test_fuzz_strings_on_every_page(rendered_base, s):
    project, figures = rendered_base.project, rendered_base.figures
    project, figures = with_strings(project, figures, s)
    problems = Problems()
    with time_bound():
        site = pipeline.render(project, figures, problems)
    assert_escaped(site.files.files, s)


# --- metric files (run by a second process) ----------------------------------------------------------------


class _SharedDuckDB:
    """duckdb, except that connect() gives a cursor on one database kept for the whole test.

    Opening a DuckDB database costs ~50 ms, more than reading a small file; every table is dropped after each
    example, so an example sees an empty database as it would after connect().
    """

    def __init__(self, real) -> None:
        self._real = real
        self.db = real.connect()

    def __getattr__(self, name):
        return getattr(self._real, name)

    def connect(self, *args, **kwargs):
        return self.db.cursor()

    def clear(self) -> None:
        for schema, name, kind in self.db.execute(
            "SELECT schema_name, table_name, 'TABLE' FROM duckdb_tables() UNION ALL "
            "SELECT schema_name, view_name, 'VIEW' FROM duckdb_views() WHERE NOT internal"
        ).fetchall():
            self.db.execute(f'DROP {kind} IF EXISTS "{schema}"."{name}"')


@pytest.fixture(scope="module")
def shared_duckdb():
    import duckdb

    from cxreport.metrics import join

    shared = _SharedDuckDB(duckdb)
    real, join.duckdb = join.duckdb, shared
    yield shared
    join.duckdb = real
    shared.db.close()


@FUZZ
@given(case=csv_file())
def metric_file_examples(starter, loaded, shared_duckdb, case):
    decl, raw = case
    project = loaded.project
    from cxreport.model import MetricSource

    source = MetricSource.model_validate({**decl, "columns": {}})
    project = dataclasses.replace(
        project,
        config=project.config.model_copy(update={"metrics": (source,), "targets": {}}),
        playbooks=MappingProxyType({k: v for k, v in project.playbooks.items() if getattr(v, "metric", None) is None}),
    )
    (starter / "content/metrics/nps.csv").write_bytes(raw)
    problems = Problems()
    try:
        with time_bound():
            data = pipeline.join_metrics(project, problems, None)
            figures = pipeline.compute_figures(project, data)
            json.loads(figures_json(figures))
            metric_csv(list(figures.figures), "nl")
            data.close()
    finally:
        (starter / "content/metrics/nps.csv").write_bytes((STARTER / "content/metrics/nps.csv").read_bytes())
        shared_duckdb.clear()
    well_formed(problems)
    for p in problems.errors:
        assert p.path in ("site.yml", "content/metrics/nps.csv"), p.format()


@pytest.mark.slow
def test_fuzz_metric_files(request, csv_worker):
    """The metric-file target, run by a second process while the targets above run here (DuckDB is the slowest)."""
    if csv_worker is None:  # this is the second process
        metric_file_examples(
            starter=request.getfixturevalue("starter"),
            loaded=request.getfixturevalue("loaded"),
            shared_duckdb=request.getfixturevalue("shared_duckdb"),
        )
        return
    output, _ = csv_worker.communicate(timeout=600)
    assert csv_worker.returncode == 0, output


# --- the corpus ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CORPUS.glob("*.json")), ids=lambda p: p.stem)
def test_corpus_replays(starter, case):
    """Replay each input that once found a bug: <name>.json names the file it goes to, the errors it must give
    and the bug it found; <name>.json's "input" is the file beside it that holds the bytes."""
    meta = json.loads(case.read_text(encoding="utf-8"))
    target = starter / meta["path"]
    original = target.read_bytes() if target.exists() else None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((CORPUS / meta["input"]).read_bytes())
        _project, problems = load_and_check(starter)
        found = [(p.path, p.line, p.col, p.message) for p in problems.errors]
        assert found == [tuple(e) for e in meta["errors"]]
    finally:
        if original is None:
            target.unlink()
        else:
            target.write_bytes(original)
