"""When each device last synced, and what waits for it on the server (the console's devices page).

`note_push` runs inside the push's own write transaction (no extra commit per batch);
`note_pull` runs once per sync round (recording the position reached, a number per lane) — when a pull answers ``more = false`` — in a short
transaction of its own, so a device paging through 100,000 records writes one row, not 200.
Times are Unix seconds. Threading: any request thread (each call uses the connection given or
one of its own).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from sync.server import lanes
from sync.server.tables import device_activity, records


def note_push(c: sa.Connection, device_id: int, changes: int, now: float) -> None:
    n = c.execute(device_activity.update().where(device_activity.c.device_id == device_id).values(
        last_push_at=now, pushed_changes=device_activity.c.pushed_changes + changes)).rowcount
    if not n:
        c.execute(device_activity.insert().values(device_id=device_id, last_push_at=now, pushed_changes=changes,
                                                  pulled="{}"))


def note_pull(engine: sa.Engine, device_id: int, pos: lanes.Position, now: float) -> None:
    """``pos``: where the round's last page left the device, a number per village lane."""
    pulled = json.dumps({"base": pos.base, "lanes": pos.lanes}, sort_keys=True)
    with engine.begin() as c:
        n = c.execute(device_activity.update().where(device_activity.c.device_id == device_id).values(
            last_pull_at=now, pulled=pulled)).rowcount
        if not n:
            c.execute(device_activity.insert().values(device_id=device_id, last_pull_at=now, pulled=pulled,
                                                      pushed_changes=0))


def position(row: Any) -> lanes.Position:
    """The position a device's activity row records (the start when it never pulled)."""
    if row is None:
        return lanes.Position()
    d = json.loads(row.pulled or "{}")
    return lanes.Position(int(d.get("base", 0)), {str(k): int(v) for k, v in d.get("lanes", {}).items()})


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


def pending(c: sa.Connection, scope: Iterable[str], pos: lanes.Position) -> int:
    """Record states in ``scope`` the device has not pulled yet (above ``pos`` in their lane)."""
    scope = tuple(scope)
    visible = lanes.visible_lanes(c, scope)
    if not visible:
        return 0
    q = sa.select(sa.func.count()).select_from(records).where(scope_filter(scope), sa.or_(*[
        sa.and_(records.c.lane == lane, records.c.seq > pos.at(lane)) for lane in visible]))
    return int(c.execute(q).scalar_one())
