"""Delete with a reason, the trash (回收站), undelete: what a station chief sees."""

from __future__ import annotations

import pytest

from fieldkit.domain.errors import PermissionDenied, UserFacingError
from fieldkit.services import records, search, trash
from fieldkit.services import sync_service as sync
from fieldkit.services import workspace as wsvc
from tests.services.test_sync_service import both_sync, resident


def _pointed_at(ws):
    """A demo resident that other records point at, and those records."""
    for rec in records.rows(ws, records.list_ids(ws, "residents")[:300]):
        refs = [r for r in ws.store.records.referencing(rec.uuid) if r.module != "residents"]
        if len(refs) >= 1:
            return rec, refs
    raise AssertionError("the demo township has no resident pointed at")


def test_delete_with_reason_is_audited_and_listed_in_the_trash_then_restored(demo_ws):
    ws = demo_ws
    person, refs = _pointed_at(ws)
    number = person.data["id_number"]
    trash.delete(ws, [person.uuid], "  重复登记，\n已合并 ")
    assert person.uuid not in [r.uuid for r in records.rows(ws, records.list_ids(ws, "residents"))]
    assert search.search(ws, number) == []
    [entry] = [e for e in ws.store.audit.entries(limit=20, target=person.uuid) if e.action == "delete"]
    assert entry.detail == {"reason": "重复登记， 已合并"} and entry.user == "chief"
    [item] = [i for i in trash.trash(ws, "residents") if i.uuid == person.uuid]
    assert (item.by, item.reason, item.module_label) == ("陈所长", "重复登记， 已合并", "实有人口")
    assert item.title == records.title(ws, person) and item.at and item.may_restore
    assert all(i.module == "residents" for i in trash.trash(ws, "residents"))

    trash.restore(ws, person.uuid)
    assert person.uuid in [r.uuid for r in records.rows(ws, records.list_ids(ws, "residents"))]
    assert person.uuid in [h.record.uuid for h in search.search(ws, number)]
    assert person.uuid not in [i.uuid for i in trash.trash(ws)]
    # Records that pointed at the person still do, and show the person's name again.
    assert {r.uuid for r in refs} <= {r.uuid for r in ws.store.records.referencing(person.uuid)}
    assert [c.op for c in records.history(ws, person.uuid)][-2:] == ["delete", "restore"]


def test_a_restored_visit_points_at_its_address_again(demo_ws):
    ws = demo_ws
    visit = records.rows(ws, records.list_ids(ws, "visits")[:1])[0]
    address = visit.data["address"]
    trash.delete(ws, [visit.uuid], "录错了")
    assert visit.uuid not in [r.uuid for r in ws.store.records.referencing(address)]
    trash.restore(ws, visit.uuid)
    assert visit.uuid in [r.uuid for r in ws.store.records.referencing(address)]


def test_deleting_a_person_others_point_at_names_them(demo_ws):
    person, refs = _pointed_at(demo_ws)
    pointers = trash.pointing_at(demo_ws, [person.uuid])
    assert {r.uuid for r in refs} <= {r.uuid for r in pointers.records}
    n = len(pointers.records)
    assert pointers.summary.startswith(f"{n} 条记录指向此人：")
    labels = {demo_ws.catalog[r.module].label.zh for r in pointers.records}
    assert all(f"{label} " in pointers.summary for label in labels)
    assert len(pointers.lines) == n and all("：" in line for line in pointers.lines)
    en = trash.pointing_at(demo_ws, [person.uuid], "en")
    assert en.summary.startswith(f"{n} record") and "point at this person" in en.summary


def test_records_deleted_together_do_not_count_as_pointing(demo_ws):
    person, refs = _pointed_at(demo_ws)
    together = trash.pointing_at(demo_ws, [person.uuid, *[r.uuid for r in refs]])
    assert not {r.uuid for r in refs} & {r.uuid for r in together.records}


def test_a_reason_is_required_and_nothing_is_deleted_without_it(empty_ws):
    v = records.save(empty_ws, "villages", {"code": "350924201202", "name": "小东村", "township": "坑底乡",
                                            "kind": "village"})
    for blank in ("", "   ", None):
        with pytest.raises(UserFacingError) as e:
            trash.delete(empty_ws, [v.uuid], blank)
        assert e.value.field == "reason" and "删除原因" in e.value.message
    assert records.list_ids(empty_ws, "villages") != []


