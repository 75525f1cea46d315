"""County ↔ aggregate (city/province) through PostgreSQL logical replication: the one place.

The CLI (`fieldkit-server replication …`), the tests and docs/deployment.md all use this SQL.

Topology (docs/deployment.md draws it):
- **Up.** On a county, a trigger on ``records`` copies every *local* write of a module that is
  not down-only into ``fk_repl.up_records`` (tagged with the county's code); the county
  publishes that table as ``fk_up``. The aggregate subscribes once per county
  (``fk_up_<county>``) into its own ``fk_repl.up_records``, where a replica trigger hands each
  row an aggregate sequence number and writes it into the aggregate's ``records`` (its console
  and figures read the province there, with the same code as a county's).
- **Down.** On the aggregate, a trigger on ``records`` (and on ``meta`` for the form set) copies
  local writes of watch list, reference data and tasks into ``fk_repl.down_records`` /
  ``fk_repl.down_meta``; publication ``fk_down_<county>`` carries the rows of scope ``*`` or of
  that county (a row filter on the scope's prefix). Each county subscribes; a replica trigger
  there writes the row into the county's ``records`` with a county sequence number taken exactly
  as a local write takes one (`fk_assign_seq`), so laptops pull it in order.

Why no loop: PostgreSQL's apply worker runs with ``session_replication_role = replica``, in
which ordinary triggers do not fire. The copy triggers are ordinary (they see only local
writes); the apply triggers are ``ENABLE REPLICA`` (they see only replicated rows). A row that
came down is therefore never copied back up, and a county's row that came up never goes down.

Tasks flow both ways, so they are merged, never replaced: a replicated task that the
receiving server already holds in another state is queued in ``fk_repl.to_merge`` by the apply
trigger, and the server's `merge_pending` (a thread of every ``serve`` process, or
``replication merge``) joins it with the local state by `sync.merge` — the laptops' merge — and
writes the union as a local write, which the copy trigger sends back so both sides converge
(an unchanged state is skipped on arrival, which ends the exchange). A laptop's step on an
aggregate task that has not yet gone up is therefore kept when the aggregate republishes it.
Watch list and reference data are written only by the aggregate, so replacing is exact there.

Ownership: a task belongs to the server that published it (its ``origin``, the publishing
server's node, stays on every merged state). A server refuses to republish a task that reached
it by replication (`arrived_from`: the county edits only its own tasks, the aggregate only its
own), and a replicated task whose origin differs from the local record under the same id — two
tasks that collided on an id given by hand — is not applied but kept in ``fk_repl.refused``,
which `status` lists.

Everything here is idempotent (``CREATE … IF NOT EXISTS`` / ``OR REPLACE``, subscriptions and
publications looked up first): running a setup again repairs or refreshes, never duplicates.
PostgreSQL only; needs ``wal_level = logical`` on both sides and a superuser to subscribe.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from sync.server.storage import Storage

log = logging.getLogger(__name__)
MERGE_EVERY_S = 2.0  # how often a serving process looks for replicated tasks to merge

DOWN_MODULES = ("watchlist", "reference", "tasks")  # published by the aggregate
DOWN_ONLY = ("watchlist", "reference")  # never written by a county: never copied up
DOWN_META = ("form_set", "form_set_head")  # the signed form set (sync/server/formsets.py)
UP_PUBLICATION = "fk_up"
_CODE = re.compile(r"^[0-9A-Za-z]{1,20}$")


class ReplicationError(RuntimeError):
    """A setup that cannot be done as asked (bad county code, not PostgreSQL, missing side)."""


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def check_code(county: str) -> str:
    """The county's code as used in object names and scope prefixes (e.g. ``350102``)."""
    if not _CODE.match(county):
        raise ReplicationError(f"county code {county!r}: letters and digits only, 1-20 characters "
                               "(the prefix of the county's village scopes, e.g. 350102)")
    return county.lower()


