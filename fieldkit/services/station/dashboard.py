"""The figures behind the chief's dashboard: counts and trends by module, category, village and
month; overdue follow-ups; open events by level; tasks; changes waiting for sync.

Plain dataclasses of numbers and labels — the UI charts them, the CLI prints them as JSON. All
counts come from the store's indexed filters (module, village, date, field equality), so the
dashboard costs a few hundred small COUNT queries whatever the size of the store.

`today` is a parameter (the month axis and "overdue" both depend on it). The window is any run
of whole months (`first_month`…`last_month`, default the last 12); when it ends with today's
month, that month counts only up to today and is marked partial (`partial_through`), so a chart
does not read the first days of a month as a collapse. "Area" is the village or the grid (the
grids each village record lists). Threading: the
workspace's thread (the UI's database worker); results are immutable-by-convention and safe to
hand to the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from fieldkit.domain.errors import UserFacingError
from fieldkit.services import backup as backup_service
from fieldkit.services import records as rsvc
from fieldkit.services.station import followups
from fieldkit.services.workspace import Workspace

#: Modules whose records are "work done" and trend by month on the dashboard.
TREND_MODULES = ("visits", "disputes", "events", "key_persons", "appointments", "publicity", "checkins", "tasks")
#: (module, choice field) pairs broken down by category.
CATEGORY_FIELDS = (("events", "category"), ("disputes", "kind"), ("key_persons", "category"))


@dataclass(frozen=True)
class Count:
    """One bar: `key` is the stored value (module id, village code, choice value, "YYYY-MM")."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Series:
    """A labelled row of bars/points, e.g. visits per month."""

    key: str
    label: str
    points: tuple[Count, ...]

    @property
    def total(self) -> int:
        return sum(p.count for p in self.points)


@dataclass
class Dashboard:
    today: str
    months: list[str]  # the trend axis, oldest first ("2025-12" … "2026-11")
    modules: list[Count]  # records per visible module
    trends: list[Series]  # per TREND_MODULES module: count per month
    categories: list[Series]  # per CATEGORY_FIELDS: count per choice
    villages: list[Series]  # per TREND_MODULES module: count per area (period: the months shown)
    overdue_followups: int
    overdue_by_village: list[Count]
    overdue_list: list[followups.FollowUpItem]  # the most overdue first, at most 20
    open_events_by_level: list[Count]
    tasks_by_status: list[Count]
    pending_sync: int
    pending_sync_known: bool  # False: this store has no outbox count (shown as "—", not 0)
    notes: list[str] = field(default_factory=list)
    #: The last month of the axis is today's and counts up to this day (ISO date); None when whole.
    partial_through: str | None = None
    area: str = "village"  # what `villages` is broken down by: "village" or "grid"
    last_backup: dict | None = None  # services.backup.last_backup (for whom may back up)
    backup_reminder: tuple[str, str] | None = None  # (zh, en) after 7 days without a backup


def month_axis(today: dt.date, months: int) -> list[str]:
    """The last `months` calendar months ending with today's, oldest first."""
    y, m = today.year, today.month
    out = []
    for _ in range(months):
        out.append(f"{y:04d}-{m:02d}")
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return out[::-1]


