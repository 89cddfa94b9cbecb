"""What every hostile-input test needs: run the CLI, snapshot a folder, and prove rendered HTML inert."""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

import html5lib
from click.testing import CliRunner
from helpers import write_project

from cxreport.cli import main

# URL schemes that run or embed something when a browser follows them.
BAD_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "srcset", "ping", "cite"}
# Elements that must never come from content: they run code or load another document.
FORBIDDEN_TAGS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "textarea",
    "svg",
    "math",
    "base",
    "meta",
    "link",
    "style",
    "template",
    "portal",
}
OWN_META = {"meta", "link", "style"}  # the page head has these; they are checked by position, not forbidden outright


@dataclass
class Run:
    """One cxreport command: its exit code and what it printed."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def cli(*args: str, env: dict | None = None) -> Run:
    """Give the outcome of `cxreport ARGS` run in-process (exceptions are not caught: a traceback fails the test)."""
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, env=env)
    assert "Traceback" not in result.output
    assert "internal error" not in result.output, result.output
    return Run(result.exit_code, result.stdout, result.stderr)


def problems_json(root: Path) -> tuple[int, list[tuple[str, int, int, str, str]]]:
    """Give `cxreport check --format json`'s exit code and its problems as (path, line, col, severity, message)."""
    run = cli("check", root, "--format", "json")
    items = json.loads(run.stdout) if run.stdout.strip().startswith("[") else []
    # a whole-file problem has line and col null in JSON; the tests write it as 0, as Problem holds it
    return run.exit_code, [(p["path"], p["line"] or 0, p["col"] or 0, p["severity"], p["message"]) for p in items]


def errors(root: Path) -> tuple[int, list[tuple[str, int, int, str]]]:
    """Give the exit code of `cxreport check` and its errors as (path, line, col, message)."""
    code, items = problems_json(root)
    return code, [(p, line, col, msg) for p, line, col, sev, msg in items if sev == "error"]


def tree(folder: Path) -> dict[str, str]:
    """Give every entry under folder (hidden ones too): files by the hash of their bytes, folders, links by target."""
    out: dict[str, str] = {}
    if not folder.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                out[rel] = "link:" + os.readlink(path)
            elif path.is_dir():
                out[rel] = "dir"
            else:
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return dict(sorted(out.items()))


def leftovers(parent: Path) -> list[str]:
    """Give the staging, spool and set-aside folders a build left beside its output."""
    return sorted(p.name for p in parent.iterdir() if re.match(r"^\..*\.(staging|old|spool)-\d+$", p.name))


def build_previous(root: Path) -> dict[str, str]:
    """Build the project once (it must succeed) and give the snapshot of its output, with a .git and CNAME kept in it."""
    run = cli("build", root, "-q")
    assert run.exit_code == 0, run.output
    out = root / "output"
    (out / ".git").mkdir(exist_ok=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (out / "CNAME").write_text("cx.example.org\n")
    return tree(out)


# --- inert HTML ------------------------------------------------------------------------------


@dataclass
class Inert:
    """What a page holds once parsed as a browser does: its text, and the JSON of its chart scripts."""

    text: str
    json_blocks: list
    attributes: list[str]


def assert_inert(html: str, page: str = "", markers: tuple[str, ...] = ()) -> Inert:
    """Parse html as a browser does and fail on anything content could run: give its text and chart data.

    Scripts must be our own files (src under assets/) or JSON data blocks that parse and cannot end their
    element; no element has an on* attribute; no URL attribute uses javascript:, data:, vbscript: or file:;
    no frame, object, form, svg or math element appears; markers (generated strings) never appear raw
    inside a script element.
    """
    doc = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    texts: list[str] = []
    blocks: list = []
    attributes: list[str] = []
    in_head = {id(e) for h in doc.iter("head") for e in h.iter()}
    forbidden = FORBIDDEN_TAGS - template_tags()  # what our own templates write is ours
    for el in doc.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in forbidden and not (tag in OWN_META and id(el) in in_head):
            raise AssertionError(f"{page}: <{tag}> in the page")
        if tag == "meta" and el.get("http-equiv") is not None:
            raise AssertionError(f"{page}: <meta http-equiv> in the page")
        for name, value in el.attrib.items():
            lname = name.lower()
            attributes.append(value)
            if lname.startswith("on"):
                raise AssertionError(f"{page}: event handler {name}={value!r} on <{tag}>")
            if lname in URL_ATTRIBUTES or lname.endswith("href"):
                squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
                if squeezed.startswith(BAD_SCHEMES):
                    raise AssertionError(f"{page}: {name}={value!r} on <{tag}>")
            if lname == "style" and re.search(r"url\s*\(|expression\s*\(|javascript:", value, re.IGNORECASE):
                raise AssertionError(f"{page}: style {value!r} on <{tag}>")
        if tag == "script":
            body = el.text or ""
            src = el.get("src")
            if src is not None:
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), src))
                assert resolved.startswith("assets/") and not body.strip(), f"{page}: script {src!r}"
            elif el.get("type") == "application/json":
                assert "</script" not in body.lower() and "<!--" not in body, page
                assert "\u2028" not in body and "\u2029" not in body, page
                blocks.append(json.loads(body))
            else:  # an inline script must be one our templates write, word for word
                for marker in markers:
                    assert marker not in body, f"{page}: generated text inside an inline script"
                assert body.strip() in template_source(), f"{page}: an inline script the templates do not write"
            continue
        if tag in ("style",):
            for marker in markers:
                assert marker not in (el.text or ""), f"{page}: generated text inside <style>"
            continue
        if el.text:
            texts.append(el.text)
        if el.tail:
            texts.append(el.tail)
    # a tail belongs to the parent's text flow; scripts' tails were skipped with `continue` above, add them
    for el in doc.iter("script"):
        if el.tail:
            texts.append(el.tail)
    return Inert(" ".join(texts), blocks, attributes)


