"""Named, append-only schema migrations. Each runs in one transaction with its bookkeeping.

Never edit or reorder a released step: add a new one at the end. `PRAGMA user_version` holds the
number of steps applied (the schema version written into outbox rows); the `migrations` table
names them, so a database from a newer FieldKit is recognised and refused instead of damaged.

Threading: runs on the opening thread, before the store is handed out.
"""

from __future__ import annotations

import time

import sqlite_utils

from fieldkit.domain.errors import StorageError

from .db import Db

Step = tuple[str, tuple[str, ...]]

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

MIGRATIONS: list[Step] = [
    ("0001_core", (
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
    )),
    ("0002_audit", (
        """CREATE TABLE audit (
            seq INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL,
            module TEXT, target TEXT, detail TEXT, prev TEXT NOT NULL, hash TEXT NOT NULL)""",
        # Append-only by rule as well as by hash: honest code cannot rewrite history by accident.
        """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
        """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    )),
    ("0003_attachments_watchlist", (
        """CREATE TABLE attachments (
            sha256 TEXT PRIMARY KEY, kind TEXT NOT NULL, record_uuid TEXT, size INTEGER NOT NULL,
            created_at TEXT NOT NULL, created_by TEXT NOT NULL)""",
        "CREATE INDEX ix_attachments_record ON attachments(record_uuid)",
        """CREATE TABLE watchlist (
            id_mac BLOB PRIMARY KEY, reason TEXT NOT NULL, source TEXT NOT NULL,
            added_at TEXT NOT NULL, added_by TEXT NOT NULL)""",
    )),
    ("0004_list_order_indexes", (
        # ids() of a 300k-row module ordered by these columns walks one of these indexes instead
        # of sorting (measured in bench/store_bench.py). `id` last gives a stable tie order.
        "CREATE INDEX ix_records_created ON records(module, deleted, created_at, id)",
        "CREATE INDEX ix_records_updated ON records(module, deleted, updated_at, id)",
        "CREATE INDEX ix_records_date ON records(module, deleted, date, id)",
        # Covering for "this village (and grid), by date or last change": a village's rows are
        # scattered over the table, and each table page read costs a decryption.
        "CREATE INDEX ix_records_village ON records(module, deleted, village, grid, date, updated_at, id)",
    )),
    ("0005_sync_state", (
        # Opaque merge state kept by the sync adapter (sync.merge's live versions per field).
        "ALTER TABLE records ADD COLUMN sync TEXT",
        # 0 pending, 2 rejected by the server (kept for the user to see); acknowledged rows are deleted.
        "ALTER TABLE outbox ADD COLUMN status INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE outbox ADD COLUMN reason TEXT",
        "CREATE INDEX ix_outbox_status ON outbox(status, seq)",
    )),
    ("0006_sync_adapter", (
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
    )),
    ("0007_authors_and_held_values", (
        # Who made the change: sync carries it to the server and every other laptop, so their
        # history names the person, not "sync". Rows queued before this step have none.
        "ALTER TABLE outbox ADD COLUMN by TEXT",
        # Why a conflict row is there when it is not a plain merge conflict (kind "invalid": a
        # pulled value the form refuses, held aside instead of shown).
        "ALTER TABLE sync_conflicts ADD COLUMN reason TEXT",
    )),
    ("0008_sealed_inbox", (
        # Pulled changes of restricted modules that arrived in a session without the restricted
        # key: sealed to the restricted inbox's public key, applied at the next unlock that has it.
        "CREATE TABLE sealed_inbox (id INTEGER PRIMARY KEY, blob BLOB NOT NULL, at TEXT NOT NULL)",
    )),
    # Search that forgives (issue 13): an ID number by its tail, a plate without 闽.
    ("0009_search_tails", _TAIL_TERMS),
]

SCHEMA_VERSION = len(MIGRATIONS)


def applied(db: Db) -> list[str]:
    assert db.conn is not None
    if not sqlite_utils.Database(db.conn)["migrations"].exists():
        return []
    return [r[0] for r in db.execute("SELECT name FROM migrations ORDER BY rowid")]


def migrate(db: Db, steps: list[Step] | None = None) -> int:
    """Apply the missing steps in order; return the schema version. Refuses a newer database."""
    steps = MIGRATIONS if steps is None else steps
    done = applied(db)
    known = [name for name, _ in steps]
    if done != known[: len(done)]:
        raise StorageError(
            "数据库由更新版本的 FieldKit 创建，请升级软件后再打开",
            message_en="This store was written by a newer FieldKit; upgrade before opening it",
            code="schema_too_new",
        )
    if not done:
        with db.tx():
            db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for i, (name, statements) in enumerate(steps):
        if i < len(done):
            continue
        with db.tx():
            for sql in statements:
                db.execute(sql)
            db.execute(
                "INSERT INTO migrations(name, applied_at) VALUES (?, ?)",
                (name, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
            )
            db.execute(f"PRAGMA user_version = {i + 1}")
    return len(steps)
