"""Garbage collection held back while a build makes objects that stay: parsed files, figures, forked workers.

Python's cyclic collector walks every tracked object of the older generations again as they pile up. A
build makes millions that live until it ends (every value of 3,000 content files with its line, half a
million figures), so on a handbook of 1,000 journeys the collector took two thirds of the time to load the
files (10 s -> 3 s without it) and half of the figures' time. Those stages make no garbage cycles (their
garbage is freed by reference counting as usual), so the collector is paused while they run.

Before page-drawing workers are forked, everything alive is frozen (gc.freeze): the workers' collections
then skip the inherited objects instead of walking, and so copying, the parent's memory. When the pages are
drawn by workers, the building process collects nothing for the whole build (pipeline.build): what it makes
stays to the end, and collections between its stages walked its millions of objects (1.9 s at 1,000 journeys).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off (back to how it was after)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    """Run the block with every object alive now out of the collector's reach (for forked workers)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def collecting() -> Iterator[None]:
    """Run the block with the cyclic garbage collector on (back to how it was after): pages drawn in this process
    make garbage cycles (templates, Markdown trees), also in a build that otherwise pauses the collector."""
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was:
            gc.disable()
