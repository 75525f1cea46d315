"""Attachments encrypted at rest with a server key kept outside the database.

AES-256-GCM from `cryptography` (never hand-rolled). A stored file is ``MAGIC`` followed by
segments of ``SEGMENT`` plaintext bytes, each ``nonce ‖ ciphertext ‖ tag`` with its own random
nonce and the associated data ``sha:index:last``: a segment cannot be moved to another file or
position, and a file cut short fails (its last segment is missing). Segments let a 256 KiB
download of a 64 MiB file decrypt 256 KiB (`segment_span` says which stored bytes to read).
The sha stays the *plaintext's* SHA-256: the file's name on the wire and in grants.

Parts of uploads in progress are sealed too (`seal_part`), so photo bytes never reach the
database in the clear, even from an upload a device abandoned.

The key file (32 random bytes, hex) lives in the data directory or /etc/fieldkit-server, never
in the database nor in its backups (docs/deployment.md, "Keys"). Its id (a hash of the key) is kept
in ``meta`` so a database opened with another key is refused before anything is written.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"FKA1"
SEGMENT = 256 * 1024  # the client's download chunk: one download reads one or two segments
NONCE = 12
TAG = 16
OVERHEAD = NONCE + TAG
KEY_ROW = "attachment_key"  # meta row: the id of the key the attachments are sealed with
KEY_FILE = "attachment.key"


class KeyProblem(RuntimeError):
    """The attachment key is missing, unreadable or not the database's (said in plain words)."""


class AttachmentKey:
    def __init__(self, key: bytes, path: Path | None = None) -> None:
        if len(key) != 32:
            raise KeyProblem(f"attachment key file {path}: not a 256-bit key (64 hex characters)")
        self._aead = AESGCM(key)
        self.path = path
        self.id = hashlib.sha256(b"fieldkit attachment key id\0" + key).hexdigest()[:16]

    # ------------------------------------------------------------------ whole files
    def seal(self, sha: str, data: bytes) -> bytes:
        n = max(1, -(-len(data) // SEGMENT))
        out = bytearray(MAGIC)
        for i in range(n):
            nonce = secrets.token_bytes(NONCE)
            out += nonce + self._aead.encrypt(nonce, data[i * SEGMENT:(i + 1) * SEGMENT], _aad(sha, i, i == n - 1))
        return bytes(out)

    def open_range(self, sha: str, total: int, first: int, stored: bytes, offset: int, length: int) -> bytes:
        """Plaintext ``[offset, offset+length)`` from ``stored``: the sealed segments from
        ``first`` on, as `segment_span` located them."""
        last = max(0, -(-total // SEGMENT) - 1)
        plain = bytearray()
        pos, i = 0, first
        while pos < len(stored):
            size = min(SEGMENT, total - i * SEGMENT) + OVERHEAD
            seg = stored[pos:pos + size]
            try:
                plain += self._aead.decrypt(seg[:NONCE], seg[NONCE:], _aad(sha, i, i == last))
            except InvalidTag:
                raise KeyProblem(f"attachment {sha[:12]}…: does not decrypt with the key in {self.path} "
                                 "(wrong key file, or the stored bytes were altered)") from None
            pos, i = pos + size, i + 1
        start = offset - first * SEGMENT
        return bytes(plain[start:start + length])

    def open(self, sha: str, total: int, stored: bytes) -> bytes:
        if not stored.startswith(MAGIC):
            raise KeyProblem(f"attachment {sha[:12]}…: not sealed (run fieldkit-server migrate)")
        return self.open_range(sha, total, 0, stored[len(MAGIC):], 0, total)

    # ------------------------------------------------------------------ upload parts
    def seal_part(self, sha: str, device_id: int, offset: int, data: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE)
        return nonce + self._aead.encrypt(nonce, data, f"part:{sha}:{device_id}:{offset}".encode())

    def open_part(self, sha: str, device_id: int, offset: int, sealed: bytes) -> bytes:
        try:
            return self._aead.decrypt(sealed[:NONCE], sealed[NONCE:], f"part:{sha}:{device_id}:{offset}".encode())
        except InvalidTag:
            raise KeyProblem(f"an upload part of {sha[:12]}… does not decrypt with the key in {self.path}") from None


def _aad(sha: str, index: int, last: bool) -> bytes:
    return f"{sha}:{index}:{int(last)}".encode()


def segment_span(total: int, offset: int, length: int) -> tuple[int, int, int]:
    """(first segment, 1-based start byte in the stored value, bytes to read) for a range read."""
    end = min(total, offset + length)
    first = offset // SEGMENT
    last = max(first, (end - 1) // SEGMENT)
    start = len(MAGIC) + first * (SEGMENT + OVERHEAD)
    stop = len(MAGIC) + last * (SEGMENT + OVERHEAD) + min(SEGMENT, total - last * SEGMENT) + OVERHEAD
    return first, start + 1, stop - start


def load(path: Path, *, may_create: bool) -> AttachmentKey:
    """The key in ``path``; made there (owner-only) when absent and ``may_create`` — that is, when
    the database holds nothing sealed yet."""
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        if not may_create:
            raise KeyProblem(
                f"attachment key file {path} is missing, and this database holds attachments sealed with "
                "it: put the key file back (from where you keep it apart from backups, docs/deployment.md) "
                "or point FIELDKIT_SERVER_KEY_FILE / --key-file at it") from None
        return _create(path)
    except OSError as exc:
        raise KeyProblem(f"attachment key file {path}: cannot read it ({exc.strerror or exc})") from None
    try:
        return AttachmentKey(bytes.fromhex(text), path)
    except ValueError:
        raise KeyProblem(f"attachment key file {path}: not a 256-bit key (64 hex characters)") from None


def _create(path: Path) -> AttachmentKey:
    key = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole to a private temporary file, then linked into place: link() fails when the
    # name exists, so two servers starting together never each keep a different key, and the
    # one that loses reads a complete key, never the winner's half-written file. The mode is
    # the POSIX owner-only bit; the server runs on Linux (packaging/deb-server), where it holds.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key.hex() + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.link(tmp, path)
    except FileExistsError:
        return load(path, may_create=False)
    except OSError as exc:
        raise KeyProblem(f"attachment key file {path}: cannot create it ({exc.strerror or exc})") from None
    finally:
        tmp.unlink(missing_ok=True)
    return AttachmentKey(key, path)


def default_path(url: str) -> Path:
    """Where the key is looked for when nobody says: $FIELDKIT_SERVER_KEY_FILE, else beside a
    SQLite database, else the server's data directory ($FIELDKIT_SERVER_HOME)."""
    env = os.environ.get("FIELDKIT_SERVER_KEY_FILE")
    if env:
        return Path(env)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url[len("sqlite:///"):]).parent / KEY_FILE
    home = os.environ.get("FIELDKIT_SERVER_HOME")
    return (Path(home) if home else Path.home() / ".local/share/fieldkit-server") / KEY_FILE
