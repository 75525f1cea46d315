"""Restricted modules under their own key (issue 11, item 2): a grid worker's passphrase, with
the raw files and the Python API, reads no key person, case, appointment, ID application or
watch-list reason; the officer's and the chief's read them all; an old store is moved over."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sqlcipher3

from fieldkit.domain.errors import PermissionDenied
from fieldkit.formspec import permissions
from fieldkit.store import Store, rotation
from fieldkit.store.keyring import Keyring
from fieldkit.store.partition import RESTRICTED_DB, db_key

from .conftest import PASS, person_terms

OFFICER_PASS = "officer horse 22"
GRID_PASS = "grid worker horse 33"
SECRET_NAME = "李重点"
SECRET_ID = "350525198001011234"
SECRET_REASON = "涉毒前科复查"
PHOTO = b"\x89PNG-applicant-photo-" + b"x" * 200


def _fill(store: Store) -> dict[str, str]:
    store.add_user("officer1", role="officer", passphrase=OFFICER_PASS)
    store.add_user("grid1", role="grid_worker", passphrase=GRID_PASS)
    kp = store.records.create("key_persons", {"name": SECRET_NAME, "id_number": SECRET_ID, "category": "涉毒"},
                              terms=person_terms(SECRET_NAME, SECRET_ID))
    case = store.records.create("cases", {"title": f"{SECRET_NAME}盗窃案"}, terms=person_terms(SECRET_NAME, "c1"))
    app = store.records.create("id_applications", {"name": SECRET_NAME, "id_number": SECRET_ID},
                               terms=person_terms(SECRET_NAME, SECRET_ID))
    store.attachments.put(PHOTO, kind="idphoto", record_uuid=app.uuid, module="id_applications")
    res = store.records.create("residents", {"name": "王普通", "id_number": "350525199001011235"},
                               terms=person_terms("王普通", "350525199001011235"))
    store.watchlist.add(SECRET_ID, SECRET_REASON, "platform")
    store.drafts.save(f"key_persons:{kp.uuid}", {"name": SECRET_NAME, "note": "未保存的草稿"})
    return {"kp": kp.uuid, "case": case.uuid, "app": app.uuid, "res": res.uuid}


@pytest.fixture
def filled(home: Path) -> dict[str, str]:
    store, _code = Store.create(home, user="chief", passphrase=PASS)
    with store:
        return _fill(store)


def _secrets_in(blob: bytes) -> list[str]:
    found = [s for s in (SECRET_NAME, SECRET_ID, SECRET_REASON) if s.encode() in blob]
    return found + (["photo"] if PHOTO in blob else [])


def _plain_pages(path: Path, key: bytes) -> bytes:
    """Every page of the SQLCipher 4 database `path` (and its WAL) decrypted with the raw `key`,
    free pages included — so deleted content that lingered would show. SQLCipher 4's page: the
    data AES-256-CBC encrypted, then 80 reserved bytes (IV 16, HMAC 64); page 1 starts with the
    16-byte salt."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    page, reserve = 4096, 80

    def pages(blob: bytes, first_salted: bool) -> bytes:
        out = []
        for i in range(0, len(blob) - page + 1, page):
            p = blob[i : i + page]
            start = 16 if (first_salted and i == 0) else 0
            iv = p[page - reserve : page - reserve + 16]
            dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
            out.append(dec.update(p[start : page - reserve]) + dec.finalize())
        return b"".join(out)

    plain = pages(path.read_bytes(), True)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():  # frames: a 32-byte header, then (24-byte frame header + page) each
        blob = wal.read_bytes()[32:]
        plain += pages(b"".join(blob[i + 24 : i + 24 + page] for i in range(0, len(blob), 24 + page)), False)
    return plain


def _opens(path: Path, key: bytes) -> bool:
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()


