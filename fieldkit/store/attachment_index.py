"""`attachment_refs`: which record's sync state references which attachment, kept by the writes.

A sync round asks two questions — which files must go up, which must come down — and used to
answer them by reading every record whose state text contained ``sha256:`` (a LIKE scan over
the whole table, decrypting every page, every round). This table answers them from two partial
indexes instead: rows still to upload (`uploaded = 0`) and rows whose file is not here
(`present = 0`), so the cost follows the work waiting, not the size of the store
(bench/attachment_bench.py).

It is written where a record's sync state is written — the one write path (`Records._commit`,
for merged pulled states) and `SyncTables.set_state` (a state acknowledged by the server) — and
its flags where their facts change: `Attachments.put`/`remove` (`present`) and
`SyncTables.mark_uploaded` (`uploaded`). Migration step 0010 fills it from existing records.

The state is opaque to the store; all it knows of it is the shape every state has
(``{"fields": {name: [{"v": value, …}, …]}}``) and the wire form of a reference
(``"sha256:" + 64 hex``, sync.protocol.ATTACHMENT_PREFIX) — a value, not a format to parse.

Threading: one thread at a time (the store's).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from .db import Db

PREFIX = "sha256:"
_SHA = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 500


def refs_of(state: Any) -> set[tuple[str, str]]:
    """(field, sha256) of every attachment a state's live versions reference, nested values too.
    Reserved fields (``_deleted``, ``_scope``) hold no files."""
    found: set[tuple[str, str]] = set()
    fields = state.get("fields") if isinstance(state, dict) else None
    if not isinstance(fields, dict):
        return found
    for name, versions in fields.items():
        if name.startswith("_") or not isinstance(versions, list):
            continue
        for ver in versions:
            if isinstance(ver, dict):
                found.update((name, sha) for sha in _walk(ver.get("v")))
    return found


def _walk(v: Any) -> Iterator[str]:
    if isinstance(v, str):
        if v.startswith(PREFIX) and _SHA.match(v[len(PREFIX):]):
            yield v[len(PREFIX):]
    elif isinstance(v, list):
        for x in v:
            yield from _walk(x)
    elif isinstance(v, dict):
        for x in v.values():
            yield from _walk(x)


def reindex(db: Db, schema: str, states: Iterable[tuple[str, Any]]) -> None:
    """Make the rows of each (uuid, state) say what that state references now. A new row is
    `uploaded` when the server is known to hold the file, `present` when this database has it.
    Joins the caller's transaction."""
    items = list(states)
    if not items:
        return  # local edits keep their state: nothing to touch (and no table to need)
    uuids = [u for u, _ in items]
    for i in range(0, len(uuids), _CHUNK):
        chunk = uuids[i : i + _CHUNK]
        db.execute(f"DELETE FROM {schema}.attachment_refs WHERE uuid IN ({','.join('?' * len(chunk))})", chunk)
    rows = sorted((u, f, sha) for u, st in items for f, sha in refs_of(st))
    db.executemany(
        f"INSERT OR IGNORE INTO {schema}.attachment_refs(uuid, field, sha256, size, uploaded, present)"
        f" SELECT ?1, ?2, ?3, (SELECT size FROM {schema}.attachments WHERE sha256 = ?3),"
        " EXISTS (SELECT 1 FROM main.sync_uploaded WHERE sha256 = ?3),"
        f" EXISTS (SELECT 1 FROM {schema}.attachments WHERE sha256 = ?3)", rows)


def set_present(db: Db, schema: str, sha: str, present: bool, size: int | None = None) -> None:
    db.execute(f"UPDATE {schema}.attachment_refs SET present = ?, size = coalesce(?, size) WHERE sha256 = ?",
               (int(present), size, sha))


def set_uploaded(db: Db, schema: str, sha: str) -> None:
    db.execute(f"UPDATE {schema}.attachment_refs SET uploaded = 1 WHERE sha256 = ? AND uploaded = 0", (sha,))


def to_upload(db: Db, schema: str) -> list[tuple[str, str]]:
    """(uuid, sha256) referenced by a state the server acknowledged, the file here, not yet up.
    Read through the `uploaded = 0` partial index; the server's mark (main.sync_uploaded) is
    checked too, for rows a restricted database got before the mark was made."""
    return [tuple(r) for r in db.execute(
        f"SELECT DISTINCT uuid, sha256 FROM {schema}.attachment_refs WHERE uploaded = 0 AND present = 1"
        " AND sha256 NOT IN (SELECT sha256 FROM main.sync_uploaded) ORDER BY uuid, sha256")]


def to_download(db: Db, schema: str) -> list[tuple[str, str]]:
    """(uuid, sha256) referenced by a stored state whose file this database lacks."""
    return [tuple(r) for r in db.execute(
        f"SELECT DISTINCT uuid, sha256 FROM {schema}.attachment_refs WHERE present = 0 ORDER BY uuid, sha256")]


# Step 0010's SQL, frozen as released (a migration never changes): the table, its partial
# indexes, and the rows of every stored state, read the way `refs_of` reads them.
MIGRATION = (
    """CREATE TABLE attachment_refs (
        uuid TEXT NOT NULL, field TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER,
        uploaded INTEGER NOT NULL DEFAULT 0, present INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (uuid, field, sha256)) WITHOUT ROWID""",
    "CREATE INDEX ix_attachment_refs_sha ON attachment_refs(sha256)",
    "CREATE INDEX ix_attachment_refs_up ON attachment_refs(uploaded, present) WHERE uploaded = 0",
    "CREATE INDEX ix_attachment_refs_down ON attachment_refs(present) WHERE present = 0",
    # The first bytes of a download a dead link cut off, so the next round resumes there: inside
    # the encrypted database (a photo's start is personal data too), dropped once the file is in.
    "CREATE TABLE attachment_partials (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL, at TEXT NOT NULL)",
    """INSERT OR IGNORE INTO attachment_refs(uuid, field, sha256, size, uploaded, present)
        SELECT x.uuid, x.field, x.sha, a.size, x.sha IN (SELECT sha256 FROM sync_uploaded), a.sha256 IS NOT NULL
        FROM (SELECT r.uuid AS uuid, f.key AS field, substr(t.value, 8) AS sha
              FROM records r, json_each(r.sync, '$.fields') f, json_each(f.value) ver, json_tree(ver.value, '$.v') t
              WHERE r.sync LIKE '%sha256:%' AND f.key NOT LIKE '\\_%' ESCAPE '\\' AND t.type = 'text'
                AND t.value LIKE 'sha256:%' AND length(t.value) = 71
                AND substr(t.value, 8) NOT GLOB '*[^0-9a-f]*') x
        LEFT JOIN attachments a ON a.sha256 = x.sha""",
)
