"""Check-ins (打点): village picked by name, position from a GPS receiver when there is one, the
check-in saved anyway when there is not, and the weekly report per person and day."""

from __future__ import annotations

import pytest

from fieldkit.devices.gps import FakeGps
from fieldkit.domain.errors import DeviceUnavailable, NotFound, UserFacingError
from fieldkit.services import records as rsvc
from fieldkit.services import workspace as wsvc
from fieldkit.services.station import checkins

PASS = "correct horse battery"


class PulledOut:
    """A receiver whose cable is pulled as it is read."""

    name = "pulled"

    def read_fix(self, timeout: float = 5.0):
        raise DeviceUnavailable("GPS 接收器（/dev/ttyUSB0）已断开或无法读取", message_en="GPS receiver gone")

    def close(self) -> None:
        pass


@pytest.fixture()
def villages(empty_ws):
    for code, name in (("350924201201", "坑底村"), ("350924201202", "小东村")):
        rsvc.save(empty_ws, "villages", {"code": code, "name": name, "township": "坑底乡", "kind": "village"})
    return empty_ws


def test_check_in_with_gps_manual_and_without(villages):
    ws = villages
    r = checkins.check_in(ws, village="坑底村", place="下坑自然村", work="visit", gps=FakeGps(), at="2026-11-16T09:05")
    assert r.position == "gps" and r.note_zh == ""
    assert r.record.data["geo"] == {"lat": 27.452057, "lon": 119.509463, "acc": 6.0}
    assert r.record.data["village"] == "350924201201" and r.record.data["satellites"] == 7
    assert r.record.data["staff"] == "chief" and r.record.data["staff_name"] == "陈所长"

    r = checkins.check_in(ws, village="350924201202", gps=FakeGps([FakeGps.DEMO[0]]), at="2026-11-16T14:00")
    assert r.position == "none" and "尚未搜到卫星" in r.note_zh and "geo" not in r.record.data

    r = checkins.check_in(ws, village="小东村", gps=PulledOut(), at="2026-11-17T08:00")
    assert r.position == "none" and "已断开" in r.note_zh and r.note_en

    r = checkins.check_in(ws, village="小东村", geo="27.4, 119.5", gps=PulledOut(), at="2026-11-17T10:00")
    assert r.position == "manual" and r.record.data["geo"] == {"lat": 27.4, "lon": 119.5}
    assert r.record.data["geo_source"] == "manual"

    with pytest.raises(NotFound):
        checkins.check_in(ws, village="不存在村")


def test_week_report_per_person_and_day(villages):
    ws = villages
    ws.store.add_user("li", role="grid_worker", passphrase=PASS, display_name="李网格")
    checkins.check_in(ws, village="坑底村", at="2026-11-16T09:05", gps=FakeGps())  # Monday, week 47
    checkins.check_in(ws, village="小东村", at="2026-11-16T15:30")
    checkins.check_in(ws, village="坑底村", at="2026-11-18T08:10")
    checkins.check_in(ws, village="坑底村", at="2026-11-23T08:00")  # Monday of week 48: not counted
    home = ws.home
    ws.lock()
    li = wsvc.unlock(home, "li", PASS)
    try:
        checkins.check_in(li, village="小东村", at="2026-11-22T17:45")  # Sunday, still week 47
        report = checkins.week_report(li, "2026-W47")
    finally:
        li.lock()
    assert (report.week, report.start, report.end) == ("2026-W47", "2026-11-16", "2026-11-22")
    chief, grid = report.people
    assert (chief.login, chief.name, chief.total, chief.days_worked) == ("chief", "陈所长", 3, 2)
    monday = chief.days[0]
    assert (monday.date, monday.checkins, monday.villages, monday.first, monday.last, monday.located) == (
        "2026-11-16", 2, ["坑底村", "小东村"], "09:05", "15:30", 1)
    assert chief.villages == ["坑底村", "小东村"]
    assert (grid.login, grid.total, grid.days[0].date) == ("li", 1, "2026-11-22")
    rows = report.to_rows()
    assert len(rows) == 3 and rows[0]["villages"] == "坑底村、小东村"


def test_week_report_for_one_person_and_bad_weeks(villages):
    checkins.check_in(villages, village="坑底村", at="2026-11-16T09:05")
    assert checkins.week_report(villages, "2026w47", login="nobody").people == []
    assert checkins.week_report(villages, "2026-W47", login="chief").people[0].total == 1
    for bad in ("2026-47", "2026-W54", "last week"):
        with pytest.raises(UserFacingError):
            checkins.week_report(villages, bad)


def test_check_in_reads_the_receiver_itself_when_asked(empty_ws, monkeypatch):
    """The desktop passes use_gps: the service opens the receiver, reads a fix, closes it."""
    from fieldkit.services import records as rsvc
    from fieldkit.services.station import checkins

    rsvc.save(empty_ws, "villages", {"code": "350924201201", "name": "坑底村", "township": "坑底乡", "kind": "village"})
    monkeypatch.setenv("FIELDKIT_GPS_PORT", "fake")
    result = checkins.check_in(empty_ws, village="坑底村", use_gps=True)
    assert result.position == "gps" and result.record.data["geo_source"] == "gps"
    monkeypatch.setenv("FIELDKIT_GPS_PORT", "/dev/fieldkit-no-such-port")
    result = checkins.check_in(empty_ws, village="坑底村", use_gps=True)
    assert result.position == "none" and result.note_zh.startswith("未定位")


def test_read_position_in_words_and_cancel(villages):
    from fieldkit.domain.errors import Cancelled

    pos = checkins.read_position(villages, gps=FakeGps())
    assert pos.geo == {"lat": 27.452057, "lon": 119.509463, "acc": 6.0} and pos.satellites == 7
    assert pos.text_zh == "北纬 27.452057°，东经 119.509463°，精度约 6 米（7 颗卫星）"
    with pytest.raises(Cancelled):  # the officer pressed 取消 while the receiver searched
        checkins.read_position(villages, gps=FakeGps(), cancel=lambda: True)
    pos = checkins.read_position(villages, port="/dev/no-such-gps")
    assert pos.geo is None and pos.note_zh.startswith("未定位：") and "/dev/no-such-gps" in pos.note_zh
