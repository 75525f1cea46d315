"""Data-key rotation (store/rotation.py) on a store of N records, beside its anchor: a plain
`sqlcipher_export` of the same file in the same run.

    python -m bench.rotate_bench [--records 100000] [--photos 200] [--dir PATH]

Builds the store (bench.store_bench's data, plus `--photos` 50 KB attachments), then on separate
copies, each in its own child process: the anchor (ATTACH + sqlcipher_export + fsync, as in
bench.rekey_methods_bench) and `Store.rotate_data_key` (export + attachments + keyring + swap +
reopen + audit). Each child reports its own seconds (unlock excluded) and peak RSS (VmHWM).
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

from bench.rekey_methods_bench import _open, export_copy
from bench.store_bench import PASS, peak_mib, records
from fieldkit.store import Store


def rotate_child(home: Path) -> None:
    store = Store.open(home, user="bench", passphrase=PASS)
    t = time.perf_counter()
    detail = store.rotate_data_key(reason="bench")
    spent = time.perf_counter() - t
    store.close()
    assert detail["records"] > 0
    print(f"seconds {spent:.3f} peak {peak_mib():.1f}")


def anchor_child(path: Path, old: bytes) -> None:
    """ATTACH + sqlcipher_export + fsync, timed without the integrity check of the result that
    bench.rekey_methods_bench adds (the rotation does not run one either)."""
    conn = _open(path, old)
    t = time.perf_counter()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    export_copy(conn, path.with_name("new.db"), os.urandom(32))
    print(f"seconds {time.perf_counter() - t:.3f} peak {peak_mib():.1f}")


def run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    p = subprocess.run([sys.executable, "-m", "bench.rotate_bench", *args], env={**os.environ, **env},
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(p.stderr)
    out = p.stdout.split()
    return float(out[out.index("seconds") + 1]), float(out[out.index("peak") + 1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--photos", type=int, default=200)
    ap.add_argument("--dir", type=Path)
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        if a.child[0] == "rotate":
            rotate_child(Path(a.child[1]))
        else:
            anchor_child(Path(a.child[1]), bytes.fromhex(os.environ["ROTATE_OLD"]))
        return
    root = Path(a.dir or tempfile.mkdtemp(prefix="rotate-bench-"))
    home = root / "home"
    store = Store.create(home, user="bench", passphrase=PASS)[0]
    it = records(a.records, seed=11)
    done = 0
    while done < a.records:
        chunk = [next(it) for _ in range(min(10_000, a.records - done))]
        store.records.create_many(chunk)
        done += len(chunk)
    for i in range(a.photos):
        store.attachments.put(os.urandom(50_000) + i.to_bytes(4, "big"), kind="photo")
    old = store._data_key()
    store.close()
    mib = (home / "fieldkit.db").stat().st_size / 2**20
    print(f"{a.records:,} records, {a.photos} photos, fieldkit.db {mib:.0f} MiB")
    for label in ("anchor", "rotate", "anchor", "rotate"):  # interleaved: the machine is shared
        work = root / label
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(home, work)
        if label == "rotate":
            s, rss = run(["--child", "rotate", str(work)], {})
        else:
            s, rss = run(["--child", "export", str(work / "fieldkit.db")], {"ROTATE_OLD": old.hex()})
        what = "sqlcipher_export alone" if label == "anchor" else "rotate_data_key"
        print(f"{what:24s} {s:7.2f} s  {a.records / s:10,.0f} rec/s  peak RSS {rss:.0f} MiB")
        shutil.rmtree(work)
    if not a.dir:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
