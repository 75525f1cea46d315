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
from fieldkit.services.workspace import Workspace, store_exists
from fieldkit.store import Store


def backup(ws: Workspace, dest: Path) -> dict[str, Any]:
    """The whole store (every module, every user's key wrap) in one file: `backup` in the table."""
    require(ws, "backup")
    written = ws.store.backup(Path(dest))
    ws.store.audit.log("backup", detail={"file": Path(dest).name})
    return {"backup": str(written), "bytes": Path(written).stat().st_size}


def restore(src: Path, home: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore into `home`; refuses to overwrite an existing store unless `force`."""
    if store_exists(home) and not force:
        raise Conflict(
            f"{home} 已有数据库；如确需覆盖请加 --force（原数据库会先改名保留）",
            message_en=f"A store exists at {home}; pass --force to replace it (the old one is kept, renamed)",
        )
    Store.restore(Path(src), Path(home), overwrite=force)
    return {"restored": str(home)}
