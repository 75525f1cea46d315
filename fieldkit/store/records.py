"""Records of every module in one table, with field-level history and the sync outbox.

Each write (create/update/delete) runs in one transaction that also writes the history rows
(who, when, op, field, old → new), replaces the record's search terms and appends one outbox
row (uuid, module, op, changed fields as [value, HLC stamp], schema version). A failure leaves
none of them.

Threading: one thread at a time (the store's). Times are ISO-8601 UTC strings.
"""

from __future__ import annotations

import contextlib
import re
import uuid as uuidlib
from collections.abc import Iterable, Sequence
from typing import Any

from sqlcipher3 import dbapi2

from fieldkit.domain.errors import Conflict, NotFound

from .ctx import Ctx, dumps, loads, now_iso
from .types import Change, IndexTermsLike, Record

_COLS = "id, uuid, module, data, versions, created_at, created_by, updated_at, updated_by, deleted, village, grid, date"
# Sortable/filterable columns; anything else is a data field reached through json_extract.
_COLUMN_ORDER = {"created_at", "updated_at", "date", "village", "grid", "id"}
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_CHUNK = 500
_MISSING = object()


def _record(row: Sequence[Any]) -> Record:
    return Record(
        id=row[0], uuid=row[1], module=row[2], data=loads(row[3]), versions=loads(row[4]),
        created_at=row[5], created_by=row[6], updated_at=row[7], updated_by=row[8],
        deleted=bool(row[9]), village=row[10], grid=row[11], date=row[12],
    )


def _terms_of(terms: IndexTermsLike | None) -> list[tuple[str, str]]:
    if terms is None:
        return []
    seen: dict[tuple[str, str], None] = {}
    for kind, key in terms.terms:
        if key is None or key == "":
            continue
        seen[(str(kind), str(key))] = None
    return list(seen)


