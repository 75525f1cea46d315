"""Storage faults have words: a damaged page, a missing, emptied or replaced database, a full
disk under the audit log, temporary files of a writer that died. (The read-only and full media,
driven through the CLI as the officer meets them, are in tests/cli/test_storage_faults_cli.py.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fieldkit import fsio
from fieldkit.domain.errors import StorageError
from fieldkit.domain.storage_faults import Fault
from fieldkit.store import Store

from .conftest import PASS, person_terms


def _records_root_page(store: Store) -> tuple[int, int]:
    with store._raw() as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'records'").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    return int(root), int(size)


def _flip(path: Path, offset: int) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x5A]))


def test_a_flipped_byte_in_a_data_page_reads_as_damaged_not_a_crash(store: Store, home: Path) -> None:
    for i in range(40):
        store.records.create("people", {"name": f"张{i}"}, terms=person_terms(f"张{i}", f"1101011990030700{i:02d}"))
    root, size = _records_root_page(store)
    store.close()
    _flip(home / "fieldkit.db", (root - 1) * size + size // 2)
    again = Store.open(home, user="chief", passphrase=PASS)  # the schema page is intact: it opens
    try:
        with pytest.raises(StorageError) as e:
            again.records.rows(again.records.ids("people"))
        assert e.value.code == Fault.DAMAGED
        assert "数据库已损坏" in e.value.message and "备份恢复" in e.value.message
    finally:
        again.close()


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_missing_or_emptied_database_is_never_silently_recreated(store: Store, home: Path, how: str) -> None:
    store.records.create("people", {"name": "张伟"}, terms=person_terms("张伟", "110101199003070011"))
    store.close()
    db = home / "fieldkit.db"
    if how == "deleted":
        db.unlink()
    else:
        db.write_bytes(b"")
    with pytest.raises(StorageError) as e:
        Store.open(home, user="chief", passphrase=PASS)
    assert e.value.code == Fault.MISSING
    assert "缺失或已被清空" in e.value.message and "备份恢复" in e.value.message
    # Nothing was made in its place: the loss stays visible and a restore finds the slot free.
    assert (not db.exists()) if how == "deleted" else db.stat().st_size == 0


def test_a_database_from_another_store_is_named_as_replaced(store: Store, home: Path, tmp_path: Path) -> None:
    store.close()
    other, _ = Store.create(tmp_path / "other", user="chief", passphrase=PASS)
    other.close()
    shutil.copy(tmp_path / "other" / "fieldkit.db", home / "fieldkit.db")
    with pytest.raises(StorageError) as e:
        Store.open(home, user="chief", passphrase=PASS)
    assert e.value.code == Fault.FOREIGN and "被替换" in e.value.message


def test_audit_entries_a_full_disk_refuses_wait_in_memory_and_are_written_in_order(store: Store) -> None:
    store.audit.log("login")
    with store._raw() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StorageError):
        while True:
            store.records.create("people", {"notes": os.urandom(2000).hex()})
    written = 0
    while store.audit.log("view", module="people", target="t0").seq:  # until its page is full too
        written += 1
        assert written < 10_000
    queued = [store.audit.log("view", module="people", target=f"t{i}") for i in (1, 2)]
    assert [e.seq for e in queued] == [0, 0]
    assert store.audit.queued == 3 and store.audit.fault is Fault.FULL
    # A change is never half-logged: inside a transaction the refusal stands.
    with pytest.raises(StorageError), store.transaction():
        store.audit.log("edit", module="people", target="x")
    assert store.audit.queued == 3
    with store._raw() as conn:
        conn.execute("PRAGMA max_page_count = 1073741823")
    last = store.audit.log("export", module="people")
    assert store.audit.queued == 0 and store.audit.fault is None
    actions = [(e.action, e.target) for e in reversed(store.audit.entries(limit=5))]
    assert actions[-4:] == [("view", "t0"), ("view", "t1"), ("view", "t2"), ("export", None)]
    assert last.seq == store.audit.entries(limit=1)[0].seq
    assert store.audit.verify().ok


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_temporaries_of_a_writer_that_died_are_removed_at_the_next_unlock(store: Store, home: Path,
                                                                        tmp_path: Path) -> None:
    store.close()
    dead = _dead_pid()
    legacy = home / f".keyring.json.{dead}.tmp"  # what versions before fsio left behind
    legacy.write_text("{}")
    export_dir = tmp_path / "usb"
    export_dir.mkdir()
    stale = export_dir / f".r.csv.{dead}.ab12cd34{fsio.TEMP_SUFFIX}"
    stale.write_text("张伟,110101199003070011")
    users_file = export_dir / "keep.csv"  # an entry must never make us delete a user's own file
    users_file.write_text("mine")
    reg = home / ".inflight"
    reg.mkdir(exist_ok=True)
    (reg / f"{dead}-1.json").write_text(f'{{"pid": {dead}, "path": "{stale}"}}')
    (reg / f"{dead}-2.json").write_text(f'{{"pid": {dead}, "path": "{users_file}"}}')
    (reg / "garbage.json").write_text("not json")
    Store.open(home, user="chief", passphrase=PASS).close()
    assert not stale.exists() and not legacy.exists()
    assert users_file.read_text() == "mine"
    assert list(reg.iterdir()) == []


def test_an_atomic_file_leaves_nothing_named_on_failure_and_is_owner_only(tmp_path: Path) -> None:
    out = tmp_path / "ledger.csv"
    out.write_text("old")
    with pytest.raises(RuntimeError), fsio.atomic_file(out) as f:
        f.write("张伟,110101199003070011".encode())
        assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.csv"]  # no name while writing
        raise RuntimeError("cancelled")
    assert out.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["ledger.csv"]
    fsio.atomic_write(out, b"new")
    assert out.read_bytes() == b"new" and (out.stat().st_mode & 0o777) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.csv"]


def test_without_o_tmpfile_the_bytes_wait_in_ram_until_the_writer_finished(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A FAT stick has no O_TMPFILE: nothing is on it under a temporary name while rows are written."""
    real_open = os.open

    def no_tmpfile(path, flags, *a, **k):
        if flags & os.O_TMPFILE == os.O_TMPFILE:
            raise OSError(95, "Operation not supported")
        return real_open(path, flags, *a, **k)

    monkeypatch.setattr(os, "open", no_tmpfile)
    out = tmp_path / "r.csv"
    with fsio.atomic_file(out) as f:
        f.write(b"row\n" * 1000)
        assert list(tmp_path.iterdir()) == []
    assert out.read_bytes() == b"row\n" * 1000 and (out.stat().st_mode & 0o777) == 0o600
    assert list(tmp_path.iterdir()) == [out]


