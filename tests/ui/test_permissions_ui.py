"""The app offers only what forms/permissions.toml lets the signed-in role do: a grid worker sees
no delete, no backup, no doorplate printing, no users screen, and only the ledgers of their own
work; the chief has them all and manages users in the app (a reset passphrase is replaced in
the unlock window)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton

from fieldkit.services import users as users_service
from fieldkit.services import workspace as ws_service
from tests.ui.conftest import PASSPHRASE, find, seed_store, unlock

GW_PASS = "grid worker passphrase 7"
TEMP = "temporary words 2026 spring"
OWN = "my own secret phrase 31"


def _with_grid_worker(home) -> str:
    seed_store(home)
    ws = ws_service.unlock(home, "zhang", PASSPHRASE)
    try:
        ws_service.add_user(ws, "gw", "grid_worker", GW_PASS, "王网格")
        return ws.store.records.rows(ws.store.records.ids("addresses"))[0].uuid
    finally:
        ws.lock()


def _unlock_as(qtbot, session, login: str, passphrase: str):
    find(session.unlock_window, QComboBox, "loginUser").setCurrentText(login)
    return unlock(qtbot, session, passphrase)


def _action(main, name: str) -> QAction | None:
    return main.findChild(QAction, name)


def test_a_grid_worker_is_not_offered_what_the_table_refuses(qtbot, home, start_app):
    address = _with_grid_worker(home)
    main = _unlock_as(qtbot, start_app(home), "gw", GW_PASS)
    assert _action(main, "backupAction") is None and _action(main, "usersAction") is None
    printing = _action(main, "doorplatePrintAction")
    assert printing is not None and not printing.isVisible() and not printing.isEnabled()

    page = main.open_record(address, "addresses")
    qtbot.waitUntil(lambda: page.findChild(QPushButton, "editButton") is not None, timeout=15000)
    assert page.findChild(QPushButton, "deleteButton") is None  # edits, never deletes

    villages = main.open_module("villages")
    assert villages.new_button.isHidden()  # the township's village list is not theirs to add to
    assert not main.open_module("residents").new_button.isHidden()

    from fieldkit.ui.station import open_ledger_dialog

    dialog = open_ledger_dialog(main.worker, main.info, main.lang, parent=main)
    offered = [dialog.module.itemData(i) for i in range(dialog.module.count())]
    assert "visits" in offered and "residents" not in offered and "key_persons" not in offered
    dialog.close()


def test_the_chief_backs_up_deletes_and_manages_users_in_the_app(qtbot, home, start_app, tmp_path):
    address = _with_grid_worker(home)
    main = _unlock_as(qtbot, start_app(home), "zhang", PASSPHRASE)
    assert _action(main, "backupAction") is not None and _action(main, "doorplatePrintAction").isVisible()

    from fieldkit.ui import admin

    backup = admin.open_backup(main)
    backup.choose_folder(str(tmp_path))
    backup.back_up()
    qtbot.waitUntil(lambda: any((tmp_path / "FieldKit备份").glob("*.fkbackup")), timeout=15000)
    backup.close()

    page = main.open_record(address, "addresses")
    qtbot.waitUntil(lambda: page.findChild(QPushButton, "deleteButton") is not None, timeout=15000)

    dialog = admin.open_users_dialog(main)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=15000)
    dialog.select("gw")
    assert find(dialog, QPushButton, "users_disable").isEnabled()
    dialog.select("zhang")
    assert not find(dialog, QPushButton, "users_disable").isEnabled()  # not oneself

    dialog._add("li", "officer", "李民警", "officer passphrase 42x")
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3, timeout=15000)
    dialog.select("gw")
    dialog._disable()
    qtbot.waitUntil(lambda: any(r.login == "gw" and r.disabled for r in dialog.rows), timeout=15000)
    dialog.select("gw")
    dialog._enable_user(TEMP)
    qtbot.waitUntil(lambda: any(r.login == "gw" and r.must_change and not r.disabled for r in dialog.rows),
                    timeout=15000)
    dialog._recovery(confirmed=True)
    qtbot.waitUntil(lambda: dialog.shown_code != "", timeout=15000)
    assert dialog.shown_code in find(dialog, QLabel, "usersMessage").text()
    assert find(dialog, QPushButton, "users_printRecovery").isVisible()  # on paper, like the first one


def test_a_reset_passphrase_is_replaced_in_the_unlock_window(qtbot, home, start_app):
    _with_grid_worker(home)
    ws = ws_service.unlock(home, "zhang", PASSPHRASE)
    users_service.reset_passphrase(ws, "gw", TEMP)
    ws.lock()
    session = start_app(home)
    window = session.unlock_window
    find(window, QComboBox, "loginUser").setCurrentText("gw")
    box = find(window, QLineEdit, "loginPassphrase")
    qtbot.waitUntil(box.isEnabled)
    qtbot.keyClicks(box, TEMP)
    find(window, QPushButton, "unlockButton").click()
    qtbot.waitUntil(lambda: window.login_page.change_box.isVisible(), timeout=15000)
    assert "新口令" in window.login_page.message.text() and box.text() == TEMP
    qtbot.keyClicks(find(window, QLineEdit, "mustChangePassphrase"), OWN)
    qtbot.keyClicks(find(window, QLineEdit, "mustChangePassphraseAgain"), OWN)
    find(window, QPushButton, "unlockButton").click()
    qtbot.waitUntil(lambda: session.main_window is not None and session.main_window.isVisible(), timeout=15000)
    session.main_window.lock_requested.emit()
    qtbot.waitUntil(lambda: not session.worker.has_workspace, timeout=15000)
    ws = ws_service.unlock(home, "gw", OWN)  # their own passphrase now opens; the temporary one does not
    ws.lock()


def test_a_cancelled_rotation_is_said_in_the_users_screen_until_the_chief_finishes_it(qtbot, home, start_app):
    _with_grid_worker(home)
    ws = ws_service.unlock(home, "zhang", PASSPHRASE)
    from fieldkit.domain.errors import Cancelled

    with pytest.raises(Cancelled):
        users_service.remove(ws, "gw", cancel=lambda: True)
    ws.lock()
    main = _unlock_as(qtbot, start_app(home), "zhang", PASSPHRASE)
    from fieldkit.ui import admin

    dialog = admin.open_users_dialog(main)
    due = find(dialog, QLabel, "usersRotationDue")
    qtbot.waitUntil(due.isVisible, timeout=15000)
    assert "数据密钥尚未更换" in due.text() and "user_remove:gw" in due.text()
    rotate = find(dialog, QPushButton, "users_rotate")
    assert rotate.isVisible()
    rotate.click()
    qtbot.waitUntil(lambda: not due.isVisible(), timeout=30000)
    assert not rotate.isVisible() and "已更换数据密钥" in find(dialog, QLabel, "usersMessage").text()
