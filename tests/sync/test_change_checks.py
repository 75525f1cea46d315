"""The checks a pushed change passes, whatever shortcut `Change.from_json` takes for the common
shapes (a canonical uuid matched by pattern, plain values not walked, places in messages
formatted only on a failure): every other form is refused as before, with the same message."""

from __future__ import annotations

import pytest

from sync.protocol import Change, ProtocolError

NODE = "00000000000000d1"
R1 = "1a2b3c4d-1111-4111-8111-11111111abcd"
H = f"{1_700_000_000_000:012x}0000{NODE}"


def _change(uuid: str = R1, **version) -> dict:
    return {"uuid": uuid, "module": "residents",
            "fields": {"_scope": [{"v": "v1", "h": H}], "name": [{"v": "张三", "h": H, **version}]}}


@pytest.mark.parametrize("uuid", [
    R1.upper(), "{" + R1 + "}", R1.replace("-", ""), "urn:uuid:" + R1, R1 + "\n", " " + R1, R1[:-1],
])
def test_a_uuid_not_in_canonical_form_is_refused(uuid):
    with pytest.raises(ProtocolError, match=r"^change\.uuid: not a canonical lower-case UUID"):
        Change.from_json(_change(uuid), pushed_by=NODE)


@pytest.mark.parametrize(("version", "message"), [
    ({"v": "\ud800"}, r"^change\.fields\.name: text holds a lone UTF-16 surrogate"),
    ({"v": [1, float("nan")]}, r"^change\.fields\.name\[1\]: nan is not a finite number"),
    ({"v": {"k": 1.5e400}}, r"^change\.fields\.name\['k'\]: inf is not a finite number"),
    ({"a": ""}, r"^change\.fields\.name\.a: expected a login of 1\.\.64 characters"),
    ({"a": "x" * 65}, r"^change\.fields\.name\.a: expected a login"),
    ({"a": "li\u202esi"}, r"^change\.fields\.name\.a: login holds a control or invisible character \(U\+202E\)"),
    ({"a": 7}, r"^change\.fields\.name\.a: expected a login"),
    ({"h": H.upper()}, r"^change\.fields\.name\.h: expected a 32-character HLC stamp"),
    ({"h": 12}, r"^change\.fields\.name\.h: expected a 32-character HLC stamp"),
    ({"x": 1}, r"^change\.fields\.name: unknown keys \['x'\]"),
])
def test_a_bad_version_is_refused_naming_its_place(version, message):
    with pytest.raises(ProtocolError, match=message):
        Change.from_json(_change(**version), pushed_by=NODE)


@pytest.mark.parametrize("value", ["张三", "plain", 0, -3, True, None, 2.5, [1, "二"], {"a": {"b": None}}])
def test_every_json_value_is_taken_as_it_came(value):
    ch = Change.from_json(_change(v=value), pushed_by=NODE)
    assert ch.fields["name"][0].value == value and ch.scope == "v1" and ch.uuid == R1


def test_unknown_keys_of_a_change_are_refused():
    with pytest.raises(ProtocolError, match=r"^change: unknown keys \['extra'\]"):
        Change.from_json({**_change(), "extra": 1}, pushed_by=NODE)
