"""Strict JSON on the wire: what one laptop pushes, every other peer can read.

A NaN or Infinity pushed by one laptop used to be stored by the server and served back as
non-standard JSON (`NaN`) that other clients could not parse; values nested absurdly deep or
holding text that is not Unicode gave 500s. Now the server refuses them with a 422 naming the
problem, stores nothing, and pull replies are standard JSON, even for rows an older server stored.
"""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sync import merge as m
from sync.hlc import HLC
from sync.protocol import (
    MAX_VALUE_DEPTH,
    Change,
    ProtocolError,
    encode_body,
    load_json,
)
from sync.server.app import create_app
from sync.server.storage import Storage, meta, records

NODE = "00000000000000c1"
R1 = "11111111-1111-4111-8111-111111111111"
STAMP = "018bcfe568000000" + NODE
TOKEN = "s" * 43


def _standard(text: bytes | str):
    """Parse as a strict peer (a browser, Go's encoding/json) would: no NaN, no Infinity."""
    def refuse(name):
        raise ValueError(f"non-standard constant {name}")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def api(tmp_path):
    storage = Storage(f"sqlite:///{tmp_path / 'server.db'}")
    app = create_app(storage)
    _, code = storage.create_enrollment("laptop", ["v1"])
    client = TestClient(app, raise_server_exceptions=False)
    assert client.post("/v1/enroll", json={"code": code, "node": NODE, "token": TOKEN}).is_success
    client.headers.update({"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    yield client, storage
    storage.close()


def _push_body(value_json: str, batch: str = "batchkey01") -> bytes:
    """A push whose one change has a field ``x`` holding ``value_json`` verbatim."""
    x = '[{"v":' + value_json + ',"h":"' + STAMP + '"}]'
    return ('{"protocol":1,"batch":"' + batch + '","device":"' + NODE + '","changes":[{"uuid":"' + R1
            + '","module":"residents","fields":{"_scope":[{"v":"v1","h":"' + STAMP + '"}],"x":' + x + "}}]}").encode()


@pytest.mark.parametrize(("value", "says"), [
    ("NaN", "NaN"),
    ("Infinity", "Infinity"),
    ("-Infinity", "-Infinity"),
    ('{"weight": [1, NaN]}', "NaN"),
    ("1e999", "too large"),  # standard syntax, but a double cannot hold it: it would come back as Infinity
])
def test_a_push_holding_nan_or_infinity_is_refused_and_nothing_is_stored(api, value, says):
    client, storage = api
    r = client.post("/v1/push", content=_push_body(value))
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "bad_payload" and says in r.json()["message"]
    assert storage.all_records() == {}


@pytest.mark.parametrize(("value", "reason", "change"), [
    ("[" * 200 + "]" * 200, rf"^change\.fields\.x(\[0\]){{{MAX_VALUE_DEPTH}}}: nested more than "
     rf"{MAX_VALUE_DEPTH} levels deep$", 0),
    ('"\\ud800 alone"', r"^change\.fields\.x: text holds a lone UTF-16 surrogate", 0),
    # Longer than Python parses as an integer: refused while reading the body, so no change is named.
    ("1" * 5000, r"^body is not JSON", None),
])
def test_values_that_used_to_crash_the_server_are_a_422_with_a_reason(api, value, reason, change):
    client, storage = api
    r = client.post("/v1/push", content=_push_body(value))
    assert r.status_code == 422, r.text
    assert re.search(reason, r.json()["message"]), r.json()["message"]
    assert r.json().get("change") == change  # which change of the batch is at fault, when one is
    assert storage.all_records() == {}


def test_the_refusal_names_the_field_and_the_place_inside_it():
    obj = {"uuid": R1, "module": "residents", "fields": {
        "_scope": [{"v": "v1", "h": STAMP}],
        "members": [{"v": [{"name": "张三"}, {"name": "李四", "weight": float("nan")}], "h": STAMP}]}}
    with pytest.raises(ProtocolError, match=r"change\.fields\.members\[1\]\['weight'\]: nan is not a finite"):
        Change.from_json(obj)


@pytest.mark.parametrize("text", [b"NaN", b"[Infinity]", b'{"a": -Infinity}', b"[1e400]"])
def test_decoding_refuses_what_standard_json_does_not_have(text):
    with pytest.raises(ProtocolError):
        load_json(text)


def test_encoding_refuses_non_finite_numbers_instead_of_writing_nan():
    with pytest.raises(ProtocolError, match="standard JSON"):
        encode_body({"x": float("inf")}, "identity")
    assert encode_body({"x": 1.5, "名": "张三"}, "identity") == '{"x":1.5,"名":"张三"}'.encode()


def test_a_nan_an_older_server_stored_is_repaired_and_pull_is_standard_json(api, tmp_path):
    client, storage = api
    uid = storage.publish("tasks", {"title": "巡逻", "hours": 2.5}, "v1")
    # What an older server left behind: the value stored as NaN, and no record of the repair.
    with storage.engine.begin() as c:
        text = c.execute(sa.select(records.c.state).where(records.c.uuid == uid)).scalar_one()
        c.execute(records.update().where(records.c.uuid == uid).values(state=text.replace("2.5", "NaN")))
        c.execute(meta.delete().where(meta.c.name == "finite_json"))
    storage.close()
    reopened = Storage(storage.url)
    fresh = TestClient(create_app(reopened), raise_server_exceptions=False)
    fresh.headers.update(client.headers)
    pulled = _standard(fresh.get("/v1/pull", headers={"Accept-Encoding": "identity"}).content)
    [state] = pulled["changes"]
    assert m.current_values(Change.from_json(state)) == {"title": "巡逻", "hours": None}
    # A laptop that pulled the NaN before the upgrade ends up with the same state as the server.
    stored = Change.from_stored(json.loads(text.replace("2.5", "NaN")))
    assert m.merge(stored, Change.from_json(state)) == reopened.get_record(uid)
    # And the record can be edited again: its stored state no longer breaks the server.
    edit = m.edit(reopened.get_record(uid), uid, "tasks", {"hours": 3}, HLC(NODE).now())
    body = encode_body({"protocol": 1, "batch": "batchkey02", "device": NODE, "changes": [edit.to_json()]},
                       "identity")
    r = fresh.post("/v1/push", content=body)
    assert r.status_code == 200 and r.json()["results"] == [{"i": 0, "ok": True}]
    reopened.close()
