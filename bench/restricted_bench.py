"""The restricted partition's cost: the same queries in an officer's session (``restricted.db``
attached, the facades of store/routed.py asking both databases and merging) and in a grid
worker's session of the same store (``fieldkit.db`` only), side by side, with their ratio.

Builds one demo store (`--people`, default 100,000; the demo township also makes key persons,
cases, appointments and ID applications, which live in ``restricted.db``), adds an officer and
a grid worker, and measures over the residents module only (both sessions see the same hits):

- lookup by uuid (`store.records.get`) of residents: p50 / p99 in µs over 2,000 random uuids
  (and of an unknown uuid, which the officer's facade asks both databases for);
- exact name search (`store.search.exact("name", NAME)`): p50 / p95 in ms;
- 2-character name search (`store.search.exact("bi", XY)`) and one-character prefix search
  (`store.search.prefix("name", X)`): p95 in ms;
- unlock (`Store.open(...).close()`) with the real Argon2id parameters: median of 3, for an
  officer, a chief (both attach the restricted database) and a grid worker;

and, as the anchor in the same run, the same lookup and exact search as raw SQL through a bare
sqlcipher3 connection on the main database, so the facade's own cost shows.

    python -m bench.restricted_bench [--people N] [--quick]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid as uuidlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sqlcipher3

from fieldkit.services import demo
from fieldkit.services import workspace as wsvc
from fieldkit.store import Store
from fieldkit.store.db import DEFAULT_CACHE_KIB
from fieldkit.store.store import DB_NAME

PASS = "bench restricted passphrase 1"
ROLES = (("chief", "chief"), ("officer1", "officer"), ("grid1", "grid_worker"))
RESTRICTED = ("key_persons", "cases", "appointments", "id_applications")
_COLS = "id, uuid, module, data, versions, created_at, created_by, updated_at, updated_by, deleted, village, grid, date"
_TOP = "\U0010ffff"


def pct(xs: Sequence[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def timed(fn: Callable[[Any], Any], args: Sequence[Any]) -> list[float]:
    for a in args:  # warm the page cache with the same keys first
        fn(a)
    out = []
    for a in args:
        t = time.perf_counter()
        fn(a)
        out.append(time.perf_counter() - t)
    return out


def measure(get: Callable[[str], Any], exact: Callable[[str, str], Any], prefix: Callable[[str, str], Any] | None,
            uuids: list[str], names: list[str], bis: list[str], firsts: list[str]) -> dict[str, list[float]]:
    missing = [str(uuidlib.UUID(int=random.Random(i).getrandbits(128))) for i in range(len(uuids) // 4 or 1)]
    m = {"get": timed(get, uuids), "get_missing": timed(get, missing),
         "name": timed(lambda n: exact("name", n), names), "bi": timed(lambda b: exact("bi", b), bis)}
    if prefix is not None:
        m["prefix"] = timed(lambda f: prefix("name", f), firsts)
    return m


def raw_connect(path: Path, key: bytes | None) -> Any:
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    if key is not None:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("PRAGMA cipher_memory_security = OFF")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.execute(f"PRAGMA cache_size = -{DEFAULT_CACHE_KIB}")
    return conn


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--lookups", type=int, default=2_000)
    ap.add_argument("--searches", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.people, a.lookups, a.searches = 300, 300, 100
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "fk"
        t0 = time.perf_counter()
        ws, _ = wsvc.create(home, "chief", PASS)
        demo.generate(ws, seed=1, people=a.people)
        for login, role in ROLES[1:]:
            ws.store.add_user(login, role=role, passphrase=PASS)
        ws.lock()
        build = time.perf_counter() - t0

        # The samples, read from the chief's session (residents only).
        s = Store.open(home, user="chief", passphrase=PASS)
        key = s._data_key() if s.encrypted else None
        with s._raw() as c:
            res_uuids = [u for (u,) in c.execute("SELECT uuid FROM main.records WHERE module = 'residents'"
                                                 " AND deleted = 0")]
            res_names = [k for (k,) in c.execute("SELECT DISTINCT t.key FROM main.terms t WHERE t.kind = 'name'"
                                                 " AND t.module = 'residents'")]
            res_bis = [k for (k,) in c.execute("SELECT DISTINCT t.key FROM main.terms t WHERE t.kind = 'bi'"
                                               " AND t.module = 'residents'")]
            r_names = {k for (k,) in c.execute("SELECT key FROM restricted.terms WHERE kind = 'name'")} \
                if s.holds_restricted else set()
        s.close()
        uuids = [rng.choice(res_uuids) for _ in range(a.lookups)]
        names = [rng.choice(res_names) for _ in range(a.searches)]
        bis = [rng.choice(res_bis) for _ in range(a.searches)]
        firsts = sorted({n[0] for n in res_names})
        firsts = [rng.choice(firsts) for _ in range(a.searches)]

        results: dict[str, dict[str, list[float]]] = {}
        counts: dict[str, dict[str, int]] = {}
        sample = next((n for n in names if n not in r_names), names[0])
        hits: dict[str, int] = {}
        for login, role in ROLES[1:]:
            s = Store.open(home, user=login, passphrase=PASS)
            assert s.holds_restricted == (role != "grid_worker"), (role, s.holds_restricted)
            counts[role] = {"residents": s.records.count("residents")}
            if s.holds_restricted:
                counts[role].update({m: s.records.count(m) for m in RESTRICTED})
            hits[role] = len(s.search.exact("name", sample))
            results[role] = measure(s.records.get, s.search.exact, s.search.prefix, uuids, names, bis, firsts)
            s.close()
        assert hits["officer"] == hits["grid_worker"], hits
        assert sum(counts["officer"][m] for m in RESTRICTED) > 0, counts

        # The anchor: bare sqlcipher3 on fieldkit.db, the SQL of records.get / search.exact.
        conn = raw_connect(home / DB_NAME, key)
        q_get = f"SELECT {_COLS} FROM records WHERE uuid = ?"
        q_exact = ("SELECT t.rid, r.uuid, t.module, t.kind, t.key FROM terms t JOIN records r ON r.id = t.rid"
                   " WHERE t.kind = ? AND t.key = ? AND r.deleted = 0 ORDER BY t.module, t.rid LIMIT 50")
        q_prefix = ("SELECT t.rid, r.uuid, t.module, t.kind, t.key FROM terms t JOIN records r ON r.id = t.rid"
                    " WHERE t.kind = ? AND t.key >= ? AND t.key < ? AND r.deleted = 0"
                    " ORDER BY t.key, t.module, t.rid LIMIT 50")
        results["raw"] = measure(lambda u: conn.execute(q_get, (u,)).fetchone(),
                                 lambda k, v: conn.execute(q_exact, (k, v)).fetchall(),
                                 lambda k, v: conn.execute(q_prefix, (k, v, v + _TOP)).fetchall(),
                                 uuids, names, bis, firsts)
        hits["raw"] = len(conn.execute(q_exact, ("name", sample)).fetchall())
        conn.close()

        unlocks: dict[str, list[float]] = {role: [] for _, role in ROLES}
        for login, _role in ROLES:  # once untimed: a first unlock may re-wrap or settle files
            Store.open(home, user=login, passphrase=PASS).close()
        for _ in range(a.runs):
            for login, role in ROLES:
                t = time.perf_counter()
                Store.open(home, user=login, passphrase=PASS).close()
                unlocks[role].append(time.perf_counter() - t)

    o, g, r = results["officer"], results["grid_worker"], results["raw"]
    print(f"demo store: {a.people} people, built in {build:.0f} s")
    print("records  officer session: " + ", ".join(f"{m} {n}" for m, n in counts["officer"].items()))
    print("records  grid session:    " + ", ".join(f"{m} {n}" for m, n in counts["grid_worker"].items()))
    print(f"hits for name {sample!r}: officer {hits['officer']}, grid {hits['grid_worker']}, raw {hits['raw']}; "
          f"{sum(n in r_names for n in names)} of {len(names)} sampled names also in restricted.db")
    print()
    rows = (("get by uuid p50", "get", 50, 1e6, "us"), ("get by uuid p99", "get", 99, 1e6, "us"),
            ("get unknown uuid p50", "get_missing", 50, 1e6, "us"),
            ("exact name p50", "name", 50, 1e3, "ms"), ("exact name p95", "name", 95, 1e3, "ms"),
            ("exact bi p95", "bi", 95, 1e3, "ms"), ("prefix name p95", "prefix", 95, 1e3, "ms"))
    print(f"{'query':24}{'unit':>5}{'officer':>10}{'grid':>10}{'off/grid':>10}{'raw SQL':>10}{'grid/raw':>10}")
    for label, k, p, scale, unit in rows:
        ov, gv, rv = pct(o[k], p) * scale, pct(g[k], p) * scale, pct(r[k], p) * scale
        print(f"{label:24}{unit:>5}{ov:10.3f}{gv:10.3f}{ov / gv:10.2f}{rv:10.3f}{gv / rv:10.2f}")
    print()
    print(f"(lookups over {len(uuids)} random residents, {len(o['get_missing'])} unknown uuids; "
          f"searches over {len(names)} samples each; page cache warmed with the same keys first)")
    print()
    print(f"{'unlock (real Argon2id)':24}{'median ms':>10}{'best ms':>9}   (over {a.runs} runs)")
    gmed = statistics.median(unlocks["grid_worker"])
    for _login, role in ROLES:
        ts = unlocks[role]
        print(f"{role:24}{statistics.median(ts) * 1000:10.0f}{min(ts) * 1000:9.0f}   "
              f"x{statistics.median(ts) / gmed:.2f} of grid_worker")


if __name__ == "__main__":
    main()
