"""What one record costs the server: ``python -m bench.server_size_bench [--n 5000] [--no-pg]``.

Pushes ``n`` plausible residents (bench.sync_bench.resident) into a server database in batches
of 500, as laptops do, then prints per record: the stored state (bytes), the database growth
(SQLite file / PostgreSQL relation sizes with indexes), and on PostgreSQL the WAL written —
what logical replication carries to the aggregate and what a slot retains while a county is
offline. Anchor in the same run: the values' own JSON size. docs/deployment.md scales these.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import uuid as uuidlib
from pathlib import Path

import sqlalchemy as sa

from bench.sync_bench import PgCluster, resident
from sync import merge as m
from sync.hlc import HLC
from sync.protocol import PushBatch, batch_key
from sync.server.storage import Storage

NODE = "00000000000000b1"


def _fill(storage: Storage, n: int) -> int:
    """Push ``n`` residents; returns the values' JSON bytes (the anchor)."""
    _, code = storage.create_enrollment("bench", ["350102001001"])
    dev = storage.enroll(code, NODE, "t" * 43)
    rng, clock, raw = random.Random(5), HLC(NODE), 0
    for start in range(0, n, 500):
        changes = []
        for i in range(start, min(n, start + 500)):
            values = resident(rng, i)
            raw += len(json.dumps(values, ensure_ascii=False).encode())
            uid = str(uuidlib.UUID(int=rng.getrandbits(128), version=4))
            changes.append(m.edit(None, uid, "residents", values, clock.now(), scope=f"350102001001/g{i % 8}"))
        storage.push(dev, PushBatch(batch_key(NODE, [start]), NODE, tuple(changes)))
    return raw


def _state_bytes(storage: Storage) -> float:
    with storage.engine.connect() as c:
        return float(c.execute(sa.text("SELECT avg(length(state)) FROM records")).scalar_one())


def sqlite_row(n: int, tmp: Path) -> tuple[str, float, float, float, float | None]:
    db = tmp / "server.db"
    s = Storage(f"sqlite:///{db}", key_file=tmp / "k")
    before = db.stat().st_size
    raw = _fill(s, n)
    with s.engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    state = _state_bytes(s)
    s.close()
    return "sqlite", raw / n, state, (db.stat().st_size - before) / n, None


def pg_row(n: int, tmp: Path) -> tuple[str, float, float, float, float | None]:
    cluster = PgCluster()
    try:
        s = Storage(cluster.new_db(), key_file=tmp / "k")

        def sizes() -> tuple[int, int]:
            with s.engine.connect() as c:
                rel = c.execute(sa.text("SELECT pg_total_relation_size('records') + "
                                        "pg_total_relation_size('batches')")).scalar_one()
                lsn = c.execute(sa.text("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')")).scalar_one()
            return int(rel), int(lsn)

        rel0, wal0 = sizes()
        raw = _fill(s, n)
        rel1, wal1 = sizes()
        state = _state_bytes(s)
        s.close()
        return "postgresql", raw / n, state, (rel1 - rel0) / n, (wal1 - wal0) / n
    finally:
        cluster.stop()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=5000)
    p.add_argument("--no-pg", action="store_true")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fk-size-"))
    rows = [sqlite_row(args.n, tmp)]
    if not args.no_pg:
        rows.append(pg_row(args.n, tmp))
    print(f"{'backend':<11}{'records':>8}{'values B':>10}{'state B':>9}{'DB B/rec':>10}{'WAL B/rec':>11}")
    for name, raw, state, db, wal in rows:
        print(f"{name:<11}{args.n:>8}{raw:>10.0f}{state:>9.0f}{db:>10.0f}{'' if wal is None else f'{wal:.0f}':>11}")
    print("values B: the record's field values as JSON (anchor); state B: the stored merge state "
          "(values + per-field HLC versions); DB/WAL: growth per record incl. indexes and push batch rows.")


if __name__ == "__main__":
    main()
