"""Encrypted backups: one zip file holding the database copy, the keyring and the attachments.

The database is copied page by page with SQLite's online backup API into a file opened with the
*same* data key, so the copy is as encrypted as the original; attachments are already encrypted
files; the keyring holds no personal data. The zip is stored uncompressed (ciphertext does not
compress) and written through `fsio.atomic_file` (no named temporary; see fsio). A manifest records the format and store id.

Restore unpacks into an empty home, or over an existing one only when asked — and then removes
the old WAL/SHM first, since a stale WAL replayed onto another database would corrupt it.
Threading: `backup` runs on the store's thread and must not be inside a transaction.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import sqlcipher3
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fieldkit import fsio
from fieldkit.domain.errors import Cancelled, Conflict, StorageError

from . import attachments as att
from .attachments import DIRNAME
from .crypto import NONCE_BYTES
from .ctx import now_iso
from .db import Db, translated
from .keyring import KEYRING, LOCKFILE, Keyring
from .partition import RESTRICTED_DB
from .partition import SCHEMA as RESTRICTED_SCHEMA

MANIFEST = "fieldkit-backup.json"
FORMAT = 1
DB_NAME = "fieldkit.db"
#: Pages copied between two progress reports (and cancel checks): 4 MiB of 4 KiB pages.
PAGES_PER_STEP = 1024
Progress = Callable[[int, int], None]


def _copy_db(db: Db, schema: str, copy: Path, key: bytes | None, progress: Progress | None = None,
             cancel: Callable[[], bool] | None = None) -> None:
    """Page-by-page copy of the open database `schema` into `copy`, under `key`; `progress(done,
    total)` in pages; `cancel()` stops it between steps (`Cancelled`)."""
    def step(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)
        if cancel is not None and cancel():
            raise Cancelled()

    with translated():
        target = sqlcipher3.connect(str(copy))
        try:
            if key is not None:
                target.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            db._c().backup(target, name=schema, pages=PAGES_PER_STEP, progress=step)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()


def backup(db: Db, home: Path, dest: Path, key: bytes | None, *, lock_key: bytes,
           restricted_key: bytes | None = None, progress: Progress | None = None,
           cancel: Callable[[], bool] | None = None) -> Path:
    """`restricted_key`: the restricted database's SQLCipher key when this session has it
    attached (copied like the main one); without it, a ``restricted.db`` is copied as the
    encrypted file it is (this session cannot open it, and need not). `progress` counts the
    main database's pages; `cancel` is polled between steps and leaves no file behind."""
    if db.in_transaction:
        raise StorageError("请先完成当前操作再备份", message_en="Finish the current change before backing up")
    dest = dest if dest.suffix else dest.with_suffix(".fkbackup")
    dest.parent.mkdir(parents=True, exist_ok=True)
    kr = Keyring.load(home)
    try:
        # The copy is as encrypted as the store; its folder is registered so that a kill
        # mid-backup leaves nothing the next start does not remove.
        with fsio.registered_dir(dest.parent, ".fkbackup-") as tmp:
            copy = tmp / DB_NAME
            _copy_db(db, "main", copy, key, progress, cancel)
            rcopy = tmp / RESTRICTED_DB
            if restricted_key is not None:
                _copy_db(db, RESTRICTED_SCHEMA, rcopy, restricted_key)
            elif (home / RESTRICTED_DB).is_file():
                shutil.copyfile(home / RESTRICTED_DB, rcopy)
            with fsio.atomic_file(dest) as out, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as z:
                manifest = {"format": FORMAT, "store_id": kr.store_id, "created_at": now_iso(),
                            "encrypted": key is not None}
                z.writestr(MANIFEST, json.dumps(manifest))
                z.write(copy, DB_NAME)
                if rcopy.exists():
                    z.write(rcopy, RESTRICTED_DB)
                # Failures and lockouts are not part of what a backup preserves.
                kr.note_success(lock_key)
                z.writestr(KEYRING, json.dumps(kr.data, indent=1, sort_keys=True))
                att = home / DIRNAME
                if att.is_dir():
                    for f in sorted(att.rglob("*")):
                        if f.is_file() and not f.name.startswith("."):
                            z.write(f, f"{DIRNAME}/{f.relative_to(att).as_posix()}")
    except OSError as e:
        raise StorageError(f"无法写入备份：{e.strerror}", message_en=f"Cannot write the backup: {e}") from e
    return dest


