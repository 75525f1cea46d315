"""Records of every module in one table, with field-level history and the sync outbox.

There is one write path: every verb (`create`, `create_many`, `update`, `update_many`, `delete`,
`restore`, `apply_remote`) turns its request into `_Plan`s, and `_commit` writes each plan's
row, history lines (who, when, op, field, old → new, stamp), per-field versions, index terms
and — for local edits — one outbox row (uuid, module, op, changed fields as [value, HLC stamp],
author, schema version), all in one transaction and with one `executemany` per table. A
failure leaves none of them. Bulk verbs are the same path with more plans.

Threading: one thread at a time (the store's). Times are ISO-8601 UTC strings.
"""

from __future__ import annotations

import contextlib
import re
import uuid as uuidlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlcipher3 import dbapi2

from fieldkit.domain.errors import Conflict, NotFound, StorageError
from fieldkit.domain.storage_faults import READABLE, fault_of

from . import attachment_index
from .ctx import Ctx, dumps, loads, now_iso
from .rowcodec import (
    by_reference,
    outbox_has_stamp,
    pack_terms,
    pack_versions,
    settle,
    unpack_terms,
    unpack_versions,
)
from .types import Change, IndexTermsLike, Record

_COLS = "id, uuid, module, data, versions, created_at, created_by, updated_at, updated_by, deleted, village, grid, date"
# Sortable/filterable columns; anything else is a data field reached through json_extract.
_COLUMN_ORDER = {"created_at", "updated_at", "date", "village", "grid", "id"}
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_CHUNK = 500
_MISSING = object()
_KEEP = object()  # "leave the stored sync state as it is"
DELETED = "_deleted"  # the versions key (and outbox field) of a tombstone or restore


_COLS_NO_VERSIONS = _COLS.replace("versions", "NULL")


def _record(row: Sequence[Any]) -> Record:
    data = loads(row[3])
    return Record(
        id=row[0], uuid=row[1], module=row[2], data=data, versions=unpack_versions(data, row[4]),
        created_at=row[5], created_by=row[6], updated_at=row[7], updated_by=row[8],
        deleted=bool(row[9]), village=row[10], grid=row[11], date=row[12],
    )


def _terms_of(terms: IndexTermsLike | None) -> list[tuple[str, str]]:
    if terms is None:
        return []
    return [(str(k), str(v)) for k, v in dict.fromkeys(map(tuple, terms.terms)) if v is not None and v != ""]


def _columns(terms: IndexTermsLike | None) -> tuple[str | None, str | None, str | None]:
    return (getattr(terms, "village", None), getattr(terms, "grid", None), getattr(terms, "date", None))


@dataclass(eq=False)
class _Plan:
    """One record's write: the row as it will be, and what history and the outbox must say."""

    rid: int | None  # None: a new row
    uuid: str
    module: str
    data: dict[str, Any]
    versions: dict[str, str]
    created: tuple[str, str]  # (at, by)
    updated: tuple[str, str]
    deleted: bool
    cols: tuple[str | None, str | None, str | None]  # village, grid, date
    terms: list[tuple[str, str]] | None  # the new index terms; None keeps the stored ones
    old_terms: list[tuple[str, str]] = field(default_factory=list)
    # (at, by, op, field, old, new, stamp) — old/new as Python values
    history: list[tuple[str, str, str, str | None, Any, Any, str]] = field(default_factory=list)
    outbox: tuple[str, dict[str, list[Any]]] | None = None  # (op, {field: [value, stamp]})
    sync: Any = _KEEP
    is_new: bool = False

    def record(self) -> Record:
        assert self.rid is not None
        return Record(self.rid, self.uuid, self.module, self.data, self.versions, *self.created, *self.updated,
                      self.deleted, *self.cols)


