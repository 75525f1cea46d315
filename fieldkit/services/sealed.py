"""Passphrase-sealed files for exports that leave the store but are not meant for print.

Format: the magic line ``FIELDKIT-SEALED-1\\n``, a JSON header line (KDF name and parameters,
salt), then a Fernet token (AES-128-CBC + HMAC-SHA256, from `cryptography`) of the content.
The key comes from the passphrase through scrypt. A station can open the file with
`fieldkit import` (or `fieldkit unseal`) given the passphrase; without it the file is noise.

Threading: pure functions, any thread.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from fieldkit.domain.errors import AuthError, UserFacingError
from fieldkit.services.files import atomic_write

MAGIC = b"FIELDKIT-SEALED-1\n"
# scrypt n=2^15, r=8: ~32 MiB and ~0.1 s here — cheap for one export, costly for a guesser.
_N, _R, _P = 2**15, 8, 1


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    raw = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return base64.urlsafe_b64encode(raw)


def is_sealed(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def seal(data: bytes, passphrase: str) -> bytes:
    if not passphrase:
        raise AuthError("导出文件需要设置一个口令", message_en="An export passphrase is needed", field="passphrase")
    salt = os.urandom(16)
    header = json.dumps({"kdf": "scrypt", "n": _N, "r": _R, "p": _P, "salt": salt.hex()}).encode() + b"\n"
    return MAGIC + header + Fernet(_key(passphrase, salt, _N, _R, _P)).encrypt(data)


def unseal(blob: bytes, passphrase: str) -> bytes:
    if not blob.startswith(MAGIC):
        raise UserFacingError("不是 FieldKit 加密导出文件", message_en="Not a FieldKit sealed file", code="format")
    rest = blob[len(MAGIC) :]
    header_line, _, token = rest.partition(b"\n")
    try:
        h = json.loads(header_line)
        key = _key(passphrase, bytes.fromhex(h["salt"]), int(h["n"]), int(h["r"]), int(h["p"]))
        return Fernet(key).decrypt(token)
    except InvalidToken as e:
        raise AuthError("导出文件口令错误，或文件已损坏", message_en="Wrong export passphrase, or the file is damaged") from e
    except (ValueError, KeyError) as e:
        raise UserFacingError("加密导出文件已损坏", message_en="The sealed file is damaged", code="format") from e


def write_sealed(path: Path, data: bytes, passphrase: str) -> None:
    """Write atomically: a crash leaves either the old file or the new one, never half of it."""
    atomic_write(path, seal(data, passphrase))
