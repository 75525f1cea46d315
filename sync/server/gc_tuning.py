"""The garbage collector's settings for a serving process.

A push holds its parsed batch (~30 objects a record: dicts, lists, versions, tuples) for the
whole request, and hundreds are in flight at a county's end-of-day sync. With CPython's default
thresholds (a young-generation pass every 700 net allocations) these objects were promoted
generation by generation, and full passes walked every in-flight batch and everything the
process had imported: a quarter of the server's CPU in bench.sync_bench's many part (500
devices x 100 edits, gc.callbacks timing), while the server's own data hold almost no cycles.

So a serving process, once its start-up is done: freezes what exists then (modules, the app,
table metadata: never garbage, no longer walked) and lets the young generation grow to
`YOUNG_THRESHOLD` objects before a pass. Cyclic garbage is still collected, later: at most
that many young objects wait, a few MB. Not applied to in-process uses (tests, CLI tools).

Threading: `tune_for_serving` from the main thread, before serving.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 50_000  # allocations net of frees between young passes (CPython's default: 700)


def tune_for_serving() -> None:
    gc.collect()  # what start-up left as garbage goes now, not into the frozen generation
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
