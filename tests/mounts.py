"""Small real file systems for storage-fault tests: a tmpfs of a given size, remounted read-only.

Mounting needs root and a kernel that lets this container mount; where it cannot, the test is
skipped (the fault logic is also covered without a mount, e.g. by SQLite's max_page_count)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount tmpfs here: {r.stderr.decode(errors='replace').strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def remount(path: Path, mode: str) -> None:
    """`mode` is "ro" (a write-protected stick) or "rw"."""
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True, capture_output=True)


def fill(mount: Path) -> None:
    """Use up every free byte of `mount` (as a full disk would be)."""
    with contextlib.suppress(OSError), open(mount / "filler", "wb") as f:
        while True:
            f.write(b"\0" * 65536)
            f.flush()
    with contextlib.suppress(OSError), open(mount / "filler2", "wb") as f:
        while True:
            f.write(b"\0" * 512)
            f.flush()


def unfill(mount: Path) -> None:
    for p in mount.glob("filler*"):
        p.unlink()
