"""Records and pending changes kept without repeated copies (issue 17, bytes per record): what
an officer and sync read back is what was written, before and after later edits."""

from __future__ import annotations

from pathlib import Path

from fieldkit.store import IndexTerms, Store

from .conftest import PASS
from .conftest import person_terms as conftest_terms

ID = "35092419900307123X"


def person_terms(name: str, id_number: str) -> IndexTerms:
    """As formspec indexes a person: with the number's tails (made again from it on reading)."""
    base = conftest_terms(name, id_number)
    return IndexTerms([*base.terms, *(("id_tail", id_number[-n:]) for n in (4, 5, 6))], "V01")


def _raw_outbox(store: Store) -> list[tuple[str, str, str | None]]:
    with store._raw() as conn:
        return conn.execute("SELECT op, fields, stamp FROM outbox WHERE status = 0 ORDER BY seq").fetchall()


def test_a_pending_create_keeps_the_values_it_was_made_with_after_later_edits(store: Store) -> None:
    rec = store.records.create("residents", {"name": "张伟", "phone": "13800000001", "remarks": "初登"},
                               terms=person_terms("张伟", ID))
    # Stored without a copy of its values: they are the row's.
    assert _raw_outbox(store) == [("create", "{}", "")]  # "": the stamp most of its row shares
    store.records.update(rec.uuid, {"phone": "13900000002"})
    store.records.update(rec.uuid, {"phone": "13700000003", "remarks": "复核"})
    create, first, second = store.outbox.pending()
    stamp = rec.versions["name"]
    assert create.fields == {"name": ["张伟", stamp], "phone": ["13800000001", stamp], "remarks": ["初登", stamp]}
    assert first.fields["phone"][0] == "13900000002" and set(first.fields) == {"phone"}
    assert {f: v[0] for f, v in second.fields.items()} == {"phone": "13700000003", "remarks": "复核"}
    # Only what a later save took away was written out.
    raw = _raw_outbox(store)
    assert raw[0][2] == stamp and "张伟" not in raw[0][1] and "13800000001" in raw[0][1]
    assert raw[2][1] == "{}"


def test_a_refused_change_keeps_its_values_and_a_delete_keeps_the_pending_create(store: Store) -> None:
    rec = store.records.create("residents", {"name": "李娜"}, terms=person_terms("李娜", ID))
    seq = store.outbox.pending()[0].seq
    store.outbox.reject(seq, "scope")
    store.records.update(rec.uuid, {"name": "李娜娜"})
    [(refused, reason)] = store.outbox.rejected()
    assert refused.fields["name"][0] == "李娜" and reason == "scope"
    other = store.records.create("residents", {"name": "王芳"}, terms=person_terms("王芳", ID))
    store.records.delete(other.uuid)
    ops = [(i.op, {f: v[0] for f, v in i.fields.items()}) for i in store.outbox.pending_for(other.uuid)]
    assert ops == [("create", {"name": "王芳"}), ("delete", {"_deleted": True})]


def test_versions_read_back_as_written_with_mixed_stamps(store: Store) -> None:
    rec = store.records.create("residents", {"name": "张伟", "phone": "1", "note": None}, terms=None)
    later = store.records.update(rec.uuid, {"phone": "2"})
    assert later.versions["phone"] != rec.versions["name"]
    got = store.records.get(rec.uuid)
    assert got is not None and got.versions == later.versions
    remote = {"name": "a" * 32, "extra": "b" * 32}  # a stamp without a value; a value without a stamp
    merged = store.records.apply_remote(rec.uuid, "residents", {"name": "张伟", "phone": "2", "note": None},
                                        remote)
    got = store.records.get(rec.uuid)
    assert got is not None and got.versions == merged.versions == remote


def test_an_edit_removes_the_terms_made_from_the_old_name_and_number(store: Store) -> None:
    rec = store.records.create("residents", {"name": "欧阳娜娜"}, terms=person_terms("欧阳娜娜", ID))
    assert [h.uuid for h in store.search.exact("id_tail", "07123X")] == [rec.uuid]
    assert [h.uuid for h in store.search.exact("bi", "阳娜")] == [rec.uuid]
    store.records.update(rec.uuid, {"name": "张伟"}, terms=IndexTerms([("name", "张伟"), ("bi", "张伟")], "V01"))
    assert store.search.exact("id_tail", "07123X") == [] and store.search.exact("bi", "阳娜") == []
    assert store.search.exact("id", ID) == []
    assert [h.uuid for h in store.search.exact("bi", "张伟")] == [rec.uuid]
    assert store.integrity_check() == []


def test_a_store_of_0009_keeps_its_pending_changes_through_the_upgrade(home: Path, monkeypatch) -> None:
    from fieldkit.store import migrations

    monkeypatch.setattr(migrations, "STEPS", migrations.STEPS.before("0011_packed_versions"))
    old, _ = Store.create(home, user="chief", passphrase=PASS)
    rec = old.records.create("residents", {"name": "欧阳娜娜", "phone": "1"}, terms=person_terms("欧阳娜娜", ID))
    old.records.update(rec.uuid, {"phone": "2"})
    gone = old.records.create("residents", {"name": "王芳"}, terms=person_terms("王芳", "350924199003071248"))
    old.records.delete(gone.uuid)
    before = old.outbox.pending()
    with old._raw() as conn:
        assert "stamp" not in {r[1] for r in conn.execute("PRAGMA table_info(outbox)")}
    old.close()

    monkeypatch.undo()
    new = Store.open(home, user="chief", passphrase=PASS)
    assert new.outbox.pending() == before
    # The update and the second create now refer to their rows; the first create, whose phone
    # the update replaced, keeps its own copy.
    assert [f == "{}" for _, f, _ in _raw_outbox(new)] == [False, True, True, False]
    assert [h.uuid for h in new.search.exact("id_tail", "07123X")] == [rec.uuid]
    new.records.update(rec.uuid, {"name": "张伟"}, terms=IndexTerms([("name", "张伟")], "V01"))
    assert new.search.exact("bi", "阳娜") == [] and new.search.exact("id_tail", "07123X") == []
    assert new.outbox.pending()[:4] == before
    assert new.integrity_check() == []
    new.close()
