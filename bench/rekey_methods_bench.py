"""Re-encrypting fieldkit.db under a new data key: `PRAGMA rekey` in place vs `sqlcipher_export`
into a new file — the measurement the data-key rotation's design rests on (ROTATION_STATUS.md).

    python -m bench.rekey_methods_bench [--records 100000] [--dir PATH]

Builds one store of N generated records (bench.store_bench's data), checkpoints it, then on
separate copies of the same file, each in its own child process (so each peak RSS is its own:
the child's VmHWM; seconds include the child's start): (a) `PRAGMA rekey` (WAL checkpointed, journal_mode DELETE, as
rekey needs), (b) ATTACH a new file with the new key, `SELECT sqlcipher_export('new')`,
fsync. Prints seconds, records/s, MiB/s of database and peak RSS for each, and the file size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlcipher3

from bench.store_bench import PASS, peak_mib, records
from fieldkit import fsio
from fieldkit.store import Store


def _open(path: Path, key: bytes) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def export_copy(conn: sqlcipher3.Connection, dest: Path, key: bytes) -> Path:
    """The open database copied into `dest` under `key` (ATTACH + sqlcipher_export), closed and
    fsynced: the anchor both rekey benches measure against."""
    conn.execute(f"ATTACH DATABASE ? AS new KEY \"x'{key.hex()}'\"", (str(dest),))
    conn.execute("SELECT sqlcipher_export('new')").fetchone()
    conn.execute("DETACH DATABASE new")
    conn.close()
    fsio.fsync_path(dest)
    return dest


def child(method: str, path: Path, old: bytes, new: bytes) -> None:
    conn = _open(path, old)
    if method == "rekey":
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE").fetchone()
        conn.execute(f"PRAGMA rekey = \"x'{new.hex()}'\"")
        conn.close()
    else:
        path = export_copy(conn, path.with_name("new.db"), new)
    check = _open(path, new)
    assert check.execute("PRAGMA cipher_integrity_check").fetchall() == []
    check.close()
    print(f"peak {peak_mib():.1f}")  # VmHWM of this process alone (wait4's ru_maxrss counts the fork's copy)


def run_child(method: str, path: Path, old: bytes, new: bytes) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of one method in a child process."""
    env = {**os.environ, "REKEY_OLD": old.hex(), "REKEY_NEW": new.hex()}
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "bench.rekey_methods_bench", "--child", method, str(path)], env=env,
                       capture_output=True, text=True)
    spent = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit(f"{method} failed: {p.stderr}")
    return spent, float(p.stdout.split("peak ")[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--dir", type=Path)
    ap.add_argument("--child", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        child(a.child[0], Path(a.child[1]), bytes.fromhex(os.environ["REKEY_OLD"]),
              bytes.fromhex(os.environ["REKEY_NEW"]))
        return
    root = Path(a.dir or tempfile.mkdtemp(prefix="rekey-bench-"))
    home = root / "home"
    store = Store.create(home, user="bench", passphrase=PASS)[0]
    t = time.perf_counter()
    it = records(a.records, seed=11)
    done = 0
    while done < a.records:
        chunk = [next(it) for _ in range(min(10_000, a.records - done))]
        store.records.create_many(chunk)
        done += len(chunk)
    print(f"built {a.records:,} records in {time.perf_counter() - t:.1f} s")
    old = store._data_key()
    with store._raw() as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    src = home / "fieldkit.db"
    mib = src.stat().st_size / 2**20
    print(f"fieldkit.db {mib:.0f} MiB")
    new = os.urandom(32)
    for method in ("rekey", "export", "rekey", "export"):  # twice each, interleaved (shared machine)
        work = root / method
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        shutil.copyfile(src, work / "fieldkit.db")
        s, rss = run_child(method, work / "fieldkit.db", old, new)
        print(f"{method:7s} {s:7.2f} s  {a.records / s:10,.0f} rec/s  {mib / s:6.1f} MiB/s  peak RSS {rss:.0f} MiB")
        shutil.rmtree(work)
    if not a.dir:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
