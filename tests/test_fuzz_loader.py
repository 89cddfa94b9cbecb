"""Property tests: whatever YAML or front matter is fed in, the outcome is a model or problems."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from cxreport.pipeline import check
from helpers import REPO, write_project

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

yaml_chars = st.sampled_from(list("ab:- \n\t[]{},&*!|>'\"#%@`?~0123456789.\\é\u2028<") + ["---", "...", "<<", "!!python/object", "&a", "*a", "  "])
yaml_text = st.lists(yaml_chars, max_size=80).map("".join)

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.floats(allow_nan=True), st.text(max_size=12),
                    st.sampled_from(["attention", "action", "parent", "ad", "no", "yes", "0555", "10:30", "1.10", "-3", "2"]))
keys = st.sampled_from(["title", "persona", "stages", "stage", "touchpoints", "id", "name", "feeling", "score", "label",
                        "pillars", "doing", "evidence", "kind", "type", "trigger", "journey", "touchpoint", "path",
                        "results", "n", "conversions", "metric", "control", "order", "segment", "x"])
data = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=6)),
                    max_leaves=25)


def assert_model_or_problems(root: Path) -> None:
    project, problems = check(root)  # must not raise
    assert project is not None or len(problems) > 0
    for p in problems:
        assert p.path and p.message
        assert p.line >= 0 and p.col >= 0


@SETTINGS
@given(text=yaml_text)
def test_random_yaml_text_as_a_journey(make_project, text):
    root = make_project()
    (root / "content/journeys/fuzz.yml").write_text(text, encoding="utf-8")
    assert_model_or_problems(root)


@SETTINGS
@given(text=yaml_text)
def test_random_front_matter(make_project, text):
    root = make_project({"content/playbooks/keep.md": "---\ntitle: K\ntype: guide\n---\n"})
    (root / "content/playbooks/fuzz.md").write_text("---\n" + text + "\n---\nBody\n", encoding="utf-8")
    assert_model_or_problems(root)


@SETTINGS
@given(doc=data)
def test_random_documents_as_journey_site_and_playbook(make_project, doc):
    root = make_project({"content/playbooks/keep.md": "---\ntitle: K\ntype: guide\n---\n"})
    dumped = yaml.safe_dump(doc, allow_unicode=True)
    (root / "content/journeys/fuzz.yml").write_text(dumped, encoding="utf-8")
    (root / "content/playbooks/fuzz.md").write_text("---\n" + dumped + "---\n", encoding="utf-8")
    assert_model_or_problems(root)
    (root / "site.yml").write_text(dumped, encoding="utf-8")
    assert_model_or_problems(root)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 10_000), junk=st.binary(max_size=8))
def test_truncated_and_corrupted_example_journey(tmp_path_factory, cut, junk):
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "site.yml", root / "site.yml")
    path = root / "content/journeys/eerste-bestelling.yml"
    raw = path.read_bytes()
    cut = cut % (len(raw) + 1)
    path.write_bytes(raw[:cut] + junk + raw[cut + len(junk):])
    write_project(root, {})
    assert_model_or_problems(root)
