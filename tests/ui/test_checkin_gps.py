"""Check-ins from the app with the GPS receiver: the fix is read on the worker, shown, then saved
on confirmation; without a receiver the check-in is saved at once with 未定位 and the reason."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from fieldkit.ui.station import StationDesk
from tests.ui.conftest import unlock


@pytest.fixture
def panel(qtbot, seeded_home, start_app):
    main = unlock(qtbot, start_app(seeded_home))
    main.findChild(QAction, "stationDeskAction").trigger()
    desk = main.tabs.currentWidget()
    assert isinstance(desk, StationDesk)
    checkins = desk.show_panel("checkinsPanel")
    qtbot.waitUntil(lambda: checkins.village.count() > 0 and not checkins.loading, timeout=15000)
    checkins.village.setCurrentIndex(0)
    return checkins


def _click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_check_in_with_the_fake_receiver_shows_the_fix_then_saves_it(qtbot, panel, monkeypatch):
    monkeypatch.setenv("FIELDKIT_GPS_PORT", "fake")  # the NMEA replay receiver the CLI test uses
    assert panel.use_gps.isChecked()
    _click(qtbot, panel.save_button)
    qtbot.waitUntil(lambda: panel.position is not None, timeout=15000)
    # Shown before anything is saved: latitude, longitude and accuracy in words.
    assert panel.last is None
    assert "北纬 27.452057°" in panel.gps.text() and "东经 119.509463°" in panel.gps.text()
    assert "精度约 6 米" in panel.gps.text()
    assert panel.save_button.text() == "确认签到"
    _click(qtbot, panel.save_button)
    qtbot.waitUntil(lambda: panel.last is not None, timeout=15000)
    data = panel.last.record.data
    assert data["geo"] == {"lat": 27.452057, "lon": 119.509463, "acc": 6.0} and data["geo_source"] == "gps"
    assert "已记录位置" in panel.message.text()
    qtbot.waitUntil(lambda: panel.report is not None and panel.table.rowCount() == 1, timeout=15000)
    assert panel.table.item(0, 6).text() == "1"  # counted as a located check-in


def test_check_in_without_a_receiver_saves_unlocated_with_the_reason(qtbot, panel, monkeypatch):
    monkeypatch.setenv("FIELDKIT_GPS_PORT", "/dev/no-such-gps")
    _click(qtbot, panel.save_button)
    qtbot.waitUntil(lambda: panel.last is not None, timeout=15000)
    assert "geo" not in panel.last.record.data
    text = panel.message.text()
    assert "已签到" in text and "未定位" in text and "/dev/no-such-gps" in text


def test_check_in_with_gps_off_says_it_was_not_used(qtbot, panel):
    panel.use_gps.setChecked(False)
    _click(qtbot, panel.save_button)
    qtbot.waitUntil(lambda: panel.last is not None, timeout=15000)
    assert "geo" not in panel.last.record.data and "没有使用GPS定位" in panel.message.text()
