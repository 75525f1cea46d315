"""`store.sync`: the plain storage the sync adapter needs beside records and the outbox.

The merge itself lives in `fieldkit.services.sync_replica` (the store may not import
`sync.merge`); this part only keeps what it is handed: opaque sync states, the conflicts
table, the "already on the server" mark of attachments, the keyed hash each pulled watch-list
entry put in, and the frozen deltas of outbox entries. Record writes are not here: merged
states are stored by `store.records.apply_remote`, local edits by the other `store.records`
verbs (the one write path).

Threading: one thread at a time (the store's). Times are ISO-8601 UTC strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from . import attachment_index, crypto
from .ctx import Ctx, dumps, loads, now_iso
from .watchlist import Watchlist


@dataclass(frozen=True)
class ConflictRow:
    """One stored conflict: `winner` and each of `others` are ``[value, hlc]``; for kind
    "invalid" (a pulled value the form refuses) `reason` says why."""

    uuid: str
    field: str
    kind: str
    module: str
    winner: list[Any]
    others: list[list[Any]]
    found_at: str
    reason: str = ""


class SyncTables:
    def __init__(self, ctx: Ctx, watchlist: Watchlist) -> None:
        self._db = ctx.db
        self._s = ctx.schema
        self._watchlist = watchlist

    # -- sync state ------------------------------------------------------------------------
    def set_state(self, uuid: str, state: Any) -> None:
        """Replace a record's opaque sync state (after its local edits were acknowledged)."""
        with self._db.tx():
            self._db.execute(f"UPDATE {self._s}.records SET sync = ? WHERE uuid = ?", (dumps(state), uuid))
            attachment_index.reindex(self._db, self._s, [(uuid, state)])

    def states_with_refs(self, marker: str) -> list[tuple[str, Any]]:
        """(uuid, state) of records whose state text contains `marker` (e.g. ``"sha256:"``): a
        scan of every record, kept as the anchor of bench/attachment_bench.py (sync reads
        `to_upload`/`to_download`)."""
        rows = self._db.execute(f"SELECT uuid, sync FROM {self._s}.records WHERE sync LIKE ?", (f"%{marker}%",))
        return [(u, loads(s)) for u, s in rows]

    # -- deltas fixed before they were sent ----------------------------------------------------
    def frozen(self, seqs: Sequence[int]) -> dict[int, Any]:
        """Fixed deltas (JSON) of these outbox entries, where one was fixed."""
        out: dict[int, Any] = {}
        seqs = list(seqs)
        for i in range(0, len(seqs), 500):
            chunk = seqs[i : i + 500]
            rows = self._db.execute(f"SELECT seq, change FROM {self._s}.sync_frozen WHERE seq IN ({','.join('?' * len(chunk))})",
                                    chunk)
            out.update({s: loads(c) for s, c in rows})
        return out

    def freeze(self, seq: int, change: Any) -> None:
        self._db.execute(f"INSERT OR IGNORE INTO {self._s}.sync_frozen(seq, change) VALUES (?, ?)", (seq, dumps(change)))

    # -- conflicts -------------------------------------------------------------------------
    def replace_conflicts(self, uuid: str, rows: Iterable[tuple[Any, ...]]) -> None:
        """Set the record's conflicts to `rows` of (field, kind, module, winner, others[, reason]).

        A conflict already listed keeps its first `found_at`, so the view's order is stable.
        """
        with self._db.tx():
            old = {(f, k): at for f, k, at in self._db.execute(
                f"SELECT field, kind, found_at FROM {self._s}.sync_conflicts WHERE uuid = ?", (uuid,))}
            self._db.execute(f"DELETE FROM {self._s}.sync_conflicts WHERE uuid = ?", (uuid,))
            now = now_iso()
            self._db.executemany(
                f"INSERT INTO {self._s}.sync_conflicts(uuid, field, kind, module, winner, others, found_at, reason)"
                " VALUES (?,?,?,?,?,?,?,?)",
                [(uuid, r[0], r[1], r[2], dumps(r[3]), dumps(r[4]), old.get((r[0], r[1]), now),
                  r[5] if len(r) > 5 else None) for r in rows],
            )

    def conflicts(self, uuid: str | None = None) -> list[ConflictRow]:
        sql = f"SELECT uuid, field, kind, module, winner, others, found_at, reason FROM {self._s}.sync_conflicts"
        params: tuple[Any, ...] = ()
        if uuid is not None:
            sql, params = sql + " WHERE uuid = ?", (uuid,)
        rows = self._db.execute(sql + " ORDER BY found_at, uuid, field", params)
        return [ConflictRow(u, f, k, m, loads(w), loads(o), at, r or "") for u, f, k, m, w, o, at, r in rows]

    def conflict_count(self) -> int:
        return self._db.one(f"SELECT count(*) FROM {self._s}.sync_conflicts")[0]

    # -- attachments -----------------------------------------------------------------------
    def uploaded(self) -> set[str]:
        """SHA-256s of attachments the server holds completely (uploaded or downloaded)."""
        return {r[0] for r in self._db.execute("SELECT sha256 FROM main.sync_uploaded")}

    def mark_uploaded(self, sha: str) -> None:
        with self._db.tx():
            self._db.execute("INSERT OR IGNORE INTO main.sync_uploaded(sha256, at) VALUES (?, ?)", (sha, now_iso()))
            attachment_index.set_uploaded(self._db, self._s, sha)

    def partial(self, sha: str) -> bytes:
        """The kept first bytes of a download cut off (b"" if none)."""
        row = self._db.one("SELECT data FROM main.attachment_partials WHERE sha256 = ?", (sha,))
        return b"" if row is None else bytes(row[0])

    def keep_partial(self, sha: str, data: bytes) -> None:
        """Keep `data` as the start of the download of `sha`; b"" forgets it."""
        with self._db.tx():
            if data:
                self._db.execute("INSERT OR REPLACE INTO main.attachment_partials(sha256, data, at) VALUES (?, ?, ?)",
                                 (sha, data, now_iso()))
            else:
                self._db.execute("DELETE FROM main.attachment_partials WHERE sha256 = ?", (sha,))

    def to_upload(self) -> list[tuple[str, str]]:
        """(record uuid, sha256) of files the server does not hold yet, referenced by states it
        acknowledged, the file here (store/attachment_index.py: read from an index, not a scan)."""
        return attachment_index.to_upload(self._db, self._s)

    def to_download(self) -> list[tuple[str, str]]:
        """(record uuid, sha256) of files referenced by stored states and absent here."""
        return attachment_index.to_download(self._db, self._s)

    # -- the sealed inbox (store/partition.py) ------------------------------------------------
    def seal_pulled(self, change: Any, pub: bytes) -> None:
        """Keep a pulled change this session cannot open, sealed to the restricted inbox key."""
        blob = crypto.seal(pub, dumps(change).encode(), "fieldkit/v2/restricted-inbox")
        self._db.execute("INSERT INTO main.sealed_inbox(blob, at) VALUES (?, ?)", (blob, now_iso()))

    def sealed_pulled(self, priv: bytes) -> list[tuple[int, Any]]:
        """(id, change) of the sealed pulled changes, oldest first; ones that do not open
        (sealed to an older inbox key before a rotation… or altered) are skipped."""
        out = []
        for i, blob in self._db.execute("SELECT id, blob FROM main.sealed_inbox ORDER BY id"):
            text = crypto.open_sealed(priv, bytes(blob), "fieldkit/v2/restricted-inbox")
            if text is not None:
                out.append((i, loads(text.decode())))
        return out

    def sealed_count(self) -> int:
        return self._db.one("SELECT count(*) FROM main.sealed_inbox")[0]

    def drop_sealed(self, ids: Sequence[int]) -> None:
        self._db.executemany("DELETE FROM main.sealed_inbox WHERE id = ?", [(i,) for i in ids])

    # -- watch list ------------------------------------------------------------------------
    def watch_apply(self, uuid: str, id_number: str | None, reason: str, source: str) -> None:
        """Make the pulled watch-list record `uuid` hold `id_number` (None withdraws it).

        Only the keyed hash is written; the hash the record put in before is removed first,
        so a corrected number or a withdrawal leaves no stale alert.
        """
        wl = self._watchlist
        with self._db.tx():
            row = self._db.one("SELECT id_mac FROM main.sync_watch WHERE uuid = ?", (uuid,))
            new_mac = wl.key_of(id_number) if id_number else None
            if row is not None and bytes(row[0]) != new_mac:
                wl.remove_mac(bytes(row[0]))
            if new_mac is None:
                self._db.execute("DELETE FROM main.sync_watch WHERE uuid = ?", (uuid,))
                return
            wl.add(id_number or "", reason, source)
            self._db.execute("INSERT OR REPLACE INTO main.sync_watch(uuid, id_mac) VALUES (?, ?)", (uuid, new_mac))
