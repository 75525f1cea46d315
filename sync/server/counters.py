"""Rate-limit counters every server process shares: a ``limits`` storage on the server's own
database (table ``rate_counters``, revision 0006_srvclean_rate_counters).

`serve --workers N` runs N processes on one PostgreSQL database. With ``limits``' memory
storage each process counted alone, so a password guesser (or a flooding device) got N times
its budget. ``limits`` ships storages for Redis, Memcached and MongoDB only; a deployment that
already has PostgreSQL should not need a Redis for a few counters, so this is one more storage
behind the same strategies (`SlidingWindowCounterRateLimiter`, as before).

Each counter operation is one statement, atomic on SQLite and PostgreSQL alike: an increment is
an ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` that restarts an expired window in the same
statement. The sliding window is ``limits``' own two-window weighting (the memory storage's
method, reused); its increment-then-check is what keeps racing processes from both winning the
last slot: each sees the count including the other's hit and the loser takes its hit back.

Keys are ``limits``' (``LIMITER/<key>/<amount>/<multiple>/<granularity>/<window>``, at most ~130
characters with our hashed keys); expired rows are swept now and then by an increment.
Threading: any thread; each call takes a pooled connection. Not for the event loop: callers
with an event loop hand calls to a worker thread (`sync.server.guard`).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import sqlalchemy as sa
from limits.storage import MemoryStorage, Storage
from limits.storage.base import SlidingWindowCounterSupport, TimestampedSlidingWindow
from sqlalchemy.dialects import postgresql, sqlite

from sync.server.tables import rate_counters

SWEEP_ONE_IN = 500  # increments between sweeps of expired rows, on average


def _no_sync_commit(dbapi_conn: Any, _record: Any) -> None:
    autocommit = dbapi_conn.autocommit
    dbapi_conn.autocommit = True
    dbapi_conn.execute("SET synchronous_commit TO off")
    dbapi_conn.autocommit = autocommit


class SharedCounters(Storage, SlidingWindowCounterSupport, TimestampedSlidingWindow):
    """``limits`` storage on a SQLAlchemy engine (SQLite or PostgreSQL) whose schema has
    ``rate_counters``. Supports the fixed-window and sliding-window-counter strategies."""

    STORAGE_SCHEME = None  # made from an engine, never from a ``limits`` URI

    def __init__(self, engine: sa.Engine) -> None:
        super().__init__()
        # Every operation is one statement: on PostgreSQL in autocommit it costs one round
        # trip, where a transaction would add BEGIN and COMMIT (or ROLLBACK after a read). A
        # pool of its own there, autocommit from the start (switching per checkout cost
        # ~0.4 ms), without the storage's pre-ping (one more round trip per checkout: a
        # connection broken by a database restart fails one counted request, answered 500,
        # which clients retry) and without waiting for commits to reach the disk (a counter
        # lost in a crash forgives one request).
        if engine.dialect.name == "postgresql":
            engine = sa.create_engine(engine.url, pool_size=10, max_overflow=30, pool_pre_ping=False,
                                      hide_parameters=True, isolation_level="AUTOCOMMIT")
            sa.event.listen(engine, "connect", _no_sync_commit)
            self.engine = engine
        else:  # SQLite: the storage's engine, whose BEGIN listener autocommit would defeat
            self.engine = engine
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._insert: Any = insert

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sa.exc.DBAPIError

    # ------------------------------------------------------------------ counters
    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        t = rate_counters.c
        stmt = self._insert(rate_counters).values(key=key, count=amount, expires_at=now + expiry)
        expired = t.expires_at <= now
        stmt = stmt.on_conflict_do_update(index_elements=[t.key], set_={
            "count": sa.case((expired, amount), else_=t.count + amount),
            "expires_at": sa.case((expired, stmt.excluded.expires_at), else_=t.expires_at),
        }).returning(t.count)
        with self.engine.begin() as c:
            count = int(c.execute(stmt).scalar_one())
            if secrets.randbelow(SWEEP_ONE_IN) == 0:
                c.execute(rate_counters.delete().where(t.expires_at <= now))
        return count

    def decr(self, key: str, amount: int = 1) -> int:
        t = rate_counters.c
        with self.engine.begin() as c:
            row = c.execute(rate_counters.update().where(t.key == key, t.expires_at > time.time())
                            .values(count=sa.case((t.count > amount, t.count - amount), else_=0))
                            .returning(t.count)).first()
        return 0 if row is None else int(row[0])

    def get(self, key: str) -> int:
        t = rate_counters.c
        with self.engine.connect() as c:
            n = c.execute(sa.select(t.count).where(t.key == key, t.expires_at > time.time())).scalar()
        return int(n or 0)

    def get_expiry(self, key: str) -> float:
        t = rate_counters.c
        with self.engine.connect() as c:
            at = c.execute(sa.select(t.expires_at).where(t.key == key, t.expires_at > time.time())).scalar()
        return float(at) if at is not None else time.time()

    def clear(self, key: str) -> None:
        with self.engine.begin() as c:
            c.execute(rate_counters.delete().where(rate_counters.c.key == key))

    def check(self) -> bool:
        try:
            with self.engine.connect() as c:
                c.execute(sa.select(sa.func.count()).select_from(rate_counters))
        except sa.exc.DBAPIError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as c:
            return int(c.execute(rate_counters.delete()).rowcount)

    # ------------------------------------------------------------------ sliding window
    def _get_sliding_window_info(self, previous_key: str, current_key: str, expiry: int,
                                 now: float) -> tuple[int, float, int, float]:
        # One query for both windows (the memory storage asks twice, which costs nothing there).
        t = rate_counters.c
        with self.engine.connect() as c:
            counts = dict(c.execute(sa.select(t.key, t.count).where(
                t.key.in_([previous_key, current_key]), t.expires_at > now)).all())
        previous, current = int(counts.get(previous_key, 0)), int(counts.get(current_key, 0))
        previous_ttl = 0.0 if previous == 0 else (1 - (((now - expiry) / expiry) % 1)) * expiry
        current_ttl = (1 - ((now / expiry) % 1)) * expiry + expiry
        return previous, previous_ttl, current, current_ttl

    # ``limits``' own sliding-window algorithm (weighting, hit, race check and take-back): it is
    # written against get/incr/decr/clear and `_get_sliding_window_info`, which are ours here.
    acquire_sliding_window_entry = MemoryStorage.acquire_sliding_window_entry
    get_sliding_window = MemoryStorage.get_sliding_window
    clear_sliding_window = MemoryStorage.clear_sliding_window


def for_processes(engine: sa.Engine) -> SharedCounters | None:
    """The guard's counters for one of several processes serving ``engine``: shared on
    PostgreSQL; None (the process's memory) on SQLite, which one process serves (`serve
    --workers` refuses more) and where every request would otherwise queue for the database's
    single write lock behind the pushes."""
    return SharedCounters(engine) if engine.dialect.name == "postgresql" else None
