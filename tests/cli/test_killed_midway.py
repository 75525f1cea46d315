"""A long operation killed at a random moment (SIGKILL: a flat battery, a frozen laptop) leaves a
store that opens, passes SQLite's, SQLCipher's and the audit chain's checks, and holds each
operation whole or not at all: an import, demo data, an export, a backup, a restore, a
passphrase change (the key re-wrapped), a sync round.

Seeds are fixed and the number of kills bounded (CI has two cores)."""

from __future__ import annotations

import csv
import io
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fieldkit import fsio
from fieldkit.domain.errors import AuthError
from fieldkit.services import demo
from fieldkit.services import workspace as wsvc
from fieldkit.store import Store

PASS = "correct horse battery"
ROOT = Path(__file__).resolve().parents[2]
KILLS = 3  # per operation


def _cli(home: Path, *args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "fieldkit.cli", "--home", str(home), *args], cwd=home.parent,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_after(proc: subprocess.Popen, seconds: float) -> bool:
    """SIGKILL after `seconds` unless it finished first; True when it was killed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    return True


def _sound(home: Path) -> Store:
    store = Store.open(home, user="chief", passphrase=PASS)
    assert store.integrity_check() == []
    report = store.audit.verify()
    assert report.ok, report
    return store


@pytest.fixture()
def env(monkeypatch) -> dict[str, str]:
    return {**os.environ, "FIELDKIT_PASSPHRASE": PASS, "FIELDKIT_EXPORT_PASSPHRASE": "export passphrase 2026",
            "PYTHONPATH": str(ROOT)}


@pytest.fixture()
def township(tmp_path) -> Path:
    home = tmp_path / "home"
    ws, _ = wsvc.create(home, "chief", PASS, display_name="陈所长")
    demo.generate(ws, seed=5, people=300)
    ws.lock()
    return home


@pytest.mark.slow
def test_an_import_killed_midway_is_all_or_nothing(township, tmp_path, env):
    store = _sound(township)
    header = ["姓名", "公民身份号码", "性别", "出生日期", "所属村（社区）"]
    village = store.records.rows(store.records.ids("villages")[:1])[0].data["code"]
    before = store.records.count("residents")
    store.close()
    from bench.import_bench import people  # distinct, valid ID numbers

    rows = [[p["name"], p["id_number"], p["sex"], p["birth_date"], village] for p in people(4000, seed=9)]
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    path = tmp_path / "big.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    rng = random.Random(2026)
    for _ in range(KILLS):
        proc = _cli(township, "import", "residents", str(path), env=env)
        killed = _kill_after(proc, rng.uniform(0.5, 3.0))
        store = _sound(township)
        count = store.records.count("residents")
        store.close()
        assert count in (before, before + len(rows)), count  # never a half-imported file
        if not killed or count != before:
            break


@pytest.mark.slow
def test_demo_data_killed_midway_leaves_the_store_empty(tmp_path, env):
    home = tmp_path / "fresh"
    wsvc.create(home, "chief", PASS)[0].lock()
    rng = random.Random(7)
    for _ in range(KILLS):
        proc = _cli(home, "demo", "--people", "3000", env=env)
        killed = _kill_after(proc, rng.uniform(0.5, 2.5))
        store = _sound(home)
        counts = store.records.modules()
        store.close()
        if not killed:
            assert counts.get("residents", 0) >= 3000
            break
        assert counts == {}, counts  # one transaction: nothing, not part of a township


@pytest.mark.slow
def test_an_export_a_backup_and_a_restore_killed_midway_leave_everything_whole(township, tmp_path, env):
    store = _sound(township)
    before = store.records.modules()
    store.close()
    done = tmp_path / "whole.fkbackup"
    assert subprocess.run([sys.executable, "-m", "fieldkit.cli", "--home", str(township), "backup", str(done)],
                          env=env, cwd=tmp_path, capture_output=True).returncode == 0
    rng = random.Random(11)
    for i in range(KILLS):
        for args in (("export", "residents", "--out", str(tmp_path / f"r{i}.csv"), "--plain"),
                     ("export", "residents", "--out", str(tmp_path / f"r{i}.fks")),
                     ("backup", str(tmp_path / f"b{i}.fkbackup")),
                     ("restore", str(done), "--force")):
            _kill_after(_cli(township, *args, env=env), rng.uniform(0.3, 1.5))
            store = _sound(township)
            assert store.records.modules() == before
            store.close()
    # A file the user asked for is either complete or absent: never a truncated one under its name.
    for out in tmp_path.glob("r*.csv"):
        assert out.read_bytes().startswith("\ufeffuuid".encode())
        assert out.stat().st_mode & 0o077 == 0  # a plaintext export is the officer's alone
    # No temporary file survives the next start: not a hidden plaintext CSV next to the export,
    # not a half backup, not a restore's staging folder, not a keyring temp.
    _sound(township).close()
    kept = (".inflight", fsio.RESERVE_NAME)  # the registry and the space reserve (zeros) stay
    left = [p for p in tmp_path.rglob(".*") if p.name not in kept and p.parent.name != ".inflight"]
    assert left == [], left


def test_a_reader_that_stops_early_is_not_a_crash(township, env):
    """`fieldkit records list residents | head -1`: the reader has what it wanted; no traceback."""
    proc = subprocess.Popen([sys.executable, "-m", "fieldkit.cli", "--home", str(township), "records", "list",
                             "residents"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().startswith(b"{")
    proc.stdout.close()  # as head does after its line
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 141 and b"Traceback" not in err, (proc.returncode, err)  # 128 + SIGPIPE


@pytest.mark.slow
def test_a_passphrase_change_killed_midway_leaves_one_passphrase_that_opens(township, env):
    """Key rotation (the data key re-wrapped under a new passphrase) killed at any moment: the
    keyring is the old one or the new one, never torn, and exactly one of the two opens it."""
    rng = random.Random(13)
    current = PASS
    for i in range(KILLS):
        new = f"rotated passphrase {i} 2026"
        run_env = {**env, "FIELDKIT_PASSPHRASE": current, "FIELDKIT_NEW_PASSPHRASE": new}
        _kill_after(_cli(township, "passwd", env=run_env), rng.uniform(0.05, 1.0))
        opened = []
        for candidate in (current, new):
            try:
                Store.open(township, user="chief", passphrase=candidate).close()
                opened.append(candidate)
            except AuthError:
                pass
        assert len(opened) == 1, opened
        current = opened[0]
        store = Store.open(township, user="chief", passphrase=current)
        assert store.integrity_check() == [] and store.audit.verify().ok
        store.close()
    assert not [p for p in township.iterdir() if p.name.startswith(".keyring")]


@pytest.mark.slow
def test_a_sync_killed_midway_loses_nothing_the_next_sync_delivers_all(tmp_path, env, server):
    """The laptop pushes a station's register and is killed mid-round, again and again; the store
    stays sound, and after one whole round a second laptop of the same villages pulls every record.
    (A demo township may not enrol, so this station imports its people as a real one would.)"""
    from bench.import_bench import VILLAGES, people
    from fieldkit.services import door, importer

    township = tmp_path / "station"
    ws, _ = wsvc.create(township, "chief", PASS, display_name="陈所长")
    for code in VILLAGES[:4]:
        door.save(ws, "villages", {"code": code, "name": f"{code[-3:]}村", "township": "坑底乡", "kind": "village"})
    header = ["姓名", "公民身份号码", "性别", "出生日期", "所属村（社区）"]
    rows = [[p["name"], p["id_number"], p["sex"], p["birth_date"], VILLAGES[i % 4]]
            for i, p in enumerate(people(3000, seed=4))]
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    (tmp_path / "people.csv").write_text(buf.getvalue(), encoding="utf-8")
    assert importer.import_csv(ws, "residents", tmp_path / "people.csv").created == 3000
    ws.lock()
    store = _sound(township)
    villages = sorted(r.data["code"] for r in store.records.rows(store.records.ids("villages")))
    before = store.records.modules()
    store.close()

    def enroll(home: Path) -> None:
        _, code = server.storage.create_enrollment(home.name, villages)
        qr = server.qr(code)  # HTTPS, the certificate pinned
        r = subprocess.run([sys.executable, "-m", "fieldkit.cli", "--home", str(home), "enroll", qr],
                           env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr

    enroll(township)
    rng = random.Random(17)
    killed = []
    for _ in range(KILLS):
        killed.append(_kill_after(_cli(township, "sync", env=env), rng.uniform(0.3, 2.0)))
        store = _sound(township)
        assert store.records.modules() == before
        store.close()
    assert any(killed), "every round finished before its kill: nothing was tested"
    whole = subprocess.run([sys.executable, "-m", "fieldkit.cli", "--home", str(township), "sync"],
                           env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert whole.returncode == 0, whole.stderr
    other = tmp_path / "second"
    wsvc.create(other, "chief", PASS, display_name="李警官")[0].lock()
    enroll(other)
    pulled = subprocess.run([sys.executable, "-m", "fieldkit.cli", "--home", str(other), "sync"],
                            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert pulled.returncode == 0, pulled.stderr
    store = _sound(other)
    try:
        got = store.records.modules()
    finally:
        store.close()
    assert got == before, (got, before)
