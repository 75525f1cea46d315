"""Saving records through the forms: validation, history, duplicates, watch list, pages."""

from __future__ import annotations

import pytest

from fieldkit.domain.errors import PermissionDenied, ValidationFailed
from fieldkit.services import pages, records, watchlist
from fieldkit.services import workspace as wsvc

GOOD_ID = "350924199003071236"  # GB 11643 check digit 6


def _village(ws) -> str:
    rec = records.rows(ws, records.list_ids(ws, "villages")[:1])[0]
    return rec.data["code"]


def _person(ws, **over):
    values = {"name": "张伟", "id_number": GOOD_ID, "sex": "男", "birth_date": "1990-03-07",
              "ethnicity": "01", "village": _village(ws), "status": "present", "resident_type": "registered"}
    values.update(over)
    return values


def test_invalid_id_number_is_refused_with_the_field_named(demo_ws):
    with pytest.raises(ValidationFailed) as e:
        records.save(demo_ws, "residents", _person(demo_ws, id_number="350924199003071235"))
    assert e.value.field == "id_number"
    assert "公民身份号码" in e.value.message
    assert records.check(demo_ws, "residents", _person(demo_ws, id_number="350924199003071235")).ok is False


def test_valid_id_accepted_and_history_records_old_and_new(empty_ws):
    ws = empty_ws
    village = records.save(ws, "villages", {"code": "350924201201", "name": "坑底村", "township": "坑底乡",
                                            "kind": "village"})
    rec = records.save(ws, "residents", _person(ws, village=village.data["code"]))
    assert rec.data["id_number"] == GOOD_ID
    records.save(ws, "residents", {**rec.data, "phone": "13905931234"}, uuid=rec.uuid)
    changes = records.history(ws, rec.uuid)
    phone = [c for c in changes if c.field == "phone"]
    assert phone and phone[-1].old is None and phone[-1].new == "13905931234"
    assert phone[-1].by == "chief"


def test_lowercase_x_and_15_digit_numbers_are_normalised(empty_ws):
    ws = empty_ws
    records.save(ws, "villages", {"code": "350924201201", "name": "坑底村", "township": "坑底乡", "kind": "village"})
    rec = records.save(ws, "residents", _person(ws, id_number="11010519491231002x", birth_date="1949-12-31",
                                                village="350924201201", sex="女"))
    assert rec.data["id_number"] == "11010519491231002X"


def test_duplicate_person_warned_by_id_and_by_name_birth_village(demo_ws):
    some = records.rows(demo_ws, records.list_ids(demo_ws, "residents")[:1])[0]
    same_id = records.check(demo_ws, "residents", {**some.data})
    assert some.uuid in [r.uuid for r in same_id.duplicates]
    # Same name, birth date and village but a different (mistyped) ID number: still flagged.
    same_person = records.check(demo_ws, "residents", {**some.data, "id_number": ""})
    assert some.uuid in [r.uuid for r in same_person.duplicates]
    # Editing the record itself is not a duplicate of itself.
    assert records.check(demo_ws, "residents", some.data, uuid=some.uuid).duplicates == []


def test_watch_list_hit_reported_on_check(demo_ws):
    some = records.rows(demo_ws, records.list_ids(demo_ws, "residents")[5:6])[0]
    watchlist.add(demo_ws, some.data["id_number"], "网上在逃人员（测试）")
    result = records.check(demo_ws, "residents", some.data, uuid=some.uuid)
    assert [h.reason for _, h in result.watch_hits] == ["网上在逃人员（测试）"]


def test_delete_is_a_tombstone_with_history(empty_ws):
    ws = empty_ws
    v = records.save(ws, "villages", {"code": "350924201202", "name": "小东村", "township": "坑底乡", "kind": "village"})
    records.delete(ws, v.uuid)
    assert records.list_ids(ws, "villages") == []
    assert ws.store.records.get(v.uuid, include_deleted=True).deleted
    assert [c.op for c in ws.store.records.history(v.uuid)][-1] == "delete"


def test_person_page_shows_household_and_related(demo_ws):
    ids = records.list_ids(demo_ws, "residents")
    head = next(r for r in records.rows(demo_ws, ids[:200]) if r.data.get("is_head") and r.data.get("address"))
    page = pages.person_page(demo_ws, head.uuid)
    assert page.address is not None and page.address.uuid == head.data["address"]
    assert all(m.data.get("household_no") == head.data["household_no"] for m in page.household)
    addr = pages.address_page(demo_ws, head.data["address"])
    assert head.uuid in [r.uuid for r in addr.residents]


def test_grid_worker_does_not_see_station_modules(tmp_path):
    ws, _ = wsvc.create(tmp_path / "s", "chief", "correct horse battery")
    wsvc.add_user(ws, "grid1", "grid_worker", "grid worker pass")
    ws.lock()
    gw = wsvc.unlock(tmp_path / "s", "grid1", "grid worker pass")
    try:
        visible = {m.id for m in gw.visible_modules()}
        assert "residents" in visible and "addresses" in visible
        hidden = [m.id for m in gw.catalog if m.id not in visible]
        assert hidden, "a grid worker should not see every module"
        with pytest.raises(PermissionDenied):
            records.list_ids(gw, hidden[0])
    finally:
        gw.lock()
