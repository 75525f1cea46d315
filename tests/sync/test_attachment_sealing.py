"""Attachments sealed at rest with the server key (sync/server/sealing.py, revision
0005_attachment_encryption): the database never holds a photo's bytes, downloads still return
them, and a missing or wrong key file is a sentence, not a traceback."""

from __future__ import annotations

import hashlib
import os

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from sync.server import blobs, schema, sealing
from sync.server.__main__ import main
from sync.server.storage import Storage, attachments
from sync.server.tables import attachment_grants

# The revision 0005_attachment_encryption follows (the integrator may chain others before it).
BEFORE_SEALING = ScriptDirectory.from_config(schema._config()).get_revision("0005_attachment_encryption").down_revision
R1 = "11111111-1111-4111-8111-111111111111"
# Large enough for three sealed segments, so a range read crosses a boundary.
PHOTO = b"\xff\xd8\xff\xe0JFIF-li-si-photo" + os.urandom(2 * sealing.SEGMENT + 1000)
SHA = hashlib.sha256(PHOTO).hexdigest()
MARK = PHOTO[:200]  # what a look through the database file would recognise


def _device(storage: Storage):
    _, code = storage.create_enrollment("a", ["v1"])
    return storage.enroll(code, "00000000000000a5", "t" * 43)


def _upload(storage: Storage, dev) -> None:
    storage.publish("id_applications", {"photo": f"sha256:{SHA}"}, "v1", uuid=R1)
    step = blobs.MAX_CHUNK
    for off in range(0, len(PHOTO), step):
        blobs.put_chunk(storage, dev, SHA, R1, off, len(PHOTO), PHOTO[off:off + step])


def _files(tmp_path) -> bytes:
    return b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("server.db"))


def test_an_uploaded_photo_is_sealed_in_the_database_and_downloads_whole(db_url, tmp_path) -> None:
    storage = Storage(db_url, key_file=tmp_path / "attachment.key")
    try:
        dev = _device(storage)
        _upload(storage, dev)
        with storage.engine.connect() as c:
            stored = bytes(c.execute(sa.select(attachments.c.data)).scalar_one())
        assert MARK not in stored and stored.startswith(sealing.MAGIC)
        got = b"".join(blobs.read(storage, dev, SHA, off, 256 * 1024) for off in range(0, len(PHOTO), 256 * 1024))
        assert got == PHOTO
        edge = sealing.SEGMENT - 10  # a range across two segments
        assert blobs.read(storage, dev, SHA, edge, 30) == PHOTO[edge:edge + 30]
        assert (tmp_path / "attachment.key").stat().st_mode & 0o777 == 0o600
    finally:
        storage.close()
    if db_url.startswith("sqlite"):
        assert MARK not in _files(tmp_path)


def test_a_database_from_before_sealing_with_a_plain_photo_is_sealed_by_the_upgrade(tmp_path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    # The server as it was before 0005: its tables, a plain photo granted to a record.
    def upgrade_to_before_sealing(engine: sa.Engine, _key: object = None) -> tuple[None, None]:
        with engine.connect() as conn, conn.begin():
            command.upgrade(schema._config(conn), BEFORE_SEALING)
        return None, None

    monkeypatch.setattr(schema, "upgrade", upgrade_to_before_sealing)
    old = Storage(url, key_file=tmp_path / "k" / "attachment.key")
    dev = _device(old)
    old.publish("id_applications", {"photo": f"sha256:{SHA}"}, "v1", uuid=R1)
    with old.engine.begin() as c:
        c.execute(attachments.insert().values(sha=SHA, record_uuid=R1, total=len(PHOTO), data=PHOTO))
        c.execute(attachment_grants.insert().values(sha=SHA, record_uuid=R1))
    old.close()
    monkeypatch.undo()
    assert MARK in _files(tmp_path)

    s = Storage(url, key_file=tmp_path / "k" / "attachment.key")
    try:
        assert s.revisions[0] == BEFORE_SEALING
        assert blobs.read(s, dev, SHA, 0, len(PHOTO)) == PHOTO
    finally:
        s.close()
    assert MARK not in _files(tmp_path)  # nor in freed pages, nor in the WAL


def test_a_missing_or_wrong_key_file_is_refused_in_words(tmp_path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    key = tmp_path / "attachment.key"
    s = Storage(url, key_file=key)
    dev = _device(s)
    _upload(s, dev)
    s.close()
    key.rename(tmp_path / "kept-apart.key")
    assert main(["--db", url, "--key-file", str(key), "devices"]) == 2
    err = capsys.readouterr().err
    assert "attachment key file" in err and "missing" in err and "Traceback" not in err
    other = tmp_path / "other.key"
    other.write_text(os.urandom(32).hex())
    assert main(["--db", url, "--key-file", str(other), "devices"]) == 2
    assert "is not the key of this database" in capsys.readouterr().err
    assert main(["--db", url, "--key-file", str(tmp_path / "kept-apart.key"), "devices"]) == 0


def test_a_sealed_segment_moved_to_another_file_does_not_open(tmp_path) -> None:
    key = sealing.load(tmp_path / "attachment.key", may_create=True)
    sealed = key.seal(SHA, PHOTO)
    with pytest.raises(sealing.KeyProblem, match="does not decrypt"):
        key.open("0" * 64, len(PHOTO), sealed)
    assert key.open(SHA, len(PHOTO), sealed) == PHOTO


def test_servers_making_the_key_at_the_same_moment_all_get_one_whole_key(tmp_path) -> None:
    """Two servers first started together (a unit restart, --workers N): each must end with the
    same complete key, or the loser refuses to start or seals with a key nobody keeps."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    for attempt in range(20):
        path = tmp_path / f"run{attempt}" / "attachment.key"
        ready = threading.Barrier(8)

        def make(_: int, path=path, ready=ready) -> str:
            ready.wait()
            return sealing.load(path, may_create=True).id

        with ThreadPoolExecutor(8) as pool:
            ids = set(pool.map(make, range(8)))
        assert ids == {sealing.load(path, may_create=False).id}
        assert sorted(p.name for p in path.parent.iterdir()) == ["attachment.key"]  # no temporary left