class Records:
    """`store.records` — see AGENTS.md for the contract."""

    def __init__(self, ctx: Ctx) -> None:
        self._ctx = ctx
        self._db = ctx.db
        self._s, self._base = ctx.schema, ctx.base
        self._field_indexes: set[str] = set()
        self._by_ref: bool | None = None  # outbox entries by reference (step 0012); read once
        self._packed: bool | None = None  # term lists packed (step 0013); read once

    def _terms_text(self, terms: list[tuple[str, str]]) -> str:
        # Tests build stores of older schemas with this code: there, the list as step 0009 reads it.
        if self._packed is None:
            self._packed = self._db.one(f"SELECT count(*) FROM {self._s}.migrations WHERE name = '0013_packed_terms'")[0] > 0
        return pack_terms(terms) if self._packed else dumps(terms)

    def _refs(self) -> bool:
        if self._by_ref is None:
            self._by_ref = outbox_has_stamp(self._db, self._s)
        return self._by_ref

    # -- writes ----------------------------------------------------------------------------
    def create(self, module: str, data: dict[str, Any], *, terms: IndexTermsLike | None = None,
               uuid: str | None = None) -> Record:
        """Insert a new record (all fields stamped with one HLC stamp). `Conflict` if the uuid exists."""
        return self.create_many([(module, data, terms, uuid)])[0]

    def create_many(self, items: Iterable[tuple[Any, ...]]) -> list[Record]:
        """`create` for many records in one transaction: items are (module, data, terms[, uuid]).

        One `executemany` per table (bench/store_bench.py: ~4× the rate of single creates).
        `Conflict` (and nothing written) if any uuid already exists. The batch is one event of
        the clock: its records share a stamp (a stamp orders the versions of one field of one
        record, so records never compete for it).
        """
        who = self._ctx.user
        plans = []
        now, stamp = now_iso(), self._ctx.hlc.now()
        for item in items:
            module, data, terms = item[0], dict(item[1]), item[2]
            uid = item[3] if len(item) > 3 and item[3] else str(uuidlib.uuid4())
            plans.append(_Plan(
                None, uid, module, data, dict.fromkeys(data, stamp), (now, who), (now, who), False,
                _columns(terms), _terms_of(terms), history=[(now, who, "create", None, None, None, stamp)],
                outbox=("create", {f: [v, stamp] for f, v in data.items()}),
            ))
        self._commit(plans)
        return [p.record() for p in plans]

    def update(self, uuid: str, changes: dict[str, Any], *, terms: IndexTermsLike | None = None,
               restamp: Iterable[str] = ()) -> Record:
        """Apply `changes` (field → new value). Only fields whose value differs are recorded and
        re-stamped — and those in `restamp`, written with a fresh stamp even when unchanged (a
        conflict settled in favour of the value already shown must still send a write that has
        seen every version). `terms` (if given) replaces the index terms and filter columns."""
        return self.update_many([(uuid, changes, terms, tuple(restamp))])[0]

    def update_many(self, items: Iterable[tuple[Any, ...]]) -> list[Record]:
        """`update` for many records in one transaction: items are (uuid, changes, terms[, restamp]).

        `NotFound` (and nothing written) if any record is missing or deleted."""
        items = list(items)
        with self._db.tx():
            current = {r.uuid: r for r in self.get_many([i[0] for i in items])}
            if len(current) != len(items):
                names = [i[0] for i in items]
                if len(set(names)) != len(names):
                    raise ValueError("update_many: a record may appear only once per batch")
            plans = []
            now, stamp = now_iso(), self._ctx.hlc.now()  # one event of the clock, as in create_many
            for item in items:
                uid, changes, terms = item[0], item[1], item[2]
                restamp = set(item[3]) if len(item) > 3 else set()
                rec = current.get(uid)
                if rec is None or rec.deleted:
                    self._live(uid)  # raises the right NotFound
                    raise AssertionError("unreachable")
                plans.append(self._update_plan(rec, changes, terms, restamp, now, stamp))
            self._commit(plans)
        return [p.record() for p in plans]

    def _update_plan(self, rec: Record, changes: Mapping[str, Any], terms: IndexTermsLike | None,
                     restamp: set[str], now: str, stamp: str) -> _Plan:
        changed = {f: v for f, v in changes.items() if f in restamp or rec.data.get(f, _MISSING) != v}
        plan = _Plan(rec.id, rec.uuid, rec.module, dict(rec.data), dict(rec.versions), (rec.created_at, rec.created_by),
                     (rec.updated_at, rec.updated_by), False, (rec.village, rec.grid, rec.date),
                     _terms_of(terms) if terms is not None else None)
        if terms is not None:
            plan.cols = _columns(terms)
        if changed:
            who = self._ctx.user
            plan.history = [(now, who, "update", f, rec.data.get(f), v, stamp) for f, v in changed.items()]
            plan.data.update(changed)
            plan.versions.update(dict.fromkeys(changed, stamp))
            plan.updated = (now, who)
            plan.outbox = ("update", {f: [v, stamp] for f, v in changed.items()})
        return plan

    def delete(self, uuid: str, *, reason: str | None = None) -> Record:
        """Tombstone the record: it keeps its data and history, leaves lists and search results,
        and the deletion (stamped as field ``_deleted``) syncs like any other change. `reason`
        is kept in the delete's history line (the trash shows it; it stays on this laptop)."""
        return self._set_deleted(self._live(uuid), True, None, reason)

    def delete_many(self, uuids: Sequence[str], *, reasons: Sequence[str | None] = ()) -> list[Record]:
        """`delete` for many live records in one write (a demo removal): one savepoint for all
        instead of one each — releasing thousands of nested savepoints grows with the batch."""
        why = list(reasons) or [None] * len(uuids)
        plans = [self._deleted_plan(self._live(u), True, None, r) for u, r in zip(uuids, why, strict=True)]
        self._commit(plans)
        return [p.record() for p in plans]

    def restore(self, uuid: str, *, terms: IndexTermsLike | None = None, again: bool = False) -> Record:
        """Bring a tombstoned record back (with `terms` for search) as a local edit that syncs.

        `again=True` writes a fresh tombstone over one that is already there instead: sync uses it
        to state "deleted, having seen those edits", settling an edit-vs-delete conflict."""
        rec = self.get(uuid, include_deleted=True)
        if rec is None:
            raise NotFound("没有找到这条记录", message_en=f"No record {uuid}")
        return self._set_deleted(rec, again, terms)

    def _set_deleted(self, rec: Record, deleted: bool, terms: IndexTermsLike | None,
                     reason: str | None = None) -> Record:
        plan = self._deleted_plan(rec, deleted, terms, reason)
        self._commit([plan])
        return plan.record()

    def _deleted_plan(self, rec: Record, deleted: bool, terms: IndexTermsLike | None,
                      reason: str | None = None) -> _Plan:
        now, stamp, who = now_iso(), self._ctx.hlc.now(), self._ctx.user
        op = "delete" if deleted else "restore"
        plan = _Plan(rec.id, rec.uuid, rec.module, dict(rec.data), {**rec.versions, DELETED: stamp},
                     (rec.created_at, rec.created_by), (now, who), deleted,
                     (rec.village, rec.grid, rec.date) if deleted or terms is None else _columns(terms),
                     [] if deleted else _terms_of(terms),
                     history=[(now, who, op, None, None, reason, stamp)], outbox=(op, {DELETED: [deleted, stamp]}))
        return plan

    def apply_remote(self, uuid: str, module: str, data: dict[str, Any], versions: dict[str, str], *,
                     deleted: bool = False, terms: IndexTermsLike | None = None, sync_state: Any = None,
                     by: str = "sync", authors: Mapping[str, str] | None = None,
                     times: Mapping[str, str] | None = None) -> Record:
        """Store a record state merged by sync (not a local edit: no outbox row).

        Creates the record if new, else replaces its data/versions, writing history rows
        (op "sync", field old → new) for the fields whose value changed. Each row names the
        person who made that change and when — `authors`/`times` per field (from the versions
        received), `by`/now where a field has none. `deleted` tombstones or restores it; `terms`
        replaces its index terms (ignored while deleted); `sync_state` is kept opaque for the
        sync adapter. Every stamp is observed by the clock, so later local edits sort after what
        was merged. Joins the caller's transaction (so the pull cursor commits with the records).
        """
        ctx = self._ctx
        for stamp in versions.values():
            with contextlib.suppress(ValueError):
                ctx.hlc.observe(stamp)
        authors, times = authors or {}, times or {}
        now = now_iso()
        stamp = max(versions.values(), default=ctx.hlc.now())
        newest = max(versions, key=lambda f: versions[f], default=None)
        last_by = authors.get(newest, by) if newest else by
        last_at = times.get(newest, now) if newest else now
        tlist = [] if deleted else _terms_of(terms)
        with self._db.tx():
            old = self.get(uuid, include_deleted=True)
            if old is None:
                plan = _Plan(None, uuid, module, dict(data), dict(versions), (last_at, last_by), (last_at, last_by),
                             deleted, _columns(terms), tlist, sync=sync_state,
                             history=[(last_at, last_by, "sync", None, None, None, stamp)])
            else:
                changed = sorted(f for f in {*old.data, *data} if old.data.get(f) != data.get(f))
                plan = _Plan(old.id, uuid, module, dict(data), dict(versions), (old.created_at, old.created_by),
                             (last_at, last_by), deleted, _columns(terms) if terms is not None else
                             (old.village, old.grid, old.date), tlist if (terms is not None or deleted) else None,
                             sync=sync_state)
                plan.history = [(times.get(f, now), authors.get(f, by), "sync", f, old.data.get(f), data.get(f),
                                 versions.get(f, stamp)) for f in changed]
                if old.deleted != deleted:
                    f = DELETED
                    plan.history.append((times.get(f, now), authors.get(f, by), "delete" if deleted else "restore",
                                         None, None, None, versions.get(f, stamp)))
            self._commit([plan])
        return plan.record()

    def rewrite_many(self, items: Iterable[tuple[Record, dict[str, Any], dict[str, str], IndexTermsLike | None]], *,
                     by: str, op: str = "upgrade") -> int:
        """Store records re-read under a new form (items: the record as read, its new data,
        versions, terms): not an edit — no outbox row; history lines name `by` (the form upgrade),
        field old → new. Tombstones included. Returns how many records were written. Joins the
        caller's transaction. The caller has just read the records in this transaction (`scan`)."""
        now, stamp = now_iso(), self._ctx.hlc.now()
        plans = []
        for rec, data, versions, terms in items:
            changed = sorted(f for f in {*rec.data, *data} if rec.data.get(f, _MISSING) != data.get(f, _MISSING))
            if not changed:
                continue
            plans.append(_Plan(rec.id, rec.uuid, rec.module, dict(data), dict(versions), (rec.created_at, rec.created_by),
                               (now, by), rec.deleted, _columns(terms) if terms is not None else
                               (rec.village, rec.grid, rec.date), None if rec.deleted else _terms_of(terms),
                               history=[(now, by, op, f, rec.data.get(f), data.get(f), stamp) for f in changed]))
        self._commit(plans)
        return len(plans)

    def scan(self, module: str, *, after: int = 0, limit: int = 1000) -> list[Record]:
        """The module's records (tombstones too) with row id above `after`, in id order."""
        return [_record(r) for r in self._db.execute(
            f"SELECT {_COLS} FROM {self._s}.records WHERE module = ? AND id > ? ORDER BY id LIMIT ?", (module, after, limit))]

    def sync_state(self, uuid: str) -> Any:
        """The opaque merge state last stored by `apply_remote` (None if never synced)."""
        row = self._db.one(f"SELECT sync FROM {self._s}.records WHERE uuid = ?", (uuid,))
        return None if row is None else loads(row[0])

    # -- the one write path ------------------------------------------------------------------
    def _commit(self, plans: list[_Plan]) -> None:
        """Write every plan: rows, index terms, history, outbox — one transaction, batched."""
        db, ctx = self._db, self._ctx
        with db.tx():
            new = [p for p in plans if p.rid is None]
            if new:
                # BEGIN IMMEDIATE holds the write lock, so no other writer can take these row ids.
                next_id = max(db.one(f"SELECT max(id) FROM {self._s}.records")[0] or 0, self._base) + 1
                for i, p in enumerate(new):
                    p.rid, p.is_new = next_id + i, True
            old = [p for p in plans if not p.is_new]
            stored = self._stored_terms([p for p in old if p.terms is not None])
            try:
                db.executemany(
                    f"INSERT INTO {self._s}.records(id, uuid, module, data, versions, terms, created_at, created_by,"
                    " updated_at, updated_by, deleted, village, grid, date, sync) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [(p.rid, p.uuid, p.module, dumps(p.data), pack_versions(p.data, p.versions), self._terms_text(p.terms or []), *p.created,
                      *p.updated, int(p.deleted), *p.cols, None if p.sync is _KEEP else dumps(p.sync)) for p in new],
                )
            except dbapi2.IntegrityError:  # UNIQUE(uuid): cheaper than looking first on every insert
                one = len(new) == 1
                raise Conflict("记录已存在" if one else "导入的记录中有已存在的记录",
                               message_en=f"Record {new[0].uuid} already exists" if one
                               else "A record in the batch already exists") from None
            if self._refs():
                self._settle_outbox(old)
            row_set = (f"UPDATE {self._s}.records SET module=?, data=?, versions=?, updated_at=?, updated_by=?, deleted=?,"
                       " village=?, grid=?, date=?{} WHERE id=?")
            db.executemany(row_set.format(""), [
                (p.module, dumps(p.data), pack_versions(p.data, p.versions), *p.updated, int(p.deleted), *p.cols, p.rid)
                for p in old if p.sync is _KEEP])
            db.executemany(row_set.format(", sync=?"), [
                (p.module, dumps(p.data), pack_versions(p.data, p.versions), *p.updated, int(p.deleted), *p.cols,
                 dumps(p.sync), p.rid)
                for p in old if p.sync is not _KEEP])
            gone, added, listed = [], [], []
            for p in plans:
                if p.terms is None:
                    continue
                before = stored.get(p.rid or 0, [])
                if not p.is_new:
                    if set(before) == set(p.terms):  # the index is a set; order does not matter
                        continue
                    listed.append((self._terms_text(p.terms), p.rid))
                gone += [(k, v, p.module, p.rid) for k, v in before]
                added += [(k, v, p.module, p.rid) for k, v in p.terms]
            db.executemany(f"DELETE FROM {self._s}.terms WHERE kind = ? AND key = ? AND module = ? AND rid = ?", gone)
            # In key order, the batch walks the terms B-tree once instead of landing on a random
            # page per term: far fewer page reads, and with SQLCipher each read is a decrypt.
            db.executemany(f"INSERT OR IGNORE INTO {self._s}.terms(kind, key, module, rid) VALUES (?,?,?,?)", sorted(added))
            db.executemany(f"UPDATE {self._s}.records SET terms = ? WHERE id = ?", listed)
            # A new sync state may reference other files: the sync round's lists follow it.
            attachment_index.reindex(db, self._s, [(p.uuid, p.sync) for p in plans if p.sync is not _KEEP])
            db.executemany(
                f"INSERT INTO {self._s}.history(record_id, at, by, op, field, old, new, stamp) VALUES (?,?,?,?,?,?,?,?)",
                [(p.rid, at, by, op, f, None if f is None else dumps(o), None if f is None and n is None else dumps(n), s)
                 for p in plans for at, by, op, f, o, n, s in p.history],
            )
            queued = [p for p in plans if p.outbox is not None]
            if queued:
                # Numbered here, not by SQLite: the restricted database's start at its base.
                seq = max(db.one(f"SELECT max(seq) FROM {self._s}.outbox")[0] or 0, self._base) + 1
                rows, refs = [], self._refs()
                for i, p in enumerate(queued):
                    assert p.outbox is not None
                    # A create's or update's fields are the row's own: the entry names their stamp
                    # instead of copying them (store/rowcodec.py); a tombstone's flag is not in `data`.
                    ref = (by_reference(p.data, p.versions, p.outbox[1])
                           if refs and p.outbox[0] in ("create", "update") else None)
                    rows.append((seq + i, p.uuid, p.module, p.outbox[0], "{}" if ref is not None else dumps(p.outbox[1]),
                                 ctx.schema_version, *p.updated, *((ref, p.rid if ref is not None else None) if refs else ())))
                db.executemany(
                    f"INSERT INTO {self._s}.outbox(seq, uuid, module, op, fields, schema_version, at, by"
                    f"{', stamp, rid) VALUES (?,?,?,?,?,?,?,?,?,?)' if refs else ') VALUES (?,?,?,?,?,?,?,?)'}", rows)

    def _settle_outbox(self, plans: list[_Plan]) -> None:
        """Before rows are rewritten: pending entries that name their fields by stamp get the
        values they would lose written out (store/rowcodec.py), read from the rows as stored."""
        by_rid = {p.rid: p for p in plans}
        rids = list(by_rid)
        fixed = []
        for i in range(0, len(rids), _CHUNK):
            chunk = rids[i : i + _CHUNK]
            for seq, rid, fields, stamp, data, versions in self._db.execute(
                    f"SELECT o.seq, o.rid, o.fields, o.stamp, r.data, r.versions FROM {self._s}.outbox o"
                    f" JOIN {self._s}.records r ON r.id = o.rid"
                    f" WHERE o.stamp IS NOT NULL AND o.rid IN ({','.join('?' * len(chunk))})", chunk):
                p = by_rid[rid]
                before = loads(data)
                got = settle(fields, stamp, versions, (before, unpack_versions(before, versions)), (p.data, p.versions))
                if got is not None:
                    fixed.append((*got, seq))
        self._db.executemany(f"UPDATE {self._s}.outbox SET fields = ?, stamp = ? WHERE seq = ?", fixed)

    def _stored_terms(self, plans: list[_Plan]) -> dict[int, list[tuple[str, str]]]:
        out: dict[int, list[tuple[str, str]]] = {}
        ids = [p.rid for p in plans if p.rid is not None]
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            for rid, terms in self._db.execute(
                    f"SELECT id, terms FROM {self._s}.records WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                out[rid] = unpack_terms(terms)
        return out

    # -- reads -----------------------------------------------------------------------------
    def get(self, uuid: str, include_deleted: bool = False) -> Record | None:
        row = self._db.one(f"SELECT {_COLS} FROM {self._s}.records WHERE uuid = ?", (uuid,))
        if row is None or (row[9] and not include_deleted):
            return None
        return _record(row)

    def get_many(self, uuids: Iterable[str], *, versions: bool = True) -> list[Record]:
        """Records for these uuids in the order asked (tombstones included; unknown ones skipped).
        `versions=False` leaves `versions` empty: a reader that only shows values (a ledger)
        skips decoding the per-field stamps, about half of each row's JSON."""
        wanted = list(dict.fromkeys(uuids))
        found: dict[str, Record] = {}
        cols = _COLS if versions else _COLS_NO_VERSIONS
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            q = f"SELECT {cols} FROM {self._s}.records WHERE uuid IN ({','.join('?' * len(chunk))})"
            for row in self._db.execute(q, chunk):
                found[row[1]] = _record(row)
        return [found[u] for u in wanted if u in found]

    def rows(self, row_ids: Sequence[int], *, versions: bool = True) -> list[Record]:
        """Records for these row ids in the order given (for lazy list models); `versions` as
        for `get_many`."""
        found: dict[int, Record] = {}
        ids = list(row_ids)
        cols = _COLS if versions else _COLS_NO_VERSIONS
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            q = f"SELECT {cols} FROM {self._s}.records WHERE id IN ({','.join('?' * len(chunk))})"
            for row in self._db.execute(q, chunk):
                found[row[0]] = _record(row)
        return [found[i] for i in ids if i in found]

    def ids(self, module: str, *, order_by: str | None = None, desc: bool = False,
            village: str | None = None, grid: str | None = None, date_from: str | None = None,
            date_to: str | None = None, where: dict[str, Any] | None = None, deleted: bool = False) -> list[int]:
        """Row ids of the module's live records (tombstones with `deleted=True`), filtered and
        ordered (ties broken by id).

        `order_by` is a column (created_at, updated_at, date, village, grid) or a data field;
        the first sort by a data field builds an index for it (seconds on a million rows, once).
        `date_from`/`date_to` are inclusive ISO dates.
        """
        sql, params = self._filter(module, village, grid, date_from, date_to, where, deleted)
        direction = "DESC" if desc else "ASC"
        if order_by is None or order_by == "id":
            order = f"id {direction}"
        elif order_by in _COLUMN_ORDER:
            order = f"{order_by} {direction}, id {direction}"
        else:
            expr = self._field_expr(order_by, index=True)
            order = f"{expr} {direction}, id {direction}"
        src = self._source(village, grid)
        return [r[0] for r in self._db.execute(f"SELECT id FROM {src} WHERE {sql} ORDER BY {order}", params)]

    def count(self, module: str, *, village: str | None = None, grid: str | None = None,
              date_from: str | None = None, date_to: str | None = None,
              where: dict[str, Any] | None = None) -> int:
        sql, params = self._filter(module, village, grid, date_from, date_to, where)
        return self._db.one(f"SELECT count(*) FROM {self._source(village, grid)} WHERE {sql}", params)[0]

    def history(self, uuid: str) -> list[Change]:
        """Every change to the record, oldest first. `NotFound` for an unknown uuid."""
        row = self._db.one(f"SELECT id FROM {self._s}.records WHERE uuid = ?", (uuid,))
        if row is None:
            raise NotFound("没有找到这条记录", message_en=f"No record {uuid}")
        return [
            Change(at, by, op, field, loads(old), loads(new), stamp)
            for at, by, op, field, old, new, stamp in self._db.execute(
                f"SELECT at, by, op, field, old, new, stamp FROM {self._s}.history WHERE record_id = ? ORDER BY id", (row[0],)
            )
        ]

    def deletions(self, row_ids: Sequence[int]) -> dict[int, tuple[str, str, str | None]]:
        """(at, by, reason) of each record's latest delete, by row id (for the trash)."""
        out: dict[int, tuple[str, str, str | None]] = {}
        ids = list(row_ids)
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            for rid, at, by, new in self._db.execute(
                    f"SELECT record_id, at, by, new FROM {self._s}.history WHERE op = 'delete'"
                    f" AND record_id IN ({','.join('?' * len(chunk))}) ORDER BY id", chunk):
                out[rid] = (at, by, loads(new))
        return out

    def referencing(self, uuid: str, modules: Sequence[str] | None = None) -> list[Record]:
        """Live records whose `ref` index terms point at `uuid` (a person or an address)."""
        sql = f"SELECT r.id FROM {self._s}.terms t JOIN {self._s}.records r ON r.id = t.rid WHERE t.kind = 'ref' AND t.key = ? AND r.deleted = 0"
        params: list[Any] = [uuid]
        if modules:
            sql += f" AND t.module IN ({','.join('?' * len(modules))})"
            params += list(modules)
        return self.rows([r[0] for r in self._db.execute(sql + " ORDER BY t.module, r.id", params)])

    def modules(self) -> dict[str, int]:
        """Live record count per module."""
        return dict(self._db.execute(f"SELECT module, count(*) FROM {self._s}.records WHERE deleted = 0 GROUP BY module"))

    # -- internals -------------------------------------------------------------------------
    def _live(self, uuid: str) -> Record:
        rec = self.get(uuid, include_deleted=True)
        if rec is None:
            raise NotFound("没有找到这条记录", message_en=f"No record {uuid}")
        if rec.deleted:
            raise NotFound("这条记录已被删除", message_en=f"Record {uuid} was deleted", code="deleted")
        return rec

    def _field_expr(self, name: str, *, index: bool = False) -> str:
        if not _FIELD.match(name):
            # Field names come from form specs, never from users: a bad one is a bug.
            raise ValueError(f"invalid field name {name!r}")
        expr = f"json_extract(data, '$.{name}')"
        if index and name not in self._field_indexes:
            # The expression must match the query's text exactly for SQLite to use the index.
            try:
                self._db.execute(f"CREATE INDEX IF NOT EXISTS {self._s}.ix_records_f_{name} ON records(module, deleted, {expr}, id)")
            except StorageError as e:
                # A read-only or full disk: sort without the index (slower), never refuse to read.
                if fault_of(e) not in READABLE:
                    raise
                return expr
            self._field_indexes.add(name)
        return expr

    def _source(self, village: str | None, grid: str | None) -> str:
        # Without statistics SQLite prefers an index that avoids the sort (e.g. updated_at) and
        # then reads every row of the module to test the village — 300k decrypted page reads.
        # A village/grid filter is selective, so name the covering index it should use.
        if village is not None or grid is not None:
            return f"{self._s}.records INDEXED BY ix_records_village"
        return f"{self._s}.records"

    def _filter(self, module: str, village: str | None, grid: str | None, date_from: str | None,
                date_to: str | None, where: dict[str, Any] | None, deleted: bool = False) -> tuple[str, list[Any]]:
        sql = ["module = ?", f"deleted = {int(deleted)}"]
        params: list[Any] = [module]
        for col, val in (("village", village), ("grid", grid)):
            if val is not None:
                sql.append(f"{col} = ?")
                params.append(val)
        if date_from is not None:
            sql.append("date >= ?")
            params.append(date_from)
        if date_to is not None:
            # Inclusive of the whole day even when `date` carries a time.
            sql.append("date < ?")
            params.append(date_to + "\U0010ffff")
        for name, val in (where or {}).items():
            expr = self._field_expr(name)
            if val is None:
                sql.append(f"{expr} IS NULL")
            else:
                sql.append(f"{expr} = ?")
                params.append(val)
        return " AND ".join(sql), params
