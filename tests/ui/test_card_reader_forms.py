"""读取身份证 on the forms where a person is entered, driven as the officer does (demo reader).

The demo reader "reads" the fictitious card of 张三丰 (350702198001010014) after half a second.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton

from fieldkit.services import devices_access
from fieldkit.ui.forms import RecordDialog
from tests.ui.actions import Actions
from tests.ui.conftest import VILLAGE_CODE, find, unlock

CARD_ID = "350702198001010014"


@pytest.fixture(autouse=True)
def demo_devices(monkeypatch):
    monkeypatch.setenv(devices_access.DEMO_ENV, "1")


def visible_dialog(name: str) -> RecordDialog | None:
    for w in QApplication.topLevelWidgets():
        if isinstance(w, RecordDialog) and w.objectName() == name and w.isVisible():
            return w
    return None


def residents_list_in_village(qtbot, main):
    view = main.open_module("residents")
    qtbot.waitUntil(lambda: not view.loading and view.village.findData(VILLAGE_CODE) >= 0, timeout=10000)
    view.village.setCurrentIndex(view.village.findData(VILLAGE_CODE))  # the round's village, chosen once
    return view


def test_new_resident_from_the_card_in_three_actions(qtbot, seeded_home, start_app):
    main = unlock(qtbot, start_app(seeded_home))
    view = residents_list_in_village(qtbot, main)
    act = Actions(qtbot, "card read → new resident saved (实有人口 list)")
    act.click(view.new_button, "新建")
    qtbot.waitUntil(lambda: visible_dialog("recordDialog_residents") is not None)
    dialog = visible_dialog("recordDialog_residents")
    qtbot.waitUntil(lambda: dialog.ready)
    panel = dialog.card_reader.panel
    assert panel.button.text() == "读取身份证 (F2) · 演示设备"
    act.key(dialog.focusWidget() or dialog, Qt.Key.Key_F2, what="F2 读取身份证")
    qtbot.waitUntil(lambda: dialog.form.rows["id_number"].editor.value() == CARD_ID, timeout=10000)
    values = dialog.form.values()
    assert values["name"] == "张三丰" and values["sex"] == "男" and values["birth_date"] == "1980-01-01"
    assert values["hukou_address"].startswith("福建省南平市") and values["id_valid_to"] == "2040-01-01"
    assert values["village"] == VILLAGE_CODE  # from the list's filter
    assert "演示卡" in panel.status.text()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.save_button)  # lands on 保存
    act.key(dialog.save_button, Qt.Key.Key_Return, what="Enter 保存")
    qtbot.waitUntil(lambda: dialog.saved_uuid is not None, timeout=10000)
    assert act.done() <= 3

    # The same card again: named at once as registered, and the save refuses a second copy.
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: visible_dialog("recordDialog_residents") is not None)
    again = visible_dialog("recordDialog_residents")
    qtbot.waitUntil(lambda: again.ready)
    qtbot.keyClick(again, Qt.Key.Key_F2)
    banner = find(again, QLabel, "duplicateText")
    qtbot.waitUntil(lambda: banner.isVisible() and "已登记过：张三丰" in banner.text(), timeout=10000)
    assert find(again, QPushButton, "duplicateOpen").isVisible()
    assert "此人已登记" in again.card_reader.panel.status.text()
    again.dirty = False
    again.reject()


def test_what_the_officer_typed_wins_over_the_chip(qtbot, seeded_home, start_app):
    main = unlock(qtbot, start_app(seeded_home))
    residents_list_in_village(qtbot, main)
    dialog = main.new_record("residents", {"village": VILLAGE_CODE})
    qtbot.waitUntil(lambda: dialog.ready)
    name = find(dialog, QLineEdit, "input_name")
    qtbot.keyClicks(name, "Zhang")
    dialog.card_reader.read()
    qtbot.waitUntil(lambda: dialog.form.rows["id_number"].editor.value() == CARD_ID, timeout=10000)
    assert name.text() == "Zhang"
    dialog.dirty = False
    dialog.reject()


def test_application_form_reads_the_applicant_and_creates_them_in_place(qtbot, seeded_home, start_app):
    """身份证办理 → 新建 → F2: the applicant is not registered, so the resident form opens filled
    from the card; once saved, the application points at them."""
    main = unlock(qtbot, start_app(seeded_home))
    dialog = main.new_record("id_applications")
    qtbot.waitUntil(lambda: dialog.ready)
    assert dialog.card_reader is not None and dialog.card_reader.mode == "pick"
    qtbot.keyClick(dialog, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: visible_dialog("recordDialog_residents") is not None, timeout=10000)
    person = visible_dialog("recordDialog_residents")
    qtbot.waitUntil(lambda: person.ready)
    assert person.form.rows["name"].editor.value() == "张三丰"
    # The chip has no village: the form asks for it first.
    assert QApplication.focusWidget() is person.form.rows["village"].editor.focus_widget()
    person.form.rows["village"].editor.set_value(VILLAGE_CODE)
    qtbot.keyClick(person.save_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.form.rows["applicant"].editor.value() == person.saved_uuid, timeout=10000)
    line = find(dialog, QLineEdit, "input_applicant")
    qtbot.waitUntil(lambda: "张三丰" in line.text(), timeout=10000)

    # A second application for the same person picks the registered resident, no form in between.
    second = main.new_record("id_applications")
    qtbot.waitUntil(lambda: second.ready)
    second.card_reader.read()
    qtbot.waitUntil(lambda: second.form.rows["applicant"].editor.value() == person.saved_uuid, timeout=10000)
    for d in (dialog, second):
        d.dirty = False
        d.reject()


def test_forms_without_a_person_have_no_card_button(qtbot, seeded_home, start_app):
    main = unlock(qtbot, start_app(seeded_home))
    dialog = main.new_record("villages")
    qtbot.waitUntil(lambda: dialog.ready)
    assert dialog.card_reader is None and dialog.findChild(QPushButton, "readCard") is None
    dialog.reject()


def test_demo_devices_are_said_in_the_status_bar(qtbot, seeded_home, start_app):
    main = unlock(qtbot, start_app(seeded_home))
    label = main.findChild(QLabel, "statusDemoDevices")
    assert label is not None and "演示设备" in label.text()


def test_sex_against_the_id_number_is_refused_by_the_field(qtbot, seeded_home, start_app, monkeypatch):
    monkeypatch.setenv(devices_access.DEMO_ENV, "0")
    main = unlock(qtbot, start_app(seeded_home))
    assert main.findChild(QLabel, "statusDemoDevices") is None
    dialog = main.new_record("residents", {"village": VILLAGE_CODE})
    qtbot.waitUntil(lambda: dialog.ready)
    act = Actions(qtbot, "invalid entry → message by the field")
    act.type(find(dialog, QLineEdit, "input_id_number"), CARD_ID, "type 身份证号")
    form = dialog.form
    qtbot.waitUntil(lambda: form.rows["sex"].editor.value() == "男")  # filled from the number
    form.rows["sex"].editor.set_value("女")  # the officer slips
    form.rows["name"].editor.set_value("张三丰")
    act.key(dialog.save_button, Qt.Key.Key_Return, what="Enter 保存")
    message = find(dialog, QLabel, "message_sex")
    qtbot.waitUntil(lambda: message.isVisible() and "性别与身份证号不符" in message.text(), timeout=10000)
    assert dialog.saved_uuid is None and dialog.isVisible()
    act.done()
    dialog.dirty = False
    dialog.reject()


@pytest.mark.parametrize(("module", "group"), [("visits", "persons_met"), ("disputes", "parties"), ("rentals", "tenants")])
def test_a_card_adds_a_person_to_the_forms_list_of_people(qtbot, seeded_home, start_app, module, group):
    main = unlock(qtbot, start_app(seeded_home))
    dialog = main.new_record(module)
    qtbot.waitUntil(lambda: dialog.ready)
    assert dialog.card_reader is not None and dialog.card_reader.mode == "row"
    rows = dialog.form.rows[group].editor
    before = len(rows.rows)
    dialog.card_reader.read()
    qtbot.waitUntil(lambda: any(r["id_number"].value() == CARD_ID for r in rows.rows), timeout=10000)
    row = next(r for r in rows.rows if r["id_number"].value() == CARD_ID)
    assert row["name"].value() == "张三丰"
    assert len(rows.rows) in (before, before + 1)
    dialog.card_reader.read()  # the same card twice: still one row for that person
    qtbot.waitUntil(lambda: not dialog.card_reader.panel.reading, timeout=10000)
    qtbot.wait(100)
    assert sum(r["id_number"].value() == CARD_ID for r in rows.rows) == 1
    dialog.dirty = False
    dialog.reject()
