"""Follow-ups of key persons (重点人员随访): the schedule, what is due or overdue, recording one.

The schedule (`SCHEDULE_DAYS`, published in docs/station.md) gives the longest interval allowed
between two follow-ups by category and risk level. A record's own `interval_days` may be
stricter, never laxer: the effective interval is the smaller of the two. A person is due on the
earlier of `next_follow_up` (the officer's plan) and last follow-up (or the listing date) +
effective interval, and overdue when that date is before `today`. Only people still under
management (status 在管 or 失控) are counted.

Dates are ISO `YYYY-MM-DD` strings or `datetime.date`; intervals are in days. `today` is always a
parameter so the dashboard, the CLI and the tests agree on what "overdue" means.

Threading: the workspace's thread (see services.workspace).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fieldkit.domain.errors import UserFacingError
from fieldkit.services import records as rsvc
from fieldkit.services.workspace import Workspace

MODULE = "key_persons"
ACTIVE_STATUSES = ("listed", "missing")  # 在管, 失控: both still need someone to go and look

#: Longest follow-up interval in days, by category, for (high, medium, low) risk.
SCHEDULE_DAYS: dict[str, tuple[int, int, int]] = {
    "community_correction": (7, 15, 30),
    "drug_rehab": (7, 15, 30),
    "drug_user": (7, 15, 30),
    "mental_illness": (7, 14, 30),
    "petitioner": (7, 15, 30),
    "released_prisoner": (15, 30, 90),
    "cult": (15, 30, 60),
    "youth": (15, 30, 60),
    "other": (15, 30, 60),
}
_RISK_INDEX = {"high": 0, "medium": 1, "low": 2}
#: After a follow-up that found trouble the next one comes sooner (days, at most).
_CONDITION_CAP = {"abnormal": 3, "watch": 7}


def schedule_interval(category: str | None, risk_level: str | None) -> int:
    """The longest interval (days) the schedule allows for this category and risk level."""
    row = SCHEDULE_DAYS.get(category or "other", SCHEDULE_DAYS["other"])
    return row[_RISK_INDEX.get(risk_level or "low", 2)]


def effective_interval(data: dict[str, Any]) -> int:
    """min(record's interval_days, schedule) — the record may be stricter, never laxer."""
    scheduled = schedule_interval(data.get("category"), data.get("risk_level"))
    try:
        own = int(data.get("interval_days") or scheduled)
    except (TypeError, ValueError):
        own = scheduled
    return max(1, min(own, scheduled))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def last_follow_up(data: dict[str, Any]) -> dt.date | None:
    dates = [_date(r.get("date")) for r in data.get("follow_ups") or [] if isinstance(r, dict)]
    dates = [d for d in dates if d is not None]
    return max(dates) if dates else None


def due_date(data: dict[str, Any]) -> dt.date | None:
    """When the next follow-up is due (see module docstring); None without any date to go on."""
    base = last_follow_up(data) or _date(data.get("listed_date"))
    scheduled = base + dt.timedelta(days=effective_interval(data)) if base else None
    planned = _date(data.get("next_follow_up"))
    candidates = [d for d in (planned, scheduled) if d is not None]
    return min(candidates) if candidates else None


@dataclass(frozen=True)
class FollowUpItem:
    """One key person's follow-up state. `days_overdue` > 0 means overdue by that many days."""

    uuid: str
    title: str
    village: str  # village name
    category: str  # label, e.g. 社区矫正对象
    risk_level: str  # value: high | medium | low
    interval_days: int
    last: str | None  # ISO date of the last follow-up
    due: str | None  # ISO date
    days_overdue: int
    officer: str


@dataclass
class FollowUpReport:
    """Everyone under management, most overdue first; counts for the dashboard."""

    today: str
    items: list[FollowUpItem] = field(default_factory=list)

    @property
    def overdue(self) -> list[FollowUpItem]:
        return [i for i in self.items if i.days_overdue > 0]

    @property
    def overdue_count(self) -> int:
        return len(self.overdue)

    def due_within(self, days: int) -> list[FollowUpItem]:
        """Not yet overdue, but due in the next `days` days (today included)."""
        return [i for i in self.items if i.days_overdue <= 0 and -i.days_overdue <= days]

    def overdue_by_village(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i in self.overdue:
            out[i.village] = out.get(i.village, 0) + 1
        return out


def followup_report(ws: Workspace, today: dt.date | str, lang: str = "zh") -> FollowUpReport:
    """Every key person under management with their due date, most overdue first (titles and
    category labels in `lang`)."""
    today_d = _date(today) or dt.date.today()
    spec = ws.module(MODULE)
    category = spec.field("category")
    report = FollowUpReport(today=today_d.isoformat())
    for status in ACTIVE_STATUSES:
        ids = ws.store.records.ids(MODULE, where={"status": status})
        for start in range(0, len(ids), 500):
            for rec in ws.store.records.rows(ids[start:start + 500]):
                d = rec.data
                due = due_date(d)
                last = last_follow_up(d)
                report.items.append(FollowUpItem(
                    uuid=rec.uuid,
                    title=rsvc.title(ws, rec, lang),
                    village=rsvc.village_name(ws, str(d.get("village") or "")) if d.get("village") else "",
                    category=category.choice_label(str(d.get("category") or ""), lang),
                    risk_level=str(d.get("risk_level") or ""),
                    interval_days=effective_interval(d),
                    last=last.isoformat() if last else None,
                    due=due.isoformat() if due else None,
                    days_overdue=(today_d - due).days if due else 0,
                    officer=str(d.get("officer") or ""),
                ))
    report.items.sort(key=lambda i: (-i.days_overdue, i.due or "", i.title))
    return report


def overdue_followups(ws: Workspace, today: dt.date | str) -> list[FollowUpItem]:
    """Key persons whose follow-up is overdue on `today`, most overdue first."""
    return followup_report(ws, today).overdue


def record_followup(
    ws: Workspace,
    uuid: str,
    *,
    date: dt.date | str,
    method: str,
    condition: str,
    by: str | None = None,
    notes: str | None = None,
):
    """Add a follow-up to a key person and move `next_follow_up` on; returns the saved Record.

    The next date is `date` + effective interval, sooner when the person was found 需关注 (≤7
    days) or 异常 (≤3 days). Raises `ValidationFailed` (e.g. a date in the future, notes missing
    for a non-stable condition) and `NotFound`.
    """
    rec = rsvc.get(ws, uuid, audit=False)
    if rec.module != MODULE:
        raise UserFacingError("这条记录不是重点人员", message_en="That record is not a key person", code="wrong_module")
    day = _date(date)
    if day is None:
        raise UserFacingError("随访日期无效", message_en="Invalid follow-up date", field="date")
    data = dict(rec.data)
    row: dict[str, Any] = {"date": day.isoformat(), "method": method, "condition": condition,
                           "by": by or ws.user.display_name or ws.user.login}
    if notes:
        row["notes"] = notes
    data["follow_ups"] = [*(data.get("follow_ups") or []), row]
    interval = min(effective_interval(data), _CONDITION_CAP.get(condition, 10_000))
    # A back-dated entry must not pull the plan behind a later follow-up already on file.
    base = last_follow_up(data) or day
    data["next_follow_up"] = (base + dt.timedelta(days=interval)).isoformat()
    return rsvc.save(ws, MODULE, data, uuid=uuid)
