"""validate: check every reference across files (personas, stages, touchpoints, pillars, metrics)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from . import model as m
from .drivercheck import validate_drivers
from .kinds import KINDS
from .limits import FILE_HINTS, not_a_file
from .loader import Origin, Project, Salvaged, resolve_content_path
from .problems import ERROR, Problem, Problems, did_you_mean
from .themecheck import validate_assets, validate_logo, validate_theme, validate_theme_name
from .warehousecheck import validate_warehouse_metric, validate_warehouses
from .yamlsrc import Locator

T = TypeVar("T")
# Each kind's pages share a folder with its overview page, index.html: an object with id 'index' would overwrite it.
RESERVED_IDS = {"journey": "journeys", "persona": "personas", "playbook": "playbooks", "metric": "metrics"}
# What an object salvaged from a file with errors is checked for: what it names and holds. A check that reads
# what is absent (no feeling, no control, fewer than two variants) would report the values its errors took out.
SALVAGED_CODES = frozenset(
    {"unknown-reference", "self-reference", "stage-listed-twice", "stage-order", "duplicate-id", "experiment-metric-type"}
)


def _ref(
    problems: Problems, origin: Origin, keys, what: str, value: str, choices, kind_plural: str, at_key: bool = False
) -> bool:
    """Report an unresolved reference with a did-you-mean hint; give whether it resolved."""
    if value in choices:
        return True
    keys = keys() if callable(keys) else keys  # a function when finding the path needs the file's positions
    line, col = origin.key_at(*keys) if at_key else origin.at(*keys)
    problems.error(
        origin.path, line, col, f"unknown {what} '{value}'", did_you_mean(value, choices, kind_plural), code="unknown-reference"
    )
    return False


class ValidationMemo:
    """What validate found for each journey and playbook, kept between validations of one project (a session).

    A journey or playbook is checked again only when something its checks read may have changed: the object
    (a changed file gives a new object), where it was read from, whether each id it names exists, the journey a
    playbook points into, or the site's stage models, pillars and metrics. An object that had an error is always
    checked again (its hints list the ids there are). So an edit to one file checks that file and what names it;
    a deleted or renamed persona checks again every journey and playbook that names it.
    """

    def __init__(self) -> None:
        self.site: tuple | None = None
        self.found: dict[tuple[str, str], tuple[tuple, list[Problem]]] = {}


def _site_terms(project: Project) -> tuple:
    """Give what the checks of every journey and playbook read from site.yml and the built-in definitions."""
    cfg = project.config
    return (
        cfg.stage_model,
        {mid: tuple(s.id for s in stages) for mid, stages in project.stage_models.items()},
        tuple(project.pillars),
        tuple((s.id, s.type) for s in cfg.metrics),
        tuple((s.id, s.columns.comment, s.columns.respondent) for s in cfg.metrics),
    )


def _journey_terms(project: Project, journey: m.Journey) -> tuple:
    o = project.origins[("journey", journey.id)]
    return (
        journey,
        o.path,
        o.locator,
        journey.persona in project.ids("persona"),
        journey.compare_to is None or journey.compare_to in project.ids("journey"),
    )


def _playbook_terms(project: Project, pb) -> tuple:
    o = project.origins[("playbook", pb.id)]
    personas = project.ids("persona")
    return (
        pb,
        o.path,
        o.locator,
        pb.journey is None or pb.journey in project.ids("journey"),
        project.journeys.get(pb.journey) if pb.journey is not None else None,
        not isinstance(pb, m.Surprise) or pb.audience is None or pb.audience in personas,
        not isinstance(pb, m.Story) or pb.persona is None or pb.persona in personas,
    )


def validate(project: Project, problems: Problems, memo: ValidationMemo | None = None) -> None:
    """Add a problem for every reference that does not resolve and every map that breaks a rule.

    With memo (kept by a session between builds) journeys and playbooks whose checks would read the same as the
    last time give the problems they gave then, without being checked again.
    """
    _validate_site(project, problems)
    _validate_output_paths(project, problems)
    for salvaged in project.salvaged:
        _validate_salvaged(project, salvaged, problems)
    if memo is None:
        for journey in project.journeys.values():
            _validate_journey(project, journey, problems)
        for playbook in project.playbooks.values():
            _validate_playbook(project, playbook, problems)
        return
    site = _site_terms(project)
    if memo.site != site:
        memo.site, memo.found = site, {}
    found: dict[tuple[str, str], tuple[tuple, list[Problem]]] = {}
    for journey in project.journeys.values():
        _memoised(project, memo, found, ("journey", journey.id), journey, _journey_terms, _validate_journey, problems)
    for pb in project.playbooks.values():
        _memoised(project, memo, found, ("playbook", pb.id), pb, _playbook_terms, _validate_playbook, problems)
    memo.found = found


def _memoised(
    project: Project,
    memo: ValidationMemo,
    found: dict[tuple[str, str], tuple[tuple, list[Problem]]],
    key: tuple[str, str],
    obj: T,
    terms_of: Callable[[Project, T], tuple],
    check: Callable[[Project, T, Problems], None],
    problems: Problems,
) -> None:
    """Add the problems of one journey or playbook: the last check's when its terms read the same, else checked again."""
    terms = terms_of(project, obj)
    known = memo.found.get(key)
    if known is not None and _same(known[0], terms) and not any(p.severity == ERROR for p in known[1]):
        own = known[1]
    else:
        sink = Problems()
        check(project, obj, sink)
        own = list(sink)
    found[key] = (terms, own)
    problems.extend(own)


