"""Named, append-only schema migrations: each a Python function registered with `@STEPS()`.

Never edit or reorder a released step: add a new function at the end. Each step runs in one
transaction with its bookkeeping. `PRAGMA user_version` holds the number of steps applied (the
schema version written into outbox rows); the `migrations` table names them, so a database from
a newer FieldKit is recognised and refused instead of damaged.

The registry is sqlite-utils' `Migrations` (the decorator, the names, the order); only where the
record is kept differs: sqlite-utils writes `_sqlite_migrations`, but every released FieldKit
reads `migrations (name, applied_at)` — to know what it has run and to refuse a newer store — so
`StoreMigrations` keeps that table and an existing store re-runs nothing.

Threading: runs on the opening thread, before the store is handed out.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable

from fieldkit.domain.errors import StorageError

from .attachment_index import MIGRATION as _ATTACHMENT_REFS
from .ctx import dumps, loads
from .db import Db, translated
from .premigration import copy_before_migrating
from .rowcodec import by_reference, pack_terms, pack_versions, unpack_terms, unpack_versions

# sqlite-utils imports numpy and pandas, if installed, only to map their scalar types to column
# types; the store never hands it either, and numpy alone costs ~0.25 s of every command's start.
# Hidden while sqlite-utils loads (a None entry makes `import` fail); anyone importing them later
# gets the real modules.
_hidden = [m for m in ("numpy", "pandas") if m not in sys.modules]
sys.modules.update(dict.fromkeys(_hidden))  # type: ignore[arg-type]
try:
    import sqlite_utils
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations
finally:
    for _m in _hidden:
        del sys.modules[_m]


class StoreMigrations(Migrations):
    """sqlite-utils' migration set, recorded in the store's own `migrations` table (see above)."""

    migrations_table = "migrations"

    def names(self) -> list[str]:
        return [m.name for m in self._migrations]

    def before(self, name: str) -> StoreMigrations:
        """The steps released before `name`: what a FieldKit of that schema ran (tests build old stores)."""
        old = StoreMigrations(self.name)
        old._migrations = self._migrations[: self.names().index(name)]
        return old

    def applied(self, db: Database) -> list[Migrations._AppliedMigration]:
        if not db[self.migrations_table].exists():
            return []
        return [self._AppliedMigration(name=r[0], applied_at=r[1])
                for r in db.execute(f"SELECT name, applied_at FROM {self.migrations_table} ORDER BY rowid")]

    def ensure_migrations_table(self, db: Database) -> None:
        db.execute(f"CREATE TABLE IF NOT EXISTS {self.migrations_table} "
                   "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")

    def _record_applied(self, db: Database, name: str) -> None:
        db.execute(f"INSERT INTO {self.migrations_table}(name, applied_at) VALUES (?, ?)",
                   (name, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
        db.execute(f"PRAGMA user_version = {self.names().index(name) + 1}")

    def apply(self, db: Database, *, stop_before: str | Iterable[str] | None = None) -> None:
        raise TypeError("use migrate(Db): a step's transaction is the store's own (Db.tx)")


def _run(db: Database, statements: Iterable[str]) -> None:
    # Released steps are frozen SQL text, so a new store and an upgraded one hold the same schema.
    for sql in statements:
        db.execute(sql)


STEPS = StoreMigrations("fieldkit.store")

# 0009: formspec.index.tail_terms in SQL, frozen as released (a migration never changes): each
# ID number's last 4, 5 and 6 characters, each plate without its province character. Added to
# the row's own term list (in the order index_terms emits them) and to the terms index.
_TERM = "json_extract(j.value, '$[0]')"
_KEY = "json_extract(j.value, '$[1]')"
_PROVINCES = "'京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼'"
_TAIL_TERMS = (
    f"""UPDATE records SET terms = (SELECT json_group_array(json(v)) FROM (
        SELECT j.key AS pos, 0 AS sub, j.value AS v FROM json_each(records.terms) j
        UNION ALL
        SELECT j.key, t.n, json_array('id_tail', substr({_KEY}, -t.n))
            FROM json_each(records.terms) j, (SELECT 4 AS n UNION ALL SELECT 5 UNION ALL SELECT 6) t
            WHERE {_TERM} = 'id' AND length({_KEY}) >= 6
        UNION ALL
        SELECT j.key, 1, json_array('plate_tail', substr({_KEY}, 2)) FROM json_each(records.terms) j
            WHERE {_TERM} = 'plate' AND length({_KEY}) >= 3 AND instr({_PROVINCES}, substr({_KEY}, 1, 1)) > 0
        ORDER BY pos, sub))
    WHERE deleted = 0 AND (terms LIKE '%"id"%' OR terms LIKE '%"plate"%')""",
    f"""INSERT OR IGNORE INTO terms(kind, key, module, rid)
        SELECT {_TERM}, {_KEY}, r.module, r.id FROM records r, json_each(r.terms) j
        WHERE r.deleted = 0 AND {_TERM} IN ('id_tail', 'plate_tail')""",
)

@STEPS(name="0001_core")
def _core(db: Database) -> None:
    _run(db, (
        """CREATE TABLE users (
            login TEXT PRIMARY KEY, role TEXT NOT NULL, display_name TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL, created_by TEXT NOT NULL)""",
        # data/versions/terms are JSON. village/grid/date are copies of the form's role fields so
        # list filters never parse JSON. terms lists what is in `terms` for this row, so an update
        # removes exactly those index entries without a second index on the terms table.
        """CREATE TABLE records (
            id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, module TEXT NOT NULL,
            data TEXT NOT NULL, versions TEXT NOT NULL, terms TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL, created_by TEXT NOT NULL,
            updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0, village TEXT, grid TEXT, date TEXT)""",
        "CREATE INDEX ix_records_module ON records(module, deleted)",
        """CREATE TABLE history (
            id INTEGER PRIMARY KEY, record_id INTEGER NOT NULL REFERENCES records(id),
            at TEXT NOT NULL, by TEXT NOT NULL, op TEXT NOT NULL, field TEXT,
            old TEXT, new TEXT, stamp TEXT NOT NULL)""",
        "CREATE INDEX ix_history_record ON history(record_id, id)",
        """CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY, uuid TEXT NOT NULL, module TEXT NOT NULL, op TEXT NOT NULL,
            fields TEXT NOT NULL, schema_version INTEGER NOT NULL, at TEXT NOT NULL)""",
        # One B-tree: (kind, key) lookups and prefix range scans, module filter inside the key.
        """CREATE TABLE terms (
            kind TEXT NOT NULL, key TEXT NOT NULL, module TEXT NOT NULL, rid INTEGER NOT NULL,
            PRIMARY KEY (kind, key, module, rid)) WITHOUT ROWID""",
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE drafts (
            key TEXT PRIMARY KEY, data TEXT NOT NULL, saved_at TEXT NOT NULL, saved_by TEXT NOT NULL)""",
    ))


