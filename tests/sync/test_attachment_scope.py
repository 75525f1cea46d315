"""A file is seen only where a record that shows it is seen, and reaches every such place
(issue 12).

Before: a PUT of another village's photo by its SHA-256 answered ``complete: true`` — an oracle
telling anyone what files exist elsewhere — and a photo that records of two villages showed
reached only the village of the first upload: the second laptop was told "complete" and never
sent it, and the file belonged to the first record alone.
"""

from __future__ import annotations

import hashlib
import os

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from sync.server import blobs, schema
from sync.server.storage import (
    Storage,
    StorageError,
    attachment_grants,
    attachment_parts,
    attachments,
    meta,
)

from .helpers import enrolled

# The revision 0005_attachment_encryption follows (the integrator may chain others before it).
BEFORE_SEALING = ScriptDirectory.from_config(schema._config()).get_revision("0005_attachment_encryption").down_revision
R1 = "11111111-1111-4111-8111-111111111111"
R2 = "22222222-2222-4222-8222-222222222222"
PHOTO = os.urandom(300_000)
SHA = hashlib.sha256(PHOTO).hexdigest()


def _get(cli, path, **params):
    # Through the client's own pinned session: a raw probe of the same server.
    return cli.session.get(cli.base_url + path, params=params, headers={"Authorization": f"Bearer {cli.token}"},
                           verify=False)


def _put(cli, record, data, offset=0, total=None, sha=SHA):
    return cli.session.put(cli.base_url + f"/v1/attachments/{sha}", data=data,
                           params={"record": record, "offset": offset, "total": len(PHOTO) if total is None else total},
                           headers={"Authorization": f"Bearer {cli.token}"}, verify=False)


def _photo_record(rep, uuid, scope):
    rep.add_attachment(PHOTO, uuid)
    rep.edit(uuid, "id_applications", {"photo": f"sha256:{SHA}"}, scope=scope)


def test_a_file_of_another_village_looks_exactly_like_one_that_does_not_exist(server, tmp_path):
    a_cli, a = enrolled(server, tmp_path, "a", ["v1"], "00000000000000a1")
    b_cli, b = enrolled(server, tmp_path, "b", ["v2"], "00000000000000b1")
    _photo_record(a, R1, "v1")
    assert a_cli.sync(a).uploaded == 1
    b.edit(R2, "id_applications", {"name": "x"}, scope="v2")
    b_cli.push(b)
    nobody = "f" * 64
    assert _get(b_cli, f"/v1/attachments/{SHA}/status").json() == _get(b_cli, f"/v1/attachments/{nobody}/status").json()
    assert _get(b_cli, f"/v1/attachments/{SHA}/status").status_code == 404
    assert _get(b_cli, f"/v1/attachments/{SHA}").status_code == 404
    # Claiming the file by its name tells nothing either: the upload starts like any other.
    r = _put(b_cli, R2, PHOTO[:1000])
    assert r.status_code == 200 and r.json() == {"received": 1000, "total": len(PHOTO), "complete": False}
    # And without the bytes there is nothing to get: the wrong ones do not hash to the name.
    r = _put(b_cli, R2, os.urandom(len(PHOTO) - 1000), offset=1000)
    assert r.status_code == 422 and r.json()["error"] == "hash_mismatch"
    assert _get(b_cli, f"/v1/attachments/{SHA}/status").status_code == 404


def test_a_photo_shown_in_two_villages_reaches_both(server, tmp_path):
    a_cli, a = enrolled(server, tmp_path, "a", ["v1"], "00000000000000a2")
    b_cli, b = enrolled(server, tmp_path, "b", ["v2"], "00000000000000b2")
    c_cli, c = enrolled(server, tmp_path, "c", ["v2"], "00000000000000c2")
    _photo_record(a, R1, "v1")
    _photo_record(b, R2, "v2")  # the same photo, taken into a record of the other village
    assert a_cli.sync(a).uploaded == 1
    assert b_cli.sync(b).uploaded == 1  # B sent the bytes: it was not told "complete"
    report = c_cli.sync(c)
    assert report.downloaded == 1 and c.attachment(SHA) == PHOTO
    with server.storage.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(attachments)).scalar_one() == 1  # stored once


def test_one_laptop_with_two_villages_brings_a_shared_photo_to_both(server, tmp_path):
    d_cli, d = enrolled(server, tmp_path, "d", ["v1", "v2", "v3"], "00000000000000d3")
    e_cli, e = enrolled(server, tmp_path, "e", ["v2"], "00000000000000e3")
    d.add_attachment(PHOTO, R1)
    d.edit(R1, "id_applications", {"photo": f"sha256:{SHA}"}, scope="v1")
    d.edit(R2, "id_applications", {"photo": f"sha256:{SHA}"}, scope="v2")
    assert d_cli.sync(d).uploaded == 1  # one upload, named after R1 only
    assert e_cli.sync(e).downloaded == 1 and e.attachment(SHA) == PHOTO
    # A record of a third village made after the upload gets the file without sending it again.
    d.edit("33333333-3333-4333-8333-333333333333", "id_applications", {"photo": f"sha256:{SHA}"}, scope="v3")
    assert d_cli.sync(d).uploaded == 0
    f_cli, f = enrolled(server, tmp_path, "f", ["v3"], "00000000000000f3")
    assert f_cli.sync(f).downloaded == 1 and f.attachment(SHA) == PHOTO


def test_an_upload_in_progress_is_visible_only_to_its_device(server, tmp_path):
    a_cli, a = enrolled(server, tmp_path, "a", ["v1"], "00000000000000a4")
    b_cli, _b = enrolled(server, tmp_path, "b", ["v1"], "00000000000000b4")
    _photo_record(a, R1, "v1")
    a_cli.push(a)
    assert _put(a_cli, R1, PHOTO[:1000]).json()["received"] == 1000
    assert _get(a_cli, f"/v1/attachments/{SHA}/status").json() == {
        "received": 1000, "total": len(PHOTO), "complete": False}
    assert _get(b_cli, f"/v1/attachments/{SHA}/status").status_code == 404


def test_an_upgraded_server_keeps_its_files_and_restarts_unfinished_uploads(tmp_path):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    storage = Storage(url)
    _, code = storage.create_enrollment("a", ["v1"])
    dev = storage.enroll(code, "00000000000000a5", "t" * 43)
    storage.publish("id_applications", {"photo": f"sha256:{SHA}"}, "v1", uuid=R1)
    # What a server before grants left behind: a file owned by R1, and half an upload of another.
    with storage.engine.begin() as c:
        c.execute(attachments.insert().values(sha=SHA, record_uuid=R1, total=len(PHOTO), data=PHOTO))
        c.execute(attachments.insert().values(sha="b" * 64, record_uuid=R1, total=10, data=None))
        c.execute(attachment_parts.insert().values(sha="b" * 64, offset=0, data=b"12345"))
        c.execute(attachment_grants.delete())
        c.execute(meta.delete().where(meta.c.name == "attachments_v2"))
        # ...and, being that old, it kept files unsealed (before 0005_attachment_encryption).
        c.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": BEFORE_SEALING})
        c.exec_driver_sql("DROP TABLE rate_counters")  # 0006_srvclean_rate_counters, after sealing
    storage.close()
    storage = Storage(url)
    try:
        assert blobs.status(storage, dev, SHA)["complete"]
        assert blobs.read(storage, dev, SHA, 0, 10) == PHOTO[:10]
        with pytest.raises(StorageError) as err:
            blobs.status(storage, dev, "b" * 64)
        assert err.value.status == 404  # the client starts that upload again from byte 0
    finally:
        storage.close()
