"""Two FieldKit laptops and a real reference server on loopback: what officers see after sync."""

from __future__ import annotations

import pytest

from fieldkit.domain.errors import AuthError, NetworkError
from fieldkit.services import records as rsvc
from fieldkit.services import sync_service as sync
from fieldkit.services import watchlist as wlsvc
from fieldkit.services import workspace as wsvc
from fieldkit.services.station import tasks as tsvc

PASS = "correct horse battery"
VILLAGE = "350102001001"
OTHER_VILLAGE = "350102009009"


def id_number(seq: int, birth: str = "19900101") -> str:
    body = f"350102{birth}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def resident(name: str, seq: int, **more) -> dict:
    """A resident whose sex and birth date agree with the ID number (the door checks)."""
    return {"name": name, "id_number": id_number(seq), "sex": "男" if seq % 2 else "女", "birth_date": "1990-01-01",
            "village": VILLAGE, **more}


def both_sync(a, b, rounds: int = 1) -> None:
    for _ in range(rounds):
        sync.sync_now(a)
        sync.sync_now(b)


def test_created_on_a_appears_on_b_with_history_and_is_searchable(pair):
    a, b = pair
    rec = rsvc.save(a, "residents", resident("张三", 1))
    assert sync.status(a).pending == 1
    result = sync.sync_now(a)
    assert result.report.pushed == 1 and sync.status(a).pending == 0
    sync.sync_now(b)
    got = rsvc.get(b, rec.uuid)
    assert got.data["name"] == "张三" and got.village == VILLAGE
    assert [h.op for h in rsvc.history(b, rec.uuid)] == ["sync"]
    assert [h.uuid for h in b.store.search.exact("id", id_number(1))] == [rec.uuid]
    st = sync.status(b)
    assert st.enrolled and st.last_sync and st.last_error is None and st.conflicts == 0


def test_different_fields_edited_on_both_laptops_both_kept(pair):
    a, b = pair
    rec = rsvc.save(a, "residents", resident("张三", 1))
    both_sync(a, b)
    rsvc.save(a, "residents", {**rsvc.get(a, rec.uuid).data, "phone": "13800000001"}, uuid=rec.uuid)
    rsvc.save(b, "residents", {**rsvc.get(b, rec.uuid).data, "name": "张叁"}, uuid=rec.uuid)
    both_sync(a, b, rounds=2)
    for ws in (a, b):
        data = rsvc.get(ws, rec.uuid).data
        assert (data["phone"], data["name"]) == ("13800000001", "张叁")
        assert sync.conflicts(ws) == []
    # B's history shows A's change arriving by sync.
    assert any(h.op == "sync" and h.field == "phone" for h in rsvc.history(b, rec.uuid))


def test_same_field_conflict_listed_on_both_resolved_on_one_and_converges(pair):
    a, b = pair
    rec = rsvc.save(a, "residents", resident("张三", 1))
    both_sync(a, b)
    rsvc.save(a, "residents", {**rsvc.get(a, rec.uuid).data, "phone": "13800000001"}, uuid=rec.uuid)
    rsvc.save(b, "residents", {**rsvc.get(b, rec.uuid).data, "phone": "13900000002"}, uuid=rec.uuid)
    sync.sync_now(a)
    result = sync.sync_now(b)
    sync.sync_now(a)
    assert [c.field for c in result.report.conflicts] == ["phone"]
    shown = {rsvc.get(ws, rec.uuid).data["phone"] for ws in (a, b)}
    assert len(shown) == 1  # both laptops show the same provisional winner
    for ws in (a, b):
        [c] = sync.conflicts(ws)
        assert (c.uuid, c.field, c.kind, c.field_label, c.module_label) == (
            rec.uuid, "phone", "same_field", "联系电话", "实有人口")
        assert {c.mine.value, c.theirs.value} == {"13800000001", "13900000002"}
        assert sync.status(ws).conflicts == 1
    [ca] = sync.conflicts(a)
    assert ca.mine.value == "13800000001" and ca.title.startswith("张三")
    # A keeps B's number (theirs); the conflict disappears at once on A, and everywhere after sync.
    sync.keep(a, rec.uuid, "phone", "theirs")
    assert sync.conflicts(a) == [] and rsvc.get(a, rec.uuid).data["phone"] == "13900000002"
    both_sync(a, b)
    for ws in (a, b):
        assert sync.conflicts(ws) == [] and sync.status(ws).conflicts == 0
        assert rsvc.get(ws, rec.uuid).data["phone"] == "13900000002"
    assert any(h.field == "phone" and h.new == "13900000002" and h.op == "update" for h in rsvc.history(a, rec.uuid))