def test_a_grid_workers_passphrase_and_the_raw_files_find_no_key_person(home: Path, filled: dict[str, str]) -> None:
    # The script an attacker with the grid worker's passphrase would write.
    kr = Keyring.load(home)
    data_key = kr.unwrap_user("grid1", GRID_PASS)
    assert data_key is not None and kr.rkey is None  # the grid worker's seal holds no restricted key
    assert "sealed_rkey" not in kr.data["users"]["grid1"]
    # Every key the code can derive from what the grid worker holds.
    derived = [data_key, *(rotation.subkey(data_key, kr.store_id, p) for p in
                           ("attachments", "attachment-names", "watchlist", "audit", "lockout"))]
    derived += [db_key(k, kr.store_id) for k in list(derived)]
    assert not any(_opens(home / RESTRICTED_DB, k) for k in derived)
    # The main database, decrypted page by page (free pages included), and every file raw.
    assert _secrets_in(_plain_pages(home / "fieldkit.db", data_key)) == []
    for f in home.rglob("*"):
        if f.is_file() and not f.name.endswith(".plain"):
            assert _secrets_in(f.read_bytes()) == [], f
    # The attachment files: none opens under the main attachment key.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    aead = AESGCM(rotation.subkey(data_key, kr.store_id, "attachments"))
    for f in (home / "attachments").rglob("*"):
        if f.is_file():
            with pytest.raises(Exception):  # noqa: B017 (InvalidTag: any failure is the point)
                aead.decrypt(f.read_bytes()[:12], f.read_bytes()[12:], f.name.encode())

    # The Python API, as the grid worker.
    with Store.open(home, user="grid1", passphrase=GRID_PASS) as grid:
        assert not grid.holds_restricted
        assert grid.records.get(filled["kp"]) is None and grid.records.get(filled["app"]) is None
        assert grid.records.get(filled["res"]) is not None  # the rest of the store is there
        for module in ("key_persons", "cases", "appointments", "id_applications"):
            with pytest.raises(PermissionDenied) as e:
                grid.records.ids(module)
            assert e.value.code == "restricted_locked" and "受限模块" in e.value.message
        assert [h.module for h in grid.search.exact("name", SECRET_NAME)] == []
        assert grid.search.exact("name", "王普通")  # searching still works for what it may see
        assert "key_persons" not in grid.records.modules()
        assert grid.drafts.load(f"key_persons:{filled['kp']}") is None
        hit = grid.watchlist.check(SECRET_ID)
        assert hit is not None and SECRET_REASON not in hit.reason and "仅民警和所长可见" in hit.reason
        # Writing into a restricted module is refused, not silently put where it could be read.
        with pytest.raises(PermissionDenied):
            grid.records.create("key_persons", {"name": "新人"})
        # Raw SQL through the store's own connection: the restricted schema is not there.
        with grid._raw() as conn:
            assert [r[1] for r in conn.execute("PRAGMA database_list")] == ["main"]
            text = json.dumps([list(r) for r in conn.execute("SELECT * FROM records")], ensure_ascii=False)
            assert SECRET_NAME not in text


def test_editing_the_keyring_role_gives_a_grid_worker_nothing(home: Path, filled: dict[str, str]) -> None:
    path = home / "keyring.json"
    data = json.loads(path.read_text())
    data["users"]["grid1"]["role"] = "chief"
    data["restricted"]["roles"].append("grid_worker")
    path.write_text(json.dumps(data))
    with Store.open(home, user="grid1", passphrase=GRID_PASS) as grid:
        assert not grid.holds_restricted and grid.records.get(filled["kp"]) is None


