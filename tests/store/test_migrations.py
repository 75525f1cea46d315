"""Schema upgrades: an older store opens, is upgraded step by step, and keeps its data."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlite_utils

from fieldkit.domain.errors import StorageError
from fieldkit.store import IndexTerms, Store, migrations

from .conftest import PASS


def test_a_store_from_an_older_version_is_upgraded_in_place(home: Path, monkeypatch) -> None:
    monkeypatch.setattr(migrations, "STEPS", migrations.STEPS.before("0003_attachments_watchlist"))
    old, _ = Store.create(home, user="chief", passphrase=PASS)
    assert old.schema_version == 2
    # Rows as a FieldKit of schema 2 wrote them (today's code writes today's columns).
    uid = "6f1c2a4e-0000-4000-8000-000000000001"
    stamp = f"{int(time.time() * 1000) - 60_000:012x}0000{old.device_id}"
    with old._raw() as conn:
        assert "attachments" not in sqlite_utils.Database(conn).table_names()
        conn.execute("INSERT INTO records(uuid, module, data, versions, terms, created_at, created_by, updated_at,"
                     " updated_by) VALUES (?, 'people', '{\"name\":\"张伟\"}', ?, '[[\"name\",\"张伟\"]]',"
                     " '2026-01-01T00:00:00.000Z', 'chief', '2026-01-01T00:00:00.000Z', 'chief')",
                     (uid, f'{{"name":"{stamp}"}}'))
        conn.execute("INSERT INTO terms(kind, key, module, rid) VALUES ('name', '张伟', 'people', 1)")
        conn.execute("INSERT INTO history(record_id, at, by, op, stamp) VALUES (1, '2026-01-01T00:00:00.000Z',"
                     " 'chief', 'create', ?)", (stamp,))
        conn.execute("INSERT INTO outbox(uuid, module, op, fields, schema_version, at) VALUES (?, 'people', 'create',"
                     " ?, 2, '2026-01-01T00:00:00.000Z')", (uid, f'{{"name":["张伟","{stamp}"]}}'))
    old.audit.log("view", target=uid)
    old.close()

    monkeypatch.undo()
    new = Store.open(home, user="chief", passphrase=PASS)
    assert new.schema_version == migrations.SCHEMA_VERSION
    with new._raw() as conn:
        db = sqlite_utils.Database(conn)
        assert {"attachments", "watchlist"} <= set(db.table_names())
        assert "ix_records_created" in {i.name for i in db["records"].indexes}
        assert conn.execute("PRAGMA user_version").fetchone()[0] == new.schema_version
        names = [r[0] for r in conn.execute("SELECT name FROM migrations ORDER BY rowid")]
    assert names == migrations.STEPS.names()
    assert new.records.get(uid).data == {"name": "张伟"}
    assert [h.uuid for h in new.search.exact("name", "张伟")] == [uid]
    assert new.outbox.pending()[0].by == ""  # queued before authors were kept: still sent
    assert new.audit.verify().ok
    # The upgraded store is fully usable: new tables and old data together.
    new.watchlist.add("110101199003070011", "测试")
    rec = new.records.update(uid, {"name": "张伟强"})
    assert new.outbox.pending()[-1].schema_version == new.schema_version == migrations.SCHEMA_VERSION
    assert rec.versions["name"] > new.records.history(uid)[0].stamp
    new.close()


def test_a_store_from_a_newer_version_is_refused_untouched(store: Store, home: Path) -> None:
    with store._raw() as conn:
        conn.execute("INSERT INTO migrations(name, applied_at) VALUES ('9999_from_the_future', 'x')")
    store.close()
    before = (home / "fieldkit.db").read_bytes()
    with pytest.raises(StorageError) as e:
        Store.open(home, user="chief", passphrase=PASS)
    assert e.value.code == "schema_too_new" and "升级" in e.value.message
    assert (home / "fieldkit.db").read_bytes() == before


def test_migration_names_are_unique_and_ordered() -> None:
    names = migrations.STEPS.names()
    assert names == sorted(names) and len(set(names)) == len(names)


def test_0009_adds_tail_terms_to_live_records_and_a_later_edit_replaces_them(home: Path, monkeypatch) -> None:
    monkeypatch.setattr(migrations, "STEPS", migrations.STEPS.before("0009_search_tails"))
    old, _ = Store.create(home, user="chief", passphrase=PASS)
    terms = IndexTerms([("id", "35092419900307123X"), ("plate", "闽JF73296"), ("name", "张伟")], "V01")
    car = old.records.create("vehicles", {"plate": "闽JF73296"}, terms=terms)
    gone = old.records.create("vehicles", {"plate": "闽JF73297"},
                              terms=IndexTerms([("id", "350924199003071248"), ("plate", "闽JF73297")], "V01"))
    old.records.delete(gone.uuid)
    old.close()

    monkeypatch.undo()
    new = Store.open(home, user="chief", passphrase=PASS)
    assert [h.uuid for h in new.search.exact("plate_tail", "JF73296")] == [car.uuid]
    assert [h.uuid for h in new.search.exact("id_tail", "123X", village="V01")] == [car.uuid]
    assert new.search.exact("id_tail", "123X", village="V02") == []
    assert new.search.exact("plate_tail", "JF73297") == [] and new.search.exact("id_tail", "071248") == []
    # The row's own term list knows the new terms: an edit that drops the plate leaves no tail behind.
    new.records.update(car.uuid, {"plate": None}, terms=IndexTerms([("id", "35092419900307123X")], "V01"))
    assert new.search.exact("plate_tail", "JF73296") == []
    assert new.search.exact("id_tail", "07123X") == []  # the store keeps exactly the terms it is given
    assert new.integrity_check() == []
    new.close()