# Both sides hold both tables; which triggers a side installs decides the direction.
TABLES = """
CREATE SCHEMA IF NOT EXISTS fk_repl;
CREATE TABLE IF NOT EXISTS fk_repl.up_records (
    uuid varchar(36) PRIMARY KEY, county varchar(20) NOT NULL, module varchar(64) NOT NULL,
    scope varchar(140) NOT NULL, state text NOT NULL, county_seq bigint NOT NULL);
CREATE TABLE IF NOT EXISTS fk_repl.down_records (
    uuid varchar(36) PRIMARY KEY, module varchar(64) NOT NULL, scope varchar(140) NOT NULL,
    state text NOT NULL);
-- The row filter on scope needs the scope in the replica identity (PostgreSQL 15 rule for
-- published UPDATEs): FULL costs the old row in the WAL of a small, rarely written table.
ALTER TABLE fk_repl.down_records REPLICA IDENTITY FULL;
CREATE TABLE IF NOT EXISTS fk_repl.down_meta (name varchar(40) PRIMARY KEY, value text NOT NULL);
-- Replicated task states waiting for `merge_pending` (the latest one of a record replaces an
-- earlier one: a sender's state of a record only grows).
CREATE TABLE IF NOT EXISTS fk_repl.to_merge (uuid varchar(36) PRIMARY KEY, state text NOT NULL);
-- Replicated tasks not applied: another task holds the id here (a hand-given id collided).
CREATE TABLE IF NOT EXISTS fk_repl.refused (
    uuid varchar(36) PRIMARY KEY, module varchar(64) NOT NULL, origin text NOT NULL DEFAULT '',
    local_origin text NOT NULL DEFAULT '', at timestamptz NOT NULL DEFAULT now());

-- The one entry point for ordering a row as a local write would: the lane's counter
-- (fk_next_seq, revision 0004_scope_sequences), locked until the apply transaction commits, so
-- local pushes to that lane wait behind it and laptops pull replicated rows in order. The
-- apply worker runs with an empty search_path; fk_next_seq names its tables unqualified, so
-- the search_path is set here for it.
CREATE OR REPLACE FUNCTION fk_repl.fk_assign_seq(scope text, n integer) RETURNS bigint
LANGUAGE sql SET search_path = public, pg_catalog AS $$ SELECT public.fk_next_seq(scope, n) $$;

-- Replicated row -> local records with a local sequence number (both directions use it).
-- An unchanged state is skipped: a refresh or a re-copy makes no device pull again. A task the
-- server holds already is merged by the server (to_merge), or refused when it is another task.
CREATE OR REPLACE FUNCTION fk_repl.apply_row() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    cur text;
    mine text;
    theirs text;
BEGIN
    SELECT r.state INTO cur FROM public.records r WHERE r.uuid = NEW.uuid;
    IF cur = NEW.state THEN
        RETURN NULL;
    END IF;
    IF cur IS NOT NULL AND NEW.module = 'tasks' THEN
        mine := coalesce(cur::jsonb ->> 'origin', '');
        theirs := coalesce(NEW.state::jsonb ->> 'origin', '');
        IF mine <> '' AND theirs <> '' AND mine <> theirs THEN
            INSERT INTO fk_repl.refused AS f (uuid, module, origin, local_origin)
            VALUES (NEW.uuid, NEW.module, theirs, mine)
            ON CONFLICT (uuid) DO UPDATE SET origin = EXCLUDED.origin, at = now();
        ELSE
            INSERT INTO fk_repl.to_merge AS t (uuid, state) VALUES (NEW.uuid, NEW.state)
            ON CONFLICT (uuid) DO UPDATE SET state = EXCLUDED.state;
        END IF;
        RETURN NULL;
    END IF;
    -- The sender's seq means nothing here: renumbered in this server's lane of the scope.
    INSERT INTO public.records AS r (uuid, module, scope, lane, seq, state)
    VALUES (NEW.uuid, NEW.module, NEW.scope, split_part(NEW.scope, '/', 1),
            fk_repl.fk_assign_seq(NEW.scope, 1), NEW.state)
    ON CONFLICT (uuid) DO UPDATE SET module = EXCLUDED.module, scope = EXCLUDED.scope,
        lane = EXCLUDED.lane, seq = EXCLUDED.seq, state = EXCLUDED.state;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION fk_repl.apply_meta() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    INSERT INTO public.meta (name, value) VALUES (NEW.name, NEW.value)
    ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value;
    RETURN NULL;
END $$;

-- Local write on a county -> up_records (TG_ARGV[0]: the county's code).
CREATE OR REPLACE FUNCTION fk_repl.copy_up() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    INSERT INTO fk_repl.up_records AS u (uuid, county, module, scope, state, county_seq)
    VALUES (NEW.uuid, TG_ARGV[0], NEW.module, NEW.scope, NEW.state, NEW.seq)
    ON CONFLICT (uuid) DO UPDATE SET module = EXCLUDED.module, scope = EXCLUDED.scope,
        state = EXCLUDED.state, county_seq = EXCLUDED.county_seq;
    RETURN NULL;
END $$;

-- Local write on the aggregate -> down_records / down_meta.
CREATE OR REPLACE FUNCTION fk_repl.copy_down() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    INSERT INTO fk_repl.down_records AS d (uuid, module, scope, state)
    VALUES (NEW.uuid, NEW.module, NEW.scope, NEW.state)
    ON CONFLICT (uuid) DO UPDATE SET module = EXCLUDED.module, scope = EXCLUDED.scope,
        state = EXCLUDED.state;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION fk_repl.copy_down_meta() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    INSERT INTO fk_repl.down_meta (name, value) VALUES (NEW.name, NEW.value)
    ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value;
    RETURN NULL;
END $$;
"""