def restore(src: Path, home: Path, *, overwrite: bool) -> None:
    if Keyring.exists(home) and not overwrite:
        raise Conflict(f"{home} 已有数据库，未覆盖（如确需覆盖请明确选择覆盖）",
                       message_en=f"A store already exists at {home}; not overwritten unless asked",
                       code="store_exists")
    try:
        z = zipfile.ZipFile(src)
    except (OSError, zipfile.BadZipFile) as e:
        raise StorageError("备份文件无法读取或已损坏", message_en=f"The backup file cannot be read: {e}") from e
    with z:
        names = z.namelist()
        try:
            manifest = json.loads(z.read(MANIFEST))
        except (KeyError, ValueError) as e:
            raise StorageError("这不是 FieldKit 备份文件", message_en="Not a FieldKit backup file") from e
        if manifest.get("format") != FORMAT or DB_NAME not in names or KEYRING not in names:
            raise StorageError("备份文件格式不受支持", message_en="Unsupported backup format")
        for n in names:
            p = PurePosixPath(n)
            if p.is_absolute() or ".." in p.parts:
                raise StorageError("备份文件含有非法路径", message_en=f"Backup has an unsafe path: {n}")
        try:
            home.mkdir(parents=True, exist_ok=True)
            with fsio.registered_dir(home, ".restore-") as staging:
                _swap_in(z, staging, home)
        except OSError as e:
            raise StorageError(f"无法恢复备份：{e.strerror}", message_en=f"Cannot restore the backup: {e}") from e


def _swap_in(z: zipfile.ZipFile, staging: Path, home: Path) -> None:
    z.extractall(staging)
    kept = None
    if (home / DB_NAME).exists() or (home / KEYRING).exists():
        # The replaced store is kept whole (database with its WAL, keyring, attachments), never
        # deleted: a restore that dropped newer records can still be undone by hand.
        kept = home / f"replaced-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
        kept.mkdir()
        for db in (DB_NAME, RESTRICTED_DB):
            for name in (db, db + "-wal", db + "-shm"):
                if (home / name).exists():
                    os.replace(home / name, kept / name)
        if (home / DIRNAME).exists():
            os.replace(home / DIRNAME, kept / DIRNAME)
        with contextlib.suppress(FileNotFoundError):
            shutil.copy2(home / KEYRING, kept / KEYRING)
    for suffix in ("", "-wal", "-shm"):  # never a WAL of another database beside a restored one
        with contextlib.suppress(FileNotFoundError):
            (home / (RESTRICTED_DB + suffix)).unlink()
    if (staging / RESTRICTED_DB).exists():
        os.replace(staging / RESTRICTED_DB, home / RESTRICTED_DB)
    os.replace(staging / DB_NAME, home / DB_NAME)
    if (staging / DIRNAME).exists():
        os.replace(staging / DIRNAME, home / DIRNAME)
    # The keyring last: it is what makes the directory "a store".
    os.replace(staging / KEYRING, home / KEYRING)
    with contextlib.suppress(FileNotFoundError):
        (home / LOCKFILE).unlink()
    fsio.fsync_path(home)
    _last_kept[home] = kept


_last_kept: dict[Path, Path | None] = {}


def kept_folder(home: Path) -> Path | None:
    """Where the last `restore` into `home` (in this process) put the store it replaced."""
    return _last_kept.get(home)


def read_manifest(src: Path) -> dict[str, Any]:
    """The backup's manifest (format, store id, created_at); `StorageError` if not a backup."""
    try:
        with zipfile.ZipFile(src) as z:
            return dict(json.loads(z.read(MANIFEST)))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise StorageError("这不是 FieldKit 备份文件，或已损坏", message_en=f"Not a readable FieldKit backup: {e}") from e


