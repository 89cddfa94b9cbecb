"""Hostile Markdown and HTML: no script runs, no handler fires, no template is evaluated, text is printed as written.

Every page is parsed as a browser parses it (html5lib) and checked by hostile_support.assert_inert: scripts only
our own files and JSON data blocks, no on* attribute, no javascript:/data: URL, no frame, form, svg or math.
"""

from __future__ import annotations

import json

import pytest
from helpers import sample_figures
from hostile_support import assert_inert, assert_site_inert, cli, render_pages, write_files
from test_render_site import scan

from cxreport.loader import load_sources
from cxreport.problems import Problems
from cxreport.render.charts import plain_text, script_json
from cxreport.render.markdown import MarkdownRenderer, sanitize
from cxreport.render.whole_site import render_site

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
    from helpers import write_project

    root = write_project(
        tmp_path_factory.mktemp("hostile"),
        {
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
        },
    )
    problems = Problems()
    project = load_sources(root, problems)
    assert project is not None and not problems.errors, [p.format() for p in problems]
    site = render_site(project, sample_figures(project), problems)
    pages = {p.path: site.files.files[p.path].decode("utf-8") for p in site.pages}
    return site, pages


def test_every_field_everywhere_is_inert_as_a_browser_parses_it(hostile_site):
    site, pages = hostile_site
    inert = assert_site_inert(site.files.files, markers=("alert(",))
    assert set(pages) <= set(inert)
    for path in pages:  # the hostile title is printed as text on every page that shows it
        if path == "journeys/j.html":
            assert "<script>alert(1)</script>" in inert[path].text


def test_every_page_kind_is_there(hostile_site):
    site, _pages = hostile_site
    assert {p.kind for p in site.pages} >= {
        "home",
        "journey",
        "persona",
        "pillars",
        "playbooks",
        "playbook",
        "chapter",
        "metrics",
        "metric",
    }


def test_no_markup_from_content_survives(hostile_site):
    _, pages = hostile_site
    for path, html in pages.items():
        assert "<!-- comment -->" not in html, path
        assert "data:text/html" not in html.lower(), path


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
    _site, pages = hostile_site
    seen = False
    for html in pages.values():
        for block in scan(html).chart_json:
            assert "</script" not in block.lower() and "<!--" not in block
            assert "\u2028" not in block and "\u2029" not in block
            text = json.dumps(json.loads(block), ensure_ascii=False)
            # the hostile label arrives intact as data, as plain text for Plotly (which shows </script><!--)
            seen = seen or "&lt;/script&gt;&lt;!--" in text
    assert seen


def test_script_json_escapes():
    out = str(script_json({"a": "</script><!-- & \u2028\u2029 >"}))
    assert out == '{"a":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029 \\u003e"}'
    assert json.loads(out) == {"a": "</script><!-- & \u2028\u2029 >"}


@pytest.mark.parametrize(
    "markdown, forbidden, kept",
    [
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
    ],
)
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


# --- the catalogue: one case a test, rendered from a real project and parsed as a browser does ---------------

PB = "content/playbooks/p.md"


def page_of(make_project, body: str, *, front: str = "title: P\ntype: guide\n") -> tuple[str, str]:
    """Give (html of the playbook page, its text as a browser shows it) for a guide with this body."""
    root = make_project({PB: f"---\n{front}---\n{body}"})
    pages, files, _ = render_pages(root)
    assert_site_inert(files, markers=("alert(",))
    html = pages["playbooks/p.html"]
    return html, assert_inert(html, "playbooks/p.html", ("alert(",)).text


