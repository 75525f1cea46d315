"""Passphrase-sealed files for exports that leave the store but are not meant for print.

Format: the magic line ``FIELDKIT-SEALED-1\\n``, a JSON header line (KDF name and parameters,
salt), then a Fernet token (AES-128-CBC + HMAC-SHA256, from `cryptography`) of the content.
The key comes from the passphrase through scrypt. A station can open the file with
`fieldkit import` (or `fieldkit unseal`) given the passphrase; without it the file is noise.

The header comes from the file, so whoever made the file chooses the cost of the key derivation:
it is checked against `fieldkit.domain.limits` (SEALED_*) before any derivation starts, and a
header asking for more memory or time than FieldKit would ever use is refused by name.

Threading: pure functions, any thread.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from fieldkit.domain import limits
from fieldkit.domain import passphrase as passphrase_policy
from fieldkit.domain.errors import AuthError, UserFacingError
from fieldkit.domain.limits import LimitExceeded
from fieldkit.services.files import atomic_write

MAGIC = b"FIELDKIT-SEALED-1\n"
# scrypt n=2^15, r=8: ~32 MiB and ~0.1 s here — cheap for one export, costly for a guesser.
_N, _R, _P = 2**15, limits.SEALED_SCRYPT_R, limits.SEALED_SCRYPT_P


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    raw = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return base64.urlsafe_b64encode(raw)


def is_sealed(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def seal(data: bytes, passphrase: str) -> bytes:
    if not passphrase:
        raise AuthError("导出文件需要设置一个口令", message_en="An export passphrase is needed", field="passphrase")
    # The same policy as store passphrases: a sealed file leaves the laptop and can be attacked
    # offline at leisure, so "1" or "password" would seal nothing.
    passphrase_policy.check(passphrase, purpose="export")
    salt = os.urandom(16)
    header = json.dumps({"kdf": "scrypt", "n": _N, "r": _R, "p": _P, "salt": salt.hex()}).encode() + b"\n"
    return MAGIC + header + Fernet(_key(passphrase, salt, _N, _R, _P)).encrypt(data)


def _damaged() -> UserFacingError:
    return UserFacingError("加密导出文件已损坏", message_en="The sealed file is damaged", code="format")


def _log2(n: int) -> str:
    return f"2^{n.bit_length() - 1}" if n > 0 and n & (n - 1) == 0 else str(n)


def _out_of_range(n: int, r: int, p: int) -> str | None:
    """The name of the SEALED_* limit (n, r, p) breaks, or None when within them."""
    if n > limits.SEALED_SCRYPT_N_MAX:
        return "SEALED_SCRYPT_N_MAX"
    if n < limits.SEALED_SCRYPT_N_MIN or n & (n - 1):  # scrypt's n is a power of two
        return "SEALED_SCRYPT_N_MIN"
    if r != limits.SEALED_SCRYPT_R:
        return "SEALED_SCRYPT_R"
    if p != limits.SEALED_SCRYPT_P:
        return "SEALED_SCRYPT_P"
    return None


def _kdf_params(header_line: bytes) -> tuple[bytes, int, int, int]:
    """(salt, n, r, p) from the header line, refused unless within the SEALED_* limits."""
    if len(header_line) > limits.SEALED_HEADER_MAX_BYTES:
        raise LimitExceeded(
            f"加密文件的文件头过长（超过 {limits.SEALED_HEADER_MAX_BYTES} 字节），不是 FieldKit 写出的文件",
            message_en=f"The sealed file's header is longer than {limits.SEALED_HEADER_MAX_BYTES} bytes: "
            "FieldKit did not write it",
            limit="SEALED_HEADER_MAX_BYTES", code="format",
        )
    try:
        h = limits.loads_json(header_line, what="加密文件头", what_en="The sealed file's header")
    except ValueError as e:  # broken JSON, or not UTF-8
        raise _damaged() from e
    if not isinstance(h, dict) or h.get("kdf") != "scrypt" or not isinstance(h.get("salt"), str):
        raise _damaged()
    n, r, p = h.get("n"), h.get("r"), h.get("p")
    # `type(...) is int`: a float (1e30) or a bool (true) was not written by FieldKit either.
    if not (type(n) is int and type(r) is int and type(p) is int):
        raise _damaged()
    broken = _out_of_range(n, r, p)
    if broken:
        lo, hi = _log2(limits.SEALED_SCRYPT_N_MIN), _log2(limits.SEALED_SCRYPT_N_MAX)
        want_r, want_p = limits.SEALED_SCRYPT_R, limits.SEALED_SCRYPT_P
        raise LimitExceeded(
            f"加密文件要求的密钥参数超出范围（scrypt n={_log2(n)}，r={r}，p={p}）：n 应为 {lo} 到 {hi}，"
            f"r 为 {want_r}，p 为 {want_p}。这不是 FieldKit 写出的文件，未尝试解密。",
            message_en=f"The sealed file asks for key parameters out of range (scrypt n={_log2(n)}, r={r}, p={p}): "
            f"n must be {lo} to {hi}, r {want_r}, p {want_p}. FieldKit did not write it; no decryption was tried.",
            limit=broken, code="kdf_params",
        )
    try:
        salt = bytes.fromhex(h["salt"])
    except ValueError as e:
        raise _damaged() from e
    if not limits.SEALED_SALT_MIN_BYTES <= len(salt) <= limits.SEALED_SALT_MAX_BYTES:
        raise _damaged()
    return salt, n, r, p


def unseal(blob: bytes, passphrase: str) -> bytes:
    """The content of a sealed file. The header's key parameters are checked (SEALED_* in
    `fieldkit.domain.limits`) before the key is derived: `LimitExceeded` when out of range."""
    if not blob.startswith(MAGIC):
        raise UserFacingError("不是 FieldKit 加密导出文件", message_en="Not a FieldKit sealed file", code="format")
    rest = blob[len(MAGIC) :]
    # Look for the end of the header only where a header may be: a file with no newline in its
    # first bytes is refused without scanning all of it.
    end = rest.find(b"\n", 0, limits.SEALED_HEADER_MAX_BYTES + 1)
    if end < 0:
        end = min(len(rest), limits.SEALED_HEADER_MAX_BYTES + 1)
    header_line, token = rest[:end], rest[end + 1 :]
    salt, n, r, p = _kdf_params(header_line)
    try:
        return Fernet(_key(passphrase, salt, n, r, p)).decrypt(token)
    except InvalidToken as e:
        raise AuthError("导出文件口令错误，或文件已损坏", message_en="Wrong export passphrase, or the file is damaged") from e


def write_sealed(path: Path, data: bytes, passphrase: str) -> None:
    """Write atomically: a crash leaves either the old file or the new one, never half of it."""
    atomic_write(path, seal(data, passphrase))
