"""Figures across stations: record counts by module, by category (a choice field), by village and
by day or week, from the records the laptops synced, within a user's jurisdiction and a period.

A record's time is when it was first written: the earliest stamp among its field versions (the
writer's clock as the HLC adopted it, `sync.hlc`), read in the server's local time zone — the
same for every module, whatever date fields its form has. Withdrawn (deleted) records are not
counted. Platform-published modules (tasks, watch list, reference) count like any other.

Threading: any request thread. Reads every state in scope once per call (a county's year is a
few hundred thousand rows; bench/console_figures_bench.py measures it).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from fieldkit.formspec import FieldType, ModuleSpec
from sync import merge as m
from sync.hlc import Stamp
from sync.protocol import DELETED, SCOPE
from sync.server import activity
from sync.server.console import forms
from sync.server.console.checks import Refused
from sync.server.storage import Storage, _load_state, records

GRAINS = ("day", "week")
MAX_DAYS = 400  # a chart of more days than this is unreadable: pick weeks
WATCHLIST = "watchlist"  # keyed hashes on the laptops: counted, never broken down


@dataclass
class Figures:
    date_from: dt.date
    date_to: dt.date
    grain: str
    total: int = 0
    by_module: list[tuple[str, str, int]] = field(default_factory=list)  # id, label, count
    by_village: list[tuple[str, str, int]] = field(default_factory=list)  # code, name, count
    by_time: list[tuple[str, int]] = field(default_factory=list)  # day or ISO week, count (gaps filled)
    by_category: list[tuple[str, int]] = field(default_factory=list)  # label, count (when a module is chosen)


def period(date_from: str | None, date_to: str | None, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The period asked for (ISO dates; default the last 30 days), `Refused` naming the bad one."""
    today = today or dt.date.today()
    out = []
    for name, text, default in (("date_from", date_from, today - dt.timedelta(days=29)), ("date_to", date_to, today)):
        try:
            out.append(dt.date.fromisoformat(text) if text else default)
        except ValueError:
            raise Refused(f"日期“{str(text)[:20]}”格式不对，应为 2026-11-23", f"date {str(text)[:20]!r}: expected 2026-11-23",
                          field=name) from None
    if out[0] > out[1]:
        raise Refused("开始日期晚于结束日期", "the period starts after it ends", field="date_from")
    return out[0], out[1]


def _first_written(st: m.Change) -> dt.date | None:
    stamps = [v.hlc for name, vs in st.fields.items() if name not in (SCOPE, DELETED) for v in vs]
    if not stamps:
        return None
    return dt.datetime.fromtimestamp(Stamp.decode(min(stamps)).wall_ms / 1000).date()


def _bucket(day: dt.date, grain: str) -> str:
    if grain == "day":
        return day.isoformat()
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def _buckets(a: dt.date, b: dt.date, grain: str) -> list[str]:
    out: list[str] = []
    d = a
    while d <= b:
        k = _bucket(d, grain)
        if not out or out[-1] != k:
            out.append(k)
        d += dt.timedelta(days=1)
    return out


def figures(storage: Storage, scope: Iterable[str], *, date_from: str | None = None, date_to: str | None = None,
            grain: str = "day", module: str | None = None, lang: str = "zh", today: dt.date | None = None) -> Figures:
    a, b = period(date_from, date_to, today)
    if grain not in GRAINS:
        raise Refused("时间粒度应为按日或按周", "grain must be day or week", field="grain")
    if grain == "day" and (b - a).days >= MAX_DAYS:
        raise Refused(f"按日统计最多{MAX_DAYS}天，请改为按周", f"at most {MAX_DAYS} days by day: use weeks", field="grain")
    cat = forms.catalog(storage)
    spec = cat.get(module) if module else None
    if module and spec is None and module != WATCHLIST:
        raise Refused(f"没有模块“{module[:40]}”", f"no module {module[:40]!r}", field="module")
    q = sa.select(records.c.module, records.c.scope, records.c.state).where(activity.scope_filter(scope))
    mods: Counter[str] = Counter()
    villages: Counter[str] = Counter()
    times: Counter[str] = Counter()
    cats: Counter[str] = Counter()
    category = _category_field(spec) if spec is not None else None
    with storage.engine.connect() as c:
        for row in c.execute(q):
            st = _load_state(row.state)
            day = _first_written(st)
            if day is None or not a <= day <= b or m.is_deleted(st):
                continue
            mods[row.module] += 1
            if module and row.module != module:
                continue
            villages[row.scope.partition("/")[0]] += 1
            times[_bucket(day, grain)] += 1
            if category is not None:
                cats[str(m.current_values(st).get(category) or "")] += 1
    out = Figures(a, b, grain, total=sum(mods.values()) if not module else mods[module])
    label = {s.id: s.label.get(lang) for s in cat}
    label[WATCHLIST] = "Watch list" if lang == "en" else "布控名单"
    out.by_module = sorted(((k, label.get(k, k), n) for k, n in mods.items()), key=lambda t: (-t[2], t[0]))
    names = village_names(storage)
    out.by_village = sorted(((k, names.get(k, k if k != "*" else ("All" if lang == "en" else "全部")), n)
                             for k, n in villages.items()), key=lambda t: (-t[2], t[0]))
    out.by_time = [(k, times.get(k, 0)) for k in _buckets(a, b, grain)]
    if category is not None and spec is not None:
        f = spec.field(category)
        none = "(blank)" if lang == "en" else "（未填）"
        out.by_category = sorted(((f.choice_label(k, lang) if k else none, n) for k, n in cats.items()),
                                 key=lambda t: (-t[1], t[0]))
    return out


def _category_field(spec: ModuleSpec) -> str | None:
    """The module's category: its first single-choice field that is not the workflow's state
    (events: 事件类型; tasks: 任务类型)."""
    state = spec.workflow.state if spec.workflow else None
    for f in spec.fields:
        if f.type is FieldType.CHOICE and f.name != state:
            return str(f.name)
    return None


def village_names(storage: Storage) -> dict[str, str]:
    """Village code → name from the villages register the stations synced (module 5)."""
    q = sa.select(records.c.state).where(records.c.module == "villages")
    out: dict[str, str] = {}
    with storage.engine.connect() as c:
        for row in c.execute(q):
            d = m.current_values(_load_state(row.state))
            if d.get("code") and d.get("name"):
                out[str(d["code"])] = str(d["name"])
    return out
