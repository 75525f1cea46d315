"""Check-ins (打点): field staff record when and where they work each day; a weekly report.

A check-in is a record of module `checkins` (forms/18_checkins.toml): time, login and name,
village (picked — a code or a name), place, kind of work, and the position from a GPS receiver
when one is plugged in (devices.gps). No receiver, no fix, or a receiver pulled out mid-read
never blocks a check-in: it is saved without a position and the result says why, in Chinese
and English, for the form to show.

Times are local `YYYY-MM-DDTHH:MM`; weeks are ISO weeks ("2026-W47", Monday to Sunday).
Threading: the workspace's thread; `check_in` with a receiver blocks up to `timeout` seconds
(the UI calls it on its database worker, which is where the GPS read belongs as well).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fieldkit.devices.gps import GpsReceiver
from fieldkit.domain.errors import DeviceUnavailable, UserFacingError
from fieldkit.services import devices_access
from fieldkit.services import records as rsvc
from fieldkit.services.ledgers import resolve_village
from fieldkit.services.workspace import Workspace

MODULE = "checkins"
_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)


@dataclass
class CheckInResult:
    """The saved record and how the position was obtained (`position` "gps" | "manual" | "none")."""

    record: Any
    position: str
    note_zh: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class Position:
    """What a GPS reading gave: `geo` ({"lat", "lon", "acc"}) and `satellites`, or None with
    the reason in `note_zh`/`note_en` ("未定位：…"). `text_zh`/`text_en` say the fix in words."""

    geo: dict[str, float] | None
    satellites: int | None = None
    note_zh: str = ""
    note_en: str = ""
    text_zh: str = ""
    text_en: str = ""


NO_RECEIVER = Position(None, None, "未定位（未连接 GPS 接收器）", "No position (no GPS receiver)")
NOT_USED = Position(None, None, "未定位（没有使用GPS定位）", "No position (GPS not used)")


def read_position(ws: Workspace, *, gps: GpsReceiver | None = None, port: str | None = None, timeout: float = 10.0,
                  progress: Callable[[int, int], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> Position:
    """Read the receiver (`gps`, else the one on `port` — "fake" for the demo receiver — or chosen
    in settings or found on USB, opened for this one reading and closed). Never raises for a missing receiver or fix: the reason is in the
    result. `Cancelled` when asked to stop. Blocks up to `timeout` s: the workspace's thread."""
    opened = None
    try:
        if gps is None:
            gps = opened = devices_access.open_gps(ws, port)
        fix = devices_access.read_gps_fix(gps, timeout=timeout, progress=progress, cancel=cancel)
    except DeviceUnavailable as e:
        return Position(None, None, f"未定位：{e.message}", f"No position: {e.message_en or e.message}")
    finally:
        if opened is not None:
            opened.close()
    if fix is None:
        return Position(None, None, "未定位：GPS 尚未搜到卫星（请到室外空旷处再试）",
                        "No position: the GPS has no fix yet (try outdoors)")
    zh, en = devices_access.describe_fix(fix)
    return Position(fix.as_geo(), fix.satellites, text_zh=zh, text_en=en)


def check_in(
    ws: Workspace,
    *,
    village: str,
    work: str = "visit",
    place: str | None = None,
    grid: str | None = None,
    notes: str | None = None,
    gps: GpsReceiver | None = None,
    use_gps: bool = False,
    geo: dict[str, float] | str | None = None,
    at: str | None = None,
    timeout: float = 5.0,
    position: Position | None = None,
) -> CheckInResult:
    """Record a check-in for the signed-in user. `geo` (typed in) wins over `position` (a
    reading already taken with `read_position`, shown to the user first), which wins over `gps`.

    `use_gps` opens the USB/serial receiver for this one reading when no `gps` is given, and
    closes it afterwards.

    Raises `NotFound` for an unknown village name and `ValidationFailed` for a bad value; a GPS
    problem only adds a note to the result.
    """
    values: dict[str, Any] = {
        "at": at or dt.datetime.now().strftime("%Y-%m-%dT%H:%M"),
        "staff": ws.user.login, "staff_name": ws.user.display_name or ws.user.login,
        "village": resolve_village(ws, village), "work": work, "geo_source": "none",
    }
    for k, v in (("place", place), ("grid", grid), ("notes", notes)):
        if v:
            values[k] = v
    if geo:
        values.update(geo=geo, geo_source="manual")
        rec = rsvc.save(ws, MODULE, values)
        return CheckInResult(rec, "manual")
    if position is None:
        position = read_position(ws, gps=gps, timeout=timeout) if gps is not None or use_gps else NO_RECEIVER
    if position.geo is not None:
        values.update(geo=position.geo, geo_source="gps", satellites=position.satellites)
    rec = rsvc.save(ws, MODULE, values)
    return CheckInResult(rec, "gps" if position.geo is not None else "none", position.note_zh, position.note_en)