@STEPS(name="0002_audit")
def _audit(db: Database) -> None:
    _run(db, (
        """CREATE TABLE audit (
            seq INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL,
            module TEXT, target TEXT, detail TEXT, prev TEXT NOT NULL, hash TEXT NOT NULL)""",
        # Append-only by rule as well as by hash: honest code cannot rewrite history by accident.
        """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
        """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    ))


@STEPS(name="0003_attachments_watchlist")
def _attachments_watchlist(db: Database) -> None:
    _run(db, (
        """CREATE TABLE attachments (
            sha256 TEXT PRIMARY KEY, kind TEXT NOT NULL, record_uuid TEXT, size INTEGER NOT NULL,
            created_at TEXT NOT NULL, created_by TEXT NOT NULL)""",
        "CREATE INDEX ix_attachments_record ON attachments(record_uuid)",
        """CREATE TABLE watchlist (
            id_mac BLOB PRIMARY KEY, reason TEXT NOT NULL, source TEXT NOT NULL,
            added_at TEXT NOT NULL, added_by TEXT NOT NULL)""",
    ))


@STEPS(name="0004_list_order_indexes")
def _list_order_indexes(db: Database) -> None:
    _run(db, (
        # ids() of a 300k-row module ordered by these columns walks one of these indexes instead
        # of sorting (measured in bench/store_bench.py). `id` last gives a stable tie order.
        "CREATE INDEX ix_records_created ON records(module, deleted, created_at, id)",
        "CREATE INDEX ix_records_updated ON records(module, deleted, updated_at, id)",
        "CREATE INDEX ix_records_date ON records(module, deleted, date, id)",
        # Covering for "this village (and grid), by date or last change": a village's rows are
        # scattered over the table, and each table page read costs a decryption.
        "CREATE INDEX ix_records_village ON records(module, deleted, village, grid, date, updated_at, id)",
    ))


