"""`store.outbox`: local changes waiting to be sent by sync, oldest first.

Rows are written by `store.records` (its one write path) in the same transaction as the change
itself; sync reads `pending()`, sends, and calls `ack(seqs)` once the server confirmed them. A
change the server refuses is `reject`ed: out of the queue, kept with its reason for the user.
Threading: one thread at a time (the store's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .ctx import Ctx, loads
from .types import OutboxItem

PENDING, ACKED, REJECTED = 0, 1, 2
_SELECT = "SELECT seq, uuid, module, op, fields, schema_version, at, by, reason FROM {}.outbox"


class Outbox:
    def __init__(self, ctx: Ctx) -> None:
        self._db = ctx.db
        self._s = ctx.schema
        self._select = _SELECT.format(ctx.schema)

    def _items(self, where: str, params: Sequence[Any]) -> list[tuple[OutboxItem, str]]:
        rows = self._db.execute(f"{self._select} WHERE {where}", params)
        return [(OutboxItem(s, u, m, op, loads(f), v, at, by or ""), r or "") for s, u, m, op, f, v, at, by, r in rows]

    def pending(self, limit: int = 500, after_seq: int = 0) -> list[OutboxItem]:
        return [i for i, _ in self._items("status = 0 AND seq > ? ORDER BY seq LIMIT ?", (after_seq, limit))]

    def pending_for(self, uuid: str) -> list[OutboxItem]:
        """This record's edits still waiting to be sent, oldest first."""
        return [i for i, _ in self._items("status = 0 AND uuid = ? ORDER BY seq", (uuid,))]

    def items(self, seqs: Sequence[int]) -> list[OutboxItem]:
        """Rows by sequence number, oldest first (pending or not)."""
        out: list[OutboxItem] = []
        seqs = list(seqs)
        for i in range(0, len(seqs), 500):
            chunk = seqs[i : i + 500]
            out += [it for it, _ in self._items(f"seq IN ({','.join('?' * len(chunk))})", chunk)]
        return sorted(out, key=lambda o: o.seq)

    def count(self) -> int:
        """Changes still waiting to be sent."""
        return self._db.one(f"SELECT count(*) FROM {self._s}.outbox WHERE status = 0")[0]

    def reject(self, seq: int, reason: str) -> None:
        with self._db.tx():
            self._db.execute(f"UPDATE {self._s}.outbox SET status = 2, reason = ? WHERE seq = ?", (reason, seq))
            self._db.execute(f"DELETE FROM {self._s}.sync_frozen WHERE seq = ?", (seq,))

    def rejected(self, limit: int = 500) -> list[tuple[OutboxItem, str]]:
        """Changes the server refused, newest first, with its reason."""
        return self._items("status = 2 ORDER BY seq DESC LIMIT ?", (limit,))

    def rejected_count(self) -> int:
        return self._db.one(f"SELECT count(*) FROM {self._s}.outbox WHERE status = 2")[0]

    def ack(self, seqs: Sequence[int]) -> int:
        """Forget acknowledged changes, keeping the newest row as a high-water mark; returns how
        many pending rows were acknowledged.

        `outbox.seq` is a plain INTEGER PRIMARY KEY: once every row is deleted SQLite hands out
        the same numbers again, and the push idempotency key (a hash of the entry ids) would
        then repeat — the server would answer a *new* batch from its record of an old one and
        drop it. Keeping the highest acknowledged row (status 1, invisible to `pending`,
        `count` and `rejected`) keeps numbers increasing for the life of the store.
        """
        seqs = list(seqs)
        n = 0
        with self._db.tx():
            for i in range(0, len(seqs), 500):
                chunk = seqs[i : i + 500]
                n += self._db.execute(
                    f"UPDATE {self._s}.outbox SET status = 1 WHERE status = 0 AND seq IN ({','.join('?' * len(chunk))})", chunk
                ).rowcount
            self._db.execute(f"DELETE FROM {self._s}.outbox WHERE status = 1 AND seq < (SELECT max(seq) FROM {self._s}.outbox)")
            self._db.execute(f"DELETE FROM {self._s}.sync_frozen WHERE seq NOT IN (SELECT seq FROM {self._s}.outbox WHERE status = 0)")
        return n
