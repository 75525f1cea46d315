"""The officer's morning: add a person (invalid then valid ID number), find them, visit, history."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QPushButton, QWidget

from fieldkit.ui.forms import RecordDialog
from fieldkit.ui.pages import PersonPage
from tests.ui.conftest import find, type_text, unlock

BAD_ID = "110101199003071235"  # check digit wrong
GOOD_ID = "110101199003071233"


def visible_dialog(cls, name: str):
    for w in QApplication.topLevelWidgets():
        if isinstance(w, cls) and w.objectName() == name and w.isVisible():
            return w
    return None


def open_new_person(qtbot, main) -> RecordDialog:
    view = main.open_module("residents")
    qtbot.waitUntil(lambda: not view.loading)
    view.table.setFocus()
    qtbot.keyClick(main, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: visible_dialog(RecordDialog, "recordDialog_residents") is not None)
    dialog = visible_dialog(RecordDialog, "recordDialog_residents")
    qtbot.waitUntil(lambda: dialog.ready)
    return dialog


def pick_address(qtbot, dialog: RecordDialog, code: str) -> None:
    line = find(dialog, QLineEdit, "input_address")
    line.setFocus()
    qtbot.keyClicks(line, code[0])  # typing into the picker opens the search with that text
    editor = dialog.form.rows["address"].editor
    qtbot.waitUntil(lambda: editor.dialog is not None and editor.dialog.isVisible())
    picker = editor.dialog
    qtbot.keyClicks(picker.search, code[1:])
    qtbot.waitUntil(lambda: picker.searched_text == code and picker.results.count() == 1, timeout=10000)
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.value() is not None)
    assert "下洋村中街8号" in line.text()


def test_add_person_find_visit_and_history(qtbot, seeded_home, start_app):
    session = start_app(seeded_home)
    main = unlock(qtbot, session)
    dialog = open_new_person(qtbot, main)

    type_text(qtbot, find(dialog, QLineEdit, "input_name"), "李小明")
    id_box = find(dialog, QLineEdit, "input_id_number")
    qtbot.keyClicks(id_box, BAD_ID)
    message = find(dialog, QLabel, "message_id_number")
    qtbot.waitUntil(lambda: message.isVisible() and "校验码" in message.text())

    id_box.clear()
    qtbot.keyClicks(id_box, GOOD_ID)
    qtbot.waitUntil(lambda: "校验码" not in message.text())
    assert "1990-03-07" in message.text()  # what the number says about the person, as information
    # The number holds the birth date and sex: the form fills them in.
    assert find(dialog, QLineEdit, "input_birth_date").text() == "1990-03-07"
    assert find(dialog, QComboBox, "input_sex").currentText() == "男"

    village = find(dialog, QComboBox, "input_village")
    qtbot.waitUntil(lambda: village.count() > 1)
    village.setFocus()
    qtbot.keyClick(village, Qt.Key.Key_Down)
    assert village.currentText() == "下洋村"
    pick_address(qtbot, dialog, "XY0001")

    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    view = main.module_view("residents")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and view.model.is_loaded(0))
    qtbot.waitUntil(lambda: main.nav.count("residents") == 1)
    # The village and the address of the seed, and this person: three changes not yet synced,
    # shown in the status bar's sync corner.
    sync = main.findChild(QWidget, "syncStatus")
    qtbot.waitUntil(lambda: "待同步 3 条" in sync.text(), timeout=10000)

    # Find by a two-character name, then by pinyin initials, in the list's search box.
    type_text(qtbot, view.search, "李小")
    qtbot.waitUntil(lambda: not view.loading and "找到 1 条" in view.status.text(), timeout=10000)
    assert view.model.index(0, 0).data() == "李小明"
    view.search.clear()
    qtbot.keyClicks(view.search, "lxm")
    qtbot.waitUntil(lambda: view.search.text() == "lxm" and not view.loading and "找到 1 条" in view.status.text(),
                    timeout=10000)

    # Open the person page from the list with the keyboard.
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(0, 0))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: isinstance(main.tabs.currentWidget(), PersonPage) and main.tabs.currentWidget().view is not None
    )
    page: PersonPage = main.tabs.currentWidget()
    assert page.history_texts()[0][2] == "新建"
    assert "下洋村中街8号" in find(page, QPushButton, "addressLink").text()

    # Record a visit for the household: the form opens with the address and person filled in.
    qtbot.mouseClick(find(page, QPushButton, "visitHousehold"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: visible_dialog(RecordDialog, "recordDialog_visits") is not None)
    visit = visible_dialog(RecordDialog, "recordDialog_visits")
    qtbot.waitUntil(lambda: visit.ready and visit.form.rows["address"].editor.line.text() == "下洋村中街8号")
    assert visit.form.rows["persons_met"].editor.value()[0]["name"] == "李小明"
    qtbot.mouseClick(find(visit, QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not visit.isVisible(), timeout=10000)
    qtbot.waitUntil(lambda: page.view is not None and len(page.view.related.get("visits", ())) == 1, timeout=10000)

    # Edit the phone; the history shows who changed what, old → new.
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main)
    page.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: visible_dialog(RecordDialog, "recordDialog_residents") is not None)
    edit = visible_dialog(RecordDialog, "recordDialog_residents")
    qtbot.waitUntil(lambda: edit.ready)
    qtbot.keyClicks(find(edit, QLineEdit, "input_phone"), "13800000000")
    qtbot.keyClick(find(edit, QLineEdit, "input_phone"), Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(lambda: not edit.isVisible(), timeout=10000)
    qtbot.waitUntil(lambda: any(row[2] == "修改" for row in page.history_texts()), timeout=10000)
    change = next(row for row in page.history_texts() if row[2] == "修改")
    assert change[1] == "zhang"
    assert change[3] == "联系电话"
    assert change[4].endswith("→ 13800000000")
