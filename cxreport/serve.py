"""cxreport serve: the site built into a temporary folder and served on this machine, rebuilt and reloaded on each save.

The built site stays exactly what `cxreport build` makes: the small script that reloads the open tab (through
server-sent events on /__cxreport/events) and the box that shows the problems of a broken edit are put into
HTML responses by the server, never into the files. A rebuild is an incremental build of a session kept in
memory (pipeline.Session): only the changed files are parsed and only the pages that show them are made. A
build with errors leaves the last good site in place; the reload after it shows the problems over that site,
and the reload after the fix takes them away.
"""

from __future__ import annotations

import html
import http.server
import ipaddress
import mimetypes
import os
import queue
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import watchfiles

from .pipeline import Build, Session
from .problems import Problem

EVENTS = "/__cxreport/events"
WATCHED_FOLDERS = ("content", "themes")  # watched inside; site.yml and these folders themselves from the root
QUIET_MS = 50  # the watcher reports once no file changed for this long (an editor's save is several events)
SETTLE_MS = 20  # and the build waits this much longer for more reports, so several saves make one rebuild
LONGEST_WAIT_MS = 1000  # ... but starts at the latest this long after the first change
KEEPALIVE_S = 15

_RELOAD = """<script data-cxreport-serve>(function () {
  var served = %d;
  var source = new EventSource("%s");
  source.addEventListener("version", function (e) { if (Number(e.data) !== served) { source.close(); location.reload(); } });
})();</script>
"""
_OVERLAY = (
    '<div id="cxreport-problems" role="alert" style="position:fixed;z-index:2147483647;top:0;left:0;right:0;'
    "max-height:60vh;overflow:auto;margin:0;padding:1em 1.5em;background:#fff4f4;color:#5c0a0a;"
    "border-bottom:4px solid #c62828;font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
    'box-shadow:0 4px 16px rgba(0,0,0,.25)">\n'
    '<strong style="font-family:system-ui,sans-serif;font-size:16px">'
    "cxreport: the last edit cannot be built; this is the last good site.</strong>\n"
    '<ul style="margin:.6em 0 0;padding-left:1.2em">%s</ul>\n'
    '<p style="margin:.6em 0 0;font-family:system-ui,sans-serif">Fix the file and save: this page reloads by itself.</p></div>\n'
)
_ERROR_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cxreport: cannot build</title></head>
<body><main style="padding-top:40vh;font-family:system-ui,sans-serif;text-align:center">Nothing built yet.</main>
</body></html>
"""


def problem_lines(problems: list[Problem]) -> str:
    """Give problems as HTML list items, `file:line:col: severity: message` with the hint below."""
    items = []
    for p in problems:
        hint = f'<br><span style="color:#6b4a4a">hint: {html.escape(p.hint)}</span>' if p.hint else ""
        items.append(f"<li>{html.escape(p.format().splitlines()[0])}{hint}</li>")
    return "".join(items)


@dataclass
class SiteState:
    """What the server shows: the folder of the last good site, its version, and the problems of a broken edit."""

    folder: Path
    version: int = 0
    problems: list[Problem] = field(default_factory=list)
    built: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, *, built: bool, problems: list[Problem]) -> None:
        with self.changed:
            self.built = self.built or built
            self.problems = problems
            self.version += 1
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout)
            return self.version


def request_path(target: str) -> str:
    """Give the path of a request target, undecoded: '/a/b' of '/a/b?q', and of 'http://host/a/b' (absolute form).

    Only that path is ever read: a target such as '//evil.example' is the path '//evil.example' (not a host),
    and runs of slashes count as one, so no answer can send the browser to another host.
    """
    if target.startswith("/"):
        path = target.split("?", 1)[0].split("#", 1)[0]
    else:
        parts = urlsplit(target)
        path = parts.path if parts.scheme and parts.netloc else ""
    return re.sub("/{2,}", "/", path) if path.startswith("/") else ""


def safe_file(folder: Path, url_path: str) -> Path | None:
    """Give the file a request path names inside folder, or None when it names none or would leave the folder.

    The path is decoded once; '..', '.', empty-after-decoding tricks, backslashes, NUL and hidden names are refused,
    and the real path (symlinks followed) must stay inside the folder's real path.
    """
    try:
        path = unquote(request_path(url_path), errors="strict") if url_path else "/"
    except (UnicodeDecodeError, ValueError):
        return None
    if "\x00" in path or "\\" in path or not path.startswith("/"):
        return None
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") or p.startswith(".") for p in parts):
        return None
    base = os.path.realpath(folder)
    target = os.path.realpath(os.path.join(base, *parts)) if parts else base
    if target != base and not target.startswith(base + os.sep):
        return None
    if os.path.isdir(target):
        if parts and not path.endswith("/"):
            return None  # a folder without its slash: relative links would break; the handler redirects
        target = os.path.join(target, "index.html")
    return Path(target) if os.path.isfile(target) else None


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves the last good site, the reload events, and the reload script and problems inside HTML pages."""

    server_version = "cxreport"
    protocol_version = "HTTP/1.1"
    state: SiteState  # set on the subclass made for each server

    def log_message(self, format: str, *args) -> None:
        pass  # the terminal shows builds and problems, not every request

    def do_HEAD(self) -> None:
        if self._host_allowed(head=True):
            self._respond(head=True)

    def do_GET(self) -> None:
        if not self._host_allowed(head=False):
            return
        if request_path(self.path) == EVENTS:
            self._events()
        else:
            self._respond(head=False)

    def _host_allowed(self, head: bool) -> bool:
        """Refuse a request for another host name while listening on loopback (DNS rebinding: a web page whose name
        was pointed at 127.0.0.1 would otherwise read the handbook through the visitor's browser)."""
        address = self.server.server_address
        bound = address[0] if isinstance(address, tuple) else address
        if not is_loopback(str(bound)):
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        name = host[1:].split("]")[0] if host.startswith("[") else host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        if name == "localhost" or _loopback_address(name):
            return True
        self._send(421, b"This server answers only to localhost", "text/plain; charset=utf-8", head)
        return False

    def _send(self, status: int, body: bytes, content_type: str, head: bool, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _respond(self, head: bool) -> None:
        state = self.state
        file = safe_file(state.folder, self.path)
        if file is None:
            raw = request_path(self.path)  # one leading slash: the Location below is always a path of this server
            folder = safe_file(state.folder, raw + "/") if raw and not raw.endswith("/") and ".." not in raw else None
            if folder is not None and state.built:
                self._send(301, b"", "text/plain", head, {"Location": raw + "/"})
                return
            if not state.built:
                self._send(200 if state.problems else 503, self._inject(_ERROR_PAGE.encode()), "text/html; charset=utf-8", head)
                return
            self._send(
                404, self._inject(b"<!DOCTYPE html><title>Not found</title><p>Not found.</p>"), "text/html; charset=utf-8", head
            )
            return
        try:
            body = file.read_bytes()
        except OSError:
            self._send(404, b"Not found", "text/plain; charset=utf-8", head)
            return
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if file.suffix == ".js":
            content_type = "text/javascript"
        if content_type.startswith("text/") or content_type in ("application/json",):
            content_type += "; charset=utf-8"
        if file.suffix == ".html":
            body = self._inject(body)
        self._send(200, body, content_type, head)

    def _inject(self, body: bytes) -> bytes:
        """Give an HTML page with the reload script, and the problems of a broken edit, before </body>."""
        state = self.state
        extra = _RELOAD % (state.version, EVENTS)
        if state.problems:
            extra = _OVERLAY % problem_lines(state.problems) + extra
        data = extra.encode("utf-8")
        at = body.rfind(b"</body>")
        return body + data if at < 0 else body[:at] + data + body[at:]

    def _events(self) -> None:
        """Send the site's version now and at every change, until the browser goes away."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen = self.state.version
        try:
            self.wfile.write(f"retry: 500\nevent: version\ndata: {seen}\n\n".encode())
            self.wfile.flush()
            while not getattr(self.server, "stopping", False):
                now = self.state.wait(seen, KEEPALIVE_S)
                if now != seen:
                    seen = now
                    self.wfile.write(f"event: version\ndata: {seen}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    stopping = False

    def handle_error(self, request, client_address) -> None:
        """Say in one line why a request failed, never with a traceback; a browser that went away is not news."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        _to_stderr(f"cxreport: a request from {client_address[0]} failed: {type(exc).__name__}: {exc}")


class DevServer:
    """The build session, the watcher and the HTTP server of `cxreport serve`, started and stopped together."""

    def __init__(
        self,
        root: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        strict: bool = False,
        echo: Callable[[str], None] | None = None,
        jobs: int | None = None,
    ) -> None:
        self.root = root.resolve()
        self.host, self.port = host, port
        self.echo = echo or _to_stderr
        self.tmp = Path(tempfile.mkdtemp(prefix="cxreport-serve-"))
        self.session = Session(self.root, self.tmp / "site", strict=strict, jobs=jobs, keep_record=False, in_place=True)
        self.state = SiteState(self.tmp / "site")
        self.stop_event = threading.Event()
        self.probe = self.tmp / "watching"  # written to until every watcher has seen it: then they are watching
        self.probe.mkdir()
        self.ready: set[str] = set()
        self.watched: set[str] = set()  # of WATCHED_FOLDERS, those a watcher looks inside
        self.changes: queue.Queue = queue.Queue()
        self.threads: list[threading.Thread] = []
        self.httpd: _Server | None = None
        self.last: Build | None = None

    # --- building -----------------------------------------------------------------------------

    def rebuild(self, reason: str = "") -> Build | None:
        """Build again; publish the new site, or the problems while keeping the last good site."""
        started = time.perf_counter()
        try:
            result = self.session.build()
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the server: show it like a problem
            self.echo("cxreport: internal error while building:\n" + traceback.format_exc())
            problem = Problem(
                "cxreport",
                0,
                0,
                "error",
                f"internal error: {type(exc).__name__}: {exc}",
                "this is a bug in cxreport; the terminal shows the details",
                "internal-error",
            )
            self.state.publish(built=False, problems=[problem])
            return None
        self.last = result
        took = time.perf_counter() - started
        for p in result.problems.sorted():
            self.echo(p.format())
        if result.written:
            self.state.publish(built=True, problems=[])
            pages = "page" if result.pages == 1 else "pages"
            what = f"{result.made} of {result.pages} {pages} made" if not result.unchanged else "nothing changed"
            self.echo(f"{reason + ': ' if reason else ''}built in {took:.2f} s ({what})")
        else:
            self.state.publish(built=False, problems=result.problems.errors or result.problems.sorted())
            self.echo(f"{reason + ': ' if reason else ''}not built: fix the problems above; the browser shows the last good site")
        return result

    def _watch(self, paths: list[Path], recursive: bool, accept: Callable[[str], bool]) -> None:
        probe = str(self.probe) + os.sep
        try:
            for batch in watchfiles.watch(
                *paths,
                self.probe,
                recursive=recursive,
                stop_event=self.stop_event,
                step=QUIET_MS,
                debounce=LONGEST_WAIT_MS,
                rust_timeout=500,
                raise_interrupt=False,
                watch_filter=lambda change, path: path.startswith(probe) or accept(path),
            ):
                stamp = time.perf_counter()
                for _, path in batch:
                    if path.startswith(probe):
                        self.ready.add(threading.current_thread().name)
                    else:
                        self.changes.put((stamp, path))
        except Exception as exc:  # noqa: BLE001 - a watcher that dies says so; the server keeps serving
            if not self.stop_event.is_set():
                self.echo(f"cxreport: watching files stopped: {exc}")

    def _build_loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                first = self.changes.get(timeout=0.2)
            except queue.Empty:
                continue
            paths = {first[1]}
            deadline = time.perf_counter() + LONGEST_WAIT_MS / 1000
            while time.perf_counter() < deadline:  # several saves, one rebuild
                try:
                    paths.add(self.changes.get(timeout=SETTLE_MS / 1000)[1])
                except queue.Empty:
                    break
            if self.stop_event.is_set():
                break
            new = self._folder_watchers()  # content/ or themes/ made while serving: watch inside it from now on
            if new:
                self._start_watchers(new, 2)
            names = sorted(os.path.relpath(p, self.root) for p in paths)
            self.rebuild(", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else ""))

    # --- starting and stopping -----------------------------------------------------------------

    def start(self) -> str:
        """Build once, then serve and watch in background threads; give the site's address."""
        self.rebuild()
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        server_class = type("BoundServer", (_Server,), {"address_family": family})
        self.httpd = server_class((self.host, self.port), handler)
        self.port = self.httpd.server_address[1]
        top = {str(self.root / "site.yml")} | {str(self.root / name) for name in WATCHED_FOLDERS}
        self.threads = [
            threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2}, name="cxreport-http", daemon=True),
            threading.Thread(target=self._build_loop, name="cxreport-build", daemon=True),
        ]
        for thread in self.threads:
            thread.start()
        self._start_watchers(
            [
                threading.Thread(
                    target=self._watch, args=([self.root], False, lambda p: p in top), name="cxreport-watch-root", daemon=True
                )
            ]
            + self._folder_watchers(),
            10,
        )
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown}:{self.port}/"

    def _folder_watchers(self) -> list[threading.Thread]:
        """Give a watcher for each of content/ and themes/ that exists and has none yet (one made after start, too)."""
        out = []
        for name in WATCHED_FOLDERS:
            folder = self.root / name
            if name not in self.watched and folder.is_dir():
                self.watched.add(name)
                under = str(folder) + os.sep
                out.append(
                    threading.Thread(
                        target=self._watch,
                        args=([folder], True, lambda p, u=under: p.startswith(u)),
                        name=f"cxreport-watch-{name}",
                        daemon=True,
                    )
                )
        return out

    def _start_watchers(self, watchers: list[threading.Thread], wait: float) -> None:
        """Start watchers and wait until each is watching, so an edit right after is not missed."""
        self.threads.extend(watchers)
        for thread in watchers:
            thread.start()
        names = {t.name for t in watchers}
        deadline = time.monotonic() + wait
        while not names <= self.ready and time.monotonic() < deadline:
            (self.probe / "ping").write_text(str(time.monotonic()))
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop watching and serving and remove the temporary folder."""
        self.stop_event.set()
        if self.httpd is not None:
            self.httpd.stopping = True
            with self.state.changed:
                self.state.changed.notify_all()
            self.httpd.shutdown()
            self.httpd.server_close()
        for thread in self.threads:
            if thread is not threading.current_thread():
                thread.join(timeout=2)
        shutil.rmtree(self.tmp, ignore_errors=True)


def _to_stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _loopback_address(name: str) -> bool:
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")
