"""platform_io: the one place where Windows and POSIX differ.

The POSIX branches run for real. The Windows branches run with ``sys.platform = "win32"`` and
a stand-in for ``ctypes.WinDLL`` that answers like the documented Win32 functions; they show
which calls are made, with what, and what FieldKit does with the answers — not that Windows
then enforces the ACL (that needs Windows).
"""

from __future__ import annotations

import ctypes
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fieldkit import fsio, platform_io
from fieldkit.services import drives, files

pytestmark = pytest.mark.timeout(60)


class Win32:
    """Stand-in DLLs: `answers[function]` is a callable(*args) or a value; every call recorded."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, tuple]] = []
        self.answers: dict[str, object] = {"SetNamedSecurityInfoW": 0}

    def dll(self, name, *args, **kwargs):
        outer = self

        class Dll:
            def __getattr__(self, fn):
                if fn.startswith("_"):
                    raise AttributeError(fn)

                class Fn:
                    argtypes = restype = None

                    def __call__(self, *a):
                        outer.calls.append((name, fn, a))
                        answer = outer.answers.get(fn, 1)
                        return answer(*a) if callable(answer) else answer

                setattr(self, fn, Fn())
                return getattr(self, fn)

        return Dll()

    def names(self) -> list[str]:
        return [fn for _dll, fn, _a in self.calls]


@pytest.fixture
def win32(monkeypatch):
    w = Win32()
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(ctypes, "WinDLL", w.dll, raising=False)
    monkeypatch.setattr(ctypes, "get_last_error", lambda: 5, raising=False)
    return w


def test_posix_private_files_and_folders_are_owner_only(tmp_path):
    f, d = tmp_path / "export.csv", tmp_path / "folder"
    f.write_bytes(b"x")
    d.mkdir()
    os.chmod(f, 0o644)
    os.chmod(d, 0o755)
    platform_io.make_private(f)
    platform_io.make_private(d)
    assert stat.S_IMODE(f.stat().st_mode) == 0o600 and stat.S_IMODE(d.stat().st_mode) == 0o700


def test_windows_private_folder_gets_a_protected_inherited_owner_only_dacl(tmp_path, win32):
    platform_io.make_private(tmp_path)
    assert win32.names() == ["ConvertStringSecurityDescriptorToSecurityDescriptorW", "GetSecurityDescriptorDacl",
                             "SetNamedSecurityInfoW", "LocalFree"]
    assert win32.calls[0][2][0] == "D:P(A;OICI;FA;;;OW)(A;OICI;FA;;;SY)"
    path, kind, what = win32.calls[2][2][:3]
    assert (path, kind) == (str(tmp_path), 1)  # SE_FILE_OBJECT
    assert what == 0x80000004  # PROTECTED_DACL | DACL_SECURITY_INFORMATION
    assert stat.S_IMODE(tmp_path.stat().st_mode) != 0o600  # no chmod pretending to be an ACL


def test_windows_refused_acl_is_an_oserror_and_still_freed(tmp_path, win32):
    f = tmp_path / "a"
    f.write_bytes(b"")
    win32.answers["SetNamedSecurityInfoW"] = 5  # ERROR_ACCESS_DENIED
    with pytest.raises(OSError, match="SetNamedSecurityInfoW"):
        platform_io.make_private(f)
    assert win32.calls[0][2][0] == "D:P(A;;FA;;;OW)(A;;FA;;;SY)" and win32.names()[-1] == "LocalFree"
    assert platform_io.try_make_private(f) is False


def test_windows_pid_check_never_signals(win32, monkeypatch):
    def no_kill(pid, sig):
        raise AssertionError("os.kill terminates a process on Windows")

    monkeypatch.setattr(os, "kill", no_kill)

    def exit_code(handle, ref):
        ref._obj.value = 259 if handle == 11 else 0  # STILL_ACTIVE
        return 1

    win32.answers["GetExitCodeProcess"] = exit_code
    win32.answers["OpenProcess"] = lambda access, inherit, pid: {101: 11, 102: 12}.get(pid, 0)
    assert fsio.pid_alive(101) is True
    assert fsio.pid_alive(102) is False  # exited, handle still held by someone
    assert fsio.pid_alive(103) is True  # OpenProcess refused (get_last_error 5): it exists
    assert "CloseHandle" in win32.names()


def test_windows_user_folders_and_encrypted_scratch(tmp_path, win32, monkeypatch):
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert platform_io.user_dir("data") == tmp_path / "Local" / "FieldKit" / "data"
    assert platform_io.ram_dir() is None
    with files.scratch_dir(tmp_path / "home-tmp") as scratch:
        assert scratch.parent == tmp_path / "home-tmp"
        assert ("advapi32", "EncryptFileW", (str(scratch),)) in win32.calls  # EFS for plaintext temp files
    assert not scratch.exists()


def test_windows_removable_drives_are_the_removable_letters(win32, monkeypatch):
    win32.answers["GetLogicalDrives"] = 0b10101  # A, C, E
    win32.answers["GetDriveTypeW"] = lambda root: {"A:\\": 2, "C:\\": 3, "E:\\": 2}[root]

    def volume(root, label, *rest):
        if root == "A:\\":
            return 0  # an empty card slot
        label.value = "所里备份"
        return 1

    win32.answers["GetVolumeInformationW"] = volume
    monkeypatch.setattr(drives.shutil, "disk_usage", lambda root: type("U", (), {"total": 8 << 30, "free": 5 << 30}))
    found = drives.removable_drives()
    assert [(d.mount, d.label, d.size, d.free) for d in found] == [("E:\\", "所里备份", 8 << 30, 5 << 30)]


def test_the_lock_holds_other_processes_off(tmp_path):
    lock = tmp_path / "keyring.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    platform_io.lock_exclusive(fd)
    code = ("import os, sys, time; from fieldkit import platform_io; fd = os.open(sys.argv[1], os.O_RDWR); "
            "platform_io.lock_exclusive(fd); print(time.time())")
    child = subprocess.Popen([sys.executable, "-c", code, str(lock)], stdout=subprocess.PIPE, text=True,
                             env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent)))
    time.sleep(1.0)
    released = time.time()
    platform_io.unlock(fd)
    os.close(fd)
    out, _ = child.communicate(timeout=30)
    assert float(out) >= released  # it got the lock only once we let go