class Records:
    """`store.records` — see AGENTS.md for the contract."""

    def __init__(self, ctx: Ctx) -> None:
        self._ctx = ctx
        self._db = ctx.db
        self._field_indexes: set[str] = set()

    # -- writes ----------------------------------------------------------------------------
    def create(self, module: str, data: dict[str, Any], *, terms: IndexTermsLike | None = None,
               uuid: str | None = None) -> Record:
        """Insert a new record (all fields stamped with one HLC stamp). `Conflict` if the uuid exists."""
        uid = uuid or str(uuidlib.uuid4())
        ctx, db = self._ctx, self._db
        now, stamp, who = now_iso(), ctx.hlc.now(), ctx.user
        data = dict(data)
        versions = dict.fromkeys(data, stamp)
        tlist = _terms_of(terms)
        with db.tx():
            try:
                cur = db.execute(
                    "INSERT INTO records(uuid, module, data, versions, terms, created_at, created_by,"
                    " updated_at, updated_by, deleted, village, grid, date) VALUES (?,?,?,?,?,?,?,?,?,0,?,?,?)",
                    (uid, module, dumps(data), dumps(versions), dumps(tlist), now, who, now, who,
                     getattr(terms, "village", None), getattr(terms, "grid", None), getattr(terms, "date", None)),
                )
            except dbapi2.IntegrityError:  # UNIQUE(uuid): cheaper than looking first on every insert
                raise Conflict("记录已存在", message_en=f"Record {uid} already exists") from None
            rid = cur.lastrowid
            self._add_terms(rid, module, tlist)
            db.execute(
                "INSERT INTO history(record_id, at, by, op, field, old, new, stamp) VALUES (?,?,?,'create',NULL,NULL,NULL,?)",
                (rid, now, who, stamp),
            )
            self._outbox(uid, module, "create", {f: [v, stamp] for f, v in data.items()}, now)
        return Record(rid, uid, module, data, versions, now, who, now, who, False,
                      getattr(terms, "village", None), getattr(terms, "grid", None), getattr(terms, "date", None))

    def create_many(self, items: Iterable[tuple[Any, ...]]) -> list[Record]:
        """Bulk `create` for imports and demo data: items are (module, data, terms[, uuid]).

        Same rows as `create` (record, terms, history, outbox) in one transaction, but written
        with one `executemany` per table: ~4× the rate of single creates (bench/store_bench.py).
        `Conflict` (and nothing written) if any uuid already exists.
        """
        ctx, db = self._ctx, self._db
        who = ctx.user
        recs: list[Record] = []
        rows, term_rows, hist_rows, out_rows = [], [], [], []
        with db.tx():
            # BEGIN IMMEDIATE holds the write lock, so no other writer can take these row ids.
            next_id = (db.one("SELECT max(id) FROM records")[0] or 0) + 1
            for item in items:
                module, data, terms = item[0], dict(item[1]), item[2]
                uid = item[3] if len(item) > 3 and item[3] else str(uuidlib.uuid4())
                now, stamp = now_iso(), ctx.hlc.now()
                versions = dict.fromkeys(data, stamp)
                tlist = _terms_of(terms)
                village, grid, date = (getattr(terms, "village", None), getattr(terms, "grid", None),
                                       getattr(terms, "date", None))
                rid = next_id
                next_id += 1
                rows.append((rid, uid, module, dumps(data), dumps(versions), dumps(tlist), now, who, now, who,
                             village, grid, date))
                term_rows.extend((k, v, module, rid) for k, v in tlist)
                hist_rows.append((rid, now, who, stamp))
                out_rows.append((uid, module, "create", dumps({f: [v, stamp] for f, v in data.items()}),
                                 ctx.schema_version, now))
                recs.append(Record(rid, uid, module, data, versions, now, who, now, who, False, village, grid, date))
            try:
                db.executemany(
                    "INSERT INTO records(id, uuid, module, data, versions, terms, created_at, created_by,"
                    " updated_at, updated_by, deleted, village, grid, date) VALUES (?,?,?,?,?,?,?,?,?,?,0,?,?,?)",
                    rows,
                )
            except dbapi2.IntegrityError:
                raise Conflict("导入的记录中有已存在的记录", message_en="A record in the batch already exists") from None
            # In key order, the batch walks the terms B-tree once instead of landing on a random
            # page per term: far fewer page reads, and with SQLCipher each read is a decrypt.
            term_rows.sort()
            db.executemany("INSERT OR IGNORE INTO terms(kind, key, module, rid) VALUES (?,?,?,?)", term_rows)
            db.executemany(
                "INSERT INTO history(record_id, at, by, op, field, old, new, stamp) VALUES (?,?,?,'create',NULL,NULL,NULL,?)",
                hist_rows,
            )
            db.executemany(
                "INSERT INTO outbox(uuid, module, op, fields, schema_version, at) VALUES (?,?,?,?,?,?)", out_rows
            )
        return recs

    def update(self, uuid: str, changes: dict[str, Any], *, terms: IndexTermsLike | None = None) -> Record:
        """Apply `changes` (field → new value). Only fields whose value differs are recorded and
        re-stamped. `terms` (if given) replaces the record's index terms and filter columns."""
        ctx, db = self._ctx, self._db
        with db.tx():
            rec = self._live(uuid)
            changed = {f: v for f, v in changes.items() if rec.data.get(f, _MISSING) != v}
            data, versions = dict(rec.data), dict(rec.versions)
            updated_at, updated_by = rec.updated_at, rec.updated_by
            if changed:
                now, stamp, who = now_iso(), ctx.hlc.now(), ctx.user
                db.executemany(
                    "INSERT INTO history(record_id, at, by, op, field, old, new, stamp) VALUES (?,?,?,'update',?,?,?,?)",
                    [(rec.id, now, who, f, dumps(rec.data.get(f)), dumps(v), stamp) for f, v in changed.items()],
                )
                data.update(changed)
                versions.update(dict.fromkeys(changed, stamp))
                updated_at, updated_by = now, who
                self._outbox(uuid, rec.module, "update", {f: [v, stamp] for f, v in changed.items()}, now)
            village, grid, date = rec.village, rec.grid, rec.date
            if terms is not None:
                village, grid, date = terms.village, terms.grid, terms.date
                self._replace_terms(rec.id, rec.module, _terms_of(terms))
            db.execute(
                "UPDATE records SET data=?, versions=?, updated_at=?, updated_by=?, village=?, grid=?, date=? WHERE id=?",
                (dumps(data), dumps(versions), updated_at, updated_by, village, grid, date, rec.id),
            )
        return Record(rec.id, uuid, rec.module, data, versions, rec.created_at, rec.created_by,
                      updated_at, updated_by, False, village, grid, date)

    def delete(self, uuid: str) -> Record:
        """Tombstone the record: it keeps its data and history, leaves lists and search results,
        and the deletion (stamped as field ``_deleted``) syncs like any other change."""
        ctx, db = self._ctx, self._db
        with db.tx():
            rec = self._live(uuid)
            now, stamp, who = now_iso(), ctx.hlc.now(), ctx.user
            versions = {**rec.versions, "_deleted": stamp}
            self._replace_terms(rec.id, rec.module, [])
            db.execute(
                "UPDATE records SET deleted=1, versions=?, updated_at=?, updated_by=? WHERE id=?",
                (dumps(versions), now, who, rec.id),
            )
            db.execute(
                "INSERT INTO history(record_id, at, by, op, field, old, new, stamp) VALUES (?,?,?,'delete',NULL,NULL,NULL,?)",
                (rec.id, now, who, stamp),
            )
            self._outbox(uuid, rec.module, "delete", {"_deleted": [True, stamp]}, now)
        return Record(rec.id, uuid, rec.module, rec.data, versions, rec.created_at, rec.created_by,
                      now, who, True, rec.village, rec.grid, rec.date)

    def apply_remote(self, uuid: str, module: str, data: dict[str, Any], versions: dict[str, str], *,
                     deleted: bool = False, terms: IndexTermsLike | None = None, sync_state: Any = None,
                     by: str = "sync") -> Record:
        """Store a record state merged by sync (not a local edit: no outbox row).

        Creates the record if new, else replaces its data/versions, writing history rows
        (op "sync", field old → new) for the fields whose value changed. `deleted` tombstones or
        restores it; `terms` replaces its index terms (ignored while deleted); `sync_state` is kept
        opaque for the sync adapter (`sync_state(uuid)`). Every stamp is observed by the clock, so
        later local edits sort after what was merged. Joins the caller's transaction (so the pull
        cursor can commit together with the records).
        """
        ctx, db = self._ctx, self._db
        for stamp in versions.values():
            with contextlib.suppress(ValueError):
                ctx.hlc.observe(stamp)
        now = now_iso()
        tlist = [] if deleted else _terms_of(terms)
        village, grid, date = (getattr(terms, "village", None), getattr(terms, "grid", None),
                               getattr(terms, "date", None))
        stamp = max(versions.values(), default=ctx.hlc.now())
        with db.tx():
            old = self.get(uuid, include_deleted=True)
            if old is None:
                rid = db.execute(
                    "INSERT INTO records(uuid, module, data, versions, terms, created_at, created_by,"
                    " updated_at, updated_by, deleted, village, grid, date, sync) VALUES (?,?,?,?,'[]',?,?,?,?,?,?,?,?,?)",
                    (uuid, module, dumps(data), dumps(versions), now, by, now, by, int(deleted), village, grid,
                     date, dumps(sync_state)),
                ).lastrowid
                db.execute("INSERT INTO history(record_id, at, by, op, field, old, new, stamp) VALUES (?,?,?,'sync',NULL,NULL,NULL,?)",
                           (rid, now, by, stamp))
                created_at, created_by = now, by
            else:
                rid, created_at, created_by = old.id, old.created_at, old.created_by
                changed = [f for f in {*old.data, *data} if old.data.get(f) != data.get(f)]
                db.executemany(
                    "INSERT INTO history(record_id, at, by, op, field, old, new, stamp) VALUES (?,?,?,'sync',?,?,?,?)",
                    [(rid, now, by, f, dumps(old.data.get(f)), dumps(data.get(f)), versions.get(f, stamp))
                     for f in sorted(changed)],
                )
                if old.deleted != deleted:
                    db.execute("INSERT INTO history(record_id, at, by, op, field, old, new, stamp) VALUES (?,?,?,?,NULL,NULL,NULL,?)",
                               (rid, now, by, "delete" if deleted else "restore", stamp))
                if terms is None:  # the caller did not recompute them: keep the filter columns
                    village, grid, date = old.village, old.grid, old.date
                db.execute(
                    "UPDATE records SET module=?, data=?, versions=?, updated_at=?, updated_by=?, deleted=?,"
                    " village=?, grid=?, date=?, sync=? WHERE id=?",
                    (module, dumps(data), dumps(versions), now, by, int(deleted), village, grid, date,
                     dumps(sync_state), rid),
                )
            if terms is not None or deleted:
                self._replace_terms(rid, module, tlist)
        return Record(rid, uuid, module, dict(data), dict(versions), created_at, created_by, now, by, deleted,
                      village, grid, date)

    def sync_state(self, uuid: str) -> Any:
        """The opaque merge state last stored by `apply_remote` (None if never synced)."""
        row = self._db.one("SELECT sync FROM records WHERE uuid = ?", (uuid,))
        return None if row is None else loads(row[0])

    # -- reads -----------------------------------------------------------------------------
    def get(self, uuid: str, include_deleted: bool = False) -> Record | None:
        row = self._db.one(f"SELECT {_COLS} FROM records WHERE uuid = ?", (uuid,))
        if row is None or (row[9] and not include_deleted):
            return None
        return _record(row)

    def get_many(self, uuids: Iterable[str]) -> list[Record]:
        """Records for these uuids in the order asked (tombstones included; unknown ones skipped)."""
        wanted = list(dict.fromkeys(uuids))
        found: dict[str, Record] = {}
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            q = f"SELECT {_COLS} FROM records WHERE uuid IN ({','.join('?' * len(chunk))})"
            for row in self._db.execute(q, chunk):
                found[row[1]] = _record(row)
        return [found[u] for u in wanted if u in found]

    def rows(self, row_ids: Sequence[int]) -> list[Record]:
        """Records for these row ids in the order given (for lazy list models)."""
        found: dict[int, Record] = {}
        ids = list(row_ids)
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            q = f"SELECT {_COLS} FROM records WHERE id IN ({','.join('?' * len(chunk))})"
            for row in self._db.execute(q, chunk):
                found[row[0]] = _record(row)
        return [found[i] for i in ids if i in found]

    def ids(self, module: str, *, order_by: str | None = None, desc: bool = False,
            village: str | None = None, grid: str | None = None, date_from: str | None = None,
            date_to: str | None = None, where: dict[str, Any] | None = None) -> list[int]:
        """Row ids of the module's live records, filtered and ordered (ties broken by id).

        `order_by` is a column (created_at, updated_at, date, village, grid) or a data field;
        the first sort by a data field builds an index for it (seconds on a million rows, once).
        `date_from`/`date_to` are inclusive ISO dates.
        """
        sql, params = self._filter(module, village, grid, date_from, date_to, where)
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
        row = self._db.one("SELECT id FROM records WHERE uuid = ?", (uuid,))
        if row is None:
            raise NotFound("没有找到这条记录", message_en=f"No record {uuid}")
        return [
            Change(at, by, op, field, loads(old), loads(new), stamp)
            for at, by, op, field, old, new, stamp in self._db.execute(
                "SELECT at, by, op, field, old, new, stamp FROM history WHERE record_id = ? ORDER BY id", (row[0],)
            )
        ]

    def referencing(self, uuid: str, modules: Sequence[str] | None = None) -> list[Record]:
        """Live records whose `ref` index terms point at `uuid` (a person or an address)."""
        sql = "SELECT r.id FROM terms t JOIN records r ON r.id = t.rid WHERE t.kind = 'ref' AND t.key = ? AND r.deleted = 0"
        params: list[Any] = [uuid]
        if modules:
            sql += f" AND t.module IN ({','.join('?' * len(modules))})"
            params += list(modules)
        return self.rows([r[0] for r in self._db.execute(sql + " ORDER BY t.module, r.id", params)])

    def modules(self) -> dict[str, int]:
        """Live record count per module."""
        return dict(self._db.execute("SELECT module, count(*) FROM records WHERE deleted = 0 GROUP BY module"))

    # -- internals -------------------------------------------------------------------------
    def _live(self, uuid: str) -> Record:
        rec = self.get(uuid, include_deleted=True)
        if rec is None:
            raise NotFound("没有找到这条记录", message_en=f"No record {uuid}")
        if rec.deleted:
            raise NotFound("这条记录已被删除", message_en=f"Record {uuid} was deleted", code="deleted")
        return rec

    def _add_terms(self, rid: int, module: str, tlist: list[tuple[str, str]]) -> None:
        if tlist:
            self._db.executemany(
                "INSERT OR IGNORE INTO terms(kind, key, module, rid) VALUES (?,?,?,?)",
                [(k, v, module, rid) for k, v in tlist],
            )

    def _replace_terms(self, rid: int, module: str, tlist: list[tuple[str, str]]) -> None:
        old = [tuple(t) for t in loads(self._db.one("SELECT terms FROM records WHERE id = ?", (rid,))[0])]
        if old == tlist:
            return
        self._db.executemany(
            "DELETE FROM terms WHERE kind = ? AND key = ? AND module = ? AND rid = ?",
            [(k, v, module, rid) for k, v in old],
        )
        self._add_terms(rid, module, tlist)
        self._db.execute("UPDATE records SET terms = ? WHERE id = ?", (dumps(tlist), rid))

    def _outbox(self, uuid: str, module: str, op: str, fields: dict[str, list[Any]], now: str) -> None:
        self._db.execute(
            "INSERT INTO outbox(uuid, module, op, fields, schema_version, at) VALUES (?,?,?,?,?,?)",
            (uuid, module, op, dumps(fields), self._ctx.schema_version, now),
        )

    def _field_expr(self, name: str, *, index: bool = False) -> str:
        if not _FIELD.match(name):
            # Field names come from form specs, never from users: a bad one is a bug.
            raise ValueError(f"invalid field name {name!r}")
        expr = f"json_extract(data, '$.{name}')"
        if index and name not in self._field_indexes:
            # The expression must match the query's text exactly for SQLite to use the index.
            self._db.execute(f"CREATE INDEX IF NOT EXISTS ix_records_f_{name} ON records(module, deleted, {expr}, id)")
            self._field_indexes.add(name)
        return expr

    @staticmethod
    def _source(village: str | None, grid: str | None) -> str:
        # Without statistics SQLite prefers an index that avoids the sort (e.g. updated_at) and
        # then reads every row of the module to test the village — 300k decrypted page reads.
        # A village/grid filter is selective, so name the covering index it should use.
        if village is not None or grid is not None:
            return "records INDEXED BY ix_records_village"
        return "records"

    def _filter(self, module: str, village: str | None, grid: str | None, date_from: str | None,
                date_to: str | None, where: dict[str, Any] | None) -> tuple[str, list[Any]]:
        sql = ["module = ?", "deleted = 0"]
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
