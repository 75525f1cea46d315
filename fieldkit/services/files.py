"""Writing files the user asked for (exports, backups) safely.

`atomic_write` writes through `fsio.atomic_file` (an unnamed file, fsynced, then renamed into
place), so a crash or a full disk leaves the old file (or none) rather than half a file; OS errors become `StorageError` with a
Chinese message naming the path.

Threading: any thread.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from fieldkit import fsio, platform_io
from fieldkit.domain.errors import NotFound, StorageError, UserFacingError


def storage_error(exc: OSError, path: Path | None = None, *, writing: bool = True) -> StorageError:
    """The user-facing error for a file the user named that could not be written (or read):
    names the path and what is wrong in words, never a traceback."""
    path = Path(path if path is not None else (exc.filename or "?"))
    verb, verb_en = ("写入", "write") if writing else ("读取", "read")
    if exc.errno == errno.ENOSPC:
        return StorageError(f"磁盘已满，无法写入 {path}；原有数据未受影响",
                            message_en=f"Disk full: could not write {path}; existing data is unharmed")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StorageError(f"没有权限{verb} {path}（只读或受保护）",
                            message_en=f"Cannot {verb_en} {path}: read-only or permission denied")
    if exc.errno == errno.ENOENT:
        if writing:
            return StorageError(f"目录不存在：{path.parent}", message_en=f"Folder does not exist: {path.parent}")
        return StorageError(f"找不到文件：{path}", message_en=f"No such file: {path}")
    if exc.errno == errno.EISDIR:
        return StorageError(f"{path} 是文件夹，这里需要一个文件", message_en=f"{path} is a folder; a file is needed")
    if exc.errno == errno.ENOTDIR:
        return StorageError(f"{path} 的上级不是文件夹", message_en=f"A parent of {path} is not a folder")
    return StorageError(f"{verb} {path} 失败：{exc.strerror or exc}", message_en=f"Could not {verb_en} {path}: {exc.strerror or exc}")


MiB = 1024 * 1024


def read_user_file(path: Path | str, limit: int) -> bytes:
    """The bytes of a file the user named, at most `limit` bytes: a folder, a device (/dev/zero
    never ends), a pipe or an oversized file is refused with a message naming it."""
    path = Path(path)
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise StorageError(f"{path} 是文件夹，这里需要一个文件", message_en=f"{path} is a folder; a file is needed",
                               code="not_a_file")
        if not stat.S_ISREG(st.st_mode):
            raise StorageError(f"{path} 不是普通文件", message_en=f"{path} is not a regular file", code="not_a_file")
        if st.st_size > limit:
            raise StorageError(f"{path} 过大（{st.st_size / MiB:.0f} MB，最多 {limit / MiB:.0f} MB）",
                               message_en=f"{path} is too large ({st.st_size / MiB:.0f} MB; at most {limit / MiB:.0f} MB)",
                               code="too_large")
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError as e:
        raise NotFound(f"找不到文件：{path}", message_en=f"No such file: {path}", code="file_not_found") from e
    except OSError as e:
        raise storage_error(e, path, writing=False) from e
    if len(data) > limit:  # it grew while we looked
        raise StorageError(f"{path} 过大", message_en=f"{path} is too large", code="too_large")
    return data


def read_user_text(path: Path | str, limit: int) -> str:
    """`read_user_file` decoded as UTF-8 (a BOM is dropped); another encoding is refused by name."""
    data = read_user_file(path, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserFacingError(f"{path} 不是 UTF-8 文本", message_en=f"{path} is not UTF-8 text", code="bad_text") from None


def atomic_write(path: Path, write: Callable[[BinaryIO], None] | bytes) -> None:
    """Write `path` atomically (`fsio.atomic_file`: no temporary file is ever named on disk
    where the file system allows); `write` is the bytes or a function that writes to the file."""
    path = Path(path)
    try:
        with fsio.atomic_file(path) as f:
            if isinstance(write, bytes | bytearray):
                f.write(write)
            else:
                write(f)
    except OSError as e:
        raise storage_error(e, path) from e


@contextlib.contextmanager
def scratch_dir(fallback: Path) -> Iterator[Path]:
    """A private (0700) scratch folder for a library that insists on temporary files.

    XlsxWriter's constant-memory mode flushes rows to temp files in clear. Personal data must
    not rest on disk unencrypted, so the folder is made on a RAM-backed tmpfs (/dev/shm) when
    there is one; only where none exists does it fall back to `fallback` (inside the private
    store directory), made owner-only and — on Windows, which has no tmpfs — encrypted by EFS
    where the edition has it (`platform_io.private_scratch`). The folder and everything in it
    is removed afterwards, even on error.
    """
    ram = platform_io.ram_dir()
    base = ram if ram is not None else Path(fallback)
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="fieldkit-", dir=base))
    if ram is None:
        platform_io.private_scratch(path)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
