"""Workflows in the app: a record page offers the steps its form file declares, the edit form
shows the fields a workflow owns but lets nobody type in them, and a refused step says why in
the step's own dialog. Records without a form are shown raw."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from fieldkit.services import door
from fieldkit.services.changes import Changes
from fieldkit.ui.forms import RecordDialog
from tests.ui.conftest import VILLAGE_CODE, find, top_level, type_text, unlock
from tests.ui.test_every_screen_hears import _on_worker

EVENT = {"found_at": "2026-11-20T09:30", "category": "fire_hazard", "title": "柴堆靠近电线",
         "description": "村口柴堆紧挨电线", "village": VILLAGE_CODE, "reporter": "李网格"}


def _page(qtbot, main, uuid: str, module: str):
    page = main.open_record(uuid, module)
    qtbot.waitUntil(lambda: page.view is not None, timeout=10000)
    return page


def test_an_event_is_escalated_from_its_page_and_a_skipped_level_is_refused_in_place(qtbot, seeded_home, start_app):
    session = start_app(seeded_home)
    main = unlock(qtbot, session)
    event = _on_worker(qtbot, session, lambda ws: door.save(ws, "events", EVENT))
    page = _page(qtbot, main, event.uuid, "events")
    assert {b.objectName() for b in page.findChildren(QPushButton)} >= {"step_escalate", "step_resolve"}
    find(page, QPushButton, "step_escalate").click()
    qtbot.waitUntil(lambda: top_level("stepDialog_escalate") is not None)
    dialog = top_level("stepDialog_escalate")
    to = find(dialog, QComboBox, "input_to_level")
    to.setCurrentIndex(to.findText("县（区）"))
    type_text(qtbot, dialog.form.rows["action"].editor.focus_widget(), "直接报县")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    status = find(dialog, QLabel, "stepStatus")
    qtbot.waitUntil(lambda: bool(status.text()) and status.text() != "正在保存…", timeout=10000)
    assert "不能越级" in status.text(), status.text()
    assert dialog.isVisible()  # what was typed stays, to be corrected
    to.setCurrentIndex(to.findText("村（社区）警务室"))
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    # The broadcast reloads the page: the level moved and the step is in the history.
    qtbot.waitUntil(lambda: any("村（社区）警务室" in t.text() for t in page.findChildren(QLabel)), timeout=10000)


def test_the_edit_form_shows_workflow_fields_but_lets_nobody_type_them(qtbot, seeded_home, start_app):
    session = start_app(seeded_home)
    main = unlock(qtbot, session)
    event = _on_worker(qtbot, session, lambda ws: door.save(ws, "events", EVENT))
    main.edit_record(event.uuid, "events")
    qtbot.waitUntil(lambda: top_level("recordDialog_events") is not None)
    dialog = top_level("recordDialog_events")
    qtbot.waitUntil(lambda: dialog.ready)
    assert not dialog.form.rows["status"].editor.isEnabled()
    assert not dialog.form.rows["level"].editor.isEnabled()
    assert dialog.form.rows["title"].editor.isEnabled()
    assert "上报上级" in dialog.form.rows["status"].editor.toolTip()
    dialog.dirty = False
    dialog.reject()


def test_a_step_without_inputs_asks_first_then_moves_the_record(qtbot, seeded_home, start_app):
    session = start_app(seeded_home)
    main = unlock(qtbot, session)
    appt = _on_worker(qtbot, session, lambda ws: door.save(ws, "appointments", {
        "name": "王芳", "phone": "13905931234", "service": "id_card", "appointment_time": "2026-12-03T09:00", "village": VILLAGE_CODE,
        "channel": "phone", "place": "station"}))
    page = _page(qtbot, main, appt.uuid, "appointments")
    find(page, QPushButton, "step_cancel").click()
    qtbot.waitUntil(lambda: top_level("stepConfirm_cancel") is not None)
    box = top_level("stepConfirm_cancel")
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    yes.click()
    qtbot.waitUntil(lambda: page.findChild(QPushButton, "step_rebook") is not None, timeout=10000)
    assert page.findChild(QPushButton, "step_cancel") is None


def test_a_new_person_with_a_registered_id_number_is_refused_with_the_record_to_open(qtbot, seeded_home, start_app):
    session = start_app(seeded_home)
    main = unlock(qtbot, session)
    person = {"name": "李小明", "id_number": "110101199003071233", "sex": "男", "birth_date": "1990-03-07",
              "village": VILLAGE_CODE}
    _on_worker(qtbot, session, lambda ws: door.save(ws, "residents", person))
    main.new_record("residents", {**person, "name": "李晓明"})
    qtbot.waitUntil(lambda: top_level("recordDialog_residents") is not None)
    dialog: RecordDialog = top_level("recordDialog_residents")
    qtbot.waitUntil(lambda: dialog.ready)
    dialog.run_check()
    qtbot.waitUntil(lambda: dialog.duplicate_banner.isVisible(), timeout=10000)
    assert "已登记过" in dialog.duplicate_text.text() and "李小明" in dialog.duplicate_text.text()
    assert not dialog.duplicate_merge.isVisible()  # a new entry is not merged: it is not made at all
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.saving, timeout=10000)
    assert dialog.isVisible() and dialog.saved_uuid is None
    dialog.dirty = False
    dialog.reject()


def test_a_record_without_a_form_is_shown_raw_and_not_editable(qtbot, seeded_home, start_app):
    session = start_app(seeded_home)
    main = unlock(qtbot, session)
    uid = "0e0e0e0e-0000-4000-8000-000000000002"
    stamp = "0190000000000000" + "e" * 16

    def bring(ws):
        with ws.store.transaction():
            door.receive(ws, uid, "legacy_patrols", {"title": "旧巡逻记录", "route": {"from": "村口"}},
                         {"title": stamp}, deleted=False, state=None, authors={}, times={}, changes=Changes())

    _on_worker(qtbot, session, bring)
    page = _page(qtbot, main, uid, "legacy_patrols")
    assert "没有表单定义" in find(page, QLabel, "noFormNote").text()
    assert page.findChild(QPushButton, "editButton") is None
    assert any('"from": "村口"' in w.text() for w in page.findChildren(QLabel))
    QApplication.processEvents()
    assert isinstance(page, QWidget) and page.isVisible()
    qtbot.keyClick(page, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # Ctrl+E does nothing
    assert top_level("recordDialog_legacy_patrols") is None
