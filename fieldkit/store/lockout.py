"""Unlock attempts: the keys derived for the audit anchor and the lockout chain, saving a counted
attempt (or refusing to try one that cannot be counted), and the words of a refusal.

See `keyring.Keyring` (the chain itself) and docs/security.md ("Lockout that an edit cannot
reset"). Pure functions over a `Keyring`; the caller holds the keyring lock.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

from fieldkit import fsio, platform_io
from fieldkit.domain.errors import AuthError, StorageError
from fieldkit.domain.storage_faults import READABLE, Fault, fault_of

from . import crypto, recovery
from . import keyring as _keyring
from .keyring import Keyring

LOCKOUT_MARK = "lockout_chain"  # set in the encrypted settings once the keyring's chain is sealed


def _audit_key(data_key: bytes, store_id: str) -> bytes:
    return crypto.hkdf(data_key, "fieldkit/v1/audit", store_id.encode())


def _lock_key(data_key: bytes, store_id: str) -> bytes:
    return crypto.hkdf(data_key, "fieldkit/v1/lockout", store_id.encode())


_REFUSE = {
    Fault.FULL: ("磁盘已满：失败次数无法记录，所以没有尝试这个口令（否则猜口令不会被计数）。请腾出空间后再试",
                 "The disk is full: a failed attempt could not be counted, so the passphrase was not tried. "
                 "Free some space and try again"),
    Fault.READ_ONLY: ("数据在只读磁盘上：失败次数无法记录，所以没有尝试这个口令（否则猜口令不会被计数）。"
                      "请把整个数据文件夹复制到可写的磁盘后再打开",
                      "The store is on a read-only disk: a failed attempt could not be counted, so the passphrase "
                      "was not tried. Copy the whole store folder to a writable disk and open it there"),
}


def _save_or_refuse(kr: Keyring) -> bool:
    """Save the counted attempt, or refuse to try it: a guess that is not counted is free.

    On a full disk the space reserve (`fsio.keep_reserve`, kept beside the store) is given up
    for the count, so an officer whose disk filled up still unlocks to search and export.
    Returns True when the reserve was spent: the caller then opens the store read-only, so the
    freed room stays for the counter of the next attempts instead of filling with new rows.
    On a read-only medium (a write-protected stick) the count is kept on this computer instead
    (`local_counter`); only when neither can be written is the passphrase not tried."""
    try:
        kr.save()
        return False
    except StorageError as e:
        fault = fault_of(e)
        if fault not in _REFUSE:
            raise
        if fault is Fault.FULL and fsio.release_reserve(kr.home):
            try:
                kr.save()
                return True
            except StorageError:
                pass
        if fault is Fault.READ_ONLY and _save_locally(kr):
            return False
        zh, en = _REFUSE[fault]
        raise StorageError(zh, message_en=en, code=fault.value) from e


def local_counter(kr: Keyring) -> Path:
    """Where this computer counts the attempts on a store it cannot write (by store id):
    $XDG_STATE_HOME/fieldkit/lockout/ (%LOCALAPPDATA%\\FieldKit\\state\\lockout on Windows). Deleting it resets that count — as copying the stick's
    folder to another disk would; a thief with the files is held back by Argon2id, not by this."""
    return platform_io.user_dir("state") / "lockout" / f"{kr.store_id}.json"


def _save_locally(kr: Keyring) -> bool:
    # Its own count: the keyring's cannot advance on a medium that cannot be written.
    k = local_count(kr) + 1
    path = local_counter(kr)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fsio.atomic_write(path, json.dumps({"failures": k, "retry_at": _keyring.clock() + _keyring.delay_for(k)}).encode())
    except OSError:
        return False
    return True


def local_wait(kr: Keyring) -> float:
    """Seconds still to wait by this computer's count of a read-only store (0 if none)."""
    try:
        data = json.loads(local_counter(kr).read_text())
        return max(0.0, float(data.get("retry_at", 0.0)) - _keyring.clock())
    except (OSError, ValueError, TypeError, AttributeError):
        return 0.0


def local_count(kr: Keyring) -> int:
    """Failures this computer counted for a read-only store (0 if none)."""
    try:
        return int(json.loads(local_counter(kr).read_text()).get("failures", 0))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0


def clear_local(kr: Keyring) -> None:
    """A correct passphrase: this computer's count for the store starts again."""
    with contextlib.suppress(OSError):
        local_counter(kr).unlink()


def _save_if_possible(kr: Keyring) -> None:
    """Save the failure counter; on a read-only or full disk it stays unsaved (the unlock or the
    refusal must still happen — and a keyring that cannot be written cannot be attacked through
    FieldKit's counter either: copying it off the medium is the same as reading it)."""
    try:
        kr.save()
    except StorageError as e:
        if fault_of(e) not in READABLE:
            raise


def _wrong(delay: float) -> AuthError:
    zh = "用户名或口令错误"
    en = "Wrong login or passphrase"
    if delay > 0:
        zh += f"。尝试次数过多，请 {delay:.0f} 秒后再试"
        en += f". Too many attempts: wait {delay:.0f} s"
    return AuthError(zh, message_en=en, retry_after=delay, code="wrong_passphrase")


def _wait(remaining: float) -> AuthError:
    return AuthError(
        f"尝试次数过多，请 {remaining:.0f} 秒后再试", message_en=f"Too many attempts: wait {remaining:.0f} s",
        retry_after=remaining, code="locked_out",
    )


@contextlib.contextmanager
def counted_attempt(home: Path) -> Iterator[tuple[Keyring, float, bool]]:
    """One unlock attempt, under the keyring lock: refused while a wait is in force (by the
    keyring's count and this computer's), then counted — and saved, or refused — *before* the
    caller tries the passphrase or code. Yields (keyring, the delay a failure now costs in
    seconds, whether the space reserve was spent). Every way in (unlock, recovery, a guarded
    restore, a revoked laptop's recovery) goes through here."""
    with Keyring.locked(home):
        kr = Keyring.load(home)
        remaining = max(kr.retry_after(), local_wait(kr))
        if remaining > 0:
            raise _wait(remaining)
        delay = kr.note_failure()
        low_space = _save_or_refuse(kr)
        yield kr, delay, low_space


def recovery_secret(code: str) -> bytes:
    """The secret of a typed recovery code; `AuthError` naming the group to re-read."""
    try:
        return recovery.parse(code)
    except recovery.RecoveryCodeTypo as e:
        if e.group == 0:
            raise AuthError(f"恢复码应为 {recovery.GROUPS} 组、每组 5 个字符，请核对",
                            message_en=f"A recovery code has {recovery.GROUPS} groups of 5 characters",
                            code="recovery_typo") from None
        raise AuthError(f"恢复码第 {e.group} 组有误，请核对后重新输入",
                        message_en=f"Group {e.group} of the recovery code is mistyped", code="recovery_typo") from None
