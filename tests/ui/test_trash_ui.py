"""Delete with a reason, the 回收站 and 恢复, driven through the widgets as a station chief would."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton

from fieldkit.services import records as rec_service
from fieldkit.services import workspace as ws_service
from tests.services.test_sync_service import id_number
from tests.ui.conftest import PASSPHRASE, VILLAGE_CODE, find, seed_store, type_text, unlock

GW_PASS = "grid worker passphrase 7"


def _with_resident(home, *, grid_worker: bool = False) -> tuple[str, str]:
    """The seeded store plus 李娜, living at its one address; (person uuid, address uuid)."""
    seed_store(home)
    ws = ws_service.unlock(home, "zhang", PASSPHRASE)
    try:
        address = ws.store.records.rows(ws.store.records.ids("addresses"))[0].uuid
        person = rec_service.save(ws, "residents", {
            "name": "李娜", "id_number": id_number(2), "sex": "女", "birth_date": "1990-01-01", "ethnicity": "01",
            "village": VILLAGE_CODE, "status": "present", "resident_type": "registered", "address": address})
        if grid_worker:
            ws_service.add_user(ws, "gw", "grid_worker", GW_PASS, "王网格")
        return person.uuid, address
    finally:
        ws.lock()


def _confirm(qtbot, owner, reason: str):
    qtbot.waitUntil(lambda: getattr(owner, "delete_dialog", None) is not None and owner.delete_dialog.isVisible(),
                    timeout=10000)
    dialog = owner.delete_dialog
    ok = find(dialog, QPushButton, "confirmDelete")
    assert not ok.isEnabled()  # no reason, no delete
    type_text(qtbot, dialog.reason, reason)
    assert ok.isEnabled()
    ok.click()
    return dialog


def _listed(qtbot, view) -> list[str]:
    """The uuids the list shows, once its rows have arrived."""
    qtbot.waitUntil(lambda: not view.loading and all(view.model.is_loaded(r) for r in range(view.model.rowCount())),
                    timeout=10000)
    return [view.model.uuid_at(r) for r in range(view.model.rowCount())]


def test_delete_from_the_record_page_then_restore_from_the_trash(qtbot, home, start_app):
    person, _address = _with_resident(home)
    main = unlock(qtbot, start_app(home))
    page = main.open_record(person, "residents")
    qtbot.waitUntil(lambda: page.findChild(QPushButton, "deleteButton") is not None, timeout=15000)
    page.findChild(QPushButton, "deleteButton").click()
    _confirm(qtbot, page, "重复登记")
    qtbot.waitUntil(lambda: page.findChild(QLabel, "deletedNote") is not None, timeout=10000)
    residents = main.open_module("residents")
    qtbot.waitUntil(lambda: _listed(qtbot, residents) == [], timeout=10000)

    main.findChild(QAction, "trashAction").trigger()
    trash = main.tabs.currentWidget()
    assert trash.objectName() == "trashView"
    qtbot.waitUntil(lambda: trash.table.rowCount() == 1, timeout=10000)
    row = [trash.table.item(0, c).text() for c in range(5)]
    assert row[0] == "实有人口" and row[1].startswith("李娜") and row[2] == "张伟" and row[4] == "重复登记"
    assert row[3][:2] == "20"  # a local date and time
    restore = find(trash, QPushButton, "restoreButton")
    assert not restore.isEnabled()  # nothing chosen yet
    trash.table.selectRow(0)
    assert restore.isEnabled()
    restore.click()
    qtbot.waitUntil(lambda: trash.table.rowCount() == 0, timeout=10000)
    main.open_module("residents")
    qtbot.waitUntil(lambda: _listed(qtbot, residents) == [person], timeout=10000)
    # The page that showed "已删除" shows the record again, its history saying what happened.
    qtbot.waitUntil(lambda: page.findChild(QLabel, "deletedNote") is None and page.view is not None, timeout=10000)
    assert [r[2] for r in page.history_texts()][:2] == ["恢复", "删除"]  # newest first
    assert page.history_texts()[1][4] == "删除原因：重复登记"


def test_deleting_an_address_from_its_list_names_who_lives_there(qtbot, home, start_app):
    person, address = _with_resident(home)
    main = unlock(qtbot, start_app(home))
    addresses = main.open_module("addresses")
    assert _listed(qtbot, addresses) == [address]
    delete = find(addresses, QPushButton, "deleteRecords")
    assert delete.isVisible() and not delete.isEnabled()
    addresses.table.selectRow(0)
    delete.click()
    dialog = _confirm(qtbot, addresses, "门牌已撤销")
    assert find(dialog, QLabel, "pointersSummary").text() == "1 条记录指向此地址：实有人口 1 条"
    shown = dialog.pointers_list
    assert shown is not None and shown.count() == 1 and shown.item(0).text().startswith("实有人口：李娜")
    assert find(dialog, QPushButton, "confirmDelete").text() == "仍然删除"
    qtbot.waitUntil(lambda: _listed(qtbot, addresses) == [], timeout=10000)

    trash = main.open_trash()
    qtbot.waitUntil(lambda: trash.table.rowCount() == 1, timeout=10000)
    module = find(trash, QComboBox, "trashModule")
    module.setCurrentIndex(module.findData("residents"))
    qtbot.waitUntil(lambda: not trash.loading and trash.table.rowCount() == 0, timeout=10000)
    module.setCurrentIndex(module.findData("addresses"))
    qtbot.waitUntil(lambda: not trash.loading and trash.table.rowCount() == 1, timeout=10000)
    assert trash.table.item(0, 4).text() == "门牌已撤销"
    trash.table.selectRow(0)
    find(trash, QPushButton, "restoreButton").click()
    qtbot.waitUntil(lambda: trash.table.rowCount() == 0, timeout=10000)
    main.open_module("addresses")
    qtbot.waitUntil(lambda: _listed(qtbot, addresses) == [address], timeout=10000)
    page = main.open_record(person, "residents")
    qtbot.waitUntil(lambda: page.view is not None, timeout=10000)
    # Back in place: the person's address is the address again, not "（已删除）".
    assert any("下洋村中街8号" in value for _label, value in page.view.record.fields)


def test_a_grid_worker_sees_the_trash_but_no_delete_and_no_restore_of_a_register(qtbot, home, start_app):
    person, _address = _with_resident(home, grid_worker=True)
    ws = ws_service.unlock(home, "zhang", PASSPHRASE)
    try:
        rec_service.delete(ws, person, reason="迁出")
    finally:
        ws.lock()
    session = start_app(home)
    find(session.unlock_window, QComboBox, "loginUser").setCurrentText("gw")
    main = unlock(qtbot, session, GW_PASS)
    assert find(main.open_module("residents"), QPushButton, "deleteRecords").isHidden()
    trash = main.open_trash()
    qtbot.waitUntil(lambda: trash.table.rowCount() == 1, timeout=10000)
    trash.table.selectRow(0)
    assert not find(trash, QPushButton, "restoreButton").isEnabled()
    assert trash.table.item(0, 2).text() == "张伟" and trash.table.item(0, 1).data(Qt.ItemDataRole.UserRole + 1) == person


def test_several_rows_deleted_at_once_with_one_reason(qtbot, home, start_app):
    seed_store(home)
    ws = ws_service.unlock(home, "zhang", PASSPHRASE)
    try:
        kind = ws.catalog["villages"].field("kind").choices[0].value
        for code, name in (("350102001002", "上洋村"), ("350102001003", "中洋村")):
            rec_service.save(ws, "villages", {"code": code, "name": name, "township": "城关镇", "kind": kind})
    finally:
        ws.lock()
    main = unlock(qtbot, start_app(home))
    villages = main.open_module("villages")
    assert len(_listed(qtbot, villages)) == 3
    villages.table.selectRow(0)
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    villages.table.selectionModel().select(villages.model.index(2, 0), flags)  # Ctrl+click on the third
    kept = villages.model.uuid_at(1)
    find(villages, QPushButton, "deleteRecords").click()
    dialog = _confirm(qtbot, villages, "行政区划调整")
    assert "选中的 2 条记录" in dialog.findChildren(QLabel)[0].text()
    qtbot.waitUntil(lambda: _listed(qtbot, villages) == [kept], timeout=10000)
    trash = main.open_trash()
    qtbot.waitUntil(lambda: trash.table.rowCount() == 2, timeout=10000)
    assert {trash.table.item(r, 4).text() for r in range(2)} == {"行政区划调整"}
