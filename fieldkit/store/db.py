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
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlcipher3 import dbapi2

from fieldkit.domain.errors import StorageError

DEFAULT_CACHE_KIB = 64 * 1024
BUSY_TIMEOUT_MS = 5000

_STORAGE_CODES = {
    dbapi2.SQLITE_FULL: ("磁盘已满，未能保存。请清理空间后重试", "The disk is full; nothing was saved. Free some space and retry"),
    dbapi2.SQLITE_READONLY: ("数据库所在位置只读，未能保存", "The store is on a read-only medium; nothing was saved"),
    dbapi2.SQLITE_IOERR: ("读写磁盘出错，未能保存。请检查存储设备", "Disk I/O error; nothing was saved. Check the storage device"),
    dbapi2.SQLITE_CANTOPEN: ("无法打开数据库文件", "Cannot open the database file"),
    dbapi2.SQLITE_CORRUPT: ("数据库已损坏，请从备份恢复", "The database is damaged; restore it from a backup"),
    dbapi2.SQLITE_NOTADB: ("数据库文件无法解密或已损坏", "The database file cannot be decrypted or is damaged"),
    dbapi2.SQLITE_BUSY: ("数据库正被另一个程序使用，请稍后重试", "The store is busy in another program; retry shortly"),
    dbapi2.SQLITE_LOCKED: ("数据库正被另一个程序使用，请稍后重试", "The store is busy in another program; retry shortly"),
}


def storage_error(e: dbapi2.Error) -> StorageError | None:
    """The user-facing error for an SQLite failure caused by the disk or the file, else None (a bug)."""
    code = getattr(e, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in _STORAGE_CODES:
        zh, en = _STORAGE_CODES[primary]
        return StorageError(zh, message_en=f"{en} ({e})", code=getattr(e, "sqlite_errorname", "storage").lower())
    return None


@contextlib.contextmanager
def translated() -> Iterator[None]:
    try:
        yield
    except dbapi2.Error as e:
        se = storage_error(e)
        if se is not None:
            raise se from e
        raise


def connect(path: Path, key: bytes | None, *, cache_kib: int = DEFAULT_CACHE_KIB) -> dbapi2.Connection:
    """Open (creating if needed) the database at `path`. `key` None means plaintext (bench only)."""
    with translated():
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
        try:
            if key is not None:
                conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
                conn.execute("PRAGMA cipher_memory_security = OFF")
            # Reading the schema is the first real use of the key: a wrong key fails here.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
        except BaseException:
            conn.close()
            raise
    return conn


class Db:
    """One connection plus transaction nesting. Every public store method runs its SQL through here."""

    def __init__(self, conn: dbapi2.Connection) -> None:
        self.conn: dbapi2.Connection | None = conn
        self._depth = 0
        self._after_commit: list[Callable[[], None]] = []

    def _c(self) -> dbapi2.Connection:
        if self.conn is None:
            raise StorageError("数据库已锁定，请重新登录", message_en="The store is locked; unlock it again", code="closed")
        return self.conn

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> dbapi2.Cursor:
        conn = self.conn or self._c()
        try:  # inline rather than `with translated()`: this is the hot path of bulk loads
            return conn.execute(sql, params)
        except dbapi2.Error as e:
            se = storage_error(e)
            if se is not None:
                raise se from e
            raise

    def executemany(self, sql: str, rows: Any) -> dbapi2.Cursor:
        conn = self.conn or self._c()
        try:
            return conn.executemany(sql, rows)
        except dbapi2.Error as e:
            se = storage_error(e)
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
    def tx(self) -> Iterator[None]:
        """All-or-nothing. The outermost level is BEGIN IMMEDIATE…COMMIT; inner levels are savepoints."""
        conn = self._c()
        if self._depth == 0:
            with translated():
                conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
                with translated():
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
            with translated():
                conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
                with translated():
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