def _county_triggers(code: str) -> str:
    return f"""
CREATE OR REPLACE TRIGGER fk_copy_up AFTER INSERT OR UPDATE ON public.records FOR EACH ROW
    WHEN (NEW.module NOT IN ({_quoted(DOWN_ONLY)})) EXECUTE FUNCTION fk_repl.copy_up('{code}');
CREATE OR REPLACE TRIGGER fk_apply_down AFTER INSERT OR UPDATE ON fk_repl.down_records
    FOR EACH ROW EXECUTE FUNCTION fk_repl.apply_row();
ALTER TABLE fk_repl.down_records ENABLE REPLICA TRIGGER fk_apply_down;
CREATE OR REPLACE TRIGGER fk_apply_down_meta AFTER INSERT OR UPDATE ON fk_repl.down_meta
    FOR EACH ROW EXECUTE FUNCTION fk_repl.apply_meta();
ALTER TABLE fk_repl.down_meta ENABLE REPLICA TRIGGER fk_apply_down_meta;
"""


AGGREGATE_TRIGGERS = f"""
CREATE OR REPLACE TRIGGER fk_copy_down AFTER INSERT OR UPDATE ON public.records FOR EACH ROW
    WHEN (NEW.module IN ({_quoted(DOWN_MODULES)})) EXECUTE FUNCTION fk_repl.copy_down();
CREATE OR REPLACE TRIGGER fk_copy_down_meta AFTER INSERT OR UPDATE ON public.meta FOR EACH ROW
    WHEN (NEW.name IN ({_quoted(DOWN_META)})) EXECUTE FUNCTION fk_repl.copy_down_meta();
CREATE OR REPLACE TRIGGER fk_apply_up AFTER INSERT OR UPDATE ON fk_repl.up_records
    FOR EACH ROW EXECUTE FUNCTION fk_repl.apply_row();
ALTER TABLE fk_repl.up_records ENABLE REPLICA TRIGGER fk_apply_up;
"""


def down_publication(code: str) -> str:
    return f"fk_down_{code}"


def _run(engine: sa.Engine, script: str) -> None:
    if engine.dialect.name != "postgresql":
        raise ReplicationError("replication needs the server on PostgreSQL (--db postgresql://…)")
    with engine.begin() as c:
        c.exec_driver_sql(script)


def _exists(c: sa.Connection, catalog: str, column: str, name: str) -> bool:
    return c.execute(sa.text(f"SELECT 1 FROM {catalog} WHERE {column} = :n"), {"n": name}).first() is not None


