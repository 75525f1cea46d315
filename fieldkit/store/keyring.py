"""keyring.json: the wrapped data key, per user and for recovery, and the lockout counter.

What it holds (no personal data): format version, store id, device id, whether the database is
encrypted, per user {role, Argon2id parameters, salt, an X25519 key pair (private key wrapped
under the passphrase's Argon2id KEK), the data key sealed to that public key}, the recovery
pair's public key and the data key sealed to it,
the failed-attempt counter and the time before which no attempt is accepted, and the audit
chain's anchor (last sequence number + hash, MACed with a key derived from the data key).
The restricted key (the key of ``restricted.db``: key persons, cases, …, see store/partition.py)
is sealed, like the data key, to the public key of each user whose role may view those modules
(``sealed_rkey``) and to the recovery pair; ``restricted`` names those modules and roles and the
public key that a session without the key seals what it pulls to.

Every write goes through `fsio.atomic_write` (an unnamed file, fsynced, linked and renamed over
the old one, the directory fsynced): a crash leaves either the old or the new keyring, never a
torn one and no temporary file. Read-modify-write cycles hold an exclusive lock on ``keyring.lock`` (flock on POSIX, msvcrt
locking on Windows: `platform_io.lock_exclusive`) so two processes
(the app and the CLI) cannot lose each other's updates — that is also what makes the lockout
delay hold across processes.

Threading: a `Keyring` object is not shared between threads; each call re-reads the file.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import hmac
import json
import os
import time
import uuid as uuidlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit import fsio, platform_io
from fieldkit.domain.errors import StorageError
from fieldkit.domain.storage_faults import os_storage_error

from . import crypto

FORMAT = 2  # written; format 1 (wraps under the KEK, no key pairs) is still read (READABLE)
READABLE = (1, 2)
KEYRING = "keyring.json"
LOCKFILE = "keyring.lock"
FREE_ATTEMPTS = 3  # failures before the delay starts
MAX_DELAY_S = 300.0
CHAIN_LENGTH = 256  # failures the hash chain can count; beyond, the delay stays at its maximum

# Tests replace this to move time without sleeping.
clock = time.time


def b64e(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def b64d(s: str) -> bytes:
    return base64.b64decode(s.encode("ascii"))


def user_ad(store_id: str, login: str) -> str:
    return f"fieldkit/v1/data-key/user/{login}/{store_id}"


def recovery_ad(store_id: str) -> str:
    return f"fieldkit/v1/data-key/recovery/{store_id}"


def user_priv_ad(store_id: str, login: str) -> str:
    return f"fieldkit/v2/x25519-private/user/{login}/{store_id}"


def user_seal_ad(store_id: str, login: str) -> str:
    return f"fieldkit/v2/data-key/user/{login}/{store_id}"


def recovery_seal_ad(store_id: str) -> str:
    return f"fieldkit/v2/data-key/recovery/{store_id}"


def rkey_seal_ad(store_id: str, who: str) -> str:
    """`who` is a login, or "" for the recovery pair."""
    return f"fieldkit/v2/restricted-key/{who or '(recovery)'}/{store_id}"


def inbox_pair(rkey: bytes, store_id: str) -> tuple[bytes, bytes]:
    """The X25519 pair of the restricted inbox, derived from the restricted key."""
    return crypto.keypair_from_seed(crypto.hkdf(rkey, "fieldkit/v2/restricted-inbox", store_id.encode()))


def delay_for(failures: int) -> float:
    """Seconds to wait after `failures` consecutive failures: 0,0,0 then 2,4,8,… capped at 5 min."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(2.0 ** (failures - FREE_ATTEMPTS + 1), MAX_DELAY_S)


def atomic_write(path: Path, data: bytes) -> None:
    """`fsio.atomic_write`, with a full or read-only disk as `StorageError` naming the file."""
    try:
        fsio.atomic_write(path, data)
    except OSError as e:
        raise os_storage_error(e, path.name) from e


def _sweep_stale_temps(home: Path) -> None:
    # Called under the lock, so no live writer of this keyring is between write and rename.
    for tmp in home.glob(f".{KEYRING}.*.tmp"):
        pid = tmp.name[len(KEYRING) + 2:-len(".tmp")]
        if pid.isdigit() and not fsio.pid_alive(int(pid)):
            with contextlib.suppress(OSError):
                tmp.unlink()


