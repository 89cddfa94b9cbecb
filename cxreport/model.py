"""The typed content model: one immutable class per CX concept (see docs/format.md)."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from .kinds import KINDS, MetricKind

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
ID_RE = re.compile(ID_PATTERN)
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Text = Annotated[str, StringConstraints(min_length=1)]


def id_like(text: str) -> str:
    """Give the id nearest to a text: lower case, accents dropped, other characters as '-' ('Drukke Ouder' ->
    'drukke-ouder', 'Café' -> 'cafe'); '' when nothing of it is left."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9_]+", "-", plain).strip("-_")


def _one_or_many(value: Any) -> Any:
    """Let a single line stand for a list of one."""
    if isinstance(value, str):
        return [value]
    return value


TextList = Annotated[tuple[Text, ...], BeforeValidator(_one_or_many)]
IdList = Annotated[tuple[Id, ...], BeforeValidator(_one_or_many)]


def _pillar_map(value: Any) -> Any:
    """Let pillars be written as a list of ids or as a map id -> note."""
    if isinstance(value, str):
        return {value: None}
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return {v: None for v in value}
    return value


PillarTags = Annotated[dict[Id, str | None], BeforeValidator(_pillar_map)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, hide_input_in_errors=True)


# --- site.yml -------------------------------------------------------------------


class StageDef(Model):
    """A stage of a stage model (AIDAS's attention, the funnel's unboxing, ...)."""

    id: Id
    name: Text
    description: str | None = None


class Pillar(Model):
    """A convenience pillar: what turns convenience into loyalty."""

    name: Text
    description: str | None = None


class Target(Model):
    """Thresholds that colour a figure good, neutral or bad."""

    good: float
    bad: float

    @model_validator(mode="after")
    def _differ(self) -> Target:
        if self.good == self.bad:
            raise ValueError("'good' and 'bad' must differ (good > bad: higher is better; good < bad: lower is better)")
        return self

    def status(self, value: float) -> str:
        """Give 'good', 'bad' or 'neutral' for a figure."""
        if self.good > self.bad:
            return "good" if value >= self.good else "bad" if value <= self.bad else "neutral"
        return "good" if value <= self.good else "bad" if value >= self.bad else "neutral"


class Brand(Model):
    """The client's or team's brand on the site."""

    logo: str | None = Field(default=None, description="path under content/, e.g. assets/logo.svg")
    primary_color: Color | None = Field(default=None, description="#rrggbb")
    footer: str | None = None


class MetricColumns(Model):
    """Our column name -> the CSV's header; an unnamed one defaults to our name."""

    date: str | None = None  # unmapped: a header named 'date', else the metric has no date (period 'all' only)
    score: str | None = None
    count: str | None = None
    value: str | None = None
    journey: str | None = None
    stage: str | None = None
    touchpoint: str | None = None
    segment: str | None = None
    variant: str | None = None
    respondent: str | None = None  # the column that identifies a respondent (unique within a metric)
    comment: str | None = None  # an open answer, kept for the comments of version 2


class MetricPlace(Model):
    """`at:` a fixed place in the map for every row of a metric."""

    journey: Id | None = None
    stage: Id | None = None
    touchpoint: Id | None = None

    @model_validator(mode="after")
    def _one_place(self) -> MetricPlace:
        if self.journey is None and self.stage is None and self.touchpoint is None:
            raise ValueError("'at' needs a journey, a journey and a stage or touchpoint, or a stage")
        if self.touchpoint is not None and self.journey is None:
            raise ValueError("'at' with a touchpoint needs its journey too, e.g. {journey: first-order, touchpoint: checkout}")
        if self.touchpoint is not None and self.stage is not None:
            raise ValueError("'at' names a touchpoint or a stage, not both: a touchpoint's stage follows from the map")
        return self

    def keys(self) -> dict[str, str]:
        """Give the place as key columns: journey, stage, touchpoint (only those set)."""
        return {k: v for k, v in (("journey", self.journey), ("stage", self.stage), ("touchpoint", self.touchpoint)) if v}


ExportFormat = Literal["csv", "qualtrics", "surveymonkey"]

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _seconds(value: Any) -> Any:
    """Let a duration be written 90s, 30m, 1h or 2d (a bare number is seconds)."""
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m is None:
            raise ValueError("write a duration as a number with s, m, h or d, e.g. 30m, 1h or 2d")
        return int(m.group(1)) * _UNIT_SECONDS[m.group(2) or "s"]
    return value


