"""What one page decryption costs, by page size: SQLCipher 4 against plain SQLite, same rows.

    python -m bench.store_page_size [--rows 200000] [--cache-kib 4096] [--sizes 1024,2048,4096,8192,16384]

Not a `*_bench.py` (so `make bench` does not run it): it answers one design question of issue 17
item 2 — would a larger `cipher_page_size`/`page_size` make the encrypted store at a million
records cheaper? — and docs/search.md quotes its figures. Each page size builds an encrypted and a
plain database of `--rows` rows shaped like a record (uuid, ~600 bytes of JSON), far larger than
the page cache (`--cache-kib`), then times, in CPU time of this thread:
- bulk insert in batches of 10,000 (one transaction each, WAL);
- a point lookup by row id and by uuid (random rows: every leaf is a cache miss, as a search
  hit in a million-record store is);
- a full scan (every page decrypted once: the per-page cost).
The ratio column is encrypted / plain in the same run; the plain database is the anchor.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

import sqlcipher3

KEY = "x'" + "ab" * 32 + "'"  # a fixed raw key, as the store uses (no KDF inside SQLCipher)


def _connect(path: Path, encrypted: bool, page: int, cache_kib: int) -> sqlcipher3.Connection:
    c = sqlcipher3.connect(str(path), isolation_level=None)
    if encrypted:
        c.execute(f'PRAGMA key = "{KEY}"')
        c.execute("PRAGMA cipher_memory_security = OFF")  # as fieldkit/store/db.py
        c.execute(f"PRAGMA cipher_page_size = {page}")
    else:
        c.execute(f"PRAGMA page_size = {page}")
    c.execute("PRAGMA journal_mode = WAL").fetchone()
    c.execute(f"PRAGMA cache_size = -{cache_kib}")
    return c


def _rows(start: int, n: int, rng: random.Random) -> list[tuple[int, str, str]]:
    data = {"name": "张伟", "id_number": "350102199001011234", "address": "某村某号" * 10, "note": "y" * 300}
    return [(i, f"{rng.getrandbits(128):032x}", json.dumps({**data, "n": i}, ensure_ascii=False))
            for i in range(start, start + n)]


def _cpu_us(fn, items: list) -> float:
    t = time.thread_time()
    for x in items:
        fn(x)
    return (time.thread_time() - t) / len(items) * 1e6


def measure(folder: Path, encrypted: bool, page: int, rows: int, cache_kib: int) -> dict[str, float]:
    path = folder / f"{page}-{'enc' if encrypted else 'plain'}.db"
    c = _connect(path, encrypted, page, cache_kib)
    c.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, uuid TEXT UNIQUE, data TEXT)")
    rng = random.Random(1)
    t = time.thread_time()
    for start in range(0, rows, 10_000):
        c.execute("BEGIN")
        c.executemany("INSERT INTO r VALUES (?,?,?)", _rows(start, min(10_000, rows - start), rng))
        c.execute("COMMIT")
    insert_s = time.thread_time() - t
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    c.close()
    c = _connect(path, encrypted, page, cache_kib)  # a cold cache
    pick = random.Random(5)
    ids = [pick.randrange(rows) for _ in range(20_000)]
    by_id = _cpu_us(lambda i: c.execute("SELECT data FROM r WHERE id = ?", (i,)).fetchone(), ids)
    uuids = [c.execute("SELECT uuid FROM r WHERE id = ?", (i,)).fetchone()[0] for i in ids[:5_000]]
    by_uuid = _cpu_us(lambda u: c.execute("SELECT data FROM r WHERE uuid = ?", (u,)).fetchone(), uuids)
    pages = c.execute("PRAGMA page_count").fetchone()[0]
    c.close()
    c = _connect(path, encrypted, page, cache_kib)
    t = time.thread_time()
    c.execute("SELECT count(*), sum(length(data)) FROM r").fetchone()
    scan_us_per_page = (time.thread_time() - t) / pages * 1e6
    c.close()
    return {"insert_s": insert_s, "by_id_us": by_id, "by_uuid_us": by_uuid, "scan_us_page": scan_us_per_page,
            "mib": path.stat().st_size / 2**20}


def _cell(e: dict[str, float], p: dict[str, float], k: str) -> str:
    return f"{e[k]:.1f} / {p[k]:.1f} ({e[k] / p[k]:.2f}×)"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.store_page_size")
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--cache-kib", type=int, default=4096, help="page cache, far below the database size")
    ap.add_argument("--sizes", default="1024,2048,4096,8192,16384")
    ap.add_argument("--dir", type=Path, default=None)
    args = ap.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="fieldkit-pages-", dir=args.dir))
    print(f"{args.rows:,} rows, {args.cache_kib:,} KiB page cache; CPU time; ratio = encrypted / plain\n")
    print("| page | insert s (ratio) | lookup by id µs (ratio) | by uuid µs (ratio) | scan µs/page (ratio) | MiB |")
    print("|---|---|---|---|---|---|")
    try:
        for page in (int(s) for s in args.sizes.split(",")):
            e = measure(folder, True, page, args.rows, args.cache_kib)
            p = measure(folder, False, page, args.rows, args.cache_kib)
            cells = [_cell(e, p, k) for k in ("insert_s", "by_id_us", "by_uuid_us", "scan_us_page")]
            print(f"| {page} | {' | '.join(cells)} | {e['mib']:.0f} / {p['mib']:.0f} |", flush=True)
            for f in folder.iterdir():
                f.unlink()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
