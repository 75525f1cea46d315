"""The ways a store's disk or files can fail, each with one message and what to do about it.

Every `StorageError` about the store itself (not about a file the user named for an export, see
``services/files.py``) is made here, so the officer always reads the same words for the same
fault, whichever command or screen met it. The classification is by cause as the user can act
on it, not by the library that noticed:

=============  ==============================================================================
fault          what the user can still do
=============  ==============================================================================
read_only      unlock, search, view, export to another disk; nothing can be saved
disk_full      unlock, search, view, export to another disk; saving fails until space is freed
damaged        nothing but restore from a backup (a data page no longer decrypts/checks)
db_missing     nothing but restore: the keyring is there, the database was deleted or emptied
foreign_db     nothing but restore: the database is not the one this keyring belongs to
busy           wait, or close the other FieldKit window using the store
io_error       check the device (a loose USB stick, a failing disk) and retry
denied         run FieldKit as the account that owns the data folder
=============  ==============================================================================

No I/O here: callers classify (`errno_fault`, ``store/db.py`` for SQLite codes) and raise.
"""

from __future__ import annotations

import errno
from enum import StrEnum

from .errors import StorageError


class Fault(StrEnum):
    READ_ONLY = "read_only"
    FULL = "disk_full"
    DAMAGED = "damaged"
    MISSING = "db_missing"
    FOREIGN = "foreign_db"
    BUSY = "busy"
    IO = "io_error"
    DENIED = "denied"


# fault: (what happened, what to do) in Chinese, then the same in English.
_WORDS: dict[Fault, tuple[str, str, str, str]] = {
    Fault.READ_ONLY: (
        "数据所在的磁盘是只读的，修改无法保存",
        "仍可登录、查询、查看和导出到其他磁盘；要保存修改，请解除 U 盘写保护或把数据目录复制到可写的磁盘",
        "The store is on a read-only medium; changes cannot be saved",
        "You can still unlock, search, view and export to another disk; to save, remove the write "
        "protection or copy the data folder to a writable disk",
    ),
    Fault.FULL: (
        "磁盘已满，未能保存",
        "仍可查询、查看和导出到其他磁盘；请删除不需要的文件腾出空间后重试",
        "The disk is full; nothing was saved",
        "You can still search, view and export to another disk; free some space and retry",
    ),
    Fault.DAMAGED: (
        "数据库已损坏",
        "请停止修改，从最近的备份恢复（fieldkit restore），并告知所里的技术人员",
        "The database is damaged",
        "Stop editing, restore the latest backup (fieldkit restore) and tell the station's technician",
    ),
    Fault.MISSING: (
        "数据库文件缺失或已被清空（密钥文件 keyring.json 还在）",
        "请从最近的备份恢复（fieldkit restore）；FieldKit 不会自动新建空库，以免掩盖数据丢失",
        "The database file is missing or empty (keyring.json is still there)",
        "Restore the latest backup (fieldkit restore); FieldKit never silently creates an empty one",
    ),
    Fault.FOREIGN: (
        "数据库文件无法用本机密钥解开：已被替换为其他数据库，或文件头已损坏",
        "请从最近的备份恢复（fieldkit restore）",
        "The database file does not open with this store's key: it was replaced or its header is damaged",
        "Restore the latest backup (fieldkit restore)",
    ),
    Fault.BUSY: (
        "数据库正被另一个 FieldKit 窗口或程序使用",
        "请关闭另一个窗口，或稍候重试",
        "The store is busy in another FieldKit window or program",
        "Close the other window or retry shortly",
    ),
    Fault.IO: (
        "读写磁盘出错，未能保存",
        "请检查存储设备（U 盘是否松动、硬盘是否故障）后重试",
        "Disk I/O error; nothing was saved",
        "Check the storage device (a loose USB stick, a failing disk) and retry",
    ),
    Fault.DENIED: (
        "没有权限访问数据目录",
        "请用数据目录所有者的账户运行 FieldKit",
        "No permission to use the data folder",
        "Run FieldKit as the account that owns the data folder",
    ),
}

# Faults after which reading still works: the store opens in a "cannot save" state.
READABLE = frozenset({Fault.READ_ONLY, Fault.FULL})


def fault_error(fault: Fault, *, where: str = "", detail: str = "") -> StorageError:
    """The one `StorageError` for `fault`. `where` names the file or place (shown to the user),
    `detail` is technical text for the English message only (logs, bug reports)."""
    zh, todo, en, todo_en = _WORDS[fault]
    at = f"（{where}）" if where else ""
    at_en = f" ({where})" if where else ""
    tech = f" [{detail}]" if detail else ""
    return StorageError(f"{zh}{at}。{todo}", message_en=f"{en}{at_en}. {todo_en}{tech}", code=fault.value)


def fault_of(e: BaseException) -> Fault | None:
    """The fault a `StorageError` made here stands for, else None."""
    code = getattr(e, "code", None)
    try:
        return Fault(code) if isinstance(e, StorageError) and code else None
    except ValueError:
        return None


def errno_fault(err: int | None) -> Fault:
    if err in (errno.ENOSPC, errno.EDQUOT):
        return Fault.FULL
    if err == errno.EROFS:
        return Fault.READ_ONLY
    if err in (errno.EACCES, errno.EPERM):
        return Fault.DENIED
    if err in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EBUSY):
        return Fault.BUSY
    return Fault.IO


def os_storage_error(e: OSError, where: str = "") -> StorageError:
    """A store file (keyring, attachment, lock) could not be used because of `e`."""
    return fault_error(errno_fault(e.errno), where=where, detail=e.strerror or str(e))
