"""A backup to a drive and its read-back (store.backup + store.verify_backup) on N records.

    python -m bench.backup_bench [--records 100000] [--photos 200] [--dir PATH] [--quick]

Builds the store (bench.store_bench's data, plus `--photos` 50 KB attachments), then times the
backup (page copy under the data key, zip) and the verification (zip CRCs, SQLite + SQLCipher
integrity checks of every page, record count, every attachment decrypted and hashed) — what
"开始备份" on the backup screen does, without the drive's own speed (the target is the same disk).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench.store_bench import PASS, records
from fieldkit.store import Store


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--photos", type=int, default=200)
    ap.add_argument("--dir", type=Path)
    ap.add_argument("--quick", action="store_true", help="10,000 records, 20 photos")
    a = ap.parse_args(argv)
    n, photos = (10_000, 20) if a.quick else (a.records, a.photos)
    root = Path(a.dir or tempfile.mkdtemp(prefix="backup-bench-"))
    store = Store.create(root / "home", user="bench", passphrase=PASS)[0]
    it = records(n, seed=11)
    done = 0
    while done < n:
        chunk = [next(it) for _ in range(min(10_000, n - done))]
        store.records.create_many(chunk)
        done += len(chunk)
    for i in range(photos):
        store.attachments.put(os.urandom(50_000) + i.to_bytes(4, "big"), kind="photo")
    mib = (root / "home" / "fieldkit.db").stat().st_size / 2**20
    print(f"{n:,} records, {photos} photos, fieldkit.db {mib:.0f} MiB")
    for run in (1, 2):  # twice: the machine is shared, the first run also warms the page cache
        dest = root / f"b{run}.fkbackup"
        t = time.perf_counter()
        store.backup(dest)
        backup_s = time.perf_counter() - t
        t = time.perf_counter()
        check = store.verify_backup(dest)
        verify_s = time.perf_counter() - t
        assert check["ok"] and check["records"] == n, check["problems"]
        size = dest.stat().st_size / 2**20
        print(f"run {run}: backup {backup_s:6.2f} s ({size:.0f} MiB, {size / backup_s:5.1f} MiB/s)  "
              f"read-back {verify_s:6.2f} s ({n / verify_s:9,.0f} rec/s)")
        dest.unlink()
    store.close()
    if not a.dir:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
