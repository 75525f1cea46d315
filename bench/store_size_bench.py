"""Bytes on disk per record (issue 17): a demo township's store, by table and index.

    python -m bench.store_size_bench [--records 20000] [--quick] [--keep DIR]

Builds an encrypted store with `fieldkit demo` sized to about N records (the demo writes ~1.66
records per resident), every record still pending in the outbox (as on a laptop before its first
sync — the state issue 17 measured), locks it and prints the store files' bytes per record. The
breakdown by table and index comes from a plaintext copy of the same databases
(`sqlcipher_export`, into the bench's temporary folder) read with the stdlib's `dbstat`, which
SQLCipher is built without; the copy is compact like a VACUUM, so its total is printed beside
the store's own. Column bytes (data, versions, terms JSON, outbox fields) are summed separately.
The anchor, in the same run: the same records' data JSON as plain SQLite rows (uuid, module,
data; one table, no index).
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from bench.table import row

PASS = "store size bench passphrase 7Q!x"
RECORDS_PER_PERSON = 166_350 / 100_000  # measured on `demo --people 100000` (issue 17)
GOAL = 2048
# (table, column) pairs whose value bytes are summed: where the records row's bytes go.
COLUMNS = (("records", "data"), ("records", "versions"), ("records", "terms"), ("records", "sync"),
           ("outbox", "fields"), ("history", "old"), ("history", "new"))


def build(home: Path, people: int) -> tuple[Any, int]:
    from fieldkit.services import demo
    from fieldkit.services import workspace as wss

    ws, _ = wss.create(home, "chief", PASS, display_name="所长")
    counts = demo.generate(ws, people=people)
    return ws, sum(counts["records"].values())


def export_plain(ws: Any, out: Path) -> list[Path]:
    """Plaintext copies of the main and (if attached) restricted databases, for `dbstat`."""
    db = ws.store._db
    schemas = [r[1] for r in db.execute("PRAGMA database_list")]
    copies = []
    for schema in ("main", "restricted"):
        if schema not in schemas:
            continue
        path = out / f"plain-{schema}.db"
        db.execute("ATTACH DATABASE ? AS plaincopy KEY ''", (str(path),))
        db.execute(f"SELECT sqlcipher_export('plaincopy', '{schema}')")
        db.execute("DETACH DATABASE plaincopy")
        copies.append(path)
    return copies


def breakdown(copies: list[Path]) -> tuple[dict[str, int], dict[tuple[str, str], int], int]:
    """Bytes per B-tree (table or index) and value bytes per column, over every copy."""
    trees: dict[str, int] = {}
    cols: dict[tuple[str, str], int] = {}
    total = 0
    for path in copies:
        c = sqlite3.connect(path)
        total += path.stat().st_size
        for name, size in c.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            trees[name] = trees.get(name, 0) + size
        have = {(t, r[1]) for t in {t for t, _ in COLUMNS} for r in c.execute(f"PRAGMA table_info({t})")}
        for table, col in COLUMNS:
            if (table, col) in have:
                n = c.execute(f"SELECT coalesce(sum(length(CAST({col} AS BLOB))), 0) FROM {table}").fetchone()[0]
                cols[(table, col)] = cols.get((table, col), 0) + n
        c.close()
    return trees, cols, total


def anchor(ws: Any, path: Path) -> int:
    """The same records' data JSON as plain SQLite rows: one table, no index."""
    from fieldkit.store.ctx import dumps

    c = sqlite3.connect(path, isolation_level=None)
    c.execute("CREATE TABLE records (id INTEGER PRIMARY KEY, uuid TEXT, module TEXT, data TEXT)")
    c.execute("BEGIN")
    recs = ws.store.records
    for module in recs.modules():
        ids = recs.ids(module)
        for i in range(0, len(ids), 1000):
            c.executemany("INSERT INTO records(uuid, module, data) VALUES (?,?,?)",
                          [(r.uuid, module, dumps(r.data)) for r in recs.rows(ids[i:i + 1000], versions=False)])
    c.execute("COMMIT")
    c.close()
    return path.stat().st_size


def store_bytes(home: Path) -> int:
    return sum(p.stat().st_size for p in home.iterdir() if p.name.startswith(("fieldkit.db", "restricted.db")))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--records", type=int, default=20_000)
    p.add_argument("--quick", action="store_true", help="about 3,000 records")
    p.add_argument("--keep", type=Path, help="build the store here and keep it (an empty folder)")
    args = p.parse_args(argv)
    wanted = 3_000 if args.quick else args.records
    people = max(50, round(wanted / RECORDS_PER_PERSON))
    with tempfile.TemporaryDirectory(prefix="size-bench-") as tmp:
        work = Path(tmp)
        home = args.keep or work / "home"
        ws, n = build(home, people)
        pending = ws.store.outbox.count()
        plain_bytes = anchor(ws, work / "anchor.db")
        copies = export_plain(ws, work)
        ws.lock()
        on_disk = store_bytes(home)
        trees, cols, copy_total = breakdown(copies)
    per = on_disk / n
    print(f"demo --people {people}: {n} records, {pending} pending in the outbox")
    print(f"{'store files (encrypted, as left by the demo)':<48} {on_disk / 2**20:>9.1f} MB {per:>8.0f} B/record")
    print(f"{'plaintext copy (compact, dbstat below)':<48} {copy_total / 2**20:>9.1f} MB {copy_total / n:>8.0f} B/record")
    print(f"{'anchor: data JSON as plain SQLite rows':<48} {plain_bytes / 2**20:>9.1f} MB {plain_bytes / n:>8.0f} B/record")
    print("\nby B-tree (table or index), plaintext copy:")
    for name, size in sorted(trees.items(), key=lambda kv: -kv[1]):
        if size / n >= 5:  # one page of a small table is noise here
            print(f"  {name:<44} {size / 2**20:>9.1f} MB {size / n:>8.0f} B/record")
    print("\nvalue bytes by column:")
    for (table, col), size in cols.items():
        print(f"  {table + '.' + col:<44} {size / 2**20:>9.1f} MB {size / n:>8.0f} B/record")
    row("bytes on disk per record", f"{per:,.0f} B ({n:,} demo records)", f"{plain_bytes / n:,.0f} B (data JSON, plain SQLite)",
        "≤ 2 KB", per <= GOAL)


if __name__ == "__main__":
    main()