def _same(a: tuple, b: tuple) -> bool:
    """Tell whether two check terms are the same: objects by identity, the rest by value."""
    return len(a) == len(b) and all(
        x is y or (not isinstance(x, BaseModel | Locator) and x == y) for x, y in zip(a, b, strict=False)
    )


def _validate_salvaged(project: Project, salvaged: Salvaged, problems: Problems) -> None:
    """Add the problems of what an object whose file has errors names (project.salvaged), so they are known in the
    same run as those errors."""
    sink = Problems()
    obj = salvaged.obj
    if isinstance(obj, m.Journey):
        if "stage_model" in salvaged.relaxed:  # its stages would be checked against another model
            obj = obj.model_copy(update={"stages": ()})
        _validate_journey(project, obj, sink, salvaged.origin)
    elif isinstance(obj, m.Surprise | m.Recovery | m.Story | m.Experiment | m.Guide):
        _validate_playbook(project, obj, sink, salvaged.origin)
    problems.extend(p for p in sink if p.code in SALVAGED_CODES)


def _validate_site(project: Project, problems: Problems) -> None:
    cfg, o = project.config, project.site_origin
    _ref(problems, o, ("stage_model",), "stage model", cfg.stage_model, project.stage_models, "stage models")
    _validate_stage_models(project, problems)
    metric_ids = _validate_metrics(project, problems)
    validate_warehouses(project, problems)
    _validate_targets(project, metric_ids, problems)
    validate_drivers(project, problems)
    validate_logo(project, problems)
    validate_theme_name(project, problems)
    validate_theme(project, problems)
    validate_assets(project, problems)


def _validate_stage_models(project: Project, problems: Problems) -> None:
    """Report a stage listed twice in one of site.yml's stage models."""
    cfg, o = project.config, project.site_origin
    for model_id, stages in cfg.stage_models.items():
        seen: dict[str, int] = {}
        for i, stage in enumerate(stages):
            if stage.id in seen:
                line, col = o.at("stage_models", model_id, i, "id")
                problems.error(
                    o.path,
                    line,
                    col,
                    f"stage '{stage.id}' appears twice in stage model '{model_id}' (first on line {seen[stage.id]})",
                    "give each stage its own id",
                    code="duplicate-id",
                )
            seen.setdefault(stage.id, o.at("stage_models", model_id, i, "id")[0])


def _validate_metrics(project: Project, problems: Problems) -> dict[str, int]:
    """Report a metric id declared twice, an unknown pillar and a missing file; give each metric id's line."""
    cfg, o = project.config, project.site_origin
    metric_ids: dict[str, int] = {}
    for i, metric in enumerate(cfg.metrics):
        line, col = o.at("metrics", i, "id")
        if metric.id in metric_ids:
            problems.error(
                o.path,
                line,
                col,
                f"metric id '{metric.id}' is declared twice (first on line {metric_ids[metric.id]})",
                "give each metric its own id",
                code="duplicate-id",
            )
        metric_ids.setdefault(metric.id, line)
        if metric.pillar is not None:
            _ref(problems, o, ("metrics", i, "pillar"), "pillar", metric.pillar, project.pillars, "pillars")
        if metric.file is None:
            validate_warehouse_metric(project, i, metric, problems)
            continue
        path = resolve_content_path(project.root, metric.file)
        fline, fcol = o.at("metrics", i, "file")
        if path is None:
            problems.error(
                o.path,
                fline,
                fcol,
                f"metric file '{metric.file}' lies outside the project",
                "put the file under content/ (e.g. content/metrics/) and write its path relative to content/",
                code="path-outside-project",
            )
        elif (bad := not_a_file(path)) is not None:
            problems.error(o.path, fline, fcol, f"metric file 'content/{metric.file}' {bad[1]}", FILE_HINTS[bad[0]], code=bad[0])
    return metric_ids


