"""Records: history old → new, tombstones, per-field versions, outbox atomicity, lists, search."""

from __future__ import annotations

import pytest

from fieldkit.domain.errors import Conflict, NotFound
from fieldkit.store import IndexTerms, Store

from .conftest import person_terms


def _person(store: Store, name: str, idno: str, **kw) -> str:
    return store.records.create("people", {"name": name, "id_number": idno},
                                terms=person_terms(name, idno, **kw)).uuid


def test_update_records_who_changed_which_field_from_what_to_what(store: Store) -> None:
    uid = _person(store, "张伟", "110101199003070011")
    store.records.update(uid, {"name": "张伟", "phone": "13800138000"}, terms=None)
    store.records.update(uid, {"phone": "13900139000"})
    h = store.records.history(uid)
    assert [(c.op, c.field, c.old, c.new, c.by) for c in h] == [
        ("create", None, None, None, "chief"),
        ("update", "phone", None, "13800138000", "chief"),
        ("update", "phone", "13800138000", "13900139000", "chief"),
    ]
    assert h[0].at <= h[1].at <= h[2].at


def test_only_changed_fields_get_a_new_version(store: Store) -> None:
    uid = _person(store, "王芳", "110101199003070038")
    first = store.records.get(uid).versions
    assert set(first) == {"name", "id_number"} and len(set(first.values())) == 1
    rec = store.records.update(uid, {"name": "王芳芳", "id_number": "110101199003070038"})
    assert rec.versions["name"] > first["name"]
    assert rec.versions["id_number"] == first["id_number"]
    assert store.records.get(uid).versions == rec.versions


def test_delete_is_a_tombstone_that_leaves_lists_and_search(store: Store) -> None:
    uid = _person(store, "李娜", "110101199003070054", initials="ln")
    keep = _person(store, "李娜", "110101199003070070", initials="ln")
    assert len(store.search.exact("name", "李娜")) == 2
    gone = store.records.delete(uid)
    assert gone.deleted and "_deleted" in gone.versions
    assert store.records.get(uid) is None
    assert store.records.get(uid, include_deleted=True).data["name"] == "李娜"
    assert [h.uuid for h in store.search.exact("name", "李娜")] == [keep]
    assert [h.uuid for h in store.search.prefix("py", "l")] == [keep]
    assert store.records.ids("people") == [store.records.get(keep).id]
    assert store.records.count("people") == 1
    assert store.records.history(uid)[-1].op == "delete"
    with pytest.raises(NotFound):
        store.records.update(uid, {"name": "x"})
    with pytest.raises(NotFound):
        store.records.delete(uid)


def test_delete_many_tombstones_each_like_delete(store: Store) -> None:
    uids = [_person(store, "周强", f"11010119900307{n:04d}") for n in (11, 38, 54)]
    keep = _person(store, "周强", "110101199003070070")
    pending = len(store.outbox.pending())
    gone = store.records.delete_many(uids[:2] + uids[2:])
    assert [r.uuid for r in gone] == uids and all(r.deleted for r in gone)
    assert [h.uuid for h in store.search.exact("name", "周强")] == [keep]
    assert all(store.records.history(u)[-1].op == "delete" for u in uids)
    assert len(store.outbox.pending()) == pending + 3  # each deletion syncs
    with pytest.raises(NotFound):  # all or nothing: one already gone refuses the batch
        store.records.delete_many([keep, uids[0]])
    assert store.records.get(keep) is not None


def test_every_change_has_an_outbox_row_with_values_and_stamps(store: Store) -> None:
    uid = _person(store, "赵磊", "110101199003070097")
    rec = store.records.update(uid, {"name": "赵磊磊"})
    store.records.delete(uid)
    items = store.outbox.pending()
    assert [(i.op, i.uuid, i.module) for i in items] == [
        ("create", uid, "people"), ("update", uid, "people"), ("delete", uid, "people")]
    assert items[0].fields["name"][0] == "赵磊"
    assert items[1].fields == {"name": ["赵磊磊", rec.versions["name"]]}
    assert items[2].fields["_deleted"][0] is True
    assert all(i.schema_version == store.schema_version for i in items)
    assert store.outbox.ack([items[0].seq, items[1].seq]) == 2
    assert [i.op for i in store.outbox.pending()] == ["delete"]


def test_a_rolled_back_transaction_leaves_no_record_history_or_outbox_row(store: Store) -> None:
    uid = _person(store, "孙丽", "110101199003070110")
    before = (store.outbox.count(), len(store.records.history(uid)))
    with pytest.raises(RuntimeError), store.transaction():
        store.records.update(uid, {"name": "孙丽丽"})
        new = store.records.create("people", {"name": "周杰"}, terms=person_terms("周杰", "1"))
        store.audit.log("update", module="people", target=uid)
        raise RuntimeError("user pressed cancel half way")
    assert store.records.get(uid).data["name"] == "孙丽"
    assert store.records.get(new.uuid, include_deleted=True) is None
    assert (store.outbox.count(), len(store.records.history(uid))) == before
    assert store.search.exact("name", "周杰") == [] and store.search.exact("name", "孙丽丽") == []
    assert store.audit.verify().count == 1  # only the creation's "user_add"


def test_nested_transaction_rolls_back_only_the_inner_part(store: Store) -> None:
    with store.transaction():
        a = _person(store, "甲一", "1")
        with pytest.raises(ValueError), store.transaction():
            _person(store, "乙二", "2")
            raise ValueError
    assert store.records.get(a) is not None
    assert store.search.exact("name", "乙二") == []


