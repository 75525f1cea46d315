"""Key derivation and wrapping: thin calls into `cryptography`, nothing hand-rolled.

- A passphrase becomes a key-encryption key with Argon2id (parameters stored next to each wrap,
  so they can be raised later without breaking old wraps).
- The 256-bit data key is wrapped with AES-256-GCM; the associated data names the store, the
  purpose and the user, so a wrap copied onto another user or store fails to open.
- Since keyring format 2 the data key is not wrapped under the passphrase KEK itself: each user
  (and the recovery code) has an X25519 key pair, the private key wrapped under the KEK, and the
  data key is *sealed* to the public key (`seal`: ephemeral X25519 + HKDF-SHA256 + AES-256-GCM,
  all from `cryptography`). Anyone holding the data key can thus seal a *new* one to every user
  without their passphrases — what rotating the data key needs (docs/security.md, "Key hierarchy").
- Sub-keys for attachments, the watch list and the audit anchor come from the data key with
  HKDF-SHA256 and distinct `info` labels, so no key is used for two purposes.

Pure functions; thread-safe. Argon2id at the default parameters takes ~0.35 s and 64 MiB.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import asdict, dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters. `memory_kib` in KiB; measured on the reference laptop-class machine
    (2 cores, x86-64): 64 MiB, 8 passes, 4 lanes ≈ 0.35 s. RFC 9106's second recommended option
    is 64 MiB / 3 passes; we spend more passes instead of more memory to keep peak RSS low."""

    memory_kib: int = 65536
    iterations: int = 8
    lanes: int = 4
    name: str = "argon2id"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> KdfParams:
        if d.get("name") != "argon2id":
            raise ValueError(f"unknown KDF {d.get('name')!r}")
        return cls(int(str(d["memory_kib"])), int(str(d["iterations"])), int(str(d["lanes"])))

    def weaker_than(self, other: KdfParams) -> bool:
        return self.memory_kib < other.memory_kib or self.iterations < other.iterations


DEFAULT_KDF = KdfParams()


def random_key() -> bytes:
    return os.urandom(KEY_BYTES)


def passphrase_kek(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    """Argon2id(passphrase) → 32-byte key-encryption key. Slow on purpose (see KdfParams)."""
    kdf = Argon2id(
        salt=salt, length=KEY_BYTES, iterations=params.iterations, lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(passphrase.encode("utf-8"))


def hkdf(key: bytes, info: str, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info.encode()).derive(key)


def wrap(kek: bytes, secret: bytes, ad: str) -> bytes:
    """AES-256-GCM: nonce ‖ ciphertext+tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, secret, ad.encode())


def unwrap(kek: bytes, blob: bytes, ad: str) -> bytes | None:
    """The secret, or None when the key or the associated data is wrong (or the blob was altered)."""
    try:
        return AESGCM(kek).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], ad.encode())
    except (InvalidTag, ValueError):
        return None


PUBLIC_BYTES = 32


def new_keypair() -> tuple[bytes, bytes]:
    """A fresh X25519 pair as raw bytes: (private 32 bytes, public 32 bytes)."""
    priv = X25519PrivateKey.generate()
    return priv.private_bytes_raw(), priv.public_key().public_bytes_raw()


def keypair_from_seed(seed: bytes) -> tuple[bytes, bytes]:
    """The X25519 pair whose private key is the 32-byte `seed` (for the recovery code, whose
    pair is derived from the code so nothing but the code is needed to open its seal)."""
    priv = X25519PrivateKey.from_private_bytes(seed)
    return priv.private_bytes_raw(), priv.public_key().public_bytes_raw()


def _seal_key(shared: bytes, eph_pub: bytes, pub: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=eph_pub + pub,
                info=b"fieldkit/v2/seal").derive(shared)


def seal(pub: bytes, secret: bytes, ad: str) -> bytes:
    """Encrypt `secret` to the X25519 public key `pub`: ephemeral public key ‖ nonce ‖ ct+tag.
    Only the holder of the matching private key opens it (`open_sealed`)."""
    eph = X25519PrivateKey.generate()
    eph_pub = eph.public_key().public_bytes_raw()
    shared = eph.exchange(X25519PublicKey.from_public_bytes(pub))
    return eph_pub + wrap(_seal_key(shared, eph_pub, pub), secret, ad)


def open_sealed(priv: bytes, blob: bytes, ad: str) -> bytes | None:
    """The secret sealed to `priv`'s public key, or None (wrong key, wrong `ad`, altered blob)."""
    try:
        key = X25519PrivateKey.from_private_bytes(priv)
        eph_pub = blob[:PUBLIC_BYTES]
        shared = key.exchange(X25519PublicKey.from_public_bytes(eph_pub))
    except ValueError:
        return None
    return unwrap(_seal_key(shared, eph_pub, key.public_key().public_bytes_raw()), blob[PUBLIC_BYTES:], ad)


def mac(key: bytes, *parts: bytes | str) -> bytes:
    h = hmac.new(key, digestmod=hashlib.sha256)
    for p in parts:
        b = p.encode() if isinstance(p, str) else p
        # Length-prefix each part so ("ab","c") and ("a","bc") never collide.
        h.update(len(b).to_bytes(4, "big") + b)
    return h.digest()


def mac_ok(key: bytes, expected: bytes, *parts: bytes | str) -> bool:
    return hmac.compare_digest(mac(key, *parts), expected)
