"""Hostile strings in every kind of field come out as text: no script runs, no template is evaluated."""
from __future__ import annotations

import json

import pytest

from conftest import sample_figures
from cxreport.loader import load_sources
from cxreport.problems import Problems
from cxreport.render import render_site
from cxreport.render.charts import script_json
from cxreport.render.markdown import MarkdownRenderer, sanitize
from test_render_site import scan

EVIL = "<script>alert(1)</script> \"quoted\" 'single' {{ 7*7 }} {% if 1 %}x{% endif %} </script><!-- \u2028\u2029 &amp;"
EVIL_YAML = json.dumps(EVIL)  # a JSON string is a valid YAML double-quoted scalar
EVIL_MD = """\
# Heading <script>alert('h')</script>

Text with <script>alert(2)</script> and <img src=x onerror="alert(3)"> and
[a link](javascript:alert(4)) and [data](data:text/html;base64,PHNjcmlwdD4=) and
<a href="JaVaScRiPt:alert(5)">mixed case</a> and <iframe src="https://example.org"></iframe>
<div onclick="alert(6)" style="background:url(javascript:alert(7))">div</div>
{{ 7*7 }} {% raw %}x{% endraw %} <!-- comment -->

<svg><script>alert(8)</script></svg>
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from conftest import write_project

    root = write_project(tmp_path_factory.mktemp("hostile"), {
        "site.yml": f"""\
            title: {EVIL_YAML}
            description: {json.dumps(EVIL_MD)}
            language: en
            brand: {{footer: {EVIL_YAML}}}
            stage_models:
              custom:
                - {{id: one, name: {EVIL_YAML}}}
                - {{id: two, name: "Two"}}
            pillars:
              evil: {{name: {EVIL_YAML}, description: {EVIL_YAML}}}
            metrics:
              - {{id: m, file: m.csv, type: nps, label: {EVIL_YAML}, pillar: evil, columns: {{journey: j, touchpoint: t, segment: s}}}}
            """,
        "content/m.csv": "date,j,t,s,score\n",
        "content/personas/p.yml": f"""\
            name: {EVIL_YAML}
            quote: {EVIL_YAML}
            description: {json.dumps(EVIL_MD)}
            goals: [{EVIL_YAML}]
            frustrations: [{EVIL_YAML}]
            channels: [{EVIL_YAML}]
            segment: {EVIL_YAML}
            """,
        "content/journeys/j.yml": f"""\
            title: {EVIL_YAML}
            persona: p
            owner: {EVIL_YAML}
            summary: {json.dumps(EVIL_MD)}
            stage_model: custom
            stages:
              - stage: one
                goal: {json.dumps(EVIL_MD)}
                touchpoints:
                  - id: t
                    name: {EVIL_YAML}
                    channel: {EVIL_YAML}
                    owner: {EVIL_YAML}
                    pillars: {{evil: {EVIL_YAML}}}
                    doing: [{EVIL_YAML}]
                    thinking: [{json.dumps(EVIL_MD)}]
                    feeling: {{score: -1, label: {EVIL_YAML}}}
                    pain_points: [{EVIL_YAML}]
                    opportunities: [{EVIL_YAML}]
                    backstage: [{EVIL_YAML}]
                    evidence: [{{kind: interview, source: {EVIL_YAML}, note: {EVIL_YAML}}}]
                    metrics: [m]
                  - id: u
                    name: Second
                    feeling: 1
              - stage: two
                touchpoints:
                  - {{id: v, name: Third, feeling: 0}}
            """,
        "content/journeys/k.yml": f"""\
            title: Future
            persona: p
            state: future
            compare_to: j
            stage_model: custom
            stages:
              - stage: one
                touchpoints:
                  - {{id: t, name: {EVIL_YAML}, feeling: 2, pain_points: [{EVIL_YAML}]}}
            """,
        "content/playbooks/s.md": f"---\ntype: surprise\ntitle: {EVIL_YAML}\ntrigger: {EVIL_YAML}\naudience: p\n"
                                  f"journey: j\ntouchpoint: t\nowner: {EVIL_YAML}\nstatus: live\npillars: [evil]\n---\n{EVIL_MD}",
        "content/playbooks/r.md": f"---\ntype: recovery\ntitle: {EVIL_YAML}\nfailure: {EVIL_YAML}\nsignal: {EVIL_YAML}\n"
                                  f"response_time: {EVIL_YAML}\njourney: j\ntouchpoint: t\n---\n{EVIL_MD}",
        "content/playbooks/st.md": f"---\ntype: story\ntitle: {EVIL_YAML}\npersona: p\njourney: j\npath: [t, u]\n"
                                   f"quote: {EVIL_YAML}\nmoral: {EVIL_YAML}\n---\n{EVIL_MD}",
        "content/playbooks/e.md": f"---\ntype: experiment\ntitle: {EVIL_YAML}\nhypothesis: {EVIL_YAML}\nstatus: running\n"
                                  f"decision: {EVIL_YAML}\nresults:\n  {EVIL_YAML}: {{n: 100, conversions: 10}}\n"
                                  f"  b: {{n: 100, conversions: 12}}\n---\n{EVIL_MD}",
        "content/playbooks/g.md": f"---\ntype: guide\ntitle: {EVIL_YAML}\n---\n{EVIL_MD}",
        "content/pages/pg.md": f"---\ntitle: {EVIL_YAML}\n---\n{EVIL_MD}",
    })
    problems = Problems()
    project = load_sources(root, problems)
    assert project is not None and not problems.errors, [p.format() for p in problems]
    site = render_site(project, sample_figures(project), problems)
    pages = {p.path: site.files.files[p.path].decode("utf-8") for p in site.pages}
    return site, pages


def test_every_page_kind_is_there(hostile_site):
    site, pages = hostile_site
    assert {p.kind for p in site.pages} >= {"home", "journey", "persona", "pillars", "playbooks", "playbook",
                                            "chapter", "metrics", "metric"}


def test_no_markup_from_content_survives(hostile_site):
    _, pages = hostile_site
    for path, html in pages.items():
        lowered = html.lower()
        assert "<script>alert" not in lowered, path
        assert "onerror" not in lowered and "onclick" not in lowered, path
        assert "javascript:" not in lowered, path
        assert "data:text/html" not in lowered, path
        assert "<iframe" not in lowered and "<svg" not in lowered, path
        assert "<!-- comment -->" not in html, path
        # only our own script elements: chart data and the two script files
        s = scan(html)
        assert all(src.endswith(("plotly.min.js", "charts.js")) for src in s.scripts), path
        assert html.count("<script") == len(s.scripts) + len(s.chart_json), path


def test_template_syntax_in_content_is_printed_as_written(hostile_site):
    _, pages = hostile_site
    html = pages["journeys/j.html"]
    assert "{{ 7*7 }}" in html
    assert "{% if 1 %}x{% endif %}" in html
    assert "{{ 7*7 }}" in pages["pages/pg.html"]


def test_names_and_quotes_are_escaped_in_text_and_attributes(hostile_site):
    _, pages = hostile_site
    html = pages["journeys/j.html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;quoted&#34;" in html or "&quot;quoted&quot;" in html
    assert "<title>" in html and "<title><script>" not in html
    # a note on a pillar tag goes into a title attribute: quotes must not end it
    assert 'title="&lt;script&gt;alert(1)&lt;/script&gt; &#34;quoted&#34;' in html


def test_chart_data_cannot_break_out_of_its_script(hostile_site):
    site, pages = hostile_site
    seen = False
    for path, html in pages.items():
        for block in scan(html).chart_json:
            assert "</script" not in block.lower() and "<!--" not in block
            assert "\u2028" not in block and "\u2029" not in block
            text = json.dumps(json.loads(block), ensure_ascii=False)
            seen = seen or "</script><!--" in text  # the hostile label arrives intact as data
    assert seen


def test_script_json_escapes():
    out = str(script_json({"a": "</script><!-- & \u2028\u2029 >"}))
    assert out == '{"a":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029 \\u003e"}'
    assert json.loads(out) == {"a": "</script><!-- & \u2028\u2029 >"}


@pytest.mark.parametrize("markdown, forbidden, kept", [
    ("<script>alert(1)</script>ok", ["<script", "alert"], ["ok"]),
    ('<img src="x.png" onerror="alert(1)">', ["onerror"], ['<img alt="" src="x.png">']),
    ("[x](javascript:alert(1))", ["javascript"], ["<a"]),
    ("[x](data:text/html,hi)", ["data:"], []),
    ("![x](data:image/png;base64,AAAA)", ["data:"], ['alt="x"']),
    ('<a href="vbscript:x">v</a>', ["vbscript"], []),
    ('<p style="position:fixed">s</p>', ["style", "fixed"], ["<p>s</p>"]),
    ("<!-- hidden -->", ["hidden"], []),
    ('<form action="x"><input name="p"></form>', ["<form", "<input"], []),
    ("[ok](https://example.org)", [], ['href="https://example.org"', 'rel="noopener noreferrer"']),
    ("| a | b |\n|:-|-:|\n| 1 | 2 |", [], ['<td style="text-align:left">1</td>']),
    ('!!! note "Let op"\n    Tekst', [], ['<div class="admonition note">', '<p class="admonition-title">Let op</p>']),
    ("```python\nx = 1 < 2\n```", [], ['<code class="language-python">x = 1 &lt; 2']),
])
def test_markdown_is_sanitised_after_rendering(markdown, forbidden, kept):
    html = str(MarkdownRenderer().block(markdown))
    for bad in forbidden:
        assert bad not in html.lower()
    for good in kept:
        assert good in html


def test_heading_ids_are_kept_and_never_take_a_template_id():
    r = MarkdownRenderer()
    html = str(r.block("# Main\n\n## Stap 1\n\n## tp-checkout\n", ids=True))
    assert 'id="h-main"' in html and 'id="stap-1"' in html and 'id="h-tp-checkout"' in html
    assert "id=" not in str(r.block("## Stap 1\n"))  # only the page's main text carries ids
    assert 'id="h-site-nav"' in sanitize('<h2 id="site-nav">x</h2>', keep_ids=True)
