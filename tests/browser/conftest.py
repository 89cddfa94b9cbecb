"""Browser tests: the example handbook built once and opened in headless Chromium through Playwright.

Locally they are skipped when Playwright or a Chromium is missing; under CI (the CI environment variable set,
as .ci/run does) a missing browser fails them instead, so a green CI always means they ran.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import REPO, Watched, browser_missing, under_ci


@pytest.fixture(scope="session")
def browser():
    """Give a headless Chromium for the whole session, launched as `cxreport pdf` launches it."""
    missing = browser_missing()
    if missing:
        if under_ci():
            pytest.fail(f"browser tests cannot run under CI: {missing}", pytrace=False)
        pytest.skip(f"browser tests skipped: {missing}")
    from playwright.sync_api import sync_playwright

    from cxreport.pdf import launch

    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """Give the example handbook built into a temporary folder."""
    from cxreport.pipeline import build

    out = tmp_path_factory.mktemp("browser") / "site"
    result = build(REPO, out)
    assert result.written, [p.format() for p in result.problems]
    return out


@pytest.fixture(scope="session")
def many_site(tmp_path_factory) -> Path:
    """Give a generated handbook whose overviews go over pages (250 journeys, 120 personas, long playbook lists), built."""
    from helpers import many_files, write_project

    from cxreport.pipeline import build

    base = tmp_path_factory.mktemp("many")
    root = write_project(
        base / "project",
        many_files(
            250, personas=120, playbooks={"surprise": 12, "recovery": 11, "story": 3, "experiment": 2, "guide": 250}, metric=True
        ),
    )
    result = build(root, base / "site")
    assert result.written, [p.format() for p in result.problems]
    return base / "site"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Give the base URL of an http server for a built site on 127.0.0.1, on a free port, in a thread."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def server(site) -> Iterator[str]:
    """Give the base URL of an http server for the example's built site."""
    with serving(site) as url:
        yield url


@pytest.fixture(scope="session")
def many_server(many_site) -> Iterator[str]:
    """Give the base URL of an http server for the generated handbook whose overviews go over pages."""
    with serving(many_site) as url:
        yield url


@pytest.fixture(params=["file", "http"])
def base(request, site) -> str:
    """Give the site's base URL, once opened from disk (file://) and once over http."""
    if request.param == "file":
        return site.as_uri() + "/"
    return request.getfixturevalue("server")


@pytest.fixture
def disk(site) -> str:
    """Give the base URL of the site opened from disk."""
    return site.as_uri() + "/"


@pytest.fixture
def watched(browser):
    """Give a Watched page in a fresh browser context at 1440×900."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = Watched(context.new_page())
    yield page
    context.close()
