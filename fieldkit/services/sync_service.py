"""Sync with the central platform: enroll this laptop, sync now, status, conflicts.

The UI and the CLI call these. `sync_now` runs one full round of `sync.client.SyncClient`
(push the outbox, pull, upload then download attachments) over `FieldKitReplica`; what the
client raises becomes a `UserFacingError` in words an officer understands, and is remembered
for the status bar. The token is a secret and lives only in the encrypted store's settings.

Threading: every function taking a `Workspace` runs on the workspace's thread (the app's
database thread); `sync_now` holds it for the whole round, network included (the CLI). The
app runs `sync_round.sync_round` on its free lane instead, taking the database lane only for
the round's local steps. `probe` takes a `Connection` (plain data) and may run on any thread.
Times are ISO-8601 UTC strings.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fieldkit.domain.errors import (
    AuthError,
    Conflict,
    NetworkError,
    NotFound,
    PermissionDenied,
    UserFacingError,
)
from fieldkit.domain.validators import check_id_number
from fieldkit.services import door, revocation, sync_anchor
from fieldkit.services import records as rsvc
from fieldkit.services.permissions import require
from fieldkit.services.sync_replica import (
    CURSOR_KEY,
    HELD_KEY,
    INVALID,
    SCOPE_KEY,
    FieldKitReplica,
    shown_conflicts,
)
from fieldkit.services.workspace import Workspace
from sync import client as sc
from sync.protocol import Version

Progress = Callable[[int, int], None]
CancelFn = Callable[[], bool]

K_SERVER, K_TOKEN, K_FP = "sync.server", "sync.token", "sync.fingerprint"
K_NAME, K_LAST, K_ERROR, K_PENDING_TOKEN = "sync.device_name", "sync.last_sync", "sync.last_error", "sync.enroll_token"
K_INSECURE = "sync.insecure_test_server"  # enrolled with --insecure-test-server (tests only)
K_REVOKED = revocation.K_REVOKED
K_ANCHOR_MISMATCH, K_ANCHOR_ACCEPTED = sync_anchor.K_MISMATCH, sync_anchor.K_ACCEPTED
accept_anchor_mismatch = sync_anchor.accept_mismatch

REJECT_REASONS = {
    "out_of_scope": ("不在本机负责的辖区内，服务器未接收", "Outside this laptop's jurisdiction: not accepted"),
    "read_only_module": ("该类数据只能由平台下发，不能在本机修改", "This data comes from the platform and is read-only"),
    "no_scope": ("记录没有所属村，服务器无法归属", "The record has no village, so the server cannot place it"),
    "clock_ahead": ("本机时间比服务器快一天以上，请校正时间后重新保存", "This laptop's clock is over a day ahead"),
    "module_mismatch": ("记录类型与服务器上的不一致", "The record's module differs from the server's"),
}


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass(frozen=True)
class Connection:
    """What talking to the server needs; plain data, safe to hand to another thread."""

    url: str
    token: str
    fingerprint: str | None
    insecure: bool = False  # enrolled with --insecure-test-server: plain HTTP allowed (tests only)


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    server: str | None
    device_name: str | None
    scope: tuple[str, ...]
    last_sync: str | None  # ISO UTC of the last successful round
    last_error: str | None  # Chinese words; None after a successful round
    last_error_en: str | None
    last_error_code: str | None
    pending: int  # local changes not yet accepted by the server
    rejected: int  # changes the server refused (shown to the user)
    conflicts: int
    # Pulled changes written under a newer form than this laptop's: kept, not merged, until
    # its forms are upgraded (sync_replica.HELD_KEY).
    held: int = 0


@dataclass(frozen=True)
class ConflictValue:
    value: Any
    hlc: str
    mine: bool  # written on this laptop


@dataclass(frozen=True)
class ConflictView:
    """One conflict as the conflicts view shows it: both sides, labelled."""

    uuid: str
    module: str
    module_label: str
    title: str
    field: str
    field_label: str
    kind: str  # "same_field" | "edit_vs_delete" | "invalid" (a pulled value the form refuses)
    shown: ConflictValue  # what the record shows for now (for edit_vs_delete: the delete)
    others: tuple[ConflictValue, ...]
    found_at: str
    reason: str = ""  # for "invalid": why the value was held aside ("中文 / English")

    @property
    def mine(self) -> ConflictValue:
        """This laptop's version when it wrote one, else what the record shows."""
        return next((v for v in (self.shown, *self.others) if v.mine), self.shown)

    @property
    def theirs(self) -> ConflictValue:
        """The other side's version (the first one not written here)."""
        mine = self.mine
        return next((v for v in (self.shown, *self.others) if v is not mine), self.shown)


