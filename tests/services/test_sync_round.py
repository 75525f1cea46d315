"""A sync round that holds the store only for its local steps (services.sync_round): edits the
officer saves while a push is in flight, or between push and pull, are neither lost nor
mis-stated to the server, and a lock in the middle of a round costs nothing."""

from __future__ import annotations

import threading

import pytest

from fieldkit.domain.errors import Cancelled
from fieldkit.services import records as rsvc
from fieldkit.services import sync_service as sync
from fieldkit.services.sync_round import sync_round
from sync import client as sc
from tests.services.conftest import enrolled_ws
from tests.services.test_sync_service import VILLAGE, resident

pytestmark = pytest.mark.timeout(120)


class StoreThread:
    """Stands in for the app's database lane: one lock, every store step under it, so a step
    from the round and an edit from the 'GUI' never use the connection at the same time."""

    def __init__(self, ws) -> None:
        self.ws, self.mutex = ws, threading.Lock()

    def __call__(self, fn):
        with self.mutex:
            return fn(self.ws)


@pytest.fixture
def during_push(monkeypatch):
    """`during_push(fn)`: call `fn()` on the round's thread once, right before the first push
    request leaves — after the outbox was read, before the server's answer is acknowledged."""
    hooks = []
    real = sc.SyncClient._json

    def spy(self, method, path, **kw):
        if path == "/v1/push" and hooks:
            hooks.pop(0)()
        return real(self, method, path, **kw)

    monkeypatch.setattr(sc.SyncClient, "_json", spy)
    return hooks.append


def server_phone(server, uuid):
    state = server.storage.all_records()[uuid]
    return max(state.fields["phone"], key=lambda v: v.hlc).value


def test_edit_saved_while_the_push_is_in_flight_survives_and_is_pushed(server, tmp_path, during_push):
    a = enrolled_ws(server, tmp_path / "a", "lin")
    b = enrolled_ws(server, tmp_path / "b", "wang")
    rec = rsvc.save(a, "residents", resident("张三", 1, phone="13800000001"))
    store = StoreThread(a)
    edited = []
    # The officer saves a new phone number while the first push is still on the wire.
    during_push(lambda: edited.append(store(lambda ws: rsvc.save(
        ws, "residents", {**rsvc.get(ws, rec.uuid).data, "phone": "13900000002"}, uuid=rec.uuid))))
    first = threading.Thread(target=lambda: sync_round(store))
    first.start()
    first.join(60)
    assert edited, "the edit was made during the push"
    assert rsvc.get(a, rec.uuid).data["phone"] == "13900000002"  # the local edit is kept
    sync_round(store)  # the next round (at the latest) carries it
    assert sync.status(a).pending == 0
    assert server_phone(server, rec.uuid) == "13900000002"
    sync.sync_now(b)
    assert rsvc.get(b, rec.uuid).data["phone"] == "13900000002"
    assert sync.conflicts(a) == [] and sync.conflicts(b) == []
    a.lock()
    b.lock()


def test_moving_a_record_to_another_grid_during_the_push_reaches_that_grid(server, tmp_path, during_push):
    """The acknowledgement folds exactly what was sent: the move saved mid-push is still told
    to the server, so the grid worker of the new grid receives the record."""
    a = enrolled_ws(server, tmp_path / "a", "lin")
    grid_worker = enrolled_ws(server, tmp_path / "g", "zhao", scope=(f"{VILLAGE}/g2",))
    rec = rsvc.save(a, "residents", resident("李四", 2, grid="g1"))
    sync.sync_now(a)
    rsvc.save(a, "residents", {**rsvc.get(a, rec.uuid).data, "phone": "13800000003"}, uuid=rec.uuid)
    store = StoreThread(a)
    during_push(lambda: store(lambda ws: rsvc.save(ws, "residents", {**rsvc.get(ws, rec.uuid).data, "grid": "g2"},
                                                   uuid=rec.uuid)))
    sync_round(store)
    sync_round(store)
    assert sync.status(a).pending == 0
    sync.sync_now(grid_worker)
    got = rsvc.get(grid_worker, rec.uuid)
    assert got is not None and got.data["grid"] == "g2" and got.data["phone"] == "13800000003"
    a.lock()
    grid_worker.lock()


def test_a_lock_in_the_middle_of_a_round_stops_it_and_loses_nothing(server, tmp_path, during_push):
    a = enrolled_ws(server, tmp_path / "a", "lin")
    home = tmp_path / "a"
    for i in range(3):
        rsvc.save(a, "residents", resident(f"王{i}", 10 + i))
    holder = {"ws": a}

    def on_store(fn):
        return fn(holder["ws"])

    def idle_lock():
        holder["ws"].lock()
        holder["ws"] = None  # what the worker's lock job leaves for later steps

    during_push(idle_lock)
    with pytest.raises(Cancelled):
        sync_round(on_store)
    from fieldkit.services import workspace as wsvc
    from tests.services.test_sync_service import PASS

    again = wsvc.unlock(home, "lin", PASS)
    assert sync.status(again).pending == 3  # nothing acknowledged without the store
    sync.sync_now(again)  # the next round resends under the same keys and finishes
    assert sync.status(again).pending == 0
    assert len([s for s in server.storage.all_records().values() if s.module == "residents"]) == 3
    again.lock()


def test_short_steps_bring_every_record_of_a_big_page_and_move_the_cursor_once(server, tmp_path):
    from fieldkit.services.sync_round import APPLY_STEP, PUSH_STEP

    a = enrolled_ws(server, tmp_path / "a", "lin")
    b = enrolled_ws(server, tmp_path / "b", "wang")
    n = max(APPLY_STEP, PUSH_STEP) * 2 + 3
    sent = [rsvc.save(b, "residents", resident(f"赵{i}", 100 + i)).uuid for i in range(n)]
    store_b = StoreThread(b)
    assert sync_round(store_b, short_steps=True).report.pushed == n  # several batches
    store = StoreThread(a)
    first = sync_round(store, short_steps=True)
    assert first.report.pulled == n
    assert all(rsvc.get(a, u) is not None for u in sent)
    assert sync_round(store, short_steps=True).report.pulled == 0  # the cursor reached the page's end
    a.lock()
    b.lock()