def parse_week(text: str) -> tuple[dt.date, dt.date]:
    """(Monday, Sunday) of an ISO week "2026-W47". `UserFacingError` for anything else."""
    m = _WEEK.fullmatch(text.strip())
    try:
        if not m:
            raise ValueError(text)
        monday = dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise UserFacingError(f"周的写法应为 2026-W47：{text}", message_en=f"Write the week as 2026-W47, not {text!r}",
                              field="week", code="bad_week") from None
    return monday, monday + dt.timedelta(days=6)


def week_of(day: dt.date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


@dataclass
class DayEntry:
    date: str
    checkins: int
    villages: list[str]  # names, in order of first check-in
    first: str  # HH:MM
    last: str
    located: int  # check-ins with a position


@dataclass
class PersonWeek:
    login: str
    name: str
    days: list[DayEntry] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(d.checkins for d in self.days)

    @property
    def days_worked(self) -> int:
        return len(self.days)

    @property
    def villages(self) -> list[str]:
        seen: list[str] = []
        for d in self.days:
            seen += [v for v in d.villages if v not in seen]
        return seen


@dataclass
class WeekReport:
    week: str
    start: str
    end: str
    people: list[PersonWeek]

    def to_rows(self) -> list[dict[str, Any]]:
        """One dict per person and day, for the CLI and a table."""
        return [
            {"week": self.week, "login": p.login, "name": p.name, "date": d.date, "checkins": d.checkins,
             "villages": "、".join(d.villages), "first": d.first, "last": d.last, "located": d.located}
            for p in self.people for d in p.days
        ]


def week_report(ws: Workspace, week: str, *, login: str | None = None) -> WeekReport:
    """Per person (optionally one login), per day: check-ins, villages, first/last time."""
    ws.module(MODULE)
    monday, sunday = parse_week(week)
    where = {"staff": login} if login else None
    ids = ws.store.records.ids(MODULE, order_by="date", date_from=monday.isoformat(),
                               date_to=sunday.isoformat(), where=where)
    people: dict[str, PersonWeek] = {}
    days: dict[tuple[str, str], DayEntry] = {}
    for start in range(0, len(ids), 1000):
        for rec in ws.store.records.rows(ids[start:start + 1000]):
            d = rec.data
            who = str(d.get("staff") or "")
            person = people.setdefault(who, PersonWeek(who, str(d.get("staff_name") or who)))
            at = str(d.get("at") or "")
            day, hm = at[:10], at[11:16]
            entry = days.get((who, day))
            if entry is None:
                entry = days[(who, day)] = DayEntry(day, 0, [], hm, hm, 0)
                person.days.append(entry)
            entry.checkins += 1
            name = rsvc.village_name(ws, str(d.get("village"))) if d.get("village") else ""
            if name and name not in entry.villages:
                entry.villages.append(name)
            entry.first, entry.last = min(entry.first, hm), max(entry.last, hm)
            entry.located += 1 if d.get("geo") else 0
    for p in people.values():
        p.days.sort(key=lambda e: e.date)
    return WeekReport(week_of(monday), monday.isoformat(), sunday.isoformat(),
                      sorted(people.values(), key=lambda p: p.login))
