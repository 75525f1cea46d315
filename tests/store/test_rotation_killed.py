"""A rotation killed at random moments (SIGKILL, seeded, bounded) leaves a store that opens with
one of the keys — the old one before the commit point, the new one after — and passes the
integrity and audit checks, with nothing half-written left after the next unlock."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fieldkit.store import IndexTerms, Store
from fieldkit.store.keyring import Keyring

from .conftest import PASS

ROOT = Path(__file__).resolve().parents[2]
OFFICER_PASS = "officer horse 22"
GRID_PASS = "grid worker horse 33"
RECORDS = 3000
PHOTOS = 20


def _template(home: Path) -> None:
    store, _code = Store.create(home, user="chief", passphrase=PASS)
    store.add_user("officer1", role="officer", passphrase=OFFICER_PASS)
    store.add_user("grid1", role="grid_worker", passphrase=GRID_PASS)
    store.records.create_many([("people", {"name": f"测试{i}", "pad": "档案" * 100},
                                IndexTerms([("name", f"测试{i}")], village="V01", grid=None, date=None))
                               for i in range(RECORDS)])
    for i in range(PHOTOS):
        store.attachments.put(os.urandom(20_000) + bytes([i]), kind="photo")
    store.close()


def _run(home: Path, kill_after: float | None) -> float:
    """Start the child; SIGKILL it `kill_after` seconds after it is ready (None: let it finish).
    Returns the seconds from ready to exit."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-m", "tests.store.rotate_child", str(home)], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    t = time.monotonic()
    if kill_after is not None:
        time.sleep(kill_after)
        os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=120)
    return time.monotonic() - t


@pytest.mark.slow
def test_a_rotation_killed_at_random_points_leaves_a_store_that_opens_and_verifies(tmp_path: Path) -> None:
    template = tmp_path / "template"
    _template(template)
    old_keyring = json.loads((template / "keyring.json").read_text())
    timing = tmp_path / "timing"
    shutil.copytree(template, timing)
    duration = _run(timing, None)
    rng = random.Random(11)
    outcomes = set()
    for round_ in range(8):
        home = tmp_path / f"h{round_}"
        shutil.copytree(template, home)
        _run(home, rng.uniform(0, duration))
        s = Store.open(home, user="officer1", passphrase=OFFICER_PASS)
        assert s.integrity_check() == [] and s.audit.verify().ok
        assert s.records.count("people") == RECORDS
        rotated = any(e.action == "key_rotated" for e in s.audit.entries(limit=20))
        outcomes.add(rotated)
        s.close()
        assert not [p.name for p in home.iterdir() if "rotating" in p.name]
        old = Keyring(home, json.loads(json.dumps(old_keyring))).unwrap_user("chief", PASS)
        now = Keyring.load(home).unwrap_user("chief", PASS)
        assert (now != old) == rotated  # the old key until the commit point, the new one after
        c = Store.open(home, user="chief", passphrase=PASS)
        assert c.integrity_check() == [] and c.audit.verify().ok
        c.close()
    print("outcomes (rotated?)", sorted(outcomes))
