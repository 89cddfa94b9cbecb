"""A warehouse metric's tally: taken from the cache while it is fresh, else fetched with one query.

`WarehouseReader.read` gives the received tally of one metric as table `wh_{i}` of the build's DuckDB, with the
layout of the source's columns; what goes wrong is a problem at the metric's (or the warehouse's) line in
site.yml, worded without the URL's secrets. One connection per warehouse serves every metric of a build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass, field

import duckdb

from ... import __version__
from ... import model as m
from ...loader import Project
from ...problems import Problems
from ...urls import UrlError, mask_url, resolve
from ..cache import TALLY_LAYOUT, TallyCache, declaration_key
from ..layout import KEY_COLUMNS, Layout, map_columns
from ..policy import Policy
from .engines import DATE, Alchemy, Engine, WarehouseError, connect
from .query import QueryError, plan_of, probe_sql, source_expr, tally_sql
from .tally import RECEIVED, load_received, received_rows

_READ = ("warehouse", "table", "query")


@dataclass(frozen=True)
class WarehouseTally:
    """A metric's received tally (table `wh_{i}`) and what it was read from."""

    layout: Layout
    table: str
    typed_date: bool  # the date column is a date in the engine: ISO text, whatever date_format says
    fetched_at: str  # ISO 8601, UTC, to the second
    due: float  # when it is older than max_age (seconds since the epoch)
    name: str  # how problems call the source: table 'cx.nps' or the query


