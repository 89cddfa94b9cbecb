"""Where each object's page goes, and links between output pages."""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Callable

from ..loader import Project

CHAPTERS_PATH = "chapters.html"  # the handbook's contents, made when there are more chapters than NAV_LIMIT


@functools.lru_cache(maxsize=65536)
def relative_url(from_page: str, target: str) -> str:
    """Give the link from one output page to another output path, relative so the site works from disk."""
    target, _, fragment = target.partition("#")
    if not target:
        link = from_page.rsplit("/", 1)[-1]
    else:
        here = from_page.split("/")[:-1]
        parts = target.split("/")
        common = 0
        while common < len(here) and common < len(parts) - 1 and here[common] == parts[common]:
            common += 1
        link = "../" * (len(here) - common) + "/".join(parts[common:])
    return link + ("#" + fragment if fragment else "")


def journey_path(journey_id: str) -> str:
    return f"journeys/{journey_id}.html"


def touchpoint_path(journey_id: str, touchpoint_id: str) -> str:
    return f"journeys/{journey_id}.html#tp-{touchpoint_id}"


def persona_path(persona_id: str) -> str:
    return f"personas/{persona_id}.html"


def playbook_path(playbook_id: str) -> str:
    return f"playbooks/{playbook_id}.html"


def page_path(page_id: str) -> str:
    return f"pages/{page_id}.html"


def metric_path(metric_id: str) -> str:
    return f"metrics/{metric_id}.html"


def metric_csv_path(metric_id: str) -> str:
    return f"metrics/{metric_id}.csv"


def media_path(content_rel: str) -> str:
    """Give where a file under content/ is published: content/assets/x.png -> media/x.png."""
    rel = content_rel.removeprefix("assets/")
    return "media/" + rel


def page_link_resolver(project: Project, known: Callable[[str], bool]) -> Callable[[str, str, str], str | None]:
    """Give a resolver that turns links between content files into links between output pages."""
    by_source: dict[str, str] = {}
    for (kind, object_id), origin in project.origins.items():
        target = {"journey": journey_path, "persona": persona_path, "playbook": playbook_path, "page": page_path}[kind](object_id)
        by_source[origin.path] = target

    def resolve(url: str, source: str, page: str) -> str | None:
        if not url or url.startswith(("#", "mailto:", "tel:", "//")) or "://" in url or ":" in url.split("/")[0]:
            return url
        path, _, fragment = url.partition("#")
        path = path.split("?")[0]
        if path.startswith("/"):
            return None
        candidates = []
        if source:
            candidates.append(posixpath.normpath(posixpath.join(posixpath.dirname(source), path)))
        candidates.append(posixpath.normpath(posixpath.join("content", path)))
        for cand in candidates:
            if cand in by_source:
                return relative_url(page, by_source[cand] + ("#" + fragment if fragment else ""))
            if cand.startswith("content/assets/") and known(cand):
                return relative_url(page, media_path(cand[len("content/") :]) + ("#" + fragment if fragment else ""))
        return None

    return resolve
