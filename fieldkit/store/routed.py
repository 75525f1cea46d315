"""One face for two databases: each store part (records, search, outbox, sync tables,
attachments, drafts) exists once per database, and these facades send every call to the
database that holds its module — ``fieldkit.db``, or the attached ``restricted.db`` for the
restricted modules (store/partition.py) — and merge what both answer, in the order and within
the limits the single-database part promises.

Without the restricted key (`restricted` is None) a restricted module has no database in this
session: writing or listing one is `PermissionDenied` ("restricted_locked"); lookups by uuid,
searches and counts simply do not see those records — there is nothing to see them with.

Threading: one thread at a time (the store's), like the parts behind them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from fieldkit.domain.errors import PermissionDenied

from .attachments import Attachments
from .outbox import Outbox
from .partition import BASE
from .records import Records
from .settings import Drafts
from .sync_tables import ConflictRow, SyncTables
from .types import Change, Hit, OutboxItem, Record

T = TypeVar("T")


def locked_module(module: str) -> PermissionDenied:
    return PermissionDenied(
        f"“{module}”是受限模块，您的口令打不开它的数据（只有民警和所长可以）",
        message_en=f"{module} is a restricted module: your passphrase cannot open its records",
        code="restricted_locked")


class _Split:
    def __init__(self, main: Any, restricted: Any | None, modules: frozenset[str]) -> None:
        self.main, self.r, self._rmods = main, restricted, modules

    def _for(self, module: str) -> Any:
        if module in self._rmods:
            if self.r is None:
                raise locked_module(module)
            return self.r
        return self.main

    def _parts(self, modules: Sequence[str] | None = None) -> list[Any]:
        """The parts that can hold any of `modules` (all when None)."""
        out = []
        if modules is None or any(m not in self._rmods for m in modules):
            out.append(self.main)
        if self.r is not None and (modules is None or any(m in self._rmods for m in modules)):
            out.append(self.r)
        return out

    def _by_seq(self, seq: int) -> Any:
        return self.r if seq >= BASE and self.r is not None else self.main


def _merged(parts: Iterable[list[T]], key: Callable[[T], Any], limit: int | None = None,
            reverse: bool = False) -> list[T]:
    out = sorted((x for p in parts for x in p), key=key, reverse=reverse)
    return out if limit is None else out[:limit]


class RoutedRecords(_Split):
    """`store.records` — the `Records` contract (AGENTS.md) over both databases."""

    main: Records

    def _holder(self, uuid: str) -> Records:
        """The part holding `uuid` (main when neither does: its NotFound is the answer)."""
        if self.r is not None and self.main.get(uuid, include_deleted=True) is None \
                and self.r.get(uuid, include_deleted=True) is not None:
            return self.r
        return self.main

    def _grouped(self, items: list[tuple[Any, ...]], part_of: Callable[[tuple[Any, ...]], Records],
                 verb: Callable[[Records, list[tuple[Any, ...]]], list[Record]]) -> list[Record]:
        groups: dict[int, tuple[Records, list[int]]] = {}
        for i, item in enumerate(items):
            p = part_of(item)
            groups.setdefault(id(p), (p, []))[1].append(i)
        out: list[Record | None] = [None] * len(items)
        with self.main._db.tx():  # one transaction on the one connection, both files in it
            for p, idx in groups.values():
                for i, rec in zip(idx, verb(p, [items[i] for i in idx]), strict=True):
                    out[i] = rec
        return [r for r in out if r is not None]

    def create(self, module: str, data: dict[str, Any], **kw: Any) -> Record:
        return self._for(module).create(module, data, **kw)

    def create_many(self, items: Iterable[tuple[Any, ...]]) -> list[Record]:
        return self._grouped(list(items), lambda it: self._for(it[0]), lambda p, its: p.create_many(its))

    def update(self, uuid: str, changes: dict[str, Any], **kw: Any) -> Record:
        return self._holder(uuid).update(uuid, changes, **kw)

    def update_many(self, items: Iterable[tuple[Any, ...]]) -> list[Record]:
        items = list(items)
        if self.r is None:
            return self.main.update_many(items)
        r: Records = self.r
        in_r = {rec.uuid for rec in r.get_many([i[0] for i in items])}
        return self._grouped(items, lambda it: r if it[0] in in_r else self.main,
                             lambda p, its: p.update_many(its))

    def delete(self, uuid: str, **kw: Any) -> Record:
        return self._holder(uuid).delete(uuid, **kw)

    def delete_many(self, uuids: Iterable[str], *, reasons: Sequence[str | None] = ()) -> list[Record]:
        uuids = list(uuids)
        items = list(zip(uuids, list(reasons) or [None] * len(uuids), strict=True))
        if self.r is None:
            return self.main.delete_many(uuids, reasons=[i[1] for i in items])
        r: Records = self.r
        in_r = {rec.uuid for rec in r.get_many(uuids)}
        return self._grouped(items, lambda it: r if it[0] in in_r else self.main,
                             lambda p, its: p.delete_many([i[0] for i in its], reasons=[i[1] for i in its]))

    def restore(self, uuid: str, **kw: Any) -> Record:
        return self._holder(uuid).restore(uuid, **kw)

    def rewrite_many(self, items: Iterable[tuple[Any, ...]], *, by: str, op: str = "upgrade") -> int:
        items = list(items)
        if self.r is None:
            return self.main.rewrite_many(items, by=by, op=op)
        r: Records = self.r
        with self.main._db.tx():  # row ids tell the databases apart (the restricted one's start at BASE)
            return (self.main.rewrite_many([i for i in items if i[0].id < BASE], by=by, op=op)
                    + r.rewrite_many([i for i in items if i[0].id >= BASE], by=by, op=op))

    def scan(self, module: str, **kw: Any) -> list[Record]:
        return self._for(module).scan(module, **kw)

    def apply_remote(self, uuid: str, module: str, data: dict[str, Any], versions: dict[str, str],
                     **kw: Any) -> Record:
        return self._for(module).apply_remote(uuid, module, data, versions, **kw)

    def sync_state(self, uuid: str) -> Any:
        return self._holder(uuid).sync_state(uuid)

    def get(self, uuid: str, include_deleted: bool = False) -> Record | None:
        rec = self.main.get(uuid, include_deleted)
        if rec is None and self.r is not None:
            rec = self.r.get(uuid, include_deleted)
        return rec

    def get_many(self, uuids: Iterable[str], *, versions: bool = True) -> list[Record]:
        wanted = list(dict.fromkeys(uuids))
        found = {r.uuid: r for p in self._parts() for r in p.get_many(wanted, versions=versions)}
        return [found[u] for u in wanted if u in found]

    def rows(self, row_ids: Sequence[int], *, versions: bool = True) -> list[Record]:
        ids = list(row_ids)
        low = self.main.rows([i for i in ids if i < BASE], versions=versions)
        high = self.r.rows([i for i in ids if i >= BASE], versions=versions) if self.r is not None else []
        found = {r.id: r for r in (*low, *high)}
        return [found[i] for i in ids if i in found]

    def deletions(self, row_ids: Sequence[int]) -> dict[int, tuple[str, str, str | None]]:
        ids = list(row_ids)
        out = self.main.deletions([i for i in ids if i < BASE])
        if self.r is not None:
            out.update(self.r.deletions([i for i in ids if i >= BASE]))
        return out

    def ids(self, module: str, **kw: Any) -> list[int]:
        return self._for(module).ids(module, **kw)

    def count(self, module: str, **kw: Any) -> int:
        return self._for(module).count(module, **kw)

    def history(self, uuid: str) -> list[Change]:
        return self._holder(uuid).history(uuid)

    def referencing(self, uuid: str, modules: Sequence[str] | None = None) -> list[Record]:
        return _merged((p.referencing(uuid, modules) for p in self._parts(modules)), key=lambda r: (r.module, r.id))

    def modules(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self._parts():
            out.update(p.modules())
        return out


class RoutedSearch(_Split):
    """`store.search` over both databases: each answers, the hits are merged in the order the
    single-database search gives (and cut at `limit`)."""

    def exact(self, kind: str, key: str, modules: Sequence[str] | None = None, limit: int = 50, *,
              village: str | None = None) -> list[Hit]:
        return _merged((p.exact(kind, key, modules, limit, village=village) for p in self._parts(modules)),
                       key=lambda h: (h.module, h.id), limit=limit)

    def prefix(self, kind: str, key: str, modules: Sequence[str] | None = None, limit: int = 50) -> list[Hit]:
        return _merged((p.prefix(kind, key, modules, limit) for p in self._parts(modules)),
                       key=lambda h: (h.key, h.module, h.id), limit=limit)

    def any_exact(self, key: str, kinds: Sequence[str], modules: Sequence[str] | None = None,
                  limit: int = 50) -> list[Hit]:
        return _merged((p.any_exact(key, kinds, modules, limit) for p in self._parts(modules)),
                       key=lambda h: (h.kind, h.module, h.id), limit=limit)

    def exact_many(self, terms: Sequence[tuple[str, str]], modules: Sequence[str] | None = None
                   ) -> dict[tuple[str, str], list[Hit]]:
        out: dict[tuple[str, str], list[Hit]] = {}
        for p in self._parts(modules):
            for term, hits in p.exact_many(terms, modules).items():
                out.setdefault(term, []).extend(hits)
        return out

    def count(self, kind: str, key: str, modules: Sequence[str] | None = None) -> int:
        return sum(p.count(kind, key, modules) for p in self._parts(modules))


class RoutedOutbox(_Split):
    """`store.outbox` over both databases: sequence numbers of the restricted one start at
    `BASE`, so "oldest first" lists the main database's changes, then the restricted ones."""

    main: Outbox

    def pending(self, limit: int = 500, after_seq: int = 0) -> list[OutboxItem]:
        return _merged((p.pending(limit, after_seq) for p in self._parts()), key=lambda o: o.seq, limit=limit)

    def pending_for(self, uuid: str) -> list[OutboxItem]:
        return [o for p in self._parts() for o in p.pending_for(uuid)]

    def items(self, seqs: Sequence[int]) -> list[OutboxItem]:
        low = self.main.items([s for s in seqs if s < BASE])
        high = self.r.items([s for s in seqs if s >= BASE]) if self.r is not None else []
        return [*low, *high]

    def count(self) -> int:
        return sum(p.count() for p in self._parts())

    def reject(self, seq: int, reason: str) -> None:
        self._by_seq(seq).reject(seq, reason)

    def rejected(self, limit: int = 500) -> list[tuple[OutboxItem, str]]:
        return _merged((p.rejected(limit) for p in self._parts()), key=lambda x: x[0].seq, limit=limit, reverse=True)

    def rejected_count(self) -> int:
        return sum(p.rejected_count() for p in self._parts())

    def ack(self, seqs: Sequence[int]) -> int:
        n = self.main.ack([s for s in seqs if s < BASE])
        if self.r is not None:
            n += self.r.ack([s for s in seqs if s >= BASE])
        return n


