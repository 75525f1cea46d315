"""Unlocking: passphrases, the lockout delay, recovery codes, passphrase changes, users and roles."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from fieldkit.domain.errors import AuthError, Conflict, PermissionDenied, UserFacingError
from fieldkit.store import Store, crypto, keyring, recovery
from fieldkit.store.keyring import Keyring

from .conftest import PASS


def _files(home: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in home.iterdir() if p.is_file()}


def test_create_then_open_sees_the_same_data(home: Path) -> None:
    store, code = Store.create(home, user="chief", passphrase=PASS, display_name="林所长")
    assert len(code) == 7 * 6 - 1  # 7 groups of 5, hyphenated
    rec = store.records.create("people", {"name": "张伟"})
    store.close()
    assert Store.exists(home) and Store.logins(home) == ["chief"]
    again = Store.open(home, user="chief", passphrase=PASS)
    assert again.records.get(rec.uuid).data == {"name": "张伟"}
    assert again.user.display_name == "林所长" and again.user.role == "chief"
    again.close()


def test_creating_over_an_existing_store_is_refused(created, home: Path) -> None:
    with pytest.raises(Conflict):
        Store.create(home, user="other", passphrase=PASS)


def test_first_user_must_be_the_chief(home: Path) -> None:
    with pytest.raises(UserFacingError) as e:
        Store.create(home, user="officer1", passphrase=PASS, role="officer")
    assert "所长" in e.value.message
    assert not Store.exists(home)


def test_wrong_passphrase_is_a_clear_auth_error_and_changes_nothing_else(created, home: Path) -> None:
    created[0].close()
    before = _files(home)
    with pytest.raises(AuthError) as e:
        Store.open(home, user="chief", passphrase="wrong passphrase")
    assert e.value.message == "用户名或口令错误" and e.value.retry_after == 0
    after = _files(home)
    assert after["fieldkit.db"] == before["fieldkit.db"]
    kr = json.loads((home / "keyring.json").read_text())
    assert kr["failures"] == 1 and kr["users"]["chief"]["sealed_key"]


def test_unknown_user_gets_the_same_message_as_a_wrong_passphrase(created, home: Path) -> None:
    with pytest.raises(AuthError) as e:
        Store.open(home, user="nobody", passphrase=PASS)
    assert e.value.message == "用户名或口令错误"


def test_repeated_failures_impose_a_growing_delay_that_survives_restarts(created, home, monkeypatch) -> None:
    now = [0.0]  # seconds added to the real clock (the wait also runs from the file's change time)
    monkeypatch.setattr(keyring, "clock", lambda: time.time() + now[0])
    delays = []
    for _ in range(3):
        with pytest.raises(AuthError) as e:
            Store.open(home, user="chief", passphrase="nope nope")
        delays.append(e.value.retry_after)
    assert delays == [0, 0, 2]
    # Even the right passphrase is refused while the delay runs; the delay lives in the file,
    # so another process (a fresh Keyring.load) sees it too.
    with pytest.raises(AuthError) as e:
        Store.open(home, user="chief", passphrase=PASS)
    assert e.value.code == "locked_out" and 0 < e.value.retry_after <= 2
    assert Keyring.load(home).retry_after() == pytest.approx(2, abs=0.5)
    now[0] += 2.5
    with pytest.raises(AuthError) as e:
        Store.open(home, user="chief", passphrase="still wrong")
    assert e.value.retry_after == 4
    assert Keyring.load(home).retry_after() == pytest.approx(4, abs=0.5)
    now[0] += 4.5
    store = Store.open(home, user="chief", passphrase=PASS)
    store.close()
    assert Keyring.load(home).data["failures"] == 0


def test_delay_is_capped_at_five_minutes() -> None:
    assert [keyring.delay_for(n) for n in range(1, 7)] == [0, 0, 2, 4, 8, 16]
    assert keyring.delay_for(40) == 300


def test_recovery_code_sets_a_new_passphrase(created, home: Path) -> None:
    store, code = created
    rec = store.records.create("people", {"name": "王芳"})
    store.close()
    rescued = Store.recover(home, recovery_code=code.lower().replace("-", " "), user="chief",
                            new_passphrase="a brand new one")
    assert rescued.records.get(rec.uuid).data["name"] == "王芳"
    rescued.close()
    with pytest.raises(AuthError):
        Store.open(home, user="chief", passphrase=PASS)
    Store.open(home, user="chief", passphrase="a brand new one").close()


def test_a_mistyped_recovery_code_names_the_group_and_is_not_counted(created, home: Path) -> None:
    _, code = created
    groups = code.split("-")
    g = groups[2]
    groups[2] = g[:1] + ("0" if g[1] != "0" else "1") + g[2:]
    with pytest.raises(AuthError) as e:
        Store.recover(home, recovery_code="-".join(groups), user="chief", new_passphrase="fresh pass phrase 9")
    assert "第 3 组" in e.value.message
    assert Keyring.load(home).data["failures"] == 0


def test_a_wrong_but_well_formed_recovery_code_is_refused(created, home: Path) -> None:
    other, _ = recovery.generate()
    with pytest.raises(AuthError) as e:
        Store.recover(home, recovery_code=other, user="chief", new_passphrase="fresh pass phrase 9")
    assert e.value.code == "wrong_recovery"


def test_recovery_code_check_catches_every_single_substitution() -> None:
    code, secret = recovery.generate()
    assert recovery.parse(code) == secret and len(secret) * 8 >= 140
    chars = list(code)
    for i, c in enumerate(chars):
        if c == "-":
            continue
        for sub in recovery.ALPHABET:
            if sub == c:
                continue
            typo = "".join([*chars[:i], sub, *chars[i + 1 :]])
            with pytest.raises(recovery.RecoveryCodeTypo):
                recovery.parse(typo)


def test_change_passphrase_rewraps_without_reencrypting(created, home: Path) -> None:
    store = created[0]
    store.records.create("people", {"name": "李娜"})
    with store._raw() as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db_before = (home / "fieldkit.db").read_bytes()
    wal_before = (home / "fieldkit.db-wal").read_bytes()
    kr_before = json.loads((home / "keyring.json").read_text())
    store.change_passphrase("chief", PASS, "new passphrase 2")
    assert (home / "fieldkit.db").read_bytes() == db_before
    assert (home / "fieldkit.db-wal").read_bytes() == wal_before
    kr_after = json.loads((home / "keyring.json").read_text())
    assert kr_after["users"]["chief"]["kp"] != kr_before["users"]["chief"]["kp"]
    assert kr_after["recovery"] == kr_before["recovery"]
    store.close()
    with pytest.raises(AuthError):
        Store.open(home, user="chief", passphrase=PASS)
    Store.open(home, user="chief", passphrase="new passphrase 2").close()


def test_change_passphrase_with_a_wrong_old_one_changes_nothing(store: Store, home: Path) -> None:
    before = (home / "keyring.json").read_bytes()
    with pytest.raises(AuthError) as e:
        store.change_passphrase("chief", "not the old one", "new passphrase 2")
    assert e.value.message == "原口令不正确"
    assert (home / "keyring.json").read_bytes() == before


def test_short_passphrase_is_refused(store: Store) -> None:
    with pytest.raises(UserFacingError) as e:
        store.change_passphrase("chief", PASS, "short")
    assert e.value.field == "passphrase"


def test_chief_adds_users_with_roles_and_they_can_unlock(store: Store, home: Path) -> None:
    store.add_user("officer1", role="officer", passphrase="officer pass", display_name="陈警官")
    store.add_user("grid7", role="grid_worker", passphrase="grid pass 7")
    assert [(u.login, u.role) for u in store.users()] == [
        ("chief", "chief"), ("grid7", "grid_worker"), ("officer1", "officer")]
    assert Store.logins(home) == ["chief", "grid7", "officer1"]
    # Display names are personal data: in the encrypted DB, not the keyring.
    assert "陈警官" not in (home / "keyring.json").read_text("utf-8")
    officer = Store.open(home, user="officer1", passphrase="officer pass")
    assert officer.user.role == "officer" and officer.user.display_name == "陈警官"
    with pytest.raises(PermissionDenied):
        officer.add_user("x2", role="officer", passphrase="fresh pass phrase 9")
    officer.close()


def test_invalid_logins_and_roles_are_refused(store: Store) -> None:
    with pytest.raises(UserFacingError) as e:
        store.add_user("张伟", role="officer", passphrase="fresh pass phrase 9")
    assert e.value.field == "login"
    with pytest.raises(UserFacingError) as e:
        store.add_user("x1", role="admin", passphrase="fresh pass phrase 9")
    assert e.value.field == "role"
    with pytest.raises(Conflict):
        store.add_user("chief", role="officer", passphrase="fresh pass phrase 9")


def test_chief_resets_a_forgotten_passphrase_and_cannot_remove_the_only_chief(store: Store, home: Path) -> None:
    store.add_user("officer1", role="officer", passphrase="officer pass")
    store.reset_passphrase("officer1", "fresh pass 1")
    Store.open(home, user="officer1", passphrase="fresh pass 1").close()
    with pytest.raises(PermissionDenied):
        store.remove_user("chief")
    store.remove_user("officer1")
    assert Store.logins(home) == ["chief"]


def test_real_kdf_parameters_are_recorded_and_raised_on_next_unlock(home: Path, monkeypatch) -> None:
    monkeypatch.setattr(crypto, "DEFAULT_KDF", crypto.KdfParams(memory_kib=2048, iterations=1, lanes=1))
    Store.create(home, user="chief", passphrase=PASS)[0].close()
    assert Keyring.load(home).user_kdf("chief").memory_kib == 2048
    monkeypatch.setattr(crypto, "DEFAULT_KDF", crypto.KdfParams())  # the shipped parameters
    Store.open(home, user="chief", passphrase=PASS).close()
    kdf = json.loads((home / "keyring.json").read_text())["users"]["chief"]["kdf"]
    assert kdf == {"name": "argon2id", "memory_kib": 65536, "iterations": 8, "lanes": 4}
    Store.open(home, user="chief", passphrase=PASS).close()


def test_keyring_writes_leave_no_temp_files(store: Store, home: Path) -> None:
    store.add_user("officer1", role="officer", passphrase="officer pass")
    assert not [p for p in home.iterdir() if p.name.endswith(".tmp")]


def test_a_closed_store_refuses_use(store: Store) -> None:
    store.close()
    with pytest.raises(UserFacingError) as e:
        store.records.ids("people")
    assert e.value.code == "closed"


def test_a_wrap_copied_onto_another_login_does_not_open(store: Store, home: Path) -> None:
    store.add_user("officer1", role="officer", passphrase="officer pass")
    kr = json.loads((home / "keyring.json").read_text())
    # An officer pastes their own wrap over the chief's, hoping to log in as chief with it.
    kr["users"]["chief"] = {**kr["users"]["officer1"], "role": "chief"}
    (home / "keyring.json").write_text(json.dumps(kr))
    with pytest.raises(AuthError):
        Store.open(home, user="chief", passphrase="officer pass")


def test_the_store_can_be_handed_to_a_worker_thread(store: Store) -> None:
    import threading

    out: list[object] = []

    def worker() -> None:
        try:
            rec = store.records.create("people", {"name": "线程"})
            out.append(store.records.get(rec.uuid).data["name"])
        except Exception as e:  # surfaced below
            out.append(e)

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert out == ["线程"]


def test_opening_a_missing_store_says_so_and_creates_nothing(tmp_path: Path) -> None:
    from fieldkit.domain.errors import StorageError

    with pytest.raises(StorageError) as e:
        Store.open(tmp_path / "typo", user="chief", passphrase=PASS)
    assert e.value.code == "no_store" and "没有找到数据库" in e.value.message
    assert not (tmp_path / "typo").exists()


def test_recovery_code_forgives_case_spaces_and_look_alike_letters() -> None:
    code, secret = recovery.generate()
    sloppy = code.lower().replace("-", "  ").replace("0", "o").replace("1", "l")
    assert recovery.parse(sloppy) == secret
    with pytest.raises(recovery.RecoveryCodeTypo) as e:
        recovery.parse(code[:-1])
    assert e.value.group == 0
