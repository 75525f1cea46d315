"""What sync brings passes the door too: it names who made each change, a malformed value from
the platform is held aside (never shown, never a crash), and one bad outbox entry never blocks
the rest."""

from __future__ import annotations

import json

from fieldkit.cli import main
from fieldkit.domain.errors import ExitCode
from fieldkit.services import door
from fieldkit.services import records as rsvc
from fieldkit.services import sync_service as sync
from sync.protocol import Change, Version
from tests.services.test_sync_service import PASS, VILLAGE, both_sync, resident


def _stamp(ws, ms_ahead: int = 1000) -> str:
    """A stamp from the platform (another node) a little after now."""
    import time

    return f"{int(time.time() * 1000) + ms_ahead:012x}0000{'e' * 16}"


def test_history_on_the_other_laptop_names_the_person_and_the_time(pair):
    a, b = pair
    rec = rsvc.save(a, "residents", resident("张三", 1))
    both_sync(a, b)
    rsvc.save(a, "residents", {**rsvc.get(a, rec.uuid).data, "phone": "13800000001"}, uuid=rec.uuid)
    edit = next(h for h in rsvc.history(a, rec.uuid) if h.field == "phone")
    both_sync(a, b)
    got = next(h for h in rsvc.history(b, rec.uuid) if h.field == "phone")
    assert (got.op, got.by, got.new) == ("sync", "lin", "13800000001")
    assert got.at[:19] == edit.at[:19]  # when lin made it, not when wang's laptop heard of it
    assert rsvc.get(b, rec.uuid).updated_by == "lin"
    created = rsvc.history(b, rec.uuid)[0]
    assert (created.op, created.by) == ("sync", "lin")


def test_a_malformed_value_from_the_platform_is_held_aside_and_the_record_still_works(pair, capsys, monkeypatch):
    a, _b = pair
    rec = rsvc.save(a, "residents", resident("张三", 1))
    sync.sync_now(a)
    # The platform serves a name that is an object and a phone that is not a phone.
    bad = Change(rec.uuid, "residents", {
        "name": (Version(_stamp(a), {"given": "三", "family": "张"}, author="platform"),),
        "phone": (Version(_stamp(a, 2000), 12345, author="platform"),),
        "occupation": (Version(_stamp(a, 3000), "教师", author="platform"),),
    })
    replica = sync.FieldKitReplica(a)
    replica.apply_remote([bad], cursor=a.store.settings.get(sync.CURSOR_KEY) or "")
    shown = rsvc.get(a, rec.uuid).data
    assert shown["name"] == "张三" and shown.get("phone") is None and shown["occupation"] == "教师"
    held = {c.field: c for c in sync.conflicts(a) if c.kind == "invalid"}
    assert set(held) == {"name", "phone"} and "应为文字" in held["name"].reason
    assert held["name"].others[0].value == {"given": "三", "family": "张"}
    # The officer keeps working on the record: an edit saves, and "keep mine" settles the held value.
    door.save(a, "residents", {"occupation": "退休教师"}, rec.uuid, partial=True)
    sync.keep(a, rec.uuid, "name", "mine")
    assert "name" not in {c.field for c in sync.conflicts(a) if c.kind == "invalid"}
    # The CLI lists what is held, with the reason, and `records edit` works (no exit 70).
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS)
    home = str(a.home)
    a.lock()
    assert main(["--home", home, "conflicts", "list"]) == 0
    listed = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [c["field"] for c in listed] == ["phone"] and "电话" in listed[0]["reason"]
    assert main(["--home", home, "records", "edit", rec.uuid, "--set", "phone=13905931234"]) == 0


def test_one_entry_that_cannot_be_sent_is_set_aside_and_the_rest_syncs(pair, capsys, monkeypatch):
    a, b = pair
    good = rsvc.save(a, "residents", resident("张三", 1))
    with a.store._raw() as conn:  # a row queued by an older FieldKit that let a bad uuid in
        conn.execute("INSERT INTO outbox(uuid, module, op, fields, schema_version, at) VALUES"
                     " ('../../etc/passwd', 'residents', 'create', ?, 7, '2026-11-01T00:00:00.000Z')",
                     (json.dumps({"name": ["x", _stamp(a)]}),))
    later = rsvc.save(a, "residents", resident("李四", 2))
    result = sync.sync_now(a)
    assert result.report.pushed == 2 and len(result.report.rejected) == 1
    sync.sync_now(b)
    assert {rsvc.get(b, u).data["name"] for u in (good.uuid, later.uuid)} == {"张三", "李四"}
    st = sync.status(a)
    assert st.pending == 0 and st.rejected == 1
    [why] = sync.rejected(a)
    assert why.uuid == "../../etc/passwd" and "uuid" in why.message_en
    again = sync.sync_now(a)  # and the next round is clean
    assert again.report.rejected == [] and sync.status(a).last_error is None
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS)
    home = str(a.home)
    a.lock()
    assert main(["--home", home, "sync", "--status"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out.splitlines()[0])["rejected"] == 1


def test_the_same_person_registered_on_two_laptops_is_merged_once_and_everywhere(pair):
    """Offline, two officers register the same man; after sync each laptop shows two records
    with one ID number. New entries of that number are refused, and the chief merges them: one
    person, every reference moved, both histories kept, and the other laptop follows."""
    a, b = pair
    first = rsvc.save(a, "residents", resident("张三", 1))
    second = rsvc.save(b, "residents", resident("张三", 1, phone="13905931234"))
    car = rsvc.save(b, "vehicles", {"plate_type": "02", "plate": "闽J12345", "vehicle_type": "car",
                                    "owner": second.uuid, "village": VILLAGE})
    both_sync(a, b, rounds=2)
    assert len(a.store.search.exact("id", first.data["id_number"])) == 2
    check = rsvc.check(a, "residents", resident("张三", 1))
    assert {r.uuid for r in check.existing} == {first.uuid, second.uuid} and not check.ok
    kept = door.merge(a, second.uuid, into=first.uuid)
    assert kept.data["phone"] == "13905931234"  # the duplicate filled what the kept record lacked
    assert [h.uuid for h in a.store.search.exact("id", first.data["id_number"])] == [first.uuid]
    assert rsvc.get(a, car.uuid).data["owner"] == first.uuid
    lines = rsvc.history(a, first.uuid)
    assert {c.record for c in lines} == {None, second.uuid}
    both_sync(a, b, rounds=2)
    assert b.store.records.get(second.uuid) is None
    assert rsvc.get(b, car.uuid).data["owner"] == first.uuid
    assert rsvc.get(b, first.uuid).data["phone"] == "13905931234"


def test_only_the_chief_merges(pair, tmp_path):
    from fieldkit.domain.errors import PermissionDenied
    from fieldkit.services import workspace as wsvc

    a, _b = pair
    one = rsvc.save(a, "residents", resident("张三", 1))
    two = rsvc.save(a, "residents", resident("李四", 2))
    wsvc.add_user(a, "gw", "grid_worker", "grid worker passphrase 7")
    gw = wsvc.unlock(a.home, "gw", "grid worker passphrase 7")
    try:
        import pytest

        with pytest.raises(PermissionDenied):
            door.merge(gw, two.uuid, into=one.uuid)
    finally:
        gw.lock()