def _validate_targets(project: Project, metric_ids: dict[str, int], problems: Problems) -> None:
    """Report a target whose key is neither a metric kind nor a metric id."""
    cfg, o = project.config, project.site_origin
    for key in cfg.targets:
        if key not in KINDS and key not in metric_ids:
            line, col = o.key_at("targets", key)
            problems.error(
                o.path,
                line,
                col,
                f"targets: '{key}' is neither a metric type nor a metric id",
                did_you_mean(key, list(KINDS) + list(metric_ids), "keys"),
                code="unknown-reference",
            )


def _validate_output_paths(project: Project, problems: Problems) -> None:
    """Report objects and files whose pages would land on a path another page already takes."""
    for kind, folder in RESERVED_IDS.items():
        if kind == "metric":
            spots = [project.site_origin.at("metrics", i, "id") for i, s in enumerate(project.config.metrics) if s.id == "index"]
            where = [(project.site_origin.path, *spot) for spot in spots]
        else:
            objects = {"journey": project.journeys, "persona": project.personas, "playbook": project.playbooks}[kind]
            origin = project.origins.get((kind, "index")) if "index" in objects else None
            where = [(origin.path, *(origin.at("id") if origin.holds("id") else (1, 1)))] if origin else []
        for path, line, col in where:
            problems.error(
                path,
                line,
                col,
                f"id 'index' is reserved: {folder}/index.html is the overview of the {folder}",
                f"give this {kind} another id (rename the file, or set 'id:')",
                code="reserved-id",
            )
    # Windows and macOS see 'Logo.png' and 'logo.png' as one file: the second would overwrite the first
    assets = project.content_dir / "assets"
    if assets.is_dir():
        seen: dict[str, str] = {}
        for asset in sorted(assets.rglob("*")):
            rel = asset.relative_to(project.root).as_posix()
            key = rel.casefold()
            if key in seen:
                problems.error(
                    rel,
                    0,
                    0,
                    f"file name differs from {seen[key]} only in upper and lower case",
                    "rename one of them: on Windows and macOS they are the same file, so the site would lose one",
                    code="file-name-case-clash",
                )
            seen.setdefault(key, rel)


def _validate_journey(project: Project, journey: m.Journey, problems: Problems, origin: Origin | None = None) -> None:
    o = origin or project.origins[("journey", journey.id)]
    if journey.persona is not None:  # None only in a salvaged journey whose persona failed
        _ref(problems, o, ("persona",), "persona", journey.persona, project.ids("persona"), "personas")
    if journey.compare_to is not None:
        if journey.compare_to == journey.id:
            line, col = o.at("compare_to")
            problems.error(
                o.path,
                line,
                col,
                "compare_to names this journey itself",
                "name another journey, e.g. the current state",
                code="self-reference",
            )
        else:
            _ref(problems, o, ("compare_to",), "journey", journey.compare_to, project.ids("journey"), "journeys")
    model_id = project.stage_model_of(journey)
    if journey.stage_model is not None and not _ref(
        problems, o, ("stage_model",), "stage model", model_id, project.stage_models, "stage models"
    ):
        return
    model_stages = [s.id for s in project.stage_models.get(model_id, ())]
    seen_stages: dict[str, int] = {}  # stage -> its index in the file
    seen_tps: dict[str, tuple] = {}  # touchpoint -> its path in the file
    last_index = -1
    # positions are asked for only when there is something to report: reading them costs a clean file a second parse
    for si, stage in enumerate(journey.stages or ()):
        last_index = _validate_stage(o, model_id, model_stages, si, stage, seen_stages, last_index, problems)
        for ti, tp in enumerate(stage.touchpoints):
            _validate_touchpoint(project, o, ("stages", si, "touchpoints", ti), tp, seen_tps, problems)


