"""Where Windows and POSIX differ, in one place.

Everything else in FieldKit asks this module instead of testing ``sys.platform`` itself:
file locks, owner-only files and folders, whether a process still runs, RAM-backed or
encrypted scratch space, where per-user data lives, and how vendor libraries are loaded.
The platform is read at each call (``sys.platform``), not at import, so a test can pretend
to be Windows (tests/test_portability.py) and a Windows branch never runs on import.

Windows calls go through ctypes to documented Win32 functions (advapi32, kernel32): no
pywin32, which PyInstaller would have to carry as well. They are made only on Windows.

Threading: any thread; nothing here keeps state.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import portalocker


def is_windows() -> bool:
    return sys.platform == "win32"


def is_linux() -> bool:
    return sys.platform.startswith("linux")


# ------------------------------------------------------------------------------- file locks
def lock_exclusive(fd: int) -> None:
    """Block until this process holds the exclusive lock on the open file `fd`.

    portalocker (maintained, cross-platform): flock on POSIX (so a read-only descriptor can be
    locked), msvcrt.locking on Windows. Released by `unlock` or by closing `fd`."""
    try:
        portalocker.lock(fd, portalocker.LockFlags.EXCLUSIVE)
    except portalocker.LockException as e:  # callers expect the OSError flock raised before
        raise OSError(errno.ENOLCK, f"cannot lock: {e}") from e


def unlock(fd: int) -> None:
    portalocker.unlock(fd)


# ----------------------------------------------------------------------------- private files
# Owner-only DACLs in SDDL: protected (P: the parent's entries are not inherited), full access
# for the owner (OW) and for SYSTEM (SY: backup and the indexer run as it); a folder's entries
# are inherited by what is created inside it (OICI), which is what makes every later file in
# the store's home private without a call per file.
_SDDL_FILE = "D:P(A;;FA;;;OW)(A;;FA;;;SY)"
_SDDL_DIR = "D:P(A;OICI;FA;;;OW)(A;OICI;FA;;;SY)"
_SE_FILE_OBJECT = 1
_DACL_SECURITY_INFORMATION = 0x00000004
_PROTECTED_DACL_SECURITY_INFORMATION = 0x80000000
_SDDL_REVISION_1 = 1


def make_private(path: Path | str) -> None:
    """Only the current user (and the system) may read or write `path` from now on: mode
    0600/0700 on POSIX, an owner-only protected DACL on Windows. Raises `OSError`."""
    path = Path(path)
    directory = path.is_dir()
    if not is_windows():
        os.chmod(path, 0o700 if directory else 0o600)
        return
    _windows_owner_only(path, directory)


def try_make_private(path: Path | str) -> bool:
    """`make_private`, for media that cannot do it (FAT sticks have neither modes nor ACLs)."""
    try:
        make_private(path)
    except OSError:
        return False
    return True


def _win_dll(name: str) -> Any:
    return ctypes.WinDLL(name, use_last_error=True)  # type: ignore[attr-defined]


def _last_error() -> int:
    get = getattr(ctypes, "get_last_error", None)  # Windows-only in ctypes
    return int(get()) if get else 0


def _windows_owner_only(path: Path, directory: bool) -> None:
    from ctypes import wintypes

    advapi, kernel = _win_dll("advapi32"), _win_dll("kernel32")
    sd = ctypes.c_void_p()
    convert = advapi.ConvertStringSecurityDescriptorToSecurityDescriptorW
    convert.argtypes = [wintypes.LPCWSTR, wintypes.DWORD, ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p]
    convert.restype = wintypes.BOOL
    if not convert(_SDDL_DIR if directory else _SDDL_FILE, _SDDL_REVISION_1, ctypes.byref(sd), None):
        raise OSError(errno.EINVAL, f"ConvertStringSecurityDescriptorToSecurityDescriptorW: {_last_error()}", str(path))
    try:
        present, defaulted, dacl = wintypes.BOOL(), wintypes.BOOL(), ctypes.c_void_p()
        get_dacl = advapi.GetSecurityDescriptorDacl
        get_dacl.argtypes = [ctypes.c_void_p, ctypes.POINTER(wintypes.BOOL), ctypes.POINTER(ctypes.c_void_p),
                             ctypes.POINTER(wintypes.BOOL)]
        get_dacl.restype = wintypes.BOOL
        if not get_dacl(sd, ctypes.byref(present), ctypes.byref(dacl), ctypes.byref(defaulted)):
            raise OSError(errno.EINVAL, f"GetSecurityDescriptorDacl: {_last_error()}", str(path))
        set_info = advapi.SetNamedSecurityInfoW
        set_info.argtypes = [wintypes.LPWSTR, ctypes.c_int, wintypes.DWORD, ctypes.c_void_p, ctypes.c_void_p,
                             ctypes.c_void_p, ctypes.c_void_p]
        set_info.restype = wintypes.DWORD
        rc = set_info(str(path), _SE_FILE_OBJECT, _DACL_SECURITY_INFORMATION | _PROTECTED_DACL_SECURITY_INFORMATION,
                      None, None, dacl, None)
        if rc != 0:  # ERROR_SUCCESS
            raise OSError(errno.EACCES, f"SetNamedSecurityInfoW: {rc}", str(path))
    finally:
        kernel.LocalFree(sd)


# --------------------------------------------------------------------------------- processes
_PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
_STILL_ACTIVE = 259


def pid_alive(pid: int) -> bool:
    """Does process `pid` still run? Never signals it: on Windows ``os.kill(pid, 0)`` would
    *terminate* the process, so there it is OpenProcess + GetExitCodeProcess."""
    if pid == os.getpid():
        return True
    if is_windows():
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True


def _windows_pid_alive(pid: int) -> bool:
    from ctypes import wintypes

    kernel = _win_dll("kernel32")
    kernel.OpenProcess.argtypes = [wintypes.DWORD, wintypes.BOOL, wintypes.DWORD]
    kernel.OpenProcess.restype = wintypes.HANDLE
    handle = kernel.OpenProcess(_PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
    if not handle:
        return _last_error() == 5  # ERROR_ACCESS_DENIED: it exists, it is someone else's
    try:
        code = wintypes.DWORD()
        ok = kernel.GetExitCodeProcess(handle, ctypes.byref(code))
        return bool(ok) and code.value == _STILL_ACTIVE
    finally:
        kernel.CloseHandle(handle)


# ------------------------------------------------------------------------ files and folders
def has_unnamed_temp() -> bool:
    """Can a file be made with no name and named later (Linux ``O_TMPFILE`` + /proc)?"""
    return is_linux() and hasattr(os, "O_TMPFILE")


def fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable. Windows cannot open a folder as a file; NTFS
    journals its directory changes, so there is nothing to do there."""
    if not is_windows():
        fsync_file(path)


