"""validate_drivers: the `drivers:` analyses of site.yml checked against the metrics and the maps.

Called by crosscheck.validate with the other references of site.yml; every problem sits at the line of the
value it is about (project.site_origin).
"""

from __future__ import annotations

from .loader import Project
from .problems import Problems, did_you_mean

# A driver analysis pairs each respondent's answers: only a score (one whole number per response) has one.
SCORE_TYPES = ("nps", "csat", "ces")


def validate_drivers(project: Project, problems: Problems) -> None:
    """Report what makes a driver analysis impossible: unknown ids, metrics without respondents, too few drivers."""
    cfg, o = project.config, project.site_origin
    metrics = {s.id: s for s in cfg.metrics}
    journeys = project.ids("journey")
    seen: dict[str, int] = {}

    def error(keys: tuple, message: str, hint: str, code: str) -> None:
        line, col = o.at("drivers", *keys)
        problems.error(o.path, line, col, message, hint, code=code)

    for i, analysis in enumerate(cfg.drivers):
        name = f"driver analysis '{analysis.id}'"
        if analysis.id in seen:
            error(
                (i, "id"),
                f"{name} is declared twice (first on line {seen[analysis.id]})",
                "give each analysis its own id",
                "duplicate-id",
            )
        seen.setdefault(analysis.id, o.at("drivers", i, "id")[0])
        if analysis.journey is not None and analysis.journey not in journeys:
            error(
                (i, "journey"),
                f"{name}: unknown journey '{analysis.journey}'",
                did_you_mean(analysis.journey, journeys, "journeys"),
                "unknown-reference",
            )
        named = [((i, "outcome"), analysis.outcome, "outcome")]
        named += [(_driver_keys(project, i, k), d, "driver") for k, d in enumerate(analysis.drivers)]
        for keys, metric_id, role in named:
            source = metrics.get(metric_id)
            if source is None:
                error(
                    keys,
                    f"{name}: unknown {role} metric '{metric_id}'",
                    did_you_mean(metric_id, metrics, "metrics"),
                    "unknown-reference",
                )
            elif source.type not in SCORE_TYPES:
                error(
                    keys,
                    f"{name}: {role} '{metric_id}' is a {source.type} metric, not a score",
                    "a driver analysis pairs each respondent's answers: name nps, csat or ces metrics (survey questions)",
                    "drivers-not-a-score",
                )
            elif source.columns.respondent is None:
                error(
                    keys,
                    f"{name}: {role} '{metric_id}' has no respondent column, so its answers cannot be paired",
                    f"map the column that identifies each response in metric '{metric_id}': columns: {{respondent: ResponseId}}",
                    "drivers-no-respondent",
                )
        listed: dict[str, int] = {}
        for k, d in enumerate(analysis.drivers):
            keys = _driver_keys(project, i, k)
            if d == analysis.outcome:
                error(
                    keys,
                    f"{name}: the outcome '{d}' is also listed as a driver",
                    "remove it from 'drivers:'",
                    "drivers-outcome-is-driver",
                )
            elif d in listed:
                error(keys, f"{name}: driver '{d}' is listed twice", "list each driver once", "drivers-repeated")
            listed.setdefault(d, k)
        if len(set(analysis.drivers) - {analysis.outcome}) < 2:
            error(
                (i, "drivers"),
                f"{name} has {len(set(analysis.drivers) - {analysis.outcome})} driver(s); it needs at least two",
                "add the questions whose effect on the outcome you want to compare, e.g. a CSAT question per touchpoint",
                "drivers-too-few",
            )


def _driver_keys(project: Project, i: int, k: int) -> tuple:
    """Give the keys of driver k of analysis i: its item, or the list when it was written as one word."""
    return (i, "drivers", k) if project.site_origin.holds("drivers", i, "drivers", k) else (i, "drivers")
