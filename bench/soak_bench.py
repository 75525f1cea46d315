"""Soak under attack: ``python -m bench.soak_bench [--devices 200] [--seconds 600] [--quick]``.

The reference server runs on loopback in its own process (``python -m sync.server serve
--plain``, SQLite, default limits). N simulated laptops (`sync.client.SyncClient` over
`sync.sqlite_replica.SQLiteReplica`), each enrolled with its own village, edit records, now and
then attach a photo, and sync in a loop with a few seconds between rounds. Two phases of
``--seconds`` each, on the same server:

* quiet — the honest devices alone: the anchor, measured in the same run;
* hostile — the same devices while a hostile client sends oversized bodies (600 MiB streamed
  to /v1/enroll, to /v1/push and as an attachment chunk; a declared 600 MiB push), floods
  (4 connections asking as fast as they are answered with a valid device token), and
  malformed requests (garbage, ``"protocol": true``, forged concurrent versions, versions in
  another device's name, NaN, deep nesting, bad tokens, bad enrolment codes).

The phases alternate in ``--slices`` slices each (quiet first), so the growth of the database
and of the laptops' replicas over the run weighs on both alike; each request is counted in the
slice its answer arrived in. A device makes new records until it holds 40, then edits those.

Printed: honest requests/s and p50/p99 latency per phase, the hostile requests by answer, the
server's RSS over time (from /proc), and the count of 5xx answers. Goals: hostile p99 within 2x
of quiet, RSS flat and under 300 MB, no 5xx. Loopback only; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid as uuidlib
from collections import Counter
from pathlib import Path

from sync.client import SyncClient, SyncError
from sync.server.storage import Storage
from sync.sqlite_replica import SQLiteReplica

from .sync_bench import resident

HUGE = 600 * 1024 * 1024
PIECE = 64 * 1024


def _port() -> int:
    for port in range(18200, 18300):  # the range kept for servers started by hand on this machine
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port in 18200-18299")


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# ------------------------------------------------------------------ honest devices (worker processes)
def _device_loop(dev: dict, url: str, until: float, out: dict, seed: int, think: tuple[float, float]) -> None:
    rng = random.Random(seed)
    cli = SyncClient(url, token=dev["token"], timeout=(10, 60))
    rep = SQLiteReplica(dev["db"], dev["node"])
    rep.db.execute("PRAGMA synchronous=OFF")  # the bench measures the server, not the laptop's disk
    lat: list[tuple[float, float, int]] = out["lat"]

    def hook(r, *_a, **_kw):
        lat.append((time.time(), r.elapsed.total_seconds(), r.status_code))

    cli.session.hooks["response"].append(hook)
    mine: list[str] = dev["records"]
    try:
        while time.time() < until:
            time.sleep(min(rng.uniform(*think), max(0.0, until - time.time())))
            if time.time() >= until:
                break
            for _ in range(rng.randint(1, 4)):
                if len(mine) >= 40 or (mine and rng.random() < 0.6):
                    rep.edit(rng.choice(mine), "residents", {"phone": f"139{rng.randint(0, 99999999):08d}"})
                else:
                    uid = str(uuidlib.UUID(int=rng.getrandbits(128), version=4))
                    rep.edit(uid, "residents", resident(rng, len(mine)), scope=dev["scope"])
                    mine.append(uid)
            if rng.random() < 0.05:
                uid = str(uuidlib.UUID(int=rng.getrandbits(128), version=4))
                photo = rng.randbytes(rng.randint(20_000, 120_000))
                sha = rep.add_attachment(photo, uid)
                rep.edit(uid, "id_applications", {"photo": f"sha256:{sha}"}, scope=dev["scope"])
            try:
                cli.sync(rep)
                out["syncs"].append(time.time())
            except SyncError as exc:
                out["errors"].append((time.time(), f"{type(exc).__name__}: {exc}"[:200]))
    finally:
        cli.close()
        rep.close()


def _worker(devs: list[dict], url: str, until: float, seed: int, think: tuple[float, float], conn) -> None:
    outs: list[dict] = [{"lat": [], "syncs": [], "errors": []} for _ in devs]
    threads = [threading.Thread(target=_device_loop, args=(d, url, until, o, seed * 1000 + i, think))
               for i, (d, o) in enumerate(zip(devs, outs, strict=True))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conn.send({"lat": [x for o in outs for x in o["lat"]], "syncs": [x for o in outs for x in o["syncs"]],
               "errors": [e for o in outs for e in o["errors"]]})
    conn.close()


# ------------------------------------------------------------------ the hostile client (its own process)
def _status_of(sock: socket.socket) -> int:
    """The status of the server's answer; 0 when it closed or said nothing within the socket's timeout."""
    data = b""
    while b"\r\n" not in data:
        try:
            part = sock.recv(4096)
        except OSError:  # a timeout while the server still reads the stream: counted as no answer
            return 0
        if not part:
            return 0
        data += part
    return int(data.split()[1])


def _stream(port: int, head: bytes, until: float) -> int:
    """Send ``head`` then up to 600 MiB in chunked pieces until the server answers; its status."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n")
        answer: list[int] = []
        reader = threading.Thread(target=lambda: answer.append(_status_of(s)), daemon=True)
        reader.start()
        chunk = b"%x\r\n%s\r\n" % (PIECE, b"x" * PIECE)
        sent = 0
        try:
            while not answer and sent < HUGE and time.time() < until:
                s.sendall(chunk)
                sent += PIECE
        except OSError:
            pass  # closed after the 413, as it should be
        reader.join(30)
        return answer[0] if answer else 0


