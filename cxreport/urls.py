"""A warehouse's URL: taken from the environment, never shown with its password, and which engine it names."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

_ENV = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:@/]*)(?::(?P<password>[^@/]*))?@")
# Spark Connect carries its secrets as parameters: sc://host:443/;token=...;user_id=...
_SECRET_PARAM = re.compile(r"(?i)(;\s*(?:token|password|pwd|secret)\s*=)([^;]*)")
_QUERY_SECRET = re.compile(r"(?i)([?&](?:password|pwd|token|secret|private_key\w*|credentials\w*)=)([^&]*)")

ENGINES = {"postgresql": "postgres", "postgres": "postgres", "sc": "spark", "duckdb": "duckdb"}


class UrlError(ValueError):
    """A warehouse URL that cannot be used: its words say why, without the password."""


@dataclass(frozen=True)
class WarehouseUrl:
    """A warehouse's URL as cxreport uses it: the text (secret), how it is shown, and the engine it names."""

    text: str = ""
    shown: str = ""
    engine: str = ""  # postgres | spark | duckdb | sqlalchemy
    scheme: str = ""
    from_env: str | None = None  # the environment variable it came from

    def __repr__(self) -> str:  # never the password, not even in a traceback's locals
        return f"WarehouseUrl({self.shown!r})"

    __str__ = __repr__

    @property
    def secrets(self) -> tuple[str, ...]:
        """Give every secret the URL holds (a password, a token), to be masked wherever text is shown."""
        out = []
        m = _USERINFO.match(self.text)
        if m and m.group("password"):
            out += [m.group("password"), unquote(m.group("password"))]
        out += [v for _, v in _SECRET_PARAM.findall(self.text) if v]
        out += [v for _, v in _QUERY_SECRET.findall(self.text) if v]
        return tuple(sorted({s for s in out if len(s) >= 1}, key=len, reverse=True))

    def mask(self, text: str) -> str:
        """Give text with every secret of the URL replaced by ***."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def mask_url(url: str) -> str:
    """Give a URL as it may be shown: postgresql://cx:***@db.example:5432/cx."""
    shown = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}{':***' if m['password'] is not None else ''}@", url)
    shown = _SECRET_PARAM.sub(r"\1***", shown)
    return _QUERY_SECRET.sub(r"\1***", shown)


def has_password(url: str) -> bool:
    """Tell whether a literal URL holds a password or a token."""
    m = _USERINFO.match(url)
    return bool(m and m.group("password")) or bool(_SECRET_PARAM.search(url)) or bool(_QUERY_SECRET.search(url))


def env_name(value: str) -> str | None:
    """Give NAME when the value is `${NAME}`."""
    m = _ENV.match(value.strip())
    return m.group(1) if m else None


def resolve(value: str, environ: dict[str, str] | None = None) -> WarehouseUrl:
    """Give the URL of a warehouse declaration (`${NAME}` from the environment, or a literal URL); raise UrlError."""
    env = os.environ if environ is None else environ
    name = env_name(value)
    if name is not None:
        text = env.get(name, "").strip()
        if not text:
            raise UrlError(f"the environment variable {name} is not set")
    elif "${" in value:
        raise UrlError("write the whole URL as one variable, '${NAME}', or as a literal URL without a password")
    else:
        text = value.strip()
    scheme = urlsplit(text).scheme.lower() if "://" in text else ""
    if not scheme:
        shown = f"${{{name}}}" if name else mask_url(text)
        raise UrlError(f"'{shown}' is not a URL: expected e.g. postgresql://user@host:5432/db, sc://host:15002 or duckdb:///file")
    base = scheme.split("+", 1)[0]
    engine = ENGINES.get(base, "sqlalchemy")
    if base in ("postgresql", "postgres") and "+" in scheme:
        engine = "sqlalchemy"  # postgresql+psycopg:// is SQLAlchemy's form
    return WarehouseUrl(text, mask_url(text), engine, scheme, name)
