"""The maps as metric rows see them: journeys with their stage model, stages in order, touchpoints with their stage."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from ..loader import Project


@dataclass(frozen=True)
class MapIndex:
    """Which journey, stage and touchpoint ids a metric row may name, and their order."""

    default_model: str
    journey_model: dict[str, str]  # journey -> stage model id
    model_stages: dict[str, tuple[str, ...]]  # stage model -> stage ids in order
    touchpoints: dict[str, dict[str, str]]  # journey -> touchpoint -> stage (map order)

    @classmethod
    def of(cls, project: Project) -> MapIndex:
        """Give the index of a project's maps."""
        return cls(
            default_model=project.config.stage_model,
            journey_model={j.id: project.stage_model_of(j) for j in project.journeys.values()},
            model_stages={mid: tuple(s.id for s in stages) for mid, stages in project.stage_models.items()},
            touchpoints={j.id: {t.id: s.stage for s, t in j.touchpoints()} for j in project.journeys.values()},
        )

    def stages_of(self, journey: str | None) -> tuple[str, ...]:
        """Give the stages of a journey's model in order (the site's default model without a journey)."""
        model = self.journey_model.get(journey, self.default_model) if journey else self.default_model
        return self.model_stages.get(model, ())

    def model_of(self, journey: str | None) -> str:
        return self.journey_model.get(journey, self.default_model) if journey else self.default_model

    def journeys_of(self, touchpoint: str) -> list[str]:
        """Give the journeys that have a touchpoint id."""
        return sorted(j for j, tps in self.touchpoints.items() if touchpoint in tps)

    def all_touchpoints(self) -> set[str]:
        return {t for tps in self.touchpoints.values() for t in tps}

    def register(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create the small tables the row checks and the join use: cx_journeys, cx_model_stages, cx_touchpoints."""
        con.execute("CREATE OR REPLACE TABLE cx_journeys (journey VARCHAR, model VARCHAR)")
        con.execute("CREATE OR REPLACE TABLE cx_model_stages (model VARCHAR, stage VARCHAR, ord INTEGER)")
        con.execute("CREATE OR REPLACE TABLE cx_touchpoints (journey VARCHAR, touchpoint VARCHAR, stage VARCHAR, ord INTEGER)")
        _insert(con, "cx_journeys", ("VARCHAR", "VARCHAR"), sorted(self.journey_model.items()))
        _insert(
            con,
            "cx_model_stages",
            ("VARCHAR", "VARCHAR", "INTEGER"),
            [(m, s, i) for m, stages in sorted(self.model_stages.items()) for i, s in enumerate(stages)],
        )
        _insert(
            con,
            "cx_touchpoints",
            ("VARCHAR", "VARCHAR", "VARCHAR", "INTEGER"),
            [(j, t, s, i) for j, tps in sorted(self.touchpoints.items()) for i, (t, s) in enumerate(tps.items())],
        )


def _insert(con: duckdb.DuckDBPyConnection, table: str, types: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert rows in one statement: each column bound as one list and unnested (a statement of literals takes
    DuckDB over a second to parse at 20,000 touchpoints; a parameter per value costs more still)."""
    if rows:
        columns = [list(c) for c in zip(*rows, strict=True)]
        select = ", ".join(f"unnest(${i + 1}::{t}[])" for i, t in enumerate(types))
        con.execute(f"INSERT INTO {table} SELECT {select}", columns)
