"""The certificate pin holds on every path a request can take: through an HTTP(S) proxy set in
the environment (a police network often has one), after a redirect, on a reused connection."""

from __future__ import annotations

import json
import select
import socket
import threading

import pytest

from sync.client import InsecureServer, PinMismatch, ServerRejected, SyncClient
from tests.sync.helpers import ServerThread, rogue_certificate, tls_certificate


class ConnectProxy:
    """A minimal HTTP CONNECT proxy on loopback that tunnels every request to `target_port`
    whatever host the client asked for: a proxy that sends the laptop to an impostor."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.tunnels = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            if not head.startswith(b"CONNECT "):
                conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
                return
            self.tunnels += 1
            with socket.create_connection(("127.0.0.1", self.target_port)) as up:
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                socks = [conn, up]
                while True:
                    ready, _, _ = select.select(socks, [], [], 10)
                    if not ready:
                        return
                    for s in ready:
                        data = s.recv(65536)
                        if not data:
                            return
                        (up if s is conn else conn).sendall(data)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def platform_and_impostor(tmp_path):
    real = ServerThread(f"sqlite:///{tmp_path / 'real.db'}", tls=tls_certificate())
    fake = ServerThread(f"sqlite:///{tmp_path / 'fake.db'}", tls=rogue_certificate())
    real.start()
    fake.start()
    yield real, fake
    real.stop()
    fake.stop()


def test_a_proxy_from_the_environment_cannot_lead_a_pinned_client_to_an_impostor(platform_and_impostor, monkeypatch):
    real, fake = platform_and_impostor
    proxy = ConnectProxy(fake.port)
    try:
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("NO_PROXY", "")
        monkeypatch.setenv("no_proxy", "")
        _, code = real.storage.create_enrollment("x", ["v1"])
        client = real.client(retries=0)
        with pytest.raises(PinMismatch):
            client.enroll(code, "00000000000000d1")
        client.close()
        assert proxy.tunnels >= 1  # the request did go through the proxy
        assert not any(d["enrolled"] for d in fake.storage.list_devices())
        # A proxy that tunnels honestly is fine: the pin is checked end to end.
        honest = ConnectProxy(real.port)
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{honest.port}")
        client = real.client(retries=0)
        assert client.enroll(code, "00000000000000d1").name == "x"
        assert honest.tunnels >= 1
        client.close()
        honest.close()
    finally:
        proxy.close()


def test_a_redirect_is_never_followed(platform_and_impostor):
    real, _ = platform_and_impostor
    client = real.client(retries=0)
    # The API answers 3xx only when something in front of it rewrites answers: simulate one.
    client.session.hooks["response"].append(
        lambda r, *a, **kw: setattr(r, "status_code", 307) or r.headers.__setitem__("Location", "http://evil/") or r)
    with pytest.raises(ServerRejected) as err:
        client.hello()
    assert err.value.status == 307
    client.close()


def test_plain_http_is_refused_on_a_pinned_client(platform_and_impostor):
    real, _ = platform_and_impostor
    client = real.client(retries=0)
    with pytest.raises(InsecureServer):
        client.session.get(real.url.replace("https://", "http://") + "/v1/hello")
    client.close()
    with pytest.raises(InsecureServer):
        SyncClient(real.url.replace("https://", "http://"), fingerprint=real.fingerprint)


def test_the_qr_payload_of_the_test_server_pins_it(platform_and_impostor):
    real, fake = platform_and_impostor
    assert json.loads(real.qr("C"))["fp"] == real.fingerprint != fake.fingerprint
