"""Holding the garbage collector back during bulk work, and giving it back as it was."""

from __future__ import annotations

import gc

import pytest

from greentech_cli import collector


def test_paused_disables_and_restores() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_relaxed_collects_rarely_and_restores_even_after_an_error() -> None:
    threshold = gc.get_threshold()
    with pytest.raises(RuntimeError), collector.relaxed():
        assert gc.get_threshold()[0] == collector.RELAXED_THRESHOLD
        assert gc.get_freeze_count() > 0  # what existed before is left out of collections
        raise RuntimeError
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == 0


def test_relaxed_still_collects_cycles() -> None:
    class Node:
        other: object = None

    with collector.relaxed():
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
        assert gc.collect() >= 2
