"""Task packages from the platform: publish them checked against the tasks form, list who took
and completed them and the points credited (from the task records the laptops synced back).

Before this check `fieldkit-server publish --module tasks` stored whatever JSON it was given: a
`points` of 500, a missing `description` or a `status` no form knows went down to every laptop in
scope, where the task could then never be accepted (the form refuses the record at the accept
step). Now a task is normalised and validated by the tasks form in force (`forms.catalog`), the
workflow's own fields stay the workflow's, the scope lies in the publisher's jurisdiction and
agrees with the task's village, the due date is not past, and named assignees are not officers
the platform knows only from elsewhere.

Threading: any request thread.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from sync import merge as m
from sync.server import activity, replication
from sync.server.console import forms
from sync.server.console.checks import (
    PLATFORM,
    Publisher,
    Refused,
    check_scope,
    form_checked,
    labels,
    scope_village,
)
from sync.server.storage import Storage, _load_state, records

MODULE = "tasks"
_LOGIN = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


def parse_assignees(value: Any) -> list[str]:
    """Logins from "a, b，c" (half- or full-width commas, 、 or spaces), as the laptops read them."""
    text = ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value or "")
    for sep in ("，", "、", ";", "；", " "):
        text = text.replace(sep, ",")
    return list(dict.fromkeys(i.strip() for i in text.split(",") if i.strip()))


def check_task(storage: Storage, values: dict[str, Any], scope: str, publisher: Publisher = PLATFORM, *,
               uuid: str | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """The values to publish, normalised; `Refused` naming the field otherwise."""
    today = today or dt.date.today()
    scope = check_scope(scope, publisher)
    spec = forms.catalog(storage)[MODULE]
    prev = storage.get_record(uuid) if uuid else None
    before = m.current_values(prev) if prev is not None and not m.is_deleted(prev) else {}
    wf = spec.workflow
    owned = set(wf.owns) - set(wf.create_may_set) if wf else set()
    for name in sorted(owned & set(values)):
        default = spec.field(name).default
        if prev is None and values[name] in (None, "", default):
            continue  # the initial state, spelled out
        raise Refused(f"“{spec.field(name).label.zh}”由任务流程填写（接收、完成），平台不能直接设置",
                      f"{spec.field(name).label.en} is set by the task's steps (accept, complete), not by publishing",
                      field=name)
    if "publisher" not in values and "publisher" not in before:
        values = {**values, "publisher": publisher.display_name}
    merged = {**before, **values}
    out = form_checked(spec, merged, today=today, fill_defaults=prev is None)
    village = scope_village(scope)
    if out.get("village") and village and out["village"] != village:
        raise Refused(f"所在村 {out['village']} 与下发范围 {scope} 不一致：任务到不了该村的电脑",
                      f"village {out['village']} disagrees with scope {scope}: the task would not reach it",
                      field="village")
    due = out.get("due_date")
    if due and "due_date" in values and str(due) < today.isoformat():
        raise Refused(f"完成期限 {due} 已经过去", f"due date {due} is in the past", field="due_date")
    _check_assignees(storage, parse_assignees(out.get("assignees")), scope)
    return {k: v for k, v in out.items() if k in values or k not in before or prev is None}


def _check_assignees(storage: Storage, logins: list[str], scope: str) -> None:
    for login in logins:
        if not _LOGIN.match(login):
            raise Refused(f"指派给：“{login[:40]}”不是登录名（字母、数字、._@-）",
                          f"assigned to: {login[:40]!r} is not a login", field="assignees")
    if scope == "*" or not logins:
        return
    with storage.engine.connect() as c:
        for login in logins:
            # Version authors are stored as "a":"<login>" in each record state (sync.protocol).
            mark = f'%"a":"{login}"%'
            seen = sa.select(records.c.uuid).where(records.c.state.like(mark)).limit(1)
            if c.execute(seen).first() is None:
                continue  # a new officer: nothing known against them
            if c.execute(seen.where(activity.scope_filter([scope]))).first() is None:
                raise Refused(f"指派给：{login} 只在其他辖区同步过记录，不在 {scope} 内",
                              f"assigned to: {login} works outside {scope} (all their synced records are elsewhere)",
                              field="assignees")


def publish_task(storage: Storage, values: dict[str, Any], scope: str, publisher: Publisher = PLATFORM, *,
                 uuid: str | None = None, today: dt.date | None = None) -> str:
    if uuid is not None:
        with storage.engine.connect() as c:
            owner = replication.arrived_from(c, uuid)
        if owner is not None:  # each task belongs to the server that published it
            who, who_en = ("上级汇聚平台", "the aggregate (city/province) platform") if owner == "aggregate" else \
                (f"区县平台 {owner.split()[-1]}", f"the platform of {owner}")
            raise Refused(f"该任务由{who}下发，只能在那里修改；本平台可另发新任务",
                          f"this task was published by {who_en} and can be changed only there; publish a new task here",
                          field="uuid")
    checked = check_task(storage, values, scope, publisher, uuid=uuid, today=today)
    return storage.publish(MODULE, checked, scope, uuid)


@dataclass(frozen=True)
class TaskRow:
    uuid: str
    title: str
    kind: str  # label
    status: str  # value
    status_label: str
    scope: str
    village: str
    assignees: tuple[str, ...]
    accepted_by: str
    accepted_at: str
    completed_at: str
    result: str
    points: float
    credited_points: float
    publisher: str
    published_at: str
    due_date: str


@dataclass(frozen=True)
class Credit:
    login: str
    tasks: int
    points: float


def list_tasks(storage: Storage, scope: Iterable[str], *, lang: str = "zh", status: str | None = None) -> list[TaskRow]:
    """Tasks in ``scope`` (a user's jurisdiction), newest published first, withdrawn ones left out."""
    spec = forms.catalog(storage)[MODULE]
    kinds, statuses = labels(spec, "kind", lang), labels(spec, "status", lang)
    q = sa.select(records.c.state).where(records.c.module == MODULE, activity.scope_filter(scope))
    with storage.engine.connect() as c:
        states = [_load_state(r.state) for r in c.execute(q)]
    rows = []
    for st in states:
        if m.is_deleted(st):
            continue
        d = m.current_values(st)
        if status and d.get("status") != status:
            continue
        rows.append(TaskRow(
            uuid=st.uuid, title=str(d.get("title") or ""), kind=kinds.get(str(d.get("kind")), str(d.get("kind") or "")),
            status=str(d.get("status") or ""), status_label=statuses.get(str(d.get("status")), str(d.get("status") or "")),
            scope=st.scope or "", village=str(d.get("village") or ""), assignees=tuple(parse_assignees(d.get("assignees"))),
            accepted_by=str(d.get("accepted_by") or ""), accepted_at=str(d.get("accepted_at") or ""),
            completed_at=str(d.get("completed_at") or ""), result=str(d.get("result") or ""),
            points=_num(d.get("points")), credited_points=_num(d.get("credited_points")),
            publisher=str(d.get("publisher") or ""), published_at=str(d.get("published_at") or ""),
            due_date=str(d.get("due_date") or ""),
        ))
    rows.sort(key=lambda r: r.published_at, reverse=True)
    return rows


def credits(rows: Iterable[TaskRow]) -> list[Credit]:
    """Points credited per login over completed tasks, most first."""
    by: dict[str, list[float]] = {}
    for r in rows:
        if r.status == "completed" and r.accepted_by:
            by.setdefault(r.accepted_by, []).append(r.credited_points)
    return sorted((Credit(k, len(v), sum(v)) for k, v in by.items()), key=lambda c: (-c.points, c.login))


def _num(v: Any) -> float:
    try:
        return float(v or 0)
    except (TypeError, ValueError):
        return 0.0
