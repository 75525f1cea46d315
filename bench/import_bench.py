"""Import bench: the province's residents list through the door, and the same list again.

    python -m bench.import_bench [--rows 100000] [--dir PATH]

Each phase runs in a fresh process on the same encrypted store, so its peak RSS is its own:

1. `fieldkit import residents` of `--rows` new people (CSV, UTF-8): matched by ID number, every
   row through `services.door` (form rules, one person per ID number, watch list, audit), written
   with the store's bulk path. Goal: ≥ 5,000 rows/s, peak RSS < 400 MB.
2. the same file again: every row matched by its ID number, nothing changed. Goal: 0 changes,
   ≥ 10,000 rows/s.
3. the anchor, on a second store: the same rows, already normalised, written by
   `store.records.create_many` alone (the store's write path without the door);
4. plain SQLite (the stdlib's sqlite3, no encryption, no index terms): the same rows as JSON in
   one transaction, the floor.

Prints rows/s, peak RSS and the WAL's peak size (sampled every 50 ms) per phase, with each
phase's cost as a multiple of plain SQLite.

"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PASSPHRASE = "bench-passphrase-1"
VILLAGES = [f"350924201{i:03d}" for i in range(1, 21)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉志文辉红梅金凤春燕海荣新林波斌宇浩凯鹏飞婷雪琳晨阳"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
FIELDS = ["name", "id_number", "sex", "birth_date", "ethnicity", "resident_type", "status", "village", "phone",
          "registered_date", "occupation", "hukou_address"]


def _id(birth: dt.date, seq: int, region: str) -> str:
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


def people(n: int, seed: int = 11):
    """`n` residents with distinct, valid ID numbers (as the household register would list them)."""
    rng = random.Random(seed)
    used: set[str] = set()
    regions = ("350924", "350921", "350902", "350981")
    while len(used) < n:
        male = rng.random() < 0.5
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 80))
        number = _id(birth, rng.randrange(0, 998, 2) + male, rng.choice(regions))
        if number in used:
            continue
        used.add(number)
        village = rng.choice(VILLAGES)
        yield {
            "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))),
            "id_number": number, "sex": "男" if male else "女", "birth_date": birth.isoformat(), "ethnicity": "汉族",
            "resident_type": "户籍人口", "status": "在册", "village": village,
            "phone": "1" + str(rng.choice((3, 5, 8))) + f"{rng.randrange(10**9):09d}",
            "registered_date": (dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(700))).isoformat(),
            "occupation": rng.choice(("务农", "外出务工", "个体经营", "教师", "学生", "退休")),
            "hukou_address": f"福建省宁德市寿宁县坑底乡{village[-3:]}村{rng.randrange(1, 300)}号",
        }


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _store(home: Path):
    from fieldkit.services import door
    from fieldkit.services import workspace as wsvc

    ws, _ = wsvc.create(home, "chief", PASSPHRASE, display_name="陈所长")
    for code in VILLAGES:
        door.save(ws, "villages", {"code": code, "name": f"{code[-3:]}村", "township": "坑底乡", "kind": "village"})
    return ws


def _plain(home: Path, csv_path: Path) -> dict:
    import sqlite3
    import uuid

    home.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(home / "plain.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE records (id INTEGER PRIMARY KEY, uuid TEXT UNIQUE, module TEXT, data TEXT)")
    with csv_path.open(encoding="utf-8") as fh:
        rows = [("residents", json.dumps(r, ensure_ascii=False)) for r in csv.DictReader(fh)]
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    for i in range(0, len(rows), 2000):
        conn.executemany("INSERT INTO records (uuid, module, data) VALUES (?, ?, ?)",
                         [(str(uuid.uuid4()), m, d) for m, d in rows[i:i + 2000]])
    conn.execute("COMMIT")
    seconds = time.perf_counter() - t0
    conn.close()
    return {"rows": len(rows), "seconds": seconds, "peak_mib": _peak_mib(), "changes": len(rows)}


def _wal_sampler(home: Path) -> tuple[threading.Event, dict]:
    peak = {"wal": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            for wal in (home / "fieldkit.db-wal", home / "plain.db-wal"):
                with contextlib.suppress(OSError):  # not there between transactions
                    peak["wal"] = max(peak["wal"], wal.stat().st_size)

    threading.Thread(target=sample, daemon=True).start()
    return done, peak


def phase(name: str, home: Path, csv_path: Path) -> dict:
    """One measured phase, in this (fresh) process, with the WAL's peak size."""
    done, peak = _wal_sampler(home)
    try:
        result = _phase(name, home, csv_path)
    finally:
        done.set()
    return {**result, "wal_mb": peak["wal"] / 2**20}


