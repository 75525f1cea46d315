"""ID-card applications from the command line: the card reader, status moves, the package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldkit.cli import main
from fieldkit.devices.fingerprint import FakeFingerprintReader
from fieldkit.devices.idcard import FakeIdCardReader
from fieldkit.domain.errors import ExitCode
from fieldkit.services import id_application as app
from fieldkit.services import records, sealed
from fieldkit.services import workspace as wsvc
from fieldkit.services.idphoto import process_photo
from tests.imaging import portraits

PASS = "correct horse battery"
VILLAGE = "350102001001"


@pytest.fixture()
def cli(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    ws, _ = wsvc.create(home, "chief", PASS)
    records.save(ws, "villages", {"code": VILLAGE, "name": "下洋村", "township": "城关镇", "kind": "village"})
    draft = app.start_application(ws, card=FakeIdCardReader(delay=0).read_card(), village=VILLAGE, reason="first")
    draft.photo = app.store_photo(ws, process_photo(portraits.good()), record_uuid=draft.uuid)
    reader = FakeFingerprintReader(delay=0)
    while not draft.prints.complete:
        assert app.capture_print(ws, draft.prints, reader).ok
    uuid = app.save_application(ws, draft).uuid
    ws.lock()
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS)

    def run(*args: str) -> tuple[int, list[dict]]:
        code = main(["--home", str(home), *args])
        return code, [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]

    run.uuid = uuid
    return run


def test_status_moves_and_refusals(cli):
    code, out = cli("applications", "status", cli.uuid)
    assert code == 0 and out[0]["allowed"] == ["submitted"]
    code, _ = cli("applications", "status", cli.uuid, "delivered")
    assert code == ExitCode.INVALID  # captured → delivered skips the card office
    code, out = cli("applications", "status", cli.uuid, "submitted", "--receipt", "NB2026-0117")
    assert code == 0 and out[0] == {"uuid": cli.uuid, "status": "submitted", "receipt_no": "NB2026-0117",
                                    "delivered_date": None}


def test_export_is_sealed_and_opens_with_the_passphrase(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDKIT_EXPORT_PASSPHRASE", "card office 2026")
    code, out = cli("applications", "export", cli.uuid, "--out-dir", str(tmp_path))
    assert code == 0 and out[0]["sealed"] is True
    blob = Path(out[0]["package"]).read_bytes()
    assert blob.startswith(sealed.MAGIC)
    assert b"photo.jpg" in sealed.unseal(blob, "card office 2026")


def test_card_read_with_the_demo_reader_and_device_check(cli, monkeypatch):
    code, out = cli("idcard", "read", "--backend", "fake")
    assert code == 0 and out[0]["resident"]["id_number"] and out[0]["resident"]["sex"] in ("男", "女")
    monkeypatch.setenv("FIELDKIT_DEMO_DEVICES", "1")
    code, out = cli("devices")
    assert code == 0 and {o["device"] for o in out} == {"camera", "fingerprint", "idcard"}
    assert all(o["ok"] and o["demo"] for o in out)


def test_fingerprints_from_the_command_line_by_the_finger_rule(cli, monkeypatch, capsys):
    monkeypatch.setenv("FIELDKIT_DEMO_DEVICES", "1")
    code, out = cli("applications", "fingerprints", cli.uuid, "--unusable", "11:injured")
    assert code == 0, out
    # The right thumb is injured: the right index stands in for it; the left thumb is the second.
    assert (out[0]["finger_1"], out[0]["finger_2"]) == ("12", "16")
    assert "右手拇指" in out[0]["finger_note"] and "受伤" in out[0]["finger_note"] and out[0]["demo"] is True
    code, shown = cli("records", "show", cli.uuid)
    assert code == 0 and '"12"' in json.dumps(shown) and "受伤" in json.dumps(shown, ensure_ascii=False)
    with pytest.raises(SystemExit) as usage:
        cli("applications", "fingerprints", cli.uuid, "--unusable", "thumb")
    assert usage.value.code == ExitCode.USAGE and "11:injured" in capsys.readouterr().err
    code, _ = cli("applications", "fingerprints", "00000000-0000-4000-8000-000000000000")
    assert code == ExitCode.NOT_FOUND
