"""The restricted database: the records a role may not view live under a key its passphrase
cannot unwrap (issue 11, item 2; docs/security.md, "Restricted modules").

``restricted.db`` beside ``fieldkit.db`` is a second SQLCipher database with the same schema,
keyed from the *restricted key*. That key is sealed in keyring.json only to the users whose role
may view the restricted modules (the permissions table decides: a module is restricted when some
role may not view it) and to the recovery pair. A session that opened it ATTACHes the database
as schema ``restricted``; the store's parts then run twice, once per database, behind one facade
(store/routed.py) that sends each module to its database. A grid worker's session never has the
key: its store has no ``restricted`` schema, and nothing it can derive opens the file.

What stays in ``fieldkit.db`` about a restricted record: nothing — its row, history, index terms,
outbox entries, conflicts, drafts and attachments are all in ``restricted.db``. The audit log (in
``fieldkit.db``) names the module, the record's uuid and the action, never values. Watch-list
entries keep their keyed hash in ``fieldkit.db`` (so a grid worker's scan still warns), but their
reason only in ``restricted.db``.

Row ids and outbox sequence numbers of the restricted database start at `BASE`, so a row id or
a sequence number says which database it is in, and sync's ids never meet.

Threading: called on the store's thread while it opens.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from fieldkit.domain.storage_faults import Fault, fault_error

from . import attachments, crypto
from .db import Db, connect
from .keyring import b64d, inbox_pair
from .migrations import migrate

if TYPE_CHECKING:
    from .keyring import Keyring
    from .store import Store

RESTRICTED_DB = "restricted.db"
SCHEMA = "restricted"
BASE = 1 << 40
#: What a session without the restricted key sees as a watch-list entry's reason.
HIDDEN_REASON = "布控人员（原因仅民警和所长可见）"


def db_key(rkey: bytes, store_id: str) -> bytes:
    """The SQLCipher key of ``restricted.db`` (raw 256-bit, like the main database's)."""
    return crypto.hkdf(rkey, "fieldkit/v2/restricted-db", store_id.encode())


def subkeys(rkey: bytes, store_id: str) -> dict[str, bytes]:
    """The attachment keys of restricted records (their files share ``attachments/``; the name
    key differs, so names never collide and reveal nothing)."""
    return {p: crypto.hkdf(rkey, f"fieldkit/v2/restricted/{p}", store_id.encode())
            for p in ("attachments", "attachment-names")}


def inbox_pub(kr: Keyring) -> bytes | None:
    r = kr.restricted()
    return None if r is None else b64d(r["pub"])


def inbox_priv(rkey: bytes, store_id: str) -> bytes:
    return inbox_pair(rkey, store_id)[0]


def attach(db: Db, home: Path, rkey: bytes, store_id: str, *, read_only: bool, create: bool) -> None:
    """ATTACH ``restricted.db`` as `SCHEMA` under its key, migrating it first (in a connection of
    its own: the migrations are unqualified SQL). A missing file is created only when `create`
    (a new partition); otherwise it is "missing", like a missing ``fieldkit.db``."""
    path = home / RESTRICTED_DB
    key = db_key(rkey, store_id)
    if (not path.is_file() or path.stat().st_size == 0) and (not create or read_only):
        raise fault_error(Fault.MISSING, where=str(path))
    if not read_only:
        own = Db(connect(path, key), path)
        try:
            migrate(own)
        finally:
            own.close()
    if read_only:
        wal = path.with_name(path.name + "-wal")
        unmerged = wal.is_file() and wal.stat().st_size > 0
        target = f"file:{quote(str(path))}?mode=ro" + ("" if unmerged else "&immutable=1")
    else:
        target = str(path)
    db.execute(f"ATTACH DATABASE ? AS {SCHEMA} KEY \"x'{key.hex()}'\"", (target,))
    db.execute(f"SELECT count(*) FROM {SCHEMA}.sqlite_master").fetchone()
    if not read_only:
        db.execute(f"PRAGMA {SCHEMA}.journal_mode = WAL").fetchone()
        db.execute(f"PRAGMA {SCHEMA}.synchronous = FULL")


_ROW_COLS = ("uuid, module, data, versions, terms, created_at, created_by, updated_at, updated_by, deleted,"
             " village, grid, date, sync")


def move_in(db: Db, home: Path, modules: frozenset[str], main_keys: dict[str, bytes],
            r_keys: dict[str, bytes]) -> dict[str, int]:
    """Move every record of `modules` (with its history, terms, pending outbox entries, conflicts,
    frozen deltas, drafts and attachments) from ``fieldkit.db`` into the attached restricted
    database, and watch-list reasons with them; returns counts. Idempotent: a move killed
    half-way (the two files commit separately) is finished by the next one — rows are matched
    by uuid. Deleted rows are overwritten (``secure_delete``) and the WAL truncated, so the old
    copies do not linger in ``fieldkit.db``'s free pages for a grid worker's key to read."""
    mods = sorted(modules)
    marks = ",".join("?" * len(mods))
    s = SCHEMA
    moved: dict[str, int] = {"records": 0, "attachments": 0, "watchlist": 0}
    moved_files: list[Path] = []
    db.execute("PRAGMA main.secure_delete = ON")
    try:
        with db.tx():
            base = max(db.one(f"SELECT max(id) FROM {s}.records")[0] or 0, BASE)
            db.execute("CREATE TEMP TABLE IF NOT EXISTS moving (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
            db.execute("DELETE FROM temp.moving")
            db.execute(f"INSERT INTO temp.moving(old, new) SELECT id, ? + row_number() OVER (ORDER BY id)"
                       f" FROM main.records WHERE module IN ({marks})"
                       f" AND uuid NOT IN (SELECT uuid FROM {s}.records)", (base, *mods))
            moved["records"] = db.one("SELECT count(*) FROM temp.moving")[0]
            db.execute(f"INSERT INTO {s}.records(id, {_ROW_COLS}) SELECT m.new, {_ROW_COLS}"
                       " FROM main.records JOIN temp.moving m ON m.old = main.records.id")
            db.execute(f"INSERT INTO {s}.history(record_id, at, by, op, field, old, new, stamp)"
                       " SELECT m.new, h.at, h.by, h.op, h.field, h.old, h.new, h.stamp FROM main.history h"
                       " JOIN temp.moving m ON m.old = h.record_id ORDER BY h.id")
            db.execute(f"INSERT OR IGNORE INTO {s}.terms(kind, key, module, rid)"
                       " SELECT t.kind, t.key, t.module, m.new FROM main.terms t JOIN temp.moving m ON m.old = t.rid")
            # Pending and rejected outbox entries keep their order; their frozen deltas follow them.
            for seq, *row in db.execute(
                    f"SELECT seq, uuid, module, op, fields, schema_version, at, by, status, reason, stamp,"
                    # An entry read from its row follows the row (moved above, by uuid) to its new id.
                    f" CASE WHEN o.stamp IS NOT NULL THEN (SELECT r.id FROM {s}.records r WHERE r.uuid = o.uuid) END"
                    " FROM main.outbox o"
                    f" WHERE module IN ({marks}) AND status <> 1 ORDER BY seq", mods).fetchall():
                new_seq = max(db.one(f"SELECT max(seq) FROM {s}.outbox")[0] or 0, BASE) + 1
                db.execute(f"INSERT INTO {s}.outbox(seq, uuid, module, op, fields, schema_version, at, by, status, reason,"
                           " stamp, rid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", (new_seq, *row))
                db.execute(f"INSERT OR IGNORE INTO {s}.sync_frozen(seq, change) SELECT ?, change FROM main.sync_frozen"
                           " WHERE seq = ?", (new_seq, seq))
                db.execute("DELETE FROM main.sync_frozen WHERE seq = ?", (seq,))
            db.execute(f"DELETE FROM main.outbox WHERE module IN ({marks}) AND status <> 1", mods)
            db.execute(f"INSERT OR REPLACE INTO {s}.sync_conflicts SELECT * FROM main.sync_conflicts WHERE module IN ({marks})",
                       mods)
            db.execute(f"DELETE FROM main.sync_conflicts WHERE module IN ({marks})", mods)
            for m in mods:
                db.execute(f"INSERT OR REPLACE INTO {s}.drafts SELECT * FROM main.drafts WHERE key >= ? AND key < ?",
                           (m + ":", m + ";"))
                db.execute("DELETE FROM main.drafts WHERE key >= ? AND key < ?", (m + ":", m + ";"))
            uuids = f"SELECT uuid FROM {s}.records"
            atts = db.execute(f"SELECT sha256 FROM main.attachments WHERE record_uuid IN ({uuids})").fetchall()
            moved_files = [f for (sha,) in atts if (f := _copy_file(home, sha, main_keys, r_keys)) is not None]
            db.execute(f"INSERT OR IGNORE INTO {s}.attachments SELECT * FROM main.attachments"
                       f" WHERE record_uuid IN ({uuids})")
            db.execute(f"DELETE FROM main.attachments WHERE record_uuid IN ({uuids})")
            # The sync round's index goes with its records; `present` now says what this part holds.
            db.execute(f"INSERT OR IGNORE INTO {s}.attachment_refs SELECT * FROM main.attachment_refs"
                       f" WHERE uuid IN ({uuids})")
            db.execute(f"UPDATE {s}.attachment_refs SET present = sha256 IN (SELECT sha256 FROM {s}.attachments)")
            db.execute(f"DELETE FROM main.attachment_refs WHERE uuid IN ({uuids})")
            db.execute("UPDATE main.attachment_refs SET present = sha256 IN (SELECT sha256 FROM main.attachments)"
                       " WHERE present = 1")
            moved["attachments"] = len(atts)
            db.execute("DELETE FROM main.terms WHERE rid IN (SELECT id FROM main.records WHERE uuid IN"
                       f" ({uuids}))")
            db.execute(f"DELETE FROM main.history WHERE record_id IN (SELECT id FROM main.records WHERE uuid IN ({uuids}))")
            db.execute(f"DELETE FROM main.records WHERE uuid IN ({uuids})")
            moved["watchlist"] = db.execute(
                f"INSERT OR REPLACE INTO {s}.watchlist SELECT * FROM main.watchlist WHERE reason <> ?",
                (HIDDEN_REASON,)).rowcount
            db.execute("UPDATE main.watchlist SET reason = ? WHERE reason <> ?", (HIDDEN_REASON, HIDDEN_REASON))
    finally:
        db.execute("PRAGMA main.secure_delete = OFF")
    for f in moved_files:  # only once the rows point at the copies
        with contextlib.suppress(OSError):
            f.unlink()
    db.execute("PRAGMA main.wal_checkpoint(TRUNCATE)")
    return moved


def _copy_file(home: Path, sha: str, old: dict[str, bytes], new: dict[str, bytes]) -> Path | None:
    """Re-encrypt one attachment file under the restricted keys (new name, new key); returns the
    old file, for the caller to remove once the move committed."""
    src = attachments.file_path(home / attachments.DIRNAME, old, sha)
    dest = attachments.file_path(home / attachments.DIRNAME, new, sha)
    if not src.exists():
        return None
    if not dest.exists():
        data = attachments.read_file(src, old)
        if hashlib.sha256(data).hexdigest() != sha:
            return None  # not the file its name says: left where it is, like any stray file
        attachments.write_file(dest, data, new)
    return src


def setup(store: Store, kr: Keyring, *, writable: bool, save_keyring: Callable[[Keyring], None],
          creating: bool = False) -> None:
    """At unlock, once the main database is open: attach the restricted database when this
    user's seal opened the restricted key; make the partition (a new key, sealed to its roles)
    when the store has none yet and this user's role holds it; move in the records of modules
    the permissions table restricts and the partition does not hold yet. The keyring is saved
    (`save_keyring`) *before* any record moves: the key must be on disk first."""
    # Imported here, not at the top: `import fieldkit.store` must not pull the form machinery
    # (and pypinyin) into every CLI start; an unlock needs it anyway.
    from fieldkit.formspec.loader import default_forms_dir
    from fieldkit.formspec.permissions import default_partition

    table = default_partition(default_forms_dir())
    rkey = kr.rkey
    have = kr.restricted()
    db = store._db
    role = store.user.role
    if have is None:
        if not (writable and table.modules and table.holds(role)) or (store.home / RESTRICTED_DB).exists():
            return
        rkey = crypto.random_key()
        kr.set_restricted(table.modules, table.roles, rkey)
        save_keyring(kr)
        attach(db, store.home, rkey, store.store_id, read_only=False, create=True)
        moving = frozenset() if creating else table.modules
    elif rkey is None:
        return
    else:
        attach(db, store.home, rkey, store.store_id, read_only=not writable, create=False)
        moving = table.modules - kr.restricted_modules() if writable and table.holds(role) else frozenset()
        if moving or set(have["roles"]) != set(table.roles):
            kr.set_restricted(kr.restricted_modules() | table.modules, table.roles, rkey)
            save_keyring(kr)
    store._inbox_pub = inbox_pub(kr)
    store._build_parts(rkey, kr.restricted_modules(), partitioned=True)
    marks = ",".join("?" * len(moving))
    if moving and db.one(f"SELECT 1 FROM main.records WHERE module IN ({marks}) UNION ALL SELECT 1 FROM main.watchlist"
                         " WHERE reason <> ? LIMIT 1", (*sorted(moving), HIDDEN_REASON)) is None:
        moving = frozenset()  # nothing to move (a new store, or nothing of them written yet)
    if moving:
        moved = move_in(db, store.home, moving, store._ctx.keys, subkeys(rkey, store.store_id))
        if any(moved.values()):  # audited by `Store._after_unlock`, once the keyring lock is released
            store._pending_audit.append(("restricted_moved", {"modules": sorted(moving), **moved}))
