"""The household card's 新增人员 form: a registered ID number is named while it is typed, and
读取身份证 fills the form (demo reader)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QPushButton

from fieldkit.devices.camera import FileCameraBackend
from fieldkit.domain.doorplate_code import sign_doorplate
from fieldkit.services import devices_access
from fieldkit.ui.scan import open_scan_view
from fieldkit.ui.scan.dialogs import QuickFormDialog
from tests.ui.conftest import find, unlock
from tests.ui.test_scan import CODE, STATION, scan_with_wedge, seed, visible, wait_for_card


@pytest.fixture
def scan_home(home):
    seed(home)
    return home


def open_new_resident(qtbot, main):
    view = open_scan_view(main, camera_backend=FileCameraBackend([]))
    scan_with_wedge(qtbot, view, sign_doorplate(CODE, STATION))
    card = wait_for_card(qtbot, view)
    qtbot.mouseClick(find(card, QPushButton, "addResidentButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: visible(QuickFormDialog, "quickForm_residents") is not None)
    return card, visible(QuickFormDialog, "quickForm_residents")


def test_a_registered_id_number_is_named_while_typed(qtbot, scan_home, start_app):
    main = unlock(qtbot, start_app(scan_home))
    card, dialog = open_new_resident(qtbot, main)
    qtbot.keyClicks(find(dialog, QLineEdit, "input_id_number"), "350924197003150023")  # 林秀英, registered
    banner = find(dialog, QLabel, "quickFormBanner")
    qtbot.waitUntil(lambda: banner.isVisible() and banner.text().startswith("已登记：林秀英"), timeout=10000)
    same = find(dialog, QCheckBox, "useExistingPerson")
    assert same.isVisible() and same.isChecked()  # the registered record is the default choice
    assert dialog.isVisible()  # nothing was pressed: only named
    qtbot.mouseClick(find(dialog, QPushButton, "quickFormOk"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.dialog is None, timeout=10000)
    assert card.new_residents == []  # not entered a second time


def test_the_card_reader_fills_the_new_resident(qtbot, scan_home, start_app, monkeypatch):
    monkeypatch.setenv(devices_access.DEMO_ENV, "1")
    main = unlock(qtbot, start_app(scan_home))
    card, dialog = open_new_resident(qtbot, main)
    assert dialog.card_reader is not None
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: dialog.form.rows["name"].editor.value() == "张三丰", timeout=10000)
    ok = find(dialog, QPushButton, "quickFormOk")
    qtbot.waitUntil(lambda: ok.hasFocus())
    assert dialog.form.rows["address"].editor.value()  # the household's address stays
    qtbot.keyClick(ok, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(card.new_residents), timeout=10000)
    assert [p["name"] for p in card.new_residents] == ["张三丰"]
