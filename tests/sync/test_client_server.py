"""Client and server end to end over loopback HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import os

import pytest

from sync import merge as m
from sync.client import AuthFailed
from sync.replica import Replica
from sync.sqlite_replica import SQLiteReplica

from .helpers import enrolled

R1 = "11111111-1111-4111-8111-111111111111"
R2 = "22222222-2222-4222-8222-222222222222"


def test_two_officers_edit_offline_and_converge_with_one_conflict(server, tmp_path):
    a_cli, a = enrolled(server, tmp_path, "officer-a", ["v1"], "00000000000000aa")
    b_cli, b = enrolled(server, tmp_path, "officer-b", ["v1"], "00000000000000bb")
    a.edit(R1, "residents", {"name": "张三", "phone": "111"}, scope="v1")
    a_cli.sync(a)
    b_cli.sync(b)
    assert m.current_values(b.get(R1)) == {"name": "张三", "phone": "111"}
    # Both offline: A changes the phone, B changes the phone and the address.
    a.edit(R1, "residents", {"phone": "222"})
    b.edit(R1, "residents", {"phone": "333", "address": "下村12号"})
    a_cli.sync(a)
    report = b_cli.sync(b)
    a_cli.sync(a)
    assert a.states() == b.states() == server.storage.all_records()
    values = m.current_values(a.get(R1))
    assert values["address"] == "下村12号" and values["phone"] in ("222", "333")
    [c] = a.conflicts()
    assert c.kind == "same_field" and {c.winner.value, *(o.value for o in c.others)} == {"222", "333"}
    assert report.conflicts and report.conflicts[0].field == "phone"
    # A resolves it; after sync nobody sees a conflict any more.
    a.resolve(R1, "phone", "333")
    a_cli.sync(a)
    b_cli.sync(b)
    assert a.conflicts() == b.conflicts() == []
    assert m.current_values(b.get(R1))["phone"] == "333"


def test_replayed_batch_changes_nothing_and_is_answered_from_record(server, tmp_path):
    cli, rep = enrolled(server, tmp_path, "d", ["v1"], "00000000000000d1")
    rep.edit(R1, "residents", {"name": "李四"}, scope="v1")
    entries = rep.pending_changes(10)
    first = cli.push(rep)
    assert first.pushed == 1 and first.replayed_batches == 0
    before = server.storage.all_records()
    # Simulate a lost answer: the same outbox entries are still pending and are pushed again.
    rep.db.execute("UPDATE outbox SET status=0")
    assert [e.id for e in rep.pending_changes(10)] == [e.id for e in entries]
    again = cli.push(rep)
    assert again.replayed_batches == 1 and again.pushed == 1
    assert server.storage.all_records() == before


def test_scope_limits_what_a_device_receives_and_may_write(server, tmp_path):
    a_cli, a = enrolled(server, tmp_path, "a", ["v1"], "00000000000000a1")
    g_cli, g = enrolled(server, tmp_path, "grid", ["v2/g1"], "00000000000000a2")
    a.edit(R1, "residents", {"name": "张三"}, scope="v1")
    a.edit(R2, "residents", {"name": "王五"}, scope="v2/g1")  # outside A's jurisdiction
    rep = a_cli.sync(a)
    assert [reason for _, reason in rep.rejected] == ["out_of_scope"]
    assert [r[1] for r in a.rejected()] == [R2]
    g.edit(R2, "residents", {"name": "王五"}, scope="v2/g1")
    g_cli.sync(g)
    a_cli.sync(a)
    g_cli.sync(g)
    assert set(g.states()) == {R2}  # the grid worker never receives village 1's records
    assert server.storage.get_record(R2) == g.get(R2)
    # Moving a record out of one's own jurisdiction is refused too.
    g.edit(R2, "residents", {"name": "王五"}, scope="v3")
    assert [r for _, r in g_cli.push(g).rejected] == ["out_of_scope"]


def test_watchlist_and_tasks_flow_down_and_watchlist_is_read_only(server, tmp_path):
    cli, rep = enrolled(server, tmp_path, "a", ["v1"], "00000000000000a3")
    wid = server.storage.publish("watchlist", {"id_number": "350102199001011234", "reason": "在逃"}, "*")
    tid = server.storage.publish("tasks", {"title": "寻找走失儿童", "status": "open"}, "v1")
    server.storage.publish("tasks", {"title": "别村任务"}, "v9")
    cli.sync(rep)
    assert set(rep.states()) == {wid, tid}
    rep.edit(tid, "tasks", {"status": "done"})  # completed offline, credited on sync
    rep.edit(wid, "watchlist", {"reason": "改掉"})
    report = cli.sync(rep)
    assert [r for _, r in report.rejected] == ["read_only_module"]
    assert m.current_values(server.storage.get_record(tid))["status"] == "done"
    assert m.current_values(server.storage.get_record(wid))["reason"] == "在逃"


def test_revoked_device_is_refused(server, tmp_path):
    cli, rep = enrolled(server, tmp_path, "lost-laptop", ["v1"], "00000000000000a4")
    assert cli.hello()["name"] == "lost-laptop"
    [dev] = [d for d in server.storage.list_devices() if d["name"] == "lost-laptop"]
    assert server.storage.revoke(dev["id"])
    with pytest.raises(AuthFailed):
        cli.sync(rep)


def test_enrollment_code_is_one_time_but_safe_to_retry(server):
    _, code = server.storage.create_enrollment("x", ["v1"])
    first = server.client()
    token = first.new_token()
    first.enroll(code, "00000000000000a5", token)
    again = server.client()
    again.enroll(code, "00000000000000a5", token)  # the answer was lost; the retry is harmless
    assert again.hello()["name"] == first.hello()["name"] == "x"
    with pytest.raises(AuthFailed):
        server.client().enroll(code, "00000000000000a5")  # same node, another token
    with pytest.raises(AuthFailed):
        server.client().enroll(code, "00000000000000a6")  # someone else with the same code
    with pytest.raises(AuthFailed):
        server.client().enroll("AAAA-BBBB-CCCC-DDDD", "00000000000000a7")


def test_attachments_go_up_after_their_record_resume_and_come_down_verified(server, tmp_path):
    a_cli, a = enrolled(server, tmp_path, "a", ["v1"], "00000000000000b1")
    b_cli, b = enrolled(server, tmp_path, "b", ["v1"], "00000000000000b2")
    photo = os.urandom(700_000)
    sha = hashlib.sha256(photo).hexdigest()
    a.add_attachment(photo, R1)
    a.edit(R1, "id_applications", {"photo": f"sha256:{sha}"}, scope="v1")
    # Half an upload that died on the way: the client resumes from the server's byte count.
    from sync.server import blobs

    dev = server.storage.authenticate(a_cli.token)
    a_cli.push(a)
    blobs.put_chunk(server.storage, dev, sha, R1, 0, len(photo), photo[:100_000])
    report = a_cli.sync(a)
    assert report.uploaded == 1
    rep_b = b_cli.sync(b)
    assert rep_b.downloaded == 1 and b.attachment(sha) == photo


def test_tampered_attachment_is_refused_by_hash(server, tmp_path):
    from sync.server import blobs
    from sync.server.storage import StorageError

    cli, rep = enrolled(server, tmp_path, "a", ["v1"], "00000000000000b3")
    rep.edit(R1, "residents", {"name": "x"}, scope="v1")
    cli.push(rep)
    dev = server.storage.authenticate(cli.token)
    with pytest.raises(StorageError) as err:
        blobs.put_chunk(server.storage, dev, "0" * 64, R1, 0, 5, b"hello")
    assert err.value.code == "hash_mismatch"
    assert blobs.put_chunk(server.storage, dev, hashlib.sha256(b"hello").hexdigest(), R1, 0, 5, b"hello")["complete"]


def test_a_laptop_clock_days_ahead_cannot_win_every_edit(server, tmp_path):
    cli, rep = enrolled(server, tmp_path, "a", ["v1"], "00000000000000b4")
    rep.clock._wall = lambda: 4_000_000_000.0  # year 2096
    rep.edit(R1, "residents", {"name": "未来"}, scope="v1")
    assert [r for _, r in cli.push(rep).rejected] == ["clock_ahead"]
    assert server.storage.get_record(R1) is None


def test_reference_replica_implements_the_protocol_the_app_must_implement(tmp_path):
    assert isinstance(SQLiteReplica(tmp_path / "r.db", "00000000000000b5"), Replica)
