"""The cyclic garbage collector, held back while bulk work makes millions of small objects.

Building the blocks of 100,000 contacts or preparing and writing 100,000 imported rows creates
lists, tuples and dicts by the million, hardly any of them in a reference cycle; left alone, the
collector rescans them (and every object made before) again and again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Objects made between two young collections while the collector is relaxed (700 by default).
RELAXED_THRESHOLD = 50_000


@contextmanager
def paused() -> Iterator[None]:
    """No collection at all: for a bounded burst that makes no cycles (a matcher index)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def relaxed() -> Iterator[None]:
    """Rare collections that skip what existed before: for a long run whose memory must stay
    flat (an import of any length), where an occasional cycle must still be collected."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(RELAXED_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