class Warehouse(Model):
    """A database or engine the metrics read from (`warehouses:` in site.yml)."""

    url: Text = Field(description="${NAME}: the URL from the environment; or a literal URL without a password")
    timeout: int = Field(default=300, gt=0, le=86400, description="seconds for one query")
    max_age: Annotated[int, BeforeValidator(_seconds)] = Field(
        default=3600, ge=0, description="reuse fetched aggregates this long: 30m, 1h, 2d"
    )


if TYPE_CHECKING:
    MetricType = str
else:
    MetricType = Literal[tuple(KINDS)]  # one of the registered kinds, in their order (cxreport/kinds.py)


class MetricSource(Model):
    """A metric: a CSV or Parquet file of responses or ready figures, and how to read it."""

    id: Id
    file: Text | None = Field(default=None, description="path under content/, e.g. metrics/nps.csv")
    warehouse: Id | None = Field(default=None, description="a warehouse of site.yml's `warehouses:`, instead of a file")
    table: Text | None = Field(default=None, description="the warehouse's table, e.g. cx.nps_responses")
    query: Text | None = Field(default=None, description="one SELECT, instead of a table; its columns mapped as a file's")
    type: MetricType
    columns: MetricColumns = MetricColumns()
    period: Literal["week", "month", "quarter"] = "month"
    date_format: str | None = Field(default=None, description="strftime pattern, e.g. %d-%m-%Y; ISO 8601 without it")
    label: str | None = None
    pillar: Id | None = None
    unit: str | None = None
    higher_is_better: bool = True
    delimiter: Literal[",", ";", "\t", "tab"] | None = Field(
        None, description="field separator; detected from the file when absent"
    )
    decimal: Literal[".", ","] | None = Field(
        None, description="decimal mark; ',' for semicolon files, '.' otherwise, when absent"
    )
    thousands: Literal[".", ",", " ", ""] | None = Field(
        default=None, description="thousands separator in numbers; none when absent"
    )
    encoding: Literal["utf-8", "cp1252", "latin-1"] = "utf-8"
    format: ExportFormat = Field(default="csv", description="csv, or a survey tool's export: qualtrics, surveymonkey")
    sheet: str | int | None = Field(default=None, description=".xlsx only: the sheet's name or 1-based number")
    values: dict[str, float] | None = Field(default=None, description="answer text -> number, e.g. {'Zeer goed': 5}")
    missing: tuple[str, ...] | None = Field(default=None, description="cell texts that mean 'not answered'")
    at: MetricPlace | None = Field(default=None, description="a fixed place in the map for every row")

    @model_validator(mode="after")
    def _one_source(self) -> MetricSource:
        if (self.file is None) == (self.warehouse is None):
            raise ValueError("a metric reads either a 'file' or a 'warehouse' (with 'table' or 'query'): give exactly one")
        if self.warehouse is not None and (self.table is None) == (self.query is None):
            raise ValueError("a metric from a warehouse needs exactly one of 'table' (e.g. cx.nps) and 'query' (one SELECT)")
        if self.file is not None and (self.table is not None or self.query is not None):
            raise ValueError("'table' and 'query' belong to a metric with a 'warehouse'; a metric with a 'file' has neither")
        return self

    @property
    def path(self) -> str:
        """Give the metric's file (under content/); only for a metric that reads a file."""
        if self.file is None:
            raise ValueError(f"metric '{self.id}' reads a warehouse, not a file")
        return self.file

    @property
    def missing_texts(self) -> tuple[str, ...]:
        """Give the texts meaning 'not answered', trimmed and lower case: declared, else [''] for a survey export."""
        texts = self.missing if self.missing is not None else (("",) if self.format != "csv" else ())
        return tuple(dict.fromkeys(" ".join(t.split()).lower() for t in texts))

    @property
    def survey(self) -> bool:
        """Tell whether figures carry answered and missing (a survey format, or `missing:` declared)."""
        return self.format != "csv" or self.missing is not None

    @property
    def kind(self) -> MetricKind:
        """Give what this metric's type reads, counts, computes and shows (cxreport/kinds.py)."""
        return KINDS[self.type]

    def column(self, name: str) -> str:
        """Give the CSV header of one of our columns."""
        mapped = getattr(self.columns, name)
        return mapped if mapped is not None else name


