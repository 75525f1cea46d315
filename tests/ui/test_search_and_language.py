"""Global search across modules (Ctrl+F) and switching the UI to English."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QPushButton, QWidget

from fieldkit.ui.pages import AddressPage
from tests.ui.conftest import find, top_level, type_text, unlock
from tests.ui.test_person_flow import open_new_person


def test_global_search_opens_an_address_page(qtbot, seeded_home, start_app):
    main = unlock(qtbot, start_app(seeded_home))
    qtbot.waitUntil(lambda: main.nav.count("addresses") == 1)
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main)
    qtbot.keyClick(main, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: top_level("globalSearch") is not None)
    dialog = top_level("globalSearch")
    qtbot.keyClicks(find(dialog, QLineEdit, "globalSearchBox"), "XY0001")
    qtbot.waitUntil(lambda: dialog.results.topLevelItemCount() == 1, timeout=10000)
    item = dialog.results.topLevelItem(0)
    assert item.text(0) == "下洋村中街8号"
    assert "地址" in item.text(1)  # which module it is in
    qtbot.keyClick(find(dialog, QLineEdit, "globalSearchBox"), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(main.tabs.currentWidget(), AddressPage) and main.tabs.currentWidget().view is not None)
    page = main.tabs.currentWidget()
    assert page.history_texts()[0][2] == "新建"


def test_switch_to_english(qtbot, seeded_home, start_app):
    session = start_app(seeded_home)
    main = unlock(qtbot, session)
    assert main.nav.label_of("residents") == "实有人口"

    def choose_english() -> None:
        dialog = top_level("settingsDialog")
        combo = find(dialog, QComboBox, "setting_language")
        combo.setCurrentIndex(combo.findData("en"))
        dialog.accept()

    QTimer.singleShot(0, choose_english)
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main)
    qtbot.keyClick(main, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: session.main_window is not None and session.main_window is not main
                    and session.main_window.isVisible())
    main = session.main_window
    assert main.nav.label_of("residents") == "Residents"
    sync = main.findChild(QWidget, "syncStatus")
    qtbot.waitUntil(lambda: "pending" in sync.text())
    assert "Station chief" in main.findChild(QLabel, "statusUser").text()

    dialog = open_new_person(qtbot, main)
    assert dialog.windowTitle() == "New: Residents"
    type_text(qtbot, find(dialog, QLineEdit, "input_id_number"), "110101199003071235")
    message = find(dialog, QLabel, "message_id_number")
    qtbot.waitUntil(lambda: message.isVisible() and "check" in message.text().lower())
    assert find(dialog, QPushButton, "saveButton").text() == "Save (Ctrl+S)"
    dialog.dirty = False
    dialog.close()

    # The choice is remembered: the unlock window after a lock is English too.
    session.lock()
    assert session.unlock_window.windowTitle() == "Unlock"
    assert QApplication.applicationDisplayName() == "FieldKit"
