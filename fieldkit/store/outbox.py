"""`store.outbox`: local changes waiting to be sent by sync, oldest first.

Rows are written by `store.records` in the same transaction as the change itself; sync reads
`pending()`, sends, and calls `ack(seqs)` once the server confirmed them, which deletes them.
A change the server refuses is `reject`ed: out of the queue, kept with its reason for the user.
Threading: one thread at a time (the store's).
"""

from __future__ import annotations

from collections.abc import Iterable

from .ctx import Ctx, loads
from .types import OutboxItem


class Outbox:
    def __init__(self, ctx: Ctx) -> None:
        self._db = ctx.db

    def pending(self, limit: int = 500, after_seq: int = 0) -> list[OutboxItem]:
        rows = self._db.execute(
            "SELECT seq, uuid, module, op, fields, schema_version, at FROM outbox"
            " WHERE status = 0 AND seq > ? ORDER BY seq LIMIT ?",
            (after_seq, limit),
        )
        return [OutboxItem(s, u, m, op, loads(f), v, at) for s, u, m, op, f, v, at in rows]

    def count(self) -> int:
        """Changes still waiting to be sent."""
        return self._db.one("SELECT count(*) FROM outbox WHERE status = 0")[0]

    def reject(self, seq: int, reason: str) -> None:
        with self._db.tx():
            self._db.execute("UPDATE outbox SET status = 2, reason = ? WHERE seq = ?", (reason, seq))

    def rejected(self, limit: int = 500) -> list[tuple[OutboxItem, str]]:
        """Changes the server refused, newest first, with its reason."""
        rows = self._db.execute(
            "SELECT seq, uuid, module, op, fields, schema_version, at, reason FROM outbox"
            " WHERE status = 2 ORDER BY seq DESC LIMIT ?", (limit,),
        )
        return [(OutboxItem(s, u, m, op, loads(f), v, at), r or "") for s, u, m, op, f, v, at, r in rows]

    def ack(self, seqs: Iterable[int]) -> int:
        """Forget changes the server has confirmed; returns how many were removed."""
        seqs = list(seqs)
        n = 0
        with self._db.tx():
            for i in range(0, len(seqs), 500):
                chunk = seqs[i : i + 500]
                n += self._db.execute(f"DELETE FROM outbox WHERE seq IN ({','.join('?' * len(chunk))})", chunk).rowcount
        return n
