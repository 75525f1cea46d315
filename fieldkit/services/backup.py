"""Encrypted backups: the whole store (records, history, audit, attachments, key wraps) in one file.

The backup stays encrypted with the store's own data key, so the same passphrases and the
recovery code open it; a backup file on a USB stick reveals nothing without them.

Threading: called on the thread that owns the workspace (restore needs none).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.domain.errors import Cancelled, Conflict, IntegrityError, StorageError, UserFacingError
from fieldkit.services.files import storage_error
from fieldkit.services.permissions import require
from fieldkit.services.workspace import Workspace, catalog, store_exists
from fieldkit.store import Store

#: The folder on a drive that holds FieldKit's backups, and the one name its files take: pruning
#: deletes only files of this name whose manifest says they are backups of this store.
FOLDER = "FieldKit备份"
NAME = re.compile(r"^fieldkit-(\d{8}-\d{6})\.fkbackup$")
KEEP_SETTING, LAST_SETTING = "backup.keep", "backup.last"
DEFAULT_KEEP = 5
REMIND_DAYS = 7


def backup(ws: Workspace, dest: Path) -> dict[str, Any]:
    """The whole store (every module, every user's key wrap) in one file, read back before it
    counts (`backup` in the table). A file that does not read back is deleted (`IntegrityError`)."""
    require(ws, "backup")
    written = Path(ws.store.backup(Path(dest)))
    check = _read_back(ws, written)
    ws.store.audit.log("backup", detail={"file": written.name, "verified": True, "records": check["records"]})
    return {"backup": str(written), "bytes": written.stat().st_size, "verified": True, "records": check["records"],
            "attachments": check["attachments"]}


def _read_back(ws: Workspace, written: Path, cancel: Callable[[], bool] | None = None) -> dict[str, Any]:
    """`store.verify_backup`, deleting the file when it fails, is cancelled or cannot be read."""
    try:
        check = ws.store.verify_backup(written, cancel=cancel)
    except (Cancelled, UserFacingError, OSError):
        written.unlink(missing_ok=True)
        raise
    if not check["ok"]:
        written.unlink(missing_ok=True)
        raise IntegrityError("备份写入后读回校验失败，已删除这份备份：U 盘可能损坏或已满，请换一个再试",
                             message_en="The backup did not read back and was deleted: the drive may be faulty or "
                             "full; try another (" + "; ".join(check["problems"][:3]) + ")")
    return check


@dataclass(frozen=True)
class BackupResult:
    """A backup to a drive, read back whole: the file, its size (bytes), the records and
    attachments read back, the older backups of this store removed from that folder (file names)."""

    path: str
    bytes: int
    records: int
    attachments: int
    removed: tuple[str, ...]
    at: str


def keep_count(ws: Workspace) -> int:
    """How many backups of this store a drive keeps (the setting `backup.keep`, default 5)."""
    try:
        return max(1, int(ws.store.settings.get(KEEP_SETTING, DEFAULT_KEEP)))
    except (TypeError, ValueError):
        return DEFAULT_KEEP


def set_keep_count(ws: Workspace, n: int) -> None:
    require(ws, "backup")
    ws.store.settings.set(KEEP_SETTING, max(1, min(int(n), 99)))


def _scaled(progress: Callable[[int, int], None] | None, lo: int, hi: int) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        if progress is not None:
            progress(lo + (hi - lo) * done // max(total, 1), 100)
    return report


def backup_to_folder(ws: Workspace, drive: Path, *, keep: int | None = None, now: dt.datetime | None = None,
                     progress: Callable[[int, int], None] | None = None,
                     cancel: Callable[[], bool] | None = None) -> BackupResult:
    """Write a backup into `drive`/FieldKit备份/, read it back with this store's keys, then keep
    only the newest `keep` backups of this store there (never other files). A backup that does
    not read back is deleted and raises `IntegrityError`: a bad copy must not push out a good
    one. Long task: `progress(done, 100)`, `cancel()` before the verification ends → `Cancelled`,
    no file left. Audited "backup"; the time is kept as the last backup (`last_backup`)."""
    require(ws, "backup")
    now = now or dt.datetime.now()
    keep = keep_count(ws) if keep is None else max(1, keep)
    folder = Path(drive) / FOLDER
    dest = folder / f"fieldkit-{now.strftime('%Y%m%d-%H%M%S')}.fkbackup"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise storage_error(e, folder) from e
    written = Path(ws.store.backup(dest, progress=_scaled(progress, 0, 60), cancel=cancel))
    check = _read_back(ws, written, cancel)
    _scaled(progress, 60, 95)(1, 1)
    size = written.stat().st_size
    removed = _prune(ws, folder, keep, written)
    result = BackupResult(str(written), size, check["records"], check["attachments"], tuple(removed),
                          now.isoformat(timespec="seconds"))
    ws.store.settings.set(LAST_SETTING, {"at": result.at, "file": written.name, "folder": str(folder),
                                         "bytes": size, "verified": True})
    ws.store.audit.log("backup", detail={"file": written.name, "verified": True, "records": check["records"],
                                         "removed": list(removed)})
    _scaled(progress, 95, 100)(1, 1)
    return result


def backups_in(ws: Workspace, drive: Path) -> list[tuple[Path, str]]:
    """This store's backups on `drive` (path, created_at), newest first: what restore offers."""
    folder = Path(drive) / FOLDER
    out = []
    for p in sorted(folder.glob("fieldkit-*.fkbackup"), reverse=True) if folder.is_dir() else ():
        if not NAME.match(p.name):
            continue
        try:
            manifest = ws.store.backup_manifest(p)
        except StorageError:
            continue
        if manifest.get("store_id") == ws.store.store_id:
            out.append((p, str(manifest.get("created_at") or "")))
    return out


def _prune(ws: Workspace, folder: Path, keep: int, newest: Path) -> list[str]:
    """Delete this store's backups in `folder` beyond the newest `keep` (named by FieldKit and
    confirmed by their manifest; anything else in the folder is left alone)."""
    ours = [p for p, _at in backups_in(ws, folder.parent) if p != newest]
    removed = []
    for p in ours[keep - 1:]:
        try:
            p.unlink()
            removed.append(p.name)
        except OSError:
            continue  # a write-protected stick keeps it; the new backup is still there
    return removed


def last_backup(ws: Workspace) -> dict[str, Any] | None:
    """The last verified backup made from this store: {"at", "file", "folder", "bytes"}, or None."""
    got = ws.store.settings.get(LAST_SETTING)
    return dict(got) if isinstance(got, dict) and got.get("at") else None


def may_back_up(ws: Workspace) -> bool:
    from fieldkit.services.permissions import may

    return may(ws, "backup")


def reminder(ws: Workspace, now: dt.datetime | None = None) -> tuple[str, str] | None:
    """(Chinese, English) words of the reminder when no backup was made in `REMIND_DAYS` days (or
    never), for whom may back up; None otherwise."""
    if not may_back_up(ws):
        return None
    now = now or dt.datetime.now()
    last = last_backup(ws)
    if last is None:
        return ("本机数据还没有备份过：请插入 U 盘，点“备份…”",
                "This laptop's data has never been backed up: insert a USB stick and click “Back up…”")
    try:
        days = (now - dt.datetime.fromisoformat(last["at"])).days
    except ValueError:
        return None
    if days < REMIND_DAYS:
        return None
    return (f"上次备份是 {days} 天前（{last['at'][:10]}）：请插入 U 盘，点“备份…”",
            f"The last backup was {days} days ago ({last['at'][:10]}): insert a USB stick and click “Back up…”")


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


def restore_check(src: Path, home: Path, *, user: str, passphrase: str) -> dict[str, Any]:
    """What restoring `src` over the store at `home` would drop, after the same checks as the
    restore (the chief's passphrase, counted like an unlock; the role from the users table):
    {"lacked": {"modules": {module: {"new", "changed"}}, "audit_entries"}, "backup_of"}. Replaces nothing."""
    roles = tuple(r.value for r in catalog().permissions.roles_for("restore", None))
    return Store.restore_guarded(Path(src), Path(home), user=user, roles=roles, passphrase=passphrase, dry_run=True)


def lacks_lines(lacked: dict[str, Any], lang: str = "zh") -> list[str]:
    """One line per module the backup lacks records of, in the UI language, then the audit entries."""
    cat = catalog()
    out = []
    for module, c in lacked.get("modules", {}).items():
        if not (c["new"] or c["changed"]):
            continue
        try:
            name = cat[module].label.get(lang)
        except KeyError:
            name = module
        out.append(f"{name}: {c['new']} new, {c['changed']} changed" if lang == "en"
                   else f"{name}：新增 {c['new']} 条、修改 {c['changed']} 条")
    if lacked.get("audit_entries"):
        n = lacked["audit_entries"]
        out.append(f"audit log: {n} entries" if lang == "en" else f"审计日志：{n} 条")
    return out


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
