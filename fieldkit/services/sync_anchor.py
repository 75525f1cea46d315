"""The platform's copy of this laptop's audit chain head: the second anchor (issue 11, item 4).

The keyring anchors the chain's head too, but a thief with the files can copy an older
`fieldkit.db` *and* its `keyring.json` back, and the two agree. The platform's copy cannot be
rolled back from the laptop: after each successful round `report` sends (seq, hash) of the
newest audit row (`PUT /v1/audit-head`); at the next round `check` — given what `GET /v1/hello`
returned — refuses to go on unless the chain still holds that row. See docs/sync-protocol.md
§7.1. The chief may accept a mismatch with a reason (`accept_mismatch`, audited).

Threading: the workspace's thread, except `send_head` (network only; sync_round calls it between store steps).
"""

from __future__ import annotations

import time
from typing import Any

from fieldkit.domain.errors import IntegrityError, NotFound, UserFacingError
from fieldkit.services.permissions import require
from fieldkit.services.workspace import Workspace
from fieldkit.store import audit_head
from sync import client as sc

K_MISMATCH, K_ACCEPTED = "sync.anchor_mismatch", "sync.anchor_accepted"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def check(ws: Workspace, head: Any) -> None:
    """Refuse the round when the audit chain no longer holds the head the platform kept from
    the last sync: the database was swapped for an older copy, or its log was cut short. A
    thief with the files can roll back the keyring's anchor too, not the platform's copy."""
    if not isinstance(head, dict) or not head.get("seq"):
        return
    seq, h = int(head["seq"]), str(head.get("hash", ""))
    if ws.store.settings.get(K_ACCEPTED) == {"seq": seq, "hash": h}:
        return  # the chief saw this mismatch and accepted it, with a reason (audited)
    # The newest seq, not count(*): two primary-key lookups whatever the log's length (in a
    # sound chain they are equal; a gap is caught by the hash lookup or by `audit verify`).
    local = audit_head.head(ws.store)
    count = local[0] if local else 0
    mine = audit_head.hash_at(ws.store, seq) if seq <= count else None
    if mine == h:
        return
    found = {"server_seq": seq, "server_hash": h, "local_count": count, "local_hash": mine, "at": _now()}
    if seq > count:
        zh = f"平台记录本机上次同步时审计日志已有 {seq} 条，本机现在只有 {count} 条"
        en = f"the platform recorded {seq} audit entries at the last sync; this laptop now has {count}"
    else:
        zh = f"平台记录的第 {seq} 条（{h[:12]}…）与本机第 {seq} 条（{(mine or '')[:12]}…）不同，本机现有 {count} 条"
        en = f"entry {seq} differs from the platform's copy ({h[:12]}… vs {(mine or '')[:12]}…); {count} entries here"
    err = IntegrityError(f"数据库被换成了旧版本或日志被截断：{zh}。本次未发送任何修改。请所长核查：恢复较新的备份，"
                         f"或注明原因后确认（fieldkit sync accept-anchor --reason …）。",
                         message_en=f"The database was replaced by an older version or its log was truncated: {en}. "
                                    "Nothing was sent. The chief must check: restore a newer backup, or accept "
                                    "with a reason (fieldkit sync accept-anchor --reason …).",
                         code="rollback_detected")
    with ws.store.transaction():
        ws.store.settings.set(K_MISMATCH, found)
        ws.store.audit.log("sync_anchor_mismatch", detail=found)
    raise err


def accept_mismatch(ws: Workspace, reason: str) -> dict[str, Any]:
    """Chief only: accept the mismatch last detected (e.g. after restoring an older backup on
    purpose), with a reason that is audited; the next sync reports the current head."""
    require(ws, "restore")  # like accepting a rollback found at unlock (forms/permissions.toml)
    found = ws.store.settings.get(K_MISMATCH)
    if not found:
        raise NotFound("没有待确认的审计锚点不一致", message_en="No audit anchor mismatch to accept",
                       code="no_mismatch")
    if not (reason or "").strip():
        raise UserFacingError("请填写原因", message_en="A reason is required", field="reason", code="reason_required")
    with ws.store.transaction():
        ws.store.settings.set(K_ACCEPTED, {"seq": found["server_seq"], "hash": found["server_hash"]})
        ws.store.settings.delete(K_MISMATCH)
        ws.store.audit.log("sync_anchor_accepted", detail={**found, "reason": reason.strip()})
    return found


def report(ws: Workspace, client: sc.SyncClient) -> None:
    """Send the current head for the platform to keep. A failure costs nothing: the platform
    keeps the previous head, which the chain still holds."""
    head = local_head(ws)
    if head is not None and send_head(client, head):
        head_sent(ws)


def local_head(ws: Workspace) -> tuple[int, str] | None:
    """This store's audit head (seq, hash), plain data for `send_head` on another thread."""
    head = audit_head.head(ws.store)
    return (int(head[0]), str(head[1])) if head is not None else None


def send_head(client: sc.SyncClient, head: tuple[int, str]) -> bool:
    """The network half of `report` (touches no store): True when the platform kept it."""
    try:
        client.put_audit_head(*head)
    except sc.SyncError:
        return False
    return True


def head_sent(ws: Workspace) -> None:
    """The platform holds our current head: an accepted mismatch is behind us."""
    ws.store.settings.delete(K_ACCEPTED)
