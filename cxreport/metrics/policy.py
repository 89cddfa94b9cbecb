"""When a build may use a warehouse metric's cached tally and when it must ask the warehouse."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """build: fresh tallies (younger than max_age), --refresh fetches again; check: any cached tally, connecting
    only when the warehouse's URL is set; serve: after its first build, any cached tally."""

    refresh: bool = False  # fetch again whatever the cache holds (build --refresh)
    any_age: bool = False  # a cached tally of any age will do
    needs_url: bool = True  # False (check): a warehouse whose URL variable is not set is not asked, only warned of
