"""What the sync adapter relies on: remote states stored without echoing them to the outbox,
history of merged changes, the clock moving past merged stamps, rejected outbox entries."""

from __future__ import annotations

import time

from fieldkit.store import IndexTerms, Store

from .conftest import person_terms


def _stamp(wall_ms: int, node: str = "bbbbbbbbbbbbbbbb") -> str:
    """An HLC stamp from another device (see sync.hlc for the encoding)."""
    return f"{wall_ms:012x}0000{node}"


def _soon(ms: int) -> str:
    return _stamp(int(time.time() * 1000) + ms)


def test_a_new_remote_record_is_stored_searchable_and_not_sent_back(store: Store) -> None:
    s = _soon(60_000)  # from a device whose clock runs a minute ahead of ours
    rec = store.records.apply_remote("r-1", "people", {"name": "何静"}, {"name": s},
                                     terms=person_terms("何静", "110101199003070215"), sync_state={"live": 1})
    assert store.records.get("r-1").data == {"name": "何静"} and rec.created_by == "sync"
    assert [h.uuid for h in store.search.exact("name", "何静")] == ["r-1"]
    assert store.outbox.count() == 0
    assert store.records.sync_state("r-1") == {"live": 1}
    # A local edit made now is stamped after the merged one, although our clock is behind.
    local = store.records.update("r-1", {"name": "何静怡"})
    assert local.versions["name"] > s


def test_a_merged_update_records_history_and_keeps_filters(store: Store) -> None:
    rec = store.records.create("people", {"name": "秦岚", "phone": "1"},
                               terms=IndexTerms([("name", "秦岚")], village="V05"))
    later = _soon(1000)
    store.records.apply_remote(rec.uuid, "people", {"name": "秦岚", "phone": "2"},
                               {**rec.versions, "phone": later}, by="sync:officer2")
    got = store.records.get(rec.uuid)
    assert got.data["phone"] == "2" and got.versions["phone"] == later and got.village == "V05"
    last = store.records.history(rec.uuid)[-1]
    assert (last.op, last.field, last.old, last.new, last.by) == ("sync", "phone", "1", "2", "sync:officer2")
    assert store.outbox.count() == 1  # only the local create


def test_a_remote_delete_and_restore(store: Store) -> None:
    rec = store.records.create("people", {"name": "贺敏"}, terms=IndexTerms([("name", "贺敏")]))
    store.records.apply_remote(rec.uuid, "people", rec.data, {**rec.versions, "_deleted": _soon(10)},
                               deleted=True)
    assert store.records.get(rec.uuid) is None and store.search.exact("name", "贺敏") == []
    store.records.apply_remote(rec.uuid, "people", rec.data, rec.versions, deleted=False,
                               terms=IndexTerms([("name", "贺敏")]))
    assert [h.uuid for h in store.search.exact("name", "贺敏")] == [rec.uuid]
    assert [c.op for c in store.records.history(rec.uuid)] == ["create", "delete", "restore"]


def test_rejected_changes_leave_the_queue_but_stay_visible(store: Store) -> None:
    a = store.records.create("people", {"name": "甲"}).uuid
    store.records.create("people", {"name": "乙"})
    first = store.outbox.pending()[0]
    store.outbox.reject(first.seq, "模块只读 / read-only module")
    assert [i.uuid for i in store.outbox.pending()] != [a] and store.outbox.count() == 1
    (item, reason), = store.outbox.rejected()
    assert item.uuid == a and reason.startswith("模块只读")
