"""The SQLCipher connection: pragmas, transactions, and turning SQLite failures into user errors.

Pragmas (see docs/security.md for the reasoning):
- raw 256-bit key (``PRAGMA key = "x'…'"``): no passphrase KDF inside SQLCipher, so opening is fast;
- ``journal_mode=WAL`` and ``synchronous=FULL``: an acknowledged save survives a killed process
  *and* a laptop whose battery dies (NORMAL would only guarantee the former);
- ``temp_store=MEMORY``: sorts and temp indexes never reach disk as plaintext temp files;
- ``cipher_memory_security=OFF``: wiping every freed page costs ~2× on reads; the threat it
  answers (reading the live process's memory) is out of scope — the key is dropped on close;
- ``cache_size``: 64 MiB by default (measured in bench/store_bench.py: encryption is paid on
  page load, so a cache that holds the hot index pages makes it nearly free).

Threading: a `Db` is used by one thread at a time (the UI's database worker). The connection is
made with ``check_same_thread=False`` so that thread need not be the one that opened it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlcipher3
from sqlcipher3 import dbapi2

from fieldkit import platform_io
from fieldkit.domain.errors import StorageError
from fieldkit.domain.storage_faults import Fault, fault_error

DEFAULT_CACHE_KIB = 64 * 1024
BUSY_TIMEOUT_MS = 5000

_FAULTS = {
    dbapi2.SQLITE_FULL: Fault.FULL,
    dbapi2.SQLITE_READONLY: Fault.READ_ONLY,
    dbapi2.SQLITE_IOERR: Fault.IO,
    dbapi2.SQLITE_CANTOPEN: Fault.IO,
    dbapi2.SQLITE_CORRUPT: Fault.DAMAGED,
    dbapi2.SQLITE_NOTADB: Fault.FOREIGN,
    dbapi2.SQLITE_BUSY: Fault.BUSY,
    dbapi2.SQLITE_LOCKED: Fault.BUSY,
    dbapi2.SQLITE_PERM: Fault.DENIED,
    dbapi2.SQLITE_AUTH: Fault.DENIED,
}


def storage_error(e: dbapi2.Error, path: Path | None = None) -> StorageError | None:
    """The user-facing error for an SQLite failure caused by the disk or the file, else None (a bug).

    SQLite reports a write that hit a full disk or a read-only mount as a plain I/O error on some
    file systems (tmpfs, FAT); with the database's `path` known, the medium is asked which it was."""
    code = getattr(e, "sqlite_errorcode", None)
    fault = _FAULTS.get(code & 0xFF) if isinstance(code, int) else None
    if fault is None:
        return None
    if fault in (Fault.IO, Fault.READ_ONLY) and path is not None:
        # (READ_ONLY too: a store opened read-only because its disk is full says "full".)
        fault = medium_fault(path.parent) or fault
    return fault_error(fault, detail=str(e))


def medium_fault(folder: Path) -> Fault | None:
    """READ_ONLY when `folder`'s file system is mounted read-only, FULL when it has (almost) no
    free space left for us, else None."""
    try:
        st = os.statvfs(folder)
    except OSError:
        return None
    if st.f_flag & os.ST_RDONLY:
        return Fault.READ_ONLY
    if st.f_bavail * st.f_frsize < 64 * 1024:
        return Fault.FULL
    return None


@contextlib.contextmanager
def translated(path: Path | None = None) -> Iterator[None]:
    try:
        yield
    except dbapi2.Error as e:
        se = storage_error(e, path)
        if se is not None:
            raise se from e
        raise


