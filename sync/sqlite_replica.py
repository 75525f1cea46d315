"""Reference `Replica` over stdlib sqlite3: a device's records, outbox, cursor and attachments.

Used by the tests, the fault-injection runs and the bench; also the model for the FieldKit
store's adapter. Local edits go through `edit` / `delete` / `restore` / `resolve`, which merge
the delta into the record and append it to the outbox in one transaction; each takes the
editor's login as ``author=``.

Local data is read back without protocol checks (`Change.from_stored`), as the app's store
must: an edit the protocol cannot carry stays readable here, and `SyncClient.push` sets it aside.

Threading: one instance per thread (sqlite3's same-thread check stays on). Sizes are bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sync import merge as m
from sync.hlc import HLC
from sync.protocol import Change, attachment_refs
from sync.replica import AttachmentRef, OutboxEntry

PENDING, PUSHED, REJECTED = 0, 1, 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (uuid TEXT PRIMARY KEY, module TEXT NOT NULL, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL,
    change TEXT NOT NULL, status INTEGER NOT NULL DEFAULT 0, reason TEXT);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(status, id);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS attachments (sha TEXT PRIMARY KEY, record_uuid TEXT NOT NULL,
    data BLOB NOT NULL, uploaded INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS partials (sha TEXT PRIMARY KEY, data BLOB NOT NULL);
"""


def _dump(c: Change) -> str:
    # Lenient (NaN allowed) on purpose: this is the device's own database, not the wire.
    return json.dumps(c.to_json(), ensure_ascii=False, separators=(",", ":"))


def _load(s: str) -> Change:
    return Change.from_stored(json.loads(s))


