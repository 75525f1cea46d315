"""Many devices syncing at once (bench.sync_bench's ``many`` part), driven from separate processes.

The server is what is measured, so the simulated devices must cost it as little CPU as
possible on a machine where they share the cores with it. Each device's push body (its
edits, built with `sync.merge` as a laptop builds them, then encoded and zstd-compressed like
`SyncClient` does) is made before the clock starts; during the run a device sends that body,
then pages through ``/v1/pull`` until ``more`` is false, reading only the cursor and the flag
from each page (the changes are counted, not parsed). That is the same sequence of requests, with the same bodies, that
`SyncClient.sync` sends for a replica holding these edits: the server does the same work. The
full client and replica (merge on arrival, protocol checks) are measured by the push/pull
and initial-sync parts and by tests/sync.

Runner processes (``--runners``, default 2) each drive their share of the devices, one thread
per device so all of them are in flight at once, as at a county's end-of-day sync (or, with
`spread`, arriving one after another over a window, each then syncing at once). They are
forked after the bodies are built and start together on an event; each reports, per device,
its time, error and the latency of every request (``requests``' ``elapsed``: sent to headers
received). A 429 from a busy server is waited for as its Retry-After asks (plus jitter) and
counted (`SyncClient` backs off on its own schedule instead). Each attempt's latency is a
request's, and the device's time ("device done") includes the waits, so a refusal can never
pass for speed.

Threading: `run` from the bench's main thread; the runners' threads touch only their own
device's session.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import random
import secrets
import statistics
import sys
import time
import uuid as uuidlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sync import merge as m
from sync.codec import decompress
from sync.protocol import PushBatch, batch_key, encode_body
from sync.server.storage import Storage


@dataclass
class Sim:
    """One simulated device: its token and its pre-built push body."""

    token: str
    body: bytes
    page_size: int = 500
    start: float = 0.0  # seconds after the start signal at which this device begins its round


@dataclass
class Outcome:
    seconds: float
    error: str | None
    latencies: list[float] = field(default_factory=list)
    pulled: int = 0
    refused: int = 0  # 429s (the server busy): waited for as Retry-After asks, then sent again


def build(storage: Storage, n_dev: int, edits: int, villages: int, resident: Any) -> list[Sim]:
    """Enroll ``n_dev`` devices (through the storage: not timed) and build their push bodies."""
    rng = random.Random(3)
    clock = 1_700_000_000_000
    sims = []
    for k in range(n_dev):
        village = f"v{10 + k % villages}"
        _, code = storage.create_enrollment(f"m{k}", [village])
        node = f"{0xd000 + k:016x}"
        token = secrets.token_urlsafe(32)
        storage.enroll(code, node, token)
        changes = tuple(
            m.edit(None, str(uuidlib.UUID(int=rng.getrandbits(128), version=4)), "residents", resident(rng, i),
                   f"{clock + i:012x}0000{node}", scope=f"{village}/g{i % 4}")
            for i in range(edits))
        sims.append(Sim(token, encode_body(PushBatch(batch_key(node, [k]), node, changes).to_json(), "zstd")))
    return sims


def _answered(out: Outcome, send: Any) -> Any:
    """`send()` until the server admits it: a 429 is waited for as its Retry-After asks (plus
    up to half again of jitter). Every attempt's latency is counted."""
    while True:
        r = send()
        out.latencies.append(r.elapsed.total_seconds())
        retry_after = r.headers.get("Retry-After", "")
        if r.status_code != 429 or not retry_after.isdigit():
            r.raise_for_status()
            return r
        out.refused += 1
        time.sleep(max(1, int(retry_after)) * (1 + random.random() / 2))


def spread(sims: list[Sim], seconds: float, seed: int = 7) -> None:
    """Devices arriving over ``seconds`` instead of all at the start signal: Poisson arrivals
    (exponential gaps, seeded) scaled so the last arrives at ``seconds``. A county's devices
    finish their day over minutes, not in one instant; 0 keeps the burst."""
    if seconds <= 0 or not sims:
        return
    rng = random.Random(seed)
    at, t = [], 0.0
    for _ in sims:
        t += rng.expovariate(1.0)
        at.append(t)
    for sim, a in zip(sims, at, strict=True):
        sim.start = a * seconds / at[-1]


