"""FieldKit laptops syncing through a link that drops, cuts, duplicates and reorders requests:
every laptop ends up showing the same records, no saved edit is lost, nothing is doubled."""

from __future__ import annotations

import contextlib
import random

import pytest

from fieldkit.domain.errors import NetworkError
from fieldkit.services import records as rsvc
from fieldkit.services import sync_service as sync
from fieldkit.services import workspace as wsvc
from tests.services.test_sync_service import PASS, VILLAGE, resident
from tests.sync.faultproxy import FaultProxy
from tests.sync.helpers import ServerThread

pytestmark = pytest.mark.timeout(300)


def until_done(ws) -> None:
    for _ in range(60):
        try:
            sync.sync_now(ws, retries=3, backoff=0.01)
            return
        except NetworkError:
            continue
    raise AssertionError("sync never got through the faulty link")


@pytest.mark.parametrize("seed", range(1, 7))
def test_laptops_converge_through_a_faulty_link(tmp_path, seed):
    srv = ServerThread(f"sqlite:///{tmp_path / 'server.db'}")
    srv.start()
    proxy = FaultProxy(srv.port, seed, rate=0.35)
    proxy.start()
    laptops = []
    try:
        for name in ("lin", "wang"):
            ws, _ = wsvc.create(tmp_path / name, name, PASS)
            _, code = srv.storage.create_enrollment(name, [VILLAGE])
            for _ in range(20):  # enrollment crosses the faulty link too; retrying it is safe
                try:
                    # The proxy speaks plain HTTP (it parses the messages to break them): a test server.
                    sync.enroll(ws, f"http://127.0.0.1:{proxy.port}", code, insecure_test_server=True)
                    break
                except NetworkError:
                    continue
            laptops.append(ws)
        rng = random.Random(seed)
        saved: dict[str, dict] = {}
        for i in range(30):
            ws = rng.choice(laptops)
            if saved and rng.random() < 0.5:
                uuid = rng.choice(sorted(saved))
                rec = ws.store.records.get(uuid)
                if rec is None:
                    continue
                phone = f"138{rng.randrange(10**8):08d}"
                rsvc.save(ws, "residents", {**rec.data, "phone": phone}, uuid=uuid)
            else:
                rec = rsvc.save(ws, "residents", resident(f"居民{i}", i))
                saved[rec.uuid] = rec.data
            if rng.random() < 0.5:
                # Offline for now is fine: the edit waits in the outbox.
                with contextlib.suppress(NetworkError):
                    sync.sync_now(ws, retries=1, backoff=0.01)
        for _ in range(2):
            for ws in laptops:
                until_done(ws)
        a, b = laptops
        for uuid in saved:
            ra, rb = a.store.records.get(uuid), b.store.records.get(uuid)
            assert ra is not None and rb is not None and ra.data == rb.data
        assert sorted(saved) == sorted(srv.storage.all_records())  # nothing lost, nothing doubled
        assert [(c.uuid, c.field) for c in sync.conflicts(a)] == [(c.uuid, c.field) for c in sync.conflicts(b)]
        assert sync.status(a).pending == sync.status(b).pending == 0
        assert sum(n for f, n in proxy.counts.items() if f != "pass") > 0, proxy.counts
    finally:
        for ws in laptops:
            ws.lock()
        proxy.stop()
        srv.stop()
