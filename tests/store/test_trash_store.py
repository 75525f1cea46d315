"""A tombstone keeps who deleted it, when and why, in either database (restricted or not)."""

from __future__ import annotations

from fieldkit.store import Store
from fieldkit.store.routed import BASE

from .conftest import PASS, person_terms


def test_reasons_of_a_batch_over_both_databases_are_kept_per_record(home):
    store, _code = Store.create(home, user="chief", passphrase=PASS)
    with store:
        kp = store.records.create("key_persons", {"name": "李重点"}, terms=person_terms("李重点", "k1"))
        res = store.records.create("residents", {"name": "王普通"}, terms=person_terms("王普通", "r1"))
        plain = store.records.create("residents", {"name": "张无因"}, terms=person_terms("张无因", "r2"))
        store.records.delete_many([kp.uuid, res.uuid], reasons=["已列管结束", "重复登记"])
        store.records.delete(plain.uuid)
        rows = {r.uuid: r.id for r in store.records.get_many([kp.uuid, res.uuid, plain.uuid])}
        assert rows[kp.uuid] >= BASE > rows[res.uuid]  # one in each database
        gone = store.records.deletions(list(rows.values()))
        assert {u: (gone[i][1], gone[i][2]) for u, i in rows.items()} == {
            kp.uuid: ("chief", "已列管结束"), res.uuid: ("chief", "重复登记"), plain.uuid: ("chief", None)}
        assert [c.new for c in store.records.history(res.uuid) if c.op == "delete"] == ["重复登记"]
        store.records.restore(res.uuid)
        store.records.delete(res.uuid, reason="确认迁出")
        assert store.records.deletions([rows[res.uuid]])[rows[res.uuid]][2] == "确认迁出"  # the latest delete
