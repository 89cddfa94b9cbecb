"""render_site: the project and its figures as a static site, every file made before anything is written into the output."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..figures import FigureSet
from ..fingerprints import digest
from ..loader import Project, inside, relpath
from ..metrics.output import codes_json, drivers_json, experiments_json
from ..problems import Problems
from .charts import ChartStyle
from .contexts import NavSection, SiteView
from .data import data_texts, write_data
from .i18n import Catalogue, load_catalogue
from .markdown import MarkdownRenderer
from .page import PageInfo, RenderedSite, Reuse
from .pages import Drawing, MadePage, ProblemSink, forkable, make_pages
from .printing import print_page, without_links
from .search_index import INDEX_PATH, ROW_TEXTS, STOP_WORDS, entries_for, index_row
from .site import Page, PageSpec, Planner, media_path, metric_csv_path, page_link_resolver, relative_url, shows_figures
from .theme import TemplateFailure, Theme
from .write import KeptFile, SiteFiles, SpooledFile

__all__ = ["EarlyPages", "build_stamp", "draw_early", "plotly_js_path", "render_site"]

PLOTLY_ASSET = "assets/plotly.min.js"
EARLY_FROM = 60  # pages that show no figures: fewer are drawn with the rest


def plotly_js_path() -> Path:
    """Give the plotly.min.js shipped inside the installed plotly package."""
    import plotly  # 60 ms to import, and only its folder is needed: imported when a page draws charts

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
            problems.warning(
                relpath(path, project.root),
                0,
                0,
                "file is a link to a place outside the project; it was not published",
                "copy the file into content/assets/ instead of linking to it",
                code="link-outside-project",
            )
            continue
        found[rel] = path
    return found


def build_stamp(stamp: bool) -> dt.datetime | None:
    """Give the build time to print on the pages (--stamp), from SOURCE_DATE_EPOCH when set; None otherwise."""
    if not stamp:
        return None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now().astimezone()


def _markdown_renderer(project: Project, assets: Mapping[str, Path], sink: ProblemSink) -> MarkdownRenderer:
    """Give the Markdown renderer of the site's pages: links between content files resolved, broken ones warned."""

    def broken(url: str, source: str, line: int) -> None:
        sink.warning(
            source or "site.yml",
            line,
            0,
            f"link '{url}' leads to no page or file of the site",
            "link to another content file by its path (e.g. ../pages/werkwijze.md) or to a file in content/assets/",
            code="broken-link",
        )

    return MarkdownRenderer(page_link_resolver(project, lambda rel: rel[len("content/") :] in assets), broken)


def _site_view(project: Project, assets: dict[str, Path]) -> SiteView:
    """Give what every template gets as `site`; the brand's logo joins the assets when it is outside content/assets."""
    cfg = project.config
    logo = None
    if cfg.brand.logo:
        logo_rel = cfg.brand.logo.replace("\\", "/").lstrip("./")
        logo_file = project.content_dir / logo_rel
        if logo_rel not in assets and logo_file.is_file() and inside(logo_file, project.root):
            assets[logo_rel] = logo_file
        logo = media_path(logo_rel) if logo_rel in assets else None
    return {
        "title": cfg.title,
        "language": cfg.language,
        "description": cfg.description or "",
        "logo": logo,
        "primary_color": cfg.brand.primary_color or "",
        "footer": cfg.brand.footer or "",
        "base_url": cfg.base_url,
    }


def _drawer(
    theme: Theme, site_view: SiteView, nav: list[NavSection], t: Catalogue, stamp_text: str | None, root: Path
) -> Callable[[Page], str]:
    """Give the function that draws a page with its template: the page's own context and what every page gets."""
    env = theme.environment()
    templates: dict[str, jinja2.Template] = {}

    def draw(page: Page) -> str:
        if page.template not in templates:
            templates[page.template] = env.get_template(page.template)

        def url(target, _p=page.path):
            return relative_url(_p, target)

        context = {
            "site": site_view,
            "page": {
                "path": page.path,
                "kind": page.kind,
                "title": page.title,
                "charts": page.charts,
                "root": relative_url(page.path, "index.html")[: -len("index.html")],
            },
            "nav": nav,
            "t": t,
            "url": url,
            "stamp": stamp_text,
            **page.context,
        }
        try:
            html = templates[page.template].render(context)
        except Exception as exc:  # noqa: BLE001 (whatever a theme's template raises: its file and line, never a traceback)
            raise TemplateFailure.of(exc, page.path, root) from None
        return without_links(html) if page.kind == "print" else html

    return draw


