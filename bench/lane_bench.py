"""Searches during a sync round over a 2G-like link: ``python -m bench.lane_bench [--quick]``.

The laptop talks to the sync server (its own process, as deployed) through `bench.slowlink`:
100 kbit/s each way, 500 ms added to every byte each way. While one round pushes `--push` new
residents and pulls `--pull` records another laptop sent, the GUI thread asks the worker for a
search every 100 ms (as the search box does) and a 5 ms heartbeat records the longest gap
between two ticks (the longest the window could not repaint or take a key). Three runs, each on
a fresh server and laptop, side by side:
- ``anchor``: the same searches with no sync;
- ``single``: the round as main ran it before the free lane — one database-lane job
  (`sync_service.sync_now(job.ws)`) holding the store for the whole round, network included;
- ``lanes``: the round as the app runs it now (`sync_round` over `job.on_store` on the free lane).
Prints a table and one JSON line. A measurement, not a test: nothing here asserts a time.
Ports 18700-18799 (loopback only).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.sync_bench import ServerProc
from bench.table import row

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PASS = "correct horse battery"
VILLAGE = "350924001001"
QUERIES = ("张伟", "王", "李娜", "zw", "刘", "陈静", "ly", "杨")


def laptop(home: Path, login: str, db: str, url: str, n: int, seed: int):
    """A store enrolled with `url` (plain HTTP: a bench, like the tests) holding `n` new residents."""
    from bench.ui_bench import person
    from fieldkit.services import door
    from fieldkit.services import sync_service as sync
    from fieldkit.services import workspace as wsvc
    from sync.server.storage import Storage

    ws, _ = wsvc.create(home, login, PASS, display_name=login)
    _, code = Storage(db).create_enrollment(f"{login}的电脑", [VILLAGE])
    sync.enroll(ws, url, code, insecure_test_server=True)
    rng = random.Random(seed)
    with ws.store.transaction():
        door.submit(ws, [door.Request("save", "residents", person(rng, VILLAGE)) for _ in range(n)])
    return ws


def measure(mode: str, args: argparse.Namespace, app, base: Path, slot: int) -> dict:
    from bench.slowlink import SlowLink
    from bench.ui_bench import Heartbeat, settle, spin
    from fieldkit.services import search as search_svc
    from fieldkit.services import sync_service as sync
    from fieldkit.services import workspace as wsvc
    from fieldkit.services.sync_round import sync_round
    from fieldkit.ui.worker import Worker

    work = base / mode
    work.mkdir()
    db = f"sqlite:///{work / 'server.db'}"
    (work / "data").mkdir()
    server = ServerProc(db, work / "data")
    link = SlowLink(server.port, 18740 + slot, rate_bps=args.kbit * 1000 / 8, latency_s=args.latency_ms / 1000)
    link.start()
    worker = Worker()
    try:
        other = laptop(work / "b", "wang", db, server.url, args.pull, seed=2)
        sync.sync_now(other)  # the records this laptop will pull (directly, not over the link)
        other.lock()
        laptop(work / "a", "lin", db, link.url, args.push, seed=1).lock()
        ready: list = []
        worker.run(lambda job: job.adopt(wsvc.unlock(work / "a", "lin", PASS)), ready.append, progress=False)
        spin(app, lambda: bool(ready), timeout=120)
        latencies: list[float] = []
        outcome: list = []
        waiting = [0]

        def ask(i: int) -> None:
            t0 = time.perf_counter()
            waiting[0] += 1

            def done(_hits) -> None:
                waiting[0] -= 1
                latencies.append((time.perf_counter() - t0) * 1000)

            q = QUERIES[i % len(QUERIES)]
            worker.run(lambda job: len(search_svc.search(job.ws, q)), done, progress=False)

        settle(app)
        beat = Heartbeat()
        beat.start()
        t_start = time.perf_counter()
        if mode == "single":
            worker.run(lambda job: sync.sync_now(job.ws, job.progress, job.cancel, retries=2), outcome.append,
                       outcome.append, progress=False)
        elif mode == "lanes":
            worker.run(lambda job: sync_round(job.on_store, job.progress, job.cancel, retries=2, short_steps=True), outcome.append,
                       outcome.append, progress=False, needs_store=False)
        i = 0
        next_at = t_start
        while True:
            now = time.perf_counter()
            finished = outcome if mode != "anchor" else ([True] if now - t_start > args.anchor_s else [])
            if finished and waiting[0] == 0:
                break
            if now >= next_at and not finished:
                ask(i)
                i += 1
                next_at += 0.1
            app.processEvents()
            time.sleep(0.001)
            if now - t_start > 900:
                raise TimeoutError(mode)
        round_s = time.perf_counter() - t_start
        stall = beat.stop()
        result = outcome[0] if outcome else None
        if isinstance(result, BaseException):
            raise result
        lat = sorted(latencies)
        return {
            "mode": mode, "searches": len(lat), "p50_ms": round(statistics.median(lat), 1),
            "p95_ms": round(lat[int(0.95 * (len(lat) - 1))], 1), "max_ms": round(lat[-1], 1),
            "longest_gui_stall_ms": round(stall, 1), "round_s": round(round_s, 1),
            "pushed": result.report.pushed if result is not None and result is not True else None,
            "pulled": result.report.pulled if result is not None and result is not True else None,
            "link_bytes": link.bytes,
        }
    finally:
        worker.shutdown()
        link.stop()
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--push", type=int, default=300, help="new records this laptop pushes")
    parser.add_argument("--pull", type=int, default=200, help="records another laptop sent, pulled here")
    parser.add_argument("--kbit", type=float, default=100.0, help="link bandwidth each way, kbit/s")
    parser.add_argument("--latency-ms", type=float, default=500.0, help="added to every byte each way")
    parser.add_argument("--anchor-s", type=float, default=10.0, help="how long the no-sync anchor searches")
    parser.add_argument("--modes", default="anchor,single,lanes")
    parser.add_argument("--quick", action="store_true", help="40 records each way, 3 s anchor")
    args = parser.parse_args(argv)
    if args.quick:
        args.push, args.pull, args.anchor_s = 40, 40, 3.0
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    rows = []
    with tempfile.TemporaryDirectory(prefix="fk-lane-") as tmp:
        for slot, mode in enumerate(args.modes.split(",")):
            rows.append(measure(mode, args, app, Path(tmp), slot))
            print(f"  {mode} done", file=sys.stderr)
    print(f"sync round: push {args.push}, pull {args.pull}, link {args.kbit:g} kbit/s, "
          f"+{args.latency_ms:g} ms each way; a search every 100 ms")
    print(f"{'mode':<8}{'searches':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'GUI stall ms':>14}{'round s':>9}")
    for r in rows:
        print(f"{r['mode']:<8}{r['searches']:>9}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['max_ms']:>9}"
              f"{r['longest_gui_stall_ms']:>14}{r['round_s']:>9}")
    by = {r["mode"]: r for r in rows}
    if "lanes" in by:
        lanes, anchor = by["lanes"], by.get("anchor", {})
        row(f"search during a sync round at {args.kbit:g} kbit/s +{args.latency_ms:g} ms: p95",
            f"{lanes['p95_ms']} ms (GUI stall {lanes['longest_gui_stall_ms']} ms)",
            f"no sync {anchor.get('p95_ms', '—')} ms", "< 150 ms", float(lanes["p95_ms"]) < 150)
    print(json.dumps({"push": args.push, "pull": args.pull, "kbit": args.kbit, "latency_ms": args.latency_ms,
                      "rows": rows}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
