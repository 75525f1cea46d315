"""Shared rate-limit counters: ``python -m bench.counters_bench [--n 2000] [--no-pg]``.

What the guard costs per request when its budgets are counted in the server's database
(`sync.server.counters.SharedCounters`, PostgreSQL: what `serve --workers N` uses, so N
processes share one budget) against the same `Budgets.admit` on process memory (the anchor,
measured in the same run). Devices and requests are spread over 500 tokens, as the sync
bench's fleet; each admit is one request of a device (its request budget: two queries, one
upsert) whose token is then found good, and leaving it. Prints µs per request for both and the ratio.
"""

from __future__ import annotations

import argparse
import time

from bench import sync_bench
from sync.server.counters import SharedCounters
from sync.server.guard import Budgets, Limits
from sync.server.storage import Storage

PORT = 18311  # srvclean's port range


def _scope(i: int) -> dict:
    token = f"device-token-{i % 500:04d}".encode()
    return {"type": "http", "method": "POST", "path": "/v1/push", "client": ("127.0.0.1", 1),
            "headers": [(b"authorization", b"Bearer " + token)], "state": {}}


def per_request_us(budgets: Budgets, n: int) -> float:
    limits = budgets.limits
    assert limits.device_requests  # generous enough that nothing is refused below
    for i in range(500):  # every device seen once: the timed requests are steady state
        scope = _scope(i)
        budgets.note_auth(scope, True) if budgets.admit(scope, "push") else None
        budgets.leave(scope["state"]["fieldkit.guard"]["device"])
    t0 = time.perf_counter()
    for i in range(n):
        scope = _scope(i)
        key = budgets.admit(scope, "push")
        assert key is not None
        budgets.note_auth(scope, True)  # a device seen to be good skips the address gate after
        budgets.leave(key)
    return (time.perf_counter() - t0) / n * 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args(argv)
    limits = Limits(device_requests="1000000 per 1 hour", device_upload_bytes="1000000000 per 1 hour")
    anchor = per_request_us(Budgets(limits), args.n)
    print(f"guard admit, memory counters (anchor): {anchor:8.1f} µs/request")
    if args.no_pg or not sync_bench.PgCluster.BIN.exists():
        print("PostgreSQL not available: shared counters not measured")
        return 0
    sync_bench._port = lambda: PORT
    pg = sync_bench.PgCluster()
    try:
        storage = Storage(pg.new_db())
        counters = SharedCounters(storage.engine)
        shared = per_request_us(Budgets(limits, counters), args.n)
        with counters.engine.connect() as c:  # what one round trip costs on this machine now
            t0 = time.perf_counter()
            for _ in range(args.n):
                c.exec_driver_sql("SELECT 1")
            trip = (time.perf_counter() - t0) / args.n * 1e6
        storage.close()
    finally:
        pg.stop()
    print(f"guard admit, shared counters (PostgreSQL): {shared:8.1f} µs/request "
          f"({shared / anchor:.0f}× the anchor; {1e6 / shared:,.0f} requests/s of one thread)")
    print(f"PostgreSQL round trip (SELECT 1), same run:  {trip:8.1f} µs  → shared admit = {shared / trip:.1f} round trips")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
