"""`fieldkit-server serve --workers N`: several server processes behind one PostgreSQL."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid as uuidlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sync.client import SyncClient
from sync.server.storage import Storage
from sync.sqlite_replica import SQLiteReplica

from .conftest import fresh_pg_db

PORT = 18401  # this suite's range is 18400-18499


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def test_sqlite_refuses_several_workers_with_a_message(tmp_path) -> None:
    out = subprocess.run([sys.executable, "-m", "sync.server", "--data-dir", str(tmp_path), "serve", "--plain",
                          "--port", str(PORT), "--workers", "2"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "--workers above 1 needs a PostgreSQL database" in out.stderr
    assert "Traceback" not in out.stderr


def test_two_workers_serve_pushes_and_pulls_consistently(pg_server, tmp_path) -> None:
    db = fresh_pg_db(pg_server)
    proc = subprocess.Popen([sys.executable, "-m", "sync.server", "--data-dir", str(tmp_path), "--db", db, "serve",
                             "--plain", "--host", "127.0.0.1", "--port", str(PORT), "--workers", "2"],
                            stderr=(tmp_path / "server.log").open("w"))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.2)
        while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_children(proc.pid)) >= 2, "uvicorn started fewer than 2 worker processes"
        storage = Storage(db)

        def device(name: str, scope: list[str], node: str) -> tuple[SyncClient, SQLiteReplica]:
            _, code = storage.create_enrollment(name, scope)
            cli = SyncClient(f"http://127.0.0.1:{PORT}", batch_size=10, page_size=15)
            cli.enroll(code, node)
            return cli, SQLiteReplica(tmp_path / f"{name}.db", node)

        villages = ["v1", "v2", "v1", "v2"]
        writers = [device(f"w{k}", [v], f"{0xc100 + k:016x}") for k, v in enumerate(villages)]
        made: set[str] = set()
        for k, (_, rep) in enumerate(writers):
            for i in range(40):
                uid = str(uuidlib.uuid4())
                rep.edit(uid, "residents", {"name": f"居民{k}-{i}"}, scope=villages[k])
                made.add(uid)
            rep.close()

        def push(k: int) -> int:
            cli, rep = writers[k]
            rep = SQLiteReplica(rep.path, rep.device_node)
            try:
                return cli.push(rep).pushed
            finally:
                rep.close()

        with ThreadPoolExecutor(4) as pool:
            assert sum(pool.map(push, range(4))) == 160
        reader_cli, _ = device("r", ["v1", "v2"], "000000000000c1ff")
        seen: list[str] = []
        cursor, more = None, True
        while more:  # a new connection per page: pages come from either process
            query = urllib.parse.urlencode({"limit": 15, **({"cursor": cursor} if cursor else {})})
            req = urllib.request.Request(f"http://127.0.0.1:{PORT}/v1/pull?{query}",
                                         headers={"Authorization": f"Bearer {reader_cli.token}"})
            with urllib.request.urlopen(req, timeout=30) as answer:
                page = json.loads(answer.read())
            seen += [c["uuid"] for c in page["changes"]]
            cursor, more = page["cursor"], page["more"]
        assert sorted(seen) == sorted(made)  # each record once, none missing
        assert {r.uuid for r in storage.all_records().values()} == made
        storage.close()
    finally:
        proc.terminate()
        proc.wait(30)
