"""A laptop the platform revoked (lost or stolen): its passphrases stop opening the store.

`lock_revoked(store, notice)` re-wraps every user's data key under a random passphrase that is
thrown away at once, so no passphrase — a departed user's, a grid worker's, a thief's who
watched one being typed — unwraps the data key any more; only the recovery code (on the chief's
paper) still does. The store's data, the unsynced changes (outbox) included, stays as it was,
sealed under that key. A plain `revoked` note (time, server; no personal data) is left in the
keyring so the unlock screen can say why before any passphrase is tried.

`open_with_recovery(home, code)` opens the store with the recovery code without changing any
wrap (the chief exports the unsynced changes); `clear(store)` removes the note once the chief
has re-enrolled the laptop.

Threading: files and the store's thread; concurrent processes serialise on the keyring lock.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fieldkit.domain.errors import AuthError

from .db import DEFAULT_CACHE_KIB
from .keyring import Keyring
from .lockout import _lock_key, counted_attempt, recovery_secret
from .store import Store

NOTE = "revoked"


def notice(home: Path) -> dict[str, Any] | None:
    """The revocation note (``{"at", "server", "pending"}``) or None; no unlock needed."""
    if not Keyring.exists(Path(home)):
        return None
    note = Keyring.load(Path(home)).data.get(NOTE)
    return dict(note) if isinstance(note, dict) else None


def lock_revoked(store: Store, note: dict[str, Any]) -> None:
    """Destroy every user's passphrase wrap (the recovery wrap stays) and leave the note.

    Costs one key derivation per user (Argon2id: ~0.35 s each with the shipped parameters)."""
    key = store._data_key()

    def seal(kr: Keyring) -> None:
        for login in kr.logins():
            kr.set_user_wrap(login, kr.role(login) or "officer", secrets.token_urlsafe(32), key)
        kr.data[NOTE] = dict(note)

    store._update_keyring(seal)


def clear(store: Store) -> None:
    """Remove the note (after re-enrolment); the wraps are whatever the chief set since."""
    store._update_keyring(lambda kr: kr.data.pop(NOTE, None))


def open_with_recovery(home: Path, code: str) -> Store:
    """The store opened by its recovery code, as its first chief, changing no wrap.
    `AuthError` for a mistyped or wrong code (a wrong one counts as a failed attempt)."""
    home = Path(home)
    secret = recovery_secret(code)
    with counted_attempt(home) as (kr, _delay, _spent):
        data_key = kr.unwrap_recovery(secret)
        if data_key is None:
            raise AuthError("恢复码不正确", message_en="Wrong recovery code", code="wrong_recovery")
        kr.note_success(_lock_key(data_key, kr.store_id))  # the recovery code resets a tampered counter too
        kr.save()
        chiefs = [login for login in kr.logins() if kr.role(login) == "chief"]
        if not chiefs:
            raise AuthError("密钥文件中没有所长账号", message_en="The keyring holds no chief", code="unknown_user")
    return Store._unlocked(home, kr, data_key, chiefs[0], cache_kib=DEFAULT_CACHE_KIB)._after_unlock()
