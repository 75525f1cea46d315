"""Hybrid logical clock (Kulkarni et al.), encoded so that string order is causal order.

Encoding: ``"{wall_ms:012x}{counter:04x}{node}"`` — 12 hex digits of Unix milliseconds, 4 hex
digits of logical counter, then the node (device) id, lower-case hex, 16 characters. Comparing
two encoded stamps as strings compares (wall, counter, node) in that order, so a plain string
`max()` picks the later edit, and ties between devices break deterministically by node id.

Thread-safety: an `HLC` instance is guarded by a lock and may be shared between threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

NODE_LEN = 16
_HEX = frozenset("0123456789abcdef")
_MAX_COUNTER = 0xFFFF
# A remote stamp further ahead of our wall clock than this is refused rather than adopted,
# so one device with a wildly wrong clock cannot drag every other clock into the future.
MAX_DRIFT_MS = 24 * 3600 * 1000


@dataclass(frozen=True, order=True)
class Stamp:
    wall_ms: int
    counter: int
    node: str

    def encode(self) -> str:
        return f"{self.wall_ms:012x}{self.counter:04x}{self.node}"

    @classmethod
    def decode(cls, s: str) -> Stamp:
        if len(s) != 16 + NODE_LEN or not set(s) <= _HEX:
            raise ValueError(f"not an HLC stamp: {s!r}")
        return cls(int(s[:12], 16), int(s[12:16], 16), s[16:])


def stamp_time_iso(stamp: str) -> str:
    """The wall-clock time inside a stamp, as ISO-8601 UTC to the millisecond:
    ``"2023-11-14T22:13:20.123Z"`` (FieldKit's store writes history times in this form).

    It is the writer's clock at the edit, as the HLC adopted it: close to real time, but a
    stamp made right after receiving one from a device with a fast clock may read slightly
    ahead (never more than `MAX_DRIFT_MS`). ``ValueError`` for a malformed stamp.
    """
    ms = Stamp.decode(stamp).wall_ms
    # Integer arithmetic, not datetime: exact milliseconds, and no float rounding at .9995 s.
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


class HLC:
    """A hybrid logical clock for one node. `now()` for local events, `observe()` for remote ones."""

    def __init__(self, node: str, wall: Callable[[], float] = time.time) -> None:
        if len(node) != NODE_LEN or any(c not in "0123456789abcdef" for c in node):
            raise ValueError(f"node id must be {NODE_LEN} lower-case hex digits: {node!r}")
        self.node = node
        self._wall = wall
        self._last = Stamp(0, 0, node)
        self._lock = threading.Lock()

    def _physical(self) -> int:
        return int(self._wall() * 1000)

    def now(self) -> str:
        """A stamp for a local event, strictly greater than every stamp seen so far."""
        with self._lock:
            pt = self._physical()
            if pt > self._last.wall_ms:
                self._last = Stamp(pt, 0, self.node)
            else:
                self._last = self._bump(self._last.wall_ms, self._last.counter)
            return self._last.encode()

    def observe(self, remote: str) -> None:
        """Merge a stamp received from another node so later local stamps sort after it."""
        r = Stamp.decode(remote)
        with self._lock:
            pt = self._physical()
            if r.wall_ms - pt > MAX_DRIFT_MS:
                raise ValueError("remote clock is more than a day ahead; refusing to adopt it")
            wall = max(pt, self._last.wall_ms, r.wall_ms)
            if wall == self._last.wall_ms == r.wall_ms:
                counter = max(self._last.counter, r.counter)
            elif wall == self._last.wall_ms:
                counter = self._last.counter
            elif wall == r.wall_ms:
                counter = r.counter
            else:
                self._last = Stamp(wall, 0, self.node)
                return
            self._last = Stamp(wall, counter, self.node)

    def _bump(self, wall: int, counter: int) -> Stamp:
        if counter >= _MAX_COUNTER:  # 65,536 events in one millisecond: borrow the next one
            return Stamp(wall + 1, 0, self.node)
        return Stamp(wall, counter + 1, self.node)
