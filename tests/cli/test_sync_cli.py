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
        captured = capsys.readouterr()
        run.err = captured.err  # what the user read on the terminal
        return code, [json.loads(line) for line in captured.out.splitlines() if line.strip()]

    run.err = ""
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


def test_grid_worker_enroll_to_a_rogue_http_server_exits_9(cli, tmp_path, monkeypatch):
    from fieldkit.services import workspace as wsvc
    from tests.sync.helpers import ServerThread

    ws, _ = wsvc.create(tmp_path / "a", "chief", PASS)
    wsvc.add_user(ws, "grid1", "grid_worker", "grid worker passphrase 7")
    ws.lock()
    rogue = ServerThread(f"sqlite:///{tmp_path / 'rogue.db'}")
    rogue.start()
    try:
        _, code = rogue.storage.create_enrollment("x", [VILLAGE])
        qr = json.dumps({"fieldkit": 1, "url": rogue.url, "code": code, "fp": None})
        monkeypatch.setenv("FIELDKIT_USER", "grid1")
        monkeypatch.setenv("FIELDKIT_PASSPHRASE", "grid worker passphrase 7")
        rc, _ = cli("a", "enroll", qr)
        assert rc == ExitCode.PERMISSION == 9
        assert "只有所长" in cli.err
        # The chief with the same plain-HTTP QR code: refused too, naming what is missing.
        monkeypatch.setenv("FIELDKIT_USER", "chief")
        monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS)
        rc, _ = cli("a", "enroll", qr)
        err = cli.err
        assert rc != 0 and "https://" in err and "证书指纹" in err
        assert not any(d["enrolled"] for d in rogue.storage.list_devices())
    finally:
        rogue.stop()


def test_reenroll_elsewhere_prints_both_fingerprints_and_needs_replace(cli, server, tmp_path):
    from tests.sync.helpers import ServerThread, rogue_certificate

    laptop(cli, server, "a")
    other = ServerThread(f"sqlite:///{tmp_path / 'other.db'}", tls=rogue_certificate())
    other.start()
    try:
        _, code = other.storage.create_enrollment("新平台", [VILLAGE])
        rc, out = cli("a", "enroll", other.qr(code))
        err = cli.err
        assert rc == ExitCode.CONFLICT and out[0]["error"] == "replace_needed"
        assert server.fingerprint in err and other.fingerprint in err
        assert out[0]["old"]["fingerprint"] == server.fingerprint and out[0]["new"]["fingerprint"] == other.fingerprint
        rc, out = cli("a", "enroll", other.qr(code), "--replace")
        assert rc == 0 and out[0]["server"] == other.url
    finally:
        other.stop()


def test_revoked_laptop_exports_its_unsynced_changes_with_the_recovery_code(cli, server, tmp_path, monkeypatch):
    rc, out = cli("a", "init")
    recovery = out[0]["recovery_code"]
    _, code = server.storage.create_enrollment("a", [VILLAGE])
    assert cli("a", "enroll", server.qr(code))[0] == 0
    cli("a", "records", "add", "residents", "--json", json.dumps(resident("李四", 2)))
    server.storage.revoke(server.storage.list_devices()[0]["id"])
    rc, out = cli("a", "sync", "--retries", "0")
    assert rc == ExitCode.AUTH and out[0]["error"] == "device_revoked"
    rc, _ = cli("a", "sync", "status")
    err = cli.err
    assert rc == ExitCode.AUTH and "撤销" in err and "fieldkit revoked export" in err
    rc, out = cli("a", "revoked", "status")
    assert rc == 0 and out[0]["revoked"] is True
    monkeypatch.setenv("FIELDKIT_RECOVERY_CODE", recovery)
    monkeypatch.setenv("FIELDKIT_EXPORT_PASSPHRASE", "export passphrase 9")
    rc, out = cli("a", "revoked", "export", str(tmp_path / "unsynced.fks"))
    assert rc == 0 and out[0]["waiting"] == 1
    rc, _ = cli("a", "unseal", str(tmp_path / "unsynced.fks"), "--out", str(tmp_path / "unsynced.json"))
    assert rc == 0 and "李四" in (tmp_path / "unsynced.json").read_text("utf-8")
