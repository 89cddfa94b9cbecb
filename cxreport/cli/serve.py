"""cxreport serve: the site served on this machine, rebuilt and reloaded on every save, until Ctrl-C."""

from __future__ import annotations

import signal
import threading
import webbrowser

import click

from cxreport import serve as serving
from cxreport.cli.output import project_root


def _warn_about(host: str) -> None:
    """Warn when the address lets other machines see the site."""
    if host in ("0.0.0.0", "::", ""):
        click.echo(
            f"cxreport: warning: listening on {host or 'every address'} makes the site reachable from other "
            "machines on the network; use --host 127.0.0.1 to keep it on this one",
            err=True,
        )
    elif not serving.is_loopback(host):
        click.echo(f"cxreport: warning: listening on {host}: other machines that reach this address can see the site", err=True)


@click.command("serve")
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on; only this machine can connect to 127.0.0.1."
)
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on (0: any free one)."
)
@click.option("--open", "open_browser", is_flag=True, help="Open the site in the browser.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def serve_command(path: str, host: str, port: int, open_browser: bool, strict: bool) -> None:
    """Serve the site of PATH (default: here) on this machine, rebuilt and reloaded in the browser on every save.

    The site is built into a temporary folder (never output/); only what an edit touches is made again. A broken
    edit keeps the last good site and shows the problems in the browser and here. Ctrl-C stops.
    """
    root = project_root(path)
    if not (root / "site.yml").is_file():
        raise click.UsageError(f"no site.yml in '{path}': serve a cxreport project folder (cxreport new DIR makes one)")
    _warn_about(host)
    previous = _stop_on_terminate()
    server = None
    try:
        server = serving.DevServer(root, host, port, strict=strict, echo=lambda text: click.echo(text, err=True))
        try:
            url = server.start()
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        click.echo(f"Serving {url} (Ctrl-C to stop)", err=True)
        if open_browser:
            webbrowser.open(url)
        while not server.stop_event.wait(0.5):
            pass
    except KeyboardInterrupt:
        click.echo("\ncxreport: stopped", err=True)
    finally:
        if server is not None:
            server.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_on_terminate() -> dict:
    """Let SIGTERM and SIGHUP (kill, a closed terminal) stop the server as Ctrl-C does, so its temporary folder
    goes too; give the handlers they replace."""
    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and threading.current_thread() is threading.main_thread():
            previous[signum] = signal.signal(signum, _interrupt)
    return previous
