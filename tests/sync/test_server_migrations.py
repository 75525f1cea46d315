"""The server schema under Alembic, on SQLite and PostgreSQL: an empty database and one made by
the server before migrations (`md.create_all`) both reach the newest revision, rows kept."""

from __future__ import annotations

import importlib
import json

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from sync import merge as m
from sync.protocol import dump_json
from sync.server import schema
from sync.server.__main__ import main
from sync.server.storage import Storage, make_engine, md, records


def _drift(storage: Storage) -> list:
    """What differs between the database and tables.py: a change there without a revision shows here."""
    with storage.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), md)


def test_an_empty_database_gets_the_schema_the_server_uses(db_url: str) -> None:
    s = Storage(db_url)
    try:
        assert s.revisions == (None, schema.head())
        assert _drift(s) == []
    finally:
        s.close()


def test_a_database_made_before_migrations_is_taken_over_with_its_rows(db_url: str) -> None:
    # The server as it was: `md.create_all` at every start, no revision recorded — with the
    # tables of then (the baseline's frozen copy), and rows as that server wrote them (today's
    # Storage writes columns and counters later revisions add).
    engine = make_engine(db_url)
    importlib.import_module("sync.server.migrations.versions.0001_baseline").md.create_all(engine)
    st = m.edit(None, "22222222-2222-4222-8222-222222222222", "watchlist",
                {"id_number": "35052519800101123X", "reason": "旧服务器布控"},
                f"{1_700_000_000_000:012x}0000{'e' * 16}", scope="v1")
    uid = st.uuid
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO meta (name, value) VALUES ('seq', '1'), ('node', 'abcdefabcdefabcd')"))
        conn.execute(sa.text("INSERT INTO devices (id, name, scope, created_at) VALUES (3, '派出所笔记本', '[\"v1\"]', 0)"))
        conn.execute(sa.text("INSERT INTO records (uuid, module, scope, seq, state) VALUES (:u, 'watchlist', 'v1', 1, :t)"),
                     {"u": uid, "t": dump_json(st.to_json())})
    with engine.connect() as conn:
        assert schema.current(conn) is None
    engine.dispose()
    did = 3

    s = Storage(db_url)
    try:
        assert s.revisions == (None, schema.head())
        assert [d["id"] for d in s.list_devices()] == [did]
        with s.engine.connect() as conn:
            state = conn.execute(sa.select(records.c.state).where(records.c.uuid == uid)).scalar_one()
        assert "旧服务器布控" in state
        assert _drift(s) == []
    finally:
        s.close()
    again = Storage(db_url)  # the next start has nothing to do
    assert again.revisions == (schema.head(), schema.head())
    again.close()


def test_fieldkit_server_migrate_says_what_it_did(tmp_path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    assert main(["--db", url, "migrate"]) == 0
    assert json.loads(capsys.readouterr().out) == {"from": None, "to": schema.head(), "upgraded": True}
    assert main(["migrate", "--db", url]) == 0
    assert json.loads(capsys.readouterr().out)["upgraded"] is False



def test_a_database_from_a_newer_server_is_refused_untouched(tmp_path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    Storage(url).close()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    before = (tmp_path / "server.db").read_bytes()
    assert main(["--db", url, "migrate"]) == 2
    assert "newer fieldkit-server" in capsys.readouterr().err
    assert (tmp_path / "server.db").read_bytes() == before


def test_servers_starting_together_on_an_empty_database_upgrade_it_once(db_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def start(_: int) -> tuple[str | None, str]:
        s = Storage(db_url)
        s.close()
        return s.revisions

    with ThreadPoolExecutor(4) as pool:
        seen = list(pool.map(start, range(4)))
    # One found the database empty; the others waited for it and found nothing left to do.
    assert sorted(seen, key=lambda r: r[0] or "") == [(None, schema.head())] + [(schema.head(), schema.head())] * 3



def test_a_baseline_database_gains_the_console_tables_and_keeps_its_rows(db_url: str) -> None:

    from sync.server.console import users
    from sync.server.storage import devices

    engine = make_engine(db_url)
    with engine.connect() as conn, conn.begin():  # a server stopped at the baseline, with data
        command.upgrade(schema._config(conn), "0001_baseline")
        conn.execute(devices.insert().values(id=7, name="派出所笔记本", scope='["v1"]', created_at=1.0))
        conn.execute(records.insert().values(uuid="11111111-1111-4111-8111-111111111111", module="events",
                                             scope="v1", seq=1, state='{"kept": "旧事件"}'))
    engine.dispose()
    s = Storage(db_url)
    try:
        assert s.revisions == ("0001_baseline", schema.head())
        assert [d["id"] for d in s.list_devices()] == [7]
        with s.engine.connect() as conn:
            assert "旧事件" in conn.execute(sa.select(records.c.state)).scalar_one()
        assert _drift(s) == []
        users.add(s, "lin", "林乡长", "township", ["v1"], "绿色 拖拉机 翻过 北山 七次")
        assert [u.login for u in users.all_users(s)] == ["lin"]
    finally:
        s.close()


def test_a_database_at_0005_gains_the_shared_counters_and_keeps_its_rows(db_url: str) -> None:
    from limits import parse
    from limits.strategies import SlidingWindowCounterRateLimiter

    from sync.server import sealing
    from sync.server.counters import SharedCounters
    from sync.server.storage import devices

    key = sealing.load(sealing.default_path(db_url), may_create=True)  # the key file 0005 seals with
    engine = make_engine(db_url)
    with engine.connect() as conn, conn.begin():  # a server stopped at 0005, with data
        command.upgrade(schema._config(conn, key), "0005_attachment_encryption")
        conn.execute(devices.insert().values(id=9, name="派出所笔记本", scope='["v1"]', created_at=1.0))
        conn.execute(records.insert().values(uuid="33333333-3333-4333-8333-333333333333", module="events",
                                             scope="v1", lane="v1", seq=1, state='{"kept": "旧事件"}'))
    engine.dispose()
    s = Storage(db_url)
    try:
        assert s.revisions == ("0005_attachment_encryption", schema.head())
        assert [d["id"] for d in s.list_devices()] == [9]
        with s.engine.connect() as conn:
            assert "旧事件" in conn.execute(sa.select(records.c.state)).scalar_one()
        assert _drift(s) == []
        limiter = SlidingWindowCounterRateLimiter(SharedCounters(s.engine))
        item = parse("2 per 1 hour")
        assert [limiter.hit(item, "lin") for _ in range(3)] == [True, True, False]
    finally:
        s.close()


def test_an_acknowledged_push_on_sqlite_survives_a_power_cut(tmp_path) -> None:
    """docs/sync-protocol.md: the answer to a push is sent after commit, so the laptop drops the
    edit from its outbox. In WAL mode synchronous=NORMAL leaves the last commits to the OS cache
    (a power cut rolls them back); FULL syncs the WAL at each commit."""
    s = Storage(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        with s.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        s.close()
