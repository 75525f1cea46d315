"""The key-pair wrap (keyring format 2): the data key sealed to each user's X25519 public key, so
the chief can seal a *new* data key to every user without their passphrases (groundwork for the
data-key rotation of issue 11, item 3); and the upgrade of format-1 keyrings at the next unlock."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fieldkit.domain.errors import AuthError
from fieldkit.store import Store, crypto, recovery
from fieldkit.store.keyring import Keyring, b64d, b64e, recovery_ad, user_ad

from .conftest import FAST, PASS

OFFICER_PASS = "officer horse 22"
GRID_PASS = "grid worker horse 33"


def _three_users(home: Path) -> tuple[Store, str]:
    store, code = Store.create(home, user="chief", passphrase=PASS)
    store.add_user("officer1", role="officer", passphrase=OFFICER_PASS)
    store.add_user("grid1", role="grid_worker", passphrase=GRID_PASS)
    return store, code


def _as_format_1(home: Path, key: bytes, passphrases: dict[str, str], code: str) -> None:
    """Rewrite the keyring as FieldKit wrote it before the key pairs (format 1): the data key
    AES-GCM-wrapped under each Argon2id KEK and under the recovery code's HKDF KEK."""
    kr = json.loads((home / "keyring.json").read_text())
    for login, p in passphrases.items():
        salt = os.urandom(16)
        kek = crypto.passphrase_kek(p, salt, FAST)
        kr["users"][login] = {"role": kr["users"][login]["role"], "kdf": FAST.as_dict(), "salt": b64e(salt),
                              "wrapped_key": b64e(crypto.wrap(kek, key, user_ad(kr["store_id"], login)))}
    salt = os.urandom(16)
    kek = crypto.hkdf(recovery.parse(code), "fieldkit recovery kek v1", salt)
    kr["recovery"] = {"kdf": "hkdf-sha256", "salt": b64e(salt),
                      "wrapped_key": b64e(crypto.wrap(kek, key, recovery_ad(kr["store_id"])))}
    kr["format"] = 1
    (home / "keyring.json").write_text(json.dumps(kr))


def test_a_new_keyring_holds_key_pairs_and_no_wrap_under_a_passphrase(home: Path) -> None:
    store, code = _three_users(home)
    store.close()
    kr = json.loads((home / "keyring.json").read_text())
    assert kr["format"] == 2
    for login in ("chief", "officer1", "grid1"):
        u = kr["users"][login]
        assert "wrapped_key" not in u and len(b64d(u["kp"]["pub"])) == 32 and u["sealed_key"]
    assert "wrapped_key" not in kr["recovery"] and len(b64d(kr["recovery"]["pub"])) == 32
    for login, p in (("chief", PASS), ("officer1", OFFICER_PASS), ("grid1", GRID_PASS)):
        Store.open(home, user=login, passphrase=p).close()
    Store.recover(home, recovery_code=code, user="officer1", new_passphrase="fresh horse 44").close()


def test_the_chief_seals_a_new_data_key_to_every_user_and_the_recovery_code_without_their_passphrases(
        home: Path) -> None:
    store, code = _three_users(home)
    old_key = store._data_key()
    store.close()
    new_key = crypto.random_key()
    kr = Keyring.load(home)
    # The chief has only the data key (their own unlock): no other passphrase goes in here.
    result = kr.reseal(new_key)
    assert result.needs_reset == [] and result.recovery_dropped is False
    for login, p in (("chief", PASS), ("officer1", OFFICER_PASS), ("grid1", GRID_PASS)):
        assert kr.unwrap_user(login, p) == new_key
    assert kr.unwrap_recovery(recovery.parse(code)) == new_key
    assert kr.unwrap_user("grid1", OFFICER_PASS) is None  # each seal opens for its own passphrase only
    # The old keyring.json still opens the old key: the database must be re-encrypted under the
    # new key too (the rotation proper, ROTATION_STATUS.md) for a copy of it to stop mattering.
    assert Keyring.load(home).unwrap_user("grid1", GRID_PASS) == old_key


