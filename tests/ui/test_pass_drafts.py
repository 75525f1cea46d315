"""What a grid worker confirmed on the household card but has not submitted is never thrown away:
not by closing the 扫门牌 tab, a lock, a language switch, nor a killed process. The quick forms ask
before 取消 throws away what was typed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton

from fieldkit.devices.camera import FileCameraBackend
from fieldkit.domain.doorplate_code import sign_doorplate
from fieldkit.ui.scan import open_scan_view
from fieldkit.ui.scan.dialogs import QuickFormDialog
from tests.ui.conftest import find, unlock
from tests.ui.test_scan import CODE, STATION, seed, visible, wait_for_card

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scan_home(home: Path) -> Path:
    seed(home)  # the house at 下洋8号 of test_scan, with its family and tenant
    return home


def _pending_pass(qtbot, main):
    """At 下洋8号: 林秀英 marked moved out and a visit confirmed, not submitted."""
    view = open_scan_view(main, camera_backend=FileCameraBackend([]))
    view.handle_payload(sign_doorplate(CODE, STATION))
    card = wait_for_card(qtbot, view)
    row = next(i for i in range(card.residents.rowCount()) if card.residents.item(i, 0).text() == "林秀英")
    find(card, QPushButton, f"mark_moved_out_{row}").click()
    card.visit = {"visit_date": "2026-11-20", "visit_type": "routine", "address": card.card.address.uuid,
                  "village": card.card.address.data["village"], "officer": "张网格", "summary": "入户走访"}
    card._update_pending()
    return view


def _restored(qtbot, main):
    view = open_scan_view(main, camera_backend=FileCameraBackend([]))
    card = wait_for_card(qtbot, view)
    label = find(card, QLabel, "passPending")
    qtbot.waitUntil(lambda: "已恢复" in label.text(), timeout=10000)
    assert "走访记录 1 条" in label.text() and "状态变更 1 人" in label.text()
    return view


def _answer(qtbot, name: str, role: QMessageBox.ButtonRole) -> None:
    def click() -> bool:
        box = next((w for w in QApplication.topLevelWidgets() if w.objectName() == name and w.isVisible()), None)
        if box is None:
            return False
        next(b for b in box.buttons() if box.buttonRole(b) == role).click()
        return True

    qtbot.waitUntil(click, timeout=5000)


def test_closing_the_tab_asks_and_keeps_the_pass_by_default(qtbot, scan_home, start_app):
    from PySide6.QtCore import QTimer

    main = unlock(qtbot, start_app(scan_home))
    view = _pending_pass(qtbot, main)
    QTimer.singleShot(0, lambda: _answer(qtbot, "scanCloseBox", QMessageBox.ButtonRole.AcceptRole))
    main.close_tab(main.tabs.indexOf(view))
    qtbot.waitUntil(lambda: main.tabs.indexOf(view) < 0)
    _restored(qtbot, main)


def test_a_lock_and_a_language_switch_keep_the_pass(qtbot, scan_home, start_app):
    session = start_app(scan_home)
    main = unlock(qtbot, session)
    _pending_pass(qtbot, main)
    session.lock()  # Ctrl+L and the idle lock both end here
    main = unlock(qtbot, session)
    view = _restored(qtbot, main)
    session.settings.set("language", "en")
    session._settings_changed({"language"})
    qtbot.waitUntil(lambda: session.main_window is not main, timeout=10000)
    main = session.main_window
    view = open_scan_view(main, camera_backend=FileCameraBackend([]))
    card = wait_for_card(qtbot, view)
    qtbot.waitUntil(lambda: card.has_pending, timeout=10000)
    session.settings.set("language", "zh")


def test_cancel_on_a_quick_form_with_typing_asks_first(qtbot, scan_home, start_app):
    from PySide6.QtCore import QTimer

    main = unlock(qtbot, start_app(scan_home))
    view = _pending_pass(qtbot, main)
    dialog = view.card.add_resident()
    qtbot.waitUntil(lambda: visible(QuickFormDialog, "quickForm_residents") is not None)
    dialog.form.rows["name"].editor.set_value("吴小花")
    dialog.form.touched.add("name")
    QTimer.singleShot(0, lambda: _answer(qtbot, "quickFormDiscard", QMessageBox.ButtonRole.RejectRole))
    dialog.reject()
    assert dialog.isVisible()  # "继续填写" is the default answer: the form stays with the name
    assert dialog.form.rows["name"].editor.value() == "吴小花"
    QTimer.singleShot(0, lambda: _answer(qtbot, "quickFormDiscard", QMessageBox.ButtonRole.DestructiveRole))
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_a_killed_app_gives_the_pass_back_with_the_open_form(qtbot, scan_home, start_app):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-m", "tests.ui.pass_draft_driver", str(scan_home)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "READY"
    finally:
        child.send_signal(signal.SIGKILL)  # the battery dies mid-pass
        child.wait(10)
    main = unlock(qtbot, start_app(scan_home))
    view = _restored(qtbot, main)
    qtbot.waitUntil(lambda: visible(QuickFormDialog, "quickForm_residents") is not None, timeout=10000)
    reopened = visible(QuickFormDialog, "quickForm_residents")
    assert reopened.form.rows["name"].editor.value() == "吴小花"
    assert view.card.has_pending


def test_lock_with_pending_entries_then_unlock_gives_them_back(qtbot, scan_home, start_app):
    """Counted as the officer does it: Ctrl+L, the passphrase, Enter, Ctrl+Shift+D — the pass is there."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLineEdit

    from tests.ui.actions import Actions
    from tests.ui.conftest import PASSPHRASE

    session = start_app(scan_home)
    main = unlock(qtbot, session)
    _pending_pass(qtbot, main)
    act = Actions(qtbot, "lock with pending entries → unlock → entries there")
    main.activateWindow()
    act.key(main, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier, what="Ctrl+L 锁定")
    qtbot.waitUntil(lambda: session.unlock_window is not None and session.unlock_window.isVisible(), timeout=10000)
    box = find(session.unlock_window, QLineEdit, "loginPassphrase")
    qtbot.waitUntil(box.isEnabled)
    box.setFocus()
    act.type(box, PASSPHRASE, "type the passphrase")
    act.key(box, Qt.Key.Key_Return, what="Enter 解锁")
    qtbot.waitUntil(lambda: session.main_window is not None and session.main_window.isVisible(), timeout=15000)
    main = session.main_window
    main.activateWindow()
    act.key(main, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
            what="Ctrl+Shift+D 扫门牌")
    view = main.tabs.currentWidget()
    card = wait_for_card(qtbot, view)
    label = find(card, QLabel, "passPending")
    qtbot.waitUntil(lambda: "已恢复" in label.text(), timeout=10000)
    assert "走访记录 1 条" in label.text() and "状态变更 1 人" in label.text()
    assert act.done() <= 4
