"""Stores written by older releases (checked in, never regenerated) open with today's code:
migrated once, nothing re-run, every record still readable and found by search."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fieldkit.store import Store, migrations

TESTS = Path(__file__).parents[1]
# Each written by the release it names (tests/fixtures/make_store.py documents how).
OLD_STORES = {
    "7e8995a": TESTS / "store" / "data" / "store-before-restricted",
    "ba5e2a8": TESTS / "fixtures" / "store-0009-ba5e2a8",
}
# What each had not run yet: today's code must run exactly these, and nothing it already ran.
# 7e8995a predates restricted.db: the officer's or chief's first unlock creates it, from step one.
_AFTER_0009 = [(db, n) for db in ("fieldkit.db", "restricted.db")
               for n in ("0010_attachment_refs", "0011_packed_versions", "0012_outbox_by_reference", "0013_packed_terms")]
MISSING = {
    "7e8995a": [("fieldkit.db", "0008_sealed_inbox"), ("fieldkit.db", "0009_search_tails"), *_AFTER_0009[:4],
                *(("restricted.db", n) for n in migrations.STEPS.names())],
    "ba5e2a8": _AFTER_0009,
}
PASS = "correct horse 1"


def _copy(name: str, tmp_path: Path) -> Path:
    home = tmp_path / name
    shutil.copytree(OLD_STORES[name], home)
    return home


def _spy(monkeypatch) -> list[tuple[str, str]]:
    """Which steps run, on which database file."""
    ran: list[tuple[str, str]] = []
    for step in migrations.STEPS._migrations:
        def wrapped(db, fn=step.fn, name=step.name):
            ran.append((Path(db.execute("PRAGMA database_list").fetchone()[2]).name, name))
            fn(db)
        monkeypatch.setattr(step, "fn", wrapped)
    return ran


@pytest.mark.parametrize("name", sorted(OLD_STORES))
def test_an_old_store_is_migrated_once_and_keeps_its_records_findable(name: str, tmp_path: Path, monkeypatch) -> None:
    home = _copy(name, tmp_path)
    ran = _spy(monkeypatch)
    with Store.open(home, user="chief", passphrase=PASS) as s:
        assert ran == MISSING[name]
        assert s.schema_version == migrations.SCHEMA_VERSION
        with s._raw() as conn:
            applied = conn.execute("SELECT name, applied_at FROM migrations ORDER BY rowid").fetchall()
            assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
        assert [n for n, _ in applied] == migrations.STEPS.names()
        people = s.records.rows(s.records.ids("residents"))
        assert len(people) >= 20 and all(p.data.get("name") for p in people)
        for p in people[:5]:
            assert p.uuid in [h.uuid for h in s.search.exact("name", p.data["name"])]
            number = p.data["id_number"]
            assert p.uuid in [h.uuid for h in s.search.exact("id", number)]
            assert p.uuid in [h.uuid for h in s.search.exact("id_tail", number[-4:], village=p.village)]
        cars = s.records.rows(s.records.ids("vehicles"))
        assert cars and all(car.uuid in [h.uuid for h in s.search.exact("plate_tail", car.data["plate"][1:])]
                            for car in cars if car.data.get("plate"))
        assert s.audit.verify().ok and s.integrity_check() == []
        # Still writable after the upgrade.
        s.records.update(people[0].uuid, {"remarks": "升级后修改"})
    ran.clear()
    with Store.open(home, user="chief", passphrase=PASS) as again:
        assert ran == []  # the second opening runs nothing
        with again._raw() as conn:
            assert conn.execute("SELECT name, applied_at FROM migrations ORDER BY rowid").fetchall() == applied
        assert again.records.get(people[0].uuid).data["remarks"] == "升级后修改"
