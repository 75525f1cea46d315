"""The officer's round at the door, by keyboard and scanner only (issue 13, items 2 and 3).

Scan → card → 登记走访 (F3) → Ctrl+S → 提交 (Ctrl+Enter) → the next burst opens the next plate,
wherever the focus was left; the card's header and the status line say the same about the plate
before and after the submit; the visit records whom it met. A keyboard-wedge scanner types into
whatever widget has the focus, so every burst here goes to `QApplication.focusWidget()`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from fieldkit.devices.camera import FileCameraBackend
from fieldkit.domain.doorplate_code import sign_doorplate
from fieldkit.services import devices_access
from fieldkit.services import records as rec_service
from fieldkit.services import workspace as ws_service
from fieldkit.ui.scan import open_scan_view
from fieldkit.ui.scan.dialogs import QuickFormDialog
from fieldkit.ui.scan.plaque import PlaquePanel
from tests.ui.actions import Actions
from tests.ui.conftest import PASSPHRASE, find, unlock
from tests.ui.test_scan import CODE, STATION, VILLAGE, seed, visible, wait_for_card

NEXT_CODE = "3509242012010009"


@pytest.fixture
def round_home(home: Path) -> Path:
    """The house at 下洋8号 (test_scan's family) and its neighbour at 下洋9号."""
    seed(home)
    ws = ws_service.unlock(home, "zhang", PASSPHRASE)
    try:
        rec_service.save(ws, "addresses", {"code": NEXT_CODE, "village": VILLAGE, "doorplate_no": "9号",
                                           "full_text": "坑底乡半岭村下洋9号", "house_type": "self_built"})
    finally:
        ws.lock()
    return home


def burst(qtbot, text: str) -> None:
    """A USB scanner: keys at machine speed into whatever has the focus, then Enter."""
    target = QApplication.focusWidget()
    assert target is not None
    qtbot.keyClicks(target, text)
    qtbot.keyClick(target, Qt.Key.Key_Return)


def header(view) -> str:
    return find(view.card, QLabel, "cardTitle").text()


def status(view) -> str:
    return find(view, QLabel, "scanStatus").text()


def open_view(qtbot, start_app, home):
    main = unlock(qtbot, start_app(home))
    view = open_scan_view(main, camera_backend=FileCameraBackend([]))
    main.activateWindow()
    qtbot.waitUntil(view.wedge.hasFocus)
    return main, view


def test_scan_visit_save_and_submit_by_keys_then_the_next_burst_opens_the_next_plate(qtbot, round_home, start_app):
    main, view = open_view(qtbot, start_app, round_home)
    act = Actions(qtbot, "scan → visit saved (household card)")
    act.steps.append("scan the doorplate")
    burst(qtbot, sign_doorplate(CODE, STATION))
    card = wait_for_card(qtbot, view)
    assert "门牌已核验" in header(view) and "门牌已核验" in status(view)
    assert view.wedge.hasFocus()
    visit_button = find(card, QPushButton, "recordVisitButton")
    assert "(F3)" in visit_button.text() and "(F4)" in find(card, QPushButton, "addResidentButton").text()
    assert "(Ctrl+" in find(card, QPushButton, "submitPassButton").text()  # Ctrl+回车 in Qt's Chinese

    act.key(QApplication.focusWidget(), Qt.Key.Key_F3, what="F3 登记走访")
    qtbot.waitUntil(lambda: visible(QuickFormDialog, "quickForm_visits") is not None)
    dialog = visible(QuickFormDialog, "quickForm_visits")
    met = dialog.form.rows["persons_met"].editor
    # Each person met is named beside the link: no empty required 姓名 next to a linked resident.
    rows = {r["name"].value(): r for r in met.rows}
    assert set(rows) == {"吴大山", "林秀英", "赵小兵"}
    assert rows["吴大山"]["id_number"].value() == "350924196805120016"
    assert rows["吴大山"]["relation"].value() == "02"  # the head, though his record leaves it blank
    qtbot.waitUntil(lambda: dialog.form.rows["village"].editor.loaded)
    dialog.activateWindow()
    act.key(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier, what="Ctrl+S 确定")
    qtbot.waitUntil(lambda: visible(QuickFormDialog, "quickForm_visits") is None, timeout=10000)
    assert "走访记录 1 条" in find(card, QLabel, "passPending").text()
    main.activateWindow()
    qtbot.waitUntil(view.wedge.hasFocus)  # the form closed: back in the scan field

    act.key(QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier, what="Ctrl+Enter 提交")
    qtbot.waitUntil(lambda: "已保存" in find(card, QLabel, "passPending").text(), timeout=10000)
    assert view.wedge.hasFocus()
    assert act.done() <= 5
    # One verification state for the plate, after the save as before it.
    assert "门牌已核验" in header(view) and "门牌已核验" in status(view)
    saved = []
    main.worker.run(lambda job: [r.data for r in job.ws.store.records.rows(job.ws.store.records.ids("visits"))],
                    saved.append, progress=False)
    qtbot.waitUntil(lambda: bool(saved))
    (visit,) = saved[0]
    by_name = {m["name"]: m for m in visit["persons_met"]}
    assert by_name["吴大山"]["id_number"] == "350924196805120016" and by_name["吴大山"]["relation"] == "02"
    assert by_name["林秀英"]["person"] and by_name["林秀英"]["id_number"] == "350924197003150023"

    burst(qtbot, sign_doorplate(NEXT_CODE, STATION))
    qtbot.waitUntil(lambda: "下洋9号" in header(view), timeout=10000)
    assert "门牌已核验" in header(view) and "门牌已核验" in status(view)


def test_a_burst_into_the_date_box_opens_the_plate_and_leaves_the_date(qtbot, round_home, start_app):
    _main, view = open_view(qtbot, start_app, round_home)
    burst(qtbot, sign_doorplate(CODE, STATION))
    card = wait_for_card(qtbot, view)
    date_box = card.mark_date
    date_box.setDate(QDate(2026, 3, 1))
    date_box.setFocus()
    qtbot.waitUntil(date_box.hasFocus)
    burst(qtbot, NEXT_CODE)  # the scanner fires while the officer's cursor is in the date
    qtbot.waitUntil(lambda: "下洋9号" in header(view), timeout=10000)
    assert date_box.date() == QDate(2026, 3, 1)
    assert view.wedge.hasFocus() and view.wedge.text() == ""
    assert "未经签名核验" in header(view) and "未经签名核验" in status(view)  # a bare code, said alike


def test_a_person_typing_in_the_date_box_still_types_and_ctrl_shift_d_returns_to_the_scan_field(
        qtbot, round_home, start_app):
    main, view = open_view(qtbot, start_app, round_home)
    burst(qtbot, sign_doorplate(CODE, STATION))
    card = wait_for_card(qtbot, view)
    date_box = card.mark_date
    date_box.setDate(QDate(2026, 3, 1))
    date_box.setFocus()
    qtbot.waitUntil(date_box.hasFocus)
    qtbot.keyClicks(date_box, "2025")  # a short run and no Enter: a person, whose keys arrive a moment late
    qtbot.waitUntil(lambda: date_box.date().year() == 2025)
    assert view.wedge.text() == ""

    qtbot.keyClick(main, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(view.wedge.hasFocus)


def test_enter_presses_the_focused_button_and_tab_leaves_the_residents_table(qtbot, round_home, start_app):
    _main, view = open_view(qtbot, start_app, round_home)
    burst(qtbot, sign_doorplate(CODE, STATION))
    card = wait_for_card(qtbot, view)
    mark = find(card, QPushButton, "mark_moved_out_1")
    mark.setFocus()
    qtbot.keyClick(mark, Qt.Key.Key_Return)
    assert "状态变更 1 人" in find(card, QLabel, "passPending").text()
    qtbot.waitUntil(view.wedge.hasFocus)  # after the mark, ready for the next scan

    card.residents.setFocus()
    qtbot.waitUntil(card.residents.hasFocus)
    qtbot.keyClick(card.residents, Qt.Key.Key_Tab)
    assert not card.residents.hasFocus()
    assert not card.residents.isAncestorOf(QApplication.focusWidget())


def test_a_plaque_scan_shows_the_signed_index_and_a_repainted_one_is_not_verified(qtbot, round_home, start_app):
    from fieldkit.ledger.plaque import sign_plaque

    _main, view = open_view(qtbot, start_app, round_home)
    good = sign_plaque(STATION, village_code=VILLAGE, date_from="2026-01-01", date_to="2026-06-30", index=88.5, stars=4)
    burst(qtbot, good)
    panel = find(view, PlaquePanel, "plaquePanel")
    qtbot.waitUntil(lambda: view.stack.currentWidget() is panel)
    text = panel.text()
    assert "平安牌已核验" in text and "半岭村" in text and "★★★★☆" in text and "88.5" in text
    assert "2026-01-01" in text and "2026-06-30" in text
    assert "平安牌已核验" in status(view) and view.wedge.hasFocus()

    burst(qtbot, good.replace(":88.5:4:", ":98.5:5:"))
    qtbot.waitUntil(lambda: "未经签名核验" in panel.text())
    assert "平安牌已核验" not in panel.text() and "未经签名核验" in status(view)
    assert find(view, QLabel, "scanStatus").property("kind") == "error"


def test_a_compound_plaque_shows_its_signed_index_and_beside_it_the_current_one(qtbot, round_home, start_app):
    from fieldkit.ledger.plaque import sign_plaque

    ws = ws_service.unlock(round_home, "zhang", PASSPHRASE)
    try:  # a burglary at a 龙湖小区 address, filed after its plaque was signed at 100 and five stars
        lake = rec_service.save(ws, "addresses", {"code": "3509242012010010", "village": VILLAGE, "doorplate_no": "10号",
                                                  "full_text": "坑底乡半岭村龙湖小区10号", "house_type": "apartment",
                                                  "compound": "龙湖小区"})
        rec_service.save(ws, "cases", {"case_date": "2026-03-01", "kind": "burglary", "village": VILLAGE,
                                       "address": lake.uuid})
    finally:
        ws.lock()
    _main, view = open_view(qtbot, start_app, round_home)
    burst(qtbot, sign_plaque(STATION, village_code=VILLAGE, date_from="2026-01-01", date_to="2026-06-30",
                             index=100.0, stars=5, compound="龙湖小区"))
    panel = find(view, PlaquePanel, "plaquePanel")
    qtbot.waitUntil(lambda: view.stack.currentWidget() is panel)
    text = panel.text()
    assert "平安牌已核验" in text and "龙湖小区" in text and "半岭村" in text and "★★★★★" in text and "100.0" in text
    assert "龙湖小区" in status(view)

    now = find(panel, QPushButton, "plaqueNowButton")
    assert now.isVisible()
    qtbot.mouseClick(now, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.now is not None, timeout=15000)
    shown = find(panel, QLabel, "plaqueNow").text()
    assert "牌上（已签名）" in shown and "100.0" in shown and "92.0" in shown  # signed vs now, side by side
    assert "与牌上不同" in shown
    assert panel.now.same_period.compound == "龙湖小区"


def test_a_card_read_at_the_door_adds_the_person_in_three_actions(qtbot, round_home, start_app, monkeypatch):
    monkeypatch.setenv(devices_access.DEMO_ENV, "1")
    main, view = open_view(qtbot, start_app, round_home)
    burst(qtbot, sign_doorplate(CODE, STATION))
    card = wait_for_card(qtbot, view)
    assert "(F2)" in card.card_reader.button.text() and "演示设备" in card.card_reader.button.text()
    act = Actions(qtbot, "card read at the door → new resident saved (household card)")
    act.key(QApplication.focusWidget(), Qt.Key.Key_F2, what="F2 读取身份证")
    qtbot.waitUntil(lambda: visible(QuickFormDialog, "quickForm_residents") is not None, timeout=10000)
    dialog = visible(QuickFormDialog, "quickForm_residents")
    assert dialog.form.rows["name"].editor.value() == "张三丰"
    assert dialog.form.rows["address"].editor.value()  # this household's address
    ok = find(dialog, QPushButton, "quickFormOk")
    dialog.activateWindow()
    qtbot.waitUntil(ok.hasFocus)
    act.key(ok, Qt.Key.Key_Return, what="Enter 确定")
    qtbot.waitUntil(lambda: bool(card.new_residents), timeout=10000)
    main.activateWindow()
    qtbot.waitUntil(view.wedge.hasFocus)
    act.key(QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier, what="Ctrl+Enter 提交")
    qtbot.waitUntil(lambda: "已保存" in find(card, QLabel, "passPending").text(), timeout=10000)
    assert act.done() <= 3
    names = [card.residents.item(r, 0).text() for r in range(card.residents.rowCount())]
    assert "张三丰" in names

    # The same card again: already of this household, said on the card, no form.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: "已在本户登记" in card.card_reader.status.text(), timeout=10000)
    assert visible(QuickFormDialog, "quickForm_residents") is None