def fsync_file(path: Path) -> None:
    """fsync what `path` names: its bytes (a file) or its entries (a folder, POSIX only)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def free_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def allocated_bytes(path: Path) -> int:
    """Bytes of real blocks behind `path` (a sparse file has fewer than its size); Windows
    reports no block count, there the size stands in."""
    st = path.stat()
    blocks = getattr(st, "st_blocks", None)
    return st.st_size if blocks is None else blocks * 512


def fill_zeros(fd: int, size: int) -> None:
    """Give `fd` `size` bytes of real blocks (not a sparse hole)."""
    fallocate = getattr(os, "posix_fallocate", None)
    if fallocate is not None:
        try:
            fallocate(fd, 0, size)
            return
        except OSError as e:
            if e.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                raise
    os.lseek(fd, 0, os.SEEK_SET)  # FAT, Windows: write the zeros
    os.write(fd, b"\0" * size)


def ram_dir() -> Path | None:
    """A RAM-backed folder for plaintext scratch files (Linux /dev/shm), or None (Windows has
    no tmpfs; callers then use `encrypted_scratch_base`)."""
    if is_windows():
        return None
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else None


def encrypt_folder(path: Path) -> bool:
    """Windows: mark `path` for EFS, so files made inside it are encrypted under the user's
    key (Windows Pro/Enterprise; Home has no EFS and says so by failing). False elsewhere or
    when refused — the folder is still owner-only."""
    if not is_windows():
        return False
    from ctypes import wintypes

    advapi = _win_dll("advapi32")
    advapi.EncryptFileW.argtypes = [wintypes.LPCWSTR]
    advapi.EncryptFileW.restype = wintypes.BOOL
    return bool(advapi.EncryptFileW(str(path)))


def private_scratch(folder: Path) -> None:
    """Prepare `folder` (made by the caller) for plaintext scratch files: owner-only, and on
    Windows encrypted by EFS where the edition has it."""
    with contextlib.suppress(OSError):
        make_private(folder)
    with contextlib.suppress(OSError):
        encrypt_folder(folder)


def user_dir(kind: str) -> Path:
    """Per-user folders: kind "data" (the default store), "state" (lockout counters on
    read-only media), "cache". XDG on POSIX; %LOCALAPPDATA%\\FieldKit\\<kind> on Windows
    (local, not roaming: a store must never follow the user onto another computer)."""
    if is_windows():
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "FieldKit" / kind
    env, default = {"data": ("XDG_DATA_HOME", ".local/share"), "state": ("XDG_STATE_HOME", ".local/state"),
                    "cache": ("XDG_CACHE_HOME", ".cache")}[kind]
    return Path(os.environ.get(env) or str(Path.home() / default)) / "fieldkit"


# ---------------------------------------------------------------------- removable drives
_DRIVE_REMOVABLE = 2


def windows_removable_volumes() -> list[tuple[str, str]]:
    """Windows: (root "E:\\", volume label) of each drive letter Windows calls removable (USB
    sticks, SD cards). USB hard disks report DRIVE_FIXED and are not listed — the backup
    screen's folder chooser reaches them. Empty elsewhere."""
    if not is_windows():
        return []
    from ctypes import wintypes

    kernel = _win_dll("kernel32")
    kernel.GetDriveTypeW.argtypes = [wintypes.LPCWSTR]
    kernel.GetDriveTypeW.restype = wintypes.UINT
    kernel.GetVolumeInformationW.argtypes = [wintypes.LPCWSTR, wintypes.LPWSTR, wintypes.DWORD, ctypes.c_void_p,
                                             ctypes.c_void_p, ctypes.c_void_p, wintypes.LPWSTR, wintypes.DWORD]
    kernel.GetVolumeInformationW.restype = wintypes.BOOL
    mask = int(kernel.GetLogicalDrives())
    found = []
    for i in range(26):
        if not mask & (1 << i):
            continue
        root = f"{chr(ord('A') + i)}:\\"
        if kernel.GetDriveTypeW(root) != _DRIVE_REMOVABLE:
            continue
        label = ctypes.create_unicode_buffer(261)
        if not kernel.GetVolumeInformationW(root, label, 261, None, None, None, None, 0):
            continue  # a card reader slot with no card in it
        found.append((root, label.value))
    return found


# -------------------------------------------------------------------------- vendor libraries
def library_names(*, posix: tuple[str, ...], windows: tuple[str, ...]) -> tuple[str, ...]:
    """The default file names of a vendor library on this platform."""
    return windows if is_windows() else posix


def load_library(name: str) -> ctypes.CDLL:
    """Load a vendor library. Windows card-reader and biometric DLLs export ``__stdcall``
    (WINAPI) functions, which only `ctypes.WinDLL` calls correctly on 32-bit Windows (on x64
    the two conventions are one); elsewhere it is a plain shared object."""
    if is_windows():
        return ctypes.WinDLL(name)  # type: ignore[attr-defined]
    return ctypes.CDLL(name)