class RoutedSyncTables(_Split):
    """`store.sync` over both databases. The "already on the server" marks and the watch list's
    hashes stay in ``fieldkit.db`` (they name no one); states, conflicts and frozen deltas go
    with their record."""

    main: SyncTables

    def __init__(self, main: SyncTables, restricted: SyncTables | None, modules: frozenset[str],
                 records: RoutedRecords) -> None:
        super().__init__(main, restricted, modules)
        self._records = records

    def _holder(self, uuid: str) -> SyncTables:
        return self.r if self.r is not None and self._records._holder(uuid) is self._records.r else self.main

    def set_state(self, uuid: str, state: Any) -> None:
        self._holder(uuid).set_state(uuid, state)

    def states_with_refs(self, marker: str) -> list[tuple[str, Any]]:
        return [s for p in self._parts() for s in p.states_with_refs(marker)]

    def frozen(self, seqs: Sequence[int]) -> dict[int, Any]:
        out = self.main.frozen([s for s in seqs if s < BASE])
        if self.r is not None:
            out.update(self.r.frozen([s for s in seqs if s >= BASE]))
        return out

    def freeze(self, seq: int, change: Any) -> None:
        self._by_seq(seq).freeze(seq, change)

    def replace_conflicts(self, uuid: str, rows: Iterable[tuple[Any, ...]]) -> None:
        rows = list(rows)
        part = self._holder(uuid)
        if part is self.main and rows and rows[0][2] in self._rmods:
            part = self._for(rows[0][2])
        part.replace_conflicts(uuid, rows)

    def conflicts(self, uuid: str | None = None) -> list[ConflictRow]:
        return _merged((p.conflicts(uuid) for p in self._parts()), key=lambda c: (c.found_at, c.uuid, c.field))

    def conflict_count(self) -> int:
        return sum(p.conflict_count() for p in self._parts())

    def uploaded(self) -> set[str]:
        return self.main.uploaded()

    def mark_uploaded(self, sha: str) -> None:
        self.main.mark_uploaded(sha)
        if self.r is not None:  # the mark is kept once, in fieldkit.db; the index rows in each part
            self.r.mark_uploaded(sha)

    def partial(self, sha: str) -> bytes:
        return self.main.partial(sha)  # kept in fieldkit.db: a download does not know its module

    def keep_partial(self, sha: str, data: bytes) -> None:
        self.main.keep_partial(sha, data)

    def to_upload(self) -> list[tuple[str, str]]:
        return [x for p in self._parts() for x in p.to_upload()]

    def to_download(self) -> list[tuple[str, str]]:
        return [x for p in self._parts() for x in p.to_download()]

    def watch_apply(self, uuid: str, id_number: str | None, reason: str, source: str) -> None:
        self.main.watch_apply(uuid, id_number, reason, source)

    # The sealed inbox: set by the store (`inbox`: the public key, and the private one when
    # this session holds the restricted key).
    inbox: tuple[bytes, bytes | None] | None = None

    def holds(self, module: str) -> bool:
        """Whether a pulled change of `module` can be stored in this session (else: `seal_pulled`)."""
        return module not in self._rmods or self.r is not None

    def seal_pulled(self, change: Any) -> None:
        if self.inbox is None:
            raise locked_module("?")
        self.main.seal_pulled(change, self.inbox[0])

    def sealed_pulled(self) -> list[tuple[int, Any]]:
        if self.inbox is None or self.inbox[1] is None:
            return []
        return self.main.sealed_pulled(self.inbox[1])

    def drop_sealed(self, ids: Sequence[int]) -> None:
        self.main.drop_sealed(ids)

    def sealed_count(self) -> int:
        return self.main.sealed_count()


