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
from pathlib import Path, PurePosixPath
from typing import Any

import sqlcipher3

from fieldkit import fsio
from fieldkit.domain.errors import Conflict, StorageError

from .attachments import DIRNAME
from .ctx import now_iso
from .db import Db, translated
from .keyring import KEYRING, LOCKFILE, Keyring
from .partition import RESTRICTED_DB
from .partition import SCHEMA as RESTRICTED_SCHEMA

MANIFEST = "fieldkit-backup.json"
FORMAT = 1
DB_NAME = "fieldkit.db"


def _copy_db(db: Db, schema: str, copy: Path, key: bytes | None) -> None:
    """Page-by-page copy of the open database `schema` into `copy`, under `key`."""
    with translated():
        target = sqlcipher3.connect(str(copy))
        try:
            if key is not None:
                target.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            db._c().backup(target, name=schema)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()


def backup(db: Db, home: Path, dest: Path, key: bytes | None, *, lock_key: bytes,
           restricted_key: bytes | None = None) -> Path:
    """`restricted_key`: the restricted database's SQLCipher key when this session has it
    attached (copied like the main one); without it, a ``restricted.db`` is copied as the
    encrypted file it is (this session cannot open it, and need not)."""
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
            _copy_db(db, "main", copy, key)
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
