"""A laptop that dies (SIGKILL) mid-push or mid-apply loses nothing and resumes cheaply."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from sync.client import SyncClient
from sync.sqlite_replica import SQLiteReplica

from .helpers import enrolled

UUIDS = [f"0000000{i}-0000-4000-8000-000000000000" for i in range(7)]


def _run_until_stalled(db, node, url, token, mode, fp) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "tests.sync.kill_child", str(db), node, url, token, mode, fp],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=os.getcwd())
    try:
        line = proc.stdout.readline()
        assert line.strip() == "STALLED", proc.stderr.read()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)


def test_killed_mid_push_resends_at_most_one_batch_and_loses_nothing(server, tmp_path):
    client, rep = enrolled(server, tmp_path, "d", ["v1"], "00000000000000e1", batch_size=3)
    for i, u in enumerate(UUIDS):
        rep.edit(u, "residents", {"name": f"居民{i}"}, scope="v1")
    rep.close()
    _run_until_stalled(tmp_path / "d.db", "00000000000000e1", server.url, client.token, "push", server.fingerprint)
    # The server has the first batch; the laptop died before noting it.
    assert len(server.storage.all_records()) == 3
    rep = SQLiteReplica(tmp_path / "d.db", "00000000000000e1")
    assert rep.pending_count() == 7
    report = client.sync(rep)
    assert report.replayed_batches == 1 and report.pushed == 7 and rep.pending_count() == 0
    assert rep.states() == server.storage.all_records()
    assert len(rep.states()) == 7


def test_killed_mid_apply_keeps_page_and_cursor_together(server, tmp_path):
    writer, w = enrolled(server, tmp_path, "w", ["v1"], "00000000000000e2")
    for i, u in enumerate(UUIDS):
        w.edit(u, "residents", {"name": f"居民{i}"}, scope="v1")
    writer.sync(w)
    reader, r = enrolled(server, tmp_path, "r", ["v1"], "00000000000000e3", page_size=3)
    r.close()
    _run_until_stalled(tmp_path / "r.db", "00000000000000e3", server.url, reader.token, "apply", server.fingerprint)
    r = SQLiteReplica(tmp_path / "r.db", "00000000000000e3")
    # Page 1 (3 records) committed with its cursor; page 2 died with its transaction.
    assert len(r.states()) == 3 and r.get_cursor() is not None
    report = server.client(token=reader.token, page_size=3).pull(r)
    assert report.pulled == 4  # only what was missing is fetched again
    assert r.states() == server.storage.all_records()


def _serve(db: str, port: int, data_dir) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "sync.server", "--data-dir", str(data_dir), "--db", db, "serve",
                             "--plain", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            assert time.monotonic() < deadline and proc.poll() is None, "server did not start"
            time.sleep(0.05)


def test_server_sigkilled_between_batches_keeps_every_acknowledged_one(tmp_path):
    from sync.server.storage import Storage

    db = f"sqlite:///{tmp_path / 'server.db'}"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _, code = Storage(db).create_enrollment("d", ["v1"])
    proc = _serve(db, port, tmp_path)
    client = SyncClient(f"http://127.0.0.1:{port}", batch_size=50, retries=40, backoff=0.05, max_backoff=0.5)
    client.enroll(code, "00000000000000e4")
    rep = SQLiteReplica(tmp_path / "d.db", "00000000000000e4")
    for i in range(400):
        rep.edit(f"{i:08x}-0000-4000-8000-000000000000", "residents", {"name": f"居民{i}"}, scope="v1")
    acked: list[int] = []
    killed = []

    class Watch:  # kills the server right after the second batch is acknowledged
        def __getattr__(self, name):
            return getattr(rep, name)

        def mark_pushed(self, ids):
            rep.mark_pushed(ids)
            acked.extend(ids)
            if len(acked) == 100 and not killed:
                proc.send_signal(signal.SIGKILL)
                proc.wait(30)
                killed.append(_serve(db, port, tmp_path))

    report = client.push(Watch())
    try:
        assert killed and report.pushed == 400 and rep.pending_count() == 0
        stored = Storage(db).all_records()
        assert len(stored) == 400 and stored == rep.states()
    finally:
        client.close()
        (killed[0] if killed else proc).kill()
