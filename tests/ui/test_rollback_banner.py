"""Issue 11 item 4 in the app: an older fieldkit.db copied back is shown at unlock as a red
banner with the numbers; a grid worker is told to call the chief; the chief accepts with a reason
in a dialog, and the store is read-write again with the reason audited."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton

from fieldkit.store import Store

from .conftest import PASSPHRASE, find, seed_store, unlock


def _roll_back(home: Path, tmp_path: Path) -> None:
    seed_store(home)
    s = Store.open(home, user="zhang", passphrase=PASSPHRASE)
    s.add_user("grid1", role="grid_worker", passphrase="grid worker passphrase 7")
    s.close()
    shutil.copy(home / "fieldkit.db", tmp_path / "old.db")
    s = Store.open(home, user="zhang", passphrase=PASSPHRASE)
    for i in range(3):
        s.audit.log("view", target=str(i))
    s.close()
    shutil.copy(tmp_path / "old.db", home / "fieldkit.db")


def test_the_chief_sees_the_banner_and_accepts_with_a_reason(qtbot, tmp_path: Path, start_app) -> None:
    home = tmp_path / "fk"
    _roll_back(home, tmp_path)
    session = start_app(home)
    find(session.unlock_window, QComboBox, "loginUser").setCurrentText("zhang")
    window = unlock(qtbot, session)
    banner = find(window, QLabel, "rollbackBanner")
    qtbot.waitUntil(banner.isVisible, timeout=5000)
    assert "数据库被换成了旧版本或日志被截断" in banner.text() and "第" in banner.text()
    assert find(window, QLabel, "statusStorage").text() == ""  # not "read-only disk"
    window.grab().save(str(tmp_path / "rollback-banner.png"))
    decide = find(window, QPushButton, "rollbackDecide")
    assert decide.isVisible()
    dialog = window.rollback_banner.open_dialog()
    accept = find(dialog, QPushButton, "rollbackAccept")
    assert not accept.isEnabled()
    find(dialog, QLineEdit, "rollbackReason").setText("更换硬盘后放回的旧拷贝")
    assert accept.isEnabled()
    accept.click()
    qtbot.waitUntil(lambda: not window.rollback_banner.isVisible(), timeout=5000)
    window.close()
    qtbot.wait(200)
    s = Store.open(home, user="zhang", passphrase=PASSPHRASE)
    assert s.rollback is None
    assert any(e.action == "accept_rollback" and e.detail["reason"] == "更换硬盘后放回的旧拷贝"
               for e in s.audit.entries())
    s.close()


def test_a_grid_worker_sees_the_banner_without_the_button(qtbot, tmp_path: Path, start_app) -> None:
    home = tmp_path / "fk"
    _roll_back(home, tmp_path)
    session = start_app(home)
    find(session.unlock_window, QComboBox, "loginUser").setCurrentText("grid1")
    window = unlock(qtbot, session, passphrase="grid worker passphrase 7")
    banner = find(window, QLabel, "rollbackBanner")
    qtbot.waitUntil(banner.isVisible, timeout=5000)
    assert "所长" in banner.text()
    assert not find(window, QPushButton, "rollbackDecide").isVisible()
    window.close()
