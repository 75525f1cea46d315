"""Issue 11, items 4 and 6 and the audited user changes, each attack with its exact steps:
an older fieldkit.db copied back, the newest audit rows deleted, a raw-SQL role change, a hand-
edited lockout counter, a full disk during a guess, weak passphrases."""

from __future__ import annotations

import json
import shutil
import sqlite3  # noqa: F401  (the attacker's tool of choice; SQLCipher needs the key anyway)
from pathlib import Path

import pytest

from fieldkit.domain.errors import AuthError, PermissionDenied, StorageError, UserFacingError
from fieldkit.domain.passphrase import WeakPassphrase
from fieldkit.services import sealed
from fieldkit.store import Store
from fieldkit.store.keyring import MAX_DELAY_S, Keyring

from ..mounts import fill, tmpfs, unfill

PASS = "correct horse battery"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "fk"


def _township(home: Path) -> None:
    s, _ = Store.create(home, user="chief", passphrase=PASS, display_name="陈所长")
    s.add_user("grid1", role="grid_worker", passphrase="grid worker passphrase 7")
    s.records.create("people", {"name": "王芳"})
    s.audit.log("create_store")
    s.close()


def _grow(home: Path, n: int = 5) -> None:
    s = Store.open(home, user="chief", passphrase=PASS)
    for i in range(n):
        s.records.create("people", {"name": f"新人{i}"})
        s.audit.log("update", module="people", target=str(i))
    s.close()


def test_an_older_database_copied_back_is_found_at_unlock_and_opened_read_only(home: Path, tmp_path: Path) -> None:
    _township(home)
    shutil.copy(home / "fieldkit.db", tmp_path / "old.db")  # no passphrase needed for this
    _grow(home)
    anchored = Keyring.load(home).data["audit_anchor"]["seq"]
    for suffix in ("-wal", "-shm"):
        (home / f"fieldkit.db{suffix}").unlink(missing_ok=True)
    shutil.copy(tmp_path / "old.db", home / "fieldkit.db")

    s = Store.open(home, user="chief", passphrase=PASS)
    held = s.rollback
    assert held is not None and held.kind == "older"
    assert "数据库被换成了旧版本或日志被截断" in held.message
    assert f"第 {anchored} 条" in held.message and f"第 {held.found_seq} 条" in held.message
    assert held.found_seq < anchored
    with pytest.raises(StorageError) as e:
        s.records.create("people", {"name": "李四"})
    assert "旧版本" in e.value.message
    s.audit.log("login")  # held in memory, never anchored
    s.close()
    # Nothing moved the anchor: the next unlock finds the same thing.
    assert Keyring.load(home).data["audit_anchor"]["seq"] == anchored
    again = Store.open(home, user="chief", passphrase=PASS)
    assert again.rollback is not None and again.rollback.anchored_seq == anchored
    again.close()


def test_deleting_the_newest_audit_rows_is_found_at_unlock(home: Path) -> None:
    _township(home)
    _grow(home)
    s = Store.open(home, user="chief", passphrase=PASS)
    with s._raw() as c:  # the attacker has the key in hand and drops the trigger
        c.execute("DROP TRIGGER audit_no_delete")
        top = c.execute("SELECT max(seq) FROM audit").fetchone()[0]
        c.execute("DELETE FROM audit WHERE seq > ?", (top - 3,))
    s._db.close()  # killed: no close, no re-anchor
    s._key = None
    again = Store.open(home, user="chief", passphrase=PASS)
    assert again.rollback is not None and again.rollback.kind == "older"
    assert again.rollback.found_seq == top - 3
    assert not again.audit.verify().ok
    again.close()


