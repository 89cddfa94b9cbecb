"""Hostile requests to `cxreport serve`: it listens on 127.0.0.1, answers only to local host names, never serves
anything outside the built site, and a broken edit keeps the last good site with its problems shown as text."""

from __future__ import annotations

import http.client
import os
import re

import click
import pytest
from click.testing import CliRunner
from test_serve import Events, get, project, raw_get, server, write  # noqa: F401 (fixtures)

from cxreport.cli import main
from cxreport.serve import safe_file


def test_a_broken_edit_keeps_the_last_good_site_and_shows_the_problems_until_fixed(server, project):
    events = Events(server.port)
    version = events.next_version()
    journey = project / "content/journeys/first-order.yml"
    good = journey.read_text(encoding="utf-8")
    write(journey, good.replace("persona: parent", "persona: nobody"))
    version = events.next_version()
    status, body = get(server.port, "/journeys/first-order.html")
    assert status == 200
    assert 'id="cxreport-problems"' in body
    assert "content/journeys/first-order.yml:2:10: error: unknown persona &#x27;nobody&#x27;" in body
    assert "First order" in body  # the last good page, under the problems
    assert any("unknown persona 'nobody'" in m for m in server.messages)  # and in the terminal
    write(journey, good.replace("title: First order", "title: First order, fixed"))
    assert events.next_version() > version
    events.close()
    status, body = get(server.port, "/journeys/first-order.html")
    assert "cxreport-problems" not in body and "First order, fixed" in body


@pytest.mark.parametrize(
    "target",
    [
        "/../site.yml",
        "/..%2fsite.yml",
        "/%2e%2e/site.yml",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/pages/..%2f..%2f..%2fsite.yml",
        "/..\\site.yml",
        "/%5c..%5csite.yml",
        "/pages/%00about.html",
        "/.cxreport-output",
        "//etc/passwd",
        "/assets/..%252f..%252fsite.yml",
        "/%ff%fe",
    ],
)
def test_paths_that_leave_the_served_folder_get_404(server, target):
    assert raw_get(server.port, target) in (400, 404)


def test_a_symlink_out_of_the_served_folder_gets_404(server, tmp_path):
    secret = tmp_path / "secret.txt"
    write(secret, "secret")
    link = server.tmp / "site" / "leak.txt"
    os.symlink(secret, link)
    assert raw_get(server.port, "/leak.txt") == 404
    assert safe_file(server.tmp / "site", "/leak.txt") is None


def test_default_bind_is_loopback(server):
    assert server.httpd.server_address[0] == "127.0.0.1"
    serve = main.get_command(click.Context(main), "serve")
    host = next(p for p in serve.params if p.name == "host")
    assert host.default == "127.0.0.1"


def test_binding_every_address_warns(project, monkeypatch):
    from cxreport import serve as serve_module

    class Stub:
        def __init__(self, *a, **k):
            self.stop_event = type("E", (), {"wait": staticmethod(lambda t: True)})()

        def start(self):
            return "http://0.0.0.0:1/"

        def stop(self):
            pass

    monkeypatch.setattr(serve_module, "DevServer", Stub)
    result = CliRunner().invoke(main, ["serve", str(project), "--host", "0.0.0.0"])
    assert result.exit_code == 0
    assert "warning: listening on 0.0.0.0" in result.output


# --- added by the catalogue ---------------------------------------------------------------------------------


def status_for_host(port: int, host: str | None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("GET", "/", skip_host=True)
    if host is not None:
        conn.putheader("Host", host)
    conn.endheaders()
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.mark.parametrize(
    "host",
    ["evil.example", "evil.example:{port}", "127.evil.example", "localhost.evil.example", "[::ffff:8.8.8.8]:{port}", "", None],
)
def test_other_host_names_are_refused_dns_rebinding(server, host):
    """Found by this catalogue: a page on any web site whose name its owner points at 127.0.0.1 could read the
    handbook through the browser of whoever runs `cxreport serve`; the server now answers only to local names."""
    assert status_for_host(server.port, None if host is None else host.format(port=server.port)) == 421


@pytest.mark.parametrize("host", ["localhost:{port}", "127.0.0.1:{port}", "127.0.0.1", "LOCALHOST:{port}", "[::1]:{port}"])
def test_local_host_names_are_served(server, host):
    assert status_for_host(server.port, host.format(port=server.port)) == 200


def test_problems_shown_over_the_page_are_text(server, project):
    from hostile_support import assert_inert

    events = Events(server.port)
    events.next_version()
    journey = project / "content/journeys/first-order.yml"
    write(
        journey,
        journey.read_text(encoding="utf-8").replace(
            "persona: parent", 'persona: "<script>alert(1)</script><img src=x onerror=alert(2)>"'
        ),
    )
    events.next_version()
    events.close()
    status, body = get(server.port, "/journeys/first-order.html")
    assert status == 200 and 'id="cxreport-problems"' in body
    # the reload script is serve's own; everything else must be inert, the hostile value shown as text
    own = re.compile(r"<script data-cxreport-serve>.*?</script>", re.DOTALL)
    assert len(own.findall(body)) == 1
    text = assert_inert(own.sub("", body), "journeys/first-order.html", ("alert(",)).text
    assert "<script>alert(1)</script><img src=x onerror=alert(2)>" in text


def test_serve_never_writes_the_output_folder(server, project):
    assert get(server.port, "/")[0] == 200
    assert not (project / "output").exists()
    assert safe_file(server.tmp / "site", "/index.html") is not None and os.path.isdir(server.tmp)
