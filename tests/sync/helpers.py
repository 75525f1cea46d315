"""Test helpers: an in-process uvicorn server on 127.0.0.1 that can be stopped and restarted."""

from __future__ import annotations

import functools
import json
import tempfile
import threading
import time
from pathlib import Path

import uvicorn

from sync import merge as m
from sync.client import SyncClient
from sync.server.app import create_app
from sync.server.guard import Limits
from sync.server.storage import Storage
from sync.server.tls import ensure_certificate
from sync.server.tls import fingerprint as _fingerprint
from sync.sqlite_replica import SQLiteReplica


@functools.cache
def fingerprint(cert: Path) -> str:
    return _fingerprint(cert)


@functools.cache
def tls_certificate() -> tuple[Path, Path]:
    """One self-signed certificate for 127.0.0.1 per test process (made in ~10 ms, in tmp)."""
    return ensure_certificate(Path(tempfile.mkdtemp(prefix="fk-tls-")), ["127.0.0.1", "localhost"])


def rogue_certificate() -> tuple[Path, Path]:
    """Another self-signed certificate for the same address: what an impostor would present."""
    return ensure_certificate(Path(tempfile.mkdtemp(prefix="fk-rogue-tls-")), ["127.0.0.1", "localhost"])


class ServerThread:
    """uvicorn in a background thread. `restart()` drops every connection and the storage
    object, then serves the same database again on the same port, like a process restart."""

    def __init__(self, db_url: str, port: int = 0, tls: tuple[Path, Path] | None = None,
                 limits: Limits | None = None, policy: m.Policy = m.DEFAULT_POLICY, log_level: str = "error") -> None:
        self.db_url, self.port, self.tls, self.limits, self.policy = db_url, port, tls, limits, policy
        self.log_level = log_level  # "info": uvicorn's access log on, as `serve --log-level info`
        self.storage: Storage | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def fingerprint(self) -> str | None:
        """The SHA-256 a client pins (None for a plain-HTTP server)."""
        return fingerprint(self.tls[0]) if self.tls else None

    def qr(self, code: str) -> str:
        """The enrollment QR payload the chief would be given for ``code``."""
        return json.dumps({"fieldkit": 1, "url": self.url, "code": code, "fp": self.fingerprint})

    def client(self, **kw) -> SyncClient:
        """A client for this server, pinned to its certificate."""
        return SyncClient(self.url, fingerprint=self.fingerprint, **kw)

    def start(self) -> None:
        self.storage = Storage(self.db_url, self.policy)
        ssl = {"ssl_certfile": str(self.tls[0]), "ssl_keyfile": str(self.tls[1])} if self.tls else {}
        config = uvicorn.Config(create_app(self.storage, self.limits), host="127.0.0.1", port=self.port, log_level=self.log_level,
                                lifespan="off", timeout_keep_alive=5, **ssl)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        if not self.port:
            self.port = self._server.servers[0].sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._server.force_exit = True
            self._thread.join(timeout=30)
            self.storage.close()
            self._server = None

    def restart(self) -> None:
        self.stop()
        self.start()


def enrolled(server: ServerThread, tmp: Path, name: str, scope: list[str], node: str,
             **client_kw) -> tuple[SyncClient, SQLiteReplica]:
    """A device enrolled on ``server`` with a fresh local replica."""
    _, code = server.storage.create_enrollment(name, scope)
    client = SyncClient(server.url, fingerprint=server.fingerprint, **client_kw)
    client.enroll(code, node)
    return client, SQLiteReplica(tmp / f"{name}.db", node)