@dataclass(frozen=True)
class Rejected:
    seq: int
    uuid: str
    module: str
    reason: str
    message: str
    message_en: str


@dataclass
class SyncResult:
    """What one round did. `report` is the client's; `alerts` are local records of people a
    newly received watch-list entry names: (record uuid, title, reason)."""

    report: sc.SyncReport
    alerts: list[tuple[str, str, str]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


# --------------------------------------------------------------------------- errors in words
def user_error(exc: BaseException) -> UserFacingError:
    """A `sync.client` error as something an officer can act on."""
    if isinstance(exc, sc.NetworkUnavailable):
        return NetworkError("连不上同步服务器（网络不通或服务器未开）。修改都保存在本机，联网后会自动同步。",
                            message_en="Cannot reach the sync server. Your changes are kept on this laptop "
                                       "and will sync when the network is back.", code="offline")
    if isinstance(exc, sc.DeviceRevoked):
        return AuthError("本机已被平台撤销（电脑丢失或被盗时所长会这样做），已锁定；未同步的修改已加密保存，"
                         "所长可以用恢复码导出，平台重新签发登记码后重新登记。",
                         message_en="The platform revoked this laptop; it is now locked. Unsynced changes are kept "
                                    "encrypted: the chief can export them with the recovery code and enroll the "
                                    "laptop again once the platform issues a new code.", code="device_revoked")
    if isinstance(exc, sc.InsecureServer):
        return NetworkError("服务器地址或证书指纹不安全，已拒绝连接：只能连接 https:// 并核对证书指纹的服务器。",
                            message_en=f"Refused: only an https:// server with a pinned certificate may be used ({exc})",
                            code="insecure_server")
    if isinstance(exc, sc.AuthFailed):
        return AuthError("本机的同步授权无效或已被所长撤销，请联系所长重新登记。",
                         message_en="This laptop's sync access is invalid or was revoked; ask the station "
                                    "chief to enroll it again.", code="auth_revoked")
    if isinstance(exc, sc.PinMismatch):
        return NetworkError("服务器证书与登记时记录的不一致，已拒绝连接（可能有人冒充服务器）。请联系所长。",
                            message_en="The server's certificate differs from the one pinned at enrollment; "
                                       "connection refused. Contact the station chief.", code="pin_mismatch")
    if isinstance(exc, sc.ServerRejected):
        if exc.error == "bad_payload" and exc.status == 0:
            return UserFacingError("这不是有效的登记二维码", message_en="That is not an enrollment QR code",
                                   code="bad_qr")
        return NetworkError(f"服务器拒绝了请求（{exc.status} {exc.error}），请联系所长。",
                            message_en=f"The server refused the request ({exc.status} {exc.error}).",
                            code="rejected")
    return NetworkError("同步失败", message_en=f"Sync failed: {exc}", code="sync_error")


def _remember_error(ws: Workspace, err: UserFacingError) -> None:
    ws.store.settings.set(K_ERROR, {"code": err.code, "message": err.message, "message_en": err.message_en,
                                    "at": _now()})


# --------------------------------------------------------------------------- enrollment
def connection(ws: Workspace) -> Connection | None:
    """The server and token for `probe` (None when this laptop is not enrolled)."""
    s = ws.store.settings
    url, token = s.get(K_SERVER), s.get(K_TOKEN)
    return Connection(url, token, s.get(K_FP), bool(s.get(K_INSECURE))) if url and token else None


class ReplaceNeeded(Conflict):
    """Re-enrolling to another server (or another certificate): the chief must confirm, seeing
    both fingerprints (CLI: ``--replace``; the app: a confirmation dialog)."""

    default_code = "replace_needed"

    def __init__(self, old_server: str, old_fp: str | None, new_server: str, new_fp: str | None) -> None:
        super().__init__(
            f"本机已登记到 {old_server}（证书指纹 {old_fp or '无'}），要改登记到 {new_server}（证书指纹 "
            f"{new_fp or '无'}）。请所长核对两个指纹，确认后加 --replace 重新登记。",
            message_en=f"This laptop is enrolled with {old_server} (certificate {old_fp or 'none'}); re-enrolling with "
                       f"{new_server} (certificate {new_fp or 'none'}) replaces it. Check both fingerprints and "
                       f"confirm with --replace.")
        self.old_server, self.old_fp, self.new_server, self.new_fp = old_server, old_fp, new_server, new_fp


def _parse_target(qr_or_url: str, code: str | None, fingerprint: str | None) -> tuple[str, str | None, str | None]:
    """(url, code, fingerprint) from the chief's QR text, or from a URL + code + fingerprint."""
    text = (qr_or_url or "").strip()
    if text.startswith("{"):
        try:
            payload = sc.EnrollmentPayload.parse(text)
        except sc.SyncError as e:
            raise user_error(e) from None
        return payload.url, code or payload.code, fingerprint or payload.fingerprint
    if not text.startswith(("http://", "https://")) or not code:
        raise UserFacingError("请扫描所长给的登记二维码，或输入服务器地址、登记码和服务器证书指纹",
                              message_en="Scan the enrollment QR code, or give the server URL, the code and "
                                         "the server's certificate fingerprint", code="bad_enrollment")
    return text, code, fingerprint


def _check_secure(ws: Workspace, url: str, fp: str | None, insecure_test_server: bool) -> str | None:
    """The normalised pin; refuses plain HTTP and a missing pin unless `insecure_test_server`,
    which is itself refused on a store holding records."""
    if insecure_test_server:
        held = sum(ws.store.records.modules().values())
        if held:
            raise PermissionDenied(f"--insecure-test-server 只用于测试，本机已有 {held} 条正式记录，拒绝不加密登记",
                                   message_en=f"--insecure-test-server is for tests only; this store holds {held} "
                                              "real records", code="insecure_refused")
        return sc.normalise_fingerprint(fp) if fp else None
    missing = []
    if not url.lower().startswith("https://"):
        missing.append(("加密连接（地址必须以 https:// 开头）", "an https:// address"))
    if not fp:
        missing.append(("服务器证书指纹（二维码中的 fp，或 --fingerprint）", "the server's certificate fingerprint"))
    if missing:
        raise UserFacingError(f"拒绝登记到 {url}：缺少{'和'.join(zh for zh, _ in missing)}。请使用所长从平台取得的登记二维码。",
                              message_en=f"Refused to enroll with {url}: missing {' and '.join(en for _, en in missing)}. "
                                         "Use the enrollment QR code from the platform.", code="insecure_server")
    try:
        return sc.normalise_fingerprint(fp or "")
    except sc.InsecureServer:
        raise UserFacingError("服务器证书指纹格式不对：应为 64 位十六进制（SHA-256）",
                              message_en="The certificate fingerprint must be 64 hex digits (SHA-256)",
                              field="fingerprint", code="bad_fingerprint") from None


def enroll(ws: Workspace, qr_or_url: str, code: str | None = None, *, fingerprint: str | None = None,
           replace: bool = False, insecure_test_server: bool = False) -> SyncStatus:
    """Enroll this laptop with a station chief's QR payload (which pins the server's
    certificate) or a server URL plus the one-time `code` and the certificate `fingerprint`.
    Only the chief may; only to an ``https://`` server with a pin (`insecure_test_server`
    allows plain HTTP for tests, on a store without records). Re-enrolling to another server or
    certificate raises `ReplaceNeeded` (both fingerprints) unless `replace`. Retrying after a
    lost answer is safe: the same token is reused until enrollment succeeds.

    A store holding the demo township is refused: its invented people would otherwise be
    pushed into the central platform as if they were real."""
    require(ws, "enroll")  # forms/permissions.toml
    if ws.store.settings.get("demo_seed") is not None:
        raise UserFacingError("这是含演示数据的数据库，不能登记到中心平台；请新建一个正式数据库再登记",
                              message_en="This store holds the demo township and cannot be enrolled; "
                                         "create a real store to enroll", code="demo_store")
    url, code, fp = _parse_target(qr_or_url, code, fingerprint)
    fp = _check_secure(ws, url, fp, insecure_test_server)
    settings = ws.store.settings
    old_url, old_fp = settings.get(K_SERVER), settings.get(K_FP)
    if settings.get(K_TOKEN) and (old_url, old_fp) != (url, fp) and not replace:
        raise ReplaceNeeded(old_url, old_fp, url, fp)
    try:
        client = sc.SyncClient(url, fingerprint=fp, retries=2)
    except sc.SyncError as e:
        raise user_error(e) from None
    token = settings.get(K_PENDING_TOKEN) or sc.SyncClient.new_token()
    settings.set(K_PENDING_TOKEN, token)  # before the request: a lost answer must not orphan it
    try:
        enrollment = client.enroll(code or "", ws.store.device_id, token)
    except sc.DeviceRevoked:
        raise AuthError("这个登记码对应的设备已被平台撤销，请向所长要一个新的登记码",
                        message_en="That enrollment was revoked; ask for a new code", code="bad_code") from None
    except sc.AuthFailed:
        raise AuthError("登记码不正确、已被使用或已过期，请向所长要一个新的登记码",
                        message_en="The enrollment code is wrong, used or expired; ask for a new one",
                        code="bad_code") from None
    except sc.SyncError as e:
        raise user_error(e) from None
    finally:
        client.close()
    with ws.store.transaction():
        if old_url not in (None, url):
            settings.delete(CURSOR_KEY)  # another platform: its cursor means nothing here
        settings.set(K_SERVER, url)
        settings.set(K_TOKEN, enrollment.token)
        settings.set(K_FP, fp)
        settings.set(K_INSECURE, bool(insecure_test_server))
        settings.set(K_NAME, enrollment.name)
        settings.set(SCOPE_KEY, list(enrollment.scope))
        for key in (K_PENDING_TOKEN, K_ERROR, K_REVOKED, K_ANCHOR_MISMATCH, K_ANCHOR_ACCEPTED):
            settings.delete(key)
        ws.store.audit.log("sync_enroll", detail={"server": url, "device": enrollment.device_id, "fingerprint": fp,
                                                  "replaced": {"server": old_url, "fingerprint": old_fp}
                                                  if old_url and (old_url, old_fp) != (url, fp) else None,
                                                  **({"insecure_test_server": True} if insecure_test_server else {})})
    return status(ws)


def _check_connection(conn: Connection) -> None:
    """Every connection is pinned HTTPS (or an --insecure-test-server enrolment): a laptop
    enrolled before pins were required is told to re-enroll rather than talk unpinned."""
    if conn.insecure:
        return
    if not conn.url.lower().startswith("https://") or not conn.fingerprint:
        raise NetworkError("本机登记的同步服务器没有加密或没有证书指纹，已拒绝连接；请所长用平台的登记二维码重新登记",
                           message_en="This laptop was enrolled without HTTPS or a certificate pin; connection "
                                      "refused. The chief must enroll it again with the platform's QR code.",
                           code="insecure_server")


# --------------------------------------------------------------------------- sync
def probe(conn: Connection, timeout: float = 8.0) -> None:
    """Is the server reachable and our token valid? Raises the same errors as `sync_now`
    (a revoked device: `AuthError` code "device_revoked" — the caller then runs `sync_now`,
    which locks the laptop).

    Touches no workspace: safe on any thread (the app's reachability probe)."""
    client = _client(conn, timeout=(timeout, timeout), retries=0)
    try:
        client.hello()
    except sc.SyncError as e:
        raise user_error(e) from None
    finally:
        client.close()


def _client(conn: Connection, **kw: Any) -> sc.SyncClient:
    """A client for the enrolled server, pinned to its certificate (see `_check_connection`)."""
    _check_connection(conn)
    try:
        return sc.SyncClient(conn.url, token=conn.token, fingerprint=conn.fingerprint, **kw)
    except sc.SyncError as e:
        raise user_error(e) from None


def _not_enrolled() -> UserFacingError:
    return UserFacingError("本机尚未登记到同步服务器，请先用所长给的二维码登记",
                           message_en="This laptop is not enrolled yet; enroll it with the chief's QR code",
                           code="not_enrolled")


def sync_now(ws: Workspace, progress: Progress | None = None, cancel: CancelFn | None = None, *,
             retries: int = 6, backoff: float = 0.5) -> SyncResult:
    """One full round. Raises `NetworkError` (offline, pin mismatch, refused), `AuthError`
    (token refused; code "device_revoked" when the platform revoked this laptop — the laptop is
    then locked, see services.revocation), `IntegrityError` (code "rollback_detected": the
    audit chain no longer holds the head the platform kept — nothing is pushed), `Cancelled`;
    nothing local is lost in any of them. A failed request is retried `retries` times, waiting
    `backoff` seconds doubled each time (with jitter).

    The round: hello (revocation, the platform's copy of our audit head) → check the head →
    push, pull, attachments → report the new head. It runs on this thread throughout; the app
    runs `sync_round.sync_round` instead, which holds the store only for the local steps."""
    # Imported here: sync_round builds on this module's words and helpers.
    from fieldkit.services.sync_round import sync_round

    return sync_round(lambda fn: fn(ws), progress, cancel, retries=retries, backoff=backoff)


def _revoked(ws: Workspace, conn: Connection, exc: sc.DeviceRevoked) -> None:
    """The platform revoked this laptop: seal it (services.revocation) and lock the workspace."""
    at = (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(exc.revoked_at)) if exc.revoked_at else _now())
    note = {"at": at, "server": conn.url, "pending": ws.store.outbox.count(),
            "refused": ws.store.outbox.rejected_count(), "noticed_at": _now()}
    revocation.lock(ws.store, note)
    ws.lock()


