"""Issue 11, items 5 and 7 and the platform's anchor of item 4, against the real reference server
(HTTPS, self-signed certificate pinned by the enrollment QR code):

* enrollment only by the chief, only to a pinned https:// platform (the rogue-server attack);
* a pinned laptop meeting another certificate sends nothing;
* re-enrolling elsewhere needs the chief's confirmation with both fingerprints shown;
* a revoked laptop learns it at its next contact, locks, keeps its unsynced changes for the chief
  (recovery code), and refuses normal unlock;
* a database swapped for an older copy (keyring too) is caught at the next sync.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from fieldkit.domain.errors import (
    AuthError,
    ExitCode,
    IntegrityError,
    NetworkError,
    PermissionDenied,
    UserFacingError,
)
from fieldkit.services import records as rsvc
from fieldkit.services import revocation, sealed
from fieldkit.services import sync_service as sync
from fieldkit.services import workspace as wsvc
from fieldkit.store import Store
from sync.client import InsecureServer, SyncClient
from tests.services.test_sync_service import PASS, VILLAGE, resident
from tests.sync.helpers import ServerThread, rogue_certificate

GRID_PASS = "grid worker passphrase 7"


def chief_laptop(home, server=None):
    """A chief's store (and its recovery code), enrolled with `server` when given."""
    ws, code = wsvc.create(home, "chief", PASS, display_name="陈所长")
    if server is not None:
        _, enroll_code = server.storage.create_enrollment("陈所长的电脑", [VILLAGE])
        sync.enroll(ws, server.qr(enroll_code))
    return ws, code


@pytest.fixture
def rogue(tmp_path):
    """A rogue platform on plain HTTP: what a grid worker could point the laptop at."""
    srv = ServerThread(f"sqlite:///{tmp_path / 'rogue.db'}")
    srv.start()
    yield srv
    srv.stop()


def rogue_qr(rogue) -> str:
    _, code = rogue.storage.create_enrollment("grid laptop", [VILLAGE])
    return json.dumps({"fieldkit": 1, "url": rogue.url, "code": code, "fp": None})


# --------------------------------------------------------------------------- item 5
def test_grid_worker_enrolling_to_a_rogue_http_server_is_refused(tmp_path, rogue):
    ws, _ = chief_laptop(tmp_path / "a")
    wsvc.add_user(ws, "grid1", "grid_worker", GRID_PASS, "网格员小王")
    ws.lock()
    grid = wsvc.unlock(tmp_path / "a", "grid1", GRID_PASS)
    try:
        rsvc.save(grid, "residents", resident("张三", 1))
        with pytest.raises(PermissionDenied) as err:
            sync.enroll(grid, rogue_qr(rogue))
        assert err.value.exit_code == ExitCode.PERMISSION
        assert "只有所长" in err.value.message and "网格员" in err.value.message
        # Even to the real, pinned platform.
        with pytest.raises(PermissionDenied):
            sync.enroll(grid, rogue_qr(rogue), replace=True, insecure_test_server=True)
        assert sync.status(grid).enrolled is False
    finally:
        grid.lock()
    assert [d["enrolled"] for d in rogue.storage.list_devices()] == [False, False]
    assert rogue.storage.all_records() == {}


def test_chief_enrolling_over_plain_http_or_without_a_pin_is_refused(tmp_path, rogue, server):
    ws, _ = chief_laptop(tmp_path / "a")
    try:
        rec = rsvc.save(ws, "residents", resident("张三", 1))
        with pytest.raises(UserFacingError) as err:
            sync.enroll(ws, rogue_qr(rogue))
        assert err.value.code == "insecure_server"
        assert "https://" in err.value.message and "证书指纹" in err.value.message
        # An https:// address without the pin: refused, naming only what is missing.
        _, code = server.storage.create_enrollment("x", [VILLAGE])
        with pytest.raises(UserFacingError) as err:
            sync.enroll(ws, json.dumps({"fieldkit": 1, "url": server.url, "code": code, "fp": None}))
        assert "证书指纹" in err.value.message and "https:// 开头" not in err.value.message
        with pytest.raises(UserFacingError) as err:
            sync.enroll(ws, server.url, code)  # URL + code, no --fingerprint
        assert err.value.code == "insecure_server"
        # The test escape hatch is refused on a store holding real records.
        with pytest.raises(PermissionDenied) as err:
            sync.enroll(ws, rogue_qr(rogue), insecure_test_server=True)
        assert err.value.code == "insecure_refused" and "1 条" in err.value.message
        assert sync.status(ws).enrolled is False and sync.status(ws).pending == 1
        # URL, code and the fingerprint typed with colons: enrolled, pinned.
        fp = ":".join(server.fingerprint[i:i + 2] for i in range(0, 64, 2)).upper()
        st = sync.enroll(ws, server.url, code, fingerprint=fp)
        assert st.enrolled and ws.store.settings.get(sync.K_FP) == server.fingerprint
        assert sync.sync_now(ws).report.pushed == 1 and rec.uuid in server.storage.all_records()
    finally:
        ws.lock()
    assert rogue.storage.all_records() == {}
    assert not any(d["enrolled"] for d in rogue.storage.list_devices())