class RoutedDrafts(_Split):
    """`store.drafts`: a draft keyed ``<module>:<uuid>`` lives with its module's records."""

    main: Drafts

    def _key_part(self, key: str) -> Drafts:
        module = key.split(":", 1)[0]
        return self._for(module) if module in self._rmods else self.main

    def save(self, key: str, data: Any) -> None:
        self._key_part(key).save(key, data)

    def load(self, key: str) -> Any:
        module = key.split(":", 1)[0]
        if module in self._rmods and self.r is None:
            return None
        return self._key_part(key).load(key)

    def discard(self, key: str) -> None:
        module = key.split(":", 1)[0]
        if module in self._rmods and self.r is None:
            return
        self._key_part(key).discard(key)

    def keys(self) -> list[str]:
        return [k for p in self._parts() for k in p.keys()]  # noqa: SIM118 (not a dict)


class RoutedAttachments(_Split):
    """`store.attachments`: a file belongs with its record's module. `put` is told the module
    (or finds it from the record); reads look in the restricted part first — a grid worker's
    session has no key for those files, so it finds them nowhere."""

    main: Attachments

    def __init__(self, main: Attachments, restricted: Attachments | None, modules: frozenset[str],
                 records: RoutedRecords) -> None:
        super().__init__(main, restricted, modules)
        self._records = records

    def _put_part(self, record_uuid: str | None, module: str | None) -> Attachments:
        if module is not None:
            return self._for(module)
        if record_uuid is not None:
            rec = self._records.get(record_uuid, include_deleted=True)
            if rec is not None:
                return self._for(rec.module)
        return self.main

    def put(self, data: bytes, *, kind: str, record_uuid: str | None = None, module: str | None = None) -> str:
        return self._put_part(record_uuid, module).put(data, kind=kind, record_uuid=record_uuid)

    def _reader(self, sha: str) -> Attachments:
        if self.r is not None and self.r.has(sha):
            return self.r
        return self.main

    def get(self, sha: str) -> bytes:
        return self._reader(sha).get(sha)

    def has(self, sha: str) -> bool:
        return any(p.has(sha) for p in self._parts())

    def for_record(self, record_uuid: str) -> list[tuple[str, str, int]]:
        return [a for p in self._parts() for a in p.for_record(record_uuid)]

    def remove(self, sha: str) -> None:
        for p in self._parts():
            p.remove(sha)
