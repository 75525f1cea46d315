"""A push is merged before its village's counter row is taken (so writers of one village do not
queue behind each other's merging), then checked under the lock: an edit another device made to
the same record in between must not be lost, and a batch retried meanwhile is answered once."""

from __future__ import annotations

import secrets

from sync import merge as m
from sync.protocol import PushBatch, batch_key
from sync.server.storage import Device, Storage

R1 = "11111111-1111-4111-8111-111111111111"
A, B = "00000000000000a1", "00000000000000b1"
T0 = 1_700_000_000_000


def _device(storage: Storage, name: str, node: str) -> Device:
    _, code = storage.create_enrollment(name, ["v1"])
    return storage.enroll(code, node, secrets.token_urlsafe(32))


def _batch(node: str, key: int, ms: int, values: dict, prev=None) -> PushBatch:
    ch = m.edit(prev, R1, "residents", values, f"{ms:012x}0000{node}", scope="v1/g1")
    return PushBatch(batch_key(node, [key]), node, (ch,))


def test_an_edit_landing_between_the_merge_and_the_lock_is_kept(db_url, monkeypatch):
    storage = Storage(db_url)
    try:
        a, b = _device(storage, "a", A), _device(storage, "b", B)
        first = _batch(A, 1, T0, {"name": "张三", "phone": "13800000000"})
        storage.push(a, first)
        base = storage.get_record(R1)
        plan = Storage._plan
        landed = []

        def plan_then_other_push(self, *args, **kw):
            out = plan(self, *args, **kw)
            if not landed:  # device B's edit commits after A's merge was worked out, before A locks
                landed.append(True)
                self.push(b, _batch(B, 2, T0 + 2, {"phone": "13911111111"}, base))
            return out

        monkeypatch.setattr(Storage, "_plan", plan_then_other_push)
        result = storage.push(a, _batch(A, 3, T0 + 1, {"name": "张三丰"}, base))
        assert result.results == ((True, None),)
        values = m.current_values(storage.get_record(R1), m.DEFAULT_POLICY)
        assert values["name"] == "张三丰" and values["phone"] == "13911111111"
    finally:
        storage.close()


def test_a_batch_retried_while_it_was_being_merged_is_applied_once(db_url, monkeypatch):
    storage = Storage(db_url)
    try:
        a = _device(storage, "a", A)
        batch = _batch(A, 1, T0, {"name": "李四"})
        plan = Storage._plan
        retried = []

        def plan_then_retry(self, *args, **kw):
            out = plan(self, *args, **kw)
            if not retried:  # the client's retry of the same batch wins the race to the lock
                retried.append(None)
                retried[0] = self.push(a, batch)
            return out

        monkeypatch.setattr(Storage, "_plan", plan_then_retry)
        late = storage.push(a, batch)
        assert not retried[0].replayed and late.replayed
        assert late.results == retried[0].results == ((True, None),)
        with storage.engine.connect() as c:
            counter = c.exec_driver_sql("SELECT seq FROM scope_seqs WHERE lane = 'v1'").scalar_one()
        assert counter == 1  # written once: a second write would have taken another number
    finally:
        storage.close()


def test_a_pushed_state_is_stored_and_pulled_as_its_standard_json(db_url):
    """On PostgreSQL the states travel inside one JSON text of rows; what is stored (and spliced
    into pull pages as it is) must still be exactly the state's own compact JSON."""
    from sync.protocol import Change, dump_json, load_json

    storage = Storage(db_url)
    try:
        a = _device(storage, "a", A)
        values = {"quote": 'a "b" \\ c', "lines": "一\n二\t\u2028\u2029\x01", "astral": "😀𝄞",
                  "numbers": [0, -0.0, 2.5, 1e300, 12345678901234567890123], "nested": {"x": {"y": "</script>"}},
                  "empty": "", "nothing": None, "yes": True}
        storage.push(a, _batch(A, 1, T0, values))
        states, _, more = storage.pull(a, None, 10)
        want = storage.get_record(R1)
        assert not more and states == [dump_json(want.to_json())]
        assert Change.from_json(load_json(states[0])) == want
        assert {n: vs[0].value for n, vs in want.fields.items() if not n.startswith("_")} == values
    finally:
        storage.close()
