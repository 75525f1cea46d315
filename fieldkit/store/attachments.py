"""`store.attachments`: photos, fingerprint images and templates, encrypted on disk.

Each file is AES-256-GCM under a key derived from the data key (HKDF, label "attachments");
its name is HMAC(name key, SHA-256 of the plaintext), so the name reveals nothing about the
content yet the same content is stored once. The GCM associated data is the file name, so a file
renamed onto another entry fails to decrypt. Files are written temp + fsync + rename.

The caller gets the plaintext SHA-256 (what sync exchanges); a row in the database records its
kind, record and size. Threading: one thread at a time (the store's).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fieldkit.domain.errors import IntegrityError, NotFound

from . import attachment_index, crypto
from .ctx import Ctx, now_iso
from .keyring import atomic_write

DIRNAME = "attachments"
Keys = dict[str, bytes]  # {"attachments": AES key, "attachment-names": HMAC key}


# The file format, in one place: the store's part below, a rotation (store/rotation.py) and the
# move into the restricted database (store/partition.py) all read and write through these.
def file_path(folder: Path, keys: Keys, sha: str) -> Path:
    """Where the attachment with plaintext SHA-256 `sha` lives under `folder`, for these keys."""
    name = crypto.mac(keys["attachment-names"], sha).hex()
    return folder / name[:2] / name


def write_file(path: Path, data: bytes, keys: Keys) -> None:
    """`data` encrypted (nonce ‖ AES-GCM, the file name as associated data), written atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nonce = os.urandom(crypto.NONCE_BYTES)
    atomic_write(path, nonce + AESGCM(keys["attachments"]).encrypt(nonce, data, path.name.encode()))


def read_file(path: Path, keys: Keys) -> bytes:
    """The plaintext of `path`; `cryptography.exceptions.InvalidTag` when these keys did not
    write it (or it was altered), `OSError` when it cannot be read."""
    blob = path.read_bytes()
    return AESGCM(keys["attachments"]).decrypt(blob[: crypto.NONCE_BYTES], blob[crypto.NONCE_BYTES :],
                                               path.name.encode())


class Attachments:
    def __init__(self, ctx: Ctx) -> None:
        self._ctx = ctx
        self._db = ctx.db
        self._s = ctx.schema
        self._dir = ctx.home / DIRNAME
        self._keys = {k: ctx.keys[k] for k in ("attachments", "attachment-names")}

    def _path(self, sha: str) -> Path:
        return file_path(self._dir, self._keys, sha)

    def put(self, data: bytes, *, kind: str, record_uuid: str | None = None) -> str:
        """Store `data` encrypted; return its plaintext SHA-256 (hex). Idempotent for equal content."""
        sha = hashlib.sha256(data).hexdigest()
        path = self._path(sha)
        if not path.exists():
            write_file(path, data, self._keys)
        with self._db.tx():
            self._db.execute(
                f"INSERT OR IGNORE INTO {self._s}.attachments(sha256, kind, record_uuid, size, created_at, created_by)"
                " VALUES (?,?,?,?,?,?)",
                (sha, kind, record_uuid, len(data), now_iso(), self._ctx.user),
            )
            attachment_index.set_present(self._db, self._s, sha, True, len(data))
        return sha

    def get(self, sha: str) -> bytes:
        """The plaintext. `NotFound` if absent; `IntegrityError` if the file was altered."""
        try:
            data = read_file(self._path(sha), self._keys)
        except FileNotFoundError:
            raise NotFound("附件不存在", message_en=f"No attachment {sha}") from None
        except Exception as e:
            raise IntegrityError("附件已损坏或被篡改", message_en=f"Attachment {sha} is damaged or altered") from e
        if hashlib.sha256(data).hexdigest() != sha:
            raise IntegrityError("附件已损坏或被篡改", message_en=f"Attachment {sha} is damaged or altered")
        return data

    def has(self, sha: str) -> bool:
        return self._path(sha).exists()

    def for_record(self, record_uuid: str) -> list[tuple[str, str, int]]:
        """(sha256, kind, size) of the attachments registered for a record."""
        return [tuple(r) for r in self._db.execute(
            f"SELECT sha256, kind, size FROM {self._s}.attachments WHERE record_uuid = ? ORDER BY created_at", (record_uuid,)
        )]

    def remove(self, sha: str) -> None:
        """Delete the file and its row (e.g. a photo retaken before saving)."""
        with self._db.tx():
            self._db.execute(f"DELETE FROM {self._s}.attachments WHERE sha256 = ?", (sha,))
            attachment_index.set_present(self._db, self._s, sha, False)
        with contextlib.suppress(FileNotFoundError):
            self._path(sha).unlink()