def _data_files(figures: FigureSet, metrics: list[str], language: str, spool: Path | None) -> dict[str, bytes | Path]:
    """Give figures.json and a CSV per metric: written into the spool folder beside the output when there is one
    (the 100 MB of a large handbook's figures.json never held in memory), else made in memory."""
    if spool is not None:
        names = {"data/figures.json": spool / "figures.json"}
        names.update({metric_csv_path(m): spool / f"{i}.csv" for i, m in enumerate(metrics)})
        try:
            spool.mkdir(exist_ok=True)
            with contextlib.ExitStack() as files:
                json_file = files.enter_context(names["data/figures.json"].open("wb"))
                csv_files = {m: files.enter_context(names[metric_csv_path(m)].open("wb")) for m in metrics}
                write_data(figures.figures, metrics, language, json_file, csv_files)
            return {path: SpooledFile(name) for path, name in names.items()}
        except OSError:  # no room or no permission beside the output: made in memory (the writer tells, if it fails)
            for name in names.values():  # only these: the workers' pages in the spool stay
                name.unlink(missing_ok=True)
    text, csvs = data_texts(figures.figures, metrics, language)
    return {"data/figures.json": text, **{metric_csv_path(m): csv for m, csv in csvs.items()}}


def _data_maker(
    figures: FigureSet,
    planner: Planner,
    reuse: Reuse | None,
    data: dict[str, bytes | str | Path],
    spool: Path | None,
    then: Callable[[], None] | None = None,
) -> Callable[[], None]:
    """Give the step that fills `data` with the data files (figures.json, experiments.json, a CSV per metric),
    then runs `then`; spool: where the large ones are written (render_site)."""
    cfg = planner.project.config

    def data_files() -> None:  # made while the workers draw the pages
        kept = reuse.files if reuse is not None else {}
        written = ["data/figures.json", *(metric_csv_path(s.id) for s in cfg.metrics)]
        made: dict[str, bytes | Path] = {}
        if any(path not in kept for path in written):  # figures.json and the CSVs are written in one pass
            made = _data_files(figures, [s.id for s in cfg.metrics], cfg.language, spool)
        for path in written:
            data[path] = kept[path] if path in kept else made[path]
        makers: list[tuple[str, Callable[[], str | bytes]]] = [("data/experiments.json", lambda: experiments_json(figures))]
        if cfg.drivers:  # version 2: only a project with a driver analysis has the file
            makers.append(("data/drivers.json", lambda: drivers_json(figures)))
        if cfg.codes and any(m.columns.comment for m in cfg.metrics):
            makers.append(("data/codes.json", lambda: codes_json(figures)))
        for path, make in makers:
            content: bytes | str | Path = kept[path] if path in kept else make()
            data[path] = content.encode("utf-8") if isinstance(content, str) else content
        if then is not None:
            then()

    return data_files


def _collect(specs: list[PageSpec], made: list[MadePage], reuse: Reuse | None, files: SiteFiles) -> dict[str, PageInfo]:
    """Add every page's file to the site, made now or kept from the previous build; give what is known of each."""
    infos: dict[str, PageInfo] = {}
    by_path = {m.path: m for m in made}
    for spec in specs:
        if spec.path in by_path:
            m = by_path[spec.path]
            files.add(m.path, m.html)
            infos[m.path] = PageInfo(m.problems, bool(m.page.charts), m.extra or [])
        else:
            assert reuse is not None  # a page not made now is one the previous build made
            kept = reuse.pages[spec.path]
            files.add(spec.path, KeptFile(kept.file))
            infos[spec.path] = PageInfo(kept.problems, kept.charts, kept.entries)
    return infos


def _add_other_files(
    files: SiteFiles,
    theme: Theme,
    assets: Mapping[str, Path],
    infos: Mapping[str, PageInfo],
    t: Catalogue,
    data: Mapping[str, bytes | str | Path],
) -> None:
    """Add the theme's static files, plotly.js when a page draws charts, the media, the search index and the data."""
    for rel, path in theme.static_files().items():
        files.add(f"assets/{rel}", path)
    if any(info.charts for info in infos.values()) and PLOTLY_ASSET not in files:
        files.add(PLOTLY_ASSET, plotly_js_path())
    for rel, path in assets.items():
        files.add(media_path(rel), path)
    search_labels = {k.removeprefix("search."): v for k, v in t.labels.items() if k.startswith("search.")}
    files.add(INDEX_PATH, ROW_TEXTS.script([info.entries for info in infos.values()], search_labels))
    for data_path, content in data.items():
        files.add(data_path, content)


@dataclass
class _Drawer:
    """What drawing the pages needs: the planner (with the figures it was given), the navigation, how to draw."""

    theme: Theme
    t: Catalogue
    assets: dict[str, Path]
    sink: ProblemSink
    planner: Planner
    nav: list[NavSection]
    draw: Callable[[Page], str]
    search_rows: Callable[[Page], list[list]]


