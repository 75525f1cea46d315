"""The index of attachment references: what a sync round uploads and downloads, kept by the writes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from fieldkit.store import Store, migrations

from .conftest import PASS

HLC = "0001900000000000001a2b"


def _state(uuid: str, **fields: object) -> dict:
    """A sync state as the adapter stores it: each field's live versions, values in wire form."""
    return {"uuid": uuid, "module": "residents", "schema": 1001,
            "fields": {f: [{"v": v, "h": HLC}] for f, v in fields.items()}}


def _ref(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_the_upload_and_download_lists_follow_states_files_and_marks(store: Store) -> None:
    photo, finger = b"photo" * 50, b"template" * 20
    sha = store.attachments.put(photo, kind="photo")
    rec = store.records.create("residents", {"name": "孙七", "photo": sha})
    assert store.sync.to_upload() == []  # not on the server yet: records go first
    store.sync.set_state(rec.uuid, _state(rec.uuid, name="孙七", photo=_ref(photo),
                                          prints={"left": [_ref(finger)]}))
    assert store.sync.to_upload() == [(rec.uuid, sha)]
    fsha = hashlib.sha256(finger).hexdigest()
    assert store.sync.to_download() == [(rec.uuid, fsha)]  # nested values count; the template is not here
    store.sync.mark_uploaded(sha)
    assert store.sync.to_upload() == []
    store.attachments.put(finger, kind="fingerprint")
    assert store.sync.to_download() == [] and store.sync.to_upload() == [(rec.uuid, fsha)]


def test_a_merged_pulled_state_replaces_the_records_references(store: Store) -> None:
    old, new = b"old photo" * 9, b"new photo" * 9
    uid = "6f1c2a4e-0000-4000-8000-0000000000aa"
    store.records.apply_remote(uid, "residents", {"photo": hashlib.sha256(old).hexdigest()}, {"photo": HLC},
                               sync_state=_state(uid, photo=_ref(old)))
    assert store.sync.to_download() == [(uid, hashlib.sha256(old).hexdigest())]
    # The photo was retaken elsewhere: the old file is no longer wanted, the new one is.
    store.records.apply_remote(uid, "residents", {"photo": hashlib.sha256(new).hexdigest()}, {"photo": HLC},
                               sync_state=_state(uid, photo=_ref(new)))
    assert store.sync.to_download() == [(uid, hashlib.sha256(new).hexdigest())]
    # Deleted on the server with the photo field cleared: nothing to fetch for it.
    store.records.apply_remote(uid, "residents", {}, {"_deleted": HLC}, deleted=True,
                               sync_state=_state(uid, _deleted=True))
    assert store.sync.to_download() == []


def test_a_store_made_before_the_index_gets_it_filled_on_upgrade(home: Path, monkeypatch) -> None:
    monkeypatch.setattr(migrations, "STEPS", migrations.STEPS.before("0010_attachment_refs"))
    old, _ = Store.create(home, user="chief", passphrase=PASS)
    here, sent, absent = b"here" * 30, b"sent" * 30, b"absent" * 30
    sha_here, sha_sent = hashlib.sha256(here).hexdigest(), hashlib.sha256(sent).hexdigest()
    a = old.records.create("residents", {"photo": sha_here})
    b = old.records.create("residents", {"photo": sha_sent})
    c = old.records.create("residents", {"name": "王五"})
    states = {a.uuid: _state(a.uuid, photo=_ref(here)),
              b.uuid: _state(b.uuid, photo=_ref(sent), note="sha256:not-a-digest"),
              c.uuid: _state(c.uuid, photos=[{"p": _ref(absent)}], _scope="V01")}
    with old._raw() as conn:  # what the previous code wrote: states, and the server's mark
        for uid, st in states.items():
            conn.execute("UPDATE records SET sync = ? WHERE uuid = ?", (json.dumps(st), uid))
        conn.execute("INSERT INTO sync_uploaded(sha256, at) VALUES (?, '2026-01-01T00:00:00Z')", (sha_sent,))
        conn.executemany("INSERT INTO attachments(sha256, kind, size, created_at, created_by)"
                         " VALUES (?, 'photo', ?, '2026-01-01T00:00:00Z', 'chief')",
                         [(sha_here, len(here)), (sha_sent, len(sent))])
    old.close()

    monkeypatch.undo()
    new = Store.open(home, user="chief", passphrase=PASS)
    assert new.schema_version == migrations.SCHEMA_VERSION
    assert new.sync.to_upload() == [(a.uuid, sha_here)]
    assert new.sync.to_download() == [(c.uuid, hashlib.sha256(absent).hexdigest())]
    with new._raw() as conn:
        rows = conn.execute("SELECT uuid, field, size FROM attachment_refs ORDER BY field").fetchall()
    assert sorted(rows) == sorted([(a.uuid, "photo", len(here)), (b.uuid, "photo", len(sent)), (c.uuid, "photos", None)])
    # The filled index is kept from then on like a new one.
    new.attachments.put(absent, kind="photo")
    assert new.sync.to_download() == []
    assert new.integrity_check() == []
    new.close()


def test_a_cut_off_download_is_kept_encrypted_until_the_file_is_in(store: Store, home: Path) -> None:
    start = b"\xff\xd8\xff\xe0 PARTIAL-PHOTO-MARKER " * 40
    store.sync.keep_partial("ab" * 32, start)
    store.close()
    on_disk = b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())
    assert b"PARTIAL-PHOTO-MARKER" not in on_disk
    again = Store.open(home, user="chief", passphrase=PASS)
    try:
        assert again.sync.partial("ab" * 32) == start
        again.sync.keep_partial("ab" * 32, b"")
        assert again.sync.partial("ab" * 32) == b""
    finally:
        again.close()


def test_the_references_move_with_their_records_into_the_restricted_database(home: Path, monkeypatch) -> None:
    from fieldkit.formspec import permissions

    nothing = permissions.Partition(frozenset(), frozenset())
    monkeypatch.setattr("fieldkit.formspec.permissions.default_partition", lambda _d: nothing)
    photo, absent = b"\x89PNG-applicant-photo-" + b"x" * 200, b"absent template" * 9
    store, _ = Store.create(home, user="chief", passphrase=PASS)
    with store:
        store.add_user("officer1", role="officer", passphrase="officer horse 22")
        store.add_user("grid1", role="grid_worker", passphrase="grid worker horse 33")
        app = store.records.create("id_applications", {"name": "李重点"})
        sha = store.attachments.put(photo, kind="idphoto", record_uuid=app.uuid, module="id_applications")
        store.sync.set_state(app.uuid, _state(app.uuid, photo=_ref(photo), template=_ref(absent)))
    monkeypatch.undo()
    with Store.open(home, user="officer1", passphrase="officer horse 22") as officer:
        assert officer.holds_restricted
        assert officer.sync.to_upload() == [(app.uuid, sha)]
        assert officer.sync.to_download() == [(app.uuid, hashlib.sha256(absent).hexdigest())]
        officer.sync.mark_uploaded(sha)
        assert officer.sync.to_upload() == []
    with Store.open(home, user="grid1", passphrase="grid worker horse 33") as grid:
        assert grid.sync.to_upload() == [] and grid.sync.to_download() == []  # nothing left in fieldkit.db
