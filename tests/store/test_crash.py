"""Crash safety: a writer SIGKILLed at random points 50 times loses no acknowledged write.

The writer (crash_writer.py) prints ``ack N`` only after COMMIT of write N returned. After each
kill we reopen the store and check that every acknowledged write and its follow-up update are
there and that SQLite's and SQLCipher's integrity checks and the audit chain all pass.
(SIGKILL tests process crashes; synchronous=FULL additionally covers power loss, which a test
cannot simulate without a VM.)
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fieldkit.store import Store

from .conftest import PASS

ROOT = Path(__file__).resolve().parents[2]
KILLS = 50


def _run_and_kill(home: Path, first: int, rng: random.Random) -> list[int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.store.crash_writer", str(home), str(first)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        raise AssertionError(f"writer failed to start: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    time.sleep(rng.uniform(0.0, 0.25))  # a random point in the write loop
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    return [int(x.split()[1]) for x in out.splitlines() if x.startswith("ack ")]


@pytest.mark.slow
def test_sigkill_at_random_points_never_loses_an_acknowledged_write(home: Path) -> None:
    rng = random.Random(20261123)
    Store.create(home, user="chief", passphrase=PASS)[0].close()
    acked: list[int] = []
    next_n = 1
    for kill in range(KILLS):
        acks = _run_and_kill(home, next_n, rng)
        acked += acks
        store = Store.open(home, user="chief", passphrase=PASS)
        try:
            assert store.integrity_check() == [], f"after kill {kill}"
            report = store.audit.verify()
            assert report.ok, f"after kill {kill}: {report}"
            if acked:
                found = store.records.get_many([f"w-{n}" for n in acked])
                assert [r.data["n"] for r in found] == acked, f"after kill {kill}: acknowledged write lost"
                # The follow-up update of each acknowledged write committed with the next one.
                assert all(r.data.get("next") == r.data["n"] + 1 for r in found[:-1] if r.data["n"] + 1 in acked)
                assert [h.uuid for h in store.search.exact("name", f"测试{acked[-1]}号")] == [f"w-{acked[-1]}"]
            # Writes are numbered 1, 2, 3…: what is there is a gap-free prefix that holds every
            # acknowledged write, plus at most the one that committed just before its ack was printed.
            present = store.records.count("people")
            assert present >= (acked[-1] if acked else 0)
            last_ack = acks[-1] if acks else next_n - 1
            assert present <= last_ack + 1, f"after kill {kill}: a write appeared that was never attempted"
            assert store.records.get(f"w-{present}") is not None
            assert store.records.get(f"w-{present + 1}", include_deleted=True) is None
            next_n = present + 1
        finally:
            store.close()
    assert len(acked) > KILLS  # the kills really landed mid-stream, not before the first write