def _subscribe(engine: sa.Engine, name: str, dsn: str, publication: str) -> str:
    """Create the subscription, or refresh it (new tables of the publication) when it exists.
    CREATE/ALTER SUBSCRIPTION refuse a transaction block, hence autocommit."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        if _exists(c, "pg_subscription", "subname", name):
            c.exec_driver_sql(f"ALTER SUBSCRIPTION {name} CONNECTION '{_literal(dsn)}'")
            c.exec_driver_sql(f"ALTER SUBSCRIPTION {name} REFRESH PUBLICATION")
            return "refreshed"
        c.exec_driver_sql(f"CREATE SUBSCRIPTION {name} CONNECTION '{_literal(dsn)}' PUBLICATION {publication}")
        return "created"


def _literal(text: str) -> str:
    return text.replace("'", "''")


def setup_aggregate(engine: sa.Engine, county: str, county_dsn: str | None = None) -> dict[str, Any]:
    """On the aggregate: the tables, the down triggers and county ``county``'s publication;
    with ``county_dsn`` (the county database as the aggregate reaches it) also the
    subscription to the county's records — run it after `setup_county` on that county."""
    code = check_code(county)
    pub = down_publication(code)
    _run(engine, TABLES + AGGREGATE_TRIGGERS)
    with engine.begin() as c:
        if not _exists(c, "pg_publication", "pubname", pub):
            # starts_with is immutable and built in, as a row filter requires.
            c.exec_driver_sql(f"CREATE PUBLICATION {pub} FOR TABLE fk_repl.down_records "
                              f"WHERE (scope = '*' OR starts_with(scope, '{code}')), fk_repl.down_meta")
        # What was published before this setup goes down too: the initial copy reads the table.
        c.exec_driver_sql(f"INSERT INTO fk_repl.down_records (uuid, module, scope, state) SELECT uuid, module, "
                          f"scope, state FROM public.records WHERE module IN ({_quoted(DOWN_MODULES)}) "
                          "ON CONFLICT (uuid) DO NOTHING")
        c.exec_driver_sql(f"INSERT INTO fk_repl.down_meta (name, value) SELECT name, value FROM public.meta "
                          f"WHERE name IN ({_quoted(DOWN_META)}) ON CONFLICT (name) DO NOTHING")
    out: dict[str, Any] = {"county": code, "publication": pub}
    if county_dsn:
        out["subscription"] = f"fk_up_{code}"
        out["subscription_was"] = _subscribe(engine, f"fk_up_{code}", county_dsn, UP_PUBLICATION)
    return out


def setup_county(engine: sa.Engine, county: str, aggregate_dsn: str) -> dict[str, Any]:
    """On county ``county``: the tables, the up trigger and publication, the county's records
    so far queued up, and the subscription to the aggregate's publication for this county
    (run `setup_aggregate` for this county first, so that publication exists)."""
    code = check_code(county)
    _run(engine, TABLES + _county_triggers(code))
    with engine.begin() as c:
        c.exec_driver_sql(f"INSERT INTO fk_repl.up_records (uuid, county, module, scope, state, county_seq) "
                          f"SELECT uuid, '{code}', module, scope, state, seq FROM public.records "
                          f"WHERE module NOT IN ({_quoted(DOWN_ONLY)}) ON CONFLICT (uuid) DO NOTHING")
        if not _exists(c, "pg_publication", "pubname", UP_PUBLICATION):
            c.exec_driver_sql(f"CREATE PUBLICATION {UP_PUBLICATION} FOR TABLE fk_repl.up_records")
    pub = down_publication(code)
    was = _subscribe(engine, pub, aggregate_dsn, pub)
    return {"county": code, "publication": UP_PUBLICATION, "subscription": pub, "subscription_was": was}


@dataclass(frozen=True)
class Link:
    """One subscription as monitoring sees it (pg_stat_subscription)."""

    name: str
    enabled: bool
    running: bool
    received_lsn: str | None
    last_message_at: str | None


def status(engine: sa.Engine) -> dict[str, Any]:
    """This side's subscriptions and the WAL its publications' slots hold back (bytes)."""
    if engine.dialect.name != "postgresql":
        raise ReplicationError("replication needs the server on PostgreSQL (--db postgresql://…)")
    with engine.connect() as c:
        subs = c.execute(sa.text(
            "SELECT s.subname, s.subenabled, st.pid IS NOT NULL AS running, st.received_lsn::text, "
            "st.last_msg_receipt_time::text FROM pg_subscription s LEFT JOIN pg_stat_subscription st "
            "ON st.subid = s.oid AND st.relid IS NULL ORDER BY s.subname")).all()
        slots = c.execute(sa.text(
            "SELECT slot_name, active, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint AS retained, "
            "wal_status FROM pg_replication_slots WHERE slot_name LIKE 'fk\\_%' ORDER BY slot_name")).all()
        refused = _rows(c, "SELECT uuid, module, origin, local_origin, at::text FROM fk_repl.refused ORDER BY at")
    return {
        "refused": [dict(r._mapping) for r in refused],
        "subscriptions": [Link(r[0], r[1], r[2], r[3], r[4]).__dict__ for r in subs],
        "slots": [{"name": r.slot_name, "active": r.active, "retained_bytes": r.retained,
                   "wal_status": r.wal_status} for r in slots],
    }