def test_a_pinned_laptop_meeting_another_certificate_sends_nothing(tmp_path, server):
    ws, _ = chief_laptop(tmp_path / "a", server)
    impostor = None
    try:
        assert sync.sync_now(ws).report.pushed == 0
        rec = rsvc.save(ws, "residents", resident("张三", 1))
        # The platform's address now answers with another certificate (an impostor on the network).
        port = server.port
        server.stop()
        impostor = ServerThread(f"sqlite:///{tmp_path / 'impostor.db'}", port=port, tls=rogue_certificate())
        impostor.start()
        with pytest.raises(NetworkError) as err:
            sync.sync_now(ws, retries=0)
        assert err.value.code == "pin_mismatch" and "证书" in err.value.message
        with pytest.raises(NetworkError) as err:
            sync.probe(sync.connection(ws))
        assert err.value.code == "pin_mismatch"
        assert impostor.storage.all_records() == {} and sync.status(ws).pending == 1
        assert rsvc.get(ws, rec.uuid).data["name"] == "张三"
    finally:
        if impostor is not None:
            impostor.stop()
        ws.lock()


def test_a_pin_over_plain_http_is_refused_by_the_client(rogue):
    with pytest.raises(InsecureServer):
        SyncClient(rogue.url, fingerprint="ab" * 32)
    with pytest.raises(InsecureServer):
        SyncClient("https://127.0.0.1:1", fingerprint="not a sha-256")


def test_an_old_enrollment_without_a_pin_no_longer_syncs(tmp_path, server):
    ws, _ = chief_laptop(tmp_path / "a", server)
    try:
        ws.store.settings.set(sync.K_FP, None)  # as enrolled before pins were required
        with pytest.raises(NetworkError) as err:
            sync.sync_now(ws)
        assert err.value.code == "insecure_server" and "重新登记" in err.value.message
    finally:
        ws.lock()


def test_reenrolling_elsewhere_shows_both_fingerprints_and_needs_replace(tmp_path, server):
    ws, _ = chief_laptop(tmp_path / "a", server)
    other = ServerThread(f"sqlite:///{tmp_path / 'other.db'}", tls=rogue_certificate())
    other.start()
    try:
        _, code = other.storage.create_enrollment("新平台", [VILLAGE])
        with pytest.raises(sync.ReplaceNeeded) as err:
            sync.enroll(ws, other.qr(code))
        assert server.fingerprint in err.value.message and other.fingerprint in err.value.message
        assert (err.value.old_fp, err.value.new_fp) == (server.fingerprint, other.fingerprint)
        assert sync.status(ws).server == server.url
        st = sync.enroll(ws, other.qr(code), replace=True)
        assert st.server == other.url and ws.store.settings.get(sync.K_FP) == other.fingerprint
        [entry] = [e for e in ws.store.audit.entries(limit=20) if e.action == "sync_enroll"][:1]
        assert entry.detail["replaced"] == {"server": server.url, "fingerprint": server.fingerprint}
    finally:
        other.stop()
        ws.lock()


