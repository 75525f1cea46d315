"""Who may see an attachment: grants, each naming a record (tables in `sync.server.tables`).

A file is stored once, complete and verified. A device sees it when it is granted to a record
inside the device's scope. A record gets a grant when a device allowed to write it proves it
holds the bytes (uploads them: `sync.server.blobs`) or could already see the file (`index_refs`,
when a pushed record starts showing a file its device sees through another record). Before
grants, a file belonged to the record of its first upload, so a record of another village
showing the same photo never got it, and the API told anyone that the file existed.

Threading: functions take an open connection (the caller's transaction). Pure SQL plus
`sync.protocol`; no HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlalchemy as sa

from sync.protocol import Change, attachment_refs, in_scope
from sync.server.tables import attachment_grants, attachment_parts, attachments, records
from sync.server.tables import attachment_refs as refs


def visible(c: sa.Connection, scope: Iterable[str], sha: str) -> bool:
    """Whether a complete file is granted to a record inside ``scope`` (a device's)."""
    if c.execute(sa.select(attachments.c.sha).where(attachments.c.sha == sha,
                                                    attachments.c.data.is_not(None))).first() is None:
        return False
    q = (sa.select(records.c.scope).select_from(attachment_grants.join(
        records, records.c.uuid == attachment_grants.c.record_uuid)).where(attachment_grants.c.sha == sha))
    scope = tuple(scope)
    return any(in_scope(s, scope) for (s,) in c.execute(q))


def index_refs(c: sa.Connection, scope: Iterable[str], states: dict[str, Change]) -> None:
    """Record which files the pushed ``states`` reference; grant a file the pushing device
    (of ``scope``) can already see to its records that now show it: no upload is needed, the
    file holds no secret from that device."""
    pairs = {(sha, uid) for uid, st in states.items() for sha in attachment_refs(st)}
    if not pairs:
        return
    shas = sorted({sha for sha, _ in pairs})
    known = {(r[0], r[1]) for r in c.execute(sa.select(refs.c.sha, refs.c.record_uuid).where(refs.c.sha.in_(shas)))}
    if pairs - known:
        c.execute(refs.insert(), [{"sha": h, "record_uuid": u} for h, u in sorted(pairs - known)])
    granted = {(r[0], r[1]) for r in c.execute(sa.select(attachment_grants.c.sha, attachment_grants.c.record_uuid)
                                               .where(attachment_grants.c.sha.in_(shas)))}
    for sha in shas:
        missing = [{"sha": h, "record_uuid": u} for h, u in sorted(pairs) if h == sha and (h, u) not in granted]
        if missing and visible(c, scope, sha):
            c.execute(attachment_grants.insert(), missing)


def migrate(c: sa.Connection, load: Callable[[str], Change]) -> None:
    """Move a database from files owned by one record to grants (run once, in a transaction).

    Complete files keep their first record as a grant; every stored record that references a
    file is indexed; uploads in progress start again from byte 0 (their parts were shared by
    every device, which is what is being removed).
    """
    c.execute(attachment_parts.delete())
    c.execute(attachments.delete().where(attachments.c.data.is_(None)))
    done = c.execute(sa.select(attachments.c.sha, attachments.c.record_uuid)).all()
    if done:
        c.execute(attachment_grants.insert(), [{"sha": r.sha, "record_uuid": r.record_uuid} for r in done])
    pairs: set[tuple[str, str]] = set()
    for row in c.execute(sa.select(records.c.uuid, records.c.state).where(records.c.state.contains("sha256:"))):
        pairs |= {(sha, row.uuid) for sha in attachment_refs(load(row.state))}
    if pairs:
        c.execute(refs.insert(), [{"sha": h, "record_uuid": u} for h, u in sorted(pairs)])