def test_keeping_the_value_already_shown_still_clears_the_conflict(pair):
    a, b = pair
    rec = rsvc.save(a, "residents", resident("张三", 1))
    both_sync(a, b)
    rsvc.save(a, "residents", {**rsvc.get(a, rec.uuid).data, "phone": "13800000001"}, uuid=rec.uuid)
    rsvc.save(b, "residents", {**rsvc.get(b, rec.uuid).data, "phone": "13900000002"}, uuid=rec.uuid)
    both_sync(a, b)
    sync.sync_now(a)
    [c] = sync.conflicts(b)
    sync.resolve_conflict(b, rec.uuid, "phone", c.shown.value)
    both_sync(b, a)
    assert sync.conflicts(a) == sync.conflicts(b) == []
    assert rsvc.get(a, rec.uuid).data["phone"] == rsvc.get(b, rec.uuid).data["phone"] == c.shown.value


def test_edit_against_delete_is_flagged_and_can_be_restored(pair):
    a, b = pair
    rec = rsvc.save(a, "residents", resident("张三", 1))
    both_sync(a, b)
    rsvc.delete(a, rec.uuid)
    rsvc.save(b, "residents", {**rsvc.get(b, rec.uuid).data, "phone": "13800000001"}, uuid=rec.uuid)
    sync.sync_now(a)
    sync.sync_now(b)
    sync.sync_now(a)
    for ws in (a, b):
        assert ws.store.records.get(rec.uuid) is None  # stays deleted, not silently resurrected
        [c] = sync.conflicts(ws)
        assert c.kind == "edit_vs_delete" and c.field == "phone"
        assert [o.value for o in c.others] == ["13800000001"]
    # B (who made the edit) keeps "mine": the record comes back with the edit, everywhere.
    sync.keep(b, rec.uuid, "phone", "mine")
    both_sync(b, a)
    for ws in (a, b):
        assert sync.conflicts(ws) == []
        assert rsvc.get(ws, rec.uuid).data["phone"] == "13800000001"


def test_watch_list_entry_from_platform_alerts_and_is_stored_only_as_keyed_hash(pair, server):
    a, _ = pair
    number = id_number(7)
    rec = rsvc.save(a, "residents", resident("李四", 7))
    server.storage.publish("watchlist", {"id_number": number, "reason": "网上在逃"}, "*")
    result = sync.sync_now(a)
    assert result.alerts == [(rec.uuid, rsvc.title(a, rec), "网上在逃")]
    assert wlsvc.check(a, number).reason == "网上在逃"
    # Typing the number into a new form raises the alert.
    check = rsvc.check(a, "residents", resident("李四", 7))
    assert [hit.reason for _, hit in check.watch_hits] == ["网上在逃"]
    with a.store._raw() as conn:
        for table in ("watchlist", "records", "settings", "history", "sync_watch"):
            for row in conn.execute(f"SELECT * FROM {table}"):
                if table != "records" and table != "history":
                    assert number not in repr(row), table
        assert conn.execute("SELECT count(*) FROM records WHERE module = 'watchlist'").fetchone()[0] == 0


def test_withdrawn_watch_list_entry_stops_alerting(pair, server):
    a, _ = pair
    number = id_number(8)
    uid = server.storage.publish("watchlist", {"id_number": number, "reason": "布控"}, "*")
    sync.sync_now(a)
    assert wlsvc.check(a, number) is not None
    server.storage.publish("watchlist", {"id_number": number}, "*", uuid=uid, delete=True)
    sync.sync_now(a)
    assert wlsvc.check(a, number) is None


def test_record_outside_the_laptops_villages_is_refused_and_shown(pair):
    a, b = pair
    rec = rsvc.save(a, "residents", resident("王五", 3, village=OTHER_VILLAGE))
    result = sync.sync_now(a)
    assert result.report.pushed == 0
    [r] = result.rejected
    assert r.uuid == rec.uuid and r.reason == "out_of_scope" and "辖区" in r.message
    st = sync.status(a)
    assert st.pending == 0 and st.rejected == 1
    assert [x.uuid for x in sync.rejected(a)] == [rec.uuid]
    assert rsvc.get(a, rec.uuid).data["name"] == "王五"  # kept locally for the officer to see
    sync.sync_now(b)
    assert b.store.records.get(rec.uuid) is None


