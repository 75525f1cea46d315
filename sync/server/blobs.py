"""Attachments (photos, fingerprints) stored by SHA-256, uploaded in resumable chunks.

A chunk must start where the device's stored ones end (the server answers 409 with
``received`` so a client that lost a response resumes from the right byte); when the last byte
arrives the whole file is hashed and kept only if the hash matches its name. An upload names the
record that references the file, which must already be on the server and inside the device's
scope — that is what makes attachments go *after* the records.

Who sees a file (storage.py, "Attachments"): a device sees it when it is granted to a record in
the device's scope. Everything a device can learn about a file it may not see — its status, a
PUT of its name — is answered exactly as for a file nobody has, so the API is no oracle of
what exists elsewhere: such a device uploads the bytes like the first one did, which proves it
holds the file, and the file (stored once) is then granted to its record as well. So a photo
shown by records of two villages reaches the devices of both.

Threading: functions take the shared `Storage` and are safe to call from request threads.
Sizes are bytes.
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from sync.protocol import may_write
from sync.server import sealing
from sync.server.storage import (
    Device,
    Storage,
    StorageError,
    attachment_grants,
    attachment_refs,
    attachment_uploads,
    attachments,
    records,
    upload_parts,
)

MAX_CHUNK = 1024 * 1024
MAX_TOTAL = 64 * 1024 * 1024


def _mine(sha: str, device: Device) -> Any:
    return sa.and_(upload_parts.c.sha == sha, upload_parts.c.device_id == device.id)


def _received(c: sa.Connection, sha: str, device: Device) -> int:
    row = c.execute(
        sa.select(upload_parts.c.offset, sa.func.length(upload_parts.c.data))
        .where(_mine(sha, device)).order_by(upload_parts.c.offset.desc()).limit(1)
    ).first()
    return 0 if row is None else int(row[0]) + int(row[1]) - sealing.OVERHEAD  # parts are sealed


def _grant(c: sa.Connection, device: Device, sha: str, record: str) -> None:
    """Grant ``sha`` to ``record`` and to every other record that references it and that the
    device may write (they show the same file; the device has just shown it may see it)."""
    rows = c.execute(sa.select(attachment_refs.c.record_uuid, records.c.scope).select_from(
        attachment_refs.join(records, records.c.uuid == attachment_refs.c.record_uuid))
        .where(attachment_refs.c.sha == sha)).all()
    wanted = {record} | {r.record_uuid for r in rows if may_write(r.scope, device.scope)}
    have = set(c.execute(sa.select(attachment_grants.c.record_uuid).where(attachment_grants.c.sha == sha)).scalars())
    if wanted - have:
        c.execute(attachment_grants.insert(), [{"sha": sha, "record_uuid": u} for u in sorted(wanted - have)])


def _insert_new(c: sa.Connection, table: sa.Table) -> Any:
    """INSERT that leaves an existing row (same key) alone, waiting for its writer to commit."""
    insert = postgresql.insert if c.dialect.name == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing()


def put_chunk(storage: Storage, device: Device, sha: str, record: str, offset: int, total: int,
              data: bytes) -> dict:
    """Store one chunk; returns ``{"received", "total", "complete"}``."""
    if len(data) > MAX_CHUNK:
        raise StorageError(413, "chunk_too_large", f"chunks are at most {MAX_CHUNK} bytes")
    if not 0 < total <= MAX_TOTAL:
        raise StorageError(400, "bad_total", f"total must be 1..{MAX_TOTAL} bytes")
    state = storage.get_record(record)
    if state is None:
        raise StorageError(409, "record_not_pushed", "push the record before its attachments")
    if not may_write(state.scope, device.scope):
        raise StorageError(403, "out_of_scope", "record outside this device's jurisdiction")
    with storage._write() as c:
        mine = attachment_uploads.c.sha == sha, attachment_uploads.c.device_id == device.id
        # Two processes may both find no upload yet: the first row wins, the other waits for it.
        c.execute(_insert_new(c, attachment_uploads).values(sha=sha, device_id=device.id, record_uuid=record,
                                                            total=total))
        # The guard across processes: the upload's row stays locked until this chunk commits (on
        # SQLite, BEGIN IMMEDIATE already holds the whole database), so what is read from here on
        # counts every chunk committed before and no byte range is taken twice. A chunk of the
        # same bytes that landed on another worker meanwhile hears 409 "resume at…", not a 500.
        row = c.execute(sa.select(attachment_uploads.c.total).where(*mine).with_for_update()).first()
        done = c.execute(sa.select(attachments.c.total).where(attachments.c.sha == sha,
                                                              attachments.c.data.is_not(None))).first()
        if done is not None and storage.attachment_visible(c, device, sha):
            _grant(c, device, sha, record)
            c.execute(upload_parts.delete().where(_mine(sha, device)))  # finished by a colleague meanwhile
            c.execute(attachment_uploads.delete().where(*mine))
            return {"received": int(done.total), "total": int(done.total), "complete": True}
        if row is None:  # dropped by another process (a hash mismatch) while this one waited
            raise StorageError(409, "wrong_offset", "resume at byte 0", received=0)
        if int(row.total) != total:
            raise StorageError(409, "total_mismatch", "size differs from the upload in progress",
                               received=_received(c, sha, device))
        got = _received(c, sha, device)
        if offset != got:
            raise StorageError(409, "wrong_offset", f"resume at byte {got}", received=got)
        if got + len(data) > total or not data:
            raise StorageError(400, "bad_chunk", "chunk empty or beyond the announced size")
        c.execute(upload_parts.insert().values(sha=sha, device_id=device.id, offset=offset,
                                               data=storage.key.seal_part(sha, device.id, offset, data)))
        got += len(data)
        if got < total:
            return {"received": got, "total": total, "complete": False}
        # Hashed part by part into one buffer: a 64 MiB file costs 64 MiB here, not twice that.
        blob = bytearray()
        digest = hashlib.sha256()
        for at, sealed in c.execute(sa.select(upload_parts.c.offset, upload_parts.c.data)
                                    .where(_mine(sha, device)).order_by(upload_parts.c.offset)):
            part = storage.key.open_part(sha, device.id, int(at), bytes(sealed))
            digest.update(part)
            blob += part
        c.execute(upload_parts.delete().where(_mine(sha, device)))
        c.execute(attachment_uploads.delete().where(*mine))
        bad = digest.hexdigest() != sha
        if not bad:
            if done is None:
                # An unfinished pre-v2 row goes; a file another device finished meanwhile stays
                # (the same bytes: its hash is its name), so the second insert is a no-op.
                c.execute(attachments.delete().where(attachments.c.sha == sha, attachments.c.data.is_(None)))
                c.execute(_insert_new(c, attachments).values(sha=sha, record_uuid=record, total=total,
                                                             data=storage.key.seal(sha, bytes(blob))))
            # else: stored already, by a device of another scope; this upload proved the bytes.
            _grant(c, device, sha, record)
        # A mismatch still commits the clean-up (so the next try starts at byte 0), then errs.
    if bad:
        raise StorageError(422, "hash_mismatch", "the uploaded bytes do not hash to their name")
    return {"received": total, "total": total, "complete": True}


def status(storage: Storage, device: Device, sha: str) -> dict:
    """The file's state as this device may know it: complete when it may see it, else its own
    upload's progress, else 404 — the same 404 as for a file nobody has."""
    with storage.engine.connect() as c:
        if storage.attachment_visible(c, device, sha):
            total = int(c.execute(sa.select(attachments.c.total).where(attachments.c.sha == sha)).scalar_one())
            return {"received": total, "total": total, "complete": True}
        row = c.execute(sa.select(attachment_uploads.c.total).where(
            attachment_uploads.c.sha == sha, attachment_uploads.c.device_id == device.id)).first()
        if row is not None:
            return {"received": _received(c, sha, device), "total": int(row.total), "complete": False}
    raise StorageError(404, "unknown_attachment", "no such attachment")


def read(storage: Storage, device: Device, sha: str, offset: int, length: int) -> bytes:
    """``length`` bytes from ``offset`` of a file the device may see (404 otherwise)."""
    with storage.engine.connect() as c:
        if not storage.attachment_visible(c, device, sha):
            raise StorageError(404, "unknown_attachment", "no such attachment")
        total = int(c.execute(sa.select(attachments.c.total).where(attachments.c.sha == sha)).scalar_one())
        if offset >= total or length <= 0:
            return b""
        # substr in the database, of the sealed segments the range falls in: a 256 KiB download
        # of a 64 MiB file reads and decrypts about 256 KiB, not 64 MiB.
        first, start, size = sealing.segment_span(total, offset, length)
        data = c.execute(sa.select(sa.func.substr(attachments.c.data, start, size))
                         .where(attachments.c.sha == sha)).scalar_one()
    return storage.key.open_range(sha, total, first, bytes(data or b""), offset, length)