def _validate_stage(
    o: Origin,
    model_id: str,
    model_stages: list[str],
    si: int,
    stage: m.Stage,
    seen_stages: dict[str, int],
    last_index: int,
    problems: Problems,
) -> int:
    """Report a stage listed twice, not in the model, out of the model's order or without touchpoints.

    Give the furthest index in the model of the stages so far.
    """
    if stage.stage in seen_stages:
        line, col = o.at("stages", si, "stage")
        first = o.at("stages", seen_stages[stage.stage], "stage")[0]
        problems.error(
            o.path,
            line,
            col,
            f"stage '{stage.stage}' is listed twice (first on line {first})",
            "list each stage once and put all its touchpoints under it",
            code="stage-listed-twice",
        )
    elif stage.stage not in model_stages:
        line, col = o.at("stages", si, "stage")
        problems.error(
            o.path,
            line,
            col,
            f"stage '{stage.stage}' is not in stage model '{model_id}'",
            did_you_mean(stage.stage, model_stages, "stages"),
            code="unknown-reference",
        )
    else:
        index = model_stages.index(stage.stage)
        if index < last_index:
            line, col = o.at("stages", si, "stage")
            problems.warning(
                o.path,
                line,
                col,
                f"stage '{stage.stage}' comes after '{model_stages[last_index]}' but the stage model '{model_id}' puts it before",
                "order the stages as the model does: " + ", ".join(model_stages),
                code="stage-order",
            )
        last_index = max(last_index, index)
    seen_stages.setdefault(stage.stage, si)
    if not stage.touchpoints:
        line, col = o.at("stages", si, "stage")
        problems.warning(
            o.path,
            line,
            col,
            f"stage '{stage.stage}' has no touchpoints",
            "add the moments where the customer meets you in this stage, or leave the stage out",
            code="stage-without-touchpoints",
        )
    return last_index


def _validate_touchpoint(
    project: Project, o: Origin, keys: tuple, tp: m.Touchpoint, seen_tps: dict[str, tuple], problems: Problems
) -> None:
    """Report a touchpoint id used twice, a missing feeling, and unknown pillars and metrics."""
    if tp.id in seen_tps:
        tline, tcol = o.at(*keys, "id")
        first = o.at(*seen_tps[tp.id], "id")[0]
        problems.error(
            o.path,
            tline,
            tcol,
            f"touchpoint id '{tp.id}' is used twice in this journey (first on line {first})",
            "give each touchpoint its own id",
            code="duplicate-id",
        )
    seen_tps.setdefault(tp.id, keys)
    if tp.feeling is None:
        line2, col2 = o.at(*keys)
        problems.warning(
            o.path,
            line2,
            col2,
            f"touchpoint '{tp.id}' has no feeling",
            "add 'feeling: {score: 0, label: …}' (score from -2 to 2) so the emotion curve is complete",
            code="touchpoint-without-feeling",
        )
    for pi, pillar in enumerate(tp.pillars):
        _ref(
            problems,
            o,
            lambda keys=keys, pillar=pillar, pi=pi: _pillar_keys(o, keys, pillar, pi),
            "pillar",
            pillar,
            project.pillars,
            "pillars",
            at_key=True,
        )
    for mi, metric_id in enumerate(tp.metrics):
        _ref(problems, o, keys + ("metrics", mi), "metric", metric_id, [s.id for s in project.config.metrics], "metrics")


def _touchpoint_ref(
    project: Project, problems: Problems, o: Origin, playbook, key: str, value: str, index: int | None = None
) -> None:
    keys = (key,) if index is None else (key, index)
    if playbook.journey is None:
        line, col = o.at(*keys)
        problems.error(
            o.path,
            line,
            col,
            f"{key} '{value}' needs a journey",
            "add 'journey: …' naming the journey this touchpoint belongs to",
            code="missing-field",
        )
        return
    journey = project.journeys.get(playbook.journey)
    if journey is not None:  # a journey that failed to load has reported its own problems
        ids = [t.id for _, t in journey.touchpoints()]
        _ref(problems, o, keys, f"touchpoint of journey '{journey.id}'", value, ids, "touchpoints")


def _pillar_keys(o: Origin, base: tuple, pillar: str, index: int) -> tuple:
    """Give the locator path of a pillar tag, written as a map key or as a list item."""
    return base + ("pillars", pillar) if o.holds(*base, "pillars", pillar) else base + ("pillars", index)


