"""Rotating the data key when a user is removed or disabled or the recovery code replaced
(issue 11, item 3): an old keyring.json copy plus the departed user's old passphrase (or the old
recovery code) no longer opens the store, while every remaining user and the new code do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlcipher3

from fieldkit.domain.errors import AuthError, Cancelled, PermissionDenied, StorageError, UserFacingError
from fieldkit.store import Store, recovery
from fieldkit.store.attachments import Attachments
from fieldkit.store.ctx import Ctx
from fieldkit.store.keyring import Keyring
from fieldkit.store.rotation import subkey

from .conftest import PASS

OFFICER_PASS = "officer horse 22"
GRID_PASS = "grid worker horse 33"
PHOTO = b"\x89PNG fake photo bytes " * 50


def _station(home: Path) -> tuple[Store, str, str, str]:
    store, code = Store.create(home, user="chief", passphrase=PASS)
    store.add_user("officer1", role="officer", passphrase=OFFICER_PASS)
    store.add_user("grid1", role="grid_worker", passphrase=GRID_PASS)
    rec = store.records.create("people", {"name": "张伟"})
    sha = store.attachments.put(PHOTO, kind="photo", record_uuid=rec.uuid)
    store.watchlist.add("350102199001011234", "在逃")
    return store, code, rec.uuid, sha


def _old_key_opens(home: Path, old_keyring: Path, login: str, passphrase: str) -> bytes | None:
    """The thief's try: the copied keyring.json beside today's fieldkit.db, the old passphrase,
    then the database raw with the key that gives."""
    key = Keyring(home, json.loads(old_keyring.read_text())).unwrap_user(login, passphrase)
    assert key is not None  # the copy still yields the *old* key
    conn = sqlcipher3.connect(str(home / "fieldkit.db"))
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM records").fetchone()
    except sqlcipher3.DatabaseError:
        return None
    finally:
        conn.close()
    return key


def test_an_old_keyring_copy_and_a_removed_users_passphrase_no_longer_open_the_store(tmp_path: Path, home: Path) -> None:
    store, code, uuid, sha = _station(home)
    copy = tmp_path / "keyring-copy.json"
    shutil.copy(home / "keyring.json", copy)
    # The attack as the issue states it, before rotation existed: the copy opens the database.
    assert _old_key_opens(home, copy, "grid1", GRID_PASS) is not None

    store.remove_user("grid1")
    assert _old_key_opens(home, copy, "grid1", GRID_PASS) is None
    # Putting the copy back over the keyring does not help either: Store.open fails on the database.
    store.close()
    shutil.copy(home / "keyring.json", tmp_path / "keyring-now.json")
    shutil.copy(copy, home / "keyring.json")
    with pytest.raises(StorageError):
        Store.open(home, user="grid1", passphrase=GRID_PASS)
    shutil.copy(tmp_path / "keyring-now.json", home / "keyring.json")
    # Nor does the old attachment key read the re-encrypted photo files.
    old_key = Keyring(home, json.loads(copy.read_text())).unwrap_user("chief", PASS)
    assert old_key is not None
    files = [p for p in (home / "attachments").glob("*/*")]
    assert len(files) == 1
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    blob = files[0].read_bytes()
    with pytest.raises(Exception):  # noqa: B017 - InvalidTag: the old key does not open it
        AESGCM(subkey(old_key, store.store_id, "attachments")).decrypt(blob[:12], blob[12:], files[0].name.encode())

    for login, p in (("chief", PASS), ("officer1", OFFICER_PASS)):
        s = Store.open(home, user=login, passphrase=p)
        assert s.records.get(uuid).data == {"name": "张伟"}
        assert s.attachments.get(sha) == PHOTO
        assert s.watchlist.check("350102199001011234") is not None  # the watch list's hashes still match
        assert s.integrity_check() == []
        assert s.audit.verify().ok
        s.close()
    with pytest.raises(AuthError):
        Store.open(home, user="grid1", passphrase=GRID_PASS)
    s = Store.recover(home, recovery_code=code, user="chief", new_passphrase="chief horse 66")
    [entry] = [e for e in s.audit.entries(limit=50) if e.action == "key_rotated"]
    assert entry.detail["reason"] == "user_remove:grid1"
    assert entry.detail["records"] == 1 and entry.detail["attachments"] == 1 and entry.detail["users"] == 2
    s.close()


def test_disabling_a_user_rotates_the_key_too(tmp_path: Path, home: Path) -> None:
    store, _code, uuid, _sha = _station(home)
    copy = tmp_path / "keyring-copy.json"
    shutil.copy(home / "keyring.json", copy)
    store.disable_user("grid1")
    [entry] = [e for e in store.audit.entries(limit=50) if e.action == "key_rotated"]
    assert entry.detail["reason"] == "user_disable:grid1" and entry.detail["users"] == 2
    store.close()
    assert _old_key_opens(home, copy, "grid1", GRID_PASS) is None
    s = Store.open(home, user="officer1", passphrase=OFFICER_PASS)
    assert s.records.get(uuid).data == {"name": "张伟"}
    s.close()


def test_a_replaced_recovery_code_with_an_old_keyring_copy_opens_nothing(tmp_path: Path, home: Path) -> None:
    store, old_code, uuid, _sha = _station(home)
    copy = tmp_path / "keyring-copy.json"
    shutil.copy(home / "keyring.json", copy)
    new_code = store.new_recovery_code()
    store.close()
    old_key = Keyring(home, json.loads(copy.read_text())).unwrap_recovery(recovery.parse(old_code))
    assert old_key is not None
    conn = sqlcipher3.connect(str(home / "fieldkit.db"))
    conn.execute(f"PRAGMA key = \"x'{old_key.hex()}'\"")
    with pytest.raises(sqlcipher3.DatabaseError):
        conn.execute("SELECT count(*) FROM records").fetchone()
    conn.close()
    with pytest.raises(AuthError):
        Store.recover(home, recovery_code=old_code, user="chief", new_passphrase="chief horse 66")
    s = Store.recover(home, recovery_code=new_code, user="chief", new_passphrase="chief horse 66")
    assert s.records.get(uuid).data == {"name": "张伟"}
    s.close()


def test_cancelling_a_rotation_changes_nothing_and_leaves_no_file(home: Path) -> None:
    store, _code, uuid, _sha = _station(home)
    before = json.loads((home / "keyring.json").read_text())
    seen: list[tuple[str, int, int]] = []

    def progress(phase: str, done: int, total: int) -> None:
        seen.append((phase, done, total))

    with pytest.raises(Cancelled):
        store.rotate_data_key(reason="test", progress=progress, cancel=lambda: len(seen) >= 1)
    after = json.loads((home / "keyring.json").read_text())
    assert (after["users"], after["recovery"], after["lockout"]) == (before["users"], before["recovery"], before["lockout"])
    assert "rotation" not in after
    assert sorted(p.name for p in home.iterdir() if "rotating" in p.name) == []
    assert store.records.get(uuid).data == {"name": "张伟"}
    detail = store.rotate_data_key(reason="test", progress=progress)
    assert detail["records"] == 1 and seen[-1][0] == "attachments" and seen[-1][1] == seen[-1][2] == 1
    store.close()
    Store.open(home, user="grid1", passphrase=GRID_PASS).close()


def test_only_the_chief_rotates(home: Path) -> None:
    store, *_ = _station(home)
    store.close()
    officer = Store.open(home, user="officer1", passphrase=OFFICER_PASS)
    with pytest.raises(PermissionDenied):
        officer.rotate_data_key(reason="x")
    officer.close()


def test_attachments_helper_reads_with_the_rotated_key(home: Path) -> None:
    """After a rotation the store's own Attachments object uses the new keys at once."""
    store, _code, _uuid, sha = _station(home)
    store.rotate_data_key(reason="test")
    assert store.attachments.get(sha) == PHOTO
    fresh = Attachments(Ctx(db=store._db, home=home, user="chief", hlc=store._ctx.hlc, schema_version=0,
                            keys=store._ctx.keys))
    assert fresh.get(sha) == PHOTO
    store.close()


def test_a_rotation_inside_an_open_transaction_is_refused_and_changes_nothing(home: Path) -> None:
    store, _code, uuid, _sha = _station(home)
    with pytest.raises(UserFacingError) as e, store.transaction():
        store.rotate_data_key(reason="x")
    assert e.value.code == "in_transaction"
    assert store.records.get(uuid).data == {"name": "张伟"}
    store.close()
    Store.open(home, user="grid1", passphrase=GRID_PASS).close()
