"""The local side of sync: what the client needs from a device's database (`Replica`).

The FieldKit store implements this Protocol (structurally — it need not import it); the
reference implementation for tests and tools is `sync.sqlite_replica.SQLiteReplica`.

Contract, in the order the client uses it:
1. ``pending_changes(limit)`` — outbox entries not yet acknowledged, oldest first. Each entry's
   ``id`` is stable and increasing; the same ids give the same push idempotency key, which is what
   lets a resumed push re-send at most one batch.
2. ``mark_pushed(ids)`` after the server acknowledged them; ``mark_rejected(id, reason)`` for a
   change the server refused (out of scope, read-only module…) or that the protocol cannot carry
   (a malformed uuid, a NaN: the client sets it aside without sending it): take it out of the
   queue but keep it for the user to see. ``reason`` is English, short, meant to be shown.
   ``pending_changes`` must not fail on such an entry (read local data with `Change.from_stored`,
   not `Change.from_json`), or it blocks the queue before the client can set it aside.
3. ``apply_remote(changes, cursor)`` — merge a pulled page (`sync.merge.merge`) into local
   records and store ``cursor`` **in the same transaction**, then return the conflicts now present
   in the records touched. A crash before commit leaves both old; after, both new.
4. Attachments: ``pending_attachments()`` lists local files whose records were pushed and that are
   not yet uploaded; ``read_attachment`` / ``mark_attachment_uploaded``;
   ``missing_attachments()`` lists files referenced by local records but absent;
   ``write_attachment(sha, data)`` stores one (the client has verified its hash). Optional:
   ``partial_attachment(sha) -> bytes`` / ``keep_partial_attachment(sha, data)`` keep the
   first bytes of a download a dead link cut off (b"" forgets them), so the next round resumes
   there; a replica that keeps them keeps them as private as the files (encrypted at rest).

A store that keeps only ``field -> [value, hlc]`` in its outbox can build each entry's Change
with `sync.merge.stamped_delta` from the record's stored sync state; `SyncClient.sync` pushes
the whole outbox before applying any pulled page, which keeps that correct.

Threading: the client calls a replica from one thread (the app's sync worker); a replica needs
no locking of its own beyond what its database does. Sizes and offsets are bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sync.merge import Conflict
from sync.protocol import Change


@dataclass(frozen=True)
class OutboxEntry:
    id: int  # local, increasing in the order the edits were made
    change: Change


@dataclass(frozen=True)
class AttachmentRef:
    sha: str  # SHA-256, 64 lower-case hex digits
    record_uuid: str
    size: int | None = None  # bytes; None when not known locally (a download)


@runtime_checkable
class Replica(Protocol):
    @property
    def device_node(self) -> str:
        """This device's 16-hex HLC node id (also its identity in push batches)."""
        ...

    def pending_changes(self, limit: int) -> list[OutboxEntry]: ...

    def pending_count(self) -> int: ...

    def mark_pushed(self, ids: Sequence[int]) -> None: ...

    def mark_rejected(self, id: int, reason: str) -> None: ...

    def get_cursor(self) -> str | None: ...

    def apply_remote(self, changes: Sequence[Change], cursor: str) -> list[Conflict]: ...

    def pending_attachments(self) -> list[AttachmentRef]: ...

    def read_attachment(self, sha: str, offset: int, length: int) -> bytes: ...

    def mark_attachment_uploaded(self, sha: str) -> None: ...

    def missing_attachments(self) -> list[AttachmentRef]: ...

    def write_attachment(self, sha: str, data: bytes) -> None: ...
