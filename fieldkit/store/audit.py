"""`store.audit`: an append-only, hash-chained log of who viewed, changed, exported, printed what.

Row n stores ``hash_n = SHA-256(hash_{n-1} ‖ canonical JSON of {seq, at, user, action, module,
target, detail})`` (hash_0 = 64 zeros). `verify()` recomputes the chain: an edited row breaks
its own hash, a deleted row leaves a gap in `seq`, swapped rows break the links. Cutting rows
off the *end* leaves a valid shorter chain, so the head (seq, hash) is also anchored in the
keyring with an HMAC keyed from the data key: a chain shorter than the anchor, or one whose row
at the anchor's seq differs, is reported as truncated.

The anchor is refreshed after a commit that added audit rows (at most every
`ANCHOR_INTERVAL_S` seconds, since each refresh is an fsynced file write) and on close, so only
rows from the last few seconds before a crash could be cut off undetected.

On a full or read-only disk an entry made outside any transaction (a login, a view, an export
to another disk) cannot be written; it is then *queued in memory* with its own time and written,
in order and before any newer entry, as soon as a write succeeds again (the next entry, or
`flush` on close). `queued` counts what is waiting and `fault` says why, so the CLI and the app
can tell the user; an entry that belongs to a change (inside a transaction) is never queued —
the change fails with it. Whatever is still queued when the process ends is lost, and the user
was told.

Threading: one thread at a time (the store's).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fieldkit.domain.errors import StorageError, UserFacingError
from fieldkit.domain.storage_faults import READABLE, Fault, fault_of

from . import crypto
from .ctx import Ctx, dumps, loads, now_iso
from .keyring import Keyring, b64d, b64e
from .types import AuditEntry, AuditReport

GENESIS = "0" * 64
# Entries that change who may unlock and as what; `verify` replays them against the users table.
# "create_store" (its author is the first chief) and "add_user" are what older versions logged.
USER_ACTIONS = ("user_add", "user_role", "user_remove", "create_store", "add_user")
_ROLE_ZH = {"chief": "所长", "officer": "民警", "grid_worker": "网格员"}


def role_zh(role: str | None) -> str:
    return _ROLE_ZH.get(role or "", role or "")


def _replay_user(roles: dict[str, str | None], action: str, author: str, detail: Any) -> None:
    d = detail if isinstance(detail, dict) else {}
    if action == "create_store":
        roles.setdefault(author, "chief")
    elif action in ("user_add", "user_role", "add_user") and d.get("user"):
        roles[str(d["user"])] = str(d.get("role"))
    elif action == "user_remove" and d.get("user"):
        roles[str(d["user"])] = None
ANCHOR_INTERVAL_S = 5.0


def canonical(seq: int, at: str, user: str, action: str, module: str | None, target: str | None,
              detail: Any) -> bytes:
    body = {"seq": seq, "at": at, "user": user, "action": action, "module": module, "target": target,
            "detail": detail}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def chain_hash(prev: str, body: bytes) -> str:
    return hashlib.sha256(prev.encode("ascii") + body).hexdigest()


class Audit:
    def __init__(self, ctx: Ctx, *, read_anchor: Callable[[], dict[str, Any] | None],
                 keyring_update: Callable[[Callable[[Keyring], None]], None]) -> None:
        self._ctx = ctx
        self._db = ctx.db
        self._read_anchor = read_anchor
        self._keyring_update = keyring_update
        self._last_anchor = 0.0
        self._dirty = False
        self._queue: list[tuple[str, str, str, str | None, str | None, Any]] = []
        self.fault: Fault | None = None  # why entries are queued (or, read-only, would be)
        # Set while the unlock found a rolled-back or cut log: the anchor must then never move
        # to the database's head (that would bury the evidence) until the chief decides.
        self.held: Rollback | None = None

    @property
    def queued(self) -> int:
        """Entries waiting in memory for the disk to accept them."""
        return len(self._queue)

    def cannot_save(self, fault: Fault) -> None:
        """Note that the store was opened on a medium that cannot be written (see `fault`)."""
        self.fault = fault

    def log(self, action: str, *, module: str | None = None, target: str | None = None,
            detail: Any = None) -> AuditEntry:
        """Append one entry as the current user. Joins the caller's transaction if one is open,
        so an audited change and its audit row commit (or roll back) together. Outside one, on a
        full or read-only disk, the entry is queued (see module doc) and returned with seq 0."""
        db = self._db
        at, user = now_iso(), self._ctx.user
        # Round-trip the detail through JSON now so verify() hashes exactly what was stored.
        detail = loads(dumps(detail)) if detail is not None else None
        row = (at, user, action, module, target, detail)
        if db.in_transaction:
            seq = self._append([row])
        else:
            try:
                seq = self._append([*self._queue, row])
            except StorageError as e:
                fault = fault_of(e)
                if fault not in READABLE:
                    raise
                self._queue.append(row)
                if self.held is None:  # held: the banner says why, not "read-only disk"
                    # Opened read-only *because* the disk is full: that stays the reason.
                    self.fault = self.fault or fault
                return AuditEntry(0, at, user, action, module, target, detail)
            self._queue.clear()
            self.fault = None
        self._dirty = True
        db.after_commit(self._maybe_anchor)
        return AuditEntry(seq, at, user, action, module, target, detail)

    def _append(self, rows: list[tuple[str, str, str, str | None, str | None, Any]]) -> int:
        db = self._db
        with db.tx():
            last = db.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
            seq, prev = last if last else (0, GENESIS)
            for at, user, action, module, target, detail in rows:
                seq += 1
                h = chain_hash(prev, canonical(seq, at, user, action, module, target, detail))
                db.execute(
                    "INSERT INTO audit(seq, at, user, action, module, target, detail, prev, hash) "
                    "VALUES (?,?,?,?,?,?,?,?,?)",
                    (seq, at, user, action, module, target, None if detail is None else dumps(detail), prev, h),
                )
                prev = h
        return seq

    def entries(self, *, limit: int = 100, before_seq: int | None = None, target: str | None = None) -> list[AuditEntry]:
        """Newest first. `target` filters on a record uuid."""
        sql = "SELECT seq, at, user, action, module, target, detail FROM audit WHERE 1=1"
        params: list[Any] = []
        if before_seq is not None:
            sql += " AND seq < ?"
            params.append(before_seq)
        if target is not None:
            sql += " AND target = ?"
            params.append(target)
        rows = self._db.execute(sql + " ORDER BY seq DESC LIMIT ?", [*params, limit])
        return [AuditEntry(s, a, u, ac, m, t, loads(d)) for s, a, u, ac, m, t, d in rows]

    def verify(self) -> AuditReport:
        """Recompute the whole chain and compare its head with the keyring anchor."""
        prev, expected_seq, count = GENESIS, 1, 0
        roles: dict[str, str | None] = {}
        for seq, at, user, action, module, target, detail, stored_prev, h in self._db.execute(
            "SELECT seq, at, user, action, module, target, detail, prev, hash FROM audit ORDER BY seq"
        ):
            if action in USER_ACTIONS:
                _replay_user(roles, action, user, loads(detail))
            if seq != expected_seq:
                return _bad(count, expected_seq, f"row {expected_seq} is missing", f"第 {expected_seq} 条记录缺失")
            if stored_prev != prev:
                return _bad(count, seq, f"row {seq} does not link to row {seq - 1}", f"第 {seq} 条与前一条不衔接")
            if chain_hash(prev, canonical(seq, at, user, action, module, target, loads(detail))) != h:
                return _bad(count, seq, f"row {seq} was altered", f"第 {seq} 条记录被修改")
            prev, expected_seq, count = h, seq + 1, count + 1
        report = self._check_anchor(self._read_anchor(), count)
        return report if not report.ok else self._check_users(roles, count)

    def _check_users(self, roles: dict[str, str | None], count: int) -> AuditReport:
        """Compare the users table with the roles the log's user events add up to: a role or a
        user written into the table by raw SQL has no audited event behind it."""
        table = dict(self._db.execute("SELECT login, role FROM users ORDER BY login").fetchall())
        for login in sorted(set(table) | {k for k, v in roles.items() if v is not None}):
            logged, actual = roles.get(login), table.get(login)
            if logged == actual:
                continue
            if logged is None:
                return _bad(count, None, f"user {login} ({actual}) is in the users table but was never added "
                            "through an audited event", f"用户 {login}（{role_zh(actual)}）不是经审计的操作添加的")
            if actual is None:
                return _bad(count, None, f"user {login} was removed from the users table without an audited event",
                            f"用户 {login} 未经审计就被从用户表删除")
            return _bad(count, None, f"user {login} has role {actual} in the users table but the audit log "
                        f"says {logged}", f"用户 {login} 在用户表中的角色是{role_zh(actual)}，审计日志记录的是"
                        f"{role_zh(logged)}：角色被直接改写")
        return AuditReport(True, count)

    def anchor_now(self) -> None:
        """Write the chain head into the keyring (called on close and before a backup). Does
        nothing while `held`: the anchor is the evidence of a rollback until the chief decides."""
        if self.held is not None:
            return
        last = self._db.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        if last is None:
            return
        seq, h = last
        tag = crypto.mac(self._ctx.keys["audit"], str(seq), h)

        def put(kr: Keyring) -> None:
            kr.data["audit_anchor"] = {"seq": seq, "hash": h, "mac": b64e(tag)}

        self._keyring_update(put)
        self._last_anchor = time.monotonic()
        self._dirty = False

    def _maybe_anchor(self) -> None:
        # Runs after a successful commit: a failure here (disk full) must not make the caller
        # believe the change was lost. The anchor stays dirty and is retried next time / on close.
        if self._dirty and time.monotonic() - self._last_anchor >= ANCHOR_INTERVAL_S:
            with contextlib.suppress(UserFacingError):
                self.anchor_now()

    def flush(self) -> None:
        """Write queued entries if the disk takes them now, then anchor the chain head."""
        if self._queue and not self._db.in_transaction:
            with contextlib.suppress(StorageError):
                self._append(self._queue)
                self._queue.clear()
                self.fault = None
                self._dirty = True
        if self._dirty:
            self.anchor_now()

    def _check_anchor(self, anchor: dict[str, Any] | None, count: int) -> AuditReport:
        if anchor is None:
            return AuditReport(True, count)
        seq, h = int(anchor["seq"]), str(anchor["hash"])
        if not crypto.mac_ok(self._ctx.keys["audit"], b64d(anchor["mac"]), str(seq), h):
            return _bad(count, None, "the keyring's audit anchor was altered", "密钥文件中的审计锚点被篡改")
        if seq > count:
            return _bad(count, count + 1, f"log truncated: {seq} entries were anchored, {count} remain",
                        f"审计日志被截断：应有 {seq} 条，现存 {count} 条")
        row = self._db.one("SELECT hash FROM audit WHERE seq = ?", (seq,))
        if row is None or row[0] != h:
            return _bad(count, seq, f"row {seq} differs from the anchored head", f"第 {seq} 条与锚点不符")
        return AuditReport(True, count)


@dataclass(frozen=True)
class Rollback:
    """What the unlock found when the chain head disagrees with the keyring's anchor.

    `anchored_seq` is the entry the keyring vouches for (None: the anchor is missing or forged),
    `found_seq` the newest entry in the database; `kind` is "older" (the database is older than
    the anchor, or its newest rows were cut off), "differs" (the anchored entry is not the one in
    the database: another copy's history), "head_altered" or "anchor_altered"/"anchor_missing"."""

    kind: str
    anchored_seq: int | None
    found_seq: int

    @property
    def message(self) -> str:
        a = "无有效锚点" if self.anchored_seq is None else f"密钥文件记录的审计日志到第 {self.anchored_seq} 条"
        return (f"数据库被换成了旧版本或日志被截断（{a}，数据库中最新为第 {self.found_seq} 条）。"
                "数据库已只读打开：请所长恢复备份，或说明原因后确认接受（fieldkit audit accept --reason …）")

    @property
    def message_en(self) -> str:
        a = "no valid anchor" if self.anchored_seq is None else f"the keyring vouches for entry {self.anchored_seq}"
        return (f"The database was replaced by an older copy or its log was cut short ({a}; the newest "
                f"entry in the database is {self.found_seq}). Opened read-only: the chief must restore "
                "a backup or accept with a reason (fieldkit audit accept --reason …)")

    def detail(self) -> dict[str, Any]:
        return {"kind": self.kind, "anchored_seq": self.anchored_seq, "found_seq": self.found_seq}


_ROW = "SELECT seq, at, user, action, module, target, detail, prev, hash FROM audit"


def _row_sound(row: Any) -> bool:
    seq, at, user, action, module, target, detail, prev, h = row
    return chain_hash(prev, canonical(seq, at, user, action, module, target, loads(detail))) == h


def check_head(db: Any, audit_key: bytes, anchor: dict[str, Any] | None) -> Rollback | None:
    """The unlock's cheap check (two indexed rows, not the chain): is the database's log at least
    as long as the keyring's anchor, does its anchored row carry the anchored hash, and do the
    head and anchored rows hash to what they say? None when sound. Reads only; `db` is a `Db`."""
    if db.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit'") is None:
        return None if anchor is None else Rollback("older", int(anchor.get("seq") or 0), 0)
    head = db.one(_ROW + " ORDER BY seq DESC LIMIT 1")
    found = int(head[0]) if head else 0
    if anchor is None:
        # Every store is anchored right after its first entry; a log without an anchor means
        # the anchor was removed from keyring.json.
        return Rollback("anchor_missing", None, found) if found else None
    try:
        seq, h = int(anchor["seq"]), str(anchor["hash"])
        mac_ok = crypto.mac_ok(audit_key, b64d(anchor["mac"]), str(seq), h)
    except (KeyError, TypeError, ValueError):
        mac_ok = False
    if not mac_ok:
        return Rollback("anchor_altered", None, found)
    if found < seq:
        return Rollback("older", seq, found)
    row = db.one(_ROW + " WHERE seq = ?", (seq,))
    if row is None or row[8] != h or not _row_sound(row):
        return Rollback("differs", seq, found)
    if head is not None and not _row_sound(head):
        return Rollback("head_altered", seq, found)
    return None


def _bad(count: int, seq: int | None, en: str, zh: str) -> AuditReport:
    return AuditReport(False, count, seq, en, zh)
