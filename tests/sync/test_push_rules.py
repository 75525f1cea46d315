"""A device pushes its own edits, one version per field, in protocol version 1 (issue 12).

Before: one laptop pushed 1,000 changes x 16 fields x 60 forged concurrent versions; the server
worked 21 s on it and every laptop of the village then pulled 16,000 conflicts. And
``"protocol": true`` was taken for version 1 (in Python ``True == 1``).
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from sync import merge as m
from sync.hlc import HLC
from sync.protocol import Change, PushBatch, batch_key
from sync.server.app import create_app
from sync.server.storage import Storage

from .helpers import enrolled

NODE = "00000000000000d1"
OTHER = "00000000000000d2"
TOKEN = "d" * 43
R1 = "11111111-1111-4111-8111-111111111111"
T0 = 1_700_000_000_000


def stamp(ms: int, node: str = NODE, counter: int = 0) -> str:
    return f"{ms:012x}{counter:04x}{node}"


@pytest.fixture
def api(tmp_path):
    storage = Storage(f"sqlite:///{tmp_path / 'server.db'}")
    _, code = storage.create_enrollment("laptop", ["v1"])
    client = TestClient(create_app(storage))
    assert client.post("/v1/enroll", json={"code": code, "node": NODE, "token": TOKEN}).is_success
    client.headers["Authorization"] = f"Bearer {TOKEN}"
    yield client, storage
    storage.close()


def _push(client, changes, protocol=1, device=NODE):
    body = {"protocol": protocol, "batch": "batchkey01", "device": device, "changes": changes}
    return client.post("/v1/push", content=json.dumps(body), headers={"Content-Type": "application/json"})


def _change(**fields):
    return {"uuid": R1, "module": "residents",
            "fields": {"_scope": [{"v": "v1", "h": stamp(T0)}], **fields}}


def test_forged_concurrent_versions_are_refused_naming_the_field(api, tmp_path):
    client, storage = api
    forged = [{"v": f"1380000{k:04d}", "h": stamp(T0 + 1, NODE if k == 0 else f"{k:016x}")} for k in range(60)]
    r = _push(client, [_change(name=[{"v": "张三", "h": stamp(T0)}], phone=forged)])
    assert r.status_code == 422 and r.json()["error"] == "bad_payload" and r.json()["change"] == 0
    assert r.json()["message"] == ("change.fields.phone: a push carries one version per field "
                                   "(the device's own latest edit), not 60")
    assert storage.all_records() == {}
    # So the village's other laptops have nothing to pull, and no conflict to show.
    _, code = storage.create_enrollment("colleague", ["v1"])
    other = TestClient(create_app(storage))
    assert other.post("/v1/enroll", json={"code": code, "node": OTHER, "token": "o" * 43}).is_success
    assert other.get("/v1/pull", headers={"Authorization": "Bearer " + "o" * 43}).json()["changes"] == []


def test_a_version_stamped_by_another_device_is_refused(api):
    client, storage = api
    r = _push(client, [_change(phone=[{"v": "139", "h": stamp(T0 + 1, OTHER)}])])
    assert r.status_code == 422 and r.json()["change"] == 0
    assert r.json()["message"] == (f"change.fields.phone: version stamped by device {OTHER}, "
                                   f"not by the pushing device {NODE}")
    assert storage.all_records() == {}


def test_a_device_cannot_push_in_another_devices_name(api):
    client, _ = api
    delta = m.edit(None, R1, "residents", {"name": "x"}, stamp(T0, OTHER), scope="v1")
    r = _push(client, [delta.to_json()], device=OTHER)
    assert r.status_code == 403 and r.json()["error"] == "wrong_device"


def test_a_forged_entry_in_an_outbox_is_set_aside_and_the_rest_arrives(server, tmp_path):
    cli, rep = enrolled(server, tmp_path, "a", ["v1"], NODE)
    rep.edit("00000000-0000-4000-8000-000000000000", "residents", {"name": "张三"}, scope="v1")
    # What a tampered laptop database might hold: an edit in a colleague's name.
    forged = m.edit(None, R1, "residents", {"name": "假"}, stamp(T0, OTHER), scope="v1")
    rep.db.execute("INSERT INTO outbox (uuid, change) VALUES (?, ?)", (R1, json.dumps(forged.to_json())))
    rep.edit("00000000-0000-4000-8000-000000000001", "residents", {"name": "李四"}, scope="v1")
    report = cli.sync(rep)
    assert [r for _, r in report.rejected] == [
        f"change.fields.name: version stamped by device {OTHER}, not by the pushing device {NODE}"]
    assert sorted(server.storage.all_records()) == ["00000000-0000-4000-8000-000000000000",
                                                    "00000000-0000-4000-8000-000000000001"]


def test_honest_edits_deletes_restores_and_resolutions_are_all_one_version_of_ones_own():
    # The shapes the real clients push (sync.merge's deltas, and stamped_delta as FieldKit's
    # store builds them) pass the push rules, even on a state holding a conflict.
    mine, theirs = HLC(NODE), HLC(OTHER)
    base = m.edit(None, R1, "residents", {"phone": "1"}, mine.now(), scope="v1")
    state = m.merge_all([base, m.edit(base, R1, "residents", {"phone": "2"}, theirs.now()),
                         m.edit(base, R1, "residents", {"phone": "3"}, mine.now())])
    assert len(state.fields["phone"]) == 2  # a conflict the officer sees
    deltas = [m.edit(state, R1, "residents", {"name": "张三"}, mine.now(), author="lin"),
              m.resolve(state, "phone", "2", mine.now()), m.delete(state, mine.now()),
              m.restore(state, mine.now()),
              m.stamped_delta(state, R1, "residents", {"phone": ("4", mine.now()), "_deleted": (False, mine.now())})]
    body = {"protocol": 1, "batch": batch_key(NODE, [1]), "device": NODE, "changes": [d.to_json() for d in deltas]}
    assert PushBatch.from_json(body).changes == tuple(Change.from_json(d.to_json()) for d in deltas)


@pytest.mark.parametrize("protocol", [True, 1.0, "1", 2, None])
def test_the_protocol_version_must_be_the_integer_1(api, protocol):
    client, storage = api
    delta = m.edit(None, R1, "residents", {"name": "x"}, stamp(T0), scope="v1")
    r = _push(client, [delta.to_json()], protocol=protocol)
    assert r.status_code == 422 and r.json()["message"] == "push.protocol: this server speaks version 1"
    assert "change" not in r.json() and storage.all_records() == {}
    assert _push(client, [delta.to_json()]).status_code == 200
