"""Attachments (photos, fingerprints) stored by SHA-256, uploaded in resumable chunks.

A chunk must start where the stored ones end (the server answers 409 with ``received`` so a
client that lost a response resumes from the right byte); when the last byte arrives the whole
file is hashed and kept only if the hash matches its name. An attachment is tied to the record
that references it, which must already be on the server and inside the device's scope — that is
what makes attachments go *after* the records.

Threading: functions take the shared `Storage` and are safe to call from request threads.
Sizes are bytes.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from sync.protocol import in_scope, may_write
from sync.server.storage import Device, Storage, StorageError, attachment_parts, attachments

MAX_CHUNK = 1024 * 1024
MAX_TOTAL = 64 * 1024 * 1024


def _received(c: sa.Connection, sha: str) -> int:
    row = c.execute(
        sa.select(attachment_parts.c.offset, sa.func.length(attachment_parts.c.data))
        .where(attachment_parts.c.sha == sha).order_by(attachment_parts.c.offset.desc()).limit(1)
    ).first()
    return 0 if row is None else int(row[0]) + int(row[1])


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
        row = c.execute(sa.select(attachments.c.total, attachments.c.data.is_not(None).label("done"))
                        .where(attachments.c.sha == sha)).first()
        if row is not None and row.done:
            return {"received": int(row.total), "total": int(row.total), "complete": True}
        if row is None:
            c.execute(attachments.insert().values(sha=sha, record_uuid=record, total=total))
        elif int(row.total) != total:
            raise StorageError(409, "total_mismatch", "size differs from the upload in progress",
                               received=_received(c, sha))
        got = _received(c, sha)
        if offset != got:
            raise StorageError(409, "wrong_offset", f"resume at byte {got}", received=got)
        if got + len(data) > total or not data:
            raise StorageError(400, "bad_chunk", "chunk empty or beyond the announced size")
        c.execute(attachment_parts.insert().values(sha=sha, offset=offset, data=data))
        got += len(data)
        if got < total:
            return {"received": got, "total": total, "complete": False}
        parts = c.execute(sa.select(attachment_parts.c.data).where(attachment_parts.c.sha == sha)
                          .order_by(attachment_parts.c.offset)).scalars().all()
        blob = b"".join(parts)
        c.execute(attachment_parts.delete().where(attachment_parts.c.sha == sha))
        if hashlib.sha256(blob).hexdigest() != sha:
            c.execute(attachments.delete().where(attachments.c.sha == sha))
            # Commit the clean-up (so the next try starts at byte 0) but still answer an error.
            bad = True
        else:
            c.execute(attachments.update().where(attachments.c.sha == sha).values(data=blob))
            bad = False
    if bad:
        raise StorageError(422, "hash_mismatch", "the uploaded bytes do not hash to their name")
    return {"received": total, "total": total, "complete": True}


def _visible_row(storage: Storage, device: Device, sha: str):
    with storage.engine.connect() as c:
        row = c.execute(sa.select(attachments.c.record_uuid, attachments.c.total,
                                  attachments.c.data.is_not(None).label("done"))
                        .where(attachments.c.sha == sha)).first()
        received = _received(c, sha) if row is not None and not row.done else None
    if row is None:
        raise StorageError(404, "unknown_attachment", "no such attachment")
    state = storage.get_record(row.record_uuid)
    if state is None or not in_scope(state.scope, device.scope):
        # Same answer as "unknown": do not reveal what exists outside the jurisdiction.
        raise StorageError(404, "unknown_attachment", "no such attachment")
    return row, received


def status(storage: Storage, device: Device, sha: str) -> dict:
    row, received = _visible_row(storage, device, sha)
    total = int(row.total)
    return {"received": total if row.done else received, "total": total, "complete": bool(row.done)}


def read(storage: Storage, device: Device, sha: str, offset: int, length: int) -> bytes:
    row, _ = _visible_row(storage, device, sha)
    if not row.done:
        raise StorageError(409, "incomplete", "attachment upload not finished")
    with storage.engine.connect() as c:
        data = c.execute(sa.select(attachments.c.data).where(attachments.c.sha == sha)).scalar_one()
    return bytes(data[offset:offset + length])