class Keyring:
    """The parsed keyring of one home directory. `data` is the JSON object; see module doc."""

    def __init__(self, home: Path, data: dict[str, Any]) -> None:
        self.home = home
        self.data = data
        # The restricted key, in memory only: set by an unwrap that opened it (or by the store
        # that holds it, before a change), so new wraps made through this object carry it.
        self.rkey: bytes | None = None

    # -- file ------------------------------------------------------------------------------
    @staticmethod
    def path(home: Path) -> Path:
        return home / KEYRING

    @classmethod
    def exists(cls, home: Path) -> bool:
        return cls.path(home).is_file()

    @classmethod
    def load(cls, home: Path) -> Keyring:
        p = cls.path(home)
        try:
            data = json.loads(p.read_text("utf-8"))
        except FileNotFoundError:
            raise StorageError(
                f"在 {home} 没有找到数据库", message_en=f"No store at {home}", code="no_store"
            ) from None
        except (OSError, ValueError) as e:
            raise StorageError(
                "密钥文件 keyring.json 已损坏，请从备份恢复",
                message_en="keyring.json is damaged; restore it from a backup",
            ) from e
        if data.get("format") not in READABLE:
            raise StorageError(
                "密钥文件版本不受支持，请升级 FieldKit",
                message_en=f"Unsupported keyring format {data.get('format')!r}; upgrade FieldKit",
            )
        return cls(home, data)

    @classmethod
    def new(cls, home: Path, *, encrypted: bool) -> Keyring:
        return cls(home, {
            "format": FORMAT,
            "store_id": uuidlib.uuid4().hex,
            "device_id": os.urandom(8).hex(),  # HLC node id: 16 lower-case hex digits
            "db_cipher": "sqlcipher4" if encrypted else "none-bench-only",
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "users": {},
            "recovery": None,
            "failures": 0,
            "retry_at": 0.0,
            "lockout": None,
            "audit_anchor": None,
        })

    def save(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.data["format"] = FORMAT  # format-1 entries left in it are read by this version too
        blob = json.dumps(self.data, indent=1, sort_keys=True).encode("utf-8")
        atomic_write(self.path(self.home), blob)

    @staticmethod
    @contextlib.contextmanager
    def locked(home: Path) -> Iterator[None]:
        """Exclusive inter-process lock for a read-modify-write of the keyring.

        On a read-only medium the lock file cannot be created: an existing one is locked
        through a read-only descriptor (neither flock nor msvcrt.locking needs write access), and without one
        the block runs unlocked — no process can write that keyring anyway. Stale temporary
        files of writers that died (``.keyring.json.PID.tmp`` of older versions) are removed."""
        if not home.is_dir():  # never create directories as a side effect of a mistyped path
            raise StorageError(f"在 {home} 没有找到数据库", message_en=f"No store at {home}", code="no_store")
        try:
            fd = os.open(home / LOCKFILE, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as e:
            if e.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise os_storage_error(e, LOCKFILE) from e
            try:
                fd = os.open(home / LOCKFILE, os.O_RDONLY)
            except OSError:
                fd = -1
        try:
            if fd >= 0:
                platform_io.lock_exclusive(fd)
            _sweep_stale_temps(home)
            yield
        finally:
            if fd >= 0:
                platform_io.unlock(fd)
                os.close(fd)

    # -- accessors -------------------------------------------------------------------------
    @property
    def store_id(self) -> str:
        return self.data["store_id"]

    @property
    def device_id(self) -> str:
        return self.data["device_id"]

    @property
    def encrypted(self) -> bool:
        return self.data.get("db_cipher") != "none-bench-only"

    def logins(self) -> list[str]:
        return sorted(self.data["users"])

    def role(self, login: str) -> str | None:
        u = self.data["users"].get(login)
        return u["role"] if u else None

    # -- the restricted key --------------------------------------------------------------------
    def restricted(self) -> dict[str, Any] | None:
        """{"modules", "roles", "pub"} once the store has a restricted database, else None."""
        r = self.data.get("restricted")
        return r if isinstance(r, dict) else None

    def restricted_modules(self) -> frozenset[str]:
        r = self.restricted()
        return frozenset(r["modules"]) if r else frozenset()

    def rkey_holder(self, role: str | None) -> bool:
        r = self.restricted()
        return r is not None and role in r["roles"]

    def set_restricted(self, modules: frozenset[str], roles: frozenset[str], rkey: bytes) -> None:
        """Make `rkey` the restricted key for `modules`, sealed to every user of `roles` (and the
        recovery pair); other users' seals are dropped. Pure in-memory."""
        self.data["restricted"] = {"modules": sorted(modules), "roles": sorted(roles),
                                   "pub": b64e(inbox_pair(rkey, self.store_id)[1])}
        self.rkey = rkey
        self._seal_rkey_all()

    def _seal_rkey_all(self) -> None:
        for login, u in self.data["users"].items():
            self._seal_rkey(login, u)
        r = self.data.get("recovery")
        if isinstance(r, dict) and "pub" in r:
            if self.rkey is not None and self.restricted():
                r["sealed_rkey"] = b64e(crypto.seal(b64d(r["pub"]), self.rkey, rkey_seal_ad(self.store_id, "")))
            else:
                r.pop("sealed_rkey", None)

    def _seal_rkey(self, login: str, u: dict[str, Any]) -> None:
        if self.rkey is not None and "kp" in u and self.rkey_holder(u.get("role")):
            u["sealed_rkey"] = b64e(crypto.seal(b64d(u["kp"]["pub"]), self.rkey, rkey_seal_ad(self.store_id, login)))
        else:
            u.pop("sealed_rkey", None)

    def set_role(self, login: str, role: str) -> None:
        """A new role for `login`: the restricted key is sealed to them or taken away with it."""
        u = self.data["users"].get(login)
        if u is not None:
            u["role"] = role
            self._seal_rkey(login, u)

    def _open_rkey(self, priv: bytes, entry: dict[str, Any], who: str) -> None:
        blob = entry.get("sealed_rkey")
        self.rkey = None if blob is None else crypto.open_sealed(priv, b64d(blob), rkey_seal_ad(self.store_id, who))

    # -- lockout ---------------------------------------------------------------------------
    # The failure count is a position in a one-way hash chain (see `_chain_ok` and
    # docs/security.md, "Lockout"): counting a failure replaces x_k by x_{k+1} = H(x_k), so the
    # file can move the count forward, never back — x_k for a smaller k is a preimage nobody
    # has. The chain's end c = H^N(x_0) is MACed with a key from the data key: consistency is
    # checked before any attempt (a hand-edited count is caught there and treated as the
    # maximum), the MAC after a correct passphrase (a forged chain is answered as a wrong
    # passphrase, so it cannot confirm a guess, until the recovery code resets it).
    def _chain(self) -> dict[str, Any] | None:
        c = self.data.get("lockout")
        return c if isinstance(c, dict) else None

    def _chain_ok(self) -> bool:
        """Is the stored count where the stored chain says it is? (No key needed.)"""
        c = self._chain()
        if c is None:
            return True  # a keyring from before the chain (its MAC is checked after unwrap)
        try:
            k, x, end = int(self.data.get("failures", 0)), b64d(c["x"]), b64d(c["end"])
        except (KeyError, TypeError, ValueError):
            return False
        if not 0 <= k <= CHAIN_LENGTH:
            return False
        for _ in range(CHAIN_LENGTH - k):
            x = hashlib.sha256(x).digest()
        return hmac.compare_digest(x, end)

    def tampered(self) -> bool:
        """The counter was edited by hand (count and chain disagree)."""
        return not self._chain_ok()

    def chain_sealed(self, lock_key: bytes) -> bool:
        """After a correct passphrase: is the chain the one FieldKit made (its end MACed with
        `lock_key`)? False for a removed or self-made chain."""
        c = self._chain()
        if c is None or not self._chain_ok():
            return False
        try:
            return crypto.mac_ok(lock_key, b64d(c["mac"]), self.store_id, c["end"])
        except (KeyError, TypeError, ValueError):
            return False

    def retry_after(self) -> float:
        """Seconds before the next attempt. A hand-edited counter counts as the maximum wait from
        the file's inode change time (which the editor's write just set to now, and which no
        user can set back); a normal one waits from `retry_at`, and never less than from that
        same change time — so editing only `retry_at` does not shorten the wait either."""
        failures = int(self.data.get("failures", 0)) if self._chain_ok() else CHAIN_LENGTH
        try:
            changed = os.stat(self.path(self.home)).st_ctime
        except OSError:
            changed = 0.0
        if self.tampered():
            return max(0.0, changed + MAX_DELAY_S - clock())
        since = changed + delay_for(failures) if failures >= FREE_ATTEMPTS else 0.0
        return max(0.0, max(float(self.data.get("retry_at", 0.0)), since) - clock())

    def note_failure(self) -> float:
        """Count a failed attempt (one step along the chain); return the delay (s) now in force."""
        k = min(int(self.data.get("failures", 0)) + 1, CHAIN_LENGTH) if self._chain_ok() else CHAIN_LENGTH
        c = self._chain()
        if c is not None and self._chain_ok() and int(self.data.get("failures", 0)) < CHAIN_LENGTH:
            c["x"] = b64e(hashlib.sha256(b64d(c["x"])).digest())
        self.data["failures"] = k
        d = delay_for(k)
        self.data["retry_at"] = clock() + d
        return d

    def note_success(self, lock_key: bytes) -> None:
        """A correct passphrase or recovery code: a fresh chain at count 0, its end MACed."""
        x0 = os.urandom(32)
        end = x0
        for _ in range(CHAIN_LENGTH):
            end = hashlib.sha256(end).digest()
        self.data["lockout"] = {"x": b64e(x0), "end": b64e(end),
                                "mac": b64e(crypto.mac(lock_key, self.store_id, b64e(end)))}
        self.data["failures"] = 0
        self.data["retry_at"] = 0.0

    # -- wraps -----------------------------------------------------------------------------
    # Format 2 (see module doc): per user {kdf, salt, "kp": {"pub", "priv"}, "sealed_key"} — the
    # private key wrapped under the Argon2id KEK, the data key sealed to the public key. Format 1
    # entries ({kdf, salt, "wrapped_key"}: the data key wrapped under the KEK) are still read, and
    # rewritten as format 2 in `self.data` when they are unwrapped (the caller's save keeps it).
    def set_user_wrap(self, login: str, role: str, passphrase: str, data_key: bytes,
                      params: crypto.KdfParams | None = None) -> None:
        """A new key pair for `login`, its private key under `passphrase`, `data_key` sealed to it.
        Drops any other state of the entry (disabled, must_change, needs_reset)."""
        params = params or crypto.DEFAULT_KDF  # read at call time so it can be raised (or, in tests, lowered)
        salt = os.urandom(16)
        kek = crypto.passphrase_kek(passphrase, salt, params)
        self.data["users"][login] = {"role": role, "kdf": params.as_dict(), "salt": b64e(salt)}
        self._put_pair(login, kek, data_key)
        self._seal_rkey(login, self.data["users"][login])

    def _put_pair(self, login: str, kek: bytes, data_key: bytes) -> None:
        u = self.data["users"][login]
        priv, pub = crypto.new_keypair()
        u.pop("wrapped_key", None)
        u["kp"] = {"pub": b64e(pub), "priv": b64e(crypto.wrap(kek, priv, user_priv_ad(self.store_id, login)))}
        u["sealed_key"] = b64e(crypto.seal(pub, data_key, user_seal_ad(self.store_id, login)))

    def unwrap_user(self, login: str, passphrase: str) -> bytes | None:
        """The data key, or None (wrong passphrase, no such user, disabled or awaiting a reset).
        A format-1 entry that opens is upgraded to a key pair in place (same salt and KEK)."""
        u = self.data["users"].get(login)
        if u is None or not ("wrapped_key" in u or "kp" in u):  # unknown, disabled, needs_reset
            # Spend the same time as a real attempt so timing does not reveal which logins exist.
            crypto.passphrase_kek(passphrase, b"\0" * 16, crypto.DEFAULT_KDF)
            return None
        kek = crypto.passphrase_kek(passphrase, b64d(u["salt"]), crypto.KdfParams.from_dict(u["kdf"]))
        if "kp" not in u:
            key = crypto.unwrap(kek, b64d(u["wrapped_key"]), user_ad(self.store_id, login))
            if key is not None:
                self._put_pair(login, kek, key)
            return key
        priv = crypto.unwrap(kek, b64d(u["kp"]["priv"]), user_priv_ad(self.store_id, login))
        if priv is None or "sealed_key" not in u:
            return None
        key = crypto.open_sealed(priv, b64d(u["sealed_key"]), user_seal_ad(self.store_id, login))
        if key is not None:
            self._open_rkey(priv, u, login)
        return key

    def user_kdf(self, login: str) -> crypto.KdfParams:
        return crypto.KdfParams.from_dict(self.data["users"][login]["kdf"])

    def set_recovery_wrap(self, secret: bytes, data_key: bytes) -> None:
        """A recovery pair derived from `secret` (so only the code opens it), `data_key` sealed to it."""
        salt = os.urandom(16)
        pub = self._recovery_pair(secret, salt)[1]
        self.data["recovery"] = {
            "kdf": "hkdf-sha256-x25519",
            "salt": b64e(salt),
            "pub": b64e(pub),
            "sealed_key": b64e(crypto.seal(pub, data_key, recovery_seal_ad(self.store_id))),
        }
        self._seal_rkey_all()

    @staticmethod
    def _recovery_pair(secret: bytes, salt: bytes) -> tuple[bytes, bytes]:
        return crypto.keypair_from_seed(crypto.hkdf(secret, "fieldkit/v2/recovery-x25519", salt))

    def unwrap_recovery(self, secret: bytes) -> bytes | None:
        """The data key, or None. A format-1 recovery wrap that opens is upgraded in place."""
        r = self.data.get("recovery")
        if not r:
            return None
        if "pub" not in r:
            kek = crypto.hkdf(secret, "fieldkit recovery kek v1", b64d(r["salt"]))
            key = crypto.unwrap(kek, b64d(r["wrapped_key"]), recovery_ad(self.store_id))
            if key is not None:
                self.set_recovery_wrap(secret, key)
            return key
        priv = self._recovery_pair(secret, b64d(r["salt"]))[0]
        key = crypto.open_sealed(priv, b64d(r["sealed_key"]), recovery_seal_ad(self.store_id))
        if key is not None:
            self._open_rkey(priv, r, "")
        return key

    # -- sealing a new data key without anyone's passphrase (rotation) -----------------------
    def unsealable(self) -> tuple[list[str], bool]:
        """(logins whose entry is still format 1, whether the recovery wrap is): a new data key
        cannot be sealed to them, since they have no public key until their next unlock."""
        legacy = [login for login, u in sorted(self.data["users"].items()) if "wrapped_key" in u]
        r = self.data.get("recovery")
        return legacy, isinstance(r, dict) and "pub" not in r

    def reseal(self, data_key: bytes) -> Resealed:
        """Seal `data_key` to every user's and the recovery code's public key — no passphrase
        needed. Entries that have no public key (format 1: users who have not unlocked since the
        upgrade) cannot follow: their wrap is dropped and they are marked `needs_reset` (the chief
        gives them a temporary passphrase); a format-1 recovery wrap is dropped (the caller must
        issue a new recovery code). Pure in-memory; the caller saves under `locked`."""
        needs_reset: list[str] = []
        for login, u in sorted(self.data["users"].items()):
            if "kp" in u:
                pub = b64d(u["kp"]["pub"])
                u["sealed_key"] = b64e(crypto.seal(pub, data_key, user_seal_ad(self.store_id, login)))
            elif "wrapped_key" in u:
                self.data["users"][login] = {"role": u["role"], "needs_reset": True}
                needs_reset.append(login)
        r = self.data.get("recovery")
        recovery_dropped = False
        if r and "pub" in r:
            r["sealed_key"] = b64e(crypto.seal(b64d(r["pub"]), data_key, recovery_seal_ad(self.store_id)))
        elif r:
            self.data["recovery"] = None
            recovery_dropped = True
        if self.restricted() and self.rkey is not None:
            # (`rkey` is the new restricted key: the inbox key pair follows it.)
            self.data["restricted"]["pub"] = b64e(inbox_pair(self.rkey, self.store_id)[1])
            self._seal_rkey_all()
        return Resealed(needs_reset, recovery_dropped)


@dataclass(frozen=True)
class Resealed:
    """What `Keyring.reseal` could not carry over: logins now awaiting a reset by the chief, and
    whether the recovery wrap was dropped (a new recovery code is then needed)."""

    needs_reset: list[str]
    recovery_dropped: bool
