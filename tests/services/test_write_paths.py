"""Every way FieldKit changes a record ends in the door: each path below leaves the change in the
workspace's change log (which only the door writes, after its audit) — so the screens hear it —
and an audit entry. tests/test_architecture.py keeps a new path from writing around it."""

from __future__ import annotations

import csv
import io

import pytest

from fieldkit.services import demo, door, importer
from fieldkit.services import records as rsvc
from fieldkit.services import workspace as wsvc
from fieldkit.services.station import escalation, followups, tasks
from fieldkit.services.station.checkins import check_in
from fieldkit.services.sync_replica import FieldKitReplica
from sync.protocol import Change, Version

VILLAGE = "350924201201"
PERSON = {"name": "张伟", "id_number": "110101199003071233", "sex": "男", "birth_date": "1990-03-07",
          "village": VILLAGE}


@pytest.fixture()
def ws(empty_ws):
    door.save(empty_ws, "villages", {"code": VILLAGE, "name": "坑底村", "township": "坑底乡", "kind": "village"})
    empty_ws.changes.drain()
    return empty_ws


def _heard(ws, uuid: str | None = None, module: str | None = None) -> None:
    changes = ws.changes.drain()
    assert changes, "the change never reached the change log"
    assert (uuid is None or uuid in changes.uuids) and (module is None or module in changes.modules), changes


def _audited(ws, *actions: str) -> None:
    seen = {e.action for e in ws.store.audit.entries(limit=50)}
    assert set(actions) <= seen, seen


def test_form_saves_edits_deletes_and_restores(ws):
    rec = rsvc.save(ws, "residents", PERSON)
    _heard(ws, rec.uuid)
    rsvc.save(ws, "residents", {**rec.data, "phone": "13905931234"}, rec.uuid)
    _heard(ws, rec.uuid)
    rsvc.delete(ws, rec.uuid)
    _heard(ws, rec.uuid)
    door.restore(ws, rec.uuid)
    _heard(ws, rec.uuid)
    _audited(ws, "create", "update", "delete", "restore")


def test_an_import(ws, tmp_path):
    path = tmp_path / "p.csv"
    buf = io.StringIO()
    csv.writer(buf).writerows([list(PERSON), list(PERSON.values())])
    path.write_text(buf.getvalue(), encoding="utf-8")
    importer.import_csv(ws, "residents", path)
    _heard(ws, module="residents")
    _audited(ws, "import")


def test_workflow_steps_of_tasks_and_events(ws):
    task = tasks.publish_task(ws, title="核查", description="核查出租屋", points=2)
    _heard(ws, task.uuid)
    tasks.accept_task(ws, task.uuid)
    tasks.complete_task(ws, task.uuid, "已核查")
    _heard(ws, task.uuid)
    event = rsvc.save(ws, "events", {"found_at": "2026-11-20T09:30", "category": "fire_hazard", "title": "柴堆",
                                     "description": "村口柴堆紧挨电线", "village": VILLAGE, "reporter": "李网格"})
    escalation.escalate(ws, event.uuid, "village", "报村警务室")
    _heard(ws, event.uuid)
    _audited(ws, "step")


def test_a_follow_up_and_a_check_in(ws):
    person = rsvc.save(ws, "residents", PERSON)
    kp = rsvc.save(ws, "key_persons", {"person": person.uuid, "category": "released_prisoner", "risk_level": "high",
                                       "interval_days": 7, "listed_date": "2026-01-05", "village": VILLAGE,
                                       "officer": "陈所长"})
    ws.changes.drain()
    followups.record_followup(ws, kp.uuid, date="2026-11-20", method="visit", condition="stable")
    _heard(ws, kp.uuid)
    got = check_in(ws, village=VILLAGE, work="visit")
    _heard(ws, got.record.uuid)


def test_demo_data(empty_ws):
    demo.generate(empty_ws, seed=3, people=30)
    _heard(empty_ws, module="residents")
    _audited(empty_ws, "demo")


def test_demo_data_never_goes_beside_real_records(ws):
    from fieldkit.domain.errors import Conflict

    with pytest.raises(Conflict) as e:
        demo.generate(ws, seed=3, people=30)
    assert "空的数据库" in e.value.message


def test_a_sync_pull_and_a_merge(ws):
    first = rsvc.save(ws, "residents", PERSON)
    ws.changes.drain()
    twin = "0e0e0e0e-0000-4000-8000-0000000000ab"
    stamp = f"{int(max(first.versions.values())[:12], 16) + 1000:012x}0000{'e' * 16}"
    pulled = Change(twin, "residents", {k: (Version(stamp, v, author="wang"),) for k, v in PERSON.items()}
                    | {"_scope": (Version(stamp, VILLAGE),)})
    FieldKitReplica(ws).apply_remote([pulled], cursor="c1")
    _heard(ws, twin)
    door.merge(ws, twin, into=first.uuid)
    _heard(ws, twin)
    _audited(ws, "merge")


def test_a_new_workspace_starts_with_nothing_to_broadcast(tmp_path):
    w, _ = wsvc.create(tmp_path / "s", "chief", "correct horse battery")
    try:
        assert not w.changes.drain()
    finally:
        w.lock()
