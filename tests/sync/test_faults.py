"""Seeded fault-injection runs: three offline devices edit the same few records, then sync
through a proxy that drops, delays, truncates, duplicates, reorders and fails requests and
responses while the server restarts now and then. Afterwards every device and the server hold
the same state, which is exactly the merge of every edit ever made (nothing acknowledged is
lost, nothing is doubled) and which reports every same-field conflict.

SYNC_FAULT_RUNS=300 runs 300 seeds instead of the default 20.
"""

from __future__ import annotations

import os
import random
from collections import Counter

import pytest

from sync import merge as m
from sync.client import NetworkUnavailable, SyncClient
from sync.sqlite_replica import SQLiteReplica

from .conftest import fresh_pg_db
from .faultproxy import FaultProxy
from .helpers import ServerThread

RUNS = int(os.environ.get("SYNC_FAULT_RUNS", "20"))
UUIDS = [f"0000000{i}-0000-4000-8000-000000000000" for i in range(5)]
MODULES = ["residents", "residents", "residents", "rentals", "visits"]  # the last is append-only
POLICY = m.Policy(append_only=frozenset({"visits"}))  # server and devices agree, as the forms say
FIELDS = ["name", "phone", "address"]
VALUES = ["张三", "李四", "王五", "13800000000", "上村1号", None]
TOTALS: Counter[str] = Counter()


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    d = tmp_path_factory.mktemp("faults")
    srv = ServerThread(f"sqlite:///{d / 'server.db'}", policy=POLICY)
    srv.start()
    yield srv, d
    srv.stop()
    print(f"\nfault-injection totals over {RUNS} runs: {dict(TOTALS)}")


def _local_edit(rng: random.Random, rep: SQLiteReplica) -> None:
    i = rng.randrange(len(UUIDS))
    uuid, state = UUIDS[i], rep.get(UUIDS[i])
    if state is not None and not m.is_deleted(state) and MODULES[i] != "visits" and rng.random() < 0.08:
        rep.delete(uuid)
    elif state is not None and m.is_deleted(state) and rng.random() < 0.5:
        rep.restore(uuid)
    else:
        fields = rng.sample(FIELDS, rng.randint(1, 2))
        rep.edit(uuid, MODULES[i], {f: rng.choice(VALUES) for f in fields}, scope="v1" if state is None else None)


def _sync(client: SyncClient, rep: SQLiteReplica) -> bool:
    try:
        client.sync(rep)
        return True
    except NetworkUnavailable:
        return False  # the link gave up for now; the outbox and cursor keep everything for later


@pytest.mark.parametrize("seed", range(RUNS))
def test_devices_and_server_converge_through_a_faulty_link(rig, seed, request):
    srv, d = rig
    rng = random.Random(seed)
    run_dir = d / f"seed{seed}"
    run_dir.mkdir()
    # A fresh server database per seed; every fourth seed on PostgreSQL.
    srv.stop()
    if seed % 4 == 3:
        srv.db_url = fresh_pg_db(request.getfixturevalue("pg_server"))
        TOTALS["postgresql_runs"] += 1
    else:
        srv.db_url = f"sqlite:///{run_dir / 'server.db'}"
    srv.start()
    proxy = FaultProxy(srv.port, seed, rate=0.35)
    proxy.start()
    try:
        devices = []
        for k in range(3):
            node = f"{seed:08x}{k + 1:08x}"
            _, code = srv.storage.create_enrollment(f"dev{k}", ["v1"])
            client = SyncClient(proxy.url, retries=6, backoff=0.001, max_backoff=0.01, timeout=(5, 30),
                                batch_size=3, page_size=4, rng=random.Random(seed), encoding=rng.choice(["zstd", "gzip"]))
            token = client.new_token()
            for _ in range(20):  # enrollment goes through the faulty link too
                try:
                    client.enroll(code, node, token)
                    break
                except NetworkUnavailable:
                    continue
            devices.append((client, SQLiteReplica(run_dir / f"dev{k}.db", node, POLICY)))
        for _round in range(4):
            for _client, rep in devices:
                for _ in range(rng.randint(0, 5)):
                    _local_edit(rng, rep)
            for client, rep in rng.sample(devices, len(devices)):
                _sync(client, rep)
            if rng.random() < 0.3:
                srv.restart()
                TOTALS["server_restarts"] += 1
        proxy.set_rate(0.0)  # the link recovers: two clean rounds to let everything settle
        for _ in range(2):
            for client, rep in devices:
                assert _sync(client, rep)
        server_state = srv.storage.all_records()
        for _client, rep in devices:
            assert rep.pending_count() == 0
            assert rep.states() == server_state
        made = [c for _client, rep in devices for c in rep.all_outbox()]
        assert set(server_state) == {c.uuid for c in made}
        for uuid, state in server_state.items():
            assert state == m.merge_all((c for c in made if c.uuid == uuid), POLICY)
            # Every version present once, each one of an edit some device really made.
            hlcs = [v.hlc for vs in state.fields.values() for v in vs]
            made_hlcs = {v.hlc for c in made if c.uuid == uuid for vs in c.fields.values() for v in vs}
            assert set(hlcs) <= made_hlcs
            for name, vs in state.fields.items():
                if len(vs) > 1:
                    assert any(c.field == name for c in m.conflicts(state, POLICY))
        TOTALS.update({k: v for k, v in proxy.counts.items()})
        TOTALS["conflicts"] += sum(len(m.conflicts(s, POLICY)) for s in server_state.values())
        for client, rep in devices:
            client.close()
            rep.close()
    finally:
        proxy.stop()
