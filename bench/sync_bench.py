"""Sync benchmark over loopback: ``python -m bench.sync_bench [--quick] [--no-pg] [--parts …]``.

1. 10,000 changed records pushed by one device and pulled by another (time, records/s, bytes
   of request/response bodies on the wire per record — goal <= 300 B);
2. initial sync of a 100,000-record jurisdiction by a fresh device;
3. 500 devices spread over 50 villages, 100 edits each, syncing at once (errors, p50/p99
   request latency; goal on a 2-core machine >= 3,000 records/s, p99 < 1 s), against one
   server process and, on PostgreSQL, against two (``serve --workers 2``) side by side;
on SQLite and on PostgreSQL (a throwaway cluster in a temp dir, loopback only).
The server runs as its own process(es) (``python -m sync.server serve --plain``), as deployed;
the simulated devices are threads of this process, so on a small machine they compete with
the server for the same cores (the figures say so: see docs/sync-protocol.md §4).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid as uuidlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sync import merge as m
from sync.client import SyncClient
from sync.protocol import PushBatch, batch_key
from sync.server.storage import Storage
from sync.sqlite_replica import SQLiteReplica

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
ROADS = ["上村", "下村", "岭头", "溪口", "后垅", "坑里"]


_PORTS = iter(range(18450, 18500))  # this bench's share of the loopback ports


def _port() -> int:
    for port in _PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port left in 18450-18499")


def resident(rng: random.Random, i: int) -> dict:
    """A plausible resident record (module 8), ~140 bytes of values."""
    return {
        "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))),
        "id_number": f"350{rng.randint(100, 999)}{rng.randint(1950, 2015)}{rng.randint(1, 12):02d}"
                     f"{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}{rng.choice('0123456789X')}",
        "phone": f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
        "address": f"{rng.choice(ROADS)}{rng.randint(1, 200)}号",
        "household": i // 4,
        "sex": rng.choice(["男", "女"]),
    }


class ServerProc:
    def __init__(self, db: str, data_dir: Path, workers: int = 1) -> None:
        self.port = _port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sync.server", "--data-dir", str(data_dir), "--db", db, "serve", "--plain",
             "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)],
            stderr=(data_dir / "server.log").open("w"))
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


class PgCluster:
    BIN = Path("/usr/lib/postgresql/15/bin")

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="fk-bench-pg-"))
        self.port = _port()
        wrap = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if wrap:
            shutil.chown(self.dir, "postgres", "postgres")
        self.wrap = wrap
        subprocess.run([*wrap, str(self.BIN / "initdb"), "-D", str(self.dir / "d"), "-A", "trust", "-U",
                        "postgres", "--no-sync", "-E", "UTF8"], check=True, capture_output=True)
        subprocess.run([*wrap, str(self.BIN / "pg_ctl"), "-D", str(self.dir / "d"), "-w", "-l",
                        str(self.dir / "log"), "-o", f"-k {self.dir} -p {self.port} -c listen_addresses=127.0.0.1 "
                        "-c max_connections=200", "start"], check=True, capture_output=True)
        self.n = 0

    def new_db(self) -> str:
        import psycopg

        self.n += 1
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as c:
            c.execute(f"CREATE DATABASE bench{self.n}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/bench{self.n}"

    def stop(self) -> None:
        subprocess.run([*self.wrap, str(self.BIN / "pg_ctl"), "-D", str(self.dir / "d"), "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


_STORAGES: dict[str, Storage] = {}  # one per database: opening one checks the schema (~0.3 s)


def device(storage_url: str, server: ServerProc, tmp: Path, name: str, scope: list[str], node: str,
           **kw) -> tuple[SyncClient, SQLiteReplica]:
    storage = _STORAGES.get(storage_url) or _STORAGES.setdefault(storage_url, Storage(storage_url))
    _, code = storage.create_enrollment(name, scope)
    # Enrolled through the storage, not the API: the API's per-address enrollment rate limit
    # (rightly) refuses hundreds of enrollments from one address, and enrolling is not timed.
    token = secrets.token_urlsafe(32)
    storage.enroll(code, node, token)
    client = SyncClient(server.url, token=token, **kw)
    rep = SQLiteReplica(tmp / f"{name}.db", node)
    rep.db.execute("PRAGMA synchronous=OFF")  # the bench measures the link, not the laptop's disk
    return client, rep


def bench_push_pull(db: str, server: ServerProc, tmp: Path, n: int) -> list[tuple]:
    rng = random.Random(1)
    a_cli, a = device(db, server, tmp, "pusher", ["v1"], "00000000000000a1")
    for i in range(n):
        a.edit(str(uuidlib.UUID(int=rng.getrandbits(128), version=4)), "residents", resident(rng, i), scope="v1/g1")
    t = time.perf_counter()
    rep = a_cli.push(a)
    push_s = time.perf_counter() - t
    assert rep.pushed == n and not rep.rejected
    b_cli, b = device(db, server, tmp, "puller", ["v1"], "00000000000000b1", page_size=1000)
    t = time.perf_counter()
    got = b_cli.pull(b).pulled
    pull_s = time.perf_counter() - t
    assert got == n
    return [
        (f"push {n:,} records", push_s, n / push_s, a_cli.bytes_sent / n, ""),
        (f"pull {n:,} records", pull_s, n / pull_s, b_cli.bytes_received / n, ""),
    ]


def bench_initial(db: str, server: ServerProc, tmp: Path, n: int) -> list[tuple]:
    rng = random.Random(2)
    storage = Storage(db)
    _, code = storage.create_enrollment("loader", ["*"])  # loading goes to storage, not timed
    dev = storage.enroll(code, "00000000000000c0", "x" * 43)
    node = "00000000000000c0"
    clock_base = 1_700_000_000_000
    for start in range(0, n, 1000):
        changes = []
        for i in range(start, min(n, start + 1000)):
            hlc = f"{clock_base + i:012x}0000{node}"
            uid = str(uuidlib.UUID(int=rng.getrandbits(128), version=4))
            changes.append(m.edit(None, uid, "residents", resident(rng, i), hlc, scope=f"v2/g{i % 8}"))
        storage.push(dev, PushBatch(batch_key(node, [start]), node, tuple(changes)))
    storage.close()
    cli, rep = device(db, server, tmp, "fresh", ["v2"], "00000000000000c1", page_size=1000)
    t = time.perf_counter()
    got = cli.pull(rep).pulled
    s = time.perf_counter() - t
    assert got == n, got
    return [(f"initial sync {n:,}", s, n / s, cli.bytes_received / n, "")]


def bench_many(db: str, server: ServerProc, tmp: Path, n_dev: int, edits: int, villages: int) -> list[tuple]:
    rng = random.Random(3)
    devs = []
    for k in range(n_dev):
        village = f"v{10 + k % villages}"
        cli, rep = device(db, server, tmp, f"m{k}", [village], f"{0xd000 + k:016x}", timeout=(10, 120))
        for i in range(edits):
            rep.edit(str(uuidlib.UUID(int=rng.getrandbits(128), version=4)), "residents", resident(rng, i),
                     scope=f"{village}/g{i % 4}")
        latencies: list[float] = []
        cli.session.hooks["response"].append(lambda r, *a, lat=latencies, **kw: lat.append(r.elapsed.total_seconds()))
        devs.append((cli, rep, latencies))

    for _, rep, _ in devs:
        rep.close()

    def one(d):
        cli, rep, _ = d
        rep = SQLiteReplica(rep.path, rep.device_node)  # sqlite3 objects stay in their thread
        t = time.perf_counter()
        try:
            cli.sync(rep)
            return time.perf_counter() - t, None
        except Exception as exc:  # counted and reported: the bench must not stop on one device
            return time.perf_counter() - t, repr(exc)

    t = time.perf_counter()
    # Each device syncs from its own thread, like 50 laptops; the replicas are per-thread objects
    # created above and only used by that worker afterwards.
    with ThreadPoolExecutor(n_dev) as pool:
        results = list(pool.map(one, devs))
    wall = time.perf_counter() - t
    errors = [e for _, e in results if e]
    for e in errors[:3]:
        print("  error:", e, file=sys.stderr)
    lat = sorted(x for _, _, ls in devs for x in ls)
    p50 = statistics.median(lat or [0]) * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else 0
    sent = sum(c.bytes_sent for c, _, _ in devs)
    return [(f"{n_dev} dev x {edits} edits, {villages} vill.", wall, n_dev * edits / wall, sent / (n_dev * edits),
             f"errors={len(errors)} requests={len(lat)} p50={p50:.0f}ms p99={p99:.0f}ms")]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true", help="tenth of the sizes (smoke test)")
    p.add_argument("--no-pg", action="store_true")
    p.add_argument("--no-sqlite", action="store_true")
    p.add_argument("--parts", default="pushpull,initial,many", help="comma-separated: pushpull,initial,many")
    p.add_argument("--devices", type=int, default=500)
    p.add_argument("--edits", type=int, default=100)
    p.add_argument("--villages", type=int, default=50)
    args = p.parse_args(argv)
    scale = 10 if args.quick else 1
    backends = ([] if args.no_sqlite else ["sqlite"]) + ([] if args.no_pg or not PgCluster.BIN.exists() else ["postgresql"])
    parts = [x for x in args.parts.split(",") if x]
    rows: list[tuple] = []
    pg = PgCluster() if "postgresql" in backends else None
    try:
        for backend in backends:
            runs = [(part, 1) for part in parts]
            if backend == "postgresql" and "many" in parts:
                runs.append(("many", 2))  # the same load on two server processes, side by side
            for part, workers in runs:
                tmp = Path(tempfile.mkdtemp(prefix=f"fk-bench-{part}-"))
                # One attachment key for this database, shared by the loader and the server
                # process(es), as a deployment shares /etc/fieldkit-server/attachment.key.
                os.environ["FIELDKIT_SERVER_KEY_FILE"] = str(tmp / "attachment.key")
                db = f"sqlite:///{tmp / 'server.db'}" if backend == "sqlite" else pg.new_db()
                Storage(db).close()  # create tables before the server and the loader race to
                server = ServerProc(db, tmp, workers)
                try:
                    if part == "pushpull":
                        out = bench_push_pull(db, server, tmp, 10_000 // scale)
                    elif part == "initial":
                        out = bench_initial(db, server, tmp, 100_000 // scale)
                    else:
                        out = bench_many(db, server, tmp, max(1, args.devices // scale), args.edits,
                                         max(1, args.villages // scale))
                finally:
                    server.stop()
                    for st in _STORAGES.values():
                        st.close()
                    _STORAGES.clear()
                    shutil.rmtree(tmp, ignore_errors=True)
                label = backend if workers == 1 else f"{backend[:6]} x{workers}"
                rows += [(label, *r) for r in out]
                print(f"  done: {label} {part}", file=sys.stderr, flush=True)
    finally:
        if pg:
            pg.stop()
    head = f"{'backend':<11}{'scenario':<34}{'seconds':>9}{'records/s':>11}{'B/record':>10}  notes"
    print(head)
    print("-" * len(head))
    for backend, name, secs, rate, bpr, note in rows:
        print(f"{backend:<11}{name:<34}{secs:>9.2f}{rate:>11,.0f}{bpr:>10.0f}  {note}")
    print("B/record: compressed request (push) or response (pull) body bytes per record; HTTP headers"
          " add ~250 B per request, i.e. <1 B/record at 500-1000 records per request.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
