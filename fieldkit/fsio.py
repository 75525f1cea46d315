"""Files on disk, written so that a crash leaves the old file or the new one and nothing else.

Every file FieldKit writes whole (the keyring, attachments, exports, ledgers, backups) goes
through `atomic_file`: the bytes go to a file with no name — ``O_TMPFILE``, an inode that the
kernel frees if the process dies — and the finished, fsynced file is then given a name and
renamed over the target. A SIGKILL, a flat battery or a full disk therefore leaves no hidden
half-written file, and a plaintext export never rests on disk under a temporary name.

Some file systems (FAT/exFAT USB sticks) and Windows have no ``O_TMPFILE``. There the bytes are held in RAM
until the writer finishes and only then written to a hidden, owner-only (0600) sibling; that
sibling is *registered* (a small entry naming it, in the registry of the open store, see
`use_registry`) until it is renamed, so if the process dies in that window the next start of
FieldKit on this store removes it (`sweep`). Temporary folders made for a long operation
(`registered_dir`) are tracked the same way.

OS errors are left as `OSError`; callers turn them into words for the file they concern.

Threading: any thread; the registry location is process-wide (one open store per process).
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from fieldkit import platform_io
from fieldkit.platform_io import pid_alive

TEMP_SUFFIX = ".fieldkit-tmp"
_NO_TMPFILE = {errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT}
_NO_LINK = {errno.ENOENT, errno.EXDEV, errno.EPERM, errno.EACCES, errno.ENOTDIR}

_registry: Path | None = None


def use_registry(folder: Path | None) -> None:
    """Track named temporaries in `folder` (inside the store's home, made 0700 on first use)."""
    global _registry
    _registry = None if folder is None else Path(folder)


def fsync_path(path: Path) -> None:
    """fsync a file (its bytes are on disk), or a folder (a rename or link inside it is durable)."""
    if Path(path).is_dir():
        platform_io.fsync_dir(Path(path))
        return
    platform_io.fsync_file(Path(path))


@contextlib.contextmanager
def atomic_file(path: Path | str) -> Iterator[BinaryIO]:
    """A binary file (readable, writable, seekable) that becomes `path` when the block ends
    without an exception; on an exception nothing at `path` changes and nothing is left behind.
    The new file is owner-only (0600; on Windows it takes the folder's DACL, which
    `platform_io.make_private` makes owner-only for the store's home). Raises `OSError` (disk
    full, read-only, no folder…)."""
    path = Path(path)
    fd = -1
    try:
        if platform_io.has_unnamed_temp():
            fd = os.open(path.parent, os.O_TMPFILE | os.O_RDWR, 0o600)
        elif not path.parent.is_dir():
            raise FileNotFoundError(errno.ENOENT, "no such folder", str(path.parent))
    except OSError as e:
        if e.errno not in _NO_TMPFILE or not path.parent.is_dir():
            raise
    if fd < 0:
        with _via_ram(path) as f:
            yield f
        return
    with os.fdopen(fd, "w+b") as f:
        yield f
        f.flush()
        os.fsync(f.fileno())
        try:
            _link_into_place(f.fileno(), path)
        except OSError as e:
            if e.errno not in _NO_LINK:
                raise
            f.seek(0)
            _write_named(path, f)  # no /proc (a chroot): copy out under a registered name


def atomic_write(path: Path | str, data: bytes) -> None:
    """Write `data` as the whole new content of `path` (see `atomic_file`)."""
    with atomic_file(path) as f:
        f.write(data)


def _link_into_place(fd: int, path: Path) -> None:
    # linkat() cannot replace an existing name: link under a unique hidden name, then rename.
    # Python 3.11's os.link only passes AT_SYMLINK_FOLLOW (needed to link /proc/self/fd/N, the
    # unprivileged way to name an O_TMPFILE) when a dir fd is given, hence the dir fd.
    tmp = _temp_name(path)
    dfd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with _registered(path.parent / tmp):
            os.link(f"/proc/self/fd/{fd}", tmp, src_dir_fd=dfd, dst_dir_fd=dfd, follow_symlinks=True)
            try:
                os.replace(tmp, path.name, src_dir_fd=dfd, dst_dir_fd=dfd)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp, dir_fd=dfd)
                raise
        os.fsync(dfd)
    finally:
        os.close(dfd)