def _alerts(ws: Workspace, replica: FieldKitReplica) -> list[tuple[str, str, str]]:
    out = []
    for number, reason in replica.new_watch:
        c = check_id_number(number)
        for hit in ws.store.search.exact("id", c.value if c.ok else number):
            rec = ws.store.records.get(hit.uuid)
            if rec is not None:
                out.append((rec.uuid, rsvc.title(ws, rec), reason))
    if out:
        ws.store.audit.log("watchlist_hit", detail={"records": len(out), "source": "sync"})
    return out


# --------------------------------------------------------------------------- status
def status(ws: Workspace) -> SyncStatus:
    s = ws.store.settings
    err = s.get(K_ERROR) or {}
    return SyncStatus(
        enrolled=bool(s.get(K_TOKEN)), server=s.get(K_SERVER), device_name=s.get(K_NAME),
        scope=tuple(s.get(SCOPE_KEY) or ()), last_sync=s.get(K_LAST), last_error=err.get("message"),
        last_error_en=err.get("message_en"), last_error_code=err.get("code"),
        pending=ws.store.outbox.count(), rejected=ws.store.outbox.rejected_count(), conflicts=_live_conflicts(ws),
        held=len(s.get(HELD_KEY) or ()),
    )


def _live_conflicts(ws: Workspace) -> int:
    """How many conflicts remain, counting an edit made in a form (not in the conflicts view)
    that already settles one. The table is small: only records with conflicts are in it."""
    return len(conflicts(ws))


