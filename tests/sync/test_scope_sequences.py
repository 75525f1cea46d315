"""Writers of different villages commit in parallel (issue 16 item 2), and pull still never
skips a change: a reader that has seen N in a lane never later meets a commit below N there.

The property test runs writers to the same and to different villages, the platform publishing
to everyone, and readers pulling in small pages all the while, on PostgreSQL; a seeded random
schedule (fixed seeds, so a failure replays the same mix).
"""

from __future__ import annotations

import json
import random
import threading
import uuid as uuidlib

import pytest
import sqlalchemy as sa

from sync import merge as m
from sync.hlc import HLC
from sync.protocol import Change, PushBatch, batch_key, dump_json
from sync.server import lanes
from sync.server.storage import Device, Storage, records

from .conftest import fresh_pg_db


def _device(storage: Storage, name: str, scope: list[str], node: str) -> Device:
    _, code = storage.create_enrollment(name, scope)
    return storage.enroll(code, node, node * 3)


class Writer:
    """A laptop of one village: creates records and edits its own field on records it shares
    with the other writer of its village (so a lost update between them would show)."""

    def __init__(self, storage: Storage, k: int, village: str, shared: list[str], seed: int) -> None:
        self.node = f"{0xa000 + k:016x}"
        self.dev = _device(storage, f"w{k}", [village], self.node)
        self.storage, self.k, self.village, self.shared = storage, k, village, shared
        self.rng = random.Random(seed)
        self.clock = HLC(self.node)
        self.mine: dict[str, Change] = {}  # what this laptop knows of each record it edited
        self.last: dict[str, int] = {}  # record -> the last value of its field ``f<k>`` it pushed

    def run(self, batches: int) -> None:
        for b in range(batches):
            changes: list[Change] = []
            for uid in self.rng.sample(self.shared, 2) + [str(uuidlib.UUID(int=self.rng.getrandbits(128)))
                                                          for _ in range(self.rng.randint(0, 4))]:
                grid = f"{self.village}/g{self.rng.randint(1, 2)}" if uid not in self.shared else self.village
                value = b * 100 + len(changes)
                prev = self.mine.get(uid)
                delta = m.edit(prev, uid, "residents", {f"f{self.k}": value}, self.clock.now(),
                               scope=grid if prev is None else None)
                self.mine[uid] = delta if prev is None else m.merge(prev, delta)
                self.last[uid] = value
                changes.append(delta)
            result = self.storage.push(self.dev, PushBatch(batch_key(self.node, [b]), self.node, tuple(changes)))
            assert all(ok for ok, _ in result.results), result.results


class Reader:
    """A laptop pulling in small pages while the writers write; keeps the last state seen."""

    def __init__(self, storage: Storage, k: int, scope: list[str], seed: int) -> None:
        self.dev = _device(storage, f"r{k}", scope, f"{0xb000 + k:016x}")
        self.storage, self.rng = storage, random.Random(seed)
        self.cursor: str | None = None
        self.seen: dict[str, str] = {}
        self.pages = 0

    def pull_once(self) -> bool:
        states, cursor, more = self.storage.pull(self.dev, self.cursor, self.rng.randint(1, 7))
        before = self.storage.decode_cursor(self.dev, self.cursor)
        after = self.storage.decode_cursor(self.dev, cursor)
        for lane, at in after.lanes.items():  # a position never goes back
            assert at >= before.at(lane), (lane, before, after)
        for text in states:
            self.seen[Change.from_json(json.loads(text)).uuid] = text
        self.cursor, self.pages = cursor, self.pages + 1
        return more

    def run(self, writers_done: threading.Event) -> None:
        while not writers_done.is_set():
            self.pull_once()
        while self.pull_once():  # the last changes, after every writer committed
            pass


