"""Per-lane sequence numbers and the pull cursors built on them (docs/sync-protocol.md §4).

A record's *lane* is the village part of its scope (``"v1/g3"`` → ``"v1"``) or ``"*"`` for what
the platform publishes to everyone. Each lane has its own counter row in ``scope_seqs``; a
writer locks the rows of the lanes it touches (in sorted order, so two writers never wait on
each other in a circle) before reading the records it will merge, and keeps them until it
commits. So within a lane numbers are handed out and committed in one order — a reader that
has seen N in a lane never later meets a commit below N there — while writers of different
villages commit in parallel. A cursor is a position per lane.

On PostgreSQL the counter is `fk_next_seq(scope, n)` (revision 0004), the same function a
replication trigger calls, so rows numbered by SQL and by the server share one order. SQLite
has one writer at a time anyway (``BEGIN IMMEDIATE``); the same steps run in Python there.

Threading: functions take the caller's connection and run inside its transaction.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from sync.server.tables import meta, records, scope_seqs

MAX_CURSOR = 8192  # characters: a county-wide ("*") device carries a position per village
_MAX_RAW = 64 * 1024  # bytes a compressed cursor may expand to


class BadCursor(ValueError):
    """A cursor this server did not issue."""


def lane_of(scope: str) -> str:
    return scope.split("/", 1)[0]


def reserve(c: sa.Connection, lane: str, n: int) -> int:
    """The first of ``n`` numbers of ``lane``; with ``n = 0`` only locks the lane's row."""
    if c.dialect.name == "postgresql":
        return int(c.execute(sa.text("SELECT fk_next_seq(:l, :n)"), {"l": lane, "n": n}).scalar_one())
    row = c.execute(sa.select(scope_seqs.c.seq).where(scope_seqs.c.lane == lane)).first()
    if row is None:
        floor = c.execute(sa.select(meta.c.value).where(meta.c.name == "seq")).scalar_one_or_none()
        cur = int(floor or 0)
        c.execute(scope_seqs.insert().values(lane=lane, seq=cur + n))
    else:
        cur = int(row.seq)
        if n:
            c.execute(scope_seqs.update().where(scope_seqs.c.lane == lane).values(seq=cur + n))
    return cur + 1


def lock(c: sa.Connection, lanes: Iterable[str]) -> None:
    """Take the rows of ``lanes`` in sorted order (deadlock-free among writers doing the same)."""
    for lane in sorted(set(lanes)):
        reserve(c, lane, 0)


def writable_lanes(device_scope: Iterable[str]) -> set[str] | None:
    """The lanes a device may write to; None for "every lane" (a ``"*"`` device)."""
    scope = tuple(device_scope)
    return None if "*" in scope else {lane_of(e) for e in scope}


def visible_lanes(c: sa.Connection, device_scope: Iterable[str]) -> list[str]:
    scope = tuple(device_scope)
    if "*" in scope:  # every lane there is: read from the counters, one row per lane
        return sorted(c.execute(sa.select(scope_seqs.c.lane)).scalars())
    return sorted({lane_of(e) for e in scope} | {"*"})


# ---------------------------------------------------------------------------------- cursors
@dataclass
class Position:
    """Where a reader stands: seen every number up to ``lanes[l]`` in lane ``l``, and up to
    ``base`` in a lane the cursor does not name (0 for new cursors; N for one from before lanes)."""

    base: int = 0
    lanes: dict[str, int] = field(default_factory=dict)

    def at(self, lane: str) -> int:
        return self.lanes.get(lane, self.base)


def scope_tag(scope: Iterable[str]) -> str:
    return hashlib.sha256(json.dumps(sorted(scope)).encode()).hexdigest()[:8]


def encode(device_scope: Iterable[str], pos: Position) -> str:
    """Version 2: ``2.<scope tag>.<base>.<lane>:<seq>,…`` (numbers base 36), zlib-compressed when
    that is shorter, then base64url. Lanes at ``base`` are left out."""
    body = ",".join(f"{lane}:{_b36(s)}" for lane, s in sorted(pos.lanes.items()) if s != pos.base)
    raw = f"2.{scope_tag(device_scope)}.{_b36(pos.base)}.{body}".encode()
    packed = zlib.compress(raw, 9)
    if len(packed) < len(raw):
        raw = packed  # starts with 0x78, never with a version digit
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(device_scope: Iterable[str], cursor: str | None) -> Position:
    """The position a cursor stands for; the start when the device's scope has changed since.

    Version 1 (``1.<seq>.<tag>``, one global counter, issued before revision 0004) is still
    read: "seen up to N" holds in every lane, because every lane numbers above the old counter.
    """
    if not cursor:
        return Position()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        if raw[:1] == b"x":
            d = zlib.decompressobj()
            raw = d.decompress(raw, _MAX_RAW)
            if d.unconsumed_tail:
                raise ValueError
        text = raw.decode("ascii")
        version, _, rest = text.partition(".")
        if version == "1":
            seq, tag = rest.split(".")
            pos = Position(_num(seq, 10))
        elif version == "2":
            tag, base, body = rest.split(".")
            pos = Position(_num(base, 36))
            for item in filter(None, body.split(",")):
                lane, s = item.split(":")
                pos.lanes[lane] = _num(s, 36)
        else:
            raise ValueError
    except (ValueError, UnicodeDecodeError, zlib.error):
        raise BadCursor("cursor is not one this server issued") from None
    return pos if tag == scope_tag(device_scope) else Position()


def _num(s: str, base: int) -> int:
    if not s.isalnum() or not s.isascii() or len(s) > 20:
        raise ValueError
    return int(s, base)


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


# ---------------------------------------------------------------------------------- pull
def page(c: sa.Connection, device_scope: Iterable[str], pos: Position,
         limit: int) -> tuple[list[str], Position, bool]:
    """The next page after ``pos``: (state texts, position after them, more?). One statement,
    so one snapshot; rows come lane by lane, each lane in number order."""
    scope = tuple(device_scope)
    lanes = visible_lanes(c, scope)
    if not lanes:
        return [], pos, False
    q = sa.select(records.c.lane, records.c.seq, records.c.state).where(sa.or_(*[
        sa.and_(records.c.lane == lane, records.c.seq > pos.at(lane)) for lane in lanes]))
    if "*" not in scope:
        conds = [records.c.scope == "*"]
        for e in scope:
            conds += [records.c.scope == e, records.c.scope.like(e.replace("_", r"\_") + "/%", escape="\\")]
        q = q.where(sa.or_(*conds))
    rows = c.execute(q.order_by(records.c.lane, records.c.seq).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    after = Position(pos.base, {lane: pos.at(lane) for lane in lanes})
    # Rows by position, not by name (a page is up to 2,000 rows, and a row's attribute lookup
    # cost more than the rest of this loop); within a lane rows come in number order, so the
    # last one seen per lane is where the lane now stands.
    after.lanes.update({r[0]: int(r[1]) for r in rows})
    return [r[2] for r in rows], after, more
