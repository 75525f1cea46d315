"""What a sync round pays to find its attachment work, at 1k and 100k records.

Each store holds N synced records, one in 20 with a photo; every photo is already on the server
and here (a file each) except `--pending` waiting to go up and `--pending` missing (to come down) — a store
after months of use, where each round has a handful of files to move. Timed:

- now: the index of references (store/attachment_index.py) — `to_upload()` + `to_download()`;
- anchor, same run, same store: the old way — `states_with_refs("sha256:")` (a LIKE scan of every
  record's sync state), each state parsed and walked by sync.protocol, twice (uploads, downloads).

The goal (issue 17): the cost independent of store size. Stores use a cheap KDF (unlock is not
measured). Run: python -m bench.attachment_bench [--sizes 1000,100000] [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.table import row
from fieldkit.store import Store, crypto
from sync.protocol import Change, attachment_refs

HLC = "0001900000000000001a2b"
PASS = "correct horse battery staple 1"
PER_PHOTO = 20  # one record in 20 has a photo


def _state(uuid: str, values: dict) -> dict:
    return {"uuid": uuid, "module": "residents", "schema": 1001,
            "fields": {f: [{"v": v, "h": HLC}] for f, v in values.items()}}


def build(home: Path, n: int, pending: int) -> Store:
    store, _ = Store.create(home, user="chief", passphrase=PASS)
    photos = n // PER_PHOTO
    shas = [hashlib.sha256(f"photo {i}".encode()).hexdigest() for i in range(photos)]
    with store.bulk_transaction():
        recs = []
        for i in range(0, n, 5000):
            recs += store.records.create_many(
                ("residents", {"name": f"居民{j}", **({"photo": shas[j // PER_PHOTO]} if j % PER_PHOTO == 0 else {})}, None)
                for j in range(i, min(n, i + 5000)))
        with store._raw() as conn:  # the files already up: the server's marks; the outbox acknowledged
            conn.executemany("INSERT INTO sync_uploaded(sha256, at) VALUES (?, '2026-01-01T00:00:00Z')",
                             [(s,) for s in shas[2 * pending:]])
            conn.execute("DELETE FROM outbox")
        for r in recs:  # the states the server acknowledged, through the write path
            wire = {k: ("sha256:" + v if k == "photo" else v) for k, v in r.data.items()}
            store.sync.set_state(r.uuid, _state(r.uuid, wire))
    # Files here: all but the first `pending` (to come down); the next `pending` are not up yet.
    for i in range(pending, photos):
        store.attachments.put(f"photo {i}".encode(), kind="photo")
    return store


def old_lists(store: Store) -> tuple[int, int]:
    uploaded = store.sync.uploaded()
    up = down = 0
    for _uuid, raw in store.sync.states_with_refs("sha256:"):
        for sha in attachment_refs(Change.from_stored(raw)):
            up += sha not in uploaded and store.attachments.has(sha)
    for _uuid, raw in store.sync.states_with_refs("sha256:"):
        for sha in attachment_refs(Change.from_stored(raw)):
            down += not store.attachments.has(sha)
    return up, down


def new_lists(store: Store) -> tuple[int, int]:
    up = sum(store.attachments.has(s) for _u, s in store.sync.to_upload())
    down = sum(not store.attachments.has(s) for _u, s in store.sync.to_download())
    return up, down


def timed(fn: Callable[[], tuple[int, int]], repeat: int) -> tuple[float, tuple[int, int]]:
    times, out = [], (0, 0)
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,100000")
    ap.add_argument("--pending", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="a smoke run: 1,000 and 10,000 records")
    args = ap.parse_args()
    if args.quick:
        args.sizes = "1000,10000"
    crypto.DEFAULT_KDF = crypto.KdfParams(memory_kib=1024, iterations=1, lanes=1)
    figures: dict[int, tuple[float, float]] = {}
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            store = build(Path(tmp) / "home", n, args.pending)
            built = time.perf_counter() - t
            try:
                new_ms, new = timed(lambda s=store: new_lists(s), args.repeat)
                old_ms, old = timed(lambda s=store: old_lists(s), args.repeat)
            finally:
                store.close()
        assert new == old == (args.pending, args.pending), (new, old)  # the same work found both ways
        figures[n] = (new_ms, old_ms)
        print(f"{n:>7} records ({n // PER_PHOTO} photos, built in {built:.1f} s): index {new_ms:8.2f} ms,"
              f" LIKE scan {old_ms:8.1f} ms  ({old_ms / new_ms:.0f}×) — {new[0]} to upload, {new[1]} to download")
        print(json.dumps({"records": n, "index_ms": round(new_ms, 3), "like_scan_ms": round(old_ms, 2)}))
    small, big = min(figures), max(figures)
    (ns, os_), (nb, ob) = figures[small], figures[big]
    row("attachment sync: finding references",
        f"{nb:.2f} ms at {big:,} records ({ns:.2f} ms at {small:,})",
        f"LIKE scan {ob:.0f} ms at {big:,} ({os_:.1f} ms at {small:,})",
        "cost independent of store size", nb <= max(2 * ns, ns + 1.0))


if __name__ == "__main__":
    main()
