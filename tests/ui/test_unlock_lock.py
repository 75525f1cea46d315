"""Later runs: unlock (wrong passphrase, growing delay shown as a countdown), lock, idle lock."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton

from tests.ui.conftest import PASSPHRASE, find, unlock


def _try(qtbot, window, passphrase: str) -> None:
    box = find(window, QLineEdit, "loginPassphrase")
    qtbot.waitUntil(lambda: find(window, QPushButton, "unlockButton").isEnabled(), timeout=15000)
    qtbot.keyClicks(box, passphrase)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_wrong_passphrase_then_countdown_then_unlock(qtbot, seeded_home, start_app):
    session = start_app(seeded_home)
    window = session.unlock_window
    assert window.current_page() is window.login_page
    assert find(window, QComboBox, "loginUser").currentText() == "zhang"

    message = window.login_page.message
    for attempt in range(3):
        _try(qtbot, window, f"wrong-{attempt}")
        qtbot.waitUntil(lambda: "口令错误" in message.text(), timeout=15000)
        assert find(window, QLineEdit, "loginPassphrase").text() == ""  # never left in the box
        if attempt < 2:
            message.clear()
    # The third failure starts the delay: the button counts down and refuses until it ends.
    button = find(window, QPushButton, "unlockButton")
    qtbot.waitUntil(lambda: "秒后可以再试" in message.text())
    assert not button.isEnabled()
    assert "秒后可以再试" in button.text()
    qtbot.waitUntil(button.isEnabled, timeout=10000)
    main = unlock(qtbot, session)
    assert main.isVisible()
    assert session.unlock_window is None


def test_lock_with_ctrl_l_and_unlock_again(qtbot, seeded_home, start_app):
    session = start_app(seeded_home)
    main = unlock(qtbot, session)
    qtbot.waitUntil(lambda: main.nav.count("villages") == 1)
    assert "已解锁" in main.findChild(QLabel, "statusLock").text()

    main.activateWindow()
    main.setFocus()
    qtbot.keyClick(main, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: session.unlock_window is not None and session.unlock_window.isVisible())
    assert session.main_window is None  # nothing personal stays on screen
    qtbot.waitUntil(lambda: not session.worker.has_workspace)  # the key left memory
    reason = find(session.unlock_window, QLabel, "lockReason")
    assert reason.isVisible() and reason.text() == "已手动锁定（Ctrl+L）"

    main = unlock(qtbot, session)
    qtbot.waitUntil(lambda: main.nav.count("villages") == 1)


def test_idle_time_locks(qtbot, seeded_home, start_app):
    session = start_app(seeded_home)
    unlock(qtbot, session)
    assert session.idle.enabled
    # No input for longer than the configured minutes: the watcher fires (clock passed in).
    limit = session.settings.get("idle_lock_minutes") * 60
    assert not session.idle.check(now=session.idle.last_activity + limit - 1)
    assert session.idle.check(now=session.idle.last_activity + limit + 1)
    qtbot.waitUntil(lambda: session.unlock_window is not None and session.main_window is None)
    qtbot.waitUntil(lambda: not session.worker.has_workspace)
    # The officer coming back is told why the screen is locked, with the configured minutes.
    reason = find(session.unlock_window, QLabel, "lockReason")
    assert reason.isVisible() and reason.text() == "因 10 分钟无操作已自动锁定"
    assert PASSPHRASE  # the same passphrase unlocks again
    unlock(qtbot, session)


def test_fresh_start_gives_no_lock_reason(qtbot, seeded_home, start_app):
    session = start_app(seeded_home)
    assert not find(session.unlock_window, QLabel, "lockReason").isVisible()


def test_forgotten_passphrase_reset_with_recovery_code(qtbot, home, start_app):
    from fieldkit.services import workspace as ws_service

    ws, code = ws_service.create(home, "li", "old passphrase 1", display_name="李")
    ws.lock()
    session = start_app(home)
    window = session.unlock_window
    qtbot.mouseClick(window.login_page.recover, Qt.MouseButton.LeftButton)
    assert window.current_page() is window.recover_page
    qtbot.keyClicks(find(window, QLineEdit, "recoveryInput"), code)
    qtbot.keyClicks(find(window, QLineEdit, "resetPassphrase"), "new passphrase 2")
    qtbot.keyClicks(find(window, QLineEdit, "resetPassphraseAgain"), "new passphrase 2")
    qtbot.mouseClick(window.recover_page.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: session.main_window is not None and session.main_window.isVisible(), timeout=20000)
    session.lock()
    unlock(qtbot, session, "new passphrase 2")


def test_unlock_window_language_switch(qtbot, seeded_home, start_app):
    session = start_app(seeded_home)
    combo = find(session.unlock_window, QComboBox, "unlockLanguage")
    combo.setCurrentIndex(combo.findData("en"))
    qtbot.waitUntil(lambda: session.unlock_window.windowTitle() == "Unlock")
    assert find(session.unlock_window, QPushButton, "unlockButton").text() == "Unlock"
    main = unlock(qtbot, session)
    assert main.nav.label_of("visits").isascii()  # module labels in English too
