"""`fieldkit enroll / sync / conflicts` as a station script uses them: JSON lines, exit codes."""

from __future__ import annotations

import json

import pytest

from fieldkit.cli import main
from fieldkit.domain.errors import ExitCode
from tests.services.test_sync_service import VILLAGE, resident

PASS = "correct horse battery"


@pytest.fixture()
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS)

    def run(home: str, *args: str) -> tuple[int, list[dict]]:
        code = main(["--home", str(tmp_path / home), *args])
        out = capsys.readouterr().out
        return code, [json.loads(line) for line in out.splitlines() if line.strip()]

    return run


def laptop(cli, server, home: str) -> None:
    assert cli(home, "init")[0] == 0
    _, code = server.storage.create_enrollment(home, [VILLAGE])
    # The QR payload as `fieldkit-server enroll-code` prints it: HTTPS, the certificate pinned.
    qr = server.qr(code)
    rc, out = cli(home, "enroll", qr)
    assert rc == 0 and out[0]["enrolled"] is True and out[0]["scope"] == [VILLAGE]


def test_enroll_sync_conflict_resolve_round_trip(cli, server):
    laptop(cli, server, "a")
    laptop(cli, server, "b")
    rc, out = cli("a", "records", "add", "residents", "--json", json.dumps(resident("张三", 1)))
    uuid = out[0]["uuid"]
    rc, out = cli("a", "sync", "--once")
    assert rc == 0 and out[0]["ok"] and out[0]["pushed"] == 1
    rc, out = cli("b", "sync")
    assert rc == 0 and out[0]["pulled"] == 1
    cli("a", "records", "edit", uuid, "--set", "phone=13800000001")
    cli("b", "records", "edit", uuid, "--set", "phone=13900000002")
    cli("a", "sync")
    cli("b", "sync")
    cli("a", "sync")
    rc, out = cli("a", "conflicts", "list")
    assert rc == 0 and len(out) == 1
    assert (out[0]["mine"], out[0]["theirs"]) == ("13800000001", "13900000002")
    rc, out = cli("a", "conflicts", "resolve", uuid, "phone", "--keep", "13700000003")
    assert rc == 0 and out[0]["remaining"] == 0
    cli("a", "sync")
    cli("b", "sync")
    assert cli("b", "conflicts", "list")[1] == []
    rc, out = cli("b", "records", "show", uuid)
    assert out[0]["data"]["phone"] == "13700000003"
    rc, out = cli("b", "sync", "status")
    assert out[0]["pending"] == 0 and out[0]["conflicts"] == 0 and out[0]["last_sync"]


def test_offline_exits_network_and_keeps_changes(cli, server, capsys):
    laptop(cli, server, "a")
    cli("a", "records", "add", "residents", "--json", json.dumps(resident("李四", 2)))
    server.stop()
    try:
        rc, out = cli("a", "sync", "--retries", "0")
    finally:
        server.start()
    assert rc == ExitCode.NETWORK == 11
    assert out[0]["ok"] is False and out[0]["error"] == "offline"
    rc, out = cli("a", "sync", "status")
    assert out[0]["pending"] == 1 and out[0]["last_error_code"] == "offline"


def test_unknown_conflict_is_not_found(cli, server):
    laptop(cli, server, "a")
    rc, _ = cli("a", "conflicts", "resolve", "5f0c2b1e-8a4d-4c3e-9b1a-2d3c4e5f6a7b", "phone", "--keep", "mine")
    assert rc == ExitCode.NOT_FOUND
