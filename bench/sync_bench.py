"""Sync benchmark over loopback: ``python -m bench.sync_bench [--quick] [--no-pg] [--parts …]``.

1. 10,000 changed records pushed by one device and pulled by another (time, records/s, bytes
   of request/response bodies on the wire per record — goal <= 300 B);
2. initial sync of a 100,000-record jurisdiction by a fresh device;
3. 500 devices spread over 50 villages, 100 edits each, syncing at once (errors, p50/p99
   request latency; goal on a 2-core machine >= 3,000 records/s, p99 < 1 s), against one
   server process and, on PostgreSQL, against two (``serve --workers 2``) side by side, and
   once more with the same devices arriving over ``--arrive-over`` seconds (default 15: an
   offered 3,333 records/s) instead of in one instant — what p99 is when they come one by one;
on SQLite and on PostgreSQL (a throwaway cluster in a temp dir, loopback only).
The server runs as its own process(es) (``python -m sync.server serve --plain``), as deployed.
Parts 1 and 2 use the full client (`SyncClient` over a `SQLiteReplica`) in this process. Part 3's
devices run in ``--runners`` processes of their own with pre-built request bodies and no local
database (bench.sync_many): on a small machine they still share the cores with the server, so
they are made as cheap as the protocol allows.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid as uuidlib
from pathlib import Path

from bench import sync_many
from bench.table import row as goal_row
from sync import merge as m
from sync.client import SyncClient
from sync.protocol import PushBatch, batch_key
from sync.server.storage import Storage
from sync.sqlite_replica import SQLiteReplica

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
ROADS = ["上村", "下村", "岭头", "溪口", "后垅", "坑里"]


# This bench's share of the loopback ports; FIELDKIT_BENCH_PORTS=LOW-HIGH moves it (engineers
# sharing a machine each run in their own range).
_LOW, _HIGH = (int(x) for x in os.environ.get("FIELDKIT_BENCH_PORTS", "18450-18499").split("-"))
_PORTS = iter(range(_LOW, _HIGH + 1))


def _port() -> int:
    for port in _PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port left in {_LOW}-{_HIGH}")


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


def cpu_seconds(root: int) -> float | None:
    """CPU time (user + system, seconds) used so far by process ``root`` and its descendants,
    alive or exited and reaped (a process's cutime/cstime holds its reaped children's: a
    PostgreSQL backend that ends mid-run moves there, where counting only the living made the
    database's share come out negative); None off Linux. Less sensitive than wall time to other
    work on a shared machine."""
    pids, total = [root], 0.0
    try:
        while pids:
            pid = pids.pop()
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                pids += [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        return None
    return total


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

    def cpu_seconds(self) -> float | None:
        """CPU time the server's processes have used so far (see `cpu_seconds`)."""
        return cpu_seconds(self.proc.pid)

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

    def cpu_seconds(self) -> float | None:
        """CPU time of the cluster's processes alive now (backends of closed connections are gone)."""
        try:
            pid = int((self.dir / "d" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return cpu_seconds(pid)

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


def _children_cpu() -> float:
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def bench_many(db: str, server: ServerProc, n_dev: int, edits: int, villages: int, runners: int,
               pg: PgCluster | None = None, arrive_over: float = 0.0) -> tuple:
    """(row for the table, p50 ms, p99 ms): see bench.sync_many. ``arrive_over`` > 0: the
    devices arrive over that many seconds (sync_many.spread) instead of all at once."""
    storage = Storage(db)
    try:
        sims = sync_many.build(storage, n_dev, edits, villages, resident)
    finally:
        storage.close()
    sync_many.spread(sims, arrive_over)
    # CPU per record of the server, the database and the simulated devices: on a machine shared
    # with other work the wall time says little, these say what 2 dedicated cores could carry.
    meters = {"server": server.cpu_seconds, "db": pg.cpu_seconds if pg else lambda: 0.0, "devices": _children_cpu}
    before = {k: f() for k, f in meters.items()}
    wall, outs = sync_many.run(server.url, sims, runners)
    after = {k: f() for k, f in meters.items()}
    _, *row, p50, p99 = sync_many.summary("", n_dev, edits, villages, sims, wall, outs)
    per = {k: (a - b) * 1000 / (n_dev * edits) for k, b in before.items()
           if b is not None and (a := after[k]) is not None}
    row[-1] += " cpu ms/rec " + " ".join(f"{k}={v:.2f}" for k, v in per.items())
    if len(per) == 3:
        row[-1] += f" (2 cores could carry {2000 / sum(per.values()):,.0f} rec/s)"
    return tuple(row), p50, p99


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true", help="tenth of the sizes (smoke test)")
    p.add_argument("--no-pg", action="store_true")
    p.add_argument("--no-sqlite", action="store_true")
    p.add_argument("--parts", default="pushpull,initial,many", help="comma-separated: pushpull,initial,many")
    p.add_argument("--devices", type=int, default=500)
    p.add_argument("--edits", type=int, default=100)
    p.add_argument("--villages", type=int, default=50)
    p.add_argument("--runners", type=int, default=2, help="processes driving the simulated devices")
    p.add_argument("--arrive-over", type=float, default=15.0,
                   help="also run the many part on PostgreSQL with the devices arriving over this many seconds "
                        "(a tenth with --quick; 0 skips it)")
    args = p.parse_args(argv)
    scale = 10 if args.quick else 1
    backends = ([] if args.no_sqlite else ["sqlite"]) + ([] if args.no_pg or not PgCluster.BIN.exists() else ["postgresql"])
    parts = [x for x in args.parts.split(",") if x]
    rows: list[tuple] = []
    figures: dict[tuple[str, str, int, float], tuple] = {}  # (backend, part, workers, arrive over) -> goal figures
    pg = PgCluster() if "postgresql" in backends else None
    try:
        # Each part on every back end before the next part: a figure and its anchor run minutes
        # apart, not a quarter of an hour, on a machine whose other load comes and goes.
        runs = [(backend, part, 1, 0.0) for part in parts for backend in backends]
        if "postgresql" in backends and "many" in parts:
            runs.append(("postgresql", "many", 2, 0.0))  # the same load on two server processes
            if args.arrive_over > 0:  # the same devices arriving one after another
                runs.append(("postgresql", "many", 1, args.arrive_over / scale))
        for backend, part, workers, arrive_over in runs:
            tmp = Path(tempfile.mkdtemp(prefix=f"fk-bench-{part}-"))
            # One attachment key for this database, shared by the loader and the server
            # process(es), as a deployment shares /etc/fieldkit-server/attachment.key.
            os.environ["FIELDKIT_SERVER_KEY_FILE"] = str(tmp / "attachment.key")
            if backend == "sqlite":
                db = f"sqlite:///{tmp / 'server.db'}"
            else:
                assert pg is not None
                db = pg.new_db()
            Storage(db).close()  # create tables before the server and the loader race to
            server = ServerProc(db, tmp, workers)
            try:
                if part == "pushpull":
                    out = bench_push_pull(db, server, tmp, 10_000 // scale)
                    figures[(backend, part, workers, arrive_over)] = (out[0][1],)
                elif part == "initial":
                    out = bench_initial(db, server, tmp, 100_000 // scale)
                    figures[(backend, part, workers, arrive_over)] = (out[0][1],)
                else:
                    many, p50, p99 = bench_many(db, server, max(1, args.devices // scale), args.edits,
                                                max(1, args.villages // scale), args.runners, pg, arrive_over)
                    out = [many]
                    figures[(backend, part, workers, arrive_over)] = (many[2], p50, p99)
            finally:
                server.stop()
                for st in _STORAGES.values():
                    st.close()
                _STORAGES.clear()
                shutil.rmtree(tmp, ignore_errors=True)
            # "pg /15s": the devices arriving over that window (a PostgreSQL run only)
            label = f"pg /{arrive_over:g}s" if arrive_over else backend if workers == 1 else f"{backend[:6]} x{workers}"
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
    goal_rows(figures)
    return 0


def goal_rows(figures: dict[tuple[str, str, int, float], tuple]) -> None:
    """Issue 16's goals, each beside its anchor from this run (bench.table)."""
    one, two = figures.get(("postgresql", "many", 1, 0.0)), figures.get(("postgresql", "many", 2, 0.0))
    if one:
        goal_row("sync many devices, PG 1 process: records/s", f"{one[0]:,.0f} rec/s", "-", ">= 3,000 rec/s",
                 one[0] >= 3000)
        goal_row("sync many devices, PG 1 process: p50/p99", f"{one[1]:.0f} / {one[2]:.0f} ms", "-", "p99 < 1,000 ms",
                 one[2] < 1000)
    if one and two:
        goal_row("sync many devices, PG 2 processes: records/s (ratio to 1)", f"{two[0]:,.0f} rec/s",
                 f"1 process {one[0]:,.0f} rec/s (x{two[0] / one[0]:.2f})", ">= 3,000 rec/s", two[0] >= 3000)
        goal_row("sync many devices, PG 2 processes: p50/p99", f"{two[1]:.0f} / {two[2]:.0f} ms", "-",
                 "p99 < 1,000 ms", two[2] < 1000)
    for (_backend, part, workers, over), figure in figures.items():
        if part == "many" and over:  # informative: the burst rows above are the goal's own
            rate, p50, p99 = figure
            goal_row(f"sync many devices arriving over {over:g} s, PG {workers} process: p50/p99",
                     f"{p50:.0f} / {p99:.0f} ms at {rate:,.0f} rec/s", f"all at once: {one[2]:.0f} ms" if one else "-",
                     "p99 < 1,000 ms", p99 < 1000)
    for part, what in (("pushpull", "push 10,000"), ("initial", "initial sync 100,000")):
        pg_s, lite_s = figures.get(("postgresql", part, 1, 0.0)), figures.get(("sqlite", part, 1, 0.0))
        if pg_s and lite_s:
            goal_row(f"{what}: PostgreSQL vs SQLite", f"{pg_s[0]:.2f} s", f"SQLite {lite_s[0]:.2f} s",
                     "PG no slower than SQLite", pg_s[0] <= lite_s[0])
    return None


if __name__ == "__main__":
    sys.exit(main())