def backup_keyring(src: Path) -> Keyring:
    with zipfile.ZipFile(src) as z:
        return Keyring(Path(src).parent, json.loads(z.read(KEYRING)))


def _attach(c: Any, path: Path, name: str, key: bytes | None) -> None:
    keyclause = f" KEY \"x'{key.hex()}'\"" if key is not None else ""
    c.execute(f"ATTACH DATABASE ? AS {name}{keyclause}", (str(path),))
    c.execute(f"SELECT count(*) FROM {name}.sqlite_master").fetchone()


def _count_lacking(c: Any, cur: str, bk: str | None, modules: dict[str, dict[str, int]]) -> None:
    if bk is None:  # the backup has no such database: all of it is new
        rows = c.execute(f"SELECT module, count(*) FROM {cur}.records GROUP BY module").fetchall()
    else:
        rows = c.execute(f"SELECT r.module, count(*) FROM {cur}.records r WHERE NOT EXISTS "
                         f"(SELECT 1 FROM {bk}.records b WHERE b.uuid = r.uuid) GROUP BY r.module").fetchall()
    for module, n in rows:
        modules.setdefault(module, {"new": 0, "changed": 0})["new"] += n
    if bk is None:
        return
    for module, n in c.execute(f"SELECT r.module, count(*) FROM {cur}.records r JOIN {bk}.records b ON b.uuid = r.uuid "
                               "WHERE r.versions <> b.versions GROUP BY r.module"):
        modules.setdefault(module, {"new": 0, "changed": 0})["changed"] += n


def lacks(current: Db, src: Path, home: Path, key: bytes | None,
          restricted: tuple[bytes, bytes | None] | None = None) -> dict[str, Any]:
    """What the backup `src` lacks that the open database `current` holds: per module, records
    it does not have at all ("new") and records changed since ("changed"), and the audit
    entries after its newest one. `key` opens the backup's database; `restricted` is (the
    current restricted database's key, the backup's — None when it cannot be opened), to
    compare the restricted records too. Reads only."""
    with fsio.registered_dir(home, ".restore-check-") as tmp:
        with zipfile.ZipFile(src) as z:
            z.extract(DB_NAME, tmp)
            has_r = RESTRICTED_DB in z.namelist()
            if has_r:
                z.extract(RESTRICTED_DB, tmp)
        with translated():
            c = current._c()
            attached = ["bk"]
            _attach(c, tmp / DB_NAME, "bk", key)
            try:
                modules: dict[str, dict[str, int]] = {}
                _count_lacking(c, "main", "bk", modules)
                if restricted is not None and (home / RESTRICTED_DB).is_file():
                    _attach(c, home / RESTRICTED_DB, "cur_r", restricted[0])
                    attached.append("cur_r")
                    bk_r = None
                    if has_r and restricted[1] is not None:
                        _attach(c, tmp / RESTRICTED_DB, "bk_r", restricted[1])
                        attached.append("bk_r")
                        bk_r = "bk_r"
                    _count_lacking(c, "cur_r", bk_r, modules)
                head = c.execute("SELECT coalesce(max(seq), 0) FROM main.audit").fetchone()[0]
                bk_head = c.execute("SELECT coalesce(max(seq), 0) FROM bk.audit").fetchone()[0]
            finally:
                for name in attached:
                    c.execute(f"DETACH DATABASE {name}")
    return {"modules": dict(sorted(modules.items())), "audit_entries": max(0, head - bk_head)}


