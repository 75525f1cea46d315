"""A serving process collects garbage less often (sync.server.gc_tuning), but still collects it."""

from __future__ import annotations

import gc
import weakref

from sync.server import gc_tuning


class _Node:
    pass


def test_a_serving_process_still_frees_cycles():
    before = gc.get_threshold()
    try:
        gc_tuning.tune_for_serving()
        assert gc.isenabled() and gc.get_threshold()[0] == gc_tuning.YOUNG_THRESHOLD
        a, b = _Node(), _Node()
        a.other, b.other = b, a  # a cycle made after start-up is not frozen
        gone = weakref.ref(a)
        del a, b
        gc.collect()
        assert gone() is None
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
