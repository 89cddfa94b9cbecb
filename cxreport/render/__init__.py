"""render: the project and its figures as a static site, every file made in memory before anything is written."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..figures import FigureSet
from ..loader import Project, inside, relpath
from ..problems import Problems
from ..search import INDEX_PATH, entries_for, index_script
from .charts import ChartStyle
from .data import experiments_json, figures_json, metric_csv
from .i18n import Catalogue, load_catalogue
from .markdown import MarkdownRenderer
from .printing import print_page, without_links
from .site import Page, Planner, media_path, metric_csv_path, page_link_resolver, relative_url
from .theme import Theme
from .write import SiteFiles

__all__ = ["RenderedSite", "render_site", "plotly_js_path", "Page"]

PLOTLY_ASSET = "assets/plotly.min.js"


@dataclass
class RenderedSite:
    """The built site in memory: its files, and what was built (for the summary)."""

    files: SiteFiles
    pages: list[Page]
    figures: int


def plotly_js_path() -> Path:
    """Give the plotly.min.js shipped inside the installed plotly package."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"plotly.min.js not found in the installed plotly package ({path})")
    return path


def _content_assets(project: Project, problems: Problems) -> dict[str, Path]:
    """Give content/assets/** by its path under content/, sorted; links to outside the project are skipped."""
    base = project.content_dir / "assets"
    found: dict[str, Path] = {}
    if not base.is_dir():
        return found
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(project.content_dir).as_posix()
        if any(part.startswith(".") for part in path.relative_to(base).parts) or not path.is_file():
            continue
        if not inside(path, project.root):
            problems.warning(relpath(path, project.root), 0, 0, "file is a link to a place outside the project; it was not published",
                             "copy the file into content/assets/ instead of linking to it")
            continue
        found[rel] = path
    return found


def build_stamp(stamp: bool) -> dt.datetime | None:
    """Give the build time to print on the pages (--stamp), from SOURCE_DATE_EPOCH when set; None otherwise."""
    if not stamp:
        return None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now().astimezone()


def render_site(project: Project, figures: FigureSet, problems: Problems, *, stamp: dt.datetime | None = None,
                on_page: Callable[[int, int], None] | None = None, print_date: dt.date | None = None) -> RenderedSite:
    """Give every file of the site, rendered in memory; broken links in content become warnings.

    With print_date the site also gets print.html, the whole report as one document for the PDF, dated then.
    """
    cfg = project.config
    theme = Theme.for_project(project.root, cfg.theme)
    t: Catalogue = load_catalogue(cfg.language, theme.i18n_dirs())
    files = SiteFiles()
    assets = _content_assets(project, problems)

    def broken(url: str, source: str, line: int) -> None:
        problems.warning(source or "site.yml", line, 0, f"link '{url}' leads to no page or file of the site",
                         "link to another content file by its path (e.g. ../pages/werkwijze.md) or to a file in content/assets/")

    markdown = MarkdownRenderer(page_link_resolver(project, lambda rel: rel[len("content/"):] in assets), broken)
    style = ChartStyle(primary=cfg.brand.primary_color or "#2f6f6a", separators=",." if cfg.language == "nl" else ".,")
    planner = Planner(project, figures, t, markdown, style, problems)
    pages = planner.plan()
    if print_date is not None:
        pages.append(print_page(planner, pages, print_date))
    nav = planner.navigation()

    logo = None
    if cfg.brand.logo:
        logo_rel = cfg.brand.logo.replace("\\", "/").lstrip("./")
        logo_file = project.content_dir / logo_rel
        if logo_rel not in assets and logo_file.is_file() and inside(logo_file, project.root):
            assets[logo_rel] = logo_file
        logo = media_path(logo_rel) if logo_rel in assets else None
    stamp_text = t.datetime(stamp) if stamp else None
    env = theme.environment()
    static = theme.static_files()
    uses_charts = any(p.charts for p in pages)

    for i, page in enumerate(pages, 1):
        template = env.get_template(page.template)
        url = lambda target, _p=page.path: relative_url(_p, target)  # noqa: E731
        context = {
            "site": {"title": cfg.title, "language": cfg.language, "description": cfg.description or "",
                     "logo": logo, "primary_color": cfg.brand.primary_color or "", "footer": cfg.brand.footer or "",
                     "base_url": cfg.base_url},
            "page": {"path": page.path, "kind": page.kind, "title": page.title, "charts": page.charts,
                     "root": relative_url(page.path, "index.html")[: -len("index.html")]},
            "nav": nav, "t": t, "url": url, "stamp": stamp_text,
            **page.context,
        }
        html = template.render(context)
        files.add(page.path, without_links(html) if page.kind == "print" else html)
        if on_page:
            on_page(i, len(pages))

    for rel, path in static.items():
        files.add(f"assets/{rel}", path)
    if uses_charts and PLOTLY_ASSET not in files:
        files.add(PLOTLY_ASSET, plotly_js_path())
    for rel, path in assets.items():
        files.add(media_path(rel), path)
    search_labels = {k.removeprefix("search."): v for k, v in t.labels.items() if k.startswith("search.")}
    files.add(INDEX_PATH, index_script(entries_for(pages, t("playbook.guide")), search_labels, cfg.language))
    files.add("data/figures.json", figures_json(figures))
    files.add("data/experiments.json", experiments_json(figures))
    for source in cfg.metrics:
        files.add(metric_csv_path(source.id), metric_csv(planner.index.of_metric(source.id), cfg.language))
    return RenderedSite(files=files, pages=pages, figures=len(figures.figures))