def _check_db(path: Path, key: bytes | None) -> tuple[list[str], Any]:
    """SQLite's and SQLCipher's integrity checks (every page's HMAC) of the database at `path`
    opened with `key`; returns (problems, the open connection) — a wrong key is a problem."""
    c = sqlcipher3.connect(f"file:{path}?mode=ro", uri=True)
    if key is not None:
        c.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    try:
        problems = [r[0] for r in c.execute("PRAGMA integrity_check") if r[0] != "ok"]
        if key is not None:
            problems += [r[0] for r in c.execute("PRAGMA cipher_integrity_check")]
    except sqlcipher3.DatabaseError as e:  # not a database under this key: nothing is readable
        c.close()
        return [f"database: {e}"], None
    return problems, c


def _check_attachments(z: zipfile.ZipFile, c: Any, keys: att.Keys, cancel: Callable[[], bool] | None) -> tuple[int, list[str]]:
    """Every attachment the backup's database lists: present in the zip, decrypts under `keys`
    (AES-GCM tag) and hashes to its recorded SHA-256."""
    import hashlib

    names = set(z.namelist())
    problems, n = [], 0
    for (sha,) in c.execute("SELECT sha256 FROM attachments").fetchall():
        if cancel is not None and cancel():
            raise Cancelled()
        rel = att.file_path(PurePosixPath(DIRNAME), keys, sha)  # type: ignore[arg-type]
        if str(rel) not in names:
            problems.append(f"attachment missing: {sha[:12]}")
            continue
        blob = z.read(str(rel))
        try:
            data = AESGCM(keys["attachments"]).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], rel.name.encode())
        except Exception:  # InvalidTag: altered, or written under other keys
            problems.append(f"attachment does not decrypt: {sha[:12]}")
            continue
        if hashlib.sha256(data).hexdigest() != sha:
            problems.append(f"attachment content differs: {sha[:12]}")
        n += 1
    return n, problems


def verify(src: Path, key: bytes | None, *, store_id: str, keys: att.Keys,
           restricted: tuple[bytes, att.Keys] | None = None,
           cancel: Callable[[], bool] | None = None) -> dict[str, Any]:
    """Read the backup `src` back as a restore would: every zip member's CRC, the manifest and
    keyring of this store, the database opened with the data key and checked page by page, its
    record and audit counts, and every attachment decrypted and hashed. `restricted` (the
    restricted database's key and attachment keys) checks that database too when this session
    holds it. Returns {"ok", "problems", "records", "audit_entries", "attachments", "created_at"}."""
    problems: list[str] = []
    out: dict[str, Any] = {"records": 0, "audit_entries": 0, "attachments": 0}
    try:
        z = zipfile.ZipFile(src)
    except (OSError, zipfile.BadZipFile) as e:
        return {**out, "ok": False, "problems": [f"unreadable: {e}"], "created_at": None}
    # Unpacked beside the backup (the drive was just written; a read-only home could not take it).
    with z, fsio.registered_dir(Path(src).parent, ".verify-") as tmp:
        try:
            bad = z.testzip()
            manifest = json.loads(z.read(MANIFEST))
            kr = json.loads(z.read(KEYRING))
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as e:
            return {**out, "ok": False, "problems": [f"damaged: {e}"], "created_at": None}
        if bad is not None:
            problems.append(f"damaged member: {bad}")
        if manifest.get("store_id") != store_id or kr.get("store_id") != store_id:
            problems.append("not a backup of this store")
        out["created_at"] = manifest.get("created_at")
        parts = [(DB_NAME, key, keys)]
        if restricted is not None and RESTRICTED_DB in z.namelist():
            parts.append((RESTRICTED_DB, restricted[0], restricted[1]))
        for name, dbkey, akeys in parts:
            z.extract(name, tmp)
            found, c = _check_db(tmp / name, dbkey)
            problems += found
            if c is None:
                continue
            try:
                out["records"] += c.execute("SELECT count(*) FROM records").fetchone()[0]
                if name == DB_NAME:
                    out["audit_entries"] = c.execute("SELECT coalesce(max(seq), 0) FROM audit").fetchone()[0]
                n, found = _check_attachments(z, c, akeys, cancel)
                out["attachments"] += n
                problems += found
            finally:
                c.close()
    return {**out, "ok": not problems, "problems": problems}
