"""The server schema under Alembic, on SQLite and PostgreSQL: an empty database and one made by
the server before migrations (`md.create_all`) both reach the newest revision, rows kept."""

from __future__ import annotations

import base64
import hashlib
import json

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from sync import merge as m
from sync.protocol import Change, dump_json
from sync.server import schema
from sync.server.__main__ import main
from sync.server.lanes import scope_tag
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


def test_a_baseline_database_keeps_its_rows_and_old_cursors_pull_what_they_missed(db_url: str) -> None:
    """Revision 0004 on a real database of the baseline (one global counter, version-1 cursors):
    records get their lanes, and a laptop still holding a cursor from before the upgrade pulls
    exactly what it had not seen, then what is written after."""
    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(schema._config(conn), "0001_baseline")
        old = [m.edit(None, f"00000000-0000-4000-8000-00000000000{i}", "residents", {"name": f"居民{i}"},
                      f"{1_700_000_000_000 + i:012x}0000{'e' * 16}", scope=sc)
               for i, sc in enumerate(["v1/g1", "v2", "v1", "*", "v1/g2"], start=1)]
        conn.execute(sa.text("INSERT INTO meta (name, value) VALUES ('seq', '5'), ('node', 'abcdefabcdefabcd')"))
        for i, st in enumerate(old, start=1):
            conn.execute(sa.text("INSERT INTO records (uuid, module, scope, seq, state) VALUES (:u, 'residents', :s, :q, :t)"),
                         {"u": st.uuid, "s": st.scope, "q": i, "t": dump_json(st.to_json())})
        conn.execute(sa.text("INSERT INTO devices (name, scope, node, token_hash, created_at, enrolled_at) "
                             "VALUES ('老笔记本', '[\"v1\"]', 'eeeeeeeeeeeeeeee', :h, 0, 0)"),
                     {"h": hashlib.sha256(b"t" * 43).hexdigest()})
    engine.dispose()

    s = Storage(db_url)
    try:
        assert s.revisions == ("0001_baseline", schema.head())
        assert _drift(s) == []
        with s.engine.connect() as conn:
            lanes_now = dict(conn.execute(sa.text("SELECT uuid, lane FROM records")).all())
        assert sorted(lanes_now.values()) == ["*", "v1", "v1", "v1", "v2"]
        dev = s.authenticate("t" * 43)
        assert dev is not None
        # The laptop had pulled up to seq 2 before the upgrade (records 1 and 2; 2 is not its own).
        v1_cursor = base64.urlsafe_b64encode(f"1.2.{scope_tag(['v1'])}".encode()).decode().rstrip("=")
        new = s.publish("watchlist", {"reason": "升级后"}, "v1/g1")
        states, cursor, more = s.pull(dev, v1_cursor, 100)
        got = [Change.from_json(json.loads(t)).uuid for t in states]
        assert sorted(got) == sorted([old[2].uuid, old[3].uuid, old[4].uuid, new])
        assert not more
        assert s.pull(dev, cursor, 100)[0] == []
        assert len(s.pull(dev, None, 100)[0]) == 5  # from the start: every record of v1 and "*"
    finally:
        s.close()