@STEPS(name="0005_sync_state")
def _sync_state(db: Database) -> None:
    _run(db, (
        # Opaque merge state kept by the sync adapter (sync.merge's live versions per field).
        "ALTER TABLE records ADD COLUMN sync TEXT",
        # 0 pending, 2 rejected by the server (kept for the user to see); acknowledged rows are deleted.
        "ALTER TABLE outbox ADD COLUMN status INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE outbox ADD COLUMN reason TEXT",
        "CREATE INDEX ix_outbox_status ON outbox(status, seq)",
    ))


@STEPS(name="0006_sync_adapter")
def _sync_adapter(db: Database) -> None:
    _run(db, (
        # Conflicts found by the last merge of each record, for the conflicts view. `winner` and
        # `others` are JSON ([value, hlc]); a row goes away once a later write has seen them all.
        """CREATE TABLE sync_conflicts (
            uuid TEXT NOT NULL, field TEXT NOT NULL, kind TEXT NOT NULL, module TEXT NOT NULL,
            winner TEXT NOT NULL, others TEXT NOT NULL, found_at TEXT NOT NULL,
            PRIMARY KEY (uuid, field, kind))""",
        # Attachments the server holds completely (uploaded by us or downloaded from it).
        "CREATE TABLE sync_uploaded (sha256 TEXT PRIMARY KEY, at TEXT NOT NULL)",
        # Which keyed hash a pulled watch-list record put into `watchlist`, so an update or a
        # withdrawal removes exactly that entry without the ID number ever being stored.
        "CREATE TABLE sync_watch (uuid TEXT PRIMARY KEY, id_mac BLOB NOT NULL)",
        # The delta of an outbox entry, fixed when a pulled page touched its record before it
        # was sent (another process synced meanwhile): it must say what its editor had seen.
        "CREATE TABLE sync_frozen (seq INTEGER PRIMARY KEY, change TEXT NOT NULL)",
    ))


@STEPS(name="0007_authors_and_held_values")
def _authors_and_held_values(db: Database) -> None:
    _run(db, (
        # Who made the change: sync carries it to the server and every other laptop, so their
        # history names the person, not "sync". Rows queued before this step have none.
        "ALTER TABLE outbox ADD COLUMN by TEXT",
        # Why a conflict row is there when it is not a plain merge conflict (kind "invalid": a
        # pulled value the form refuses, held aside instead of shown).
        "ALTER TABLE sync_conflicts ADD COLUMN reason TEXT",
    ))


@STEPS(name="0008_sealed_inbox")
def _sealed_inbox(db: Database) -> None:
    _run(db, (
        # Pulled changes of restricted modules that arrived in a session without the restricted
        # key: sealed to the restricted inbox's public key, applied at the next unlock that has it.
        "CREATE TABLE sealed_inbox (id INTEGER PRIMARY KEY, blob BLOB NOT NULL, at TEXT NOT NULL)",
    ))


@STEPS(name="0009_search_tails")
def _search_tails(db: Database) -> None:
    _run(db, _TAIL_TERMS)


@STEPS(name="0010_attachment_refs")
def _attachment_refs(db: Database) -> None:
    # Which state references which file, so a sync round reads the work waiting instead of
    # scanning every record (store/attachment_index.py); filled from the states stored so far.
    _run(db, _ATTACHMENT_REFS)


# 0011/0013 convert rows in Python, in id order, a chunk at a time. They use store/rowcodec.py's
# encoders: those are the on-disk formats, and a change to one must keep reading what these wrote.
_ROWS_CHUNK = 2000