def rejected(ws: Workspace) -> list[Rejected]:
    """Changes the server refused, newest first, with the reason in words."""
    out = []
    for item, reason in ws.store.outbox.rejected():
        zh, en = REJECT_REASONS.get(reason, (f"服务器未接收：{reason}", f"Refused by the server: {reason}"))
        out.append(Rejected(item.seq, item.uuid, item.module, reason, zh, en))
    return out


# --------------------------------------------------------------------------- conflicts
def conflicts(ws: Workspace) -> list[ConflictView]:
    """Unresolved conflicts, oldest first. A conflict settled by an edit still waiting to be
    sent no longer shows (the edit has seen both values). Pulled values the form refused are
    listed too (kind "invalid", with the reason): the record shows its earlier value meanwhile."""
    replica = FieldKitReplica(ws)
    tables = replica.tables
    out: list[ConflictView] = []
    node = ws.store.device_id

    def cv(v: Version) -> ConflictValue:
        return ConflictValue(v.value, v.hlc, v.node == node)

    for uuid in dict.fromkeys(r.uuid for r in tables.conflicts()):
        view = replica.view(uuid)
        live = {(c.field, c.kind): c for c in (shown_conflicts(view) if view is not None else [])}
        rows = tables.conflicts(uuid)
        if {(r.field, r.kind) for r in rows if r.kind != INVALID} != set(live):
            replica.refresh_conflicts(uuid)
            rows = tables.conflicts(uuid)
        rec = ws.store.records.get(uuid, include_deleted=True)
        for (fname, kind), c in live.items():
            found = next((r.found_at for r in rows if (r.field, r.kind) == (fname, kind)), _now())
            out.append(ConflictView(uuid, c.module, *_labels(ws, rec, c.module, fname), kind, cv(c.winner),
                                    tuple(cv(o) for o in c.others), found))
        for r in rows:
            if r.kind == INVALID:
                shown = ConflictValue(rec.data.get(r.field) if rec else None, rec.versions.get(r.field, "") if rec else "",
                                      True)
                out.append(ConflictView(uuid, r.module, *_labels(ws, rec, r.module, r.field), INVALID, shown,
                                        (ConflictValue(r.winner[0], r.winner[1], False),), r.found_at, r.reason))
    return sorted(out, key=lambda v: (v.found_at, v.uuid, v.field))