def month_range(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` ("YYYY-MM"), both included, oldest first."""
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
#: The longest window the dashboard draws: ten years of months still fit a 1366-pixel chart.
MAX_MONTHS = 120


def window(today: dt.date, months: int = 12, first_month: str | None = None,
           last_month: str | None = None) -> list[str]:
    """The month axis: `first_month`…`last_month` (a later end is cut at today's month), or the
    last `months` ending with today's. A reversed or too long window is refused in words."""
    this = f"{today.year:04d}-{today.month:02d}"
    if not 1 <= months <= MAX_MONTHS:
        raise UserFacingError(f"时间段为 1 到 {MAX_MONTHS} 个月", message_en=f"The window is 1 to {MAX_MONTHS} months",
                              field="months")
    for name, value in (("first_month", first_month), ("last_month", last_month)):
        if value is not None and not _MONTH.fullmatch(value):
            raise UserFacingError(f"月份应写作 2026-03：{value[:20]}", message_en=f"A month is written 2026-03: {value[:20]}",
                                  field=name)
    if first_month is None and last_month is None:
        return month_axis(today, months)
    last = min(last_month or this, this)
    first = first_month or month_axis(dt.date(int(last[:4]), int(last[5:7]), 1), months)[0]
    if first > last:
        raise UserFacingError("起始月份晚于结束月份", message_en="The first month is after the last",
                               field="first_month")
    axis = month_range(first, last)
    if len(axis) > MAX_MONTHS:
        raise UserFacingError(f"时间段最长 {MAX_MONTHS} 个月", message_en=f"At most {MAX_MONTHS} months",
                               field="first_month")
    return axis


def _month_bounds(month: str) -> tuple[str, str]:
    y, m = int(month[:4]), int(month[5:7])
    first = dt.date(y, m, 1)
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return first.isoformat(), (nxt - dt.timedelta(days=1)).isoformat()


def monthly_counts(ws: Workspace, module: str, months: list[str], through: str | None = None) -> Series:
    """Records of `module` per month by its date-role field; `through` (ISO date) ends the last
    month early (today: records dated later this month — appointments — are not work done yet)."""
    spec = ws.module(module)
    pts = []
    for month in months:
        lo, hi = _month_bounds(month)
        if through is not None and month == months[-1]:
            hi = min(hi, through)
        pts.append(Count(month, month, ws.store.records.count(module, date_from=lo, date_to=hi)))
    return Series(module, spec.label.zh, tuple(pts))


def category_counts(ws: Workspace, module: str, field_name: str) -> Series:
    """Records of `module` per choice of `field_name` (choices with no record left out)."""
    spec = ws.module(module)
    f = spec.field(field_name)
    pts = [Count(c.value, c.label.zh, ws.store.records.count(module, where={field_name: c.value})) for c in f.choices]
    return Series(f"{module}.{field_name}", f"{spec.label.zh}·{f.label.zh}", tuple(p for p in pts if p.count))


def village_codes(ws: Workspace) -> list[tuple[str, str]]:
    """(code, name) of every village in module 5, by code."""
    out = []
    for rec in ws.store.records.rows(ws.store.records.ids("villages", order_by="code")):
        if rec.data.get("code"):
            out.append((str(rec.data["code"]), str(rec.data.get("name") or rec.data["code"])))
    return out


def grid_codes(ws: Workspace) -> list[tuple[str, str]]:
    """(grid code, "village · grid") of every grid the village records list, by village code."""
    out = []
    for rec in ws.store.records.rows(ws.store.records.ids("villages", order_by="code")):
        village = str(rec.data.get("name") or rec.data.get("code") or "")
        for g in rec.data.get("grids") or ():
            code = str((g or {}).get("grid_code") or "")
            if code:
                out.append((code, f"{village} · {code}"))
    return out


def area_counts(ws: Workspace, module: str, areas: list[tuple[str, str]], area: str,
                date_from: str | None = None, date_to: str | None = None) -> Series:
    """Records of `module` per village or per grid (`area`), in the period."""
    if area == "village":
        return village_counts(ws, module, areas, date_from, date_to)
    spec = ws.module(module)
    pts = tuple(Count(code, name, ws.store.records.count(module, grid=code, date_from=date_from, date_to=date_to))
                for code, name in areas)
    return Series(module, spec.label.zh, pts)


def village_counts(ws: Workspace, module: str, villages: list[tuple[str, str]],
                   date_from: str | None = None, date_to: str | None = None) -> Series:
    spec = ws.module(module)
    pts = tuple(Count(code, name, ws.store.records.count(module, village=code, date_from=date_from, date_to=date_to))
                for code, name in villages)
    return Series(module, spec.label.zh, pts)


def _pending_sync(ws: Workspace) -> tuple[int, bool]:
    outbox = getattr(ws.store, "outbox", None)
    count = getattr(outbox, "count", None)
    if count is None:
        return 0, False
    return int(count()), True


def dashboard(ws: Workspace, today: dt.date | None = None, *, months: int = 12, first_month: str | None = None,
              last_month: str | None = None, area: str = "village", lang: str = "zh",
              now: dt.datetime | None = None) -> Dashboard:
    """Everything the dashboard shows, for the modules the user's role may see. `area`:
    "village" or "grid"; `now` dates the backup reminder (default: the clock)."""
    today = today or dt.date.today()
    if area not in ("village", "grid"):
        raise UserFacingError("统计范围只能是村或网格", message_en="Area is village or grid", field="area")
    visible = {m.id for m in ws.visible_modules()}
    axis = window(today, months, first_month, last_month)
    partial = today.isoformat() if axis[-1] == f"{today.year:04d}-{today.month:02d}" else None
    lo, hi = _month_bounds(axis[0])[0], partial or _month_bounds(axis[-1])[1]
    areas = [] if "villages" not in visible else village_codes(ws) if area == "village" else grid_codes(ws)
    trend_modules = [m for m in TREND_MODULES if m in visible]
    notes: list[str] = []

    overdue_n, overdue_by_village, overdue_list = 0, [], []
    if "key_persons" in visible:
        report = followups.followup_report(ws, today, lang)
        overdue_n = report.overdue_count
        overdue_by_village = [Count(v, v, n) for v, n in sorted(report.overdue_by_village().items(), key=lambda x: -x[1])]
        overdue_list = report.overdue[:20]

    open_levels: list[Count] = []
    if "events" in visible:
        level = ws.catalog["events"].field("level")
        for c in level.choices:
            n = sum(ws.store.records.count("events", where={"level": c.value, "status": s}) for s in ("reported", "handling"))
            open_levels.append(Count(c.value, c.label.zh, n))

    tasks: list[Count] = []
    if "tasks" in visible:
        status = ws.catalog["tasks"].field("status")
        tasks = [Count(c.value, c.label.zh, ws.store.records.count("tasks", where={"status": c.value})) for c in status.choices]

    pending, known = _pending_sync(ws)
    if not known:
        notes.append("待同步数量不可用（本机数据库未提供发件箱计数）")
    return Dashboard(
        today=today.isoformat(),
        months=axis,
        modules=[Count(m.id, m.label.zh, ws.store.records.count(m.id)) for m in ws.visible_modules()],
        trends=[monthly_counts(ws, m, axis, partial) for m in trend_modules],
        categories=[category_counts(ws, m, f) for m, f in CATEGORY_FIELDS if m in visible],
        villages=[area_counts(ws, m, areas, area, lo, hi) for m in trend_modules],
        overdue_followups=overdue_n,
        overdue_by_village=overdue_by_village,
        overdue_list=overdue_list,
        open_events_by_level=open_levels,
        tasks_by_status=tasks,
        pending_sync=pending,
        pending_sync_known=known,
        notes=notes,
        partial_through=partial,
        area=area,
        last_backup=backup_service.last_backup(ws) if backup_service.may_back_up(ws) else None,
        backup_reminder=backup_service.reminder(ws, now),
    )


def title_of(ws: Workspace, uuid: str) -> str:
    """A record's title for a dashboard link (no view audit: the dashboard is not a viewing)."""
    return rsvc.title(ws, rsvc.get(ws, uuid, audit=False))
