"""`fieldkit demo --people N`: wall time, peak RSS, and how large the WAL and journal grow.

    python -m bench.demo_bench                  # 20,000 people, bulk path beside the WAL path
    python -m bench.demo_bench --people 100000 --only bulk

Each run is its own process (so its VmHWM is its own) generating into a fresh store; a thread
samples the sizes of fieldkit.db-wal and fieldkit.db-journal every 50 ms. "bulk" is what ships
(`store.bulk_transaction`: one transaction on a rollback journal); the anchor "wal" is the same
demo in one ordinary WAL transaction, as before, in the same run; "plain" is the floor: the
bulk run's records (module, uuid, JSON of the data — invented people, in the bench's temporary
folder) inserted by the stdlib's sqlite3, unencrypted, without index terms, history or outbox.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PASS = "demo bench passphrase 7Q!x"


def _hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_plain(rows_file: Path, home: Path) -> dict:
    """The anchor: the bulk run's records written by plain SQLite in one transaction."""
    import sqlite3

    rows = [json.loads(line) for line in rows_file.read_text("utf-8").splitlines()]
    home.mkdir(parents=True)
    conn = sqlite3.connect(home / "plain.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE records (id INTEGER PRIMARY KEY, uuid TEXT UNIQUE, module TEXT, data TEXT)")
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    for i in range(0, len(rows), 2000):
        conn.executemany("INSERT INTO records (uuid, module, data) VALUES (?, ?, ?)", rows[i:i + 2000])
    conn.execute("COMMIT")
    seconds = time.perf_counter() - t0
    wal = (home / "plain.db-wal").stat().st_size if (home / "plain.db-wal").exists() else 0
    conn.close()
    return {"mode": "plain", "records": len(rows), "seconds": seconds, "peak_mb": _hwm_mb(),
            "wal_mb": wal / 2**20, "journal_mb": 0.0, "db_mb": (home / "plain.db").stat().st_size / 2**20}


def _dump_rows(ws, out: Path) -> None:
    with out.open("w", encoding="utf-8") as fh:
        for module in ws.store.records.modules():
            ids = ws.store.records.ids(module)
            for i in range(0, len(ids), 1000):
                for rec in ws.store.records.rows(ids[i:i + 1000], versions=False):
                    fh.write(json.dumps([rec.uuid, module, json.dumps(rec.data, ensure_ascii=False)],
                                        ensure_ascii=False) + "\n")


def run_one(mode: str, people: int, home: Path) -> dict:
    if mode == "plain":
        return run_plain(home.parent / "rows.jsonl", home.parent / "plain")
    from fieldkit.services import demo
    from fieldkit.services import workspace as wss

    ws, _ = wss.create(home, "chief", PASS, display_name="所长")
    if mode == "wal":  # the anchor: one ordinary transaction, the WAL takes everything
        ws.store.bulk_transaction = ws.store.transaction  # type: ignore[method-assign]
    peaks = {"wal": 0, "journal": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            for kind in peaks:
                with contextlib.suppress(OSError):  # not there between transactions
                    peaks[kind] = max(peaks[kind], (home / f"fieldkit.db-{kind}").stat().st_size)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    counts = demo.generate(ws, people=people)
    seconds = time.perf_counter() - t0
    done.set()
    sampler.join()
    if mode == "bulk":
        _dump_rows(ws, home.parent / "rows.jsonl")  # for the plain anchor, after the timing
    ws.lock()
    records = sum(counts["records"].values())
    size = sum(p.stat().st_size for p in home.iterdir() if p.name.startswith(("fieldkit.db", "restricted.db")))
    return {"mode": mode, "records": records, "seconds": seconds, "peak_mb": _hwm_mb(),
            "wal_mb": peaks["wal"] / 2**20, "journal_mb": peaks["journal"] / 2**20, "db_mb": size / 2**20}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--people", type=int, default=20_000)
    p.add_argument("--only", choices=["bulk", "wal"])
    p.add_argument("--no-plain", action="store_true", help="skip the plain-SQLite anchor")
    p.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one[0], args.people, Path(args.one[1]))))
        return
    print(f"{'path':<6} {'people':>8} {'records':>8} {'seconds':>8} {'rec/s':>7} {'peak RSS MB':>11} "
          f"{'WAL peak MB':>11} {'journal MB':>10} {'store MB':>8}   (load {os.getloadavg()[0]:.1f})")
    modes = [args.only] if args.only else ["bulk", "wal"]
    if "bulk" in modes and not args.no_plain:
        modes.insert(modes.index("bulk") + 1, "plain")
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as tmp:
        for mode in modes:
            home = Path(tmp) / f"home-{mode}"
            done = subprocess.run([sys.executable, "-m", "bench.demo_bench", "--people", str(args.people),
                                   "--one", mode, str(home)], capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(done.stderr)
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{mode:<6} {args.people:>8} {r['records']:>8} {r['seconds']:>8.1f} {r['records'] / r['seconds']:>7.0f} "
                  f"{r['peak_mb']:>11.0f} {r['wal_mb']:>11.1f} {r['journal_mb']:>10.1f} {r['db_mb']:>8.0f}",
                  flush=True)


if __name__ == "__main__":
    main()
