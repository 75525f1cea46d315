"""No personal data in plaintext in any file the store writes, in any encoding it could use."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.store import Store

from .conftest import PASS, person_terms

PEOPLE = [
    ("欧阳娜娜", "350102198807150028", "13905912345", "闽A7K2Q9"),
    ("林建华", "350121197512300016", "13860612345", "闽AD12345"),
    ("郑秀英", "35012119620204004X", "15959112345", "闽A0M3B1"),
]
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "gbk")


def _needles() -> list[tuple[str, str, bytes]]:
    out = []
    for person in PEOPLE:
        for text in person:
            for enc in ENCODINGS:
                out.append((text, enc, text.encode(enc)))
    return out


def _scan(paths: list[Path]) -> list[str]:
    found = []
    for p in paths:
        blob = p.read_bytes()
        for text, enc, needle in _needles():
            if needle in blob:
                found.append(f"{p.name}: {text!r} as {enc}")
    return found


def _fill(store: Store) -> None:
    for name, idno, phone, plate in PEOPLE:
        with store.transaction():
            rec = store.records.create("people", {"name": name, "id_number": idno, "phone": phone},
                                       terms=person_terms(name, idno, initials="x"))
            store.records.update(rec.uuid, {"phone": phone, "note": f"{name}的邻居"})
            store.records.create("vehicles", {"plate": plate, "owner": name})
            store.audit.log("view", module="people", target=rec.uuid, detail={"name": name})
        store.watchlist.add(idno, f"{name} 重点关注")
        store.attachments.put(f"{name} {idno} 指纹".encode(), kind="fingerprint", record_uuid=rec.uuid)
    store.drafts.save("people:new", {"name": PEOPLE[0][0]})
    store.settings.set("last_search", PEOPLE[1][1])
    store.add_user("officer1", role="officer", passphrase="officer pass", display_name=PEOPLE[2][0])


@pytest.mark.parametrize("close_first", [False, True], ids=["while-open", "after-close"])
def test_no_plaintext_in_db_wal_shm_keyring_or_attachments(home: Path, close_first: bool) -> None:
    store, _ = Store.create(home, user="chief", passphrase=PASS)
    _fill(store)
    if close_first:
        store.close()
    files = [p for p in home.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"fieldkit.db", "keyring.json"} <= names
    if not close_first:
        assert "fieldkit.db-wal" in names  # the WAL is scanned while it holds fresh pages
    assert _scan(files) == []
    # Plaintext temp files must never appear (temp_store=MEMORY): only our own files are here.
    assert not [n for n in names if n.startswith(("etilqs", "sqlite"))]
    store.close()


def test_backup_file_holds_no_plaintext(home: Path, tmp_path: Path) -> None:
    store, _ = Store.create(home, user="chief", passphrase=PASS)
    _fill(store)
    dest = store.backup(tmp_path / "b.fkbackup")
    store.close()
    assert _scan([dest]) == []


def test_the_scan_would_notice_a_leak(tmp_path: Path) -> None:
    f = tmp_path / "leak.txt"
    f.write_bytes(b"x" + PEOPLE[0][0].encode("gbk"))
    assert _scan([f]) == [f"leak.txt: {PEOPLE[0][0]!r} as gbk"]


def test_without_sqlcipher_the_same_scan_finds_everything(home: Path) -> None:
    """The bench-only plaintext mode leaks, which shows the scan is looking in the right places."""
    store, _ = Store.create(home, user="chief", passphrase=PASS, _plaintext_for_bench=True)
    _fill(store)
    store.close()
    assert any("欧阳娜娜" in hit and "utf-8" in hit for hit in _scan([home / "fieldkit.db"]))
