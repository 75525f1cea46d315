"""`fieldkit-server` as a user runs it: HTTPS with its own certificate, enrollment by QR payload
pinning that certificate, device administration from the command line."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest

from sync.client import PinMismatch, SyncClient
from sync.sqlite_replica import SQLiteReplica

R1 = "11111111-1111-4111-8111-111111111111"


def cli(data_dir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sync.server", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def https_server(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "sync.server", "--data-dir", str(tmp_path), "serve",
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert "SHA-256" in line, proc.stderr.read()
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.1)
    yield tmp_path, f"https://127.0.0.1:{port}", line.split()[-1]
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("server did not stop on SIGTERM")


def test_enroll_from_qr_payload_over_pinned_https_then_sync(https_server, tmp_path):
    data_dir, url, fp = https_server
    out = cli(data_dir, "enroll-code", "--device-name", "民警老林", "--scope", "v1,v2", "--url", url)
    assert out.returncode == 0, out.stderr
    issued = json.loads(out.stdout)
    payload = json.loads(issued["qr_payload"])
    assert payload["fp"] == fp and payload["code"] == issued["code"] and payload["url"] == url

    client, p = SyncClient.from_payload(issued["qr_payload"], retries=1, backoff=0.01)
    enrollment = client.enroll(p.code, "00000000000000c1")
    assert enrollment.scope == ["v1", "v2"] and enrollment.name == "民警老林"
    rep = SQLiteReplica(tmp_path / "dev.db", "00000000000000c1")
    rep.edit(R1, "residents", {"name": "林某"}, scope="v2")
    assert client.sync(rep).pushed == 1

    listed = [json.loads(x) for x in cli(data_dir, "devices").stdout.splitlines()]
    assert [(d["name"], d["enrolled"], d["revoked"]) for d in listed] == [("民警老林", True, False)]
    assert cli(data_dir, "publish", "--module", "watchlist", "--scope", "*", "--json",
               '{"id_number": "350102199001011238", "reason": "在逃"}').returncode == 0
    assert client.sync(rep).pulled == 1  # the watch-list entry came down
    assert sorted(st.module for st in rep.states().values()) == ["residents", "watchlist"]
    assert cli(data_dir, "revoke", "--device-id", str(listed[0]["id"])).returncode == 0
    from sync.client import AuthFailed

    with pytest.raises(AuthFailed):
        client.hello()
    client.close()


def test_wrong_fingerprint_is_refused_before_anything_is_sent(https_server):
    data_dir, url, _fp = https_server
    issued = json.loads(cli(data_dir, "enroll-code", "--device-name", "x", "--scope", "v1", "--url", url).stdout)
    forged = json.loads(issued["qr_payload"]) | {"fp": "00" * 32}
    client, p = SyncClient.from_payload(json.dumps(forged), retries=1, backoff=0.01)
    with pytest.raises(PinMismatch):
        client.enroll(p.code, "00000000000000c2")
    # The code was never delivered to the impostor's endpoint, so it still works for the real one.
    good, _ = SyncClient.from_payload(issued["qr_payload"], retries=1, backoff=0.01)
    assert good.enroll(p.code, "00000000000000c2").name == "x"
    # Without any pin, an unknown self-signed certificate is not trusted either.
    plain = SyncClient(url, retries=0)
    from sync.client import NetworkUnavailable

    with pytest.raises((NetworkUnavailable, PinMismatch)):
        plain.hello()
    for c in (client, good, plain):
        c.close()


def test_cli_rejects_bad_scope_with_a_message(tmp_path):
    out = cli(tmp_path, "enroll-code", "--device-name", "x", "--scope", "v 1;drop")
    assert out.returncode == 2 and "scope entry" in out.stderr
