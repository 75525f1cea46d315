"""One bad outbox entry never blocks sync: it is set aside with a reason, the rest goes through.

Before, an entry the server's protocol check refused (a record uuid like "../../etc/passwd", a
NaN) made the server answer the whole batch with 422, and every later sync failed the same way,
for good. Transport failures are different: they must leave the outbox exactly as it was.
"""

from __future__ import annotations

import pytest

from sync import client as client_mod
from sync import merge as m
from sync.client import NetworkUnavailable, ServerRejected

from .helpers import enrolled

GOOD = [f"0000000{i}-0000-4000-8000-000000000000" for i in range(6)]
TRAVERSAL = "../../etc/passwd"


def _poison(rep, kind: str) -> int:
    """Queue one edit the protocol cannot carry; returns its outbox id."""
    if kind == "uuid":
        rep.edit(TRAVERSAL, "residents", {"name": "x"}, scope="v1")
    elif kind == "nan":
        rep.edit(GOOD[5], "residents", {"weight": float("nan")}, scope="v1")
    elif kind == "author":
        rep.edit(GOOD[5], "residents", {"name": "x"}, scope="v1", author="lin\n(rm -rf)")
    return rep.pending_changes(100)[-1].id


@pytest.mark.parametrize(("kind", "reason"), [
    ("uuid", "change.uuid: not a canonical lower-case UUID: '../../etc/passwd'"),
    ("nan", "change.fields.weight: nan is not a finite number (JSON has no NaN or Infinity)"),
    ("author", "change.fields.name.a: login holds a control or invisible character (U+000A)"),
])
def test_a_poison_entry_between_good_ones_is_set_aside_and_the_good_ones_arrive(server, tmp_path, kind, reason):
    cli, rep = enrolled(server, tmp_path, "a", ["v1"], "00000000000000c1")
    rep.edit(GOOD[0], "residents", {"name": "张三"}, scope="v1")
    bad = _poison(rep, kind)
    rep.edit(GOOD[1], "residents", {"name": "李四"}, scope="v1")
    report = cli.sync(rep)
    assert report.rejected == [(bad, reason)]
    assert report.pushed == 2
    held = server.storage.all_records()
    assert {m.current_values(held[u])["name"] for u in GOOD[:2]} == {"张三", "李四"}
    assert [(i, r) for i, _uuid, r in rep.rejected()] == [(bad, reason)]
    again = cli.sync(rep)
    assert (again.pushed, again.rejected, rep.pending_count()) == (0, [], 0)


def test_changes_the_server_refuses_are_found_by_halving_and_set_aside_with_its_reason(
        server, tmp_path, monkeypatch):
    # A client whose own check misses what the server refuses (an older client, a newer server).
    monkeypatch.setattr(client_mod, "check_change", lambda change: None)
    cli, rep = enrolled(server, tmp_path, "a", ["v1"], "00000000000000c2", batch_size=50)
    ids = {}
    for i, u in enumerate(GOOD[:5]):
        rep.edit(u, "residents", {"name": f"居民{i}"}, scope="v1")
        if i in (1, 3):
            rep.edit(TRAVERSAL, "residents", {"name": f"坏{i}"}, scope="v1")
            ids[i] = rep.pending_changes(100)[-1].id
    report = cli.sync(rep)
    reason = "change.uuid: not a canonical lower-case UUID: '../../etc/passwd'"
    assert report.rejected == [(ids[1], reason), (ids[3], reason)]
    assert report.pushed == 5
    assert sorted(server.storage.all_records()) == sorted(GOOD[:5])
    assert cli.sync(rep).rejected == [] and rep.pending_count() == 0


def test_a_refusal_of_the_whole_request_sets_nothing_aside(server, tmp_path, monkeypatch):
    cli, rep = enrolled(server, tmp_path, "a", ["v1"], "00000000000000c3")
    rep.edit(GOOD[0], "residents", {"name": "张三"}, scope="v1")
    # A body the server cannot read at all: the fault is not in any one change, so no change
    # may pay for it (think of a server that speaks another protocol version).
    monkeypatch.setattr(client_mod, "encode_body", lambda obj, encoding: b"\x00 not a body")
    with pytest.raises(ServerRejected) as err:
        cli.sync(rep)
    assert err.value.status == 422 and err.value.change is None
    assert rep.rejected() == [] and rep.pending_count() == 1


def test_transport_failures_set_nothing_aside_and_the_push_resumes(server, tmp_path):
    cli, rep = enrolled(server, tmp_path, "a", ["v1"], "00000000000000c4", retries=1, backoff=0.001)
    for i, u in enumerate(GOOD[:3]):
        rep.edit(u, "residents", {"name": f"居民{i}"}, scope="v1")
    def broken(*_a, **_kw):
        raise RuntimeError("database went away")

    server.storage.push = broken  # the server answers 500: transient, whatever the batch holds
    with pytest.raises(NetworkUnavailable):
        cli.sync(rep)
    server.stop()  # and then nobody answers at all
    with pytest.raises(NetworkUnavailable):
        cli.sync(rep)
    assert rep.rejected() == [] and rep.pending_count() == 3
    server.start()
    report = cli.sync(rep)
    assert (report.pushed, report.rejected, rep.pending_count()) == (3, [], 0)
    assert sorted(server.storage.all_records()) == sorted(GOOD[:3])
