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


def _seed_two_names(home) -> None:
    from fieldkit.services import records, workspace
    from tests.ui.conftest import PASSPHRASE, VILLAGE_CODE, seed_store

    seed_store(home)
    ws = workspace.unlock(home, "zhang", PASSPHRASE)
    try:
        records.save(ws, "residents", {"name": "王大明", "former_name": "王小明", "id_number": "350924199003071236",
                                       "sex": "男", "birth_date": "1990-03-07", "ethnicity": "01",
                                       "village": VILLAGE_CODE, "status": "present", "resident_type": "registered"})
    finally:
        ws.lock()


def test_global_search_labels_a_hit_on_the_former_name(qtbot, home, start_app):
    _seed_two_names(home)
    main = unlock(qtbot, start_app(home))
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main)
    qtbot.keyClick(main, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: top_level("globalSearch") is not None)
    dialog = top_level("globalSearch")
    box = find(dialog, QLineEdit, "globalSearchBox")
    type_text(qtbot, box, "王小明")
    qtbot.waitUntil(lambda: dialog.results.topLevelItemCount() == 1 and dialog.searched == "王小明", timeout=10000)
    item = dialog.results.topLevelItem(0)
    assert item.text(0).startswith("王大明") and item.text(2) == "曾用名：王小明"
    box.clear()
    type_text(qtbot, box, "wdm")
    qtbot.waitUntil(lambda: dialog.searched == "wdm" and dialog.results.topLevelItemCount() == 1, timeout=10000)
    assert dialog.results.topLevelItem(0).text(2) == "拼音首字母"


def test_global_search_finds_an_id_tail_once_a_village_is_chosen(qtbot, home, start_app):
    _seed_two_names(home)  # 王大明, ID number ending 1236, in 下洋村
    main = unlock(qtbot, start_app(home))
    main.global_search()
    dialog = main.search_dialog
    villages = find(dialog, QComboBox, "globalSearchVillage")
    qtbot.waitUntil(lambda: villages.count() == 2)
    box = find(dialog, QLineEdit, "globalSearchBox")
    qtbot.keyClicks(box, "1236")
    qtbot.waitUntil(lambda: dialog.searched == "1236", timeout=10000)
    assert dialog.results.topLevelItemCount() == 0 and "请先选村" in dialog.status.text()
    villages.setCurrentIndex(villages.findText("下洋村"))
    qtbot.waitUntil(lambda: dialog.results.topLevelItemCount() == 1, timeout=10000)
    item = dialog.results.topLevelItem(0)
    assert item.text(0).startswith("王大明") and item.text(2) == "身份证号后几位"


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
