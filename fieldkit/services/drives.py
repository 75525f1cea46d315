"""Removable drives a backup can go to: USB sticks and USB hard disks that are mounted.

Why `lsblk -J` and not /proc/mounts + /sys/block/*/removable: one call gives, per partition,
the mount point, the label the chief wrote on the stick, its size and free space, and whether
the disk is removable (RM), hot-pluggable (HOTPLUG) or on USB (TRAN). USB hard disks ("移动硬盘")
report RM=0, so the sysfs flag alone would miss them. lsblk is util-linux, on every Linux
desktop; when it is missing or fails, /proc/mounts + sysfs is the fallback, and the screen
always has a folder chooser besides. On Windows: the drive letters Windows calls removable
(`platform_io.windows_removable_volumes`).

Threading: any thread (a subprocess and file reads; no store).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit import platform_io

#: Mount points never offered: the system's own disks, even when a laptop reports them hot-pluggable.
SYSTEM_MOUNTS = ("/", "/boot", "/boot/efi", "/home", "/usr", "/var", "/tmp", "[SWAP]")


@dataclass(frozen=True)
class Drive:
    """A mounted removable filesystem. `size`/`free` in bytes (None when unknown)."""

    mount: str
    label: str
    size: int | None
    free: int | None
    device: str = ""


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def parse_lsblk(data: dict[str, Any]) -> list[Drive]:
    """Drives from `lsblk -J -b -o NAME,RM,HOTPLUG,TRAN,MOUNTPOINT,LABEL,SIZE,FSAVAIL` output.
    A partition inherits its disk's removable/hot-plug/USB flags."""
    out: list[Drive] = []

    def walk(dev: dict[str, Any], removable: bool) -> None:
        here = removable or dev.get("rm") in (True, "1", 1) or dev.get("hotplug") in (True, "1", 1) \
            or dev.get("tran") == "usb"
        mount = dev.get("mountpoint")
        if here and mount and mount not in SYSTEM_MOUNTS:
            out.append(Drive(mount, dev.get("label") or "", _int(dev.get("size")), _int(dev.get("fsavail")),
                             dev.get("name") or ""))
        for child in dev.get("children") or ():
            walk(child, here)

    for dev in data.get("blockdevices") or ():
        walk(dev, False)
    return sorted(out, key=lambda d: d.mount)


def _from_lsblk() -> list[Drive] | None:
    exe = shutil.which("lsblk")
    if exe is None:
        return None
    try:
        done = subprocess.run([exe, "-J", "-b", "-o", "NAME,RM,HOTPLUG,TRAN,MOUNTPOINT,LABEL,SIZE,FSAVAIL"],
                              capture_output=True, text=True, timeout=5, check=True)
        return parse_lsblk(json.loads(done.stdout))
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def _from_proc(mounts: Path = Path("/proc/mounts"), sys_block: Path = Path("/sys/block")) -> list[Drive]:
    """Fallback: mounted /dev/sdX… whose disk has removable=1 in sysfs."""
    try:
        lines = mounts.read_text().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        parts = line.split()
        if len(parts) < 2 or not parts[0].startswith("/dev/"):
            continue
        dev, mount = parts[0][5:], parts[1].replace("\\040", " ")
        disk = next((d.name for d in sys_block.glob("*") if dev.startswith(d.name)), None) if sys_block.is_dir() else None
        try:
            removable = disk is not None and (sys_block / disk / "removable").read_text().strip() == "1"
        except OSError:
            removable = False
        if removable and mount not in SYSTEM_MOUNTS:
            try:
                st = os.statvfs(mount)
                size: int | None = st.f_blocks * st.f_frsize
                free: int | None = st.f_bavail * st.f_frsize
            except OSError:
                size = free = None
            out.append(Drive(mount, Path(mount).name, size, free, dev))
    return out


def removable_drives() -> list[Drive]:
    """The mounted removable drives, by mount point (tests replace this function)."""
    if platform_io.is_windows():
        return _from_windows()
    found = _from_lsblk()
    return found if found is not None else _from_proc()


def _from_windows() -> list[Drive]:
    out = []
    for root, label in platform_io.windows_removable_volumes():
        try:
            usage = shutil.disk_usage(root)
            size: int | None = usage.total
            free: int | None = usage.free
        except OSError:
            size = free = None
        out.append(Drive(root, label or root.rstrip("\\"), size, free, root[:2]))
    return out
