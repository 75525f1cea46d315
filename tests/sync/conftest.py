"""Fixtures for sync tests: an in-process server on loopback, SQLite or a throwaway PostgreSQL."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.conftest import require_or_skip

from .helpers import ServerThread, tls_certificate

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:  # initdb refuses to run as root
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


class PgClusters:
    """Starts throwaway PostgreSQL clusters, each in a temp dir on 127.0.0.1 and a free port,
    with ``wal_level=logical`` so any of them can publish or subscribe (tests/sync/test_replication.py).
    Every cluster is stopped and removed when the session ends."""

    def __init__(self) -> None:
        self._started: list[tuple[Path, Path]] = []

    def start(self) -> str:
        """A new cluster; returns its base URL ``postgresql://postgres@127.0.0.1:PORT``."""
        if not (PG_BIN / "initdb").exists():
            require_or_skip("PostgreSQL 15 binaries not installed")
        if os.geteuid() == 0 and shutil.which("runuser") is None:
            require_or_skip("running as root without runuser")
        d = Path(tempfile.mkdtemp(prefix="fk-pg-"))
        if os.geteuid() == 0:
            shutil.chown(d, "postgres", "postgres")
        port = _free_port()
        data = d / "data"
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                     "--no-sync", "-E", "UTF8"]), check=True, capture_output=True)
        opts = (f"-k {d} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 "
                "-c wal_level=logical -c max_slot_wal_keep_size=1GB")
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", opts, "-w", "-l",
                                     str(d / "log"), "start"]), check=True, capture_output=True)
        self._started.append((d, data))
        return f"postgresql://postgres@127.0.0.1:{port}"

    def stop_all(self) -> None:
        for d, data in self._started:
            subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                           capture_output=True)
            shutil.rmtree(d, ignore_errors=True)
        self._started.clear()


@pytest.fixture(scope="session")
def pg_clusters():
    clusters = PgClusters()
    try:
        yield clusters
    finally:
        clusters.stop_all()


@pytest.fixture(scope="session")
def pg_server(pg_clusters):
    """A PostgreSQL cluster in a temp dir, listening on 127.0.0.1 only; yields its base URL."""
    return pg_clusters.start()


def fresh_pg_db(base: str) -> str:
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(base + "/postgres", autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Each server test runs on both back ends."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.db'}"
    return fresh_pg_db(request.getfixturevalue("pg_server"))


@pytest.fixture
def server(db_url):
    """Over HTTPS (see tests/conftest.py): clients pin `server.fingerprint`."""
    srv = ServerThread(db_url, tls=tls_certificate())
    srv.start()
    yield srv
    srv.stop()