def _owner_only(path: Path) -> None:
    """The database file, and the -wal and -shm beside it, owner-only before SQLite opens them
    for writing: SQLite gives the -wal and -shm it makes the database file's mode, and the
    umask would make all three 0644. A new file is made empty with mode 0600 (a zero-byte file
    is an empty database to SQLite); one a rotation, a restore or an older version made is
    narrowed. Where modes cannot be set (a FAT stick) it is left; a file that cannot be made
    is SQLite's own open to report."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600))
    except FileExistsError:
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if p.exists():
                platform_io.try_make_private(p)
    except OSError:
        pass


def connect(path: Path, key: bytes | None, *, cache_kib: int = DEFAULT_CACHE_KIB,
            read_only: bool = False) -> dbapi2.Connection:
    """Open (creating if needed) the database at `path`. `key` None means plaintext (bench only).

    `read_only` is for a store on a read-only medium: opened ``mode=ro``, and ``immutable`` too
    unless a WAL with unmerged pages is there (immutable would ignore it and show older data);
    every write then fails as `Fault.READ_ONLY`."""
    with translated(path):
        if read_only:
            wal = path.with_name(path.name + "-wal")
            unmerged = wal.is_file() and wal.stat().st_size > 0
            uri = f"file:{quote(str(path))}?mode=ro" + ("" if unmerged else "&immutable=1")
            conn = sqlcipher3.connect(uri, isolation_level=None, check_same_thread=False, uri=True)
        else:
            _owner_only(path)
            conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
        try:
            if key is not None:
                conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
                conn.execute("PRAGMA cipher_memory_security = OFF")
            # Reading the schema is the first real use of the key: a wrong key fails here.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if not read_only:
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
        except BaseException:
            conn.close()
            raise
    return conn


class _Cursor:
    """A cursor whose rows are read through the same translation as the statement: a damaged
    page met while iterating (rows are fetched lazily, after `execute` returned) is "数据库已损坏",
    not an escaped `DatabaseError`."""

    __slots__ = ("_cur", "_path")

    def __init__(self, cur: dbapi2.Cursor, path: Path | None) -> None:
        self._cur, self._path = cur, path

    def __iter__(self) -> Iterator[Any]:
        try:
            yield from self._cur
        except dbapi2.Error as e:
            se = storage_error(e, self._path)
            if se is not None:
                raise se from e
            raise

    def fetchone(self) -> Any:
        with translated(self._path):
            return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        with translated(self._path):
            return self._cur.fetchall()

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cur.lastrowid


class Db:
    """One connection plus transaction nesting. Every public store method runs its SQL through here."""

    def __init__(self, conn: dbapi2.Connection, path: Path | None = None) -> None:
        self.conn: dbapi2.Connection | None = conn
        self.path = path  # the database file: lets an I/O error be told apart as "disk full"
        self._depth = 0
        self._after_commit: list[Callable[[], None]] = []
        # Set while the store is held read-only after a detected rollback: every write is refused
        # with this error (saying why) instead of SQLite's "read-only disk".
        self.refusal: Callable[[], StorageError] | None = None

    def _c(self) -> dbapi2.Connection:
        if self.conn is None:
            raise StorageError("数据库已锁定，请重新登录", message_en="The store is locked; unlock it again", code="closed")
        return self.conn

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> _Cursor:
        conn = self.conn or self._c()
        try:  # inline rather than `with translated()`: this is the hot path of bulk loads
            return _Cursor(conn.execute(sql, params), self.path)
        except dbapi2.Error as e:
            se = storage_error(e, self.path)
            if se is not None:
                raise se from e
            raise

    def executemany(self, sql: str, rows: Any) -> dbapi2.Cursor:
        conn = self.conn or self._c()
        try:
            return conn.executemany(sql, rows)
        except dbapi2.Error as e:
            se = storage_error(e, self.path)
            if se is not None:
                raise se from e
            raise

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.execute(sql, params).fetchone()

    def after_commit(self, fn: Callable[[], None]) -> None:
        """Run `fn` once the outermost transaction commits (or now, outside a transaction)."""
        if self._depth == 0:
            fn()
        elif fn not in self._after_commit:
            self._after_commit.append(fn)

    @contextlib.contextmanager
    def bulk_tx(self) -> Iterator[None]:
        """`tx()` for one write of hundreds of thousands of rows (the demo township, a big import),
        still all-or-nothing, with the main database on a rollback journal meanwhile.

        In WAL mode every page such a transaction changes, and every time the page cache spills
        it, is appended to the WAL until the commit: 860 MB of WAL for a 100,000-person demo.
        A rollback journal keeps only the *old* content of pages that existed before, so for a
        store that was nearly empty it stays a few MB, new pages go straight into the database
        file, and a killed process is still rolled back (the hot journal, on the next open).
        Inside a transaction, or when the switch is refused (another connection reading), it is
        a plain `tx()`. WAL mode comes back after the commit or rollback.
        """
        conn = self._c()
        switched = False
        if self._depth == 0:
            with translated(self.path):
                switched = str(conn.execute("PRAGMA main.journal_mode = DELETE").fetchone()[0]).lower() == "delete"
        try:
            with self.tx():
                yield
        finally:
            if switched:
                with translated(self.path):
                    conn.execute("PRAGMA main.journal_mode = WAL").fetchone()

    @contextlib.contextmanager
    def tx(self) -> Iterator[None]:
        """All-or-nothing. The outermost level is BEGIN IMMEDIATE…COMMIT; inner levels are savepoints."""
        conn = self._c()
        if self._depth == 0:
            if self.refusal is not None:
                raise self.refusal()
            with translated(self.path):
                conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
                with translated(self.path):
                    conn.execute("COMMIT")
            except BaseException:
                self._depth = 0
                self._after_commit.clear()
                with contextlib.suppress(dbapi2.Error):
                    conn.execute("ROLLBACK")
                raise
            self._depth = 0
            pending, self._after_commit = self._after_commit, []
            for fn in pending:
                fn()
        else:
            # Named by depth, so the statement text repeats and stays in the prepared-statement cache.
            name = f"sp{self._depth}"
            with translated(self.path):
                conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
                with translated(self.path):
                    conn.execute(f"RELEASE {name}")
            except BaseException:
                with contextlib.suppress(dbapi2.Error):
                    conn.execute(f"ROLLBACK TO {name}")
                    conn.execute(f"RELEASE {name}")
                raise
            finally:
                self._depth -= 1

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(dbapi2.Error):
                # SQLite's advice for long-lived connections: refresh planner statistics where
                # they matter, bounded so closing a million-record store stays quick.
                self.conn.execute("PRAGMA analysis_limit = 400")
                self.conn.execute("PRAGMA optimize")
            with contextlib.suppress(dbapi2.Error):
                # Fold the WAL back so a closed store is one file (and the WAL holds no old pages).
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.conn.close()
            self.conn = None