def test_network_down_gives_clear_message_and_loses_nothing(pair, server):
    a, b = pair
    rec = rsvc.save(a, "residents", resident("赵六", 4))
    server.stop()
    with pytest.raises(NetworkError) as err:
        sync.sync_now(a, retries=0)
    assert err.value.code == "offline" and "保存在本机" in err.value.message
    st = sync.status(a)
    assert st.pending == 1 and st.last_error == err.value.message and st.last_error_code == "offline"
    assert rsvc.get(a, rec.uuid).data["name"] == "赵六"
    server.start()
    sync.sync_now(a)
    assert sync.status(a).last_error is None and sync.status(a).pending == 0
    sync.sync_now(b)
    assert rsvc.get(b, rec.uuid).data["name"] == "赵六"


def test_revoked_laptop_is_told_in_words(pair, server):
    a, _ = pair
    [dev] = [d for d in server.storage.list_devices() if d["name"] == "lin的电脑"]
    server.storage.revoke(dev["id"])
    with pytest.raises(AuthError) as err:
        sync.sync_now(a, retries=0)
    assert err.value.code == "device_revoked" and "撤销" in err.value.message


def test_task_package_flows_down_is_accepted_offline_and_flows_back(pair, server):
    a, _ = pair
    uid = server.storage.publish("tasks", {"title": "寻找走失儿童", "description": "3岁男孩", "kind": "other",
                                           "status": "published", "points": 5, "village": VILLAGE,
                                           "publisher": "城关派出所", "published_at": "2026-11-23T08:00"}, VILLAGE)
    sync.sync_now(a)
    assert rsvc.get(a, uid).data["title"] == "寻找走失儿童"
    tsvc.accept_task(a, uid)  # offline: it waits in the outbox
    tsvc.complete_task(a, uid, "已在村口小卖部找到，交还家长")
    assert sync.status(a).pending == 2
    sync.sync_now(a)
    from sync import merge as m

    done = m.current_values(server.storage.get_record(uid))
    assert (done["status"], done["accepted_by"], done["result"]) == ("completed", "lin", "已在村口小卖部找到，交还家长")


def test_photo_uploads_after_its_record_and_downloads_on_the_other_laptop(pair):
    a, b = pair
    photo = b"\x89PNG fake photo bytes" * 100
    sha = a.store.attachments.put(photo, kind="photo")
    rec = rsvc.save(a, "residents", resident("孙七", 5, photo=sha))
    result = sync.sync_now(a)
    assert result.report.uploaded == 1
    assert sync.sync_now(a).report.uploaded == 0  # not sent twice
    got = sync.sync_now(b)
    assert got.report.downloaded == 1
    assert rsvc.get(b, rec.uuid).data["photo"] == sha
    assert b.store.attachments.get(sha) == photo


def test_a_download_resumes_from_the_bytes_a_cut_off_round_kept_and_checks_them(pair):
    a, b = pair
    photo = b"\x89PNG fake photo bytes" * 100
    sha = a.store.attachments.put(photo, kind="photo")
    rsvc.save(a, "residents", resident("孙七", 5, photo=sha))
    sync.sync_now(a)
    # What a round cut off by a dead link left — here deliberately not the photo's start: the
    # next round resumes after it, the whole does not hash to the name, nothing is stored.
    b.store.sync.keep_partial(sha, b"x" * 700)
    assert sync.sync_now(b).report.downloaded == 0 and not b.store.attachments.has(sha)
    assert b.store.sync.partial(sha) == b""  # wrong bytes are forgotten, not resumed from again
    assert sync.sync_now(b).report.downloaded == 1 and b.store.attachments.get(sha) == photo


def test_not_enrolled_and_bad_qr_are_explained(tmp_path):
    ws, _ = wsvc.create(tmp_path / "x", "lin", PASS)
    try:
        with pytest.raises(Exception) as err:
            sync.sync_now(ws)
        assert getattr(err.value, "code", "") == "not_enrolled"
        with pytest.raises(Exception) as err:
            sync.enroll(ws, '{"hello": 1}')
        assert getattr(err.value, "code", "") == "bad_qr"
        assert sync.status(ws).enrolled is False
    finally:
        ws.lock()


def test_corrected_visit_shows_the_correction_on_both_laptops(pair):
    # Visits are append-only in the merge (every version is kept on the platform); the record
    # still shows the officer's latest correction, not the first draft.
    a, b = pair
    values = {"village": VILLAGE, "address": "5f0c2b1e-8a4d-4c3e-9b1a-2d3c4e5f6a7b", "officer": "林警官",
              "requests": "门锁损坏"}
    rec = rsvc.save(a, "visits", values)
    both_sync(a, b)
    rsvc.save(a, "visits", {**rsvc.get(a, rec.uuid).data, "requests": "门锁损坏，已报修"}, uuid=rec.uuid)
    both_sync(a, b)
    sync.sync_now(a)
    for ws in (a, b):
        assert rsvc.get(ws, rec.uuid).data["requests"] == "门锁损坏，已报修"
        assert sync.conflicts(ws) == []


