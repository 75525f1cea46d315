"""Task packages (任务包): the chief publishes, an officer or grid worker accepts and completes
it — offline — and is credited the task's points.

Tasks are records of module `tasks` (forms/17_tasks.toml), so they travel by sync like any
record and print as a ledger. Lifecycle: 待接收 published → 已接收 accepted → 已完成 completed
(or 已撤销 cancelled by the chief) — the form file's `[workflow]`: who may take each step, its
guards and what it writes are declared there and enforced by the door on every path (an edit
of the record cannot move the status or credit points). A task names its people by login
(`assignees`, comma separated) or is open to everyone — in its village when it has one. One
person takes a task; two devices accepting the same task offline is settled by sync's field
merge (the later stamp wins) and shows in the record's history.

Credits: each completed task credits its `points` to the login that completed it
(`credited_points`, fixed at completion so later edits of `points` do not rewrite the past).

Threading: the workspace's thread. Times are local `YYYY-MM-DDTHH:MM`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from fieldkit.domain.errors import UserFacingError
from fieldkit.services import door
from fieldkit.services import records as rsvc
from fieldkit.services.permissions import require
from fieldkit.services.workspace import Workspace

MODULE = "tasks"


def _now() -> str:
    return dt.datetime.now().strftime("%Y-%m-%dT%H:%M")


def parse_assignees(value: Any) -> list[str]:
    """Logins from "a, b，c" (half- or full-width commas, 、 or spaces) or a list."""
    if not value:
        return []
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        text = str(value)
        for sep in ("，", "、", ";", "；", " "):
            text = text.replace(sep, ",")
        items = text.split(",")
    out: list[str] = []
    for item in (i.strip() for i in items):
        if item and item not in out:
            out.append(item)
    return out


@dataclass(frozen=True)
class TaskView:
    """A task as a list shows it."""

    uuid: str
    title: str
    kind: str  # label
    status: str  # value
    village: str  # name
    assignees: tuple[str, ...]
    accepted_by: str
    points: int
    due_date: str
    published_at: str


@dataclass(frozen=True)
class Credit:
    """Points earned by one login over a period."""

    login: str
    name: str
    tasks: int
    points: int


def _task(ws: Workspace, uuid: str):
    rec = rsvc.get(ws, uuid, audit=False)
    if rec.module != MODULE:
        raise UserFacingError("这条记录不是任务", message_en="That record is not a task", code="wrong_module")
    return rec


def publish_task(
    ws: Workspace,
    *,
    title: str,
    description: str,
    kind: str = "other",
    assignees: list[str] | str | None = None,
    village: str | None = None,
    grid: str | None = None,
    points: int = 1,
    due_date: str | None = None,
    urgency: str = "normal",
    person: str | None = None,
    address: str | None = None,
    at: str | None = None,
):
    """Publish a task (who may: `publish` in forms/permissions.toml). Returns the Record."""
    require(ws, "publish")
    values: dict[str, Any] = {
        "title": title, "description": description, "kind": kind, "urgency": urgency,
        "published_at": at or _now(), "points": points,
        "publisher": ws.user.display_name or ws.user.login,
        "assignees": ", ".join(parse_assignees(assignees)) or None,
        "village": village, "grid": grid, "due_date": due_date, "person": person, "address": address,
    }
    return door.save(ws, MODULE, {k: v for k, v in values.items() if v is not None})


def _may_take(ws: Workspace, data: dict[str, Any]) -> bool:
    names = parse_assignees(data.get("assignees"))
    return not names or ws.user.login in names


def accept_task(ws: Workspace, uuid: str, *, at: str | None = None):
    """The signed-in user takes the task. `Conflict` when someone else already has it,
    `PermissionDenied` when it is assigned to other people."""
    _task(ws, uuid)
    return door.step(ws, uuid, "accept", at=at)


def complete_task(ws: Workspace, uuid: str, result: str, *, at: str | None = None):
    """Mark the task done with what was found; credits its points to whoever accepted it.

    Only the person who accepted it (or the chief, e.g. entering a result phoned in) may."""
    _task(ws, uuid)
    return door.step(ws, uuid, "complete", result=result, at=at)


def cancel_task(ws: Workspace, uuid: str):
    """Withdraw a task that is not completed (chief only)."""
    _task(ws, uuid)
    return door.step(ws, uuid, "cancel")


def _view(ws: Workspace, rec) -> TaskView:
    d = rec.data
    spec = ws.catalog[MODULE]
    return TaskView(
        uuid=rec.uuid, title=str(d.get("title", "")),
        kind=spec.field("kind").choice_label(str(d.get("kind", "")), "zh"),
        status=str(d.get("status", "")),
        village=rsvc.village_name(ws, str(d["village"])) if d.get("village") else "",
        assignees=tuple(parse_assignees(d.get("assignees"))), accepted_by=str(d.get("accepted_by") or ""),
        points=int(d.get("points") or 0), due_date=str(d.get("due_date") or ""),
        published_at=str(d.get("published_at") or ""),
    )


def list_tasks(ws: Workspace, *, status: str | None = None, village: str | None = None) -> list[TaskView]:
    """Tasks newest first, optionally by status and village code (the chief's view)."""
    ws.module(MODULE)
    ids = ws.store.records.ids(MODULE, order_by="date", desc=True, village=village,
                               where={"status": status} if status else None)
    return [_view(ws, r) for r in ws.store.records.rows(ids)]


def my_tasks(ws: Workspace, *, village: str | None = None) -> list[TaskView]:
    """What the signed-in user should see: tasks they accepted and have not finished, then open
    tasks assigned to them or to everyone (those in `village` when given), newest first."""
    ws.module(MODULE)
    login = ws.user.login
    mine: list[TaskView] = []
    open_: list[TaskView] = []
    for status in ("accepted", "published"):
        ids = ws.store.records.ids(MODULE, order_by="date", desc=True, where={"status": status})
        for rec in ws.store.records.rows(ids):
            d = rec.data
            if status == "accepted":
                if d.get("accepted_by") == login:
                    mine.append(_view(ws, rec))
            elif _may_take(ws, d):
                named = login in parse_assignees(d.get("assignees"))
                if named or village is None or not d.get("village") or d.get("village") == village:
                    open_.append(_view(ws, rec))
    return mine + open_


def period_bounds(period: str) -> tuple[str, str]:
    """First and last ISO day of "2026", "2026-11" or an ISO week "2026-W47"."""
    text = period.strip().upper()
    try:
        if re.fullmatch(r"\d{4}", text):
            return f"{text}-01-01", f"{text}-12-31"
        if re.fullmatch(r"\d{4}-\d{2}", text):
            first = dt.date(int(text[:4]), int(text[5:]), 1)
            nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
            return first.isoformat(), (nxt - dt.timedelta(days=1)).isoformat()
        m = re.fullmatch(r"(\d{4})-?W(\d{1,2})", text)
        if m:
            monday = dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
            return monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat()
    except ValueError:
        pass
    raise UserFacingError(f"期间的写法应为 2026、2026-11 或 2026-W47：{period}",
                          message_en=f"Write the period as 2026, 2026-11 or 2026-W47, not {period!r}",
                          field="period", code="bad_period")


def credits(ws: Workspace, date_from: str | None = None, date_to: str | None = None, *,
            period: str | None = None) -> list[Credit]:
    """Points per login for tasks completed between two ISO dates (inclusive) — or in `period`
    ("2026", "2026-11", "2026-W47") — highest first."""
    ws.module(MODULE)
    if period:
        date_from, date_to = period_bounds(period)
    names = {u.login: (u.display_name or u.login) for u in ws.store.users()}
    totals: dict[str, list[int]] = {}
    for rec in ws.store.records.rows(ws.store.records.ids(MODULE, where={"status": "completed"})):
        d = rec.data
        day = str(d.get("completed_at") or "")[:10]
        if (date_from and day < date_from) or (date_to and day > date_to):
            continue
        who = str(d.get("accepted_by") or "")
        t = totals.setdefault(who, [0, 0])
        t[0] += 1
        t[1] += int(d.get("credited_points") or 0)
    out = [Credit(login, names.get(login, login), n, p) for login, (n, p) in totals.items()]
    return sorted(out, key=lambda c: (-c.points, c.login))
