"""The figures behind the chief's dashboard: counts and trends by module, category, village and
month; overdue follow-ups; open events by level; tasks; changes waiting for sync.

Plain dataclasses of numbers and labels — the UI charts them, the CLI prints them as JSON. All
counts come from the store's indexed filters (module, village, date, field equality), so the
dashboard costs a few hundred small COUNT queries whatever the size of the store.

`today` is a parameter (the month axis and "overdue" both depend on it). Threading: the
workspace's thread (the UI's database worker); results are immutable-by-convention and safe to
hand to the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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
    villages: list[Series]  # per TREND_MODULES module: count per village (period: the months shown)
    overdue_followups: int
    overdue_by_village: list[Count]
    overdue_list: list[followups.FollowUpItem]  # the most overdue first, at most 20
    open_events_by_level: list[Count]
    tasks_by_status: list[Count]
    pending_sync: int
    pending_sync_known: bool  # False: this store has no outbox count (shown as "—", not 0)
    notes: list[str] = field(default_factory=list)


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


def _month_bounds(month: str) -> tuple[str, str]:
    y, m = int(month[:4]), int(month[5:7])
    first = dt.date(y, m, 1)
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return first.isoformat(), (nxt - dt.timedelta(days=1)).isoformat()


def monthly_counts(ws: Workspace, module: str, months: list[str]) -> Series:
    """Records of `module` per month by its date-role field."""
    spec = ws.module(module)
    pts = []
    for month in months:
        lo, hi = _month_bounds(month)
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


def dashboard(ws: Workspace, today: dt.date | None = None, *, months: int = 12, lang: str = "zh") -> Dashboard:
    """Everything the dashboard shows, for the modules the user's role may see."""
    today = today or dt.date.today()
    visible = {m.id for m in ws.visible_modules()}
    axis = month_axis(today, months)
    lo, hi = _month_bounds(axis[0])[0], _month_bounds(axis[-1])[1]
    villages = village_codes(ws) if "villages" in visible else []
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
        trends=[monthly_counts(ws, m, axis) for m in trend_modules],
        categories=[category_counts(ws, m, f) for m, f in CATEGORY_FIELDS if m in visible],
        villages=[village_counts(ws, m, villages, lo, hi) for m in trend_modules],
        overdue_followups=overdue_n,
        overdue_by_village=overdue_by_village,
        overdue_list=overdue_list,
        open_events_by_level=open_levels,
        tasks_by_status=tasks,
        pending_sync=pending,
        pending_sync_known=known,
        notes=notes,
    )


def title_of(ws: Workspace, uuid: str) -> str:
    """A record's title for a dashboard link (no view audit: the dashboard is not a viewing)."""
    return rsvc.title(ws, rsvc.get(ws, uuid, audit=False))