def test_only_the_chief_accepts_and_the_reason_is_audited(home: Path, tmp_path: Path) -> None:
    _township(home)
    shutil.copy(home / "fieldkit.db", tmp_path / "old.db")
    _grow(home)
    shutil.copy(tmp_path / "old.db", home / "fieldkit.db")
    from fieldkit.services import backup as backup_service
    from fieldkit.services import workspace as wsvc

    grid = wsvc.unlock(home, "grid1", "grid worker passphrase 7")
    with pytest.raises(PermissionDenied) as e:  # the permissions table's "restore"
        backup_service.accept_rollback(grid, "I say so")
    assert "所长" in e.value.message and grid.store.rollback is not None
    grid.lock()
    chief = Store.open(home, user="chief", passphrase=PASS)
    with pytest.raises(UserFacingError):
        chief.accept_rollback("")
    chief.accept_rollback("笔记本换硬盘，用旧拷贝")
    assert chief.rollback is None
    entry = next(e for e in chief.audit.entries() if e.action == "accept_rollback")
    assert entry.detail["reason"] == "笔记本换硬盘，用旧拷贝" and entry.detail["found_seq"] < entry.detail["anchored_seq"]
    chief.records.create("people", {"name": "李四"})  # read-write again
    assert chief.audit.verify().ok
    chief.close()
    assert Store.open(home, user="chief", passphrase=PASS).rollback is None


def test_a_raw_sql_role_change_is_named_by_audit_verify(home: Path) -> None:
    _township(home)
    s = Store.open(home, user="grid1", passphrase="grid worker passphrase 7")
    assert s.audit.verify().ok
    with s._raw() as c:
        c.execute("UPDATE users SET role='chief' WHERE login='grid1'")
    r = s.audit.verify()
    assert not r.ok and "grid1" in r.reason_zh and "角色" in r.reason_zh
    s.close()


def test_an_audited_role_change_verifies(home: Path) -> None:
    _township(home)
    s = Store.open(home, user="chief", passphrase=PASS)
    s.set_role("grid1", "officer")
    assert s.audit.verify().ok
    assert next(e for e in s.audit.entries() if e.action == "user_role").detail == {
        "user": "grid1", "role": "officer", "was": "grid_worker"}
    with s._raw() as c:
        c.execute("INSERT INTO users(login, role, created_at, created_by) VALUES ('ghost', 'chief', 'x', 'x')")
    r = s.audit.verify()
    assert not r.ok and "ghost" in r.reason_zh
    s.close()


def _edit_counter(home: Path, **fields: object) -> None:
    data = json.loads((home / "keyring.json").read_text())
    data.update(fields)
    (home / "keyring.json").write_text(json.dumps(data))


def test_editing_the_keyring_counter_does_not_reset_the_wait(home: Path) -> None:
    _township(home)
    for _ in range(4):
        with pytest.raises(AuthError):
            Store.open(home, user="chief", passphrase="not the passphrase")
    assert Keyring.load(home).retry_after() > 0
    _edit_counter(home, failures=0, retry_at=0.0)  # the text-editor reset
    kr = Keyring.load(home)
    assert kr.tampered() and kr.retry_after() == pytest.approx(MAX_DELAY_S, abs=5)
    with pytest.raises(AuthError) as e:
        Store.open(home, user="chief", passphrase=PASS)  # even the right one waits
    assert e.value.code == "locked_out" and e.value.retry_after > 250


def test_editing_only_retry_at_does_not_shorten_the_wait(home: Path) -> None:
    _township(home)
    for _ in range(3):
        with pytest.raises(AuthError):
            Store.open(home, user="chief", passphrase="not the passphrase")
    _edit_counter(home, retry_at=0.0)
    # 3 failures: 2 s, now counted from the edit (the file's change time)
    assert Keyring.load(home).retry_after() > 1.5
    with pytest.raises(AuthError) as e:
        Store.open(home, user="chief", passphrase=PASS)
    assert e.value.code == "locked_out"


def test_a_forged_chain_makes_the_right_passphrase_look_wrong_until_the_recovery_code(home: Path) -> None:
    s, code = Store.create(home, user="chief", passphrase=PASS)
    s.close()
    import base64
    import hashlib
    import os
    x0 = os.urandom(32)
    end = x0
    for _ in range(256):
        end = hashlib.sha256(end).digest()
    b = lambda v: base64.b64encode(v).decode()  # noqa: E731
    _edit_counter(home, failures=0, retry_at=0.0, lockout={"x": b(x0), "end": b(end), "mac": b(b"\0" * 32)})
    assert not Keyring.load(home).tampered()  # consistent: it passes the check before the attempt…
    with pytest.raises(AuthError) as e:
        Store.open(home, user="chief", passphrase=PASS)  # …but does not confirm the guess
    assert e.value.message == "用户名或口令错误"
    Store.recover(home, recovery_code=code, user="chief", new_passphrase="a brand new one").close()
    Store.open(home, user="chief", passphrase="a brand new one").close()


