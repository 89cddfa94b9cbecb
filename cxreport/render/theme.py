"""The theme: the built-in one (shipped inside the package) with a project's themes/<name>/ laid over it."""

from __future__ import annotations

import functools
import importlib.resources
import re
import traceback
from dataclasses import dataclass
from pathlib import Path

import jinja2


def builtin_theme_dir() -> Path:
    """Give the folder of the built-in theme: cxreport._theme when installed, themes/default in a checkout."""
    try:
        root = importlib.resources.files("cxreport._theme")
        path = Path(str(root.joinpath("templates"))).parent
        if (path / "templates").is_dir():
            return path
    except (ModuleNotFoundError, TypeError, ValueError):
        pass
    return Path(__file__).resolve().parents[2] / "themes" / "default"


def _within(path: Path, bound: Path) -> bool:
    """Tell whether path, links resolved, stays under bound (a theme file never leads out of its project)."""
    try:
        return path.resolve().is_relative_to(bound.resolve())
    except (OSError, RuntimeError):
        return False


class TemplateFailure(Exception):
    """A theme template failed while drawing a page (an undefined variable, a filter given the wrong thing).

    Carries plain values only, so it crosses from a page worker to the building process intact.
    """

    def __init__(self, file: str, line: int, page: str, message: str) -> None:
        super().__init__(file, line, page, message)
        self.file, self.line, self.page, self.message = file, line, page, message

    @classmethod
    def of(cls, exc: BaseException, page: str, project_root: Path) -> TemplateFailure:
        """Give the failure of a page's template from what it raised: the innermost template line in its traceback."""
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith((".html", ".htm"))]
        file, line = ("", 0)
        if frames:
            where = Path(frames[-1].filename)
            try:
                file = where.resolve().relative_to(project_root.resolve()).as_posix()
            except (OSError, ValueError):
                file = "cxreport/_theme/templates/" + where.name  # the built-in theme
            line = frames[-1].lineno or 0
        message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else f"{type(exc).__name__}: {exc}"
        missing = _MISSING_MACRO.fullmatch(message)
        if missing:  # `{% import "macros.html" as ui %}` and then ui.<name>: a theme's macros.html without that macro
            message = (
                f"macros.html has no macro '{missing[1]}' (a theme's copy of macros.html must keep every built-in "
                "macro: copy the current one again)"
            )
        return cls(file, line, page, message)


_MISSING_MACRO = re.compile(r"'jinja2\.environment\.TemplateModule object' has no attribute '(\w+)'")


class _BoundedLoader(jinja2.FileSystemLoader):
    """A template folder whose templates may not be links to files outside a bound (the project)."""

    def __init__(self, folder: str, bound: str) -> None:
        super().__init__(folder, encoding="utf-8")
        self.bound = Path(bound)

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        if not _within(Path(filename), self.bound):
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


@dataclass(frozen=True)
class Theme:
    """The folders a site is rendered from, most specific first: the project's theme, then the built-in one.

    bounds[i] is where folders[i]'s files must stay, links resolved: the project for its own theme.
    """

    folders: tuple[Path, ...]
    bounds: tuple[Path, ...] = ()

    @classmethod
    def for_project(cls, project_root: Path, name: str) -> Theme:
        own = project_root / "themes" / name
        builtin = builtin_theme_dir()
        if own.is_dir() and own.resolve() != builtin.resolve() and _within(own, project_root):
            return cls((own, builtin), (project_root, builtin))
        return cls((builtin,), (builtin,))

    def bound(self, folder: Path) -> Path:
        return self.bounds[self.folders.index(folder)] if self.bounds else folder

    def template_dirs(self) -> tuple[str, ...]:
        return tuple(str(f / "templates") for f in self.folders if (f / "templates").is_dir())

    def i18n_dirs(self) -> list[Path]:
        """Give the catalogue folders, least specific first, so a project's labels override the built-in ones."""
        return [f / "i18n" for f in reversed(self.folders) if (f / "i18n").is_dir()]

    def static_files(self) -> dict[str, Path]:
        """Give every static file by its path under static/; a project's file replaces the built-in one."""
        files: dict[str, Path] = {}
        for folder in reversed(self.folders):
            base = folder / "static"
            if not base.is_dir():
                continue
            for path in sorted(base.rglob("*")):
                rel = path.relative_to(base)
                if path.is_file() and not any(part.startswith(".") for part in rel.parts) and _within(path, self.bound(folder)):
                    files[rel.as_posix()] = path
        return dict(sorted(files.items()))

    def environment(self) -> jinja2.Environment:
        dirs = [(str(f / "templates"), str(self.bound(f))) for f in self.folders if (f / "templates").is_dir()]
        return _environment(tuple(dirs))


class _Environment(jinja2.Environment):
    """Jinja's environment, but `x.name` on a plain dict looks up the key first.

    The pages' views are dicts, and stock Jinja tries the attribute first, which for a dict fails (raising and
    catching an AttributeError) on nearly every lookup of a page: a third of the time a journey map takes to draw.
    Only a dict's own methods are found later this way, and only when it has no key of that name.
    """

    def getattr(self, obj, attribute):
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


@functools.lru_cache(maxsize=8)
def _environment(template_dirs: tuple[tuple[str, str], ...]) -> jinja2.Environment:
    """Give the Jinja environment for a chain of (template folder, bound), made once and kept (templates compile once)."""
    loader = jinja2.ChoiceLoader([_BoundedLoader(d, bound) for d, bound in template_dirs])
    env = _Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env