def test_the_officer_and_the_chief_read_and_search_everything(home: Path, filled: dict[str, str]) -> None:
    for login, pw in (("officer1", OFFICER_PASS), ("chief", PASS)):
        with Store.open(home, user=login, passphrase=pw) as s:
            assert s.holds_restricted
            assert s.records.get(filled["kp"]).data["name"] == SECRET_NAME
            assert {h.module for h in s.search.exact("name", SECRET_NAME)} == {"key_persons", "cases", "id_applications"}
            assert s.records.count("key_persons") == 1
            assert s.watchlist.check(SECRET_ID).reason == SECRET_REASON
            sha = s.attachments.for_record(filled["app"])[0][0]
            assert s.attachments.get(sha) == PHOTO
            assert s.drafts.load(f"key_persons:{filled['kp']}")["note"] == "未保存的草稿"
            # Its edits queue for sync with the rest, numbered apart from the main database's.
            s.records.update(filled["kp"], {"category": "涉毒（复查）"})
            pending = {o.module for o in s.outbox.pending(5000)}
            assert {"key_persons", "residents"} <= pending
            assert s.records.history(filled["kp"])[-1].new == "涉毒（复查）"


def test_the_recovery_code_opens_the_restricted_records_too(home: Path) -> None:
    store, code = Store.create(home, user="chief", passphrase=PASS)
    with store:
        uuids = _fill(store)
    with Store.recover(home, recovery_code=code, user="chief", new_passphrase="brand new horse 44") as s:
        assert s.holds_restricted and s.records.get(uuids["kp"]) is not None