@contextlib.contextmanager
def _via_ram(path: Path) -> Iterator[BinaryIO]:
    buf = io.BytesIO()
    yield buf
    buf.seek(0)
    _write_named(path, buf)


def _write_named(path: Path, src: BinaryIO) -> None:
    tmp = path.parent / _temp_name(path)
    with _registered(tmp):
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
            with os.fdopen(fd, "wb") as f:
                shutil.copyfileobj(src, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    fsync_path(path.parent)


def _temp_name(path: Path) -> str:
    return f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}{TEMP_SUFFIX}"


@contextlib.contextmanager
def registered_dir(parent: Path, prefix: str) -> Iterator[Path]:
    """A private (0700) temporary folder in `parent`, removed afterwards and, if the process
    dies first, by the next `sweep`. For a library that needs a real path (SQLite's backup)."""
    path = Path(tempfile.mkdtemp(prefix=prefix, suffix=TEMP_SUFFIX, dir=parent))
    try:
        with _registered(path):
            yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _registered(path: Path) -> Iterator[None]:
    entry = _register(path)
    try:
        yield
    finally:
        if entry is not None:
            entry.unlink(missing_ok=True)


def _register(path: Path) -> Path | None:
    reg = _registry
    if reg is None:
        return None
    try:
        reg.mkdir(mode=0o700, parents=True, exist_ok=True)
        entry = reg / f"{os.getpid()}-{os.urandom(6).hex()}.json"
        fd = os.open(entry, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"pid": os.getpid(), "path": str(path.absolute())}, f)
        return entry
    except OSError:
        # The store's disk is full or read-only: the write goes on untracked rather than fail;
        # the temporary is still removed on every path except a kill in the last moment.
        return None


def sweep(folder: Path) -> list[Path]:
    """Remove the temporaries registered in `folder` by processes that no longer run; returns
    what was removed. Entries of live processes (another FieldKit on this store) stay."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for entry in sorted(folder.glob("*.json")):
        try:
            info = json.loads(entry.read_text("utf-8"))
            pid, target = int(info["pid"]), Path(str(info["path"]))
        except (OSError, ValueError, KeyError, TypeError):
            with contextlib.suppress(OSError):
                entry.unlink()
            continue
        if pid_alive(pid):
            continue
        # Only what we name ourselves: an entry can never make us delete a user's file.
        if target.name.endswith(TEMP_SUFFIX):
            with contextlib.suppress(OSError):
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                    removed.append(target)
                elif target.exists() or target.is_symlink():
                    target.unlink()
                    removed.append(target)
        with contextlib.suppress(OSError):
            entry.unlink()
    return removed



# --------------------------------------------------------------------------- space reserve
RESERVE_NAME = ".space-reserve"
RESERVE_BYTES = 256 * 1024


def keep_reserve(folder: Path) -> bool:
    """Best effort: hold `RESERVE_BYTES` of real blocks in `folder` (zeros, no data), so that a
    disk that later fills up still has room for the few small writes that must not fail (the
    lockout counter: a passphrase is tried only once its failure is counted). Silent when there
    is no room or the medium is read-only. True when the reserve is in place afterwards.
    Threading: any; at most one writer per folder."""
    path = Path(folder) / RESERVE_NAME
    with contextlib.suppress(OSError):
        if path.is_file() and platform_io.allocated_bytes(path) >= RESERVE_BYTES:
            return True
        if platform_io.free_bytes(folder) < 4 * RESERVE_BYTES:
            # Only where there is clearly room: taking the last free blocks back for a new
            # reserve would leave the counter's own write without any.
            return False
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        try:
            platform_io.fill_zeros(fd, RESERVE_BYTES)  # real blocks, not a sparse file
            os.fsync(fd)
        except OSError:
            os.close(fd)
            path.unlink(missing_ok=True)  # a partial reserve would promise room it does not hold
            return False
        os.close(fd)
        return True
    return False


def release_reserve(folder: Path) -> bool:
    """Free the reserve for the write that needs it now; True if there was one to free."""
    try:
        os.unlink(Path(folder) / RESERVE_NAME)
    except OSError:
        return False
    return True