def _drawer_for(project: Project, figures: FigureSet, problems: Problems, stamp: dt.datetime | None) -> _Drawer:
    cfg = project.config
    theme = Theme.for_project(project.root, cfg.theme)
    t: Catalogue = load_catalogue(cfg.language, theme.i18n_dirs())
    assets = _content_assets(project, problems)
    sink = ProblemSink(problems)
    markdown = _markdown_renderer(project, assets, sink)
    style = ChartStyle(primary=cfg.brand.primary_color or "#2f6f6a", separators=",." if cfg.language == "nl" else ".,")
    planner = Planner(project, figures, t, markdown, style, problems)
    nav = planner.navigation()
    draw = _drawer(theme, _site_view(project, assets), nav, t, t.datetime(stamp) if stamp else None, project.root)
    guide_label = t("playbook.guide")
    stop = STOP_WORDS.get(cfg.language, frozenset())

    def search_rows(page: Page) -> list[list]:  # made with the page (in its worker), kept with it by the record
        return [index_row(e, stop) for e in entries_for([page], guide_label)]

    return _Drawer(theme, t, assets, sink, planner, nav, draw, search_rows)


@dataclass
class EarlyPages:
    """The pages that show no figures, being drawn in workers while the metrics are read (a cold build)."""

    nav: str  # the digest of the navigation they were drawn with: the site's, or they are drawn again
    paths: frozenset[str]
    drawing: Drawing

    def stop(self) -> None:
        self.drawing.stop()


def draw_early(
    project: Project, *, stamp: dt.datetime | None = None, jobs: int = 1, spool: Path | None = None
) -> EarlyPages | None:
    """Start drawing the pages that show no figures (playbooks, chapters) on jobs cores, or give None when there
    are too few to be worth it. No DuckDB connection may be open: the workers are forked now. spool: the folder
    render_site is given (the workers write the pages into a folder of their own in it)."""
    if jobs <= 1 or not forkable():
        return None
    drawer = _drawer_for(project, FigureSet(), Problems(), stamp)  # problems outside the pages: render_site tells them
    specs = [s for s in drawer.planner.specs() if not shows_figures(s)]
    if len(specs) < EARLY_FROM:
        return None
    drawing = Drawing(specs, drawer.draw, drawer.sink, drawer.search_rows, jobs, spool / "early" if spool else None)
    return EarlyPages(digest(drawer.nav), frozenset(s.path for s in specs), drawing)


def render_site(
    project: Project,
    figures: FigureSet,
    problems: Problems,
    *,
    stamp: dt.datetime | None = None,
    on_page: Callable[[int, int], None] | None = None,
    print_date: dt.date | None = None,
    reuse: Reuse | None = None,
    jobs: int = 1,
    early: EarlyPages | None = None,
    spool: Path | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> RenderedSite:
    """Give every file of the site, rendered in memory (or into the spool); broken links in content become warnings.

    With print_date the site also gets print.html, the whole report as one document for the PDF, dated then.
    With reuse (an incremental build) only the pages it says must be made again are made; the others, and the
    files it keeps, are taken from the previous build. With jobs > 1 a large site is drawn on that many cores.
    early: the pages draw_early began (a cold build), taken as they are. spool: a folder (new or made by this
    build) beside the output to write figures.json and the CSVs into, moved into the site by the writer.
    meanwhile: more work for this process while the workers draw, after the data files.
    """
    drawer = _drawer_for(project, figures, problems, stamp)
    theme, t, assets, planner, draw = drawer.theme, drawer.t, drawer.assets, drawer.planner, drawer.draw
    specs = planner.specs()
    data: dict[str, bytes | str | Path] = {}
    nav_key = digest(drawer.nav)
    if reuse is not None and reuse.nav != nav_key:
        reuse = dataclasses.replace(reuse, pages={})
    if early is not None and (early.nav != nav_key or reuse is not None or print_date is not None):
        early.stop()  # drawn with another navigation (or not a cold build): drawn again below
        early = None
    chosen = specs if reuse is None else [s for s in specs if s.path not in reuse.pages or reuse.remake(s)]
    if early is not None:
        chosen = [s for s in chosen if s.path not in early.paths]
    try:
        made = make_pages(
            chosen,
            draw,
            drawer.sink,
            extra=drawer.search_rows,
            jobs=1 if print_date is not None else jobs,
            on_page=on_page,
            meanwhile=_data_maker(figures, planner, reuse, data, spool, meanwhile),
            spool=spool / "pages" if spool is not None else None,
        )
    except BaseException:
        if early is not None:
            early.stop()
        raise
    if early is not None:
        order = {s.path: i for i, s in enumerate(specs)}
        made = sorted([*made, *early.drawing.collect()], key=lambda m: order[m.path])
    pages = [m.page for m in made]
    if print_date is not None:
        printed = print_page(planner, pages, print_date)
        pages.append(printed)
        made.append(MadePage(printed.path, draw(printed).encode("utf-8"), printed, []))
    files = SiteFiles()
    infos = _collect(specs, made, reuse, files)
    for info in infos.values():
        problems.extend(info.problems)
    if print_date is not None:
        files.add(pages[-1].path, made[-1].html)
    _add_other_files(files, theme, assets, infos, t, data)
    return RenderedSite(files=files, pages=pages, figures=len(figures.figures), specs=specs, infos=infos, nav=nav_key)