class DriverAnalysis(Model):
    """`drivers:` a key-driver analysis: which answers move the outcome most (FORMAT.md, Driver analysis)."""

    id: Id
    title: Text
    outcome: Id = Field(description="a metric with a respondent column, e.g. the NPS question")
    drivers: IdList = Field(description="metrics with the same respondent column, e.g. a CSAT question per touchpoint")
    journey: Id | None = Field(default=None, description="the journey whose page shows the analysis")


class Code(Model):
    """A theme of a coding frame: its name and the words that signal it in a comment (FORMAT.md, Comments)."""

    name: Text
    match: TextList = Field(min_length=1, description="words or phrases, whole words, any case; a trailing * any ending")


class Privacy(Model):
    """What is never published of the respondents' own words."""

    redact: TextList = Field(default=(), description="words (names of staff, of customers) shown as [naam] / [name]")


class SiteConfig(Model):
    """site.yml: the site's title, language, brand, stage models, pillars, targets and metrics."""

    title: Text
    language: Literal["nl", "en"] = "en"
    description: str | None = None
    theme: Id = "default"
    brand: Brand = Brand()
    stage_model: Id = "aidas"
    stage_models: dict[Id, tuple[StageDef, ...]] = {}
    pillars: dict[Id, Pillar] = {}
    targets: dict[Id, Target] = {}
    metrics: tuple[MetricSource, ...] = ()
    warehouses: dict[Id, Warehouse] = {}
    strict: bool = False
    drivers: tuple[DriverAnalysis, ...] = ()
    base_url: str = "/"
    codes: dict[Id, Code] = Field(default={}, description="a coding frame for comments: id -> {name, match}")
    privacy: Privacy = Privacy()


# --- journeys -------------------------------------------------------------------


def _feeling(value: Any) -> Any:
    """Let a bare number stand for a feeling's score."""
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        return {"score": value}
    return value


class Feeling(Model):
    """How the customer feels at a touchpoint: -2 (very negative) to 2 (very positive)."""

    score: float = Field(ge=-2, le=2)
    label: str | None = None


EvidenceKind = Literal["observation", "interview", "survey", "focus_group", "analytics", "assumption"]


class Evidence(Model):
    """The research that backs a touchpoint."""

    kind: EvidenceKind
    source: str | None = None
    note: str | None = None


class Touchpoint(Model):
    """A moment where customer and company meet, with the lanes of the map."""

    id: Id
    name: Text
    channel: str | None = None
    owner: str | None = None
    pillars: PillarTags = {}
    doing: TextList = ()
    thinking: TextList = ()
    feeling: Annotated[Feeling | None, BeforeValidator(_feeling)] = None
    pain_points: TextList = ()
    opportunities: TextList = ()
    backstage: TextList = ()
    evidence: tuple[Evidence, ...] = ()
    metrics: IdList = ()

    @property
    def evidenced(self) -> bool:
        """Tell whether research other than an assumption backs this touchpoint."""
        return any(e.kind != "assumption" for e in self.evidence)


class Stage(Model):
    """One stage of a journey, with its touchpoints in order."""

    stage: Id
    goal: str | None = None
    touchpoints: tuple[Touchpoint, ...] = ()


class Journey(Model):
    """A journey map: stages of a stage model with touchpoints and lanes."""

    id: Id
    title: Text
    persona: Id
    state: Literal["current", "future"] = "current"
    stage_model: Id | None = None
    compare_to: Id | None = None
    summary: str | None = None
    owner: str | None = None
    stages: tuple[Stage, ...] = Field(min_length=1)

    def touchpoints(self) -> list[tuple[Stage, Touchpoint]]:
        """Give every (stage, touchpoint) pair in map order."""
        return [(s, t) for s in self.stages for t in s.touchpoints]


# --- personas, playbooks, pages -------------------------------------------------


class Persona(Model):
    """Who the journey is for."""

    id: Id
    name: Text
    quote: str | None = None
    description: str | None = None
    goals: TextList = ()
    frustrations: TextList = ()
    channels: TextList = ()
    segment: str | None = None


class _Playbook(Model):
    id: Id
    title: Text
    journey: Id | None = None
    touchpoint: Id | None = None
    body: str = Field(default="", exclude=True)