@pytest.mark.slow
def test_a_store_held_by_another_program_says_busy_and_keeps_the_change_out(store: Store, home: Path) -> None:
    other = Store.open(home, user="chief", passphrase=PASS)  # the app while the CLI runs, say
    try:
        with other._raw() as conn:
            conn.execute("BEGIN EXCLUSIVE")
            with pytest.raises(StorageError) as e:
                store.records.create("people", {"name": "张伟"})
            conn.execute("ROLLBACK")
        assert e.value.code == Fault.BUSY and "另一个 FieldKit" in e.value.message
        assert store.records.count("people") == 0
        store.records.create("people", {"name": "张伟"})  # and once it lets go, work goes on
        assert store.records.count("people") == 1
    finally:
        other.close()


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes; Windows gets the home folder's owner-only DACL")
def test_a_new_store_s_database_and_its_wal_are_owner_only(tmp_path) -> None:
    """The home folder is 0700, but a folder copied elsewhere keeps its files' modes: the
    database file and the -wal/-shm SQLite makes beside it are 0600, as restricted.db is."""
    home = tmp_path / "s"

    def modes() -> dict[str, int]:
        return {p.name: p.stat().st_mode & 0o777 for p in home.iterdir() if p.name.startswith("fieldkit.db")}

    store, _ = Store.create(home, user="chief", passphrase=PASS, display_name="所长")
    try:
        store.settings.set("probe", 1)  # a write: the WAL is there
        assert {"fieldkit.db", "fieldkit.db-wal", "fieldkit.db-shm"} <= set(modes())
        assert set(modes().values()) == {0o600}
    finally:
        store.close()
    # One a restore, a key rotation or an older version left 0644 is narrowed at the next unlock.
    (home / "fieldkit.db").chmod(0o644)
    store = Store.open(home, user="chief", passphrase=PASS)
    try:
        store.settings.set("probe", 2)
        assert set(modes().values()) == {0o600}
    finally:
        store.close()