def test_edit_waiting_while_another_process_pulled_still_conflicts(pair):
    # The CLI beside the app may pull while an edit made in the app waits to be sent: that edit
    # never saw what the pull brought, so it must not silently overwrite it.
    from fieldkit.services.sync_replica import FieldKitReplica
    from sync.client import SyncClient

    a, b = pair
    rec = rsvc.save(a, "residents", resident("张三", 1))
    both_sync(a, b)
    rsvc.save(b, "residents", {**rsvc.get(b, rec.uuid).data, "phone": "13900000002"}, uuid=rec.uuid)
    sync.sync_now(b)
    rsvc.save(a, "residents", {**rsvc.get(a, rec.uuid).data, "phone": "13800000001"}, uuid=rec.uuid)
    conn = sync.connection(a)
    client = SyncClient(conn.url, token=conn.token, fingerprint=conn.fingerprint)
    client.pull(FieldKitReplica(a))  # a pull only: the edit still waits in the outbox
    client.close()
    assert rsvc.get(a, rec.uuid).data["phone"] == "13800000001"  # the waiting edit still shows
    sync.sync_now(a)
    sync.sync_now(b)
    for ws in (a, b):
        [c] = sync.conflicts(ws)
        assert {c.mine.value, c.theirs.value} == {"13800000001", "13900000002"}


def test_editing_the_field_in_the_form_also_settles_the_conflict(pair):
    a, b = pair
    rec = rsvc.save(a, "residents", resident("张三", 1))
    both_sync(a, b)
    rsvc.save(a, "residents", {**rsvc.get(a, rec.uuid).data, "phone": "13800000001"}, uuid=rec.uuid)
    rsvc.save(b, "residents", {**rsvc.get(b, rec.uuid).data, "phone": "13900000002"}, uuid=rec.uuid)
    both_sync(a, b)
    sync.sync_now(a)
    assert sync.status(a).conflicts == 1
    # The officer phoned the resident and typed the right number into the form.
    rsvc.save(a, "residents", {**rsvc.get(a, rec.uuid).data, "phone": "13700000003"}, uuid=rec.uuid)
    assert sync.status(a).conflicts == 0 and sync.conflicts(a) == []
    both_sync(a, b)
    assert sync.status(b).conflicts == 0 and rsvc.get(b, rec.uuid).data["phone"] == "13700000003"


def test_a_demo_store_is_never_enrolled(tmp_path):
    """The demo township's invented people must not reach the central platform."""
    from fieldkit.domain.errors import UserFacingError as _UFE
    from fieldkit.services import demo as _demo
    from fieldkit.services import sync_service as _sync
    from fieldkit.services import workspace as _wsvc

    ws, _ = _wsvc.create(tmp_path / "demo", "chief", "correct horse battery")
    try:
        _demo.generate(ws, seed=1, people=20)
        with pytest.raises(_UFE) as e:
            _sync.enroll(ws, "https://127.0.0.1:9/", code="ABCD-EFGH")
        assert e.value.code == "demo_store" and "演示" in e.value.message
    finally:
        ws.lock()


def test_a_restricted_record_syncs_between_officers_and_waits_sealed_in_a_grid_workers_session(pair):
    """Issue 11 item 2: "sync still carries them for the officer and chief" — and a grid worker
    syncing the shared laptop neither reads nor loses them."""
    a, b = pair
    b.store.add_user("gw", role="grid_worker", passphrase="grid worker horse 33")
    case = rsvc.save(a, "cases", {"case_date": "2026-11-30", "kind": "burglary", "village": VILLAGE,
                                  "status": "filed", "summary": "李重点家中被盗"})
    assert sync.sync_now(a).report.pushed == 1
    home = b.home
    b.lock()
    grid = wsvc.unlock(home, "gw", "grid worker horse 33")
    try:
        assert not grid.store.holds_restricted
        sync.sync_now(grid)  # pulls the case: it cannot be stored here, nor dropped
        assert grid.store.records.get(case.uuid) is None and grid.store.sync.sealed_count() == 1
    finally:
        grid.lock()
    officer = wsvc.unlock(home, "wang", PASS)  # the next holder's unlock applies what waited
    try:
        got = rsvc.get(officer, case.uuid)
        assert got.data["summary"] == "李重点家中被盗" and officer.store.sync.sealed_count() == 0
    finally:
        officer.lock()
