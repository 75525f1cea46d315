"""Restoring a backup over an existing store: only the chief (or the recovery code), never
silently dropping newer records, and itself an audited event.

Steps: (1) the chief's passphrase or the recovery code is checked against the *current* keyring,
counted like an unlock attempt (and not tried when the count cannot be saved); the role is read
from the current database, not from the editable keyring; (2) the backup's database is attached
read-only and compared with the current one: records it lacks or holds in an older version, per
module, and audit entries after its newest; (3) if it lacks anything, nothing is replaced unless
the caller confirmed exactly that (`drop_newer`); (4) the current store is moved aside whole
(``replaced-<time>/``), the backup swapped in, and a "restore" entry ("restored to backup of
<time>", what it lacked, where the old store was kept) appended and anchored.

Threading: any thread; touches only files (and its own short-lived connections).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from fieldkit.domain.errors import AuthError, Conflict, PermissionDenied, StorageError, UserFacingError
from fieldkit.domain.roles import Role

from . import backup as bk
from .db import Db, connect
from .keyring import Keyring


def _credentials_key(kr: Keyring, login: str, passphrase: str | None, secret: bytes | None) -> bytes | None:
    if secret is not None:
        return kr.unwrap_recovery(secret)
    return kr.unwrap_user(login, passphrase or "")


def guarded_restore(src: Path, home: Path, *, user: str, roles: tuple[str, ...], passphrase: str | None = None,
                    recovery_code: str | None = None, drop_newer: bool = False,
                    dry_run: bool = False) -> dict[str, Any]:
    """`dry_run`: every check (credentials, role, what the backup lacks) and nothing replaced —
    what a screen shows before the chief confirms; returns {"lacked", "backup_of"}."""
    from .lockout import _lock_key, _wrong, counted_attempt, recovery_secret
    from .store import DB_NAME, Store

    login = (user or "").strip().lower()
    secret = None
    if recovery_code:
        secret = recovery_secret(recovery_code)
    elif not passphrase:
        raise AuthError("恢复备份需要所长的口令或恢复码", message_en="Restoring needs the chief's passphrase or the recovery code",
                        code="restore_needs_chief")
    manifest = bk.read_manifest(src)
    with counted_attempt(home) as (kr, delay, _spent):
        key = _credentials_key(kr, login, passphrase, secret)
        if key is None:
            raise _wrong(delay)
        lock_key = _lock_key(key, kr.store_id)
        if secret is None and kr.data.get("lockout") is not None and not kr.chain_sealed(lock_key):
            raise _wrong(delay)  # a forged counter: as at unlock, the guess is not confirmed
        kr.note_success(lock_key)  # a valid credential, whatever the role
        kr.save()
        db_key = key if kr.encrypted else None
        current = Db(connect(home / DB_NAME, db_key, read_only=True), home / DB_NAME)
        try:
            row = current.one("SELECT role FROM users WHERE login = ?", (login,))
            # `roles`: who may "restore" by the permissions table; the role is read from the
            # encrypted users table, not the editable keyring. The recovery code is the station's.
            if secret is None and (row is None or row[0] not in roles):
                raise PermissionDenied(f"只有{'、'.join(Role(r).zh for r in roles) or '恢复码持有人'}可以用备份覆盖现有数据库",
                                       message_en=f"Only the {', '.join(roles) or 'recovery code holder'} may restore over the store")
            bkr = bk.backup_keyring(src)
            bkey = key if bkr.store_id == kr.store_id else _credentials_key(bkr, login, passphrase, secret)
            if bkey is None:
                raise AuthError("这个备份不能用当前的口令或恢复码打开", message_en="This backup does not open with these credentials",
                                code="backup_key")
            missing = bk.lacks(current, src, home, bkey if kr.encrypted else None,
                               restricted=_restricted_keys(kr, bkr, login, passphrase, secret))
        finally:
            current.close()
    if dry_run:
        return {"restored": None, "backup_of": manifest.get("created_at"), "lacked": missing}
    lost = {m: c for m, c in missing["modules"].items() if c["new"] or c["changed"]}
    if (lost or missing["audit_entries"]) and not drop_newer:
        raise BackupLacksNewer(missing, manifest.get("created_at", "?"))
    Store.restore(src, home, overwrite=True)
    kept = bk.kept_folder(home)
    kr2 = Keyring.load(home)
    restored = Store._unlocked(home, kr2, bkey, _author(home, kr2, bkey, login), cache_kib=4096)
    try:
        if restored.rollback is None:
            restored.audit.log("restore", detail={
                "backup_of": manifest.get("created_at"), "file": Path(src).name, "lacked": missing,
                "kept": kept.name if kept else None, "via": "recovery_code" if secret else "passphrase",
                "by": login})
    finally:
        with contextlib.suppress(UserFacingError):
            restored.close()
    return {"restored": str(home), "backup_of": manifest.get("created_at"), "lacked": missing,
            "kept": str(kept) if kept else None}


def _restricted_keys(kr: Keyring, bkr: Keyring, login: str, passphrase: str | None,
                     secret: bytes | None) -> tuple[bytes, bytes | None] | None:
    """(current, backup) SQLCipher keys of the restricted databases, to list what the backup
    lacks there too; None when the current one is not open to these credentials."""
    from .partition import db_key

    if kr.rkey is None:
        return None
    same = (bkr.restricted() or {}).get("pub") == (kr.restricted() or {}).get("pub")
    if same:
        bk_rkey: bytes | None = kr.rkey
    else:  # rotated since the backup: its own seal, under the credentials of that time
        bk_rkey = bkr.rkey if _credentials_key(bkr, login, passphrase, secret) is not None else None
    return db_key(kr.rkey, kr.store_id), None if bk_rkey is None else db_key(bk_rkey, bkr.store_id)


def _author(home: Path, kr: Keyring, key: bytes, login: str) -> str:
    """Who the restore entry is written as: the chief who restored, if the backup knows them,
    else the backup's first chief (the entry's detail names who did it)."""
    from .store import DB_NAME

    db = Db(connect(home / DB_NAME, key if kr.encrypted else None, read_only=True))
    try:
        if db.one("SELECT 1 FROM users WHERE login = ?", (login,)):
            return login
        row = db.one("SELECT login FROM users WHERE role = 'chief' ORDER BY login LIMIT 1")
        if row is None:
            raise StorageError("备份中没有所长账号", message_en="The backup has no chief")
        return str(row[0])
    finally:
        db.close()


class BackupLacksNewer(Conflict):
    """The backup lacks records the current store holds; `lacks` says which, per module."""

    default_code = "backup_lacks_newer"

    def __init__(self, lacks: dict[str, Any], backup_of: str) -> None:
        parts = [f"{m}：新增 {c['new']} 条、修改 {c['changed']} 条" for m, c in lacks["modules"].items()
                 if c["new"] or c["changed"]]
        parts_en = [f"{m}: {c['new']} new, {c['changed']} changed" for m, c in lacks["modules"].items()
                    if c["new"] or c["changed"]]
        if lacks["audit_entries"]:
            parts.append(f"审计日志 {lacks['audit_entries']} 条")
            parts_en.append(f"{lacks['audit_entries']} audit entries")
        super().__init__(
            f"备份（{backup_of}）缺少当前数据库中较新的内容：" + "；".join(parts)
            + "。恢复会丢弃这些（旧数据库会整体保留在 replaced-… 文件夹中）；确认请加 --drop-newer",
            message_en=f"The backup ({backup_of}) lacks newer data of the current store: " + "; ".join(parts_en)
            + ". Restoring drops it (the old store is kept whole in replaced-…); confirm with --drop-newer")
        self.lacks = lacks
