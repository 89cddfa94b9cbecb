"""Faults that ended in "internal error" or a wrong result (issue 18, points 13 and 17): folders and files the
user may not read, a cache that cannot be written, an output folder's permissions, CSV cells a spreadsheet
would run, and the dev server's answers to a reset, SIGTERM and a request for another host.

Root reads what chmod forbids, so "unreadable" is simulated by making the call that reads fail as it fails for
another user; where chmod can show it too, the test also does that when not run as root."""

from __future__ import annotations

import builtins
import errno
import io
import os
import signal
import socket
import stat
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import copy_example
from hostile_support import cli, errors, problems_json, tree
from test_serve import project, raw_get, server  # noqa: F401 (fixtures)

from cxreport.render.data import safe_cell

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def refuse(monkeypatch, function: str, module, target: Path, err: int = errno.EACCES) -> None:
    """Make module.function fail with err (as for a user without permission) for target and what lies under it."""
    real = getattr(module, function)
    prefix = str(target)

    def fake(path, *args, **kwargs):
        name = os.fspath(path) if isinstance(path, (str, bytes, os.PathLike)) else ""
        if isinstance(name, str) and (name == prefix or name.startswith(prefix + os.sep)):
            raise OSError(err, os.strerror(err), name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(module, function, fake)


# --- folders and files that cannot be read -----------------------------------------------------------------------


def test_an_unreadable_personas_folder_is_a_problem_not_an_internal_error(make_project, monkeypatch):
    root = make_project()
    refuse(monkeypatch, "scandir", os, root / "content/personas")
    code, found = errors(root)
    assert code == 1
    assert ("content/personas", 0, 0, "cannot read folder: Permission denied") in found
    assert cli("build", root).exit_code == 1


@pytest.mark.skipif(AS_ROOT, reason="root reads a folder of mode 000")
def test_an_unreadable_personas_folder_by_chmod(make_project):
    root = make_project()
    folder = root / "content/personas"
    folder.chmod(0)
    try:
        code, found = errors(root)
    finally:
        folder.chmod(0o755)
    assert code == 1 and ("content/personas", 0, 0, "cannot read folder: Permission denied") in found


@pytest.mark.parametrize(
    ("files", "target", "expected"),
    [
        (
            {"site.yml": "title: Test\nlanguage: en\nbrand: {logo: assets/logo.png}\n"},
            "content/assets/logo.png",
            ("site.yml", 3, 15, "logo 'content/assets/logo.png' cannot be read: Permission denied"),
        ),
        ({}, "content/assets/photo.png", ("content/assets/photo.png", 0, 0, "asset cannot be read: Permission denied")),
    ],
    ids=["logo", "asset"],
)
def test_an_unreadable_logo_or_asset_fails_check_at_its_place(make_project, monkeypatch, files, target, expected):
    root = make_project({**files, "content/assets/logo.png": b"\x89PNG", "content/assets/photo.png": b"\x89PNG"})
    refuse(monkeypatch, "open", os, root / target)
    code, found = errors(root)
    assert (code, found) == (1, [expected])
    run = cli("build", root)
    assert run.exit_code == 1 and "cannot write the site" not in run.output


def test_a_read_only_project_builds_with_no_cache_and_says_where_it_cannot_write(tmp_path, monkeypatch):
    """Another user's project: check and a build into a folder of one's own work; writing into the project is
    refused with the advice to choose another folder."""
    root = copy_example(tmp_path / "example")
    for name in ("open", "mkdir"):
        refuse(monkeypatch, name, os, root / ".cxreport-cache")
    refuse(monkeypatch, "mkdir", os, root / "output")
    refuse(monkeypatch, "mkdir", os, root / f".output.staging-{os.getpid()}")
    assert cli("check", root).exit_code == 0
    mine = tmp_path / "mine"
    assert cli("build", root, "--out", mine, "-q").exit_code == 0
    assert (mine / "index.html").is_file()
    run = cli("build", root)
    assert run.exit_code == 1
    assert "Permission denied" in run.stderr and "choose a folder you may write to with --out" in run.stderr


@pytest.mark.parametrize("how", ["enospc", "file-in-the-way"])
def test_a_cache_that_cannot_be_written_never_fails_a_build(tmp_path, monkeypatch, how):
    """docs/metrics.md: a full disk under .cxreport-cache, or a cache folder that cannot be made, costs only
    the cache; the site is the one a build with a cache makes, and no half-written cache file is left."""
    good = copy_example(tmp_path / "good")
    assert cli("build", good, "-q").exit_code == 0
    root = copy_example(tmp_path / "full")
    cache = root / ".cxreport-cache"
    if how == "file-in-the-way":
        cache.write_text("not a folder\n")
    else:
        real_open, real_os_open = builtins.open, os.open

        def full(path) -> bool:
            return str(path).startswith(str(cache))

        def spy_open(file, mode="r", *a, **k):
            if full(file) and any(c in mode for c in "wax+"):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))
            return real_open(file, mode, *a, **k)

        def spy_os_open(path, flags, *a, **k):
            if full(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            return real_os_open(path, flags, *a, **k)

        monkeypatch.setattr(builtins, "open", spy_open)
        monkeypatch.setattr(io, "open", spy_open)
        monkeypatch.setattr(os, "open", spy_os_open)
    run = cli("build", root, "-q")
    assert run.exit_code == 0, run.output
    assert tree(root / "output") == tree(good / "output")
    if cache.is_dir():
        assert [p.name for p in cache.rglob("*.tmp")] == []


# --- the output folder -------------------------------------------------------------------------------------------


def test_an_output_folder_keeps_its_permissions(make_project):
    """A folder of only hidden files, mode 700, is taken (a checked-out gh-pages branch looks like this) and stays 700."""
    root = make_project()
    out = root / "output"
    (out / ".git").mkdir(parents=True)
    out.chmod(0o700)
    assert cli("build", root, "-q").exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert (out / ".git").is_dir() and (out / "index.html").is_file()
    out.chmod(0o750)
    assert cli("build", root, "-q").exit_code == 0  # a rebuild that changes nothing leaves it too
    (root / "content/pages").mkdir(exist_ok=True)
    (root / "content/pages/new.md").write_text("---\ntitle: New\n---\nText.\n")
    assert cli("build", root, "-q").exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o750


# --- CSV downloads -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        " =1+1",
        "  +1",
        "\xa0=HYPERLINK()",
        "\u200b=1",
        "\ufeff@SUM(A1)",
        "\u202e-1",
        "\u3000=1",
        "\t=1",
        "\r=1",
        "\n=1",
        "\uff1d1+1",
        " \u200b\xa0 -2",
    ],
)
def test_a_csv_cell_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert safe_cell("segment", text, ".") == "'" + text


