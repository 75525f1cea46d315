"""`Store`: the unlocked, encrypted home directory — the one door to FieldKit's data.

Layout of a home: ``fieldkit.db`` (+ ``-wal``/``-shm``; SQLCipher 4, raw 256-bit data key),
``keyring.json`` (the data key sealed to each user's and the recovery code's X25519 public key,
the private keys wrapped under the passphrases; no personal data),
``attachments/`` (AES-GCM files). See docs/security.md.

Threading: a Store is used by one thread at a time — in the app, the single database worker
thread; the connection is opened with ``check_same_thread=False`` so that thread may be a
different one from the thread that unlocked it. Class methods (`create`, `open`, `recover`,
`exists`, `logins`, `restore`) touch only files and are safe from any thread; concurrent
processes are serialised on the keyring lock and SQLite's own locks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fieldkit import fsio, platform_io
from fieldkit.domain.errors import (
    AuthError,
    Conflict,
    StorageError,
    UserFacingError,
)
from fieldkit.domain.storage_faults import READABLE, Fault, fault_error, fault_of
from sync.hlc import HLC

from . import crypto, partition, recovery, rotation, user_admin
from .attachments import Attachments
from .audit import Audit, Rollback, check_head
from .ctx import Ctx, now_iso
from .db import DEFAULT_CACHE_KIB, Db, connect, medium_fault
from .keyring import Keyring
from .lockout import (
    LOCKOUT_MARK,
    _audit_key,
    _lock_key,
    _save_if_possible,
    _wrong,
    clear_local,
    counted_attempt,
    recovery_secret,
)
from .migrations import migrate
from .outbox import Outbox
from .records import Records
from .routed import (
    RoutedAttachments,
    RoutedDrafts,
    RoutedOutbox,
    RoutedRecords,
    RoutedSearch,
    RoutedSyncTables,
)
from .search import Search
from .settings import Drafts, Settings
from .sync_tables import SyncTables
from .types import UserInfo
from .user_verbs import UserVerbs
from .users import UserTable, check_login, check_passphrase, check_role
from .watchlist import Watchlist

DB_NAME = "fieldkit.db"
INFLIGHT = ".inflight"  # registry of named temporary files (fsio), swept at the next unlock
_SUBKEYS = ("attachments", "attachment-names", "watchlist", "audit")


class Store(UserVerbs):
    """An unlocked store. Build it with `create`, `open` or `recover`; `close()` when done."""

    # Set by `open` when the chief reset this user's passphrase: the services ask for a new one.
    must_change_passphrase: bool = False
    _pending_rotation: dict[str, Any] | None = None

    # -- lifecycle (class methods) -----------------------------------------------------------
    @staticmethod
    def exists(home: Path) -> bool:
        return Keyring.exists(Path(home))

    @staticmethod
    def logins(home: Path) -> list[str]:
        """Logins that can unlock this store (read without unlocking)."""
        return Keyring.load(Path(home)).logins()

    @classmethod
    def create(cls, home: Path, *, user: str, passphrase: str, role: str = "chief", display_name: str = "",
               cache_kib: int = DEFAULT_CACHE_KIB, _plaintext_for_bench: bool = False) -> tuple[Store, str]:
        """A new store with `user` as its first user (who must be the chief).

        Returns the store and the recovery code, shown once for the chief to write down.
        `_plaintext_for_bench` makes an *unencrypted* database: only bench/store_bench.py uses it.
        """
        home = Path(home)
        login = check_login(user)
        if check_role(role) != "chief":
            raise UserFacingError("第一个用户必须是所长（chief）", message_en="The first user must be the chief",
                                  field="role", code="first_user_chief")
        check_passphrase(passphrase, login=login, display_name=display_name)
        if cls.exists(home):
            raise Conflict(f"{home} 已有数据库", message_en=f"A store already exists at {home}", code="store_exists")
        if (home / DB_NAME).exists():
            raise StorageError(
                f"{home} 有数据库文件但缺少 keyring.json，请从备份恢复密钥文件",
                message_en=f"{home} has a database but no keyring.json; restore it from a backup",
            )
        home.mkdir(parents=True, exist_ok=True)
        # Owner-only: 0700, or on Windows a protected DACL that what is made inside inherits.
        platform_io.try_make_private(home)
        data_key = crypto.random_key()
        kr = Keyring.new(home, encrypted=not _plaintext_for_bench)
        kr.set_user_wrap(login, role, passphrase, data_key)
        code, secret = recovery.generate()
        kr.set_recovery_wrap(secret, data_key)
        kr.note_success(_lock_key(data_key, kr.store_id))
        store = cls._unlocked(home, kr, data_key, login, cache_kib=cache_kib, new_user=UserInfo(login, role, display_name))
        store.settings.set(LOCKOUT_MARK, True)
        try:
            with Keyring.locked(home):
                kr.save()
            store.audit.anchor_now()  # the first entry is anchored at once (unlock checks it)
            fsio.keep_reserve(home)  # room for the lockout counter once the disk is full
        except BaseException:
            store._db.close()
            for name in (DB_NAME, partition.RESTRICTED_DB):
                for suffix in ("", "-wal", "-shm"):
                    with contextlib.suppress(OSError):
                        (home / (name + suffix)).unlink()
            raise
        return store, code

    @classmethod
    def open(cls, home: Path, *, user: str, passphrase: str, cache_kib: int = DEFAULT_CACHE_KIB) -> Store:
        """Unlock with a passphrase. `AuthError` (with `retry_after`, seconds) on a wrong one or
        during the delay that follows repeated failures; nothing but the failure count changes."""
        home = Path(home)
        login = (user or "").strip().lower()
        with counted_attempt(home) as (kr, delay, spent):
            if user_admin.is_disabled(kr, login):
                raise user_admin.disabled_error(login)
            if user_admin.needs_reset(kr, login):
                raise user_admin.needs_reset_error(login)
            # The reserve spent on this count, or gone and no room to make it again: the disk is
            # full for all purposes, and the store opens read-only so the counter keeps its room.
            low_space = spent or not fsio.keep_reserve(home)
            data_key = kr.unwrap_user(login, passphrase)
            if data_key is None:
                raise _wrong(delay)
            lock_key = _lock_key(data_key, kr.store_id)
            sealed = kr.chain_sealed(lock_key)
            if not sealed and kr.data.get("lockout") is not None:
                # A self-made or edited chain: answered exactly like a wrong passphrase, so
                # resetting the counter cannot confirm a guess (the recovery code resets it).
                raise _wrong(delay)
            store = cls._unlocked(home, kr, data_key, login, cache_kib=cache_kib, low_space=low_space)
            try:
                if not sealed and store.settings.get(LOCKOUT_MARK, False):
                    raise _wrong(delay)  # the chain was removed from the keyring
                kr.note_success(lock_key)
                clear_local(kr)
                must_change = user_admin.must_change(kr, login)
                if kr.user_kdf(login).weaker_than(crypto.DEFAULT_KDF):
                    # Parameters were raised since this wrap was made: re-wrap at today's cost.
                    kr.set_user_wrap(login, kr.role(login) or "officer", passphrase, data_key)
                    if must_change:
                        user_admin.mark_must_change(kr, login)
                _save_if_possible(kr)
            except BaseException:
                store.close()
                raise
        if not sealed and store.rollback is None:
            with contextlib.suppress(StorageError):
                store.settings.set(LOCKOUT_MARK, True)
        store.must_change_passphrase = must_change
        return store._after_unlock()

    @classmethod
    def recover(cls, home: Path, *, recovery_code: str, user: str, new_passphrase: str,
                cache_kib: int = DEFAULT_CACHE_KIB) -> Store:
        """Unlock with the recovery code and give `user` a new passphrase."""
        home = Path(home)
        login = (user or "").strip().lower()
        check_passphrase(new_passphrase, login=login)
        secret = recovery_secret(recovery_code)
        with counted_attempt(home) as (kr, delay, _spent):
            data_key = kr.unwrap_recovery(secret)
            if data_key is None:
                raise AuthError("恢复码不正确" + (f"，请 {delay:.0f} 秒后再试" if delay else ""),
                                message_en="Wrong recovery code", retry_after=delay, code="wrong_recovery")
            role = kr.role(login)
            if role is None:
                raise AuthError(f"没有用户 {login}", message_en=f"No user {login}", code="unknown_user")
            if user_admin.is_disabled(kr, login):
                raise user_admin.disabled_error(login)
            # The recovery code is the last word: it also resets a counter that was tampered with.
            kr.note_success(_lock_key(data_key, kr.store_id))
            kr.set_user_wrap(login, role, new_passphrase, data_key)
            kr.save()
        return cls._unlocked(home, kr, data_key, login, cache_kib=cache_kib)._after_unlock()

    @classmethod
    def restore(cls, src: Path, home: Path, *, overwrite: bool = False) -> None:
        """Unpack a backup made by `backup()` into `home` (which must hold no store unless
        `overwrite`). Open it afterwards with a passphrase valid when the backup was made."""
        from .backup import restore

        fsio.use_registry(Path(home) / INFLIGHT)
        restore(Path(src), Path(home), overwrite=overwrite)

    @classmethod
    def restore_guarded(cls, src: Path, home: Path, *, user: str, roles: tuple[str, ...], passphrase: str | None = None,
                        recovery_code: str | None = None, drop_newer: bool = False,
                        dry_run: bool = False) -> dict[str, Any]:
        """Restore `src` over the existing store at `home`: see `restore_guard`. Needs the chief's
        passphrase or the recovery code; `BackupLacksNewer` (listing per module what would be
        lost) unless `drop_newer`; writes an audited "restore" entry. `dry_run`: the checks and
        the list of what the backup lacks, nothing replaced."""
        from .restore_guard import guarded_restore

        fsio.use_registry(Path(home) / INFLIGHT)
        return guarded_restore(Path(src), Path(home), user=user, roles=roles, passphrase=passphrase,
                               recovery_code=recovery_code, drop_newer=drop_newer, dry_run=dry_run)

    @classmethod
    def _unlocked(cls, home: Path, kr: Keyring, data_key: bytes, login: str, *, cache_kib: int,
                  new_user: UserInfo | None = None, low_space: bool = False) -> Store:
        """The store opened with `data_key`. `low_space`: the disk is full and the space reserve
        was just spent on the lockout counter — opened read-only, as a full disk is."""
        path = home / DB_NAME
        if new_user is None and (not path.is_file() or path.stat().st_size == 0):
            # Never let SQLite create a fresh, empty database next to a keyring: that would hide
            # the loss (and then fail as "no user chief").
            raise fault_error(Fault.MISSING, where=str(path))
        key = data_key if kr.encrypted else None
        rotated = rotation.resume(home, kr) if new_user is None and os.access(home, os.W_OK) else None
        fault = Fault.READ_ONLY if not os.access(home, os.W_OK) else Fault.FULL if low_space else medium_fault(home)
        try:
            if fault is Fault.READ_ONLY or (low_space and fault is Fault.FULL):
                raise fault_error(fault)
            conn = connect(path, key, cache_kib=cache_kib)
        except StorageError as e:
            # A read-only medium, or a disk so full that SQLite cannot even create its WAL
            # index: open for reading, so the officer can still search, view and export.
            fault = fault_of(e)
            if fault not in READABLE or new_user is not None:
                raise
            conn = connect(path, key, cache_kib=cache_kib, read_only=True)
        else:
            fault = None
        db = Db(conn, path)
        held = None
        if new_user is None:
            # Before anything is written (no migration, no login entry, no anchor): does the
            # database still hold the log the keyring vouches for? A copied-back older
            # fieldkit.db, or cut-off newest audit rows, is found here — and opened read-only.
            try:
                held = check_head(db, _audit_key(data_key, kr.store_id), kr.data.get("audit_anchor"))
            except BaseException:
                db.close()
                raise
            if held is not None and fault is None:
                db.close()
                db = Db(connect(path, key, cache_kib=cache_kib, read_only=True), path)
                fault = Fault.READ_ONLY
        fsio.use_registry(None if fault else home / INFLIGHT)
        if fault is None:
            fsio.sweep(home / INFLIGHT)
        try:
            version = migrate(db)
            users = UserTable(db)
            if new_user is not None:
                with db.tx():
                    users.insert(new_user, at=now_iso(), by=new_user.login)
            info = users.get(login)
            if info is None:
                raise AuthError(f"没有用户 {login}", message_en=f"No user {login}", code="unknown_user")
        except BaseException:
            db.close()
            raise
        store = cls(home, kr, data_key, info, db, version)
        store._cache_kib = cache_kib
        if held is not None:
            store._hold(held)
        if fault is not None and held is None:
            store.audit.cannot_save(fault)
            if fault is Fault.FULL:  # the read-only connection would say "read-only medium"
                db.refusal = lambda: fault_error(Fault.FULL)
        try:
            # (A new store's keyring is saved by `create`, after this.)
            partition.setup(store, kr, writable=fault is None and held is None,
                            save_keyring=(lambda _kr: None) if new_user is not None else Keyring.save,
                            creating=new_user is not None)
        except BaseException:
            db.close()
            raise
        if new_user is not None:
            store.audit.log("user_add", detail={"user": new_user.login, "role": new_user.role})
        if rotated is not None and fault is None and held is None:
            store._pending_rotation = rotated  # finished by `_after_unlock`, outside the keyring lock
        return store

    def _after_unlock(self) -> Store:
        """Work that needs the keyring lock released: audit a rotation killed after its commit point."""
        pending, self._pending_rotation = self._pending_rotation, None
        if pending is not None:
            rotation.finish(self, pending)
        for action, detail in self._pending_audit:
            self.audit.log(action, detail=detail)
        self._pending_audit.clear()
        return self

    def __init__(self, home: Path, kr: Keyring, data_key: bytes, user: UserInfo, db: Db, version: int) -> None:
        self.home = home
        self.device_id = kr.device_id
        self.store_id = kr.store_id
        self.encrypted = kr.encrypted
        self.schema_version = version
        self._key: bytes | None = data_key
        self._cache_kib = DEFAULT_CACHE_KIB
        self._user = user
        self._db = db
        self._users = UserTable(db)
        hlc = HLC(node=kr.device_id)
        last = db.one("SELECT stamp FROM history ORDER BY id DESC LIMIT 1")
        if last:
            # A clock set back since the last edit must not stamp new edits as older ones.
            with contextlib.suppress(ValueError):
                hlc.observe(last[0])
        keys = self._subkeys(data_key)
        self._ctx = Ctx(db=db, home=home, user=user.login, hlc=hlc, schema_version=version, keys=keys)
        self.audit = Audit(self._ctx, read_anchor=self._read_anchor, keyring_update=self._update_keyring)
        self.settings = Settings(self._ctx)
        self._rkey: bytes | None = None
        self._pending_audit: list[tuple[str, dict[str, Any]]] = []
        self._inbox_pub = partition.inbox_pub(kr)
        self._build_parts(None, kr.restricted_modules(), partitioned=kr.restricted() is not None)

    def _build_parts(self, rkey: bytes | None, modules: frozenset[str], *, partitioned: bool) -> None:
        """The parts over ``fieldkit.db`` and, with `rkey` (its database attached), over
        ``restricted.db``, behind the facades that route each module (store/routed.py)."""
        c = self._ctx
        rc = None if rkey is None else dataclasses.replace(
            c, keys=partition.subkeys(rkey, self.store_id), schema=partition.SCHEMA, base=partition.BASE)
        self._rkey, self.restricted_modules = rkey, modules

        def both(cls: Any) -> tuple[Any, Any]:
            return cls(c), (None if rc is None else cls(rc))

        self.records = RoutedRecords(*both(Records), modules)
        self.search = RoutedSearch(*both(Search), modules)
        self.attachments = RoutedAttachments(*both(Attachments), modules, self.records)
        self.watchlist = Watchlist(c, hidden=partition.HIDDEN_REASON if partitioned else None,
                                   reasons=partition.SCHEMA if rc is not None else None)
        self.drafts = RoutedDrafts(*both(Drafts), modules)
        self.outbox = RoutedOutbox(*both(Outbox), modules)
        self.sync = RoutedSyncTables(SyncTables(c, self.watchlist), None if rc is None else SyncTables(rc, self.watchlist),
                                     modules, self.records)
        pub = self._inbox_pub
        if pub is not None:
            self.sync.inbox = (pub, None if rkey is None else partition.inbox_priv(rkey, self.store_id))

    @property
    def holds_restricted(self) -> bool:
        """Whether this session opened the restricted database (its user's role may view it)."""
        return self._rkey is not None

    def _subkeys(self, data_key: bytes) -> dict[str, bytes]:
        keys = {p: rotation.subkey(data_key, self.store_id, p) for p in _SUBKEYS}
        kept = self._db.one("SELECT value FROM settings WHERE key = ?", (rotation.WATCHLIST_KEY,))
        if kept is not None:  # the watch list keeps its HMAC key across rotations (store/rotation.py)
            keys["watchlist"] = bytes.fromhex(json.loads(kept[0]))
        return keys

    def _rekeyed(self, data_key: bytes, rkey: bytes | None) -> None:
        """Reopen the databases under `data_key` and `rkey` after a rotation's swap (store/rotation.py)."""
        self._db.conn = connect(self.home / DB_NAME, data_key, cache_kib=self._cache_kib)
        self._key = data_key
        self._ctx.keys.update(self._subkeys(data_key))
        if rkey is not None:
            partition.attach(self._db, self.home, rkey, self.store_id, read_only=False, create=False)
        self._inbox_pub = partition.inbox_pub(Keyring.load(self.home))
        self._build_parts(rkey, self.restricted_modules, partitioned=bool(self.restricted_modules))

    def rotate_data_key(self, *, reason: str, progress: rotation.Progress | None = None,
                        cancel: Callable[[], bool] | None = None) -> dict[str, Any]:
        """Chief only: re-encrypt the store under a new data key sealed to every remaining user and
        the recovery code (store/rotation.py); old keyring copies stop opening it. Audited as
        "key_rotated" with counts. Seconds to minutes (bench/rotate_bench.py); `progress(phase,
        done, total)` and `cancel()` are called on this (the store's) thread."""
        self._require_chief()
        return rotation.rotate(self, reason=reason, progress=progress, cancel=cancel)

    # -- session ---------------------------------------------------------------------------
    @property
    def user(self) -> UserInfo:
        return self._user

    @property
    def closed(self) -> bool:
        return self._key is None

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """Everything inside commits together; nested blocks are savepoints."""
        return self._db.tx()

    def bulk_transaction(self) -> contextlib.AbstractContextManager[None]:
        """`transaction()` for one very large write: the WAL does not grow with it (Db.bulk_tx)."""
        return self._db.bulk_tx()

    def after_commit(self, fn: Callable[[], None]) -> None:
        """Run `fn` once the outermost transaction commits (at once outside one); never after a rollback."""
        self._db.after_commit(fn)

    def close(self) -> None:
        """Anchor the audit chain, checkpoint the WAL and drop the connection and key material.
        Idempotent. Any later use raises `StorageError` ("locked")."""
        if self._key is None:
            return
        with contextlib.suppress(UserFacingError):
            self.audit.flush()
        self._db.close()
        self._key = None
        self._ctx.keys.clear()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _data_key(self) -> bytes:
        if self._key is None:
            raise StorageError("数据库已锁定，请重新登录", message_en="The store is locked; unlock it again", code="closed")
        return self._key

    @property
    def rollback(self) -> Rollback | None:
        """What the unlock found when the database is older than the keyring's audit anchor (or
        its log was cut): the store is then read-only until the chief restores a backup or
        calls `accept_rollback`. None for a sound store."""
        return self.audit.held

    def _hold(self, held: Rollback) -> None:
        self.audit.held = held
        self._db.refusal = lambda: StorageError(
            "数据库被换成了旧版本或日志被截断，已只读打开：修改无法保存，请所长先处理",
            message_en="The database was replaced by an older copy or its log was cut: read-only until the chief decides",
            code=Fault.READ_ONLY.value)

    def accept_rollback(self, reason: str) -> None:
        """Chief only: accept the database as found (e.g. an old copy put back on purpose), with
        a `reason` that is itself audited ("accept_rollback": anchored vs found seq, reason),
        then re-anchor the keyring to the new head. Reopens the database read-write; the entries
        held in memory meanwhile (the login, views) are written first, in order."""
        # Who may is the permissions table's "restore" (services.backup asks it first).
        held = self.audit.held
        if held is None:
            raise Conflict("数据库没有被换成旧版本，无需确认", message_en="Nothing to accept: the log matches its anchor",
                           code="nothing_to_accept")
        reason = (reason or "").strip()
        if len(reason) < 4:
            raise UserFacingError("请写明接受的原因（至少 4 个字），它会记入审计日志",
                                  message_en="Give the reason (at least 4 characters); it is audited",
                                  field="reason", code="reason_needed")
        path = self.home / DB_NAME
        conn = connect(path, self._data_key() if self.encrypted else None, cache_kib=self._cache_kib)
        old, self._db.conn = self._db.conn, conn
        if old is not None:
            old.close()
        self._db.refusal = None
        migrate(self._db)
        self.audit.held = None
        self.audit.fault = None
        self.audit.log("accept_rollback", detail={**held.detail(), "reason": reason})
        self.audit.flush()
        self.audit.anchor_now()

    # -- maintenance -----------------------------------------------------------------------
    def integrity_check(self) -> list[str]:
        """Problems found by SQLite's and SQLCipher's integrity checks (empty list = sound)."""
        problems = [r[0] for r in self._db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        if self.encrypted:
            problems += [r[0] for r in self._db.execute("PRAGMA cipher_integrity_check")]
        return problems

    def backup(self, dest: Path, *, progress: Callable[[int, int], None] | None = None,
               cancel: Callable[[], bool] | None = None) -> Path:
        """Write one encrypted backup file (database, keyring, attachments) to `dest`;
        `progress(pages done, pages)`, `cancel()` stops it (`Cancelled`, no file left)."""
        from .backup import backup

        try:
            self.audit.flush()
            self.audit.anchor_now()
        except StorageError as e:
            # A read-only or full home can still be backed up to another disk; its keyring
            # (and so the backup's) keeps the last anchor it could write.
            if fault_of(e) not in READABLE:
                raise
        rkey = None if self._rkey is None else partition.db_key(self._rkey, self.store_id)
        return backup(self._db, self.home, Path(dest), self._data_key() if self.encrypted else None,
                      lock_key=_lock_key(self._data_key(), self.store_id), restricted_key=rkey,
                      progress=progress, cancel=cancel)

    def verify_backup(self, src: Path, *, cancel: Callable[[], bool] | None = None) -> dict[str, Any]:
        """Read a backup of this store back with this session's keys (store/backup.py `verify`):
        {"ok", "problems", "records", "audit_entries", "attachments", "created_at"}. Reads only."""
        from .backup import verify

        keys = {k: self._ctx.keys[k] for k in ("attachments", "attachment-names")}
        restricted = None
        if self._rkey is not None:
            restricted = (partition.db_key(self._rkey, self.store_id), partition.subkeys(self._rkey, self.store_id))
        found = verify(Path(src), self._data_key() if self.encrypted else None, store_id=self.store_id,
                       keys=keys, restricted=restricted, cancel=cancel)
        # Tombstones included: the backup holds every row. Compared on the store's own thread,
        # so no write slips in between the copy and this count.
        held = self._db.one("SELECT count(*) FROM main.records")[0]
        if restricted is not None:
            held += self._db.one(f"SELECT count(*) FROM {partition.SCHEMA}.records")[0]
        if found["ok"] and found["records"] != held:
            found["ok"] = False
            found["problems"].append(f"records: {found['records']} in the backup, {held} in the store")
        return found

    @staticmethod
    def backup_manifest(src: Path) -> dict[str, Any]:
        """A backup file's manifest (format, store_id, created_at); `StorageError` if it is none."""
        from .backup import read_manifest

        return read_manifest(Path(src))

    # -- keyring helpers -------------------------------------------------------------------
    def _update_keyring(self, change: Callable[[Keyring], Any]) -> None:
        with Keyring.locked(self.home):
            kr = Keyring.load(self.home)
            kr.rkey = self._rkey  # so a wrap made by `change` carries the restricted key to its holders
            change(kr)
            kr.save()

    def _read_anchor(self) -> dict[str, Any] | None:
        return Keyring.load(self.home).data.get("audit_anchor")

    @contextlib.contextmanager
    def _raw(self) -> Iterator[Any]:
        """The raw connection, for tests that play the attacker. Not for application code."""
        yield self._db._c()
