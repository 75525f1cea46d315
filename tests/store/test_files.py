"""Attachments, watch list, settings, drafts, backup and restore."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from fieldkit.domain.errors import Conflict, IntegrityError, NotFound
from fieldkit.store import Store

from .conftest import PASS, person_terms

PHOTO = "证件照：张伟 110101199003070011".encode() * 50


def test_attachment_is_encrypted_on_disk_and_named_opaquely(store: Store, home: Path) -> None:
    sha = store.attachments.put(PHOTO, kind="photo", record_uuid="rec-1")
    assert sha == hashlib.sha256(PHOTO).hexdigest()
    assert store.attachments.has(sha) and store.attachments.get(sha) == PHOTO
    files = [p for p in (home / "attachments").rglob("*") if p.is_file()]
    assert len(files) == 1
    blob = files[0].read_bytes()
    assert "张伟".encode() not in blob and b"110101199003070011" not in blob
    assert sha not in files[0].name and sha[:16] not in str(files[0])
    assert store.attachments.for_record("rec-1") == [(sha, "photo", len(PHOTO))]
    assert store.attachments.put(PHOTO, kind="photo") == sha  # same content stored once
    assert len([p for p in (home / "attachments").rglob("*") if p.is_file()]) == 1


def test_an_altered_attachment_is_refused(store: Store, home: Path) -> None:
    sha = store.attachments.put(PHOTO, kind="photo")
    f = next(p for p in (home / "attachments").rglob("*") if p.is_file())
    raw = bytearray(f.read_bytes())
    raw[40] ^= 1
    f.write_bytes(bytes(raw))
    with pytest.raises(IntegrityError):
        store.attachments.get(sha)
    with pytest.raises(NotFound):
        store.attachments.get("0" * 64)


def test_watchlist_matches_normalised_id_numbers_and_stores_only_keyed_hashes(store: Store) -> None:
    store.watchlist.add("11010119900307002x", "涉毒前科", "市局回流")
    hit = store.watchlist.check(" 11010119900307002X ")
    assert hit is not None and hit.reason == "涉毒前科" and hit.source == "市局回流" and hit.added_by == "chief"
    assert store.watchlist.check("110101199003070011") is None
    with store._raw() as conn:
        (mac,) = conn.execute("SELECT id_mac FROM watchlist").fetchone()
    assert b"110101" not in mac and hashlib.sha256(b"11010119900307002X").digest() != mac
    assert store.watchlist.remove("11010119900307002X") and store.watchlist.check("11010119900307002X") is None


def test_settings_and_drafts_round_trip(store: Store, home: Path) -> None:
    store.settings.set("ui.font_size", 14)
    store.settings.set("station", {"name": "城关派出所"})
    assert store.settings.get("ui.font_size") == 14 and store.settings.get("missing", "d") == "d"
    store.drafts.save("visits:new", {"name": "张三", "notes": "未完成"})
    assert store.drafts.load("visits:new") == {"name": "张三", "notes": "未完成"}
    store.close()
    again = Store.open(home, user="chief", passphrase=PASS)
    assert again.settings.get("station") == {"name": "城关派出所"}
    assert again.drafts.keys() == ["visits:new"]
    again.drafts.discard("visits:new")
    assert again.drafts.load("visits:new") is None
    again.close()


def test_backup_restores_into_an_empty_home(store: Store, tmp_path: Path) -> None:
    uid = store.records.create("people", {"name": "张伟"}, terms=person_terms("张伟", "110101199003070011")).uuid
    sha = store.attachments.put(PHOTO, kind="photo")
    store.audit.log("view", target=uid)
    dest = store.backup(tmp_path / "out" / "station-backup")
    assert dest.suffix == ".fkbackup" and dest.is_file()
    with zipfile.ZipFile(dest) as z:
        assert {"fieldkit.db", "keyring.json", "fieldkit-backup.json"} <= set(z.namelist())
    other = tmp_path / "restored"
    Store.restore(dest, other)
    back = Store.open(other, user="chief", passphrase=PASS)
    assert back.records.get(uid).data == {"name": "张伟"}
    assert [h.uuid for h in back.search.exact("name", "张伟")] == [uid]
    assert back.attachments.get(sha) == PHOTO
    assert back.audit.verify().ok and back.integrity_check() == []
    back.close()


def test_restore_refuses_to_overwrite_unless_asked(store: Store, home: Path, tmp_path: Path) -> None:
    store.records.create("people", {"name": "旧"})
    dest = store.backup(tmp_path / "b.fkbackup")
    newer = store.records.create("people", {"name": "新"}).uuid
    store.close()
    with pytest.raises(Conflict):
        Store.restore(dest, home)
    with Store.open(home, user="chief", passphrase=PASS) as still:
        assert still.records.get(newer) is not None
    Store.restore(dest, home, overwrite=True)
    back = Store.open(home, user="chief", passphrase=PASS)
    assert back.records.get(newer) is None and back.records.count("people") == 1
    assert back.integrity_check() == []
    back.close()


def test_restore_rejects_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    bad = tmp_path / "x.fkbackup"
    bad.write_bytes(b"not a zip")
    from fieldkit.domain.errors import StorageError

    with pytest.raises(StorageError):
        Store.restore(bad, tmp_path / "h")
