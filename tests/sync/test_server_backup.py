"""`fieldkit-server backup --to DIR` on SQLite and PostgreSQL, restored once as
docs/deployment.md says: records and attachments come back, the key file never was in it."""

from __future__ import annotations

import json
import shutil
import subprocess
from urllib.parse import urlsplit

from sync.server import blobs
from sync.server.__main__ import main
from sync.server.storage import Storage

from .conftest import fresh_pg_db
from .test_attachment_sealing import PHOTO, R1, SHA, _device, _upload


def _restore(backup: str, db_url: str, tmp_path) -> str:
    """The documented restore: copy the file back (SQLite), or pg_restore into an empty database."""
    if db_url.startswith("sqlite"):
        target = tmp_path / "restored" / "server.db"
        target.parent.mkdir()
        shutil.copyfile(backup, target)
        return f"sqlite:///{target}"
    base = db_url.rsplit("/", 1)[0]
    url = fresh_pg_db(base)
    u = urlsplit(url)
    subprocess.run(["pg_restore", "--no-owner", f"--dbname=host={u.hostname} port={u.port} user={u.username} "
                    f"dbname={u.path.lstrip('/')}", backup], check=True, capture_output=True)
    return url


def test_a_backup_restores_records_and_photos_and_holds_no_key(db_url, tmp_path, capsys) -> None:
    key = tmp_path / "keys" / "attachment.key"
    s = Storage(db_url, key_file=key)
    dev = _device(s)
    _upload(s, dev)
    wid = s.publish("watchlist", {"id_number": "35052519800101123X", "reason": "布控"}, "v1")
    s.close()

    assert main(["--db", db_url, "--key-file", str(key), "backup", "--to", str(tmp_path / "out")]) == 0
    said = json.loads(capsys.readouterr().out)
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == [said["backup"].rsplit("/", 1)[1]]  # one file, no .part left, no key
    written = (tmp_path / "out" / files[0]).read_bytes()
    assert key.read_text().strip().encode() not in written and PHOTO[:200] not in written
    assert (tmp_path / "out" / files[0]).stat().st_mode & 0o777 == 0o600

    restored = Storage(_restore(said["backup"], db_url, tmp_path), key_file=key)
    try:
        assert restored.get_record(wid) is not None and restored.get_record(R1) is not None
        assert blobs.read(restored, dev, SHA, 0, len(PHOTO)) == PHOTO
    finally:
        restored.close()


def test_a_backup_into_an_unwritable_place_is_a_sentence(tmp_path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    (tmp_path / "file").write_text("not a folder")
    assert main(["--db", url, "backup", "--to", str(tmp_path / "file" / "sub")]) == 2
    err = capsys.readouterr().err
    assert "cannot create backup folder" in err and "Traceback" not in err
