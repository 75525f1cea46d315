"""`store.outbox`: local changes waiting to be sent by sync, oldest first.

Rows are written by `store.records` (its one write path) in the same transaction as the change
itself; sync reads `pending()`, sends, and calls `ack(seqs)` once the server confirmed them. A
change the server refuses is `reject`ed: out of the queue, kept with its reason for the user.
A pending create or update names its fields by stamp instead of copying them (`outbox.stamp`,
store/rowcodec.py): they are read from the record's row here. Once an entry leaves the queue
(refused or acknowledged) it no longer refers to the row: a refused one keeps its fields written out.
Threading: one thread at a time (the store's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .ctx import Ctx, dumps
from .rowcodec import outbox_has_stamp, resolve
from .types import OutboxItem

PENDING, ACKED, REJECTED = 0, 1, 2
_SELECT = ("SELECT o.seq, o.uuid, o.module, o.op, o.fields, o.schema_version, o.at, o.by, o.reason,"
           " o.stamp, r.data, r.versions FROM {0}.outbox o LEFT JOIN {0}.records r"
           " ON o.stamp IS NOT NULL AND r.id = o.rid")
# A store of a schema before 0012 (tests build them): every entry has its fields written out.
_SELECT_OLD = ("SELECT o.seq, o.uuid, o.module, o.op, o.fields, o.schema_version, o.at, o.by, o.reason,"
               " NULL, NULL, NULL FROM {0}.outbox o")


class Outbox:
    def __init__(self, ctx: Ctx) -> None:
        self._db = ctx.db
        self._s = ctx.schema
        self._has_stamp: bool | None = None

    @property
    def _refs(self) -> bool:
        if self._has_stamp is None:
            self._has_stamp = outbox_has_stamp(self._db, self._s)
        return self._has_stamp

    @property
    def _select(self) -> str:
        return (_SELECT if self._refs else _SELECT_OLD).format(self._s)

    def _items(self, where: str, params: Sequence[Any]) -> list[tuple[OutboxItem, str]]:
        rows = self._db.execute(f"{self._select} WHERE {where}", params)
        return [(OutboxItem(s, u, m, op, resolve(f, st, data, vs), v, at, by or ""), r or "")
                for s, u, m, op, f, v, at, by, r, st, data, vs in rows]

    def pending(self, limit: int = 500, after_seq: int = 0) -> list[OutboxItem]:
        return [i for i, _ in self._items("o.status = 0 AND o.seq > ? ORDER BY o.seq LIMIT ?", (after_seq, limit))]

    def pending_for(self, uuid: str) -> list[OutboxItem]:
        """This record's edits still waiting to be sent, oldest first."""
        return [i for i, _ in self._items("o.status = 0 AND o.uuid = ? ORDER BY o.seq", (uuid,))]

    def items(self, seqs: Sequence[int]) -> list[OutboxItem]:
        """Rows by sequence number, oldest first (pending or not)."""
        out: list[OutboxItem] = []
        seqs = list(seqs)
        for i in range(0, len(seqs), 500):
            chunk = seqs[i : i + 500]
            out += [it for it, _ in self._items(f"o.seq IN ({','.join('?' * len(chunk))})", chunk)]
        return sorted(out, key=lambda o: o.seq)

    def count(self) -> int:
        """Changes still waiting to be sent."""
        return self._db.one(f"SELECT count(*) FROM {self._s}.outbox WHERE status = 0")[0]

    def reject(self, seq: int, reason: str) -> None:
        with self._db.tx():
            # Kept to be shown with its reason: its fields written out, as they were when refused.
            for item, _ in self._items("o.seq = ? AND o.stamp IS NOT NULL", (seq,)) if self._refs else ():
                self._db.execute(f"UPDATE {self._s}.outbox SET fields = ?, stamp = NULL, rid = NULL WHERE seq = ?",
                                 (dumps(item.fields), seq))
            self._db.execute(f"UPDATE {self._s}.outbox SET status = 2, reason = ? WHERE seq = ?", (reason, seq))
            self._db.execute(f"DELETE FROM {self._s}.sync_frozen WHERE seq = ?", (seq,))

    def rejected(self, limit: int = 500) -> list[tuple[OutboxItem, str]]:
        """Changes the server refused, newest first, with its reason."""
        return self._items("o.status = 2 ORDER BY o.seq DESC LIMIT ?", (limit,))

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
        unref = ", stamp = NULL, rid = NULL" if self._refs else ""  # out of the queue: it no longer reads the row
        with self._db.tx():
            for i in range(0, len(seqs), 500):
                chunk = seqs[i : i + 500]
                n += self._db.execute(
                    f"UPDATE {self._s}.outbox SET status = 1{unref} WHERE status = 0 AND seq IN ({','.join('?' * len(chunk))})", chunk
                ).rowcount
            self._db.execute(f"DELETE FROM {self._s}.outbox WHERE status = 1 AND seq < (SELECT max(seq) FROM {self._s}.outbox)")
            self._db.execute(f"DELETE FROM {self._s}.sync_frozen WHERE seq NOT IN (SELECT seq FROM {self._s}.outbox WHERE status = 0)")
        return n