def _labels(ws: Workspace, rec: Any, module: str, fname: str) -> tuple[str, str, str, str]:
    """(module label, record title, field name, field label) for the conflicts view."""
    spec = ws.catalog.get(module)
    label = next((f.label.zh for f in spec.fields if f.name == fname), fname) if spec else fname
    title = rsvc.title(ws, rec) if (rec is not None and spec is not None) else (rec.uuid if rec else "")
    return (spec.label.zh if spec else module), title, fname, label


def _none(uuid: str) -> Any:
    raise NotFound("没有找到这条记录", message_en=f"No record {uuid}")


def _find(ws: Workspace, uuid: str, field_name: str) -> ConflictView:
    for c in conflicts(ws):
        if c.uuid == uuid and c.field == field_name:
            return c
    raise NotFound("这处冲突已不存在（可能已被解决）", message_en="No such conflict (perhaps already resolved)",
                   code="no_conflict")


def resolve_conflict(ws: Workspace, uuid: str, field_name: str, value: Any) -> None:
    """Settle a same-field conflict with `value` (one of the sides, or a new value).

    Written as an ordinary edit through the door — history shows it, the outbox sends it — that
    has seen every conflicting version, so every laptop and the server drop the conflict once it
    syncs. A field a workflow owns may only be settled to one of the values in conflict (both
    were steps someone took); a value held aside as invalid cannot be chosen."""
    c = _find(ws, uuid, field_name)
    if c.kind == "edit_vs_delete":
        raise UserFacingError("这是“修改与删除”冲突，请选择恢复记录或保持删除",
                              message_en="An edit-vs-delete conflict: restore the record or keep it deleted",
                              code="wrong_kind")
    spec = ws.catalog.get(c.module)
    if c.kind == INVALID and any(value == o.value for o in c.others):
        raise UserFacingError("这个值不符合表单，不能采用；请保留本机的值或填写新值",
                              message_en="That value does not fit the form; keep this laptop's value or enter a new one",
                              field=field_name, code="invalid_value")
    if spec is not None and spec.owned_by_workflow(field_name) and value not in [v.value for v in (c.shown, *c.others)]:
        raise UserFacingError("由办理流程填写的字段只能选择冲突中的一个值",
                              message_en="A workflow field can only be settled to one of the values in conflict",
                              field=field_name, code="workflow")
    with ws.store.transaction():
        door.submit_one(ws, door.Request("save", c.module, {field_name: value}, uuid, partial=True,
                                         restamp=(field_name,)))
        FieldKitReplica(ws).refresh_conflicts(uuid)
        ws.store.audit.log("resolve_conflict", module=c.module, target=uuid, detail={"field": field_name})


def settle_deleted(ws: Workspace, uuid: str, *, restore: bool) -> None:
    """Settle an edit-vs-delete conflict: bring the record back with the edits (`restore`) or
    confirm the deletion having seen them. Either way it syncs and clears everywhere."""
    rec = ws.store.records.get(uuid, include_deleted=True)
    if rec is None:
        _none(uuid)
    with ws.store.transaction():
        door.submit_one(ws, door.Request("restore" if restore else "delete", uuid=uuid, restamp=("_deleted",)))
        FieldKitReplica(ws).refresh_conflicts(uuid)
        ws.store.audit.log("resolve_conflict", module=rec.module, target=uuid, detail={"conflict": "edit_vs_delete"})


def keep(ws: Workspace, uuid: str, field_name: str, side: str) -> None:
    """`side` "mine" or "theirs": the conflicts view's two buttons (and the CLI's --keep)."""
    c = _find(ws, uuid, field_name)
    chosen = c.mine if side == "mine" else c.theirs
    if c.kind == "edit_vs_delete":
        # The delete is `shown`; the unseen edit is the other side.
        settle_deleted(ws, uuid, restore=chosen is not c.shown)
        return
    resolve_conflict(ws, uuid, field_name, chosen.value)
