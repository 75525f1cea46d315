"""Server storage through SQLAlchemy Core: SQLite (default) or PostgreSQL, same code.

Ordering guarantee pull relies on: records are numbered per lane (their village, or "*"),
and a writer locks the counter rows of the lanes it touches before it reads what it merges
(`sync.server.lanes`), so within a lane numbers are handed out and committed in one order — a
reader that has seen N there never later meets a commit below N — while writers of different
villages run in parallel, in one server process or several. On SQLite (one writer at a time
anyway, ``BEGIN IMMEDIATE``) a process-wide lock keeps a server's threads from queueing on the
database lock.

Threading: one `Storage` is shared by all request threads; each call opens its own connection
from the pool. Times are Unix seconds (float).
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql

from sync import merge as m
from sync.hlc import HLC, MAX_DRIFT_MS
from sync.protocol import (
    Change,
    ProtocolError,
    PushBatch,
    PushResult,
    check_scope_entry,
    dump_json,
    in_scope,
    load_json,
    may_write,
)
from sync.server import activity, formsets, grants, lanes, schema, sealing
from sync.server.tables import (  # re-exported: tests and tools reach the tables here
    attachment_grants as attachment_grants,
)
from sync.server.tables import attachment_parts as attachment_parts
from sync.server.tables import attachment_refs as attachment_refs
from sync.server.tables import attachment_uploads as attachment_uploads
from sync.server.tables import attachments as attachments
from sync.server.tables import audit_heads as audit_heads
from sync.server.tables import batches as batches
from sync.server.tables import devices as devices
from sync.server.tables import md as md
from sync.server.tables import meta as meta
from sync.server.tables import records as records
from sync.server.tables import scope_seqs as scope_seqs
from sync.server.tables import upload_parts as upload_parts

READ_ONLY_MODULES = frozenset({"watchlist", "reference"})  # flow down only; tasks flow both ways
BATCH_MEMORY_S = 30 * 24 * 3600
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over a phone line

class _MoreLanes(Exception):
    """A push found records in lanes it had not locked: try again holding those too."""

    def __init__(self, more: set[str]) -> None:
        self.lanes = more


@dataclass(frozen=True)
class _Plan:
    """A push worked out before its locks: what it read (``seen``: uuid -> (lane, number), and
    the policy) and what it would write. ``need``: lanes the merge touches; ``held``: to lock."""

    seen: dict[str, tuple[str, int]]
    policy: m.Policy
    need: set[str]
    held: set[str]
    results: tuple[tuple[bool, str | None], ...]
    states: dict[str, Change]
    existed: set[str]


_UPSERT_PG = sa.text(
    "INSERT INTO records (uuid, module, scope, lane, seq, state) "
    "SELECT uuid, module, scope, lane, seq, CAST(state AS text) FROM json_to_recordset(CAST(:rows AS json)) "
    "AS x(uuid varchar, module varchar, scope varchar, lane varchar, seq bigint, state json) "
    "ON CONFLICT (uuid) DO UPDATE SET module = EXCLUDED.module, scope = EXCLUDED.scope, "
    "lane = EXCLUDED.lane, seq = EXCLUDED.seq, state = EXCLUDED.state")


def _uuid_among(c: sa.Connection, uuids: list[str]) -> sa.ColumnElement[bool]:
    """``records.uuid IN (…)``. On PostgreSQL as ``= ANY(array)``: one parameter whatever the
    count, so one statement text that psycopg caches and prepares; an IN list of 100 bound
    values was rendered, parsed and planned anew by SQLAlchemy, psycopg and PostgreSQL at each
    push (twice per push, ~1 ms of the server's CPU each)."""
    if c.dialect.name == "postgresql":
        return records.c.uuid == sa.any_(sa.bindparam("uuids", uuids, type_=postgresql.ARRAY(sa.String)))
    return records.c.uuid.in_(uuids)


class StorageError(Exception):
    """A request the storage refuses; ``status`` is the HTTP status the API answers with."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.extra = status, code, extra


@dataclass(frozen=True)
class Device:
    id: int
    name: str
    scope: tuple[str, ...]
    node: str | None


def _h(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _load_state(text: str) -> Change:
    """A stored record state read back.

    Every state was checked on its way in, so a failure here is the server's own fault: it is
    raised as a plain error (HTTP 500, which clients retry) and never as a `ProtocolError`,
    which would tell the pushing device that *its* change was malformed.
    """
    try:
        return Change.from_json(load_json(text))
    except ProtocolError as exc:
        raise RuntimeError(f"a stored record state breaks the protocol: {exc}") from None


def _finite(v: Any) -> tuple[Any, bool]:
    """``v`` with every NaN/±Infinity replaced by None, and whether there was one."""
    if isinstance(v, float) and not math.isfinite(v):
        return None, True
    if isinstance(v, list):
        items = [_finite(x) for x in v]
        return [x for x, _ in items], any(c for _, c in items)
    if isinstance(v, dict):
        entries = {k: _finite(x) for k, x in v.items()}
        return {k: x for k, (x, _) in entries.items()}, any(c for _, c in entries.values())
    return v, False


def _wal(dbapi_conn, wait_s: float = 60.0) -> None:
    """Switch a new SQLite database to WAL, waiting out servers that start at the same moment.

    The switch needs the file to itself, and while another connection is switching or writing
    SQLite answers "database is locked" at once instead of calling the busy handler (it would
    deadlock otherwise), so the 60 s connect timeout never applies here. Once one connection
    has switched, the mode is in the file and every later switch is a no-op read.
    """
    deadline = time.monotonic() + wait_s
    while True:
        try:
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def make_engine(url: str) -> sa.Engine:
    """An engine for ``sqlite:///path`` or ``postgresql://…`` (driven by psycopg 3).

    ``hide_parameters``: a database error's text otherwise quotes the statement's bound values
    (names, ID numbers), and an unexpected one reaches the journal in uvicorn's traceback.
    """
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False},
                                  hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record):  # pysqlite's own BEGIN handling is replaced below
            dbapi_conn.isolation_level = None
            _wal(dbapi_conn)
            # FULL: an answered push must survive a power cut (docs/sync-protocol.md); NORMAL in WAL
            # mode leaves the last commits in the OS cache. No cost measured on push 10,000 (2.2 s).
            dbapi_conn.execute("PRAGMA synchronous=FULL")
            # Freed pages (a replaced record state, a finished upload's parts) are zeroed, not left readable.
            dbapi_conn.execute("PRAGMA secure_delete=ON")

        @event.listens_for(engine, "begin")
        def _begin(conn):
            immediate = conn.get_execution_options().get("immediate")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    # No pre-ping: it cost a round trip per request. After a database restart the first request
    # on a dead connection fails (500, which clients retry) and the pool drops every connection.
    return sa.create_engine(url, pool_size=20, max_overflow=40, hide_parameters=True)


class Storage:
    def __init__(self, url: str, policy: m.Policy = m.DEFAULT_POLICY, key_file: Path | None = None) -> None:
        self.url = url
        self.engine = make_engine(url)
        # The hot read-only paths (authenticate, pull, a push's merge) as single statements with
        # no BEGIN and ROLLBACK around them: on PostgreSQL each was a round trip of its own, as
        # many as the reads. READ COMMITTED gives every statement its own snapshot either way.
        self._reader = (self.engine.execution_options(isolation_level="AUTOCOMMIT")
                        if self.engine.dialect.name == "postgresql" else self.engine)
        self.policy = policy
        # SQLite: one writer at a time anyway; threads wait here rather than in busy retries.
        self._write_lock = threading.Lock() if url.startswith("sqlite") else None
        self.key = self._attachment_key(key_file or sealing.default_path(url))
        self.revisions = schema.upgrade(self.engine, self.key)  # (before, now): what `migrate` reports
        if self.revisions[0] != self.revisions[1] and self.engine.dialect.name == "sqlite":
            with self.engine.connect() as c:  # no earlier plaintext page left behind in the WAL file
                c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        with self._write() as c:
            if c.execute(sa.select(meta.c.value).where(meta.c.name == "seq")).first() is None:
                c.execute(meta.insert(), [
                    {"name": "seq", "value": "0"},
                    {"name": "node", "value": secrets.token_hex(8)},
                ])
            node = c.execute(sa.select(meta.c.value).where(meta.c.name == "node")).scalar_one()
        self.clock = HLC(node)
        self._repair_non_finite()
        self._attachments_v2()

    def _attachment_key(self, path: Path) -> sealing.AttachmentKey:
        """The key attachments are sealed with; refused when it is not the database's.
        A key file may be made only while the database has never sealed anything."""
        with self.engine.connect() as c:
            known = None
            if sa.inspect(c).has_table("meta"):
                known = c.execute(sa.select(meta.c.value).where(meta.c.name == sealing.KEY_ROW)).scalar()
        key = sealing.load(path, may_create=known is None)
        if known is not None and known != key.id:
            raise sealing.KeyProblem(f"attachment key file {path} is not the key of this database "
                                     f"(key id {key.id}, the database's is {known}): use the database's own key file")
        return key

    def _repair_non_finite(self) -> None:
        """Once per database: rewrite record states an older server stored with NaN or ±Infinity.

        Older servers accepted such values and served them back as non-standard JSON, which
        strict peers cannot read, so one bad push kept every device in scope from pulling. The
        value becomes null (JSON's only "no number"); the version keeps its stamp, seen vector
        and author, so it stays the same edit for merge (whose tie-break prefers the null twin
        on devices still holding the NaN), and the row gets a new sequence number so every
        device in scope pulls the repaired state.
        """
        with self._write() as c:
            self._startup_lock(c)  # servers starting together repair once
            if c.execute(sa.select(meta.c.value).where(meta.c.name == "finite_json")).first() is not None:
                return
            suspects = c.execute(sa.select(records.c.uuid, records.c.state).where(
                sa.or_(records.c.state.contains("NaN"), records.c.state.contains("Infinity")))).all()
            fixed: dict[str, str] = {}
            for row in suspects:  # the substrings also match text such as "Nancy": parse to be sure
                clean, changed = _finite(json.loads(row.state))
                if changed:
                    fixed[row.uuid] = dump_json(clean)
            if fixed:
                scopes = dict(c.execute(sa.select(records.c.uuid, records.c.scope)
                                        .where(records.c.uuid.in_(sorted(fixed)))).all())
                by_lane: dict[str, list[str]] = {}
                for uid in sorted(fixed):
                    by_lane.setdefault(lanes.lane_of(scopes[uid]), []).append(uid)
                lanes.lock(c, by_lane)
                for lane, uids in sorted(by_lane.items()):
                    seq = lanes.reserve(c, lane, len(uids))
                    for k, uid in enumerate(uids):
                        c.execute(records.update().where(records.c.uuid == uid).values(seq=seq + k, state=fixed[uid]))
            c.execute(meta.insert().values(name="finite_json", value="1"))

    def _attachments_v2(self) -> None:
        """Once per database: attachments move to grants and per-device uploads (`grants.migrate`)."""
        with self._write() as c:
            self._startup_lock(c)  # servers starting together migrate once
            if c.execute(sa.select(meta.c.value).where(meta.c.name == "attachments_v2")).first() is not None:
                return
            grants.migrate(c, _load_state)
            c.execute(meta.insert().values(name="attachments_v2", value="1"))

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ transactions
    class _Tx:
        def __init__(self, storage: Storage) -> None:
            self.s = storage

        def __enter__(self) -> sa.Connection:
            self.lock = self.s._write_lock
            if self.lock is not None:
                self.lock.acquire()
            try:
                self.conn = self.s.engine.connect().execution_options(immediate=True)
                self.tx = self.conn.begin()
            except BaseException:
                if self.lock is not None:
                    self.lock.release()
                raise
            return self.conn

        def __exit__(self, exc_type, exc, tb) -> None:
            try:
                if exc_type is None:
                    self.tx.commit()
                else:
                    self.tx.rollback()
            finally:
                self.conn.close()
                if self.lock is not None:
                    self.lock.release()

    def _read(self) -> sa.Connection:
        return self._reader.connect()

    def _write(self) -> Storage._Tx:
        return Storage._Tx(self)

    @staticmethod
    def _startup_lock(c: sa.Connection) -> None:
        """The one-time rewrites' mutex: the ``meta.seq`` row (the lanes' floor since revision
        0004, which no writer takes any more). SQLite's ``BEGIN IMMEDIATE`` is the lock there."""
        if c.dialect.name == "postgresql":
            c.execute(sa.select(meta.c.value).where(meta.c.name == "seq").with_for_update())

    # ------------------------------------------------------------------ devices
    def create_enrollment(self, name: str, scope: Iterable[str], ttl_s: float = 72 * 3600) -> tuple[int, str]:
        """A device slot and its one-time code (returned once; only its hash is stored)."""
        entries = [check_scope_entry(s.strip()) for s in scope if s.strip()]
        if not entries:
            raise StorageError(400, "bad_scope", "a device needs at least one village or grid")
        code = "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(4))
        now = time.time()
        with self._write() as c:
            key = c.execute(devices.insert().values(
                name=name, scope=json.dumps(entries), code_hash=_h(code), code_expires=now + ttl_s,
                created_at=now,
            )).inserted_primary_key
            assert key is not None  # an INSERT always returns its key
            did = key[0]
        return int(did), code

    def enroll(self, code: str, node: str, token: str) -> Device:
        """Consume a one-time code, binding the device's node id and its self-chosen token.

        The device generates the token (and keeps it) before asking, so an answer lost on the
        way, a retry or a late duplicate of the request is harmless: the same node with the same
        token redeems the same code again within 10 minutes and gets the same result. Anyone
        else presenting the code is refused.
        """
        now = time.time()
        code_hash = _h(code.strip().upper())

        def refused(row: Any) -> bool:
            return (row is None or row.revoked_at is not None or (row.code_expires or 0) < now
                    or (row.node is not None and (row.node != node or row.token_hash != _h(token))))

        # Looked up without the writers' lock first: a stream of wrong codes must not queue
        # in front of every push.
        with self.engine.connect() as c:
            if refused(c.execute(sa.select(devices).where(devices.c.code_hash == code_hash)).first()):
                raise StorageError(403, "bad_code", "enrollment code unknown, used, expired or revoked")
        with self._write() as c:
            row = c.execute(sa.select(devices).where(devices.c.code_hash == code_hash)).first()
            if row is None or refused(row):
                raise StorageError(403, "bad_code", "enrollment code unknown, used, expired or revoked")
            if row.node is None:
                c.execute(devices.update().where(devices.c.id == row.id).values(
                    code_expires=min(row.code_expires, now + 600), token_hash=_h(token), node=node,
                    enrolled_at=now,
                ))
        return Device(row.id, row.name, tuple(json.loads(row.scope)), node)

    def authenticate(self, token: str) -> Device | None:
        with self._read() as c:
            row = c.execute(sa.select(devices).where(devices.c.token_hash == _h(token))).first()
        if row is None or row.revoked_at is not None:
            return None
        return Device(row.id, row.name, tuple(json.loads(row.scope)), row.node)

    def revoked_at(self, token: str) -> float | None:
        """When the device holding ``token`` was revoked (Unix seconds), None if it was not (or
        the token is unknown). Asked only after `authenticate` refused the token, so the device
        can be told it was revoked rather than merely refused."""
        with self.engine.connect() as c:
            row = c.execute(sa.select(devices.c.revoked_at).where(devices.c.token_hash == _h(token))).first()
        return None if row is None else row.revoked_at

    def audit_head(self, device: Device) -> dict[str, Any] | None:
        """The audit chain head the device last reported: ``{"seq", "hash", "reported_at"}``."""
        with self.engine.connect() as c:
            row = c.execute(sa.select(audit_heads).where(audit_heads.c.device_id == device.id)).first()
        return None if row is None else {"seq": int(row.seq), "hash": row.hash, "reported_at": row.reported_at}

    def set_audit_head(self, device: Device, seq: int, hash: str) -> dict[str, Any]:
        """Keep the device's reported head (replacing the previous one). The server only keeps
        it: the device checks at its next sync that its own chain still holds it."""
        now = time.time()
        with self._write() as c:
            n = c.execute(audit_heads.update().where(audit_heads.c.device_id == device.id)
                          .values(seq=seq, hash=hash, reported_at=now)).rowcount
            if not n:
                c.execute(audit_heads.insert().values(device_id=device.id, seq=seq, hash=hash, reported_at=now))
        return {"seq": seq, "hash": hash, "reported_at": now}

    def revoke(self, device_id: int) -> bool:
        with self._write() as c:
            n = c.execute(devices.update().where(devices.c.id == device_id, devices.c.revoked_at.is_(None))
                          .values(revoked_at=time.time())).rowcount
        return n > 0

    def list_devices(self) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            rows = c.execute(sa.select(devices).order_by(devices.c.id)).all()
        return [
            {"id": r.id, "name": r.name, "scope": json.loads(r.scope), "node": r.node,
             "enrolled": r.enrolled_at is not None, "revoked": r.revoked_at is not None}
            for r in rows
        ]

    # ------------------------------------------------------------------ push
    def push(self, device: Device, batch: PushBatch) -> PushResult:
        """Merge a batch in one transaction; a replayed batch key returns the stored answer.

        The merge is worked out from a read without locks (`_plan`); the write transaction then
        locks the lanes and checks that none of the batch's records changed meanwhile (each
        write gives a record a new number in its lane, so an unchanged (lane, number) is an
        unchanged state) before writing. Writers of one village so hold its counter row only
        for the check and the writes, not for the parsing and merging, which is what made them
        queue. A record changed meanwhile is merged again under the locks; one moved to a
        village whose lane is not held means one more try holding that lane too.
        """
        uuids = sorted({ch.uuid for ch in batch.changes})
        extra: set[str] = set()
        for _ in range(8):
            with self._read() as c:
                old = self._replayed(c, device, batch)
                if old is not None:
                    return old
                plan = self._plan(c, device, batch, uuids, extra)
            try:
                with self._write() as c:
                    return self._push_locked(c, device, batch, uuids, plan)
            except _MoreLanes as more:
                extra |= more.lanes
        raise RuntimeError("records kept moving between villages during a push")  # 500: the client retries

    @staticmethod
    def _replayed(c: sa.Connection, device: Device, batch: PushBatch) -> PushResult | None:
        old = c.execute(sa.select(batches.c.result).where(
            batches.c.device_id == device.id, batches.c.batch == batch.batch)).first()
        if old is None:
            return None
        stored = PushResult.from_json(json.loads(old.result))
        return PushResult(stored.batch, stored.results, replayed=True)

    @staticmethod
    def _scopes(c: sa.Connection, uuids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for i in range(0, len(uuids), 500):
            out.update((r.uuid, r.scope) for r in c.execute(
                sa.select(records.c.uuid, records.c.scope).where(_uuid_among(c, uuids[i:i + 500]))))
        return out

    @staticmethod
    def _seen(c: sa.Connection, uuids: list[str]) -> dict[str, tuple[str, int]]:
        """(lane, number) of each stored record among ``uuids``: changes with every write."""
        out: dict[str, tuple[str, int]] = {}
        for i in range(0, len(uuids), 500):
            out.update((r.uuid, (r.lane, int(r.seq))) for r in c.execute(
                sa.select(records.c.uuid, records.c.lane, records.c.seq).where(_uuid_among(c, uuids[i:i + 500]))))
        return out

    @staticmethod
    def _lanes_needed(device: Device, batch: PushBatch, scopes: dict[str, str]) -> set[str]:
        """Lanes of the records' present and new scopes that the device may write to (a change
        elsewhere is refused without writing, so needs no lock)."""
        wanted = {lanes.lane_of(s) for s in scopes.values()}
        wanted |= {lanes.lane_of(ch.scope) for ch in batch.changes if ch.scope is not None}
        mine = lanes.writable_lanes(device.scope)
        return wanted if mine is None else wanted & mine

    def _plan(self, c: sa.Connection, device: Device, batch: PushBatch, uuids: list[str],
              extra: set[str]) -> _Plan:
        """The batch merged into the records as ``c`` sees them (no locks needed to read)."""
        current: dict[str, Change] = {}
        seen: dict[str, tuple[str, int]] = {}
        for i in range(0, len(uuids), 500):
            for row in c.execute(sa.select(records.c.uuid, records.c.lane, records.c.seq, records.c.state)
                                 .where(_uuid_among(c, uuids[i:i + 500]))):
                st = _load_state(row.state)
                current[st.uuid] = st
                seen[row.uuid] = (row.lane, int(row.seq))
        need = self._lanes_needed(device, batch, {u: st.scope for u, st in current.items() if st.scope})
        existed = set(current)
        dirty: set[str] = set()
        results: list[tuple[bool, str | None]] = []
        policy = formsets.policy(c, self.policy)
        for ch in batch.changes:
            reason = self._refusal(device, current.get(ch.uuid), ch, policy)
            if reason is None:
                prev = current.get(ch.uuid)
                merged = ch if prev is None else m.merge(prev, ch, policy)
                if merged != prev:
                    current[ch.uuid] = merged
                    dirty.add(ch.uuid)
            results.append((reason is None, reason))
        return _Plan(seen, policy, need, need | extra, tuple(results), {u: current[u] for u in dirty}, existed)

    def _push_locked(self, c: sa.Connection, device: Device, batch: PushBatch, uuids: list[str],
                     plan: _Plan) -> PushResult:
        lanes.lock(c, plan.held)
        old = self._replayed(c, device, batch)  # the same batch, retried while the first try ran
        if old is not None:
            return old
        if self._seen(c, uuids) != plan.seen or formsets.policy(c, self.policy) != plan.policy:
            # Someone wrote one of these records since the plan was read: merge again, now
            # under the locks (every writer of these records' lanes waits for us).
            plan = self._plan(c, device, batch, uuids, plan.held)
        if not plan.need <= plan.held:
            raise _MoreLanes(plan.need - plan.held)
        if plan.states:
            self._store_states(c, plan.states, plan.existed)
            grants.index_refs(c, device.scope, plan.states)
        result = PushResult(batch.batch, plan.results)
        now = time.time()
        c.execute(batches.insert().values(device_id=device.id, batch=batch.batch,
                                          result=json.dumps(result.to_json()), created_at=now))
        activity.note_push(c, device.id, len(batch.changes), now)
        if secrets.randbelow(200) == 0:
            # Keys older than this are forgotten; a replay that late merely merges again,
            # which merge's idempotence makes harmless.
            c.execute(batches.delete().where(batches.c.created_at < now - BATCH_MEMORY_S))
        return result

    @staticmethod
    def _store_states(c: sa.Connection, states: dict[str, Change], existed: set[str]) -> None:
        """Write merged states, numbered in their lanes (whose rows the caller holds)."""
        by_lane: dict[str, list[str]] = {}
        for uid in sorted(states):
            scope = states[uid].scope
            assert scope is not None  # a change without a scope is refused ("no_scope")
            by_lane.setdefault(lanes.lane_of(scope), []).append(uid)
        pg = c.dialect.name == "postgresql"
        rows: list[dict[str, Any]] = []
        texts: list[str] = []  # PostgreSQL: each row as JSON text, its state spliced in as an object
        for lane, uids in sorted(by_lane.items()):
            seq = lanes.reserve(c, lane, len(uids))
            for k, uid in enumerate(uids):
                st = states[uid]
                # Encoded one state at a time: its dicts are freed at once, where a batch's
                # worth kept alive together set off the garbage collector over the server's
                # whole heap (seen in a profile under load; in a small process it was cheaper).
                state = dump_json(st.to_json())
                if pg:
                    texts.append(f'{{"uuid":{json.dumps(uid)},"module":{json.dumps(st.module)},'
                                 f'"scope":{json.dumps(st.scope)},"lane":{json.dumps(lane)},"seq":{seq + k},'
                                 f'"state":{state}}}')
                else:
                    rows.append({"uuid": uid, "module": st.module, "scope": st.scope, "lane": lane,
                                 "seq": seq + k, "state": state})
        if pg:
            # One statement for the whole batch: row by row, the inserts were most of a push's
            # time on PostgreSQL (a round trip each), and the lanes' rows are held meanwhile.
            # The rows travel as one JSON text with each state spliced in as an object, so no
            # state is escaped a second time (psycopg's text arrays escaped each with a regular
            # expression, in Python, under the lock; a JSON string of it, by the encoder again).
            # json_to_recordset reproduces a ``json`` column's text exactly: the stored text is
            # `dump_json`'s, which pull splices as it is.
            c.execute(_UPSERT_PG, {"rows": "[" + ",".join(texts) + "]"})
            return
        ins = [r for r in rows if r["uuid"] not in existed]
        upd = [r for r in rows if r["uuid"] in existed]
        if ins:
            c.execute(records.insert(), ins)
        if upd:
            c.execute(records.update().where(records.c.uuid == sa.bindparam("b_uuid")).values(
                module=sa.bindparam("module"), scope=sa.bindparam("scope"), lane=sa.bindparam("lane"),
                seq=sa.bindparam("seq"), state=sa.bindparam("state"),
            ), [{**r, "b_uuid": r["uuid"]} for r in upd])

    @staticmethod
    def attachment_visible(c: sa.Connection, device: Device, sha: str) -> bool:
        """Whether a complete file is granted to a record inside the device's scope."""
        return grants.visible(c, device.scope, sha)

    def _refusal(self, device: Device, prev: Change | None, ch: Change, policy: m.Policy) -> str | None:
        """Why a change is refused (machine-readable reason), or None to accept it."""
        if ch.module in READ_ONLY_MODULES:
            return "read_only_module"
        horizon = f"{int((time.time() * 1000) + MAX_DRIFT_MS):012x}"
        if any(v.hlc[:12] > horizon for vs in ch.fields.values() for v in vs):
            # A laptop whose clock runs days ahead would win every last-writer-wins contest.
            return "clock_ahead"
        if prev is not None and prev.module != ch.module:
            return "module_mismatch"
        if prev is not None and not may_write(prev.scope, device.scope):
            return "out_of_scope"
        new_scope = ch.scope if ch.scope is not None else (prev.scope if prev else None)
        if new_scope is None:
            return "no_scope"
        if not may_write(new_scope, device.scope):
            return "out_of_scope"
        if prev is not None and ch.scope is not None:
            merged_scope = m.merge(prev, ch, policy).scope
            if not may_write(merged_scope, device.scope):
                return "out_of_scope"
        return None

    # ------------------------------------------------------------------ pull
    def encode_cursor(self, device: Device, pos: lanes.Position) -> str:
        return lanes.encode(device.scope, pos)

    def decode_cursor(self, device: Device, cursor: str | None) -> lanes.Position:
        """Where a cursor stands; the start when the device's scope has changed."""
        try:
            return lanes.decode(device.scope, cursor)
        except lanes.BadCursor as exc:
            raise StorageError(400, "bad_cursor", str(exc)) from None

    def pull(self, device: Device, cursor: str | None, limit: int) -> tuple[list[str], str, bool]:
        """The next page for a device: (state JSON texts, new cursor, more?)."""
        pos = self.decode_cursor(device, cursor)
        with self._read() as c:
            states, after, more = lanes.page(c, device.scope, pos, limit)
        if not more:  # the end of the device's sync round: one row written per round
            activity.note_pull(self.engine, device.id, after, time.time())
        return states, self.encode_cursor(device, after), more

    # ------------------------------------------------------------------ down-flow
    def publish(self, module: str, values: dict[str, Any], scope: str, uuid: str | None = None,
                delete: bool = False) -> str:
        """Publish (or update, or withdraw) a watch-list entry, task package or reference item.

        ``scope`` is a village, ``village/grid`` or ``"*"`` for every device.
        """
        import uuid as uuidlib

        uid = uuid or str(uuidlib.uuid4())
        check_scope_entry(scope)
        with self.engine.connect() as c:
            guess = {lanes.lane_of(scope), *self._scopes(c, [uid]).values()}
        with self._write() as c:
            # The record's present lane and its new one, before reading what is merged; the
            # platform is the only writer of these modules, so a move meanwhile is not expected.
            lanes.lock(c, {lanes.lane_of(s) for s in guess})
            row = c.execute(sa.select(records.c.state).where(records.c.uuid == uid)).first()
            prev = _load_state(row.state) if row else None
            if prev is not None and prev.module != module:
                raise StorageError(409, "module_mismatch", f"{uid} belongs to {prev.module}")
            delta = m.edit(prev, uid, module, values, self.clock.now(), scope=scope)
            Change.from_json(delta.to_json())  # what devices would refuse must not be published
            policy = formsets.policy(c, self.policy)
            state = delta if prev is None else m.merge(prev, delta, policy)
            if delete:
                state = m.merge(state, m.delete(state, self.clock.now()), policy)
            self._store_states(c, {uid: state}, set() if prev is None else {uid})
        return uid

    # ------------------------------------------------------------------ form sets
    def publish_form_set(self, text: str | bytes) -> dict[str, Any]:
        """Store a signed form set (`sync.formset`); returns what hello now announces.
        `StorageError` 409 for an older set or a reused version, 422 for a malformed one."""
        try:
            with self._write() as c:
                return formsets.publish(c, text, self.policy)
        except formsets.FormSetRefused as e:
            raise StorageError(409, e.code, str(e)) from None
        except ProtocolError as e:
            raise StorageError(422, "bad_form_set", str(e)) from None

    def form_set_head(self) -> dict[str, Any] | None:
        with self.engine.connect() as c:
            return formsets.head(c)

    def form_set_envelope(self) -> str | None:
        with self.engine.connect() as c:
            return formsets.envelope(c)

    def merge_policy(self) -> m.Policy:
        """The policy pushes are merged with now (the server's own joined with the published sets')."""
        with self.engine.connect() as c:
            return formsets.policy(c, self.policy)

    def get_record(self, uuid: str) -> Change | None:
        with self.engine.connect() as c:
            row = c.execute(sa.select(records.c.state).where(records.c.uuid == uuid)).first()
        return _load_state(row.state) if row else None

    def all_records(self) -> dict[str, Change]:
        """Every record state (tests and admin tools; loads everything in memory)."""
        with self.engine.connect() as c:
            return {r.uuid: _load_state(r.state)
                    for r in c.execute(sa.select(records.c.uuid, records.c.state))}

    def visible(self, device: Device, uuid: str) -> bool:
        st = self.get_record(uuid)
        return st is not None and in_scope(st.scope, device.scope)
