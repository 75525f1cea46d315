"""Before a newer FieldKit migrates a store, the files as they were are copied aside (issue 18:
an upgraded package migrates on first start "with a backup taken first")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fieldkit.domain.errors import StorageError
from fieldkit.store import IndexTerms, Store, migrations
from fieldkit.store.premigration import BACKUPS

from .conftest import PASS

LAST = migrations.STEPS.names()[-1]
UID = "6f1c2a4e-0000-4000-8000-00000000aa01"


def _old_store(home: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """A store written by the FieldKit before the last step, holding one person; its schema."""
    monkeypatch.setattr(migrations, "STEPS", migrations.STEPS.before(LAST))
    old, _ = Store.create(home, user="chief", passphrase=PASS)
    old.records.create("people", {"name": "张伟"}, terms=IndexTerms([("name", "张伟")], "V01"), uuid=UID)
    schema = old.schema_version
    old.close()
    monkeypatch.undo()
    return schema


def test_the_first_open_by_a_newer_fieldkit_copies_the_store_before_migrating(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = _old_store(home, monkeypatch)
    Store.open(home, user="chief", passphrase=PASS).close()

    [copy] = (home / BACKUPS).iterdir()
    assert copy.name.startswith(f"pre-migration-schema{schema:04d}-")
    assert {p.name for p in home.glob("*.db")} | {"keyring.json"} <= {p.name for p in copy.iterdir()}
    # Still encrypted: no SQLite header, no name in clear.
    raw = (copy / "fieldkit.db").read_bytes()
    assert not raw.startswith(b"SQLite format 3") and "张伟".encode() not in raw
    # The copy is the store as the older FieldKit left it: that FieldKit opens it, data and all.
    monkeypatch.setattr(migrations, "STEPS", migrations.STEPS.before(LAST))
    back = tmp_path / "restored"
    shutil.copytree(copy, back)
    restored = Store.open(back, user="chief", passphrase=PASS)
    assert restored.schema_version == schema
    assert restored.records.get(UID).data == {"name": "张伟"}
    restored.close()


def test_a_new_or_current_store_takes_no_copy(home: Path) -> None:
    Store.create(home, user="chief", passphrase=PASS)[0].close()
    Store.open(home, user="chief", passphrase=PASS).close()
    assert not (home / BACKUPS).exists()


def test_no_migration_runs_when_the_copy_cannot_be_written(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = _old_store(home, monkeypatch)
    (home / BACKUPS).write_text("not a folder")  # mkdir fails as it would on a full or broken disk
    with pytest.raises(StorageError) as e:
        Store.open(home, user="chief", passphrase=PASS)
    assert BACKUPS in e.value.message
    monkeypatch.setattr(migrations, "STEPS", migrations.STEPS.before(LAST))
    again = Store.open(home, user="chief", passphrase=PASS)  # the older FieldKit still opens it unchanged
    assert again.schema_version == schema and again.records.get(UID).data == {"name": "张伟"}
    again.close()
