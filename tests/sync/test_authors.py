"""Who made an edit travels with it: a pulled change names its author, not "sync"."""

from __future__ import annotations

import pytest

from sync import merge as m
from sync.hlc import HLC, stamp_time_iso
from sync.protocol import Change, ProtocolError, Version

from .helpers import enrolled

R1 = "11111111-1111-4111-8111-111111111111"
STAMP = "018bcfe568000000" + "00000000000000a1"


def test_author_is_key_a_on_the_wire_and_left_out_when_unknown():
    assert Version(STAMP, "张三", (), "lin").to_json() == {"v": "张三", "h": STAMP, "a": "lin"}
    assert Version(STAMP, "张三").to_json() == {"v": "张三", "h": STAMP}
    assert Version.from_json({"v": "张三", "h": STAMP, "a": "老林"}).author == "老林"
    # A payload from before authors existed is still valid and simply has none.
    assert Version.from_json({"v": "张三", "h": STAMP}) == Version(STAMP, "张三")


@pytest.mark.parametrize("author", ["", "x" * 65, 7, "lin\x00", "lin\r\nX-Admin: 1", "\u202eadmin", "a\u200bb",
                                    "\ud800"])
def test_an_author_that_is_not_a_plain_login_is_refused(author):
    with pytest.raises(ProtocolError, match=r"^v\.a: "):
        Version.from_json({"v": 1, "h": STAMP, "a": author}, "v")


def test_authors_reach_other_devices_through_the_server_unchanged(server, tmp_path):
    a_cli, a = enrolled(server, tmp_path, "a", ["v1"], "00000000000000a1")
    b_cli, b = enrolled(server, tmp_path, "b", ["v1"], "00000000000000b1")
    a.edit(R1, "residents", {"name": "张三", "phone": "111"}, scope="v1", author="lin")
    a_cli.sync(a)
    b_cli.sync(b)
    assert {n: vs[0].author for n, vs in b.get(R1).fields.items()} == {"name": "lin", "phone": "lin", "_scope": "lin"}
    # Concurrent edits by two officers: the conflict says whose value is whose, everywhere.
    a.edit(R1, "residents", {"phone": "222"}, author="lin")
    b.edit(R1, "residents", {"phone": "333"}, author="wang")
    a_cli.sync(a)
    b_cli.sync(b)
    a_cli.sync(a)
    for rep in (a, b):
        [c] = rep.conflicts()
        assert {(v.value, v.author) for v in (c.winner, *c.others)} == {("222", "lin"), ("333", "wang")}
    b.delete(R1, author="wang")
    b_cli.sync(b)
    a_cli.sync(a)
    assert a.get(R1).fields["_deleted"][0].author == "wang"
    assert a.states() == b.states() == server.storage.all_records()


def test_a_state_without_authors_merges_with_one_that_has_them():
    old_peer = Change.from_json({"uuid": R1, "module": "residents", "fields": {
        "name": [{"v": "张三", "h": STAMP}], "_scope": [{"v": "v1", "h": STAMP}]}})
    later = m.edit(old_peer, R1, "residents", {"name": "张叁"}, HLC("00000000000000b1").now(), author="wang")
    merged = m.merge(old_peer, later)
    assert [(v.value, v.author) for v in merged.fields["name"]] == [("张叁", "wang")]
    assert merged.fields["_scope"][0].author == ""


def test_stamp_time_iso_gives_the_edits_wall_clock_in_utc():
    clock = HLC("00000000000000a1", wall=lambda: 1_700_000_000.125)
    first, second = clock.now(), clock.now()  # same millisecond: the counter differs, not the time
    assert stamp_time_iso(first) == stamp_time_iso(second) == "2023-11-14T22:13:20.125Z"
    assert stamp_time_iso(f"{0:012x}0000" + "00000000000000a1") == "1970-01-01T00:00:00.000Z"
    with pytest.raises(ValueError):
        stamp_time_iso("not a stamp")
    with pytest.raises(ValueError):
        stamp_time_iso("0x" + STAMP[2:])