def _one(base: str, sim: Sim, t_go: float) -> Outcome:
    import requests

    time.sleep(max(0.0, t_go + sim.start - time.perf_counter()))
    s = requests.Session()
    s.headers.update({"Authorization": f"Bearer {sim.token}", "Accept-Encoding": "zstd, gzip"})
    out = Outcome(0.0, None)
    t = time.perf_counter()
    try:
        _answered(out, lambda: s.post(base + "/v1/push", data=sim.body, timeout=(10, 120),
                                      headers={"Content-Type": "application/json", "Content-Encoding": "zstd"}))
        params: dict[str, Any] = {"limit": sim.page_size}
        while True:
            r = _answered(out, lambda: s.get(base + "/v1/pull", params=params, timeout=(10, 120)))
            raw = r.content
            if r.headers.get("Content-Encoding") == "zstd" and not raw.startswith(b"{"):
                raw = decompress(raw, "zstd")
            # The server writes the cursor and the flag after the changes: read just those,
            # and count the changes by their uuid keys, instead of parsing ~300 kB per page.
            tail = json.loads("{" + raw[raw.rindex(b'],"cursor":') + 2:].decode())
            out.pulled += raw.count(b'"uuid":')
            params["cursor"] = tail["cursor"]
            if not tail["more"]:
                break
    except Exception as exc:  # counted and reported: the bench must not stop on one device
        out.error = repr(exc)[:200]
    out.seconds = time.perf_counter() - t
    s.close()
    return out


def _runner(base: str, sims: list[Sim], go: Any, ready: Any, results: Any) -> None:
    import requests  # imported before the start signal: not part of the timed run

    del requests
    ready.release()
    go.wait()
    t_go = time.perf_counter()
    with ThreadPoolExecutor(len(sims)) as pool:
        outs = list(pool.map(lambda sim: _one(base, sim, t_go), sims))
    results.put(outs)


def run(base: str, sims: list[Sim], runners: int) -> tuple[float, list[Outcome]]:
    """Wall seconds from the start signal to the last device done, and every device's outcome."""
    ctx = mp.get_context("fork")
    go, ready, results = ctx.Event(), ctx.Semaphore(0), ctx.Queue()
    shares = [sims[i::runners] for i in range(runners)]
    procs = [ctx.Process(target=_runner, args=(base, share, go, ready, results)) for share in shares if share]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire()
    t = time.perf_counter()
    go.set()
    outs: list[Outcome] = []
    for _ in procs:
        outs += results.get()
    wall = time.perf_counter() - t
    for p in procs:
        p.join()
    return wall, outs


def summary(label: str, n_dev: int, edits: int, villages: int, sims: list[Sim], wall: float,
            outs: list[Outcome]) -> tuple:
    """One row of sync_bench's table; also returns p50/p99 in ms as the last two items."""
    errors = [o.error for o in outs if o.error]
    for e in errors[:3]:
        print("  error:", e, file=sys.stderr)
    lat = sorted(x for o in outs for x in o.latencies)
    p50 = statistics.median(lat or [0]) * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else 0
    sent = sum(len(s.body) for s in sims)
    pulled = sum(o.pulled for o in outs)
    # What a laptop's user waits for: its whole round (push, pages, and any "come back later").
    done = sorted(o.seconds for o in outs)
    done_p50, done_p99 = statistics.median(done or [0]), done[min(len(done) - 1, int(len(done) * 0.99))] if done else 0
    refused = sum(o.refused for o in outs)
    return (label, f"{n_dev} dev x {edits} edits, {villages} vill.", wall, n_dev * edits / wall,
            sent / (n_dev * edits),
            f"errors={len(errors)} requests={len(lat)} refused(429)={refused} pulled={pulled} "
            f"p50={p50:.0f}ms p99={p99:.0f}ms device done p50={done_p50:.1f}s p99={done_p99:.1f}s", p50, p99)
