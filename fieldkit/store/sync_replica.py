"""The SQL half of the sync adapter: plain storage the services-level replica needs.

The merge itself lives in `fieldkit.services.sync_replica` (the store may not import
`sync.merge`); this module only stores what it is handed: opaque sync states, the conflicts
table, the "already on the server" mark of attachments, watch-list keyed hashes per pulled
entry, and the few local writes sync needs that `store.records` has no verb for (a restore,
a repeated tombstone, a forced re-stamp of a field to settle a conflict). Those writes go
through the same rows as `store.records`: history, versions and one outbox entry, in one
transaction.

Threading: one thread at a time (the store's). Times are ISO-8601 UTC strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fieldkit.domain.errors import NotFound

from .ctx import dumps, loads, now_iso
from .records import _terms_of
from .types import IndexTermsLike, OutboxItem


@dataclass(frozen=True)
class ConflictRow:
    """One stored conflict: `winner` and each of `others` are ``[value, hlc]``."""

    uuid: str
    field: str
    kind: str
    module: str
    winner: list[Any]
    others: list[list[Any]]
    found_at: str


class SyncTables:
    """Storage for the sync adapter over an unlocked `Store` (reaches its connection)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._ctx = store._ctx
        self._db = store._ctx.db

    # -- sync state ------------------------------------------------------------------------
    def set_state(self, uuid: str, state: Any) -> None:
        """Replace a record's opaque sync state (after its local edits were acknowledged)."""
        self._db.execute("UPDATE records SET sync = ? WHERE uuid = ?", (dumps(state), uuid))

    def states_with_refs(self, marker: str) -> list[tuple[str, Any]]:
        """(uuid, state) of records whose state text contains `marker` (e.g. ``"sha256:"``)."""
        rows = self._db.execute("SELECT uuid, sync FROM records WHERE sync LIKE ?", (f"%{marker}%",))
        return [(u, loads(s)) for u, s in rows]

    # -- outbox ----------------------------------------------------------------------------
    def outbox_items(self, seqs: Sequence[int]) -> list[OutboxItem]:
        """Outbox rows by sequence number, oldest first (pending or not)."""
        out: list[OutboxItem] = []
        seqs = list(seqs)
        for i in range(0, len(seqs), 500):
            chunk = seqs[i : i + 500]
            rows = self._db.execute(
                "SELECT seq, uuid, module, op, fields, schema_version, at FROM outbox"
                f" WHERE seq IN ({','.join('?' * len(chunk))}) ORDER BY seq", chunk)
            out += [OutboxItem(s, u, m, op, loads(f), v, at) for s, u, m, op, f, v, at in rows]
        return sorted(out, key=lambda o: o.seq)

    def pending_for(self, uuid: str) -> list[OutboxItem]:
        """This record's edits still waiting to be sent, oldest first."""
        rows = self._db.execute(
            "SELECT seq, uuid, module, op, fields, schema_version, at FROM outbox"
            " WHERE status = 0 AND uuid = ? ORDER BY seq", (uuid,))
        return [OutboxItem(s, u, m, op, loads(f), v, at) for s, u, m, op, f, v, at in rows]

    def ack(self, seqs: Sequence[int]) -> None:
        """Forget acknowledged changes, keeping the newest row as a high-water mark.

        `outbox.seq` is a plain INTEGER PRIMARY KEY: once every row is deleted SQLite hands out
        the same numbers again, and the push idempotency key (a hash of the entry ids) would
        then repeat — the server would answer a *new* batch from its record of an old one and
        drop it. Keeping the highest acknowledged row (status 1, invisible to `pending`,
        `count` and `rejected`) keeps numbers increasing for the life of the store.
        """
        seqs = list(seqs)
        with self._db.tx():
            for i in range(0, len(seqs), 500):
                chunk = seqs[i : i + 500]
                self._db.execute(f"UPDATE outbox SET status = 1 WHERE status = 0 AND seq IN ({','.join('?' * len(chunk))})",
                                 chunk)
            self._db.execute("DELETE FROM outbox WHERE status = 1 AND seq < (SELECT max(seq) FROM outbox)")
            self._db.execute("DELETE FROM sync_frozen WHERE seq NOT IN (SELECT seq FROM outbox WHERE status = 0)")

    def frozen(self, seqs: Sequence[int]) -> dict[int, Any]:
        """Fixed deltas (JSON) of these outbox entries, where one was fixed."""
        out: dict[int, Any] = {}
        seqs = list(seqs)
        for i in range(0, len(seqs), 500):
            chunk = seqs[i : i + 500]
            rows = self._db.execute(f"SELECT seq, change FROM sync_frozen WHERE seq IN ({','.join('?' * len(chunk))})",
                                    chunk)
            out.update({s: loads(c) for s, c in rows})
        return out

    def freeze(self, seq: int, change: Any) -> None:
        self._db.execute("INSERT OR IGNORE INTO sync_frozen(seq, change) VALUES (?, ?)", (seq, dumps(change)))

    def reject(self, seq: int, reason: str) -> None:
        with self._db.tx():
            self._store.outbox.reject(seq, reason)
            self._db.execute("DELETE FROM sync_frozen WHERE seq = ?", (seq,))

    def rejected_count(self) -> int:
        return self._db.one("SELECT count(*) FROM outbox WHERE status = 2")[0]

    # -- conflicts -------------------------------------------------------------------------
    def replace_conflicts(self, uuid: str, rows: Iterable[tuple[str, str, str, list[Any], list[list[Any]]]]) -> None:
        """Set the record's conflicts to `rows` of (field, kind, module, winner, others).

        A conflict already listed keeps its first `found_at`, so the view's order is stable.
        """
        with self._db.tx():
            old = {(f, k): at for f, k, at in self._db.execute(
                "SELECT field, kind, found_at FROM sync_conflicts WHERE uuid = ?", (uuid,))}
            self._db.execute("DELETE FROM sync_conflicts WHERE uuid = ?", (uuid,))
            now = now_iso()
            self._db.executemany(
                "INSERT INTO sync_conflicts(uuid, field, kind, module, winner, others, found_at) VALUES (?,?,?,?,?,?,?)",
                [(uuid, f, k, m, dumps(w), dumps(o), old.get((f, k), now)) for f, k, m, w, o in rows],
            )

    def conflicts(self, uuid: str | None = None) -> list[ConflictRow]:
        sql = "SELECT uuid, field, kind, module, winner, others, found_at FROM sync_conflicts"
        params: tuple[Any, ...] = ()
        if uuid is not None:
            sql, params = sql + " WHERE uuid = ?", (uuid,)
        rows = self._db.execute(sql + " ORDER BY found_at, uuid, field", params)
        return [ConflictRow(u, f, k, m, loads(w), loads(o), at) for u, f, k, m, w, o, at in rows]

    def conflict_count(self) -> int:
        return self._db.one("SELECT count(*) FROM sync_conflicts")[0]

    # -- attachments -----------------------------------------------------------------------
    def uploaded(self) -> set[str]:
        """SHA-256s of attachments the server holds completely (uploaded or downloaded)."""
        return {r[0] for r in self._db.execute("SELECT sha256 FROM sync_uploaded")}

    def mark_uploaded(self, sha: str) -> None:
        with self._db.tx():
            self._db.execute("INSERT OR IGNORE INTO sync_uploaded(sha256, at) VALUES (?, ?)", (sha, now_iso()))

    # -- watch list ------------------------------------------------------------------------
    def watch_apply(self, uuid: str, id_number: str | None, reason: str, source: str) -> None:
        """Make the pulled watch-list record `uuid` hold `id_number` (None withdraws it).

        Only the keyed hash is written; the hash the record put in before is removed first,
        so a corrected number or a withdrawal leaves no stale alert.
        """
        wl = self._store.watchlist
        with self._db.tx():
            row = self._db.one("SELECT id_mac FROM sync_watch WHERE uuid = ?", (uuid,))
            new_mac = wl._mac(id_number) if id_number else None
            if row is not None and bytes(row[0]) != new_mac:
                self._db.execute("DELETE FROM watchlist WHERE id_mac = ?", (row[0],))
            if new_mac is None:
                self._db.execute("DELETE FROM sync_watch WHERE uuid = ?", (uuid,))
                return
            wl.add(id_number, reason, source)
            self._db.execute("INSERT OR REPLACE INTO sync_watch(uuid, id_mac) VALUES (?, ?)", (uuid, new_mac))

    # -- local writes that settle conflicts -------------------------------------------------
    def restamp(self, uuid: str, field: str, value: Any, terms: IndexTermsLike | None) -> str:
        """Write `field` = `value` with a fresh stamp even when the value is unchanged.

        Settling a same-field conflict in favour of the value already shown must still send a
        write that has seen every version; `store.records.update` skips unchanged values.
        Returns the stamp.
        """
        ctx, db = self._ctx, self._db
        with db.tx():
            rec = self._store.records.get(uuid, include_deleted=True)
            if rec is None:
                raise NotFound("没有找到这条记录", message_en=f"No record {uuid}")
            now, stamp, who = now_iso(), ctx.hlc.now(), ctx.user
            data = {**rec.data, field: value}
            versions = {**rec.versions, field: stamp}
            db.execute(
                "INSERT INTO history(record_id, at, by, op, field, old, new, stamp) VALUES (?,?,?,'update',?,?,?,?)",
                (rec.id, now, who, field, dumps(rec.data.get(field)), dumps(value), stamp))
            village, grid, date = rec.village, rec.grid, rec.date
            if terms is not None and not rec.deleted:
                village, grid, date = terms.village, terms.grid, terms.date
                self._store.records._replace_terms(rec.id, rec.module, _terms_of(terms))
            db.execute(
                "UPDATE records SET data=?, versions=?, updated_at=?, updated_by=?, village=?, grid=?, date=? WHERE id=?",
                (dumps(data), dumps(versions), now, who, village, grid, date, rec.id))
            self._store.records._outbox(uuid, rec.module, "update", {field: [value, stamp]}, now)
        return stamp

    def set_deleted(self, uuid: str, deleted: bool, terms: IndexTermsLike | None) -> str:
        """Tombstone (again) or restore a record as a local edit that syncs; returns the stamp.

        A restore brings back the edits an edit-vs-delete conflict showed; a repeated delete
        states "deleted, having seen those edits". Both clear that conflict everywhere.
        """
        ctx, db = self._ctx, self._db
        with db.tx():
            rec = self._store.records.get(uuid, include_deleted=True)
            if rec is None:
                raise NotFound("没有找到这条记录", message_en=f"No record {uuid}")
            now, stamp, who = now_iso(), ctx.hlc.now(), ctx.user
            versions = {**rec.versions, "_deleted": stamp}
            tlist = [] if deleted else _terms_of(terms)
            self._store.records._replace_terms(rec.id, rec.module, tlist)
            db.execute("UPDATE records SET deleted=?, versions=?, updated_at=?, updated_by=? WHERE id=?",
                       (int(deleted), dumps(versions), now, who, rec.id))
            db.execute(
                "INSERT INTO history(record_id, at, by, op, field, old, new, stamp) VALUES (?,?,?,?,NULL,NULL,NULL,?)",
                (rec.id, now, who, "delete" if deleted else "restore", stamp))
            self._store.records._outbox(uuid, rec.module, "delete" if deleted else "restore",
                                        {"_deleted": [deleted, stamp]}, now)
        return stamp
