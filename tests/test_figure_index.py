"""The figure index: each lookup gives what a walk over every figure would (render.figure_index)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cxreport.figures import Figure, FigureSet
from cxreport.render.figure_index import ALL, FigureIndex

_PERIODS = [ALL, "2026-01", "2026-02", "2026-03"]


@st.composite
def _figures(draw) -> list[Figure]:
    seen: set[tuple] = set()
    out = []
    for _ in range(draw(st.integers(0, 40))):
        key = (
            draw(st.sampled_from(["nps", "csat"])),
            draw(st.sampled_from(_PERIODS)),
            draw(st.sampled_from([None, "j1", "j2"])),
            draw(st.sampled_from([None, "s1"])),
            draw(st.sampled_from([None, "t1", "t2"])),
            draw(st.sampled_from([None, "new", "old"])),
            draw(st.sampled_from([None, None, "A"])),
        )
        if key in seen:  # a figure's place, period, segment and variant are its own (the metric stage's groups)
            continue
        seen.add(key)
        metric, period, journey, stage, touchpoint, segment, variant = key
        out.append(
            Figure(
                metric=metric,
                type=metric,
                period=period,
                journey=journey,
                stage=stage,
                touchpoint=touchpoint,
                segment=segment,
                variant=variant,
                n=draw(st.integers(1, 99)),
                value=1.0,
                margin=None,
            )
        )
    return out


@settings(max_examples=200, deadline=None)
@given(figures=_figures())
def test_lookups_give_what_a_walk_over_every_figure_gives(figures):
    index = FigureIndex(FigureSet(figures=tuple(figures)))
    for metric in ("nps", "csat", "ces"):
        assert index.of_metric(metric) == [f for f in figures if f.metric == metric]
        assert index.segments(metric) == sorted({f.segment for f in figures if f.metric == metric and f.segment})
        for f in figures:
            place = (f.journey, f.stage, f.touchpoint)
            for segment in (None, "new", "old"):
                walked = sorted(
                    (
                        g
                        for g in figures
                        if (g.metric, g.journey, g.stage, g.touchpoint, g.segment) == (metric, *place, segment)
                        and g.period != ALL
                        and g.variant is None
                    ),
                    key=lambda g: g.period,
                )
                assert index.over_time(metric, *place, segment=segment) == walked
    for f in figures:
        assert index.get(f.metric, f.period, f.journey, f.stage, f.touchpoint, f.segment, f.variant) is f