@STEPS(name="0011_packed_versions")
def _packed_versions(db: Database) -> None:
    # Most fields of a record share one 32-character stamp: written once (issue 17, bytes/record).
    last = 0
    while True:
        rows = db.execute("SELECT id, data, versions FROM records WHERE id > ? ORDER BY id LIMIT ?",
                          (last, _ROWS_CHUNK)).fetchall()
        if not rows:
            return
        out = []
        for rid, data_text, versions_text in rows:
            data = loads(data_text)
            packed = pack_versions(data, unpack_versions(data, versions_text))
            if packed != versions_text:
                out.append((packed, rid))
        db.conn.executemany("UPDATE records SET versions = ? WHERE id = ?", out)
        last = rows[-1][0]


@STEPS(name="0012_outbox_by_reference")
def _outbox_by_reference(db: Database) -> None:
    _run(db, (
        # Set on a pending create/update whose fields are the row's with this stamp: the entry
        # keeps no copy of them (store/rowcodec.py). NULL once it leaves the queue.
        "ALTER TABLE outbox ADD COLUMN stamp TEXT",
        # The row it reads them from (its id: a few bytes in the index, where the uuid is 36).
        "ALTER TABLE outbox ADD COLUMN rid INTEGER",
        # A save finds the entries that still read their values from its row (records._settle_outbox).
        "CREATE INDEX ix_outbox_ref ON outbox(rid) WHERE stamp IS NOT NULL",
    ))
    last = 0
    while True:
        rows = db.execute(
            "SELECT o.seq, o.fields, r.data, r.versions, r.id FROM outbox o JOIN records r ON r.uuid = o.uuid"
            " WHERE o.status = 0 AND o.op IN ('create', 'update') AND o.seq > ? ORDER BY o.seq LIMIT ?",
            (last, _ROWS_CHUNK)).fetchall()
        if not rows:
            return
        out = []
        for seq, fields, data_text, versions_text, rid in rows:
            data = loads(data_text)
            ref = by_reference(data, unpack_versions(data, versions_text), loads(fields) or {})
            if ref is not None:
                out.append((dumps({}), ref, rid, seq))
        db.conn.executemany("UPDATE outbox SET fields = ?, stamp = ?, rid = ? WHERE seq = ?", out)
        last = rows[-1][0]


@STEPS(name="0013_packed_terms")
def _packed_terms(db: Database) -> None:
    # The row's own term list grouped by kind, without the terms made from its other terms.
    last = 0
    while True:
        rows = db.execute("SELECT id, terms FROM records WHERE id > ? ORDER BY id LIMIT ?", (last, _ROWS_CHUNK)).fetchall()
        if not rows:
            return
        out = [(packed, rid) for rid, text in rows if (packed := pack_terms(unpack_terms(text))) != text]
        db.conn.executemany("UPDATE records SET terms = ? WHERE id = ?", out)
        last = rows[-1][0]


SCHEMA_VERSION = len(STEPS.names())


def applied(db: Db) -> list[str]:
    assert db.conn is not None
    return [m.name for m in STEPS.applied(sqlite_utils.Database(db.conn))]


def migrate(db: Db, steps: StoreMigrations | None = None) -> int:
    """Apply the missing steps in order; return the schema version. Refuses a newer database."""
    steps = STEPS if steps is None else steps
    assert db.conn is not None
    sdb = sqlite_utils.Database(db.conn)
    with translated(db.path):
        done = [m.name for m in steps.applied(sdb)]
        known = steps.names()
        if done != known[: len(done)]:
            raise StorageError(
                "数据库由更新版本的 FieldKit 创建，请升级软件后再打开",
                message_en="This store was written by a newer FieldKit; upgrade before opening it",
                code="schema_too_new",
            )
        if not done:
            with db.tx():
                steps.ensure_migrations_table(sdb)
        pending = steps.pending(sdb)
        if done and pending:  # an existing store and a newer FieldKit: keep the files as they were
            copy_before_migrating(db, len(done))
        for step in pending:
            with db.tx():
                step.fn(sdb)
                steps._record_applied(sdb, step.name)
    return len(known)
