"""Encrypted backups: the whole store (records, history, audit, attachments, key wraps) in one file.

The backup stays encrypted with the store's own data key, so the same passphrases and the
recovery code open it; a backup file on a USB stick reveals nothing without them.

Threading: called on the thread that owns the workspace (restore needs none).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldkit.domain.errors import Conflict
from fieldkit.services.permissions import require
from fieldkit.services.workspace import Workspace, catalog, store_exists
from fieldkit.store import Store


def backup(ws: Workspace, dest: Path) -> dict[str, Any]:
    """The whole store (every module, every user's key wrap) in one file: `backup` in the table."""
    require(ws, "backup")
    written = ws.store.backup(Path(dest))
    ws.store.audit.log("backup", detail={"file": Path(dest).name})
    return {"backup": str(written), "bytes": Path(written).stat().st_size}


def restore(src: Path, home: Path, *, force: bool = False, user: str = "", passphrase: str | None = None,
            recovery_code: str | None = None, drop_newer: bool = False) -> dict[str, Any]:
    """Restore into `home`. Into an empty home: unpack. Over an existing store (`force`): only
    with the chief's passphrase (or the recovery code); lists what the backup lacks and refuses
    (`BackupLacksNewer`, with `.lacks`) unless `drop_newer`; audited as "restore"; the replaced
    store is kept in ``replaced-<time>/``."""
    if store_exists(home) and not force:
        raise Conflict(
            f"{home} 已有数据库；如确需覆盖请加 --force（需要所长口令或恢复码，原数据库会整体保留）",
            message_en=f"A store exists at {home}; pass --force to replace it (needs the chief's passphrase or "
            "the recovery code; the old one is kept whole)",
        )
    if not store_exists(home):
        Store.restore(Path(src), Path(home))
        return {"restored": str(home)}
    roles = tuple(r.value for r in catalog().permissions.roles_for("restore", None))
    return Store.restore_guarded(Path(src), Path(home), user=user, roles=roles, passphrase=passphrase,
                                 recovery_code=recovery_code, drop_newer=drop_newer)


def accept_rollback(ws: Workspace, reason: str) -> dict[str, Any]:
    """The chief accepts a database found older than its anchor (see `Store.accept_rollback`)."""
    require(ws, "restore")
    held = ws.store.rollback
    ws.store.accept_rollback(reason)
    return {"accepted": True, **(held.detail() if held else {}), "reason": reason}


def rollback_notice(ws: Workspace) -> tuple[str, str] | None:
    """The words of the banner while the store is held read-only after a rollback, else None."""
    held = ws.store.rollback
    return (held.message, held.message_en) if held else None
