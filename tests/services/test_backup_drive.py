"""Backups a chief makes to a USB stick: written, read back, the last N kept, and the reminder."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest

from fieldkit.domain.errors import Cancelled, IntegrityError
from fieldkit.services import backup as bsvc
from fieldkit.services import drives
from fieldkit.services import records as rsvc
from fieldkit.services import workspace as wsvc
from tests.services.conftest import PASS

VILLAGE = {"code": "350102001001", "name": "下洋村", "township": "城关镇"}


@pytest.fixture()
def ws(tmp_path):
    ws, _ = wsvc.create(tmp_path / "store", "chief", PASS, display_name="陈所长")
    kind = ws.catalog["villages"].field("kind").choices[0].value
    rsvc.save(ws, "villages", {**VILLAGE, "kind": kind})
    ws.store.attachments.put(b"\x89PNG photo of a resident", kind="photo")
    yield ws
    ws.lock()


def at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 0, 0)


def test_backup_to_a_folder_is_read_back_and_restores(ws, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    result = bsvc.backup_to_folder(ws, stick, now=at(3))
    path = Path(result.path)
    assert path.parent == stick / bsvc.FOLDER and path.name == "fieldkit-20261103-090000.fkbackup"
    assert result.records == 1 and result.attachments == 1
    # The chief can restore it into a new home and find the village again.
    home = tmp_path / "restored"
    bsvc.restore(path, home)
    again = wsvc.unlock(home, "chief", PASS)
    try:
        assert [r.data["name"] for r in again.store.records.rows(again.store.records.ids("villages"))] == ["下洋村"]
    finally:
        again.lock()


def test_verify_finds_a_damaged_attachment_and_a_foreign_backup(ws, tmp_path):
    good = Path(bsvc.backup_to_folder(ws, tmp_path, now=at(3)).path)
    assert ws.store.verify_backup(good)["ok"]
    # Rewrite the zip with one attachment's ciphertext altered (CRCs recomputed: only the
    # decryption can tell).
    bad = tmp_path / "bad.fkbackup"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename.startswith("attachments/"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            zout.writestr(item, data)
    check = ws.store.verify_backup(bad)
    assert not check["ok"] and any("attachment" in p for p in check["problems"])
    # Another station's backup does not pass as this store's.
    other, _ = wsvc.create(tmp_path / "other", "chief", PASS)
    try:
        foreign = Path(bsvc.backup_to_folder(other, tmp_path / "o", now=at(3)).path)
    finally:
        other.lock()
    assert "not a backup of this store" in ws.store.verify_backup(foreign)["problems"]


def test_a_backup_that_does_not_read_back_is_deleted(ws, tmp_path, monkeypatch):
    monkeypatch.setattr(type(ws.store), "verify_backup",
                        lambda self, src, cancel=None: {"ok": False, "problems": ["page 3: hmac"], "records": 0,
                                                        "attachments": 0})
    with pytest.raises(IntegrityError, match="读回校验失败"):
        bsvc.backup_to_folder(ws, tmp_path, now=at(3))
    assert list((tmp_path / bsvc.FOLDER).iterdir()) == []
    assert bsvc.last_backup(ws) is None


def test_keep_last_n_deletes_only_older_fieldkit_backups_of_this_store(ws, tmp_path):
    folder = tmp_path / bsvc.FOLDER
    folder.mkdir()
    (folder / "fieldkit-20200101-000000.fkbackup").write_text("not a zip: a file the chief named like ours")
    (folder / "notes.txt").write_text("户籍科电话")
    (folder / "fieldkit-old.fkbackup").write_bytes(b"x")
    made = [bsvc.backup_to_folder(ws, tmp_path, keep=2, now=at(d)) for d in (1, 2, 3, 4)]
    left = sorted(p.name for p in folder.iterdir())
    assert left == ["fieldkit-20200101-000000.fkbackup", "fieldkit-20261103-090000.fkbackup",
                    "fieldkit-20261104-090000.fkbackup", "fieldkit-old.fkbackup", "notes.txt"]
    assert made[-1].removed == ("fieldkit-20261102-090000.fkbackup",)
    # The setting is the default when not given.
    bsvc.set_keep_count(ws, 1)
    bsvc.backup_to_folder(ws, tmp_path, now=at(5))
    assert [p.name for p, _ in bsvc.backups_in(ws, tmp_path)] == ["fieldkit-20261105-090000.fkbackup"]
    assert bsvc.keep_count(ws) == 1


def test_cancel_leaves_no_file(ws, tmp_path):
    with pytest.raises(Cancelled):
        bsvc.backup_to_folder(ws, tmp_path, now=at(3), cancel=lambda: True)
    assert [p for p in (tmp_path / bsvc.FOLDER).rglob("*") if p.is_file()] == []


def test_last_backup_and_the_reminder_after_seven_days(ws, tmp_path):
    zh, en = bsvc.reminder(ws, now=at(1))
    assert "还没有备份过" in zh and "never" in en
    bsvc.backup_to_folder(ws, tmp_path, now=at(3, 17))
    assert bsvc.last_backup(ws)["at"] == "2026-11-03T17:00:00"
    assert bsvc.reminder(ws, now=at(10, 16)) is None  # 6 days 23 hours
    zh, en = bsvc.reminder(ws, now=at(10, 17))
    assert "7 天前" in zh and "2026-11-03" in zh and "7 days ago" in en


def test_restore_check_lists_what_the_backup_lacks_and_replaces_nothing(ws, tmp_path):
    path = Path(bsvc.backup_to_folder(ws, tmp_path, now=at(3)).path)
    kind = ws.catalog["villages"].field("kind").choices[0].value
    rsvc.save(ws, "villages", {"code": "350102001002", "name": "上洋村", "township": "城关镇", "kind": kind})
    got = bsvc.restore_check(path, ws.store.home, user="chief", passphrase=PASS)
    assert got["lacked"]["modules"]["villages"] == {"new": 1, "changed": 0}
    # The village first; audit entries written since (the save's, once flushed) may follow.
    assert bsvc.lacks_lines(got["lacked"])[0] == "村庄信息：新增 1 条、修改 0 条"
    assert bsvc.lacks_lines(got["lacked"], "en")[0].endswith(": 1 new, 0 changed")
    assert ws.store.records.count("villages") == 2  # nothing replaced
    from fieldkit.domain.errors import AuthError

    with pytest.raises(AuthError):
        bsvc.restore_check(path, ws.store.home, user="chief", passphrase="wrong passphrase")


def test_removable_drives_from_lsblk():
    listing = json.loads("""{"blockdevices": [
      {"name": "nvme0n1", "rm": false, "hotplug": false, "tran": "nvme", "mountpoint": null, "label": null,
       "size": 512110190592, "fsavail": null, "children": [
         {"name": "nvme0n1p2", "rm": false, "hotplug": false, "tran": null, "mountpoint": "/", "label": null,
          "size": 500000000000, "fsavail": 100000000000}]},
      {"name": "sdb", "rm": true, "hotplug": true, "tran": "usb", "mountpoint": null, "label": null,
       "size": 16008609792, "fsavail": null, "children": [
         {"name": "sdb1", "rm": true, "hotplug": true, "tran": null, "mountpoint": "/media/chief/SUO-BACKUP",
          "label": "SUO-BACKUP", "size": 16007561216, "fsavail": 9000000000}]},
      {"name": "sdc", "rm": false, "hotplug": false, "tran": "usb", "mountpoint": null, "label": null,
       "size": 1000204886016, "fsavail": null, "children": [
         {"name": "sdc1", "rm": false, "hotplug": false, "tran": null, "mountpoint": "/media/chief/移动硬盘",
          "label": "移动硬盘", "size": 1000202273280, "fsavail": 800000000000}]}]}""")
    found = drives.parse_lsblk(listing)
    assert [(d.mount, d.label, d.free) for d in found] == [
        ("/media/chief/SUO-BACKUP", "SUO-BACKUP", 9000000000),
        ("/media/chief/移动硬盘", "移动硬盘", 800000000000)]


def test_removable_drives_without_lsblk_read_proc_mounts_and_sysfs(tmp_path):
    sys_block = tmp_path / "block"
    for disk, removable in (("sda", "0"), ("sdb", "1")):
        (sys_block / disk).mkdir(parents=True)
        (sys_block / disk / "removable").write_text(removable + "\n")
    stick = tmp_path / "SUO BACKUP"
    stick.mkdir()
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda2 / ext4 rw 0 0\nproc /proc proc rw 0 0\n"
                      f"/dev/sdb1 {str(stick).replace(' ', chr(92) + '040')} vfat rw 0 0\n")
    found = drives._from_proc(mounts, sys_block)
    assert [(d.mount, d.device) for d in found] == [(str(stick), "sdb1")] and found[0].free is not None