# --- refused input: a problem at its place, and the previous site untouched --------------------


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    """Write files under root exactly as given (text as UTF-8, line ends untouched, no dedent)."""
    write_project(root, files, dedent=False)


def assert_refused(root: Path, files: dict[str, str | bytes], expected: list[tuple[str, int, int, str]]) -> Run:
    """Build root once, add the hostile files, and assert: check exits 1 with exactly these errors
    (path, line, col, message), and build exits 1 with the previous site byte-identical and nothing left beside it."""
    before = build_previous(root)
    write_files(root, files)
    code, found = errors(root)
    assert found == expected
    assert code == 1
    run = cli("build", root)
    assert run.exit_code == 1, run.output
    assert "nothing was written" in run.stderr
    assert tree(root / "output") == before
    assert leftovers(root) == []
    return run


def render_pages(root: Path, *, allow_errors: bool = False):
    """Give (html of each page by path, every file of the site, problems): the build's stages run in memory."""
    from cxreport import pipeline
    from cxreport.problems import Problems

    problems = Problems()
    project = pipeline.load_sources(root, problems)
    assert project is not None, [p.format() for p in problems]
    pipeline.validate(project, problems)
    data = pipeline.join_metrics(project, problems, None)
    assert allow_errors or not problems.errors, [p.format() for p in problems]
    figures = pipeline.compute_figures(project, data)
    site = pipeline.render(project, figures, problems)
    if data is not None and hasattr(data, "close"):
        data.close()
    pages = {p.path: site.files.files[p.path].decode("utf-8") for p in site.pages}
    return pages, site.files.files, problems


_TEMPLATE_TAGS: set[str] = set()
_TEMPLATE_SOURCE: list[str] = []


def template_source() -> str:
    """Give the text of every template of the built-in theme, joined."""
    if not _TEMPLATE_SOURCE:
        from cxreport.render.theme import builtin_theme_dir

        _TEMPLATE_SOURCE.append(
            "\n".join(p.read_text(encoding="utf-8") for p in sorted((builtin_theme_dir() / "templates").rglob("*.html")))
        )
    return _TEMPLATE_SOURCE[0]


def template_tags() -> set[str]:
    """Give the element names the built-in theme's templates write themselves (ours, not content's)."""
    if not _TEMPLATE_TAGS:
        from cxreport.render.theme import builtin_theme_dir

        for path in (builtin_theme_dir() / "templates").rglob("*.html"):
            _TEMPLATE_TAGS.update(t.lower() for t in re.findall(r"<([a-zA-Z][a-zA-Z0-9-]*)", path.read_text(encoding="utf-8")))
    return _TEMPLATE_TAGS


def assert_site_inert(files: dict, markers: tuple[str, ...] = ()) -> dict[str, Inert]:
    """Check every HTML page of a rendered site with assert_inert, and every script file it writes for breakouts."""
    out = {}
    for path, data in sorted(files.items()):
        if not isinstance(data, bytes):
            continue
        if path.endswith(".html"):
            out[path] = assert_inert(data.decode("utf-8"), path, markers)
        elif path.endswith(".js"):
            text = data.decode("utf-8")
            # generated text may sit in a script file only as escaped JSON: nothing that ends a script element
            assert "</script" not in text.lower() and "<!--" not in text and "\u2028" not in text, path
    return out