def test_insecure_test_server_enrolls_an_empty_store_over_http(tmp_path, rogue):
    ws, _ = chief_laptop(tmp_path / "a")
    try:
        # A pin with a plain-HTTP address would pin nothing: refused in words, even for tests.
        _, code = rogue.storage.create_enrollment("y", [VILLAGE])
        pinned_http = json.dumps({"fieldkit": 1, "url": rogue.url, "code": code, "fp": "ab" * 32})
        with pytest.raises(NetworkError) as err:
            sync.enroll(ws, pinned_http, insecure_test_server=True)
        assert err.value.code == "insecure_server"
        st = sync.enroll(ws, rogue_qr(rogue), insecure_test_server=True)
        assert st.enrolled
        rsvc.save(ws, "residents", resident("张三", 1))
        assert sync.sync_now(ws).report.pushed == 1
    finally:
        ws.lock()


# --------------------------------------------------------------------------- item 7
def server_cli(server, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sync.server", "--db", server.db_url, *args],
                          capture_output=True, text=True, timeout=120)


def test_a_revoked_laptop_locks_keeps_its_changes_for_the_chief_and_can_be_reenrolled(tmp_path, server):
    home = tmp_path / "a"
    ws, recovery_code = chief_laptop(home, server)
    wsvc.add_user(ws, "grid1", "grid_worker", GRID_PASS, "网格员小王")
    synced = rsvc.save(ws, "residents", resident("张三", 1))
    sync.sync_now(ws)
    waiting = [rsvc.save(ws, "residents", resident(n, i)) for i, n in ((2, "李四"), (3, "王五"))]
    [dev] = server.storage.list_devices()
    # The laptop is reported lost; the platform revokes it with its own command.
    out = server_cli(server, "revoke", "--device-id", str(dev["id"]))
    assert out.returncode == 0, out.stderr
    with pytest.raises(AuthError) as err:
        sync.sync_now(ws, retries=0)
    assert err.value.code == "device_revoked" and "撤销" in err.value.message
    assert ws.locked  # the laptop locked itself at once
    assert set(server.storage.all_records()) == {synced.uuid}  # nothing more reached the platform

    # Normal unlock is refused, in words that say what the chief can do.
    for login, pw in (("chief", PASS), ("grid1", GRID_PASS)):
        with pytest.raises(AuthError) as err:
            wsvc.unlock(home, login, pw)
        assert err.value.code == "device_revoked"
        assert "撤销" in err.value.message and "恢复码" in err.value.message and "2 条" in err.value.message
        assert "重新登记" in err.value.message
        # Past the services too: no passphrase unwraps the data key any more.
        with pytest.raises(AuthError):
            Store.open(home, user=login, passphrase=pw).close()

    # The chief exports the unsynced changes with the recovery code.
    with pytest.raises(AuthError):
        revocation.export_unsynced(home, "0" * 35, tmp_path / "x.fks", "export passphrase 9")
    counts = revocation.export_unsynced(home, recovery_code, tmp_path / "unsynced.fks", "export passphrase 9")
    assert counts == {"waiting": 2, "refused": 0}
    blob = (tmp_path / "unsynced.fks").read_bytes()
    assert "李四".encode() not in blob  # sealed
    data = json.loads(sealed.unseal(blob, "export passphrase 9"))
    assert {c["uuid"] for c in data["waiting"]} == {r.uuid for r in waiting}
    assert {c["fields"]["name"][0] for c in data["waiting"]} == {"李四", "王五"}

    # Re-issue: the chief takes the laptop back with the recovery code and enrolls it again.
    ws = wsvc.recover(home, recovery_code, "chief", "new chief passphrase 5")
    try:
        with pytest.raises(AuthError) as err:
            sync.sync_now(ws)  # the old enrollment stays dead
        assert err.value.code == "device_revoked"
        _, code = server.storage.create_enrollment("陈所长的电脑（重发）", [VILLAGE])
        sync.enroll(ws, server.qr(code))
        assert sync.sync_now(ws).report.pushed == 2
        assert {r.uuid for r in waiting} <= set(server.storage.all_records())
        actions = [e.action for e in ws.store.audit.entries(limit=50)]
        assert {"device_revoked", "export_unsynced", "revocation_lifted"} <= set(actions)
    finally:
        ws.lock()
    wsvc.unlock(home, "chief", "new chief passphrase 5").lock()
    with pytest.raises(AuthError):  # the grid worker's old passphrase stays dead until the chief resets it
        wsvc.unlock(home, "grid1", GRID_PASS)