def test_a_seal_or_private_key_moved_to_another_login_does_not_open(home: Path) -> None:
    store, _code = _three_users(home)
    store.close()
    kr = json.loads((home / "keyring.json").read_text())
    # The grid worker copies the chief's sealed key and key pair onto their own login.
    kr["users"]["grid1"]["sealed_key"] = kr["users"]["chief"]["sealed_key"]
    (home / "keyring.json").write_text(json.dumps(kr))
    with pytest.raises(AuthError):
        Store.open(home, user="grid1", passphrase=GRID_PASS)
    kr["users"]["grid1"]["kp"] = kr["users"]["chief"]["kp"]
    (home / "keyring.json").write_text(json.dumps(kr))
    with pytest.raises(AuthError):
        Store.open(home, user="grid1", passphrase=GRID_PASS)


def test_a_format_1_keyring_gets_key_pairs_at_each_users_next_unlock(home: Path) -> None:
    store, code = _three_users(home)
    rec = store.records.create("people", {"name": "张伟"})
    key = store._data_key()
    store.reset_passphrase("officer1", "temporary horse 55")
    store.close()
    _as_format_1(home, key, {"chief": PASS, "officer1": "temporary horse 55", "grid1": GRID_PASS}, code)
    kr = json.loads((home / "keyring.json").read_text())
    kr["users"]["officer1"]["must_change"] = True
    (home / "keyring.json").write_text(json.dumps(kr))

    Store.open(home, user="chief", passphrase=PASS).close()
    officer = Store.open(home, user="officer1", passphrase="temporary horse 55")
    assert officer.records.get(rec.uuid).data == {"name": "张伟"}
    assert officer.must_change_passphrase  # the reset's mark survives the upgrade
    officer.close()
    kr = json.loads((home / "keyring.json").read_text())
    assert kr["format"] == 2
    assert "kp" in kr["users"]["chief"] and "wrapped_key" not in kr["users"]["chief"]
    assert "kp" in kr["users"]["officer1"] and kr["users"]["officer1"]["must_change"] is True
    assert "wrapped_key" in kr["users"]["grid1"]  # has not unlocked yet
    assert Keyring.load(home).unsealable() == (["grid1"], True)
    # The recovery wrap upgrades when the code is next used.
    Store.recover(home, recovery_code=code, user="chief", new_passphrase="chief horse 66").close()
    assert Keyring.load(home).unsealable() == (["grid1"], False)
    Store.open(home, user="chief", passphrase="chief horse 66").close()


def test_a_user_who_never_unlocked_before_a_reseal_must_be_reset_by_the_chief(home: Path) -> None:
    store, code = _three_users(home)
    key = store._data_key()
    store.close()
    _as_format_1(home, key, {"chief": PASS, "officer1": OFFICER_PASS, "grid1": GRID_PASS}, code)
    Store.open(home, user="chief", passphrase=PASS).close()  # only the chief unlocks after the upgrade

    kr = Keyring.load(home)
    result = kr.reseal(key)
    assert result.needs_reset == ["grid1", "officer1"] and result.recovery_dropped is True
    with Keyring.locked(home):
        kr.save()
    with pytest.raises(AuthError) as e:
        Store.open(home, user="grid1", passphrase=GRID_PASS)
    assert e.value.code == "needs_reset" and "请找所长重设口令" in e.value.message
    with pytest.raises(AuthError):
        Store.recover(home, recovery_code=code, user="chief", new_passphrase="chief horse 66")

    chief = Store.open(home, user="chief", passphrase=PASS)
    assert chief.user_states()["grid1"]["needs_reset"] is True
    chief.reset_passphrase("grid1", "temporary horse 77")
    chief.close()
    grid = Store.open(home, user="grid1", passphrase="temporary horse 77")
    assert grid.must_change_passphrase
    grid.close()