def _hostile(url: str, port: int, token: str, node: str, until: float, conn) -> None:
    import requests

    counts: Counter[str] = Counter()
    lock = threading.Lock()

    def count(kind: str, status: int) -> None:
        with lock:
            counts[f"{kind} {status}"] += 1

    auth = f"Authorization: Bearer {token}\r\n".encode()

    def oversize() -> None:
        heads = [b"POST /v1/enroll HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n",
                 b"POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + auth,
                 b"PUT /v1/attachments/" + b"a" * 64 + b"?record=11111111-1111-4111-8111-111111111111"
                 b"&offset=0&total=5 HTTP/1.1\r\nHost: x\r\n" + auth]
        k = 0
        while time.time() < until:
            try:
                if k % 4 == 3:
                    r = requests.post(url + "/v1/push", headers={"Authorization": f"Bearer {token}",
                                      "Content-Length": str(HUGE)}, data=b"", timeout=30)
                    count("oversized", r.status_code)
                else:
                    count("oversized", _stream(port, heads[k % 4], until))
            except (OSError, requests.RequestException):
                count("oversized", 0)
            k += 1
            time.sleep(0.05)

    def flood() -> None:
        with requests.Session() as s:
            s.headers["Authorization"] = f"Bearer {token}"
            k = 0
            while time.time() < until:
                try:
                    path = "/v1/pull" if k % 2 else "/v1/hello"
                    count("flood", s.get(url + path, params={"limit": 500} if k % 2 else None, timeout=30).status_code)
                except requests.RequestException:
                    count("flood", 0)
                k += 1

    stamp = f"{int(time.time() * 1000):012x}0000"
    forged = {"protocol": 1, "batch": "forged0001", "device": node, "changes": [
        {"uuid": str(uuidlib.UUID(int=i + 1, version=4)), "module": "residents", "fields": {
            f"f{f}": [{"v": "x", "h": f"{stamp}{k:016x}"} for k in range(60)] for f in range(16)}}
        for i in range(40)]}
    bodies = [
        b"\x00\xffnot json at all",
        json.dumps({"protocol": True, "batch": "abcdefgh01", "device": node, "changes": []}).encode(),
        json.dumps(forged).encode(),
        json.dumps({"protocol": 1, "batch": "abcdefgh02", "device": node, "changes": [
            {"uuid": str(uuidlib.uuid4()), "module": "residents",
             "fields": {"x": [{"v": 1, "h": stamp + "00000000000000ff"}]}}]}).encode(),
        b'{"protocol": 1, "batch": "abcdefgh03", "device": "' + node.encode() + b'", "changes": [{"v": NaN}]}',
        b"[" * 100_000,
    ]

    def malformed() -> None:
        k = 0
        with requests.Session() as s:
            while time.time() < until:
                try:
                    if k % 4 == 0:
                        r = s.post(url + "/v1/enroll", json={"code": "AAAA-BBBB-CCCC-DDDD", "node": "0" * 16,
                                                             "token": "z" * 40}, timeout=30)
                    elif k % 4 == 1:
                        r = s.get(url + "/v1/pull", headers={"Authorization": f"Bearer guess-{k:030d}"}, timeout=30)
                    else:
                        r = s.post(url + "/v1/push", data=bodies[k % len(bodies)], timeout=30,
                                   headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                    count("malformed", r.status_code)
                except requests.RequestException:
                    count("malformed", 0)
                k += 1

    threads = [threading.Thread(target=f) for f in (oversize, malformed, flood, flood, flood, flood)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conn.send(dict(counts))
    conn.close()


# ------------------------------------------------------------------ orchestration
def _enroll_all(db: str, tmp: Path, n: int) -> tuple[list[dict], dict]:
    """Devices enrolled straight in the database (setup, not measured), one village each."""
    storage = Storage(db)
    devs = []
    for k in range(n + 1):
        _, code = storage.create_enrollment(f"dev{k}", [f"v{k}"])
        token, node = SyncClient.new_token(), f"{0x50000 + k:016x}"
        storage.enroll(code, node, token)
        devs.append({"token": token, "node": node, "scope": f"v{k}", "db": str(tmp / f"dev{k}.db"), "records": []})
    storage.close()
    return devs[:n], devs[n]


def _run(devs: list[dict], url: str, port: int, schedule: list[tuple[float, float, str]], attacker: dict,
         pid: int, per_worker: int, think: tuple[float, float], rss: list[tuple[float, float]]) -> dict:
    """Honest devices for the whole schedule; the hostile client during its hostile slices."""
    ctx = mp.get_context("spawn")
    until = schedule[-1][1]
    jobs = []
    for w, start in enumerate(range(0, len(devs), per_worker)):
        parent, child = ctx.Pipe(duplex=False)
        p = ctx.Process(target=_worker, args=(devs[start:start + per_worker], url, until, w, think, child))
        p.start()
        jobs.append((p, parent))
    attack: Counter[str] = Counter()
    for begin, end, kind in schedule:
        time.sleep(max(0.0, begin - time.time()))
        hostile_job = None
        if kind == "hostile":
            parent, child = ctx.Pipe(duplex=False)
            p = ctx.Process(target=_hostile, args=(url, port, attacker["token"], attacker["node"], end, child))
            p.start()
            hostile_job = (p, parent)
        while time.time() < end:
            rss.append((time.time(), _rss_mb(pid)))
            time.sleep(min(2.0, max(0.05, end - time.time())))
        if hostile_job is not None:
            attack.update(hostile_job[1].recv())
            hostile_job[0].join(120)
    results = []
    for p, parent in jobs:
        results.append(parent.recv())
        p.join(120)
    return {"lat": [x for r in results for x in r["lat"]], "syncs": [x for r in results for x in r["syncs"]],
            "errors": [e for r in results for e in r["errors"]], "attack": attack}


def _split(run: dict, schedule: list[tuple[float, float, str]], kind: str) -> dict:
    """The samples of one kind of slice: latencies sorted, answers counted, seconds covered."""
    spans = [(b, e) for b, e, k in schedule if k == kind]

    def inside(t: float) -> bool:
        return any(b <= t < e for b, e in spans)

    lat = sorted(x for t, x, _ in run["lat"] if inside(t))
    status = Counter(c for t, _, c in run["lat"] if inside(t))
    return {"lat": lat, "status": status, "syncs": sum(1 for t in run["syncs"] if inside(t)),
            "errors": [e for t, e in run["errors"] if inside(t)], "seconds": sum(e - b for b, e in spans)}


def _pct(lat: list[float], q: float) -> float:
    return lat[min(len(lat) - 1, int(len(lat) * q))] * 1000 if lat else 0.0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--devices", type=int, default=200)
    p.add_argument("--seconds", type=float, default=600, help="length of each phase")
    p.add_argument("--quick", action="store_true", help="20 devices x 20 s per phase (smoke run)")
    p.add_argument("--slices", type=int, default=5, help="quiet and hostile slices per phase, alternating")
    p.add_argument("--think", default="3-9", help="seconds between a device's syncs, uniform MIN-MAX")
    p.add_argument("--per-worker", type=int, default=25, help="devices per client process")
    args = p.parse_args(argv)
    if args.quick:
        args.devices, args.seconds, args.slices = min(args.devices, 20), min(args.seconds, 20), 1
    lo, _, hi = args.think.partition("-")
    think = (float(lo), float(hi or lo))
    tmp = Path(tempfile.mkdtemp(prefix="fk-soak-"))
    db = f"sqlite:///{tmp / 'server.db'}"
    devs, attacker = _enroll_all(db, tmp, args.devices)
    port = _port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "sync.server", "--data-dir", str(tmp), "--db", db, "serve",
                               "--plain", "--host", "127.0.0.1", "--port", str(port)], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.1)
        rss: list[tuple[float, float]] = [(time.time(), _rss_mb(server.pid))]
        print(f"soak: {args.devices} devices, {args.seconds:.0f} s per phase in {args.slices} slices, server pid "
              f"{server.pid} on {url}", file=sys.stderr, flush=True)
        t0 = time.time() + 5  # the client processes start in the first seconds
        width = args.seconds / args.slices
        schedule = [(t0 + i * width, t0 + (i + 1) * width, "quiet" if i % 2 == 0 else "hostile")
                    for i in range(2 * args.slices)]
        run = _run(devs, url, port, schedule, attacker, server.pid, args.per_worker, think, rss)
        rss.append((time.time(), _rss_mb(server.pid)))
    finally:
        server.terminate()
        try:
            _, err = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _, err = server.communicate()
        shutil.rmtree(tmp, ignore_errors=True)
    quiet, loud = _split(run, schedule, "quiet"), _split(run, schedule, "hostile")
    loud["attack"] = run["attack"]
    _report(args, quiet, loud, schedule, rss, err.decode(errors="replace"))
    return 0