def _fetched_text(seconds: float) -> str:
    return dt.datetime.fromtimestamp(int(seconds), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _url_set(wh: m.Warehouse) -> bool:
    """Tell whether a warehouse's URL can be had: literal, or its environment variable set."""
    try:
        resolve(wh.url)
    except UrlError:
        return False
    return True


def cache_key(project: Project, source: m.MetricSource) -> str:
    """Give the cache key of a warehouse metric: its declaration and its warehouse's, never a resolved secret."""
    wh = project.config.warehouses.get(source.warehouse or "")
    data = source.model_dump(mode="json")
    parts = {
        "declaration": {**declaration_key(source), **{k: data[k] for k in _READ}},
        "warehouse": mask_url(wh.url) if wh is not None else None,
        "cxreport": __version__,
        "duckdb": duckdb.__version__,
        "tally": TALLY_LAYOUT,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


@dataclass
class WarehouseReader:
    """The warehouses of one build: their connections, opened when a metric first needs one."""

    project: Project
    problems: Problems
    cache: TallyCache | None
    policy: Policy = Policy()
    engines: dict[str, Engine | WarehouseError] = field(default_factory=dict)

    def close(self) -> None:
        for engine in self.engines.values():
            if isinstance(engine, Engine):
                engine.close()
        self.engines.clear()

    def _error(self, i: int, keys: tuple, message: str, hint: str, code: str, warning: bool = False) -> None:
        origin = self.project.site_origin
        keys = keys if keys in origin.locator.values else ("metrics", i)
        line, col = origin.at(*keys)
        (self.problems.warning if warning else self.problems.error)(origin.path, line, col, message, hint, code=code)

    def read(self, con: duckdb.DuckDBPyConnection, i: int, source: m.MetricSource) -> WarehouseTally | None:
        """Give a metric's received tally as table wh_{i}, or None with problems (or a warning) when there is none."""
        wh = self.project.config.warehouses.get(source.warehouse or "")
        if wh is None:
            return None  # validate names the unknown warehouse
        key = cache_key(self.project, source)
        info = self.cache.info(key) if self.cache is not None else None
        now = time.time()
        fresh = info is not None and (self.policy.any_age or now - float(info.get("fetched", 0)) < wh.max_age)
        if info is not None and fresh and not self.policy.refresh:
            got = self._from_cache(con, i, source, key, info, wh)
            if got is not None:
                return got
        if not (self.policy.needs_url or _url_set(wh)):
            self._error(
                i,
                ("metrics", i, "warehouse"),
                f"metric '{source.id}': its rows were not checked: no aggregates of warehouse '{source.warehouse}' "
                "are cached and this check does not connect",
                "set the warehouse's URL variable and run cxreport check again, or run cxreport build once",
                "warehouse-not-checked",
                warning=True,
            )
            return None
        engine = self._engine(source.warehouse or "", wh)
        if isinstance(engine, WarehouseError):
            if info is not None and not self.policy.refresh:
                got = self._from_cache(con, i, source, key, info, wh)
                if got is not None:
                    self._error(
                        i,
                        ("metrics", i, "warehouse"),
                        f"metric '{source.id}': warehouse '{source.warehouse}' could not be asked ({engine.message}); "
                        f"its figures are the ones fetched at {got.fetched_at}",
                        engine.hint + "; cxreport build --refresh insists on fresh figures",
                        "warehouse-stale",
                        warning=True,
                    )
                    return got
            self._error(
                i,
                ("metrics", i, "warehouse"),
                f"metric '{source.id}': warehouse '{source.warehouse}': {engine.message}",
                engine.hint,
                engine.code,
            )
            return None
        return self._fetch(con, i, source, key, engine, wh)

    def _engine(self, name: str, wh: m.Warehouse) -> Engine | WarehouseError:
        known = self.engines.get(name)
        if known is not None:
            return known
        try:
            url = resolve(wh.url)
        except UrlError as exc:
            found: Engine | WarehouseError = WarehouseError(
                "warehouse-url", str(exc), "set the variable to the warehouse's URL (docs/warehouse.md shows one per engine)"
            )
        else:
            try:
                found = connect(url, wh.timeout, self.project.root)
            except WarehouseError as exc:
                found = exc
        self.engines[name] = found
        return found

    def _name(self, source: m.MetricSource) -> str:
        return f"table '{source.table}'" if source.table is not None else "the query"

    def _layout(self, i: int, source: m.MetricSource, headers: list[str]) -> Layout | None:
        layout = Layout(kind="warehouse", headers=tuple(headers), columns={})
        return map_columns(layout, source, i, self._name(source), self.project, self.problems)

    def _from_cache(
        self, con: duckdb.DuckDBPyConnection, i: int, source: m.MetricSource, key: str, info: dict, wh: m.Warehouse
    ) -> WarehouseTally | None:
        assert self.cache is not None
        headers, kinds = info.get("headers"), info.get("kinds")
        if not isinstance(headers, list) or not isinstance(kinds, dict):
            return None
        if not self.cache.load(con, key, f"wh_{i}", RECEIVED):
            return None
        layout = self._layout(i, source, headers)
        if layout is None:
            return None
        fetched = float(info["fetched"])
        typed = kinds.get("date") == DATE
        return WarehouseTally(layout, f"wh_{i}", typed, _fetched_text(fetched), fetched + wh.max_age, self._name(source))

    def _fetch(
        self, con: duckdb.DuckDBPyConnection, i: int, source: m.MetricSource, key: str, engine: Engine, wh: m.Warehouse
    ) -> WarehouseTally | None:
        where = ("metrics", i, "table" if source.table is not None else "query")
        try:
            src = source_expr(source.table, source.query, engine.dialect)
        except QueryError as exc:
            self._error(
                i,
                where,
                f"metric '{source.id}': {exc}",
                "give one SELECT statement, or name a 'table:'",
                "warehouse-query-refused",
            )
            return None
        try:
            described = engine.describe(probe_sql(src, engine.dialect, 1 if isinstance(engine, Alchemy) else 0))
        except WarehouseError as exc:
            self._error(i, where, f"metric '{source.id}': {exc.message}", exc.hint, exc.code)
            return None
        headers = [name for name, _ in described]
        layout = self._layout(i, source, headers)
        if layout is None:
            return None
        ours = {
            name: (headers[at], described[at][1]) for name, at in layout.columns.items() if name not in ("respondent", "comment")
        }
        plan = plan_of(ours, source.kind.number, KEY_COLUMNS, source.period, source.kind.scored)
        sql, names = tally_sql(src, plan, engine.dialect, source.kind.staged)
        started = time.time()
        try:
            rows = engine.rows(sql)
        except WarehouseError as exc:
            self._error(i, where, f"metric '{source.id}': {exc.message}", exc.hint, exc.code)
            return None
        load_received(con, f"wh_{i}", received_rows(names, rows, source))
        kinds = {name: kind for name, (_, kind) in ours.items()}
        if self.cache is not None:
            extra = {"fetched": started, "headers": headers, "kinds": kinds, "received": len(rows)}
            self.cache.save(con, key, f"wh_{i}", RECEIVED, f"warehouse#{source.id}", extra)
        return WarehouseTally(
            layout, f"wh_{i}", kinds.get("date") == DATE, _fetched_text(started), started + wh.max_age, self._name(source)
        )