def test_a_grid_worker_cannot_take_a_revoked_laptop_back(tmp_path, server):
    home = tmp_path / "a"
    ws, recovery_code = chief_laptop(home, server)
    wsvc.add_user(ws, "grid1", "grid_worker", GRID_PASS)
    server.storage.revoke(server.storage.list_devices()[0]["id"])
    with pytest.raises(AuthError):
        sync.sync_now(ws, retries=0)
    with pytest.raises(PermissionDenied) as err:
        wsvc.recover(home, recovery_code, "grid1", "another passphrase 8")
    assert "只有所长" in err.value.message
    with pytest.raises(AuthError) as err:
        wsvc.unlock(home, "grid1", "another passphrase 8")
    assert err.value.code == "device_revoked"


# --------------------------------------------------------------------------- item 4, second anchor
def _copy(home, dest):
    dest.mkdir()
    for name in ("fieldkit.db", "keyring.json"):
        shutil.copy2(home / name, dest / name)


def _put_back(saved, home):
    for suffix in ("-wal", "-shm"):
        (home / f"fieldkit.db{suffix}").unlink(missing_ok=True)
    for name in ("fieldkit.db", "keyring.json"):
        shutil.copy2(saved / name, home / name)


def test_an_older_database_copied_back_is_caught_at_the_next_sync(tmp_path, server):
    home = tmp_path / "a"
    ws, _ = chief_laptop(home, server)
    sync.sync_now(ws)
    ws.lock()
    _copy(home, tmp_path / "old")  # a copy taken by someone with the files (no passphrase needed)
    ws = wsvc.unlock(home, "chief", PASS)
    for i, name in ((1, "张三"), (2, "李四")):
        rsvc.save(ws, "residents", resident(name, i))
    sync.sync_now(ws)
    [dev] = server.storage.list_devices()
    head = server.storage.audit_head(type("D", (), {"id": dev["id"]})())
    ws.lock()
    # The older database and keyring go back: the keyring's own anchor agrees with them.
    _put_back(tmp_path / "old", home)
    ws = wsvc.unlock(home, "chief", PASS)
    try:
        rec = rsvc.save(ws, "residents", resident("王五", 3))
        with pytest.raises(IntegrityError) as err:
            sync.sync_now(ws)
        msg = err.value.message
        assert err.value.code == "rollback_detected" and "数据库被换成了旧版本或日志被截断" in msg
        assert f"{head['seq']} 条" in msg and "未发送" in msg
        assert rec.uuid not in server.storage.all_records()  # nothing pushed
        assert sync.status(ws).last_error_code == "rollback_detected"
        # The chief looks into it and accepts it, with a reason (audited); sync resumes.
        with pytest.raises(UserFacingError):
            sync.accept_anchor_mismatch(ws, "  ")
        sync.accept_anchor_mismatch(ws, "硬盘损坏后从旧备份恢复")
        assert sync.sync_now(ws).report.pushed == 1
        assert sync.sync_now(ws).report.pushed == 0  # the new head was reported and holds
        [accepted] = [e for e in ws.store.audit.entries(limit=50) if e.action == "sync_anchor_accepted"]
        assert accepted.detail["reason"] == "硬盘损坏后从旧备份恢复"
    finally:
        ws.lock()


def test_newest_audit_rows_deleted_are_caught_at_the_next_sync(tmp_path, server):
    home = tmp_path / "a"
    ws, _ = chief_laptop(home, server)
    try:
        rsvc.save(ws, "residents", resident("张三", 1))
        sync.sync_now(ws)
        with ws.store._raw() as raw:  # the attacker cuts the newest rows off the log
            raw.execute("DROP TRIGGER audit_no_delete")
            raw.execute("DELETE FROM audit WHERE seq > (SELECT max(seq) - 3 FROM audit)")
            raw.commit()
        with pytest.raises(IntegrityError) as err:
            sync.sync_now(ws)
        assert "日志被截断" in err.value.message and err.value.code == "rollback_detected"
    finally:
        ws.lock()


def test_only_the_chief_accepts_an_anchor_mismatch(tmp_path, server):
    home = tmp_path / "a"
    ws, _ = chief_laptop(home, server)
    wsvc.add_user(ws, "grid1", "grid_worker", GRID_PASS)
    ws.lock()
    grid = wsvc.unlock(home, "grid1", GRID_PASS)
    try:
        with pytest.raises(PermissionDenied):
            sync.accept_anchor_mismatch(grid, "whatever")
    finally:
        grid.lock()