def _report(args, quiet: dict, loud: dict, schedule: list[tuple[float, float, str]], rss: list[tuple[float, float]],
            server_err: str) -> None:
    print(f"\nsoak bench: {args.devices} honest devices syncing every {args.think} s, {args.seconds:.0f} s per "
          f"phase in {args.slices} alternating slices, server on SQLite, {os.cpu_count()} cores shared by server, "
          "devices and attacker")
    head = f"{'phase':<9}{'syncs':>7}{'requests':>10}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}  answers / errors"
    print(head)
    print("-" * len(head))
    for name, ph in (("quiet", quiet), ("hostile", loud)):
        lat = ph["lat"]
        answers = " ".join(f"{k}:{v}" for k, v in sorted(ph["status"].items()))
        print(f"{name:<9}{ph['syncs']:>7}{len(lat):>10}{len(lat) / ph['seconds']:>8.1f}{_pct(lat, 0.5):>9.1f}"
              f"{_pct(lat, 0.99):>9.1f}{(lat[-1] * 1000 if lat else 0):>9.1f}  {answers} / {len(ph['errors'])} failed syncs")
        for e in ph["errors"][:3]:
            print(f"           e.g. {e}")
    attack = Counter(loud["attack"])
    total = sum(attack.values())
    print(f"hostile client: {total} requests ({total / loud['seconds']:.1f}/s): "
          + ", ".join(f"{k}: {v}" for k, v in sorted(attack.items())))
    q99, h99 = _pct(quiet["lat"], 0.99), _pct(loud["lat"], 0.99)
    peak = max(mb for _, mb in rss)
    t0 = rss[0][0]
    step = max(1, len(rss) // 14)
    print("server RSS (MB) over time: " + "  ".join(f"{t - t0:.0f}s:{mb:.0f}" for t, mb in rss[::step])
          + f"  end:{rss[-1][1]:.0f}")
    for kind in ("quiet", "hostile"):
        got = [mb for t, mb in rss if any(b <= t < e for b, e, k in schedule if k == kind)]
        if got:
            print(f"  RSS in {kind} slices: {min(got):.0f}..{max(got):.0f} MB")
    five = sum(v for k, v in quiet["status"].items() if k >= 500) + sum(v for k, v in loud["status"].items() if k >= 500)
    five += sum(v for k, v in attack.items() if k.split()[-1].startswith("5"))
    tracebacks = server_err.count("Traceback")
    if tracebacks:
        last = server_err[server_err.rindex("Traceback"):].strip().splitlines()
        print("server's last traceback (tail):\n    " + "\n    ".join(last[-8:]))
    half = [mb for t, mb in rss if t >= (rss[0][0] + rss[-1][0]) / 2]
    print(f"RSS: start {rss[0][1]:.0f} MB, peak {peak:.0f} MB, end {rss[-1][1]:.0f} MB "
          f"(second half of the run {min(half):.0f}..{max(half):.0f} MB)")
    print(f"5xx answers: {five}; server tracebacks logged: {tracebacks}")
    ratio = h99 / q99 if q99 else float("inf")
    print(f"goals: p99 hostile/quiet = {ratio:.2f} (<= 2: {'met' if ratio <= 2 else 'MISSED'}); "
          f"RSS peak {peak:.0f} MB (< 300: {'met' if peak < 300 else 'MISSED'}); "
          f"5xx = {five} ({'met' if five == 0 else 'MISSED'})")


if __name__ == "__main__":
    sys.exit(main())
