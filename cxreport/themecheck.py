"""Check the files of a project's theme folder, and its assets, before the site is rendered with them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jinja2

from .limits import FILE_HINTS, unreadable
from .loader import Project, inside, resolve_content_path
from .problems import Problems, did_you_mean


def validate_theme(project: Project, problems: Problems) -> None:
    """Report theme files that lead out of the project, label files that are not JSON, templates that do not parse."""
    folder = project.root / "themes" / project.config.theme
    if not folder.is_dir():
        return

    def rel(p):
        return p.relative_to(project.root).as_posix()

    if not inside(folder, project.root):
        problems.error(
            rel(folder),
            0,
            0,
            "theme folder is a link to a place outside the project; it was not read",
            "copy the theme into the project instead of linking to it",
            code="link-outside-project",
        )
        return
    env = jinja2.Environment()
    for dirpath, dirnames, filenames in os.walk(folder):  # links to folders are not followed, only reported
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            if path.is_symlink() and not inside(path, project.root):
                problems.error(
                    rel(path),
                    0,
                    0,
                    "file is a link to a place outside the project; it was not read",
                    "copy the file into the theme instead of linking to it",
                    code="link-outside-project",
                )
                continue
            if not path.is_file() or name.startswith("."):
                continue
            parent = path.parent.relative_to(folder).parts[:1]
            if parent == ("i18n",) and name.endswith(".json"):
                try:
                    labels = json.loads(path.read_text(encoding="utf-8"))
                except UnicodeDecodeError:
                    problems.error(rel(path), 0, 0, "file is not UTF-8 text", "save the file as UTF-8", code="file-encoding")
                    continue
                except json.JSONDecodeError as exc:
                    problems.error(
                        rel(path),
                        exc.lineno,
                        exc.colno,
                        f"labels file is not JSON: {exc.msg}",
                        'write the labels as one JSON object: {"nav.home": "Home", …}',
                        code="theme-labels",
                    )
                    continue
                if not isinstance(labels, dict):
                    problems.error(
                        rel(path),
                        1,
                        1,
                        "labels file must be one JSON object of labels",
                        'write the labels as one JSON object: {"nav.home": "Home", …}',
                        code="theme-labels",
                    )
            elif parent == ("templates",) and name.endswith(".html"):
                try:
                    env.parse(path.read_text(encoding="utf-8"))
                except UnicodeDecodeError:
                    problems.error(rel(path), 0, 0, "file is not UTF-8 text", "save the file as UTF-8", code="file-encoding")
                except jinja2.TemplateSyntaxError as exc:
                    problems.error(
                        rel(path),
                        exc.lineno or 1,
                        0,
                        f"template syntax error: {exc.message}",
                        "see the Jinja template documentation; the built-in theme's templates are examples",
                        code="template-syntax",
                    )


def validate_assets(project: Project, problems: Problems) -> None:
    """Report files of content/assets/ the build could not publish: a pipe, socket or device (left out, a warning),
    or a file it may not read (an error, here rather than as a failed write at the end of the build)."""
    base = project.content_dir / "assets"
    if not base.is_dir() or not inside(base, project.root):
        return
    logo = project.config.brand.logo
    reported = {os.path.normpath(project.content_dir / logo)} if logo else set()  # at its line of site.yml, by validate
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.startswith(".") or os.path.normpath(path) in reported or not inside(path, project.root):  # skipped, and told
                continue
            bad = unreadable(path)
            if bad is None:
                continue
            code, words = bad
            rel = path.relative_to(project.root).as_posix()
            if code == "file-unreadable":
                problems.error(rel, 0, 0, f"asset {words}", FILE_HINTS[code], code=code)
            else:
                problems.warning(rel, 0, 0, f"asset {words}; it was not published", FILE_HINTS[code], code=code)


def validate_logo(project: Project, problems: Problems) -> None:
    """Report a brand logo outside the project or missing."""
    cfg, o = project.config, project.site_origin
    if cfg.brand.logo is not None:
        path = resolve_content_path(project.root, cfg.brand.logo)
        line, col = o.at("brand", "logo")
        if path is None:
            problems.error(
                o.path,
                line,
                col,
                f"logo '{cfg.brand.logo}' lies outside the project",
                "put the logo under content/assets/ and write e.g. 'logo: assets/logo.svg'",
                code="path-outside-project",
            )
        elif (bad := unreadable(path)) is not None:  # a logo the build could not copy is named here, not there
            problems.error(o.path, line, col, f"logo 'content/{cfg.brand.logo}' {bad[1]}", FILE_HINTS[bad[0]], code=bad[0])


def validate_theme_name(project: Project, problems: Problems) -> None:
    """Report a theme that has no folder under themes/."""
    cfg, o = project.config, project.site_origin
    if cfg.theme != "default" and not (project.root / "themes" / cfg.theme).is_dir():
        line, col = o.at("theme")
        themes = [p.name for p in (project.root / "themes").iterdir() if p.is_dir()] if (project.root / "themes").is_dir() else []
        problems.error(
            o.path,
            line,
            col,
            f"theme '{cfg.theme}' not found: there is no folder themes/{cfg.theme}/",
            did_you_mean(cfg.theme, themes + ["default"], "themes"),
            code="theme-not-found",
        )