def _phase(name: str, home: Path, csv_path: Path) -> dict:
    from fieldkit.services import importer
    from fieldkit.services import workspace as wsvc

    if name == "plain":
        return _plain(home, csv_path)
    if name == "anchor":
        from fieldkit.formspec import index_terms, normalise_record
        from fieldkit.services.batch import gc_paused

        ws = _store(home)
        spec = ws.catalog["residents"]
        with csv_path.open(encoding="utf-8") as fh:
            rows = [normalise_record(spec, {**r, "ethnicity": "01", "resident_type": "registered",
                                            "status": "present"}) for r in csv.DictReader(fh)]
        items = [("residents", r, index_terms(spec, r)) for r in rows]
        t0 = time.perf_counter()
        with gc_paused(), ws.store.bulk_transaction():  # as the importer runs
            for i in range(0, len(items), 2000):
                ws.store.records.create_many(items[i : i + 2000])
        seconds = time.perf_counter() - t0
        ws.lock()
        return {"rows": len(items), "seconds": seconds, "peak_mib": _peak_mib(), "changes": len(items)}
    ws = wsvc.unlock(home, "chief", PASSPHRASE) if name == "again" else _store(home)
    t0 = time.perf_counter()
    report = importer.import_csv(ws, "residents", csv_path)
    seconds = time.perf_counter() - t0
    ws.lock()
    rows = report.created + report.updated + report.unchanged + report.refused
    return {"rows": rows, "seconds": seconds, "peak_mib": _peak_mib(), "changes": report.changed,
            "refused": report.refused}


def _child(name: str, home: Path, csv_path: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.import_bench", "--phase", name, "--home", str(home),
                          "--csv", str(csv_path)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, help="work directory (default: a temporary one, removed after)")
    ap.add_argument("--phase", choices=["import", "again", "anchor", "plain"], help=argparse.SUPPRESS)
    ap.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.home, args.csv)))
        return
    work = args.dir or Path(tempfile.mkdtemp(prefix="fk-import-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    csv_path = work / "residents.csv"
    try:
        with csv_path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=FIELDS)
            w.writeheader()
            w.writerows(people(args.rows))
        size = csv_path.stat().st_size / 1024 / 1024
        print(f"CSV of {args.rows:,} residents: {size:.1f} MB, encrypted store, one process per phase\n")
        results = {"import": _child("import", work / "store", csv_path),
                   "again": _child("again", work / "store", csv_path),
                   "anchor": _child("anchor", work / "anchor", csv_path),
                   "plain": _child("plain", work / "plain", csv_path)}
        anchor = results["plain"]["rows"] / results["plain"]["seconds"]
        print(f"{'phase':52} {'rows/s':>9} {'seconds':>8} {'peak MiB':>9} {'WAL MiB':>8} {'changes':>8} "
              f"{'vs plain':>9}   (load {os.getloadavg()[0]:.1f})")
        labels = {"import": "import 100% new rows through the door",
                  "again": "import the same file again (matched by ID number)",
                  "anchor": "anchor: store.records.create_many alone",
                  "plain": "plain SQLite: the rows as JSON, one transaction"}
        for key, r in results.items():
            rate = r["rows"] / r["seconds"]
            print(f"{labels[key]:52} {rate:9,.0f} {r['seconds']:8.2f} {r['peak_mib']:9.0f} {r['wal_mb']:8.1f} {r['changes']:8,}"
                  f" {anchor / rate:8.2f}×")
        print("\ngoals: import ≥ 5,000 rows/s with peak < 400 MiB; again: 0 changes at ≥ 10,000 rows/s")
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
