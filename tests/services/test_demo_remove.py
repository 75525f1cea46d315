"""`demo --remove`: the demo township goes, what the officer typed or edited stays, and so does
every demo record a kept record still points at; one audited batch through the door."""

from __future__ import annotations

import pytest

from fieldkit.domain.errors import Cancelled, UserFacingError
from fieldkit.services import demo, demo_remove, door, records
from fieldkit.services import workspace as wsvc

PASS = "correct horse battery"
TYPED_ID = "110101199003071233"


@pytest.fixture()
def demo_store(tmp_path):
    ws, _ = wsvc.create(tmp_path / "s", "chief", PASS, display_name="陈所长")
    demo.generate(ws, seed=5, people=60)
    yield ws
    ws.lock()


def _live(ws, module):
    return records.rows(ws, records.list_ids(ws, module))


def test_remove_keeps_typed_and_edited_records_and_what_they_point_at(demo_store):
    ws = demo_store
    before = sum(records.counts(ws).values())
    address = _live(ws, "addresses")[0]
    village = address.data["village"]
    typed = door.save(ws, "residents", {"name": "李小明", "id_number": TYPED_ID, "sex": "男",
                                        "birth_date": "1990-03-07", "village": village, "address": address.uuid})
    edited = _live(ws, "vehicles")[0]
    door.save(ws, "vehicles", {"notes": "车主已换手机号"}, edited.uuid, partial=True)

    counted = demo_remove.remove(ws, dry_run=True)
    assert sum(records.counts(ws).values()) == before + 1  # a dry run only counts
    result = demo_remove.remove(ws)
    assert result.deleted == counted.deleted and result.total > 100

    assert records.get(ws, typed.uuid).data["name"] == "李小明"
    assert records.get(ws, edited.uuid).data["notes"] == "车主已换手机号"
    assert records.get(ws, address.uuid)  # the typed person lives there
    # Only villages a kept record still names stay (the typed person's, the edited car owner's).
    kept = [r for m in records.counts(ws) if m != "villages" for r in _live(ws, m)]
    codes = {v.data["code"] for v in _live(ws, "villages")}
    assert village in codes and codes == {r.data["village"] for r in kept if r.data.get("village")}
    left = sum(records.counts(ws).values())
    assert left == before + 1 - result.total == 1 + sum(result.kept.values()) and left < 15
    assert records.counts(ws)["visits"] == 0
    audited = [e for e in ws.store.audit.entries(limit=20) if e.action == "demo_removed"]
    assert len(audited) == 1 and audited[0].detail["deleted"] == result.total
    assert ws.store.audit.verify().ok
    assert not demo_remove.has_demo(ws)
    with pytest.raises(UserFacingError) as e:
        demo_remove.remove(ws)
    assert e.value.code == "no_demo"


def test_cancel_leaves_the_demo_in_place(demo_store):
    before = records.counts(demo_store)
    with pytest.raises(Cancelled):
        demo_remove.remove(demo_store, cancel=lambda: True)
    assert records.counts(demo_store) == before and demo_remove.has_demo(demo_store)


def test_an_old_demo_without_the_marker_is_not_guessed_at(demo_store):
    demo_store.store.settings.delete(demo.DEMO_RECORDS)
    with pytest.raises(UserFacingError) as e:
        demo_remove.remove(demo_store)
    assert e.value.code == "demo_unmarked" and "旧版本" in e.value.message


def test_a_demo_marked_by_an_earlier_version_is_still_removed(demo_store):
    """Earlier versions kept the marker as a JSON list of uuids; an officer who updates the app
    and then presses 删除示范数据 gets the same removal as on a new demo."""
    ws = demo_store
    uuids = sorted(demo.marked(ws.store.settings.get(demo.DEMO_RECORDS)))
    assert len(uuids) == sum(records.counts(ws).values())  # the packed marker names every demo record
    ws.store.settings.set(demo.DEMO_RECORDS, uuids)  # as the earlier version stored it
    result = demo_remove.remove(ws)
    assert result.total == len(uuids) and sum(records.counts(ws).values()) == 0
    assert not demo_remove.has_demo(ws)


@pytest.mark.parametrize("value", ["uuid16:not base64!", "uuid16:" + "AAAA" * 3, 42])
def test_a_marker_that_does_not_read_is_not_guessed_at(demo_store, value):
    demo_store.store.settings.set(demo.DEMO_RECORDS, value)
    before = records.counts(demo_store)
    with pytest.raises(UserFacingError) as e:
        demo_remove.remove(demo_store)
    assert e.value.code == "demo_unmarked" and records.counts(demo_store) == before
