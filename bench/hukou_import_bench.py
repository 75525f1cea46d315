"""Household-registration (户籍) import bench: the province's extract compared and taken in.

    python -m bench.hukou_import_bench [--rows 100000] [--dir PATH]

Each phase runs in a fresh process on an encrypted store, so its peak RSS is its own:

1. ``first``: `services.hukou_import.compare` then `apply(..., "all")` of `--rows` people nobody
   here has (the first extract a station takes in). Goal: 100,000 rows in under a minute.
2. ``again``: the same extract: compare finds every person unchanged; apply writes nothing.
3. ``changed``: next month's extract with one household in ten at a new 户籍地址: compare, apply.
4. anchors: ``import`` — `fieldkit import residents` of the same people (`bench.import_bench`'s
   CSV, the importer's existing path through the door), and ``csv`` — plain `csv.reader` over
   the extract (the floor: reading the file and nothing else).

Prints rows/s, seconds and peak RSS per phase, and the cost as a multiple of the importer.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.import_bench import FIELDS, PASSPHRASE, _peak_mib, _store, people

HEADER = ["户号", "姓名", "公民身份号码", "与户主关系", "户籍地址", "性别", "民族", "出生日期", "村居代码"]
RELATIONS = ("户主", "妻", "长子", "长女", "次子", "母亲")


def write_extract(path: Path, rows: int, *, moved_every: int = 0) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i, p in enumerate(people(rows)):
            household = f"{p['village'][-6:]}{i // 4:06d}"
            address = p["hukou_address"] + ("（迁）" if moved_every and (i // 4) % moved_every == 0 else "")
            w.writerow([household, p["name"], p["id_number"], RELATIONS[i % 4], address, p["sex"],
                        "汉", p["birth_date"].replace("-", ""), p["village"]])


def phase(name: str, home: Path, path: Path) -> dict:
    """One measured phase, in this (fresh) process."""
    from fieldkit.services import hukou_import, importer
    from fieldkit.services import workspace as wsvc

    if name == "csv":
        t0 = time.perf_counter()
        with path.open(encoding="utf-8", newline="") as fh:
            n = sum(1 for _ in csv.reader(fh)) - 1
        return {"rows": n, "seconds": time.perf_counter() - t0, "peak_mib": _peak_mib(), "changes": 0}
    ws = _store(home) if name in ("first", "import") else wsvc.unlock(home, "chief", PASSPHRASE)
    t0 = time.perf_counter()
    if name == "import":
        report = importer.import_csv(ws, "residents", path)
        rows, changes = report.created + report.updated + report.unchanged + report.refused, report.changed
    else:
        diff = hukou_import.compare(ws, path)
        t1 = time.perf_counter()
        result = hukou_import.apply(ws, diff, "all")
        rows, changes = sum(diff.counts().values()) - diff.counts()["missing"], result.created + result.updated
        print(f"{name}: compare {t1 - t0:.1f} s, apply {time.perf_counter() - t1:.1f} s, {diff.counts()}",
              file=sys.stderr)
    seconds = time.perf_counter() - t0
    ws.lock()
    return {"rows": rows, "seconds": seconds, "peak_mib": _peak_mib(), "changes": changes}


def _child(name: str, home: Path, path: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.hukou_import_bench", "--phase", name, "--home", str(home),
                          "--file", str(path)], check=True, capture_output=True, text=True)
    sys.stderr.write(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, help="work directory (default: a temporary one, removed after)")
    ap.add_argument("--phase", choices=["first", "again", "changed", "import", "csv"], help=argparse.SUPPRESS)
    ap.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.home, args.file)))
        return
    work = args.dir or Path(tempfile.mkdtemp(prefix="fk-hukou-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        first, moved, plain = work / "hukou.csv", work / "hukou-next.csv", work / "residents.csv"
        write_extract(first, args.rows)
        write_extract(moved, args.rows, moved_every=10)
        with plain.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=FIELDS)
            w.writeheader()
            w.writerows(people(args.rows))
        print(f"extract of {args.rows:,} people: {first.stat().st_size / 2**20:.1f} MB CSV, encrypted store, "
              "one process per phase\n")
        results = {"first": _child("first", work / "store", first),
                   "again": _child("again", work / "store", first),
                   "changed": _child("changed", work / "store", moved),
                   "import": _child("import", work / "anchor", plain),
                   "csv": _child("csv", work / "none", first)}
        anchor = results["import"]["rows"] / results["import"]["seconds"]
        labels = {"first": "first extract: compare + accept all (all new)",
                  "again": "the same extract again (nothing to change)",
                  "changed": "next extract, 1 household in 10 moved",
                  "import": "anchor: fieldkit import residents (same people)",
                  "csv": "anchor: csv.reader over the extract"}
        print(f"\n{'phase':50} {'rows/s':>9} {'seconds':>8} {'peak MiB':>9} {'changes':>8} {'vs import':>9}")
        for key, r in results.items():
            rate = r["rows"] / r["seconds"]
            print(f"{labels[key]:50} {rate:9,.0f} {r['seconds']:8.2f} {r['peak_mib']:9.0f} {r['changes']:8,}"
                  f" {anchor / rate:8.2f}×")
        print("\ngoal: 100,000 rows in under a minute (≥ 1,667 rows/s) for the first extract")
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
