"""A laptop the platform revoked: locked, its unsynced changes kept for the chief.

When the platform revokes a device (`fieldkit-server revoke`), the next contact is answered
"device_revoked" and `sync_service` calls `lock(ws, …)`: the revocation is recorded (setting
and audit entry), every user's passphrase wrap is destroyed (`fieldkit.store.revocation`), and
the workspace is locked. From then on:

* `refusal(home)` — the words for the unlock screen: why, when, how many unsynced changes,
  and what the chief can do; `workspace.unlock` raises it before any passphrase is tried.
* `export_unsynced(home, recovery_code, dest, passphrase)` — the chief, with the recovery code,
  writes the unsynced changes into a sealed file (services.sealed: scrypt + Fernet) that
  `fieldkit unseal` opens with `passphrase`. Nothing in the store changes but an audit entry.
* `lift(store)` — called by `workspace.recover`: the chief set a new passphrase with the
  recovery code, so the laptop is theirs again (other users stay locked out until the chief
  resets their passphrases); sync stays refused until the laptop is enrolled again with a
  newly issued code (`sync_service.enroll` clears the revocation).

Threading: the store's thread; `refusal` reads files only.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from fieldkit.domain.errors import AuthError, PermissionDenied
from fieldkit.services import sealed
from fieldkit.store import Store
from fieldkit.store import revocation as store_revocation

K_REVOKED = "sync.revoked"
FORMAT = "fieldkit-unsynced-1"


def _when(note: dict[str, Any]) -> str:
    return str(note.get("at") or "")[:16].replace("T", " ")


def refusal_for(note: dict[str, Any]) -> AuthError:
    """The unlock refusal for a revoked laptop, naming what the chief can do."""
    pending = int(note.get("pending") or 0)
    server = note.get("server") or ""
    return AuthError(
        f"本机已于 {_when(note)}（UTC）被平台（{server}）撤销，不能再用口令解锁。"
        f"本机有 {pending} 条未同步的修改已加密保存。所长可以：用恢复码导出这些修改"
        f"（fieldkit revoked export 文件名）；平台重新签发登记码后，用恢复码重设所长口令"
        f"（fieldkit recover）并重新登记。",
        message_en=f"This laptop was revoked by the platform ({server}) at {_when(note)} UTC and cannot be "
                   f"unlocked with a passphrase. {pending} unsynced changes are kept encrypted. The station chief "
                   f"can export them with the recovery code (fieldkit revoked export FILE), and after the platform "
                   f"issues a new enrollment code, set a new passphrase with the recovery code (fieldkit recover) "
                   f"and enroll again.",
        code="device_revoked")


def refusal(home: Path) -> AuthError | None:
    """The refusal to show at unlock when this laptop was revoked, else None (files only)."""
    note = store_revocation.notice(Path(home))
    return refusal_for(note) if note is not None else None


def lock(store: Store, note: dict[str, Any]) -> None:
    """Record the revocation and destroy every passphrase wrap (see module doc). The caller
    locks its workspace afterwards."""
    with store.transaction():
        store.settings.set(K_REVOKED, note)
        store.audit.log("device_revoked", detail=note)
    store.audit.flush()
    store_revocation.lock_revoked(store, note)


def lift(store: Store) -> bool:
    """After a recovery-code unlock by the chief: remove the unlock refusal. Returns whether
    there was one. `PermissionDenied` for anyone but the chief (the note stays)."""
    note = store_revocation.notice(store.home)
    if note is None:
        return False
    from fieldkit.services.workspace import catalog

    # Taking a revoked laptop back is re-enrolling it: the table's "enroll" (forms/permissions.toml).
    if not catalog().permissions.allows(store.user.role, "enroll", None):
        raise PermissionDenied("本机已被平台撤销，只有所长可以用恢复码解锁",
                               message_en="This laptop was revoked; only the station chief may unlock it "
                                          "with the recovery code", code="device_revoked")
    store_revocation.clear(store)
    store.audit.log("revocation_lifted", detail={"revoked_at": note.get("at"), "by": store.user.login})
    return True


def unsynced(store: Store) -> dict[str, Any]:
    """The changes not accepted by the platform (waiting and refused), as plain JSON data."""
    def item(i: Any) -> dict[str, Any]:
        return {"seq": i.seq, "uuid": i.uuid, "module": i.module, "op": i.op, "fields": i.fields,
                "at": i.at, "by": i.by}

    waiting, after = [], 0
    while True:
        page = store.outbox.pending(500, after_seq=after)
        if not page:
            break
        waiting += [item(i) for i in page]
        after = page[-1].seq
    refused = [{**item(i), "reason": reason} for i, reason in store.outbox.rejected(max(1, store.outbox.rejected_count()))]
    return {"format": FORMAT, "device": store.device_id, "store": store.store_id,
            "revoked": store.settings.get(K_REVOKED), "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "waiting": waiting, "refused": refused}


def export_unsynced(home: Path, recovery_code: str, dest: Path, passphrase: str) -> dict[str, int]:
    """Open the store with the recovery code (no wrap changes) and write its unsynced changes
    to `dest`, sealed with `passphrase`. Returns {"waiting": n, "refused": m}."""
    if not passphrase:
        raise AuthError("导出文件需要设置一个口令", message_en="An export passphrase is needed", field="passphrase")
    store = store_revocation.open_with_recovery(Path(home), recovery_code)
    try:
        data = unsynced(store)
        sealed.write_sealed(Path(dest), json.dumps(data, ensure_ascii=False).encode("utf-8"), passphrase)
        store.audit.log("export_unsynced", detail={"waiting": len(data["waiting"]), "refused": len(data["refused"]),
                                                   "file": Path(dest).name})
        return {"waiting": len(data["waiting"]), "refused": len(data["refused"])}
    finally:
        store.close()
