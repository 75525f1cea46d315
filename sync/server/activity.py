"""When each device last synced, and what waits for it on the server (the console's devices page).

`note_push` runs inside the push's own write transaction (no extra commit per batch);
`note_pull` runs once per sync round — when a pull answers ``more = false`` — in a short
transaction of its own, so a device paging through 100,000 records writes one row, not 200.
Times are Unix seconds. Threading: any request thread (each call uses the connection given or
one of its own).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from sync.server.tables import device_activity, records


def note_push(c: sa.Connection, device_id: int, changes: int, now: float) -> None:
    n = c.execute(device_activity.update().where(device_activity.c.device_id == device_id).values(
        last_push_at=now, pushed_changes=device_activity.c.pushed_changes + changes)).rowcount
    if not n:
        c.execute(device_activity.insert().values(device_id=device_id, last_push_at=now, pushed_changes=changes,
                                                  pulled_seq=0))


def note_pull(engine: sa.Engine, device_id: int, seq: int, now: float) -> None:
    with engine.begin() as c:
        n = c.execute(device_activity.update().where(device_activity.c.device_id == device_id).values(
            last_pull_at=now, pulled_seq=seq)).rowcount
        if not n:
            c.execute(device_activity.insert().values(device_id=device_id, last_pull_at=now, pulled_seq=seq,
                                                      pushed_changes=0))


def scope_filter(scope: Iterable[str]) -> Any:
    """The records a device (or console user) with these scope entries sees — the same rule as
    `Storage.pull`: everything published to ``*``, its villages and their grids."""
    entries = list(scope)
    if "*" in entries:
        return sa.true()
    conds = [records.c.scope == "*"]
    for e in entries:
        conds += [records.c.scope == e, records.c.scope.like(e.replace("_", r"\_") + "/%", escape="\\")]
    return sa.or_(*conds)


def activity(c: sa.Connection) -> dict[int, Any]:
    return {r.device_id: r for r in c.execute(sa.select(device_activity))}


def pending(c: sa.Connection, scope: Iterable[str], after: int) -> int:
    """Record states in ``scope`` the device has not pulled yet (seq above what it reached)."""
    q = sa.select(sa.func.count()).select_from(records).where(records.c.seq > after, scope_filter(scope))
    return int(c.execute(q).scalar_one())