class Surprise(_Playbook):
    """A plan to surprise customers at a touchpoint."""

    type: Literal["surprise"]
    trigger: Text
    audience: Id | None = None
    pillars: PillarTags = {}
    owner: str | None = None
    budget: float | None = Field(default=None, ge=0)
    status: Literal["idea", "planned", "live", "retired"] = "idea"
    success_metric: Id | None = None


class Recovery(_Playbook):
    """How a disappointment is turned into delight."""

    type: Literal["recovery"]
    failure: Text
    signal: str | None = None
    response_time: str | None = None
    owner: str | None = None


class CommentRef(Model):
    """A respondent's comment quoted by a story: the metric and the respondent id (columns.respondent)."""

    metric: Id
    respondent: Text


class Story(_Playbook):
    """A customer story along a path of touchpoints."""

    type: Literal["story"]
    persona: Id | None = None
    path: IdList = ()
    quote: str | None = None
    moral: str | None = None
    quote_comment: CommentRef | None = None


class VariantResult(Model):
    """Inline result of one experiment variant."""

    n: int = Field(ge=0)
    conversions: int = Field(ge=0)

    @model_validator(mode="after")
    def _at_most_n(self) -> VariantResult:
        if self.conversions > self.n:
            raise ValueError("conversions cannot exceed n")
        return self


class ExperimentPlan(Model):
    """`plan:` how many visitors an experiment needs before it is read (FORMAT.md, Experiments, version 2)."""

    baseline: float = Field(gt=0, lt=1, description="the control's expected conversion rate, e.g. 0.12")
    mde: float = Field(gt=0, lt=1, description="the smallest absolute difference worth finding, e.g. 0.02")
    power: float = Field(default=0.8, gt=0, lt=1)
    alpha: float = Field(default=0.05, gt=0, lt=1)

    @model_validator(mode="after")
    def _below_one(self) -> ExperimentPlan:
        if self.baseline + self.mde >= 1:
            raise ValueError("baseline + mde must stay below 1: a rate cannot reach 100%")
        return self


class Experiment(_Playbook):
    """A controlled experiment: what works where, when and for whom."""

    type: Literal["experiment"]
    hypothesis: Text
    status: Literal["planned", "running", "done"] = "planned"
    metric: Id | None = None
    control: str | None = None
    results: dict[str, VariantResult] | None = None
    decision: str | None = None
    plan: ExperimentPlan | None = None


class Guide(_Playbook):
    """A handbook chapter among the playbooks."""

    type: Literal["guide"]
    order: float | None = None


Playbook = Annotated[Surprise | Recovery | Story | Experiment | Guide, Field(discriminator="type")]
PLAYBOOK_TYPES: dict[str, type[_Playbook]] = {
    "surprise": Surprise,
    "recovery": Recovery,
    "story": Story,
    "experiment": Experiment,
    "guide": Guide,
}


class Page(Model):
    """A free handbook chapter."""

    id: Id
    title: Text
    order: float | None = None
    body: str = Field(default="", exclude=True)


# --- built-ins ------------------------------------------------------------------

BUILTIN_STAGE_MODELS: dict[str, tuple[StageDef, ...]] = {
    "aidas": tuple(
        StageDef(id=i, name=n, description=d)
        for i, n, d in [
            ("attention", "Attention", "The customer notices the brand or offer."),
            ("interest", "Interest", "The customer looks closer and compares."),
            ("desire", "Desire", "The customer wants it."),
            ("action", "Action", "The customer buys."),
            ("satisfaction", "Satisfaction", "Delivery and after-purchase care: where loyalty and NPS are won."),
        ]
    ),
    "funnel": tuple(
        StageDef(id=i, name=n, description=d)
        for i, n, d in [
            ("awareness", "Awareness", "The customer becomes aware of the product or service."),
            ("research", "Research", "The customer compares options to choose well."),
            ("purchase", "Purchase", "The customer buys."),
            ("unboxing", "Unboxing", "The out-of-the-box experience."),
            ("returns", "Returns", "The return policy in practice."),
        ]
    ),
}

BUILTIN_PILLARS: dict[str, Pillar] = {
    "reliability": Pillar(name="Reliability", description="Doing what was promised, every time."),
    "availability": Pillar(name="Availability", description="Being there when and where the customer wants."),
    "personal_attention": Pillar(name="Personal attention", description="Treating the customer as a person."),
    "situational": Pillar(name="Situational", description="Responding to the customer's situation."),
}
