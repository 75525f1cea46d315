"""The audit chain: honest use verifies; every kind of tampering is detected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldkit.store import Store
from fieldkit.store.audit import Audit

from .conftest import PASS


@pytest.fixture
def logged(store: Store) -> Store:
    for i in range(6):
        store.audit.log("view", module="people", target=f"uuid-{i}", detail={"n": i, "why": "走访"})
    store.audit.log("export", module="people", detail={"rows": 120})
    store.audit.anchor_now()
    return store


def _tamper(store: Store, *sql: str) -> None:
    """An attacker with the key and raw SQL: drop the append-only triggers, then rewrite."""
    with store._raw() as conn:
        conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
        conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        for s in sql:
            conn.execute(s)


def test_honest_log_verifies_and_reads_back(logged: Store) -> None:
    report = logged.audit.verify()
    assert report.ok and report.count == 8  # 7 + the creation's "user_add"
    newest = logged.audit.entries(limit=2)
    assert [e.action for e in newest] == ["export", "view"] and newest[1].detail == {"n": 5, "why": "走访"}


def test_the_log_is_append_only_for_ordinary_sql(logged: Store) -> None:
    with logged._raw() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute("UPDATE audit SET user = 'someone' WHERE seq = 2")


def test_an_edited_row_is_detected(logged: Store) -> None:
    _tamper(logged, "UPDATE audit SET user = 'someone-else' WHERE seq = 3")
    r = logged.audit.verify()
    assert not r.ok and r.bad_seq == 3 and "altered" in r.reason and "修改" in r.reason_zh


def test_an_edited_detail_is_detected(logged: Store) -> None:
    _tamper(logged, """UPDATE audit SET detail = '{"n":4,"why":"other"}' WHERE seq = 5""")
    assert logged.audit.verify().bad_seq == 5


def test_a_deleted_row_is_detected(logged: Store) -> None:
    _tamper(logged, "DELETE FROM audit WHERE seq = 4")
    r = logged.audit.verify()
    assert not r.ok and r.bad_seq == 4 and "missing" in r.reason


def test_reordered_rows_are_detected(logged: Store) -> None:
    _tamper(logged,
            "UPDATE audit SET seq = 100 WHERE seq = 2",
            "UPDATE audit SET seq = 2 WHERE seq = 3",
            "UPDATE audit SET seq = 3 WHERE seq = 100")
    r = logged.audit.verify()
    assert not r.ok and r.bad_seq == 2


def test_truncation_of_the_tail_is_detected_by_the_keyring_anchor(logged: Store) -> None:
    _tamper(logged, "DELETE FROM audit WHERE seq >= 6")
    r = logged.audit.verify()
    assert not r.ok and "truncated" in r.reason and r.count == 5


def test_a_forged_anchor_is_detected(logged: Store, home: Path) -> None:
    _tamper(logged, "DELETE FROM audit WHERE seq >= 6")
    kr = json.loads((home / "keyring.json").read_text())
    kr["audit_anchor"]["seq"] = 5
    (home / "keyring.json").write_text(json.dumps(kr))
    r = logged.audit.verify()
    assert not r.ok and "anchor" in r.reason


def test_anchor_is_written_on_close_and_survives_reopen(store: Store, home: Path) -> None:
    store.audit.log("login")
    store.audit.log("view", target="x")
    store.close()
    assert json.loads((home / "keyring.json").read_text())["audit_anchor"]["seq"] == 3  # after "user_add"
    again = Store.open(home, user="chief", passphrase=PASS)
    assert again.audit.verify().ok
    _tamper(again, "DELETE FROM audit WHERE seq = 3")
    assert not again.audit.verify().ok
    again.close()


def test_anchor_refresh_is_rate_limited_not_skipped(store: Store, home: Path, monkeypatch) -> None:
    monkeypatch.setattr("fieldkit.store.audit.ANCHOR_INTERVAL_S", 0.0)
    store.audit.log("view", target="a")
    assert json.loads((home / "keyring.json").read_text())["audit_anchor"]["seq"] == 2
    assert isinstance(store.audit, Audit)