@pytest.mark.parametrize("seed", [1, 2])
def test_concurrent_writers_never_make_a_reader_miss_a_change(pg_server, seed: int) -> None:
    storage = Storage(fresh_pg_db(pg_server))
    try:
        rng = random.Random(seed)
        villages = ["v1", "v2", "v3"]
        shared = {v: [str(uuidlib.UUID(int=rng.getrandbits(128))) for _ in range(5)] for v in villages}
        # Two writers per village: same-lane writers queue, different lanes run in parallel.
        writers = [Writer(storage, k, v, shared[v], seed * 100 + k) for k, v in enumerate(villages * 2)]
        readers = [Reader(storage, k, scope, seed * 1000 + k)
                   for k, scope in enumerate([["v1"], ["v1/g2", "v3"], ["*"], ["v2"]])]
        published: list[str] = []

        def publisher() -> None:
            for i in range(15):
                published.append(storage.publish("watchlist", {"reason": f"布控{i}"}, rng.choice(["*", "v2"])))

        done = threading.Event()
        errors: list[BaseException] = []

        def thread(fn, *args) -> threading.Thread:
            def body() -> None:
                try:
                    fn(*args)
                except BaseException as exc:  # re-raised below: a failing thread fails the test
                    errors.append(exc)
            return threading.Thread(target=body)

        read_threads = [thread(r.run, done) for r in readers]
        write_threads = [thread(w.run, 25) for w in writers] + [thread(publisher)]
        for t in read_threads + write_threads:
            t.start()
        for t in write_threads:
            t.join(60)
        done.set()
        for t in read_threads:
            t.join(60)
        assert not any(t.is_alive() for t in read_threads + write_threads)
        if errors:
            raise errors[0]

        final = storage.all_records()
        for w in writers:  # no writer's edit was lost to a concurrent merge
            for uid, value in w.last.items():
                assert m.current_values(final[uid])[f"f{w.k}"] == value
        with storage.engine.connect() as c:
            texts = {r.uuid: r.state for r in c.execute(sa.select(records.c.uuid, records.c.state))}
        for r in readers:  # each reader holds exactly the latest state of everything it may see
            expected = {u: texts[u] for u, st in final.items() if storage.visible(r.dev, u)}
            assert r.seen.keys() == expected.keys()
            assert r.seen == expected
            assert r.pages > 10  # it did pull while the writers wrote
        assert set(published) <= readers[2].seen.keys()
    finally:
        storage.close()


def test_a_writer_of_one_village_does_not_wait_for_another_village(pg_server) -> None:
    storage = Storage(fresh_pg_db(pg_server))
    try:
        dev1 = _device(storage, "v1", ["v1"], "00000000000000e1")
        dev2 = _device(storage, "v2", ["v2"], "00000000000000e2")
        clock = HLC("00000000000000e1")

        def push(dev: Device, village: str, n: int) -> None:
            ch = m.edit(None, str(uuidlib.uuid4()), "residents", {"name": "王伟"}, clock.now(), scope=village)
            storage.push(dev, PushBatch(batch_key(dev.node or "", [n]), dev.node or "", (ch,)))

        holder = storage.engine.connect()
        tx = holder.begin()
        lanes.reserve(holder, "v1", 0)  # a long transaction of village v1 holds its lane
        try:
            other = threading.Thread(target=push, args=(dev2, "v2", 1))
            same = threading.Thread(target=push, args=(dev1, "v1", 2))
            other.start()
            same.start()
            other.join(30)
            assert not other.is_alive(), "a push to v2 waited for v1's writer"
            same.join(0.5)
            assert same.is_alive(), "a push to v1 went ahead of v1's open writer"
        finally:
            tx.commit()
            holder.close()
        same.join(30)
        assert not same.is_alive()
        assert len(storage.all_records()) == 2
    finally:
        storage.close()


def test_rows_numbered_from_sql_are_pulled_in_their_order(pg_server) -> None:
    """What a logical-replication trigger does at a county server: number a row with
    ``fk_next_seq`` in its own transaction; laptops of the village pull it after what they had."""
    storage = Storage(fresh_pg_db(pg_server))
    try:
        reader = _device(storage, "r", ["v7"], "00000000000000f1")
        storage.publish("watchlist", {"reason": "先发"}, "v7")
        states, cursor, _ = storage.pull(reader, None, 100)
        assert len(states) == 1
        delta = m.edit(None, str(uuidlib.uuid4()), "watchlist", {"reason": "复制来的"},
                       HLC("00000000000000f2").now(), scope="v7/g1")
        with storage.engine.begin() as c:
            seq = c.execute(sa.text("SELECT fk_next_seq('v7/g1', 1)")).scalar_one()
            c.execute(records.insert().values(uuid=delta.uuid, module="watchlist", scope="v7/g1", lane="v7",
                                              seq=seq, state=dump_json(delta.to_json())))
        states, _, more = storage.pull(reader, cursor, 100)
        assert [Change.from_json(json.loads(s)).uuid for s in states] == [delta.uuid]
        assert not more
    finally:
        storage.close()
