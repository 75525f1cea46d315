"""The chief's backup screen, driven through its widgets: a (faked) USB stick is listed, a
backup is written to it and read back, the reminder goes; a restore asks the chief's passphrase,
lists what the backup lacks, and the app restarts into the restored store."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QListWidget, QPushButton

from fieldkit.services import backup as backup_service
from fieldkit.services import drives
from fieldkit.services import records as rec_service
from fieldkit.services import workspace as ws_service
from tests.ui.conftest import PASSPHRASE, find, top_level, type_text, unlock


@pytest.fixture
def stick(tmp_path, monkeypatch) -> Path:
    """A USB stick as lsblk would report it, mounted at a temp folder (the seam: removable_drives)."""
    mount = tmp_path / "media" / "SUO-BACKUP"
    mount.mkdir(parents=True)
    monkeypatch.setattr(drives, "removable_drives",
                        lambda: [drives.Drive(str(mount), "SUO-BACKUP", 16_000_000_000, 9_000_000_000, "sdb1")])
    return mount


def _open_screen(qtbot, main):
    main.findChild(QAction, "backupAction").trigger()
    qtbot.waitUntil(lambda: top_level("backupDialog") is not None, timeout=5000)
    dialog = top_level("backupDialog")
    qtbot.waitUntil(lambda: find(dialog, QListWidget, "driveList").count() > 0, timeout=5000)
    return dialog


def test_backup_to_the_stick_is_read_back_and_the_reminder_goes(qtbot, seeded_home, start_app, stick):
    main = unlock(qtbot, start_app(seeded_home))
    reminder = find(main, QLabel, "statusBackupReminder")
    qtbot.waitUntil(reminder.isVisible, timeout=5000)
    assert reminder.text() == "该备份了" and "还没有备份过" in reminder.toolTip()

    dialog = _open_screen(qtbot, main)
    drive_list = find(dialog, QListWidget, "driveList")
    assert "SUO-BACKUP" in drive_list.item(0).text() and "9.0 GB" in drive_list.item(0).text()
    assert "还没有备份过" in find(dialog, QLabel, "backupLast").text()
    qtbot.mouseClick(find(dialog, QPushButton, "backupStart"), Qt.MouseButton.LeftButton)
    outcome = find(dialog, QLabel, "backupResult")
    qtbot.waitUntil(lambda: "读回校验通过" in outcome.text(), timeout=15000)
    written = list((stick / backup_service.FOLDER).glob("fieldkit-*.fkbackup"))
    assert len(written) == 1 and written[0].name in outcome.text()
    qtbot.waitUntil(lambda: "上次备份" in find(dialog, QLabel, "backupLast").text(), timeout=5000)
    qtbot.waitUntil(lambda: not reminder.isVisible(), timeout=5000)
    # The restore side lists the backup just made, newest first.
    qtbot.waitUntil(lambda: find(dialog, QListWidget, "restoreList").count() == 1, timeout=5000)


def test_restore_asks_the_chiefs_passphrase_lists_what_is_lacking_and_restarts(qtbot, seeded_home, start_app, stick):
    # The state a chief finds: a backup on the stick, then a village added after it.
    ws = ws_service.unlock(seeded_home, "zhang", PASSPHRASE)
    try:
        backup_service.backup_to_folder(ws, stick)
        kind = ws.catalog["villages"].field("kind").choices[0].value
        rec_service.save(ws, "villages", {"code": "350102001002", "name": "上洋村", "township": "城关镇", "kind": kind})
    finally:
        ws.lock()
    session = start_app(seeded_home)
    main = unlock(qtbot, session)
    dialog = _open_screen(qtbot, main)
    backups = find(dialog, QListWidget, "restoreList")
    qtbot.waitUntil(lambda: backups.count() == 1, timeout=5000)
    restore = find(dialog, QPushButton, "restoreStart")
    lacks = find(dialog, QLabel, "restoreLacks")

    type_text(qtbot, find(dialog, QLineEdit, "restorePassphrase"), "not the passphrase")
    qtbot.mouseClick(find(dialog, QPushButton, "restoreCheck"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "口令" in lacks.text(), timeout=15000)
    assert not restore.isEnabled()

    box = find(dialog, QLineEdit, "restorePassphrase")
    box.clear()
    type_text(qtbot, box, PASSPHRASE)
    qtbot.mouseClick(find(dialog, QPushButton, "restoreCheck"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "缺少" in lacks.text(), timeout=15000)
    assert "村庄信息：新增 1 条、修改 0 条" in lacks.text()
    assert not restore.isEnabled()  # dropping newer records needs the box ticked
    find(dialog, QCheckBox, "restoreDropNewer").setChecked(True)
    assert restore.isEnabled()
    qtbot.mouseClick(restore, Qt.MouseButton.LeftButton)

    # The app restarts at the unlock screen, on the restored store.
    qtbot.waitUntil(lambda: session.main_window is None and session.unlock_window is not None
                    and "已恢复备份" in session.unlock_window.findChild(QLabel, "lockReason").text(), timeout=20000)
    main = unlock(qtbot, session)
    counts: dict[str, int] = {}
    main.worker.run(lambda job: rec_service.counts(job.ws), counts.update, progress=False)
    qtbot.waitUntil(lambda: "villages" in counts, timeout=5000)
    assert counts["villages"] == 1  # 上洋村, added after the backup, is gone
    assert list(seeded_home.glob("replaced-*"))  # the store it replaced is kept whole


def test_a_chosen_folder_stays_when_the_drive_listing_arrives(qtbot, seeded_home, start_app, tmp_path, monkeypatch):
    monkeypatch.setattr(drives, "removable_drives", lambda: [])  # no stick in this laptop
    main = unlock(qtbot, start_app(seeded_home))
    from fieldkit.ui import admin

    dialog = admin.open_backup(main)
    dialog.choose_folder(str(tmp_path))  # before the (worker's) listing has come back
    drive_list = find(dialog, QListWidget, "driveList")
    qtbot.waitUntil(lambda: not main.worker.is_busy(), timeout=5000)
    assert drive_list.count() == 1 and str(tmp_path) in drive_list.item(0).text()
    assert dialog.selected_drive() == str(tmp_path)
    dialog.rescan.click()
    qtbot.waitUntil(lambda: not main.worker.is_busy(), timeout=5000)
    assert dialog.selected_drive() == str(tmp_path)
    dialog.close()