def _rows(c: sa.Connection, sql: str) -> list[Any]:
    """Rows of a query on ``fk_repl`` tables, none before replication was set up on this side."""
    if c.execute(sa.text("SELECT to_regclass('fk_repl.to_merge')")).scalar() is None:
        return []
    return list(c.execute(sa.text(sql)).all())


# ---------------------------------------------------------------------------- task ownership
def arrived_from(c: sa.Connection, uuid: str) -> str | None:
    """Whose record ``uuid`` is when it reached this server by replication: ``"aggregate"`` on a
    county (it came down), ``"county <code>"`` on the aggregate (it came up); None when it is this
    server's own, or there is no replication (SQLite included)."""
    if c.dialect.name != "postgresql" or c.execute(sa.text("SELECT to_regclass('fk_repl.to_merge')")).scalar() is None:
        return None
    roles = set(c.execute(sa.text("SELECT tgname FROM pg_trigger WHERE tgname IN ('fk_apply_down', 'fk_apply_up')"))
                .scalars())
    if "fk_apply_down" in roles and c.execute(sa.text("SELECT 1 FROM fk_repl.down_records WHERE uuid = :u"),
                                              {"u": uuid}).first() is not None:
        return "aggregate"
    if "fk_apply_up" in roles:
        county = c.execute(sa.text("SELECT county FROM fk_repl.up_records WHERE uuid = :u"), {"u": uuid}).scalar()
        if county is not None:
            return f"county {county}"
    return None


def merge_pending(storage: Storage, limit: int = 500) -> int:
    """Join queued replicated task states into the local records (see the module docstring);
    returns how many records changed. Safe to run in several processes at once: each record is
    merged under its lane's lock and its queue entry removed only if it was not replaced meanwhile."""
    from sync import merge as m
    from sync.server import formsets, lanes
    from sync.server.storage import _load_state, records

    if storage.engine.dialect.name != "postgresql":
        return 0
    with storage.engine.connect() as c:
        queued = _rows(c, f"SELECT uuid, state FROM fk_repl.to_merge ORDER BY uuid LIMIT {int(limit)}")
    changed = 0
    for uuid, text in queued:
        incoming = _load_state(text)
        with storage.engine.connect() as c:
            guess = {incoming.scope, *storage._scopes(c, [uuid]).values()} - {None}
        with storage._write() as c:
            lanes.lock(c, {lanes.lane_of(sc) for sc in guess if sc})
            row = c.execute(sa.select(records.c.scope, records.c.state).where(records.c.uuid == uuid)).first()
            if row is not None and row.scope not in guess:
                continue  # moved to another village meanwhile: the next round takes that lane too
            local = _load_state(row.state) if row is not None else None
            merged = incoming if local is None else m.merge(local, incoming, formsets.policy(c, storage.policy))
            if merged != local:
                storage._store_states(c, {uuid: merged}, set() if local is None else {uuid})
                changed += 1
            c.execute(sa.text("DELETE FROM fk_repl.to_merge WHERE uuid = :u AND state = :s"), {"u": uuid, "s": text})
    return changed


def start_merging(storage: Storage, every_s: float = MERGE_EVERY_S) -> threading.Event:
    """Run `merge_pending` every ``every_s`` seconds in a daemon thread (PostgreSQL only);
    set the returned event to stop it. A failure is logged and tried again next round."""
    stop = threading.Event()
    if storage.engine.dialect.name != "postgresql":
        return stop

    def loop() -> None:
        while not stop.wait(every_s):
            try:
                merge_pending(storage)
            except Exception:  # a database hiccup must not end the merging for good
                log.exception("merging replicated tasks failed; trying again")

    threading.Thread(target=loop, name="fk-repl-merge", daemon=True).start()
    return stop
