"""A full or failing disk: the user gets a StorageError in Chinese, the store stays consistent."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from fieldkit.domain.errors import StorageError
from fieldkit.store import Store

from ..mounts import fill, tmpfs, unfill
from .conftest import PASS, person_terms


def _big(n: int) -> dict[str, str]:
    return {"notes": os.urandom(n).hex()}


def test_database_full_is_a_storage_error_and_nothing_half_written(store: Store, home: Path) -> None:
    uid = store.records.create("people", {"name": "张伟"}, terms=person_terms("张伟", "110101199003070011")).uuid
    before = (store.outbox.count(), store.records.count("people"), len(store.records.history(uid)))
    with store._raw() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StorageError) as e, store.transaction():
        store.records.update(uid, {"name": "张伟强"})
        store.records.create("people", _big(200_000))
    assert "磁盘已满" in e.value.message and "disk is full" in e.value.message_en
    assert (store.outbox.count(), store.records.count("people"), len(store.records.history(uid))) == before
    assert store.records.get(uid).data["name"] == "张伟"
    assert store.integrity_check() == []
    with store._raw() as conn:
        conn.execute("PRAGMA max_page_count = 1073741823")
    store.records.update(uid, {"name": "张伟强"})  # works again once there is room
    assert store.records.get(uid).data["name"] == "张伟强"


@pytest.mark.slow
def test_a_really_full_disk(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "3m") as mnt:
        home = mnt / "home"
        # Room the user frees at the end (`unfill` removes it): the store fills the rest itself,
        # and an unlock needs room to count its attempt.
        (mnt / "filler-ballast").write_bytes(b"\0" * 300_000)
        store, _ = Store.create(home, user="chief", passphrase=PASS)
        kept = []
        with pytest.raises(StorageError) as e:
            for _ in range(200):
                kept.append(store.records.create("people", _big(20_000)).uuid)
        assert e.value.message.startswith(("磁盘已满", "读写磁盘出错"))
        # Use up the last bytes too, so even the small keyring write has no room.
        fill(mnt)
        keyring_before = (home / "keyring.json").read_bytes()
        with pytest.raises(StorageError):
            store.add_user("officer1", role="officer", passphrase="officer pass", display_name="陈警官")
        assert (home / "keyring.json").read_bytes() == keyring_before
        assert [u.login for u in store.users()] == ["chief"]
        assert not [p for p in home.iterdir() if p.name.endswith((".tmp", ".fieldkit-tmp"))]
        with contextlib.suppress(StorageError):
            store.close()
        # Free some room (as the user would), then everything acknowledged is still there.
        unfill(mnt)
        again = Store.open(home, user="chief", passphrase=PASS)
        assert again.integrity_check() == []
        assert [r.uuid for r in again.records.get_many(kept)] == kept
        again.close()
