"""The server schema under Alembic, on SQLite and PostgreSQL: an empty database and one made by
the server before migrations (`md.create_all`) both reach the newest revision, rows kept."""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

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


def test_a_database_made_before_migrations_is_taken_over_with_its_rows(db_url: str, monkeypatch) -> None:
    # The server as it was: `md.create_all` at every start, no revision recorded.
    def create_all(engine: sa.Engine, _key: object = None) -> tuple[None, None]:
        md.create_all(engine)
        return None, None

    monkeypatch.setattr(schema, "upgrade", create_all)
    old = Storage(db_url)
    did, _code = old.create_enrollment("派出所笔记本", ["v1"], 3600)
    uid = old.publish("watchlist", {"id_number": "35052519800101123X", "reason": "旧服务器布控"}, "v1", None, False)
    old.close()
    with make_engine(db_url).connect() as conn:
        assert schema.current(conn) is None
    monkeypatch.undo()

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