def _validate_playbook(project: Project, pb, problems: Problems, origin: Origin | None = None) -> None:
    o = origin or project.origins[("playbook", pb.id)]
    metric_ids = [s.id for s in project.config.metrics]
    if pb.journey is not None:
        _ref(problems, o, ("journey",), "journey", pb.journey, project.ids("journey"), "journeys")
    if pb.touchpoint is not None:
        _touchpoint_ref(project, problems, o, pb, "touchpoint", pb.touchpoint)
    if isinstance(pb, m.Surprise):
        if pb.audience is not None:
            _ref(problems, o, ("audience",), "persona", pb.audience, project.ids("persona"), "personas")
        for pi, pillar in enumerate(pb.pillars):
            _ref(
                problems,
                o,
                lambda pillar=pillar, pi=pi: _pillar_keys(o, (), pillar, pi),
                "pillar",
                pillar,
                project.pillars,
                "pillars",
                at_key=True,
            )
        if pb.success_metric is not None:
            _ref(problems, o, ("success_metric",), "metric", pb.success_metric, metric_ids, "metrics")
    elif isinstance(pb, m.Story):
        if pb.persona is not None:
            _ref(problems, o, ("persona",), "persona", pb.persona, project.ids("persona"), "personas")
        for i, tp in enumerate(pb.path):
            _touchpoint_ref(project, problems, o, pb, "path", tp, i)
        if pb.quote_comment is not None:
            _quoted_metric(project, pb.quote_comment, o, problems)
    elif isinstance(pb, m.Experiment):
        _validate_experiment(project, pb, o, problems)


def _quoted_metric(project: Project, ref: m.CommentRef, o: Origin, problems: Problems) -> None:
    """Check that a story's quote_comment names a metric with comments and respondents (the respondent itself is
    looked up when the metric is read: metrics/join.py)."""
    keys = ("quote_comment", "metric")
    if not _ref(problems, o, keys, "metric", ref.metric, [s.id for s in project.config.metrics], "metrics"):
        return
    source = project.metric(ref.metric)
    if source is not None and (source.columns.comment is None or source.columns.respondent is None):
        line, col = o.at(*keys)
        lacks = " and ".join(c for c in ("comment", "respondent") if getattr(source.columns, c) is None)
        problems.error(
            o.path,
            line,
            col,
            f"metric '{ref.metric}' has no {lacks} column, so no comment can be quoted from it by respondent",
            "map 'comment' and 'respondent' in the metric's columns in site.yml, or quote another metric",
            code="quote-comment-metric",
        )


def _validate_experiment(project: Project, pb: m.Experiment, o: Origin, problems: Problems) -> None:
    """Check an experiment's source of results: inline results, or a value metric with its control."""
    metric_ids = [s.id for s in project.config.metrics]
    planned = pb.status == "planned" and o.holds("status")  # written as planned: it needs no results yet
    if pb.metric is None and pb.results is None and not planned:
        line, col = o.at()
        problems.error(
            o.path,
            line,
            col,
            "an experiment needs 'results' or 'metric'",
            "add inline results ({variant: {n, conversions}}, the control first), or 'metric:' with 'control:'",
            code="experiment-source",
        )
    if pb.metric is not None and pb.results is not None:
        line, col = o.key_at("results")
        problems.error(
            o.path,
            line,
            col,
            "an experiment takes 'results' or 'metric', not both",
            "remove one of them",
            code="experiment-source",
        )
    if pb.metric is not None:
        if _ref(problems, o, ("metric",), "metric", pb.metric, metric_ids, "metrics"):
            source = project.metric(pb.metric)
            if source is not None and not source.kind.conversions:
                line, col = o.at("metric")
                problems.error(
                    o.path,
                    line,
                    col,
                    f"metric '{pb.metric}' is a {source.type} metric; an experiment needs a value metric",
                    "declare a 'type: value' metric whose value is 1 for a conversion and 0 otherwise, with a variant column",
                    code="experiment-metric-type",
                )
        if pb.control is None:
            line, col = o.key_at("metric")
            problems.error(
                o.path,
                line,
                col,
                "'control' is required with 'metric'",
                "add 'control: …' naming the control variant",
                code="missing-field",
            )
    if pb.results is not None and len(pb.results) < 2:
        line, col = o.key_at("results")
        problems.error(
            o.path,
            line,
            col,
            "results need at least two variants (the control first)",
            "add the control and at least one variant: {name: {n: …, conversions: …}}",
            code="experiment-variants",
        )
    if pb.results is not None and pb.control is not None and pb.control not in pb.results:
        line, col = o.at("control")
        problems.error(
            o.path,
            line,
            col,
            f"control '{pb.control}' is not among the results",
            did_you_mean(pb.control, pb.results, "variants"),
            code="unknown-control",
        )
