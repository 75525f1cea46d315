"""Take the demo township away again ("示范数据以后可以整体删除"): `fieldkit demo --remove` and
the app's 删除示范数据 button.

Which records are the demo's: `services.demo.generate` lists the uuid of every record it wrote
in the store setting ``demo_records`` (the marker). A demo record is deleted only while it is
still as the demo wrote it; one the officer edited (any later change or workflow step) stays,
and so does every demo record a kept record still points at — a person a real visit names, the
address a kept person lives at, the village a typed record belongs to — so nothing left behind
dangles. Records the officer typed are never in the list, so they always stay.

A demo generated before the marker existed (``demo_seed`` set, no ``demo_records``) cannot be
told apart from typed records safely: removal is refused with words saying so (docs/user-guide.md).

Every delete passes the door (`door.submit`, source "demo", permission `delete` per module) in
one transaction with one summary audit entry ``demo_removed``: a cancel or a refusal leaves the
store as it was. Threading: the workspace's thread; `progress(done, total)`, `cancel()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fieldkit.domain.errors import Cancelled, UserFacingError
from fieldkit.formspec.model import FieldType
from fieldkit.services import door
from fieldkit.services.batch import gc_paused
from fieldkit.services.demo import DEMO_RECORDS, marked
from fieldkit.services.demo_data import STATION, STATION_CODE
from fieldkit.services.workspace import Workspace

CHUNK = 500
REASON = "删除示范数据"  # what the trash shows beside each removed demo record


@dataclass
class DemoRemoval:
    """What `remove` did (or, with `dry_run`, would do): deleted and kept counts per module."""

    deleted: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)  # demo records kept (edited or still pointed at)

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def has_demo(ws: Workspace) -> bool:
    """True when this store holds (or held) the demo township and it has not been removed."""
    return ws.store.settings.get("demo_seed") is not None


def remove(ws: Workspace, *, dry_run: bool = False, progress: Callable[[int, int], None] | None = None,
           cancel: Callable[[], bool] | None = None) -> DemoRemoval:
    """Delete the demo township's untouched records through the door (see the module doc)."""
    if not has_demo(ws):
        raise UserFacingError("这个数据库里没有示范数据", message_en="This store holds no demo data", code="no_demo")
    uuids = marked(ws.store.settings.get(DEMO_RECORDS))
    if uuids is None:
        raise UserFacingError(
            "这份示范数据是旧版本生成的，没有记下哪些记录是示范的，无法和您录入的记录安全地区分，所以不删除。"
            "如要去掉，请新建一个数据库，再把自己录入的记录导出、导入过去。",
            message_en="This demo was made by an older version that did not mark its records, so they cannot be "
                       "told apart from yours safely and are not removed. Start a new store and move your own "
                       "records across by export and import.", code="demo_unmarked")
    doomed, kept = _plan(ws, uuids, progress, cancel)
    out = DemoRemoval(_count(doomed.values()), _count(kept))
    if dry_run or not doomed:
        if not dry_run:
            _forget(ws)
        return out
    requests = [door.Request("delete", uuid=u, reason=REASON) for u in doomed]
    with gc_paused(), ws.store.transaction():
        batch = door.submit(ws, requests, source="demo", audit=("demo_removed", {
            "deleted": out.total, "kept": sum(out.kept.values()), "by_module": out.deleted}),
            progress=progress, cancel=cancel)
        if batch.refused:
            error = batch.refused[0].error
            raise error if error is not None else UserFacingError("删除示范数据被拒绝", message_en="Refused")
        _forget(ws)
    return out


def _plan(ws: Workspace, marked: set[str], progress, cancel) -> tuple[dict[str, str], list[str]]:
    """(uuid → module of the records to delete, modules of the demo records kept)."""
    live = []
    for module in ws.store.records.modules():
        ids = ws.store.records.ids(module)
        for start in range(0, len(ids), CHUNK):
            if cancel is not None and cancel():
                raise Cancelled()
            live += ws.store.records.rows(ids[start:start + CHUNK])
    doomed = {r.uuid: r.module for r in live if r.uuid in marked and not _edited(r)}
    kept = [r.module for r in live if r.uuid in marked and r.uuid not in doomed]
    # Who points at each candidate (uuid refs), and the village codes that are candidates.
    pointed: dict[str, set[str]] = {}
    for i, uid in enumerate(doomed):
        if i % CHUNK == 0:
            if cancel is not None and cancel():
                raise Cancelled()
            if progress is not None:
                progress(i, len(doomed))
        pointed[uid] = {r.uuid for r in ws.store.records.referencing(uid)}
    village_uuid = {str(r.data.get("code")): r.uuid for r in live if r.module == "villages" and r.uuid in doomed}
    villages_of = {r.uuid: _villages(ws, r) for r in live}
    # Keep whatever a kept record needs, until nothing more is needed (a kept visit keeps its
    # person, who keeps their address, which keeps its village).
    changed = True
    while changed:
        changed = False
        for uid in list(doomed):
            if any(p not in doomed for p in pointed.get(uid, ())):
                kept.append(doomed.pop(uid))
                changed = True
        needed = {code for r in live if r.uuid not in doomed for code in villages_of[r.uuid]}
        for code in needed:
            uid = village_uuid.get(code, "")
            if uid in doomed:
                kept.append(doomed.pop(uid))
                changed = True
    return doomed, kept


def _edited(rec: Any) -> bool:
    # The demo writes each record once, every field under one stamp; any later change (an edit,
    # a workflow step) bumps some field's stamp and the record's updated time.
    return rec.updated_at != rec.created_at or len(set(rec.versions.values())) > 1


def _villages(ws: Workspace, rec: Any) -> set[str]:
    spec = ws.catalog.get(rec.module)
    if spec is None:
        return set()
    return {str(rec.data[f.name]) for f in spec.fields if f.type is FieldType.VILLAGE and rec.data.get(f.name)}


def _count(modules: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for m in modules:
        out[m] = out.get(m, 0) + 1
    return out


def _forget(ws: Workspace) -> None:
    """Drop the demo's marks and the demo station's name (a real station's own name stays)."""
    settings = ws.store.settings
    for key in ("demo_seed", DEMO_RECORDS):
        settings.delete(key)
    for key, demo_value in (("station_name", STATION), ("station_code", STATION_CODE)):
        if settings.get(key) == demo_value:
            settings.delete(key)