@pytest.mark.parametrize("text", ["parents", " parents", "a=1", "e-mail", "\xa0x", "100"])
def test_a_csv_cell_of_plain_text_is_left_as_it_is(text):
    assert safe_cell("segment", text, ".") == text


def test_a_segment_with_a_hidden_formula_reaches_the_download_neutralised(make_project):
    root = make_project(
        {
            "site.yml": "title: Test\nlanguage: en\nmetrics:\n  - {id: m, file: metrics/m.csv, type: nps}\n",
            "content/metrics/m.csv": "date,journey,touchpoint,segment,score\n"
            + "".join(f'2026-01-0{i},first-order,ad,"\u200b=HYPERLINK(""x"")",9\n' for i in range(1, 6)),
        }
    )
    assert cli("build", root, "-q").exit_code == 0, problems_json(root)
    text = (root / "output/metrics/m.csv").read_bytes().decode("utf-8-sig")
    assert "'\u200b=HYPERLINK" in text and ",\u200b=HYPERLINK" not in text


# --- cxreport serve ----------------------------------------------------------------------------------------------


def raw_response(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}//pwn.invalid",
        "//pwn.invalid",
        "///pwn.invalid",
        "http://127.0.0.1:{port}//journeys",
        "//journeys",
    ],
)
def test_no_redirect_leads_to_another_host(server, target):  # noqa: F811
    answer = raw_response(
        server.port, f"GET {target.format(port=server.port)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    )
    head = answer.split(b"\r\n\r\n", 1)[0].decode()
    locations = [line.split(":", 1)[1].strip() for line in head.split("\r\n") if line.lower().startswith("location:")]
    assert all(loc.startswith("/") and not loc.startswith("//") for loc in locations), head
    if target.endswith("journeys"):
        assert locations == ["/journeys/"]
    else:
        assert head.startswith("HTTP/1.1 404")


def test_a_client_that_resets_while_a_file_is_sent_prints_nothing(server, capfd):  # noqa: F811
    big = server.tmp / "site" / "big.bin"
    big.write_bytes(b"x" * (32 << 20))
    for _ in range(3):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.recv(1024)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
        sock.close()
    time.sleep(0.5)
    assert raw_get(server.port, "/") == 200
    err = capfd.readouterr().err
    assert "Traceback" not in err and "ConnectionResetError" not in err


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP] if hasattr(signal, "SIGHUP") else [signal.SIGTERM])
def test_serve_stopped_by_sigterm_removes_its_temporary_folder(project, tmp_path, signum):  # noqa: F811
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxreport", "serve", str(project), "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        line = ""
        deadline = time.monotonic() + 60
        while "Serving" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
        assert "Serving http://127.0.0.1:" in line
        assert [p.name[:15] for p in (tmp_path / "tmp").iterdir()] == ["cxreport-serve-"]
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err
    assert list((tmp_path / "tmp").iterdir()) == []
