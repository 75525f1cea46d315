"""Changes waiting in the outbox of a laptop on the store of an older release (full copies, before
step 0012) still reach the other laptop as they were made, once the upgrade keeps them by
reference to their records (issue 17, bytes per record)."""

from __future__ import annotations

from fieldkit.services import records as rsvc
from fieldkit.services import sync_service as sync
from fieldkit.services import workspace as wsvc
from fieldkit.store import migrations

from .conftest import PASS, enrolled_ws
from .test_sync_service import resident


def test_edits_queued_before_the_upgrade_push_after_it(server, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(migrations, "STEPS", migrations.STEPS.before("0011_packed_versions"))
    a = enrolled_ws(server, tmp_path / "a", "lin")
    first = rsvc.save(a, "residents", resident("张三", 1, phone="13800000001"))
    rsvc.save(a, "residents", {**rsvc.get(a, first.uuid).data, "phone": "13900000002"}, uuid=first.uuid)
    second = rsvc.save(a, "residents", resident("李四", 3))
    queued = a.store.outbox.pending()
    assert len(queued) == 3
    a.lock()

    monkeypatch.undo()
    a = wsvc.unlock(tmp_path / "a", "lin", PASS)
    b = enrolled_ws(server, tmp_path / "b", "wang")
    try:
        assert a.store.outbox.pending() == queued  # the same changes, read through their rows
        with a.store._raw() as conn:
            kept = [f for (f,) in conn.execute("SELECT fields FROM outbox WHERE status = 0 ORDER BY seq")]
        assert kept[1:] == ["{}", "{}"]  # the edit and the second create keep no copy now
        result = sync.sync_now(a)
        assert result.report.pushed == 3 and sync.status(a).pending == 0
        sync.sync_now(b)
        got = rsvc.get(b, first.uuid)
        assert got.data["name"] == "张三" and got.data["phone"] == "13900000002"
        assert rsvc.get(b, second.uuid).data["name"] == "李四"
        # An edit after the upgrade goes the same way.
        rsvc.save(a, "residents", {**rsvc.get(a, second.uuid).data, "phone": "13700000003"}, uuid=second.uuid)
        sync.sync_now(a)
        sync.sync_now(b)
        assert rsvc.get(b, second.uuid).data["phone"] == "13700000003"
    finally:
        a.lock()
        b.lock()
