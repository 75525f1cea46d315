"""Unlock with the rollback check (issue 11, item 4): how much does checking the audit chain's
head against the keyring anchor add to an unlock, and what would the full `audit verify` cost.

Builds a demo store (`--people`, default 10,000), appends `--audit` entries (default 100,000)
to its log, then unlocks it `--runs` times with the real Argon2id and prints: unlock median /
best (ms) for each role (a chief, an officer and a grid worker of the same store), beside its
anchor in the same run — Argon2id alone with the shipped parameters — then the head check alone
(ms, mean of 100) and the full chain verify (ms).

    python -m bench.unlock_check_bench [--people N] [--audit N] [--runs N] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fieldkit.services import demo
from fieldkit.services import workspace as wsvc
from fieldkit.store import Store, crypto
from fieldkit.store.audit import check_head
from fieldkit.store.keyring import Keyring
from fieldkit.store.lockout import _audit_key

PASS = "bench unlock passphrase 1"
ROLES = (("chief", "chief"), ("officer1", "officer"), ("grid1", "grid_worker"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--audit", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.people, a.audit, a.runs = 300, 2_000, 2
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "fk"
        ws, _ = wsvc.create(home, "chief", PASS)
        demo.generate(ws, seed=1, people=a.people)
        for login, role in ROLES[1:]:
            ws.store.add_user(login, role=role, passphrase=PASS)
        rows = [("2026-12-02T01:00:00Z", "chief", "view", "residents", f"u{i}", None) for i in range(a.audit)]
        ws.store.audit._append(rows)
        ws.store.audit._dirty = True
        ws.lock()
        unlocks: dict[str, list[float]] = {login: [] for login, _ in ROLES}
        kdf = []
        checks = []
        for _ in range(a.runs):
            t = time.perf_counter()
            crypto.passphrase_kek(PASS, b"0123456789abcdef", crypto.DEFAULT_KDF)
            kdf.append(time.perf_counter() - t)
            for login, _role in ROLES[1:]:
                t = time.perf_counter()
                Store.open(home, user=login, passphrase=PASS).close()
                unlocks[login].append(time.perf_counter() - t)
            t = time.perf_counter()
            s = Store.open(home, user="chief", passphrase=PASS)
            unlocks["chief"].append(time.perf_counter() - t)
            assert s.rollback is None
            anchor = Keyring.load(home).data["audit_anchor"]
            key = _audit_key(s._data_key(), s.store_id)
            t = time.perf_counter()
            for _ in range(100):
                check_head(s._db, key, anchor)
            checks.append((time.perf_counter() - t) / 100)
            s.close()
        s = Store.open(home, user="chief", passphrase=PASS)
        t = time.perf_counter()
        report = s.audit.verify()
        full = time.perf_counter() - t
        records = s.records.count("residents")
        s.close()
    print(f"residents {records}, audit entries {report.count}")
    print(f"{'':14}{'median ms':>10}{'best ms':>9}   (over {a.runs} runs; goal <= 400 ms, KDF included)")
    print(f"{'Argon2id alone':14}{statistics.median(kdf) * 1000:10.0f}{min(kdf) * 1000:9.0f}   <- anchor")
    for login, role in ROLES:
        times = unlocks[login]
        print(f"{role:14}{statistics.median(times) * 1000:10.0f}{min(times) * 1000:9.0f}   "
              f"x{statistics.median(times) / statistics.median(kdf):.2f} of the anchor")
    print(f"head check alone {statistics.mean(checks) * 1000:.3f} ms; full audit verify {full * 1000:.0f} ms")


if __name__ == "__main__":
    main()
