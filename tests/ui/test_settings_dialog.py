"""Settings in a village officer's words: no raw milliseconds or row counts at the top, a 设备
section whose 测试 buttons answer in words, and 删除示范数据 that keeps what the officer typed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QGroupBox, QLabel, QMessageBox, QPushButton

from fieldkit.services import demo, door, records
from fieldkit.services import devices_access as devices
from fieldkit.services import workspace as ws_service
from fieldkit.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import PASSPHRASE, find, unlock


def _dialog(qtbot, session, main) -> SettingsDialog:
    dialog = SettingsDialog(session.settings, main, worker=session.worker)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.devices.saved is not None, timeout=15000)
    return dialog


def _on_worker(qtbot, session, fn):
    box: dict = {}
    session.worker.run(lambda job: fn(job.ws), lambda r: box.setdefault("r", r), progress=False)
    qtbot.waitUntil(lambda: "r" in box, timeout=15000)
    return box["r"]


def test_top_level_speaks_plainly_and_tuning_is_folded_away(qtbot, seeded_home, start_app):
    session = start_app(seeded_home)
    main = unlock(qtbot, session)
    dialog = _dialog(qtbot, session, main)
    top = find(dialog, QGroupBox, "basicSection")
    words = " ".join(w.text() for w in top.findChildren(QLabel))
    assert "界面语言" in words and "自动锁定" in words
    assert "毫秒" not in words and "行数" not in words
    advanced = find(dialog, QGroupBox, "advancedSection")
    assert not advanced.isVisible()
    qtbot.mouseClick(dialog.advanced_toggle, Qt.MouseButton.LeftButton)
    assert advanced.isVisible() and "毫秒" in dialog.editors["search_delay_ms"].suffix()
    # The device section: reader type, camera and GPS choosers, each with a 测试 button.
    section = find(dialog, QGroupBox, "deviceSection")
    assert section.isVisible()
    card = find(section, QComboBox, "deviceCardReader")
    assert [card.itemData(i) for i in range(card.count())] == ["sdt", "termb", "none", "fake"]
    for kind in ("idcard", "camera", "gps"):
        assert find(section, QPushButton, f"deviceTest_{kind}").isVisible()
    assert not find(dialog, QGroupBox, "demoSection").isVisible()  # no demo in this store


def test_test_buttons_answer_in_words_and_choices_are_kept(qtbot, seeded_home, start_app, monkeypatch):
    monkeypatch.setenv("FIELDKIT_GPS_PORT", "fake")
    session = start_app(seeded_home)
    main = unlock(qtbot, session)
    dialog = _dialog(qtbot, session, main)
    section = dialog.devices
    card = find(section, QComboBox, "deviceCardReader")
    results = section.results
    card.setCurrentIndex(card.findData("none"))
    with qtbot.waitSignal(section.tested, timeout=15000):
        qtbot.mouseClick(find(section, QPushButton, "deviceTest_idcard"), Qt.MouseButton.LeftButton)
    assert "不使用阅读器" in results["idcard"].text() and "✘" in results["idcard"].text()
    card.setCurrentIndex(card.findData("fake"))
    with qtbot.waitSignal(section.tested, timeout=15000):
        qtbot.mouseClick(find(section, QPushButton, "deviceTest_idcard"), Qt.MouseButton.LeftButton)
    assert "阅读器已连接" in results["idcard"].text()
    with qtbot.waitSignal(section.tested, timeout=15000):
        qtbot.mouseClick(find(section, QPushButton, "deviceTest_gps"), Qt.MouseButton.LeftButton)
    assert "北纬 27.452057°" in results["gps"].text() and "精度约 6 米" in results["gps"].text()

    card.setCurrentIndex(card.findData("termb"))
    dialog.apply()
    chosen = _on_worker(qtbot, session, devices.device_settings)
    assert chosen["idcard_backend"] == "termb"


@pytest.fixture
def demo_home(home):
    ws, _code = ws_service.create(home, "zhang", PASSPHRASE, display_name="张伟")
    try:
        demo.generate(ws, seed=2, people=40)
        village = records.rows(ws, records.list_ids(ws, "villages"))[0].data["code"]
        door.save(ws, "residents", {"name": "李小明", "id_number": "110101199003071233", "sex": "男",
                                    "birth_date": "1990-03-07", "village": village})
    finally:
        ws.lock()
    return home


def _answer_confirmation(button_text: str) -> None:
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox) and w.objectName() == "confirmRemoveDemo" and w.isVisible():
            for b in w.buttons():
                if b.text() == button_text:
                    b.click()
                    return
    QTimer.singleShot(50, lambda: _answer_confirmation(button_text))


def test_remove_demo_asks_then_keeps_the_typed_person(qtbot, demo_home, start_app):
    session = start_app(demo_home)
    main = unlock(qtbot, session)
    dialog = _dialog(qtbot, session, main)
    section = find(dialog, QGroupBox, "demoSection")
    qtbot.waitUntil(section.isVisible, timeout=15000)
    QTimer.singleShot(50, lambda: _answer_confirmation("取消"))
    qtbot.mouseClick(dialog.demo.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.demo.button.isEnabled, timeout=15000)
    assert _on_worker(qtbot, session, lambda ws: records.counts(ws)["villages"]) == 20  # cancelled: all there

    QTimer.singleShot(50, lambda: _answer_confirmation("删除示范数据"))
    with qtbot.waitSignal(dialog.demo.removed, timeout=30000) as removed:
        qtbot.mouseClick(dialog.demo.button, Qt.MouseButton.LeftButton)
    assert removed.args[0].total > 50
    assert "已删除示范数据" in dialog.demo.text.text()
    people = _on_worker(qtbot, session, lambda ws: records.rows(ws, records.list_ids(ws, "residents")))
    assert [p.data["name"] for p in people] == ["李小明"]
