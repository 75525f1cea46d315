"""Unlock attempts: the keys derived for the audit anchor and the lockout chain, saving a counted
attempt (or refusing to try one that cannot be counted), and the words of a refusal.

See `keyring.Keyring` (the chain itself) and docs/security.md ("Lockout that an edit cannot
reset"). Pure functions over a `Keyring`; the caller holds the keyring lock.
"""

from __future__ import annotations

from fieldkit import fsio
from fieldkit.domain.errors import AuthError, StorageError
from fieldkit.domain.storage_faults import READABLE, Fault, fault_of

from . import crypto
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
    freed room stays for the counter of the next attempts instead of filling with new rows."""
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
        zh, en = _REFUSE[fault]
        raise StorageError(zh, message_en=en, code=fault.value) from e


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
