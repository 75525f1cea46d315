"""Watch list and platform reference data: add, import (CSV, checked row by row), retire with a
reason, list — what `fieldkit-server publish --module watchlist|reference` sends down, checked.

A watch-list entry reaches each laptop in scope as a keyed hash (the laptop never keeps the ID
number, `services.sync_replica._apply_watch`) and alerts when that number is typed or imported.
An entry with a wrong check digit would never match anyone, so it is refused here with the
validator the laptops use. Reference items are checked by the reference form in force.
The ID numbers shown in lists are masked (`fieldkit.domain.masking`); pages and logs name
entries by uuid only.

Threading: any request thread.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from fieldkit.domain.masking import mask_id_number
from fieldkit.domain.validators import check_id_number
from sync import merge as m
from sync.server import activity
from sync.server.console import forms
from sync.server.console.checks import PLATFORM, Publisher, Refused, check_scope, form_checked
from sync.server.storage import Storage, _load_state, records

WATCHLIST = "watchlist"
REFERENCE = "reference"
MODULES = (WATCHLIST, REFERENCE)
MAX_REASON = 200
MAX_IMPORT_ROWS = 20_000  # a county's list is hundreds; more is a wrong file


def _reason(text: Any, what: str = "布控事由", what_en: str = "reason", row: int | None = None) -> str:
    reason = str(text or "").strip()
    if not reason:
        raise Refused(f"{what}：此项为必填项", f"{what_en}: required", field="reason", row=row)
    if len(reason) > MAX_REASON:
        raise Refused(f"{what}：不能超过{MAX_REASON}个字", f"{what_en}: at most {MAX_REASON} characters",
                      field="reason", row=row)
    return reason


def check_watch(values: dict[str, Any], row: int | None = None) -> dict[str, Any]:
    """A watch-list entry's values: ``id_number`` (checked, 15 digits upgraded), ``reason``,
    optional ``source``; `Refused` naming the field."""
    unknown = sorted(set(values) - {"id_number", "reason", "source"})
    if unknown:
        raise Refused(f"布控名单没有字段“{unknown[0]}”", f"the watch list has no field {unknown[0]!r}",
                      field=unknown[0], row=row)
    c = check_id_number(str(values.get("id_number") or "").strip())
    if not c.ok:
        raise Refused(f"公民身份号码：{c.message}", f"citizen ID number: {c.message_en}", field="id_number", row=row)
    out = {"id_number": c.value, "reason": _reason(values.get("reason"), row=row)}
    if values.get("source"):
        out["source"] = str(values["source"]).strip()[:100]
    return out


def check_item(storage: Storage, module: str, values: dict[str, Any], *, row: int | None = None,
               today: dt.date | None = None) -> dict[str, Any]:
    if module == WATCHLIST:
        return check_watch(values, row)
    if module == REFERENCE:
        return form_checked(forms.catalog(storage)[REFERENCE], values, today=today or dt.date.today(), row=row)
    raise Refused(f"不能在这里发布 {module}", f"{module} is not published here", field="module")


def _active_numbers(storage: Storage, scope: str) -> set[str]:
    return {e.id_number for e in entries(storage, WATCHLIST, [scope]) if e.scope == scope}


def add(storage: Storage, module: str, values: dict[str, Any], scope: str, publisher: Publisher = PLATFORM,
        *, uuid: str | None = None) -> str:
    scope = check_scope(scope, publisher)
    checked = check_item(storage, module, values)
    if module == WATCHLIST and uuid is None and checked["id_number"] in _active_numbers(storage, scope):
        raise Refused(f"公民身份号码 {mask_id_number(checked['id_number'])} 已在该范围的布控名单中",
                      "that ID number is already on this scope's watch list", field="id_number")
    if module == WATCHLIST:
        checked.setdefault("source", publisher.display_name)
    return storage.publish(module, checked, scope, uuid)


def retire(storage: Storage, module: str, uuid: str, reason: str, publisher: Publisher = PLATFORM) -> str:
    """Withdraw an entry from every laptop (a tombstone goes down); returns the reason. The
    reason stays with the withdrawn record on the server (``retired_reason``, beside the
    tombstone; laptops drop the entry and never show it) — the audit row keeps no typed words.
    `Refused` when it is not an active entry of ``module`` in the jurisdiction."""
    reason = _reason(reason, "撤销原因", "reason for retiring")
    st = storage.get_record(uuid)
    if st is None or st.module != module or m.is_deleted(st):
        raise Refused("没有这条在用的条目", "no such active entry", field="uuid")
    check_scope(st.scope or "", publisher)
    storage.publish(module, {"retired_reason": reason}, st.scope or "*", uuid, delete=True)
    return reason


@dataclass(frozen=True)
class Entry:
    uuid: str
    module: str
    scope: str
    id_number: str
    masked: str
    title: str  # reason (watch list) or title (reference)
    values: dict[str, Any] = field(repr=False)


def entries(storage: Storage, module: str, scope: Iterable[str]) -> list[Entry]:
    """Active entries of ``module`` in ``scope``, by uuid (stable order for pages)."""
    q = sa.select(records.c.state).where(records.c.module == module, activity.scope_filter(scope)).order_by(records.c.seq)
    out = []
    with storage.engine.connect() as c:
        for row in c.execute(q):
            st = _load_state(row.state)
            if m.is_deleted(st):
                continue
            d = m.current_values(st)
            number = str(d.get("id_number") or "")
            title = str(d.get("reason") if module == WATCHLIST else d.get("title") or d.get("name") or "")
            out.append(Entry(st.uuid, module, st.scope or "", number, mask_id_number(number) if number else "",
                             title, d))
    return out


@dataclass
class ImportReport:
    """One line per CSV row (line numbers as a spreadsheet shows them, header = 1)."""

    ok: list[int] = field(default_factory=list)
    problems: list[tuple[int, str, str, str | None]] = field(default_factory=list)  # line, zh, en, field
    published: list[str] = field(default_factory=list)


def import_csv(storage: Storage, module: str, text: str, scope: str, publisher: Publisher = PLATFORM, *,
               dry_run: bool = False) -> ImportReport:
    """Rows of a CSV (header: field names; for the watch list ``id_number,reason[,source]``).
    Every row is checked first; nothing is published while any row is refused (fix the file and
    import it again), so a half-imported list never goes down."""
    scope = check_scope(scope, publisher)
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    seen = _active_numbers(storage, scope) if module == WATCHLIST else set()
    good: list[dict[str, Any]] = []
    for n, raw in enumerate(reader, start=2):
        if n - 1 > MAX_IMPORT_ROWS:
            report.problems.append((n, f"行数超过{MAX_IMPORT_ROWS}", f"more than {MAX_IMPORT_ROWS} rows", None))
            break
        values = {str(k).strip(): (v or "").strip() for k, v in raw.items() if k is not None and (v or "").strip()}
        try:
            checked = check_item(storage, module, values, row=n)
            if module == WATCHLIST:
                if checked["id_number"] in seen:
                    raise Refused("公民身份号码已在布控名单中（或文件中重复）", "ID number already listed (or repeated)",
                                  field="id_number", row=n)
                seen.add(checked["id_number"])
                checked.setdefault("source", publisher.display_name)
        except Refused as e:
            report.problems.append((n, e.message, e.message_en, e.field))
            continue
        report.ok.append(n)
        good.append(checked)
    if not report.problems and not dry_run:
        report.published = [storage.publish(module, v, scope) for v in good]
    return report
