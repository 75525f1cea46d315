"""Form behaviour a user notices: watch-list alert, relevance, duplicates, drafts, unsaved guard."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QMessageBox, QPushButton

from fieldkit.services import records as rec_service
from fieldkit.services import watchlist as watch_service
from fieldkit.services import workspace as ws_service
from tests.ui.conftest import PASSPHRASE, VILLAGE_CODE, find, type_text, unlock
from tests.ui.test_person_flow import GOOD_ID, open_new_person, visible_dialog

WATCHED_ID = "110101198001010010"


@pytest.fixture
def watched_home(seeded_home: Path) -> Path:
    ws = ws_service.unlock(seeded_home, "zhang", PASSPHRASE)
    try:
        watch_service.add(ws, WATCHED_ID, "网上追逃人员，发现后立即报告")
        rec_service.save(ws, "residents", {
            "name": "王芳", "id_number": GOOD_ID, "sex": "男", "birth_date": "1990-03-07", "ethnicity": "01",
            "village": VILLAGE_CODE,
        })
    finally:
        ws.lock()
    return seeded_home


def test_watch_list_alert_when_id_number_entered(qtbot, watched_home, start_app):
    main = unlock(qtbot, start_app(watched_home))
    dialog = open_new_person(qtbot, main)
    qtbot.keyClicks(find(dialog, QLineEdit, "input_id_number"), WATCHED_ID)
    qtbot.waitUntil(lambda: find(dialog, QLabel, "watchAlert").isVisible(), timeout=10000)
    banner = find(dialog, QLabel, "watchAlert").text()
    assert "布控名单" in banner and "网上追逃人员" in banner
    box = next(w for w in dialog.findChildren(QMessageBox) if w.objectName() == "watchAlertBox")
    assert box.isVisible() and "网上追逃人员" in box.text()
    box.close()


def test_duplicate_person_warning(qtbot, watched_home, start_app):
    main = unlock(qtbot, start_app(watched_home))
    dialog = open_new_person(qtbot, main)
    qtbot.keyClicks(find(dialog, QLineEdit, "input_id_number"), GOOD_ID)
    banner = dialog.duplicate_banner
    qtbot.waitUntil(banner.isVisible, timeout=10000)
    assert "王芳" in dialog.duplicate_text.text()


def test_field_appears_when_it_applies(qtbot, seeded_home, start_app):
    main = unlock(qtbot, start_app(seeded_home))
    dialog = open_new_person(qtbot, main)
    moved = dialog.form.rows["moved_out_date"].editor
    assert moved.isHidden()
    status = find(dialog, QComboBox, "input_status")
    status.setFocus()
    status.setCurrentIndex(status.findText("迁出"))
    assert not moved.isHidden()
    assert "*" in find(dialog, QLabel, "label_moved_out_date").text()


def test_draft_survives_and_is_offered_back(qtbot, seeded_home, start_app):
    session = start_app(seeded_home)
    main = unlock(qtbot, session)
    dialog = open_new_person(qtbot, main)
    type_text(qtbot, find(dialog, QLineEdit, "input_name"), "赵大山")
    dialog.save_draft()  # the autosave timer's job, done now
    qtbot.waitUntil(lambda: "草稿已保存" in dialog.status.text())
    # Lock while typing (as the idle timer would): the form closes without losing the text.
    session.lock()
    main = unlock(qtbot, session)
    dialog = open_new_person(qtbot, main)
    qtbot.waitUntil(lambda: getattr(dialog, "draft_box", None) is not None and dialog.draft_box.isVisible())
    restore = next(b for b in dialog.draft_box.buttons() if b.text() == "恢复草稿")
    qtbot.mouseClick(restore, Qt.MouseButton.LeftButton)
    assert find(dialog, QLineEdit, "input_name").text() == "赵大山"


def test_unsaved_changes_guard(qtbot, seeded_home, start_app):
    main = unlock(qtbot, start_app(seeded_home))
    dialog = open_new_person(qtbot, main)
    type_text(qtbot, find(dialog, QLineEdit, "input_name"), "钱多多")
    answers = []

    def answer(button_text: str) -> None:
        box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "unsavedBox" and w.isVisible())
        answers.append(box.text())
        next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(0, lambda: answer("继续填写"))
    qtbot.keyClick(find(dialog, QLineEdit, "input_name"), Qt.Key.Key_Escape)
    assert answers and dialog.isVisible()  # kept editing

    QTimer.singleShot(0, lambda: answer("不保存"))
    dialog.close()
    assert not dialog.isVisible()
    assert visible_dialog(type(dialog), "recordDialog_residents") is None


def test_create_address_in_place_from_the_picker(qtbot, seeded_home, start_app):
    main = unlock(qtbot, start_app(seeded_home))
    dialog = open_new_person(qtbot, main)
    line = find(dialog, QLineEdit, "input_address")
    line.setFocus()
    qtbot.keyClick(line, Qt.Key.Key_F4)  # F4 opens the search
    editor = dialog.form.rows["address"].editor
    qtbot.waitUntil(lambda: editor.dialog is not None and editor.dialog.isVisible())
    picker = editor.dialog
    qtbot.keyClicks(picker.search, "XY0099")
    qtbot.waitUntil(lambda: picker.searched_text == "XY0099")
    assert picker.results.count() == 0 and "新建" in picker.status.text()

    qtbot.mouseClick(find(picker, QPushButton, "pickerCreate"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: visible_dialog(type(dialog), "recordDialog_addresses") is not None)
    new = visible_dialog(type(dialog), "recordDialog_addresses")
    qtbot.waitUntil(lambda: new.ready)
    qtbot.keyClicks(find(new, QLineEdit, "input_code"), "XY0099")
    qtbot.keyClicks(find(new, QLineEdit, "input_doorplate_no"), "99")
    type_text(qtbot, find(new, QLineEdit, "input_full_text"), "下洋村后街99号")
    village = find(new, QComboBox, "input_village")
    qtbot.waitUntil(lambda: village.count() > 1)
    village.setCurrentIndex(1)
    house = find(new, QComboBox, "input_house_type")
    house.setCurrentIndex(1)
    qtbot.mouseClick(find(new, QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not new.isVisible(), timeout=10000)
    # Back in the person form with the new address picked, the picker closed.
    qtbot.waitUntil(lambda: editor.value() is not None and line.text() == "下洋村后街99号")
    assert not picker.isVisible()
    assert dialog.isVisible()


def test_grid_worker_sees_only_their_modules(qtbot, home, start_app):
    from fieldkit.formspec import load_modules
    from tests.ui.conftest import seed_store

    seed_store(home)
    ws = ws_service.unlock(home, "zhang", PASSPHRASE)
    ws_service.add_user(ws, "wang", "grid_worker", PASSPHRASE, "王网格")
    ws.lock()
    session = start_app(home)
    session.unlock_window.login_page.user.setCurrentText("wang")
    main = unlock(qtbot, session)
    expected = [m.id for m in load_modules() if "grid_worker" in [str(r) for r in m.roles]]
    assert main.nav.module_ids() == expected
    assert len(expected) < len(load_modules())
    assert "网格员" in main.findChild(QLabel, "statusUser").text()