def test_a_batch_with_one_refusal_deletes_nothing(empty_ws):
    v = records.save(empty_ws, "villages", {"code": "350924201202", "name": "小东村", "township": "坑底乡",
                                            "kind": "village"})
    with pytest.raises(UserFacingError):
        trash.delete(empty_ws, [v.uuid, "no-such-record"], "清理")
    assert len(records.list_ids(empty_ws, "villages")) == 1 and trash.trash(empty_ws) == []


def test_grid_worker_may_not_restore_a_register_record(tmp_path):
    ws, _ = wsvc.create(tmp_path / "s", "chief", "correct horse battery", display_name="陈所长")
    wsvc.add_user(ws, "grid1", "grid_worker", "grid worker pass")
    records.save(ws, "villages", {"code": "350924201202", "name": "小东村", "township": "坑底乡", "kind": "village"})
    p = records.save(ws, "residents", {**resident("张三", 1), "village": "350924201202"})
    trash.delete(ws, [p.uuid], "测试")
    ws.lock()
    gw = wsvc.unlock(tmp_path / "s", "grid1", "grid worker pass")
    try:
        [item] = trash.trash(gw, "residents")
        assert item.may_restore is False and item.by == "陈所长"
        with pytest.raises(PermissionDenied):
            trash.restore(gw, p.uuid)
    finally:
        gw.lock()


def test_undelete_on_one_laptop_brings_the_record_back_on_the_other(pair):
    a, b = pair
    rec = records.save(a, "residents", resident("张三", 1))
    both_sync(a, b)
    trash.delete(a, [rec.uuid], "误登记")
    both_sync(a, b)
    assert b.store.records.get(rec.uuid) is None
    [item] = trash.trash(b)
    assert item.uuid == rec.uuid and item.by == "lin"  # pulled: who, not why
    trash.restore(a, rec.uuid)
    assert sync.status(a).pending == 1
    both_sync(a, b)
    assert records.get(b, rec.uuid).data["name"] == "张三"
    assert [h.record.uuid for h in search.search(b, "张三")] == [rec.uuid]
    assert trash.trash(b) == []


def test_the_trash_lists_the_newest_deletes_first_and_at_most_its_limit(empty_ws):
    ws = empty_ws
    made = [records.save(ws, "villages", {"code": f"35092420120{i}", "name": f"村{i}", "township": "坑底乡",
                                          "kind": "village"}) for i in range(4)]
    for i, v in enumerate(made):
        trash.delete(ws, [v.uuid], f"第{i}次清理")
    assert [i.reason for i in trash.trash(ws, limit=2)] == ["第3次清理", "第2次清理"]
    assert len(trash.trash(ws)) == 4


def test_undelete_is_refused_when_the_person_was_entered_again(tmp_path):
    ws, _ = wsvc.create(tmp_path / "s", "chief", "correct horse battery", display_name="陈所长")
    try:
        records.save(ws, "villages", {"code": "350924201202", "name": "小东村", "township": "坑底乡",
                                      "kind": "village"})
        first = records.save(ws, "residents", {**resident("张三", 1), "village": "350924201202"})
        trash.delete(ws, [first.uuid], "录错村")
        again = records.save(ws, "residents", {**resident("张三", 1), "village": "350924201202"})
        with pytest.raises(UserFacingError) as e:
            trash.restore(ws, first.uuid)
        assert "已登记" in e.value.message and again.uuid[:8] in e.value.message
        assert [i.uuid for i in trash.trash(ws)] == [first.uuid]
    finally:
        ws.lock()


def test_removed_demo_records_say_so_in_the_trash(tmp_path):
    from fieldkit.services import demo, demo_remove

    ws, _ = wsvc.create(tmp_path / "s", "chief", "correct horse battery", display_name="陈所长")
    try:
        demo.generate(ws, seed=2, people=30)
        demo_remove.remove(ws, dry_run=False)
        items = trash.trash(ws, "residents")
        assert items and {i.reason for i in items} == {"删除示范数据"}
    finally:
        ws.lock()