def test_duplicate_uuid_is_a_conflict(store: Store) -> None:
    rec = store.records.create("people", {"name": "甲"}, uuid="fixed-uuid-1")
    assert rec.uuid == "fixed-uuid-1"
    with pytest.raises(Conflict):
        store.records.create("people", {"name": "乙"}, uuid="fixed-uuid-1")


def test_ids_order_and_filter(store: Store) -> None:
    rows = [("陈一", "V01", "2024-03-01"), ("陈二", "V02", "2024-01-15"), ("陈三", "V01", "2024-02-10")]
    uids = [store.records.create("visits", {"name": n, "score": i}, terms=IndexTerms([], v, "G1", d)).uuid
            for i, (n, v, d) in enumerate(rows)]
    rid = {u: store.records.get(u).id for u in uids}
    assert store.records.ids("visits") == [rid[u] for u in uids]
    assert store.records.ids("visits", order_by="date") == [rid[uids[1]], rid[uids[2]], rid[uids[0]]]
    assert store.records.ids("visits", order_by="date", desc=True) == [rid[uids[0]], rid[uids[2]], rid[uids[1]]]
    assert store.records.ids("visits", order_by="score", desc=True) == [rid[u] for u in reversed(uids)]
    assert store.records.ids("visits", village="V01") == [rid[uids[0]], rid[uids[2]]]
    assert store.records.ids("visits", date_from="2024-02-01", date_to="2024-03-01") == [rid[uids[0]], rid[uids[2]]]
    assert store.records.ids("visits", where={"name": "陈二"}) == [rid[uids[1]]]
    assert store.records.count("visits", village="V01") == 2
    assert store.records.ids("people") == []
    assert [r.uuid for r in store.records.rows([rid[uids[2]], rid[uids[0]]])] == [uids[2], uids[0]]
    assert [r.uuid for r in store.records.get_many([uids[1], "missing", uids[0]])] == [uids[1], uids[0]]
    with pytest.raises(ValueError):
        store.records.ids("visits", order_by="name; DROP TABLE records")


def test_referencing_finds_records_pointing_at_a_person(store: Store) -> None:
    person = _person(store, "刘洋", "110101199003070137")
    visit = store.records.create("visits", {"person": person}, terms=IndexTerms([("ref", person)])).uuid
    store.records.create("visits", {"person": "someone-else"}, terms=IndexTerms([("ref", "someone-else")]))
    assert [r.uuid for r in store.records.referencing(person)] == [visit]
    store.records.delete(visit)
    assert store.records.referencing(person) == []


def test_search_exact_prefix_any_and_module_filter(store: Store) -> None:
    a = _person(store, "张伟", "110101199003070011", initials="zw")
    b = _person(store, "张伟强", "110101199003070038", initials="zwq")
    c = store.records.create("vehicles", {"plate": "闽A12345", "owner_phone": "13800138000"},
                             terms=IndexTerms([("plate", "闽A12345"), ("phone", "13800138000")])).uuid
    s = store.search
    assert [h.uuid for h in s.exact("bi", "张伟")] == [a, b]
    assert [h.uuid for h in s.exact("name", "张伟")] == [a]
    assert [h.uuid for h in s.prefix("py", "zw")] == [a, b]
    assert [h.uuid for h in s.prefix("id", "1101011990030700")] == [a, b]
    assert [h.uuid for h in s.prefix("py", "zw", limit=1)] == [a]
    assert [h.uuid for h in s.any_exact("13800138000", ["id", "phone"])] == [c]
    assert s.exact("bi", "张伟", modules=["vehicles"]) == []
    assert s.exact("bi", "张伟", modules=[]) == []
    assert s.prefix("py", "") == []
    hit = s.exact("plate", "闽A12345")[0]
    assert (hit.module, hit.kind, hit.key) == ("vehicles", "plate", "闽A12345")


def test_updating_terms_replaces_the_old_ones(store: Store) -> None:
    uid = _person(store, "黄敏", "110101199003070153")
    store.records.update(uid, {"name": "黄敏敏"}, terms=person_terms("黄敏敏", "110101199003070153"))
    assert store.search.exact("name", "黄敏") == []
    assert [h.uuid for h in store.search.exact("name", "黄敏敏")] == [uid]


def test_history_of_an_unknown_record_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.records.history("no-such-uuid")


def test_create_many_writes_the_same_rows_as_create(store: Store) -> None:
    recs = store.records.create_many([
        ("people", {"name": "吴昊"}, person_terms("吴昊", "110101199003070172", initials="wh")),
        ("people", {"name": "郑爽"}, person_terms("郑爽", "110101199003070199"), "given-uuid"),
    ])
    assert [r.uuid for r in recs][1] == "given-uuid"
    assert store.records.ids("people") == [r.id for r in recs]
    assert [h.uuid for h in store.search.prefix("py", "wh")] == [recs[0].uuid]
    assert [c.op for c in store.records.history("given-uuid")] == ["create"]
    assert [i.op for i in store.outbox.pending()] == ["create", "create"]
    store.records.update(recs[0].uuid, {"name": "吴昊天"})
    assert store.records.get(recs[0].uuid).versions["name"] > recs[0].versions["name"]


def test_create_many_with_an_existing_uuid_writes_nothing(store: Store) -> None:
    store.records.create("people", {"name": "甲"}, uuid="taken")
    with pytest.raises(Conflict):
        store.records.create_many([("people", {"name": "乙"}, None), ("people", {"name": "丙"}, None, "taken")])
    assert store.records.count("people") == 1 and store.outbox.count() == 1
