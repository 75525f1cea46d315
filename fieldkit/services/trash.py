"""Deleting with a reason, the trash (回收站) and undeleting.

A delete is a tombstone (`store.records.delete`): the record keeps its data and history and
leaves lists and search. Every delete and restore here passes the door (`services.door`), so
permissions (the module's `delete`, which also allows undeleting), the audit (with the reason)
and sync (a restore is pushed as an edit of ``_deleted``) are the same as everywhere else.

The reason is kept in the delete's history line and in the audit log of this laptop; a delete
pulled from another laptop shows who deleted it and when, without its reason.

Threading: the workspace's thread only (see services.workspace).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fieldkit.domain.errors import ValidationFailed
from fieldkit.formspec import FieldIssue
from fieldkit.services import door
from fieldkit.services import records as rec_service
from fieldkit.services.permissions import may
from fieldkit.services.workspace import Workspace

REASON_MAX = 200  # characters: a short note, not a report
LIMIT = 500  # tombstones listed at most: a demo removal leaves tens of thousands
CLI_REASON = "命令行删除"  # what `records delete` records when no --reason is given


@dataclass(frozen=True)
class TrashItem:
    """One tombstone as the trash lists it. `at` is ISO-8601 UTC; `by` the deleter's name."""

    uuid: str
    module: str
    module_label: str
    title: str
    by: str
    at: str
    reason: str
    may_restore: bool


@dataclass(frozen=True)
class Pointers:
    """Live records (outside the ones being deleted) that point at the records being deleted."""

    records: tuple[Any, ...]
    lines: tuple[str, ...]  # one per record: "走访记录：2026-11-02 走访 张伟"
    summary: str  # "3 条记录指向此人：走访记录 2 条、出租房屋 1 条"

    def __bool__(self) -> bool:
        return bool(self.records)


def check_reason(reason: str | None) -> str:
    """The reason as stored; refused (field `reason`) when blank or longer than REASON_MAX."""
    text = " ".join((reason or "").split())
    if not text:
        raise ValidationFailed([FieldIssue("reason", "删除原因", "Reason", "请填写删除原因",
                                           "please give a reason for deleting")], code="reason_required")
    if len(text) > REASON_MAX:
        raise ValidationFailed([FieldIssue("reason", "删除原因", "Reason", f"太长（最多 {REASON_MAX} 个字）",
                                           f"too long (at most {REASON_MAX} characters)")], code="reason_too_long")
    return text


def delete(ws: Workspace, uuids: Sequence[str], reason: str | None) -> list[Any]:
    """Delete these records with one reason, all or none (the first refusal is raised)."""
    why = check_reason(reason)
    with ws.store.transaction():
        batch = door.submit(ws, [door.Request("delete", uuid=u, reason=why) for u in dict.fromkeys(uuids)])
        for o in batch.outcomes:
            if o.error is not None:
                raise o.error
    return [o.record for o in batch.outcomes]


def restore(ws: Workspace, uuid: str) -> Any:
    """Undelete: the record comes back with its data and what it points at (its index terms);
    records that pointed at it never stopped pointing. Syncs as an edit."""
    return door.restore(ws, uuid)


def pointing_at(ws: Workspace, uuids: Sequence[str], lang: str = "zh") -> Pointers:
    """What a delete of `uuids` (people, addresses) would leave pointing at a deleted record."""
    gone = set(uuids)
    found: dict[str, Any] = {}
    for u in uuids:
        for r in ws.store.records.referencing(u):
            if r.uuid not in gone and r.module in ws.catalog:
                found.setdefault(r.uuid, r)
    recs = tuple(found.values())
    if not recs:
        return Pointers((), (), "")
    en = lang == "en"
    per: dict[str, int] = {}
    for r in recs:
        per[r.module] = per.get(r.module, 0) + 1
    label = {m: ws.catalog[m].label.get(lang) for m in per}
    targets = [ws.store.records.get(u) for u in uuids]
    hubs = {getattr(ws.catalog.get(t.module), "hub", None) for t in targets if t is not None}
    if en:
        whom = "this person" if hubs == {"person"} else "this address" if hubs == {"address"} else "these records"
        parts = ", ".join(f"{label[m]} {n}" for m, n in per.items())
        summary = f"{len(recs)} record{'s' if len(recs) != 1 else ''} point at {whom}: {parts}"
    else:
        whom = "此人" if hubs == {"person"} else "此地址" if hubs == {"address"} else "这些记录"
        summary = f"{len(recs)} 条记录指向{whom}：" + "、".join(f"{label[m]} {n} 条" for m, n in per.items())
    sep = ": " if en else "："
    lines = tuple(f"{label[r.module]}{sep}{rec_service.title(ws, r, lang)}" for r in recs)
    return Pointers(recs, lines, summary)


def trash(ws: Workspace, module: str | None = None, *, lang: str = "zh", limit: int = LIMIT) -> list[TrashItem]:
    """Tombstones of the modules this user may view (or of `module`), newest delete first, at
    most `limit`. Records merged into another are left out: they live on in the record they joined."""
    modules = [ws.module(module)] if module else ws.visible_modules()
    names = {u.login: (u.display_name or u.login) for u in ws.store.users()}
    items: list[TrashItem] = []
    for spec in modules:
        # A tombstone's updated_at is its delete (or the pulled delete's) time: newest first.
        ids = ws.store.records.ids(spec.id, deleted=True, order_by="updated_at", desc=True)[:limit]
        if not ids:
            continue
        gone = ws.store.records.deletions(ids)
        restorable = may(ws, "delete", spec.id)
        for rec in ws.store.records.rows(ids):
            if rec.data.get(door.MERGED_INTO):
                continue
            at, by, reason = gone.get(rec.id, (rec.updated_at, rec.updated_by, None))
            items.append(TrashItem(rec.uuid, spec.id, spec.label.get(lang), rec_service.title(ws, rec, lang),
                                   names.get(by, by), at, reason or "", restorable))
    items.sort(key=lambda i: i.at, reverse=True)
    return items[:limit]