def test_a_store_made_before_restricted_modules_is_moved_at_the_first_officer_unlock(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nothing = permissions.Partition(frozenset(), frozenset())
    monkeypatch.setattr("fieldkit.formspec.permissions.default_partition", lambda _d: nothing)
    store, _ = Store.create(home, user="chief", passphrase=PASS)
    with store:
        uuids = _fill(store)  # written as an older FieldKit did: all in fieldkit.db
    assert not (home / RESTRICTED_DB).exists()
    monkeypatch.undo()
    # A grid worker's unlock cannot make the partition (it would hold the key): nothing moves.
    with Store.open(home, user="grid1", passphrase=GRID_PASS):
        pass
    assert not (home / RESTRICTED_DB).exists()
    with Store.open(home, user="officer1", passphrase=OFFICER_PASS) as officer:
        assert officer.holds_restricted and officer.records.get(uuids["kp"]).data["name"] == SECRET_NAME
        sha = officer.attachments.for_record(uuids["app"])[0][0]
        assert officer.attachments.get(sha) == PHOTO
        moved = [e for e in officer.audit.entries() if e.action == "restricted_moved"]
        assert moved and moved[-1].detail["records"] == 3 and moved[-1].detail["attachments"] == 1
        assert officer.outbox.pending_for(uuids["kp"])  # its unsent creation moved with it
    kr = Keyring.load(home)
    data_key = kr.unwrap_user("grid1", GRID_PASS)
    assert data_key is not None
    # Gone from fieldkit.db's pages, free ones included: the grid worker's key finds nothing.
    assert _secrets_in(_plain_pages(home / "fieldkit.db", data_key)) == []
    with Store.open(home, user="grid1", passphrase=GRID_PASS) as grid:
        assert grid.records.get(uuids["kp"]) is None and grid.records.get(uuids["res"]) is not None


def test_a_rotation_rekeys_the_restricted_database_and_old_keyrings_stop_opening_it(
        home: Path, filled: dict[str, str]) -> None:
    old_keyring = json.loads((home / "keyring.json").read_text())
    with Store.open(home, user="chief", passphrase=PASS) as chief:
        chief.remove_user("officer1")
        assert chief.records.get(filled["kp"]).data["name"] == SECRET_NAME
        sha = chief.attachments.for_record(filled["app"])[0][0]
        assert chief.attachments.get(sha) == PHOTO
    old = Keyring(home, old_keyring)
    assert old.unwrap_user("officer1", OFFICER_PASS) is not None and old.rkey is not None
    assert not _opens(home / RESTRICTED_DB, db_key(old.rkey, old.store_id))
    with Store.open(home, user="chief", passphrase=PASS) as chief:
        assert chief.records.get(filled["kp"]) is not None


def test_a_backup_carries_the_restricted_database_and_restore_lists_what_it_lacks(
        home: Path, filled: dict[str, str], tmp_path: Path) -> None:
    with Store.open(home, user="chief", passphrase=PASS) as chief:
        dest = chief.backup(tmp_path / "b.fkbackup")
    restored = tmp_path / "restored"
    Store.restore(dest, restored)
    with Store.open(restored, user="officer1", passphrase=OFFICER_PASS) as s:
        assert s.records.get(filled["kp"]).data["name"] == SECRET_NAME
    with Store.open(home, user="chief", passphrase=PASS) as chief:
        chief.records.create("key_persons", {"name": "后来的人"}, terms=person_terms("后来的人", "x"))
    from fieldkit.store import BackupLacksNewer
    with pytest.raises(BackupLacksNewer) as e:
        Store.restore_guarded(dest, home, user="chief", roles=("chief",), passphrase=PASS)
    assert e.value.lacks["modules"]["key_persons"]["new"] == 1


def test_what_a_grid_workers_session_pulls_of_a_key_person_waits_sealed_for_the_officer(
        home: Path, filled: dict[str, str]) -> None:
    with Store.open(home, user="grid1", passphrase=GRID_PASS) as grid:
        assert not grid.sync.holds("key_persons") and grid.sync.holds("residents")
        grid.sync.seal_pulled({"uuid": "x", "module": "key_persons", "name": SECRET_NAME})
        assert grid.sync.sealed_count() == 1 and grid.sync.sealed_pulled() == []
    kr = Keyring.load(home)
    assert _secrets_in(_plain_pages(home / "fieldkit.db", kr.unwrap_user("grid1", GRID_PASS))) == []
    with Store.open(home, user="officer1", passphrase=OFFICER_PASS) as officer:
        [(_id, change)] = officer.sync.sealed_pulled()
        assert change["name"] == SECRET_NAME


def test_the_permissions_table_decides_what_is_restricted() -> None:
    from fieldkit.formspec import default_forms_dir

    p = permissions.default_partition(default_forms_dir())
    assert p.modules == {"key_persons", "cases", "appointments", "id_applications"}
    assert p.roles == {"officer", "chief"}
    assert re.search(r"grid_worker = \[\]", (default_forms_dir() / "permissions.toml").read_text())


OLD_STORE = Path(__file__).parent / "data" / "store-before-restricted"


def test_a_real_store_written_before_restricted_modules_upgrades_at_the_officers_unlock(tmp_path: Path) -> None:
    # Written by FieldKit 7e8995a (a demo township of 20 people, plus an ID application with a
    # photo and a watch-list entry): its key persons, cases, … are in fieldkit.db.
    import shutil

    home = tmp_path / "old"
    shutil.copytree(OLD_STORE, home)
    kr = Keyring.load(home)
    assert kr.restricted() is None
    grid_key = kr.unwrap_user("grid1", GRID_PASS)
    assert grid_key is not None and "林申请".encode() in _plain_pages(home / "fieldkit.db", grid_key)
    with Store.open(home, user="officer1", passphrase=OFFICER_PASS) as officer:
        assert officer.holds_restricted
        counts = {m: officer.records.count(m) for m in ("key_persons", "cases", "appointments", "id_applications")}
        assert all(n >= 1 for n in counts.values()), counts
        [app] = [officer.records.rows([i])[0] for i in officer.records.ids("id_applications")
                 if officer.records.rows([i])[0].data.get("name") == "林申请"]
        assert officer.attachments.get(officer.attachments.for_record(app.uuid)[0][0]).startswith(b"\x89PNG-old")
        assert officer.watchlist.check("350525198001011234").reason == "旧版本布控理由"
        assert officer.audit.verify().ok and officer.integrity_check() == []
        moved = [e for e in officer.audit.entries() if e.action == "restricted_moved"][-1]
        assert moved.detail["records"] == sum(counts.values())
    assert "林申请".encode() not in _plain_pages(home / "fieldkit.db", grid_key)
    assert "旧版本布控理由".encode() not in _plain_pages(home / "fieldkit.db", grid_key)
    with Store.open(home, user="grid1", passphrase=GRID_PASS) as grid:
        assert not grid.holds_restricted and grid.records.get(app.uuid) is None
        assert grid.records.count("residents") >= 20


def test_a_cancelled_rotation_stays_due_until_it_is_finished(home: Path, filled: dict[str, str]) -> None:
    from fieldkit.domain.errors import Cancelled

    old_keyring = json.loads((home / "keyring.json").read_text())
    seen: list[tuple[str, int, int]] = []
    with Store.open(home, user="chief", passphrase=PASS) as chief:
        with pytest.raises(Cancelled):
            chief.remove_user("officer1", progress=lambda ph, d, t: seen.append((ph, d, t)), cancel=lambda: bool(seen))
        assert chief.rotation_due["reason"] == "user_remove:officer1"
        assert "officer1" not in chief.user_states()  # the removal itself stands
        # Not yet rotated: the removed officer's old keyring copy still opens today's data.
        old = Keyring(home, json.loads(json.dumps(old_keyring)))
        assert _opens(home / "fieldkit.db", old.unwrap_user("officer1", OFFICER_PASS))
        detail = chief.rotate_if_due(progress=lambda ph, d, t: seen.append((ph, d, t)))
        assert detail is not None and detail["reason"] == "user_remove:officer1" and chief.rotation_due is None
        assert seen and seen[-1][1] == seen[-1][2]  # progress reached its total
        assert chief.rotate_if_due() is None
    old = Keyring(home, old_keyring)
    assert not _opens(home / "fieldkit.db", old.unwrap_user("officer1", OFFICER_PASS))
    assert not _opens(home / RESTRICTED_DB, db_key(old.rkey, old.store_id))


def test_a_role_change_hands_the_restricted_key_over_or_takes_it_away(home: Path, filled: dict[str, str]) -> None:
    with Store.open(home, user="chief", passphrase=PASS) as chief:
        chief.set_role("grid1", "officer")  # promoted: the chief seals the key to them, no passphrase needed
    with Store.open(home, user="grid1", passphrase=GRID_PASS) as promoted:
        assert promoted.holds_restricted and promoted.records.get(filled["kp"]) is not None
    before = json.loads((home / "keyring.json").read_text())
    with Store.open(home, user="chief", passphrase=PASS) as chief:
        chief.set_role("officer1", "grid_worker")  # demoted: the key is taken away and rotated
        assert [e.action for e in chief.audit.entries(limit=3)][:2] == ["key_rotated", "user_role"]
    with Store.open(home, user="officer1", passphrase=OFFICER_PASS) as demoted:
        assert not demoted.holds_restricted and demoted.records.get(filled["kp"]) is None
    old = Keyring(home, before)
    assert old.unwrap_user("officer1", OFFICER_PASS) is not None and old.rkey is not None
    assert not _opens(home / RESTRICTED_DB, db_key(old.rkey, old.store_id))


def test_a_backup_reads_back_restricted_records_and_photos_for_the_chief(filled, home, tmp_path):
    """The chief's session holds the restricted database: its records are counted and its
    attachments (an ID-application photo) decrypted when a backup is read back."""
    with Store.open(home, user="chief", passphrase=PASS) as store:
        path = store.backup(tmp_path / "b.fkbackup")
        check = store.verify_backup(path)
    assert check["ok"], check["problems"]
    assert check["records"] == 4 and check["attachments"] == 1
    # The grid worker's session cannot open it: it checks what it can, and the count it can see.
    with Store.open(home, user="grid1", passphrase=GRID_PASS) as store:
        path = store.backup(tmp_path / "g.fkbackup")
        check = store.verify_backup(path)
    assert check["ok"] and check["records"] == 1 and check["attachments"] == 0
