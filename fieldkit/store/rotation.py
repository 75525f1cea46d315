"""Rotating the data key (issue 11, item 3): after a user is removed or disabled, or the recovery
code replaced, a copy of the old keyring.json plus an old passphrase must not open new data.

Steps (design and measurements: docs/security.md, "Rotating the data key"):
1. ``fieldkit.db`` is exported under a new random key into ``fieldkit.db.rotating.<pid>``
   (`sqlcipher_export`, not `PRAGMA rekey`: the old file stays whole until the swap, so a laptop
   that dies mid-way keeps a store that opens with the old key), then fsynced.
2. Every attachment file is decrypted with the old attachment key and written again under the
   new one into ``attachments.rotating.<pid>/`` (file names change too: they are HMACs keyed
   from the data key).
3. Commit point — one atomic keyring write: the new key sealed to every user's and the recovery
   code's public key (`Keyring.reseal`, no passphrase needed), the lockout chain and the audit
   anchor MACed with keys from the new key, and a ``rotation`` note naming the new files.
4. The new files are renamed into place (the old WAL and WAL index removed first), the store is
   reopened with the new key and a "key_rotated" entry (with counts) is audited; the note goes.

A process killed before 3 leaves the old store intact: the next unlock sweeps the half-written
files of dead processes. Killed after 3, the next unlock (`resume`) finishes step 4 from the note.
The watch list's HMAC key is kept (stored inside the database at the first rotation): its
entries hold no ID number to re-hash, and they are only readable through the new database key.
Backups made before a rotation keep the old key and open with the passphrases of that time.

Threading: `rotate` runs on the store's thread (it is a `Store` verb's body); `progress` and
`cancel` are called on that thread. Cancelling is honoured until the commit point only.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag

from fieldkit import fsio
from fieldkit.domain.errors import Cancelled, UserFacingError

from . import attachments, crypto, partition
from .keyring import Keyring, b64e
from .lockout import _audit_key, _lock_key

if TYPE_CHECKING:
    from .store import Store

DB_NAME = "fieldkit.db"
ATT_DIR = "attachments"
WATCHLIST_KEY = "watchlist_key"  # settings entry: the watch list's HMAC key, kept across rotations
NOTE = "rotation"
DUE = "rotation_due"  # keyring entry: a user change made a rotation due that has not finished yet
Progress = Callable[[str, int, int], None]  # (phase "database"|"attachments", done, total)


def subkey(data_key: bytes, store_id: str, purpose: str) -> bytes:
    return crypto.hkdf(data_key, f"fieldkit/v1/{purpose}", store_id.encode())


def _db_tmp(home: Path, pid: int) -> Path:
    return home / f"{DB_NAME}.rotating.{pid}"


def _att_tmp(home: Path, pid: int) -> Path:
    return home / f"{ATT_DIR}.rotating.{pid}"


def _export(store: Store, dest: Path, new_key: bytes, progress: Progress | None,
            cancel: Callable[[], bool] | None, source: str = "main") -> None:
    """`sqlcipher_export` of the open database `source` into `dest` under `new_key`; `Cancelled`
    when `cancel()` says so (checked by SQLite's progress handler every 10,000 VM steps)."""
    conn = store._db._c()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = conn.execute(f"PRAGMA {source}.page_count").fetchone()[0]
    page = conn.execute(f"PRAGMA {source}.page_size").fetchone()[0]
    cancelled = False

    def tick() -> int:
        nonlocal cancelled
        if cancel is not None and cancel():
            cancelled = True
            return 1
        if progress is not None:
            with contextlib.suppress(OSError):
                progress("database", min(total, dest.stat().st_size // page), total)
        return 0

    conn.execute(f"ATTACH DATABASE ? AS rotating KEY \"x'{new_key.hex()}'\"", (str(dest),))
    try:
        conn.set_progress_handler(tick, 10_000)
        try:
            conn.execute(f"SELECT sqlcipher_export('rotating', '{source}')").fetchone()
        except Exception:
            if cancelled:
                raise Cancelled("已取消更换数据密钥，数据库未改动") from None
            raise
        finally:
            conn.set_progress_handler(None, 0)
    finally:
        conn.execute("DETACH DATABASE rotating")
    fsio.fsync_path(dest)
    if progress is not None:
        progress("database", total, total)


def _keys(key: bytes, store_id: str) -> dict[str, bytes]:
    return {p: subkey(key, store_id, p) for p in ("attachments", "attachment-names")}


def _open_any(path: Path, pairs: list[tuple[dict[str, bytes], dict[str, bytes]]]
              ) -> tuple[bytes, dict[str, bytes], dict[str, bytes]] | None:
    for old, new in pairs:
        try:
            return attachments.read_file(path, old), old, new
        except InvalidTag:
            continue
    return None


def _attachments(home: Path, dest: Path, pairs: list[tuple[dict[str, bytes], dict[str, bytes]]],
                 progress: Progress | None, cancel: Callable[[], bool] | None) -> int:
    """Re-encrypt every attachment file into `dest`: a file that opens under the old keys of a
    pair (the main database's, the restricted one's) is written under that pair's new keys;
    returns the count."""
    src = home / ATT_DIR
    files = sorted(p for p in src.glob("*/*") if p.is_file()) if src.is_dir() else []
    dest.mkdir()
    for i, path in enumerate(files):
        if cancel is not None and cancel():
            raise Cancelled("已取消更换数据密钥，数据库未改动")
        opened = _open_any(path, pairs)
        if opened is None:
            continue  # not a file FieldKit wrote under this name: left behind, like any stray file
        data, old, new = opened
        sha = hashlib.sha256(data).hexdigest()
        if crypto.mac(old["attachment-names"], sha).hex() != path.name:
            continue
        attachments.write_file(attachments.file_path(dest, new, sha), data, new)
        if progress is not None:
            progress("attachments", i + 1, len(files))
    for d in [*dest.iterdir(), dest]:
        fsio.fsync_path(d)
    return len(files)


def rotate(store: Store, *, reason: str, progress: Progress | None = None,
           cancel: Callable[[], bool] | None = None) -> dict[str, Any]:
    """Re-encrypt the store under a new data key and seal it to every remaining user (see the
    module doc). Returns the audited detail: reason, records, attachments, users resealed, users
    now awaiting a reset (their wrap was format 1), whether the recovery wrap was dropped."""
    if store.rollback is not None or store.audit.fault is not None:
        raise UserFacingError("数据库只读打开，不能更换数据密钥", message_en="The store is read-only; the key cannot be changed",
                              code="read_only")
    if store._db.in_transaction:  # ATTACH is refused inside one, and the swap must follow a commit
        raise UserFacingError("更换数据密钥不能在事务中进行", message_en="The data key cannot be rotated inside a transaction",
                              code="in_transaction")
    home, pid, old = store.home, os.getpid(), store._data_key()
    if store.settings.get(WATCHLIST_KEY) is None:
        store.settings.set(WATCHLIST_KEY, store._ctx.keys["watchlist"].hex())
    store.audit.flush()
    new = crypto.random_key()
    old_r = store._rkey
    new_r = None if old_r is None else crypto.random_key()
    db_tmp, att_tmp, r_tmp = _db_tmp(home, pid), _att_tmp(home, pid), home / f"{partition.RESTRICTED_DB}.rotating.{pid}"
    try:
        _export(store, db_tmp, new, progress, cancel)
        pairs = [(_keys(old, store.store_id), _keys(new, store.store_id))]
        if old_r is not None and new_r is not None:
            _export(store, r_tmp, partition.db_key(new_r, store.store_id), progress, cancel, source=partition.SCHEMA)
            pairs.append((partition.subkeys(old_r, store.store_id), partition.subkeys(new_r, store.store_id)))
        files = _attachments(home, att_tmp, pairs, progress, cancel)
        if cancel is not None and cancel():  # the last moment it is still honoured: the commit point follows
            raise Cancelled("已取消更换数据密钥，数据库未改动")
        head = store._db.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        records = sum(store.records.modules().values())
        detail: dict[str, Any] = {"reason": reason, "records": records, "attachments": files,
                                  "restricted": new_r is not None}
        with Keyring.locked(home):
            kr = Keyring.load(home)
            kr.rkey = new_r
            res = kr.reseal(new)
            resealed = sum(1 for u in kr.data["users"].values() if "kp" in u)  # not disabled ones
            detail.update(users=resealed, needs_reset=res.needs_reset,
                          recovery_dropped=res.recovery_dropped)
            kr.note_success(_lock_key(new, kr.store_id))
            if head is not None:
                seq, h = head
                kr.data["audit_anchor"] = {"seq": seq, "hash": h,
                                           "mac": b64e(crypto.mac(_audit_key(new, kr.store_id), str(seq), h))}
            kr.data.pop(DUE, None)
            kr.data[NOTE] = {"db": db_tmp.name, "attachments": att_tmp.name, "detail": detail,
                             **({"rdb": r_tmp.name} if new_r is not None else {})}
            kr.save()  # the commit point
    except BaseException:
        for p in (db_tmp, db_tmp.with_name(db_tmp.name + "-journal"), r_tmp, r_tmp.with_name(r_tmp.name + "-journal")):
            with contextlib.suppress(OSError):
                p.unlink()
        shutil.rmtree(att_tmp, ignore_errors=True)
        raise
    store._db.close()
    swap(home, kr.data[NOTE])
    store._rekeyed(new, new_r)
    finish(store, detail)
    return detail


def swap(home: Path, note: dict[str, Any]) -> None:
    """Put the rotated files in place (idempotent: a second run after a crash completes it)."""
    att_new = home / note["attachments"]
    for tmp, name in ((note["db"], DB_NAME), (note.get("rdb"), partition.RESTRICTED_DB)):
        if tmp is None or not (home / tmp).exists():
            continue
        for suffix in ("-wal", "-shm"):  # the old key's WAL must never be replayed onto the new file
            with contextlib.suppress(FileNotFoundError):
                (home / (name + suffix)).unlink()
        os.replace(home / tmp, home / name)
    old_att = home / f"{ATT_DIR}.old"
    if att_new.exists():
        if (home / ATT_DIR).exists():
            shutil.rmtree(old_att, ignore_errors=True)
            os.replace(home / ATT_DIR, old_att)
        os.replace(att_new, home / ATT_DIR)
    fsio.fsync_path(home)
    shutil.rmtree(old_att, ignore_errors=True)


def finish(store: Store, detail: dict[str, Any]) -> None:
    """After the swap, on the reopened store: audit "key_rotated" and drop the keyring's note."""
    # Killed between this entry and the note's removal, the next unlock logs it a second time.
    store.audit.log("key_rotated", detail=detail)
    store.audit.flush()
    store.audit.anchor_now()
    store._update_keyring(lambda kr: kr.data.pop(NOTE, None))


def resume(home: Path, kr: Keyring) -> dict[str, Any] | None:
    """At unlock, before the database is opened: finish a rotation that passed its commit point
    (returns its detail, for `finish` once the store is open and the keyring lock released), or
    sweep what a dead one left (None)."""
    note = kr.data.get(NOTE)
    if note:
        swap(home, note)
        return dict(note["detail"])
    for p in [*home.glob(f"{DB_NAME}.rotating.*"), *home.glob(f"{ATT_DIR}.rotating.*"),
              *home.glob(f"{partition.RESTRICTED_DB}.rotating.*")]:
        pid = p.name.split(".rotating.", 1)[1].split("-", 1)[0]  # also its "-journal"
        if pid.isdigit() and not fsio.pid_alive(int(pid)):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    p.unlink()
    return None
