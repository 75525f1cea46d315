"""Writing files the user asked for (exports, backups) safely.

`atomic_write` writes to a sibling temp file, fsyncs and renames, so a crash or a full disk
leaves the old file (or none) rather than half a file; OS errors become `StorageError` with a
Chinese message naming the path.

Threading: any thread.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from fieldkit.domain.errors import StorageError


def storage_error(exc: OSError, path: Path) -> StorageError:
    if exc.errno == errno.ENOSPC:
        return StorageError(f"磁盘已满，无法写入 {path}；原有数据未受影响",
                            message_en=f"Disk full: could not write {path}; existing data is unharmed")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StorageError(f"没有权限写入 {path}（只读或受保护）",
                            message_en=f"Cannot write {path}: read-only or permission denied")
    if exc.errno == errno.ENOENT:
        return StorageError(f"目录不存在：{path.parent}", message_en=f"Folder does not exist: {path.parent}")
    return StorageError(f"写入 {path} 失败：{exc.strerror}", message_en=f"Writing {path} failed: {exc.strerror}")


def atomic_write(path: Path, write: Callable[[BinaryIO], None] | bytes) -> None:
    """Write `path` atomically; `write` is the bytes or a function that writes to the file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.part")
    try:
        with open(tmp, "wb") as f:
            if isinstance(write, bytes | bytearray):
                f.write(write)
            else:
                write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise storage_error(e, path) from e
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def scratch_dir(fallback: Path) -> Iterator[Path]:
    """A private (0700) scratch folder for a library that insists on temporary files.

    XlsxWriter's constant-memory mode flushes rows to temp files in clear. Personal data must
    not rest on disk unencrypted, so the folder is made on a RAM-backed tmpfs (/dev/shm) when
    there is one; only where none exists does it fall back to `fallback` (inside the private
    store directory). The folder and everything in it is removed afterwards, even on error.
    """
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(fallback)
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="fieldkit-", dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
