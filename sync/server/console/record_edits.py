"""The console's reads and writes of device records: find a jurisdiction's records, and write
field values as the server on behalf of a console user (the escalation inbox's steps).

They live beside the console rather than in `sync.server.storage`, which keeps the sync API's
own paths (enrol, push, pull, publish); they use its transaction and numbering helpers, so a
console edit is numbered, locked and merged exactly like a push.

Threading: any thread; each call opens its own connection from the storage's pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from sync import merge as m
from sync.protocol import Change, in_scope
from sync.server import formsets, lanes
from sync.server.storage import Storage, StorageError, _load_state, records


def find_records(storage: Storage, module: str, within: Iterable[str]) -> list[Change]:
    """Live (not deleted) records of ``module`` inside the scope entries ``within`` (a
    console user's jurisdiction; ``"*"`` is everything). Loads the matches in memory: an
    inbox is a township's or county's open events, not its history."""
    within = tuple(within)
    q = sa.select(records.c.state).where(records.c.module == module)
    if "*" not in within:
        conds = []
        for e in within:
            conds += [records.c.scope == e, records.c.scope.like(e.replace("_", r"\_") + "/%", escape="\\")]
        q = q.where(sa.or_(*conds)) if conds else q.where(sa.false())
    with storage.engine.connect() as c:
        states = [_load_state(r.state) for r in c.execute(q)]
    return [s for s in states if not m.is_deleted(s)]


def author_edit(storage: Storage, uuid: str, module: str, within: Iterable[str], author: str,
                compute: Callable[[dict[str, Any]], dict[str, Any]]) -> Change:
    """Write field values as the server, on behalf of console user ``author`` (a login).

    ``compute(values)`` gets the record's current values (merged by the policy in force)
    and returns the fields to write, or raises to refuse; it runs inside the write
    transaction, so a push landing meanwhile cannot slip between the check and the write.
    The values are stamped by the server's clock with versions that have seen every
    version the server holds, merged like a push and given a new sequence number: devices
    in scope pull them as an ordinary edit by ``author``. A record outside ``within`` is
    answered as missing (404), so the console tells nobody what exists elsewhere.
    """
    within = tuple(within)
    with storage.engine.connect() as c:
        guess = set(storage._scopes(c, [uuid]).values())
    with storage._write() as c:
        lanes.lock(c, {lanes.lane_of(s) for s in guess})  # its lane, before reading what is merged
        row = c.execute(sa.select(records.c.state).where(records.c.uuid == uuid)).first()
        prev = _load_state(row.state) if row else None
        if prev is None or prev.module != module or m.is_deleted(prev) or not in_scope(prev.scope, within):
            raise StorageError(404, "not_found", "no such record in this jurisdiction")
        if prev.scope not in guess:  # moved to another village between the two reads
            raise StorageError(409, "moved", "the record moved meanwhile; try again")
        policy = formsets.policy(c, storage.policy)
        values = compute(m.current_values(prev, policy))
        if not values:
            return prev
        delta = m.edit(prev, uuid, module, values, storage.clock.now(), author=author)
        Change.from_json(delta.to_json())  # what devices would refuse must not be written
        state = m.merge(prev, delta, policy)
        storage._store_states(c, {uuid: state}, {uuid})
    return state
