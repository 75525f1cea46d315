"""Chunks of one file reaching two server processes at once (`serve --workers N`, a retry landing
on another worker, two devices holding the same photo): each byte range is taken once, the loser
hears where to resume (409 ``received``), never a 500, and the file arrives whole.

Two `Storage` objects on one database stand for two processes: they share no Python lock, only
the database (on SQLite its file lock, on PostgreSQL its row locks)."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest

from sync.server import blobs
from sync.server.storage import Storage, StorageError

R1 = "11111111-1111-4111-8111-111111111111"
CHUNK = 16 * 1024
PHOTO = b"\xff\xd8\xff\xe0" + os.urandom(6 * CHUNK - 4)
SHA = hashlib.sha256(PHOTO).hexdigest()


def _race(*calls):
    """Run the calls at once; each result is the answer or the StorageError it raised."""
    gate = threading.Barrier(len(calls))
    out: list = [None] * len(calls)

    def run(i, fn):
        gate.wait()
        try:
            out[i] = fn()
        except StorageError as e:
            out[i] = e
        except Exception as e:  # what the test is about: nothing else may escape
            out[i] = e

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


@pytest.fixture
def two(db_url, tmp_path):
    a = Storage(db_url, key_file=tmp_path / "attachment.key")
    b = Storage(db_url, key_file=tmp_path / "attachment.key")
    yield a, b
    a.close()
    b.close()


def _device(storage: Storage, node: str):
    _, code = storage.create_enrollment(node, ["v1"])
    return storage.enroll(code, node, (node[-1] * 43))


def test_the_same_chunk_sent_to_two_processes_is_taken_once_and_the_file_arrives_whole(two) -> None:
    a, b = two
    dev = _device(a, "00000000000000a5")
    a.publish("id_applications", {"photo": f"sha256:{SHA}"}, "v1", uuid=R1)
    for off in range(0, len(PHOTO), CHUNK):
        part = PHOTO[off:off + CHUNK]
        got = _race(*(lambda s=s, o=off, p=part: blobs.put_chunk(s, dev, SHA, R1, o, len(PHOTO), p) for s in (a, b)))
        ok = [g for g in got if isinstance(g, dict)]
        lost = [g for g in got if not isinstance(g, dict)]
        last = off + CHUNK >= len(PHOTO)
        # The last chunk may be answered "complete" twice (the second sees the finished file).
        assert len(ok) == 1 or (last and len(ok) == 2), got
        for e in lost:
            assert isinstance(e, StorageError) and e.status == 409, repr(e)
            assert e.extra.get("received") == off + CHUNK  # resume right after the winner's bytes
        assert ok[0]["received"] == off + len(part)
    assert blobs.status(b, dev, SHA)["complete"] is True
    assert b"".join(blobs.read(b, dev, SHA, o, CHUNK) for o in range(0, len(PHOTO), CHUNK)) == PHOTO


def test_two_devices_finishing_the_same_file_at_once_both_complete_and_it_is_stored_once(two) -> None:
    a, b = two
    d1, d2 = _device(a, "00000000000000a5"), _device(a, "00000000000000b6")
    a.publish("id_applications", {"photo": f"sha256:{SHA}"}, "v1", uuid=R1)
    head = len(PHOTO) - CHUNK
    for dev in (d1, d2):
        blobs.put_chunk(a, dev, SHA, R1, 0, len(PHOTO), PHOTO[:head])
    got = _race(lambda: blobs.put_chunk(a, d1, SHA, R1, head, len(PHOTO), PHOTO[head:]),
                lambda: blobs.put_chunk(b, d2, SHA, R1, head, len(PHOTO), PHOTO[head:]))
    assert all(isinstance(g, dict) and g["complete"] for g in got), got
    for dev in (d1, d2):
        assert blobs.read(b, dev, SHA, 0, len(PHOTO)) == PHOTO