class SQLiteReplica:
    def __init__(self, path: Path | str, node: str, policy: m.Policy = m.DEFAULT_POLICY) -> None:
        self.path = str(path)
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(_SCHEMA)
        self.clock = HLC(node)
        self.policy = policy
        # Never hand out a stamp below one already used, even after a restart with a slow clock.
        for (state,) in self.db.execute("SELECT change FROM outbox ORDER BY id DESC LIMIT 1"):
            for vs in _load(state).fields.values():
                for v in vs:
                    self.clock.observe(v.hlc)

    @property
    def device_node(self) -> str:
        return self.clock.node

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ local edits
    def get(self, uuid: str) -> Change | None:
        row = self.db.execute("SELECT state FROM records WHERE uuid=?", (uuid,)).fetchone()
        return _load(row[0]) if row else None

    def _commit_local(self, delta: Change) -> Change:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            old = self.get(delta.uuid)
            new = delta if old is None else m.merge(old, delta, self.policy)
            self.db.execute("INSERT OR REPLACE INTO records VALUES (?,?,?)", (new.uuid, new.module, _dump(new)))
            self.db.execute("INSERT INTO outbox (uuid, change) VALUES (?,?)", (delta.uuid, _dump(delta)))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return new

    def edit(self, uuid: str, module: str, values: dict[str, Any], *, scope: str | None = None,
             schema: int = 1, author: str = "") -> Change:
        old = self.get(uuid)
        return self._commit_local(m.edit(old, uuid, module, values, self.clock.now(), scope=scope, schema=schema,
                                         author=author))

    def delete(self, uuid: str, *, author: str = "") -> Change:
        return self._commit_local(m.delete(self._must(uuid), self.clock.now(), author=author))

    def restore(self, uuid: str, *, author: str = "") -> Change:
        return self._commit_local(m.restore(self._must(uuid), self.clock.now(), author=author))

    def resolve(self, uuid: str, field: str, value: Any, *, author: str = "") -> Change:
        return self._commit_local(m.resolve(self._must(uuid), field, value, self.clock.now(), author=author))

    def _must(self, uuid: str) -> Change:
        st = self.get(uuid)
        if st is None:
            raise KeyError(uuid)
        return st

    def states(self) -> dict[str, Change]:
        return {u: _load(s) for u, s in self.db.execute("SELECT uuid, state FROM records")}

    def conflicts(self) -> list[m.Conflict]:
        return [c for st in self.states().values() for c in m.conflicts(st, self.policy)]

    def rejected(self) -> list[tuple[int, str, str]]:
        """(outbox id, record uuid, reason) of changes the server refused."""
        return list(self.db.execute("SELECT id, uuid, reason FROM outbox WHERE status=? ORDER BY id", (REJECTED,)))

    def all_outbox(self) -> list[Change]:
        """Every local edit ever made, pushed or not (the fault-injection oracle reads this)."""
        return [_load(s) for (s,) in self.db.execute("SELECT change FROM outbox ORDER BY id")]

    # ------------------------------------------------------------------ Replica protocol
    def pending_changes(self, limit: int) -> list[OutboxEntry]:
        rows = self.db.execute("SELECT id, change FROM outbox WHERE status=? ORDER BY id LIMIT ?", (PENDING, limit))
        return [OutboxEntry(i, _load(s)) for i, s in rows]

    def pending_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM outbox WHERE status=?", (PENDING,)).fetchone()[0]

    def mark_pushed(self, ids: Sequence[int]) -> None:
        self.db.executemany("UPDATE outbox SET status=? WHERE id=? AND status=?", [(PUSHED, i, PENDING) for i in ids])

    def mark_rejected(self, id: int, reason: str) -> None:
        self.db.execute("UPDATE outbox SET status=?, reason=? WHERE id=?", (REJECTED, reason, id))

    def get_cursor(self) -> str | None:
        row = self.db.execute("SELECT v FROM meta WHERE k='cursor'").fetchone()
        return row[0] if row else None

    def apply_remote(self, changes: Sequence[Change], cursor: str) -> list[m.Conflict]:
        newest = max((v.hlc for ch in changes for vs in ch.fields.values() for v in vs), default=None)
        if newest is not None:
            # A peer's clock a day ahead: keep its data, but do not adopt its clock.
            with contextlib.suppress(ValueError):
                self.clock.observe(newest)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            touched: dict[str, Change] = {}
            for ch in changes:
                old = touched.get(ch.uuid) or self.get(ch.uuid)
                new = ch if old is None else m.merge(old, ch, self.policy)
                touched[ch.uuid] = new
                self.db.execute("INSERT OR REPLACE INTO records VALUES (?,?,?)", (new.uuid, new.module, _dump(new)))
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('cursor', ?)", (cursor,))
            self._before_commit(len(changes))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return [c for st in touched.values() for c in m.conflicts(st, self.policy)]

    def _before_commit(self, n: int) -> None:
        """Hook for tests that kill the process mid-apply; does nothing here."""

    # ------------------------------------------------------------------ attachments
    def add_attachment(self, data: bytes, record_uuid: str) -> str:
        sha = hashlib.sha256(data).hexdigest()
        self.db.execute("INSERT OR IGNORE INTO attachments VALUES (?,?,?,0)", (sha, record_uuid, data))
        return sha

    def has_attachment(self, sha: str) -> bool:
        return self.db.execute("SELECT 1 FROM attachments WHERE sha=?", (sha,)).fetchone() is not None

    def attachment(self, sha: str) -> bytes | None:
        row = self.db.execute("SELECT data FROM attachments WHERE sha=?", (sha,)).fetchone()
        return bytes(row[0]) if row else None

    def pending_attachments(self) -> list[AttachmentRef]:
        # Only once no edit of the referencing record waits in the outbox: records go first.
        rows = self.db.execute(
            "SELECT sha, record_uuid, length(data) FROM attachments a WHERE uploaded=0 AND NOT EXISTS "
            "(SELECT 1 FROM outbox o WHERE o.uuid=a.record_uuid AND o.status=?)", (PENDING,))
        return [AttachmentRef(s, r, n) for s, r, n in rows]

    def read_attachment(self, sha: str, offset: int, length: int) -> bytes:
        row = self.db.execute("SELECT substr(data, ?, ?) FROM attachments WHERE sha=?", (offset + 1, length, sha))
        return bytes(row.fetchone()[0])

    def mark_attachment_uploaded(self, sha: str) -> None:
        self.db.execute("UPDATE attachments SET uploaded=1 WHERE sha=?", (sha,))

    def missing_attachments(self) -> list[AttachmentRef]:
        out = []
        for uuid, st in self.states().items():
            for sha in sorted(attachment_refs(st)):
                if not self.has_attachment(sha):
                    out.append(AttachmentRef(sha, uuid))
        return out

    def write_attachment(self, sha: str, data: bytes) -> None:
        uuid = next((a.record_uuid for a in self.missing_attachments() if a.sha == sha), "")
        self.db.execute("INSERT OR IGNORE INTO attachments VALUES (?,?,?,1)", (sha, uuid, data))
        self.db.execute("DELETE FROM partials WHERE sha=?", (sha,))

    def partial_attachment(self, sha: str) -> bytes:
        row = self.db.execute("SELECT data FROM partials WHERE sha=?", (sha,)).fetchone()
        return bytes(row[0]) if row else b""

    def keep_partial_attachment(self, sha: str, data: bytes) -> None:
        if data:
            self.db.execute("INSERT OR REPLACE INTO partials VALUES (?,?)", (sha, data))
        else:
            self.db.execute("DELETE FROM partials WHERE sha=?", (sha,))