def test_removing_the_chain_from_the_keyring_does_not_confirm_a_guess(home: Path) -> None:
    _township(home)
    _edit_counter(home, failures=0, retry_at=0.0, lockout=None)
    with pytest.raises(AuthError) as e:
        Store.open(home, user="chief", passphrase=PASS)
    assert e.value.message == "用户名或口令错误"


def test_on_a_full_disk_a_passphrase_is_not_even_tried(tmp_path: Path) -> None:
    """With no room at all (the space reserve gone too): no guess is tried."""
    from fieldkit import fsio

    with tmpfs(tmp_path / "small", "3m") as mnt:
        home = mnt / "home"
        _township(home)
        before = (home / "keyring.json").read_bytes()
        assert fsio.release_reserve(home)  # made by Store.create
        fill(mnt)
        for guess in ("not the passphrase", PASS):
            with pytest.raises(StorageError) as e:
                Store.open(home, user="chief", passphrase=guess)
            assert "磁盘已满" in e.value.message and "没有尝试这个口令" in e.value.message
        assert (home / "keyring.json").read_bytes() == before
        unfill(mnt)
        Store.open(home, user="chief", passphrase=PASS).close()
        assert (home / fsio.RESERVE_NAME).stat().st_blocks * 512 >= fsio.RESERVE_BYTES  # made again


def test_a_disk_that_fills_up_spends_the_reserve_on_the_counter_and_opens_read_only(tmp_path: Path) -> None:
    from fieldkit import fsio

    with tmpfs(tmp_path / "small", "3m") as mnt:
        home = mnt / "home"
        _township(home)
        fill(mnt)
        with pytest.raises(AuthError):
            Store.open(home, user="chief", passphrase="not the passphrase")  # counted: the reserve paid
        assert not (home / fsio.RESERVE_NAME).exists()
        assert json.loads((home / "keyring.json").read_text())["failures"] == 1
        store = Store.open(home, user="chief", passphrase=PASS)  # still room for the counter
        try:
            assert store.audit.fault is not None and store.records.count("people") >= 0
            with pytest.raises(StorageError) as e:
                store.records.create("people", {"name": "王五"})
            assert "磁盘已满" in e.value.message
        finally:
            store.close()
        unfill(mnt)


@pytest.mark.parametrize("weak", ["password", "12345678", "qwertyuiop", "11111111", "abc12345", "chief2024"])
def test_weak_store_passphrases_are_refused_in_chinese(home: Path, weak: str) -> None:
    with pytest.raises(WeakPassphrase) as e:
        Store.create(home, user="chief", passphrase=weak)
    assert e.value.field == "passphrase" and "口令太弱" in e.value.message and "请" in e.value.message
    assert not Store.exists(home)


def test_weak_passphrases_are_refused_when_adding_changing_resetting_recovering(home: Path) -> None:
    s, code = Store.create(home, user="chief", passphrase=PASS)
    with pytest.raises(WeakPassphrase):
        s.add_user("grid1", role="grid_worker", passphrase="password")
    with pytest.raises(WeakPassphrase):
        s.change_passphrase("chief", PASS, "12345678")
    s.add_user("grid1", role="grid_worker", passphrase="grid worker passphrase 7")
    with pytest.raises(WeakPassphrase):
        s.reset_passphrase("grid1", "iloveyou2")
    s.close()
    with pytest.raises(WeakPassphrase):
        Store.recover(home, recovery_code=code, user="chief", new_passphrase="letmein123")


@pytest.mark.parametrize("weak", ["1", "password", "12345678"])
def test_weak_export_passphrases_are_refused(tmp_path: Path, weak: str) -> None:
    with pytest.raises(WeakPassphrase) as e:
        sealed.write_sealed(tmp_path / "out.sealed", b"data", weak)
    assert "导出文件口令太弱" in e.value.message
    assert not (tmp_path / "out.sealed").exists()
    sealed.write_sealed(tmp_path / "ok.sealed", b"data", "export pass 2026")