@pytest.mark.parametrize(
    "body, shown",
    [
        ("<script>alert(1)</script>Na het script", "Na het script"),
        ('<img src="x.png" onerror="alert(1)">Plaatje', "Plaatje"),
        ('<svg onload="alert(1)"><circle r="5"/></svg>Vorm', "Vorm"),
        ('<iframe src="javascript:alert(1)"></iframe>Kader', "Kader"),
        ("[klik](javascript:alert(1))", "klik"),
        ("[klik](JaVaScRiPt:alert(1))", "klik"),
        ('<a href="java&#x09;script:alert(1)">tab</a> <a href="&#106;avascript:alert(1)">entity</a>', "entity"),
        ('<a href="  javascript:alert(1)">spaties</a>', "spaties"),
        ("[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "data"),
        ("![beeld](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", ""),
        ("[ref][1]\n\n[1]: javascript:alert(1)", "ref"),
        ("<javascript:alert(1)>", ""),
        ('<a href="vbscript:alert(1)">vb</a>', "vb"),
        ('<div onclick="alert(1)" style="background:url(javascript:alert(1))">div</div>', "div"),
        ('<style>body{background:url("javascript:alert(1)")}</style>stijl', "stijl"),
        ('<form action="https://evil.example/"><input name="pin"><button>OK</button></form>formulier', "formulier"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example/">meta', "meta"),
        ('<base href="https://evil.example/">basis', "basis"),
        ('<object data="evil.swf"></object><embed src="evil.swf">object', "object"),
        ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>wiskunde', "wiskunde"),
        ("<!--<script>alert(1)</script>-->commentaar", "commentaar"),
        ("</script><script>alert(1)</script>", ""),
        ('<details open ontoggle="alert(1)"><summary>meer</summary>x</details>', "meer"),
    ],
    ids=[
        "script",
        "img-onerror",
        "svg-onload",
        "iframe-javascript",
        "javascript-link",
        "javascript-mixed-case",
        "javascript-entities",
        "javascript-leading-space",
        "data-link",
        "data-image",
        "javascript-reference-link",
        "javascript-autolink",
        "vbscript",
        "onclick-style-url",
        "style-element",
        "form",
        "meta-refresh",
        "base",
        "object-embed",
        "math-xlink",
        "commented-script",
        "end-script",
        "details-ontoggle",
    ],
)
def test_raw_html_and_links_in_markdown_are_inert(make_project, body, shown):
    _, text = page_of(make_project, body)
    assert shown in text


def test_link_title_with_a_quote_cannot_leave_its_attribute(make_project):
    body = (
        '[a](https://example.org "t&quot; onmouseover=&quot;alert(1)") '
        "[b](https://example.org 'x\" onmouseover=\"alert(1)') "
        '![c](x.png "y\\" onerror=\\"alert(1)")\n'
    )
    html, _text = page_of(make_project, body)
    doc = scan(html)
    assert "https://example.org" in doc.links
    assert 'onmouseover="' not in html and 'onerror="' not in html


def test_html_in_headings_that_feed_the_table_of_contents(make_project):
    body = '## <img src=x onerror=alert(1)>Kop <script>alert(2)</script>\n\n## "><svg onload=alert(3)>\n\nTekst\n'
    html, _text = page_of(make_project, body)
    ids = scan(html).ids
    assert all(i.replace("-", "").replace("_", "").isalnum() for i in ids)  # ids are slugs, never markup


def test_template_syntax_in_names_and_bodies_is_printed_as_written_never_run(make_project):
    evil = "{{ 7*7 }} {% for x in range(3) %}{{ x }}{% endfor %} {{ config.__class__ }} {# c #}"
    root = make_project(
        {
            "content/personas/parent.yml": f"name: {json.dumps(evil)}\nquote: {json.dumps(evil)}\n",
            PB: f"---\ntitle: {json.dumps(evil)}\ntype: guide\n---\n{evil}\n",
        }
    )
    _pages, files, _ = render_pages(root)
    inert = assert_site_inert(files)
    for path in ("personas/parent.html", "playbooks/p.html"):
        assert evil in inert[path].text, path
        assert "49" not in inert[path].text and "012" not in inert[path].text


def test_script_end_comment_and_line_separators_in_chart_labels_and_figure_json(make_project):
    evil = "</script><!--<script>alert(1)//\u2028\u2029"
    root = make_project(
        {
            "site.yml": "title: T\nmetrics:\n  - {id: nps, file: metrics/nps.csv, type: nps, columns: {segment: seg}}\n",
            "content/metrics/nps.csv": f'date,score,touchpoint,seg\n2026-01-05,9,ad,"{evil}"\n2026-02-05,3,checkout,"{evil}"\n',
            "content/journeys/first-order.yml": f"""\
title: {json.dumps(evil)}
persona: parent
stages:
  - stage: attention
    touchpoints:
      - {{id: ad, name: {json.dumps(evil)}, feeling: {{score: 1, label: {json.dumps(evil)}}}}}
  - stage: action
    touchpoints:
      - {{id: checkout, name: Checkout, feeling: -1}}
""",
            "content/personas/parent.yml": f"name: P\nsegment: {json.dumps(evil)}\n",
        }
    )
    _pages, files, _ = render_pages(root)
    inert = assert_site_inert(files, markers=("alert(",))
    data = [block for page in inert.values() for block in page.json_blocks]
    # the label arrives intact, as data, in the plain text Plotly shows as written (&lt; for <)
    assert data and plain_text(evil) in json.dumps(data, ensure_ascii=False)
    figures = json.loads(files["data/figures.json"])
    assert {f["segment"] for f in figures["figures"]} == {None, evil}
    assert evil.replace("\u2028\u2029", "") in inert["journeys/first-order.html"].text.replace("\u2028", "").replace("\u2029", "")


def test_primary_colour_cannot_write_css_or_html(make_project):
    root = make_project()
    write_files(root, {"site.yml": 'title: T\nbrand: {primary_color: "#000000;}</style><script>alert(1)</script>"}\n'})
    run = cli("check", root)
    assert run.exit_code == 1
    assert "site.yml:2:24: error: primary_color: '#000000;}</style><script>alert(1)</script>' is not a colour" in run.stderr


def test_file_names_with_quotes_and_markup_in_links_and_the_logo(make_project):
    name = 'a"onerror="alert(1)<b>.png'
    root = make_project(
        {
            "site.yml": f"title: T\nbrand: {{logo: {json.dumps('assets/' + name)}}}\n",
            "content/assets/" + name: b"\x89PNG\r\n",
            PB: f"---\ntitle: P\ntype: guide\n---\n![foto](<../assets/{name}>)\n",
        }
    )
    _pages, files, _ = render_pages(root)
    assert_site_inert(files, markers=("alert(",))
    assert "media/" + name in files


def test_page_and_link_text_with_html_entities_stays_text(make_project):
    html, text = page_of(
        make_project,
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt;b&amp;gt;\n",
        front='title: "&lt;b&gt;x&lt;/b&gt;"\ntype: guide\n',
    )
    assert "<script>alert(1)</script>" in text and "&lt;b&gt;" in text
    assert "&lt;b&gt;x&lt;/b&gt;" in assert_inert(html, "playbooks/p.html").text  # the title is text, entities and all
