"""`fieldkit scan IMAGE…` and `fieldkit doorplates …`: JSON lines, clear errors, exit codes."""

from __future__ import annotations

import json

import cv2
import pytest

import fieldkit.cli as cli
from bench.qr_gen import bench_station_key, generate
from fieldkit.domain.errors import ExitCode


@pytest.fixture
def run(monkeypatch, capsys):
    assert "fieldkit.cli.doorplate_cmds" in cli.COMMAND_MODULES
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("fieldkit.cli.doorplate_cmds",))
    monkeypatch.delenv("FIELDKIT_STATION_KEY", raising=False)

    def _run(*argv: str) -> tuple[int, list[dict], str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, [json.loads(line) for line in out.splitlines() if line.strip()], err

    return _run


@pytest.fixture
def photo(tmp_path):
    s = generate("easy", 0, 2026)
    path = tmp_path / "plate.jpg"
    cv2.imwrite(str(path), s.image)
    return path, s


def test_scan_prints_one_json_line_per_image(run, photo, tmp_path):
    path, s = photo
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), s.image[:50, :50] * 0)
    code, lines, _ = run("scan", str(path), str(blank), "--key", bench_station_key().public().to_string())
    assert code == ExitCode.OK
    first, second = lines
    assert first["file"] == str(path) and first["payload"] == s.payload
    assert first["kind"] == "doorplate" and first["verified"] is True and "已核验" in first["message"]
    assert second["payload"] is None and second["verified"] is False


def test_missing_and_non_image_files_get_error_lines_and_a_non_zero_exit(run, photo, tmp_path):
    path, s = photo
    text = tmp_path / "readme.txt"
    text.write_text("hello", encoding="utf-8")
    code, lines, err = run("--lang", "en", "scan", str(tmp_path / "gone.jpg"), str(text), str(path))
    assert code == ExitCode.NOT_FOUND
    assert [ln.get("error") for ln in lines] == ["file_not_found", "not_an_image", None]
    assert lines[2]["payload"] == s.payload  # the good file after the bad ones is still read
    assert "No such file" in err and "Not a readable image" in err


def test_keygen_print_then_scan_round_trip(run, tmp_path):
    secret = tmp_path / "station.key"
    code, (made,), _ = run("doorplates", "keygen", "--station", "S9", "--secret-out", str(secret))
    assert code == 0 and made["public_key"].startswith("FKK1:S9:")
    assert secret.stat().st_mode & 0o077 == 0  # readable by the owner only
    code, _, err = run("doorplates", "keygen", "--station", "S9", "--secret-out", str(secret))
    assert code == ExitCode.ERROR and "不会覆盖" in err

    csv_file = tmp_path / "addr.csv"
    csv_file.write_text("code,address,number\n350724101201000123,福建省某某县东山镇下厝村12号,12号\n",
                        encoding="utf-8-sig")
    pdf = tmp_path / "out.pdf"
    code, (printed,), _ = run("doorplates", "print", "--secret-key-file", str(secret), "--station-name",
                              "东山派出所", "--csv", str(csv_file), "-o", str(pdf))
    assert code == 0 and printed["plates"] == 1 and printed["pages"] == 1 and pdf.exists()

    code, (signed,), _ = run("doorplates", "sign", "350724101201000123", "--secret-key-file", str(secret))
    code, (checked,), _ = run("doorplates", "check", signed["payload"], "--key", made["public_key"])
    assert checked["kind"] == "doorplate" and checked["verified"] is True


def test_print_without_a_key_is_a_clear_error(run, tmp_path):
    code, _, err = run("doorplates", "print", "--station-name", "x", "--code", "350724101201000123",
                       "--address", "a", "--number", "1号", "-o", str(tmp_path / "o.pdf"))
    assert code == ExitCode.ERROR and "签名密钥" in err


def test_bad_public_key_is_a_clear_error(run, photo):
    path, _ = photo
    code, _, err = run("scan", str(path), "--key", "FKK1:S1:AAAA")
    assert code == ExitCode.ERROR and "公钥" in err


def test_print_a_villages_doorplates_from_the_store_and_scan_one_back(tmp_path, monkeypatch):
    """The chief prints a village's plates from the store; a printed plate scans as verified."""
    import shutil as _shutil
    import subprocess

    from fieldkit.cli import main as cli_main
    from fieldkit.services import doorplates as service
    from fieldkit.services import workspace as wsvc
    from fieldkit.services.station_keys import trusted_keys
    from tests.conftest import require_or_skip

    if _shutil.which("pdftoppm") is None:
        require_or_skip("pdftoppm (poppler-utils) is not installed")
    home = tmp_path / "home"
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", "correct horse battery")
    assert cli_main(["--home", str(home), "init", "--demo", "--people", "40"]) == 0
    ws = wsvc.unlock(home, "chief", "correct horse battery")
    try:  # a village that has houses in this small township (which ones depends on the seed)
        first = ws.store.records.rows(ws.store.records.ids("addresses")[:1])[0]
        village = ws.store.records.rows(ws.store.records.ids("villages", village=first.data["village"])[:1])[0]
        village_name = village.data["name"]
    finally:
        ws.lock()
    out = tmp_path / "plates.pdf"
    assert cli_main(["--home", str(home), "doorplates", "print", "--village", village_name, "--out", str(out)]) == 0
    subprocess.run(["pdftoppm", "-r", "300", "-f", "1", "-l", "1", "-png", str(out), str(tmp_path / "page")],
                   check=True, timeout=120)
    ws = wsvc.unlock(home, "chief", "correct horse battery")
    try:
        plates = service.plates_from_store(ws, village=village_name)
        assert plates and all(p.code.startswith(first.data["village"]) for p in plates)
        page = next(tmp_path.glob("page*.png"))
        result = service.scan_image(page, trusted_keys=trusted_keys(ws))
        assert result.verified and result.code in {p.code for p in plates}
    finally:
        ws.lock()


def _qr_png(path, payload: str):
    import numpy as np

    from fieldkit.ledger.plaque import qr_image

    code = np.array(qr_image(payload, box=6))
    cv2.imwrite(str(path), np.pad(code, 80, constant_values=255))
    return path


def test_scan_trusts_the_stores_own_key_without_key_and_reads_plaques(run, tmp_path, monkeypatch):
    """A plate this store just signed says 已核验 with no --key; a plaque shows its signed index and
    its village's name; a repainted plaque does not verify."""
    from fieldkit.domain.doorplate_code import sign_doorplate
    from fieldkit.ledger.plaque import sign_plaque
    from fieldkit.services import records, station_keys
    from fieldkit.services import workspace as wsvc

    home = tmp_path / "home"
    ws, _ = wsvc.create(home, "chief", "correct horse battery", role="chief")
    try:
        records.save(ws, "villages", {"code": "350924201201", "name": "半岭村", "township": "坑底乡",
                                      "kind": ws.catalog["villages"].field("kind").choices[0].value})
        ws.store.settings.set(station_keys.CODE_SETTING, "KD350924")
        key = station_keys.station_key(ws)  # the key this store signs its doorplates and plaques with
    finally:
        ws.lock()
    plate = _qr_png(tmp_path / "plate.png", sign_doorplate("3509242012010008", key))
    good = sign_plaque(key, village_code="350924201201", date_from="2026-01-01", date_to="2026-06-30",
                       index=91.0, stars=5)
    plaque = _qr_png(tmp_path / "plaque.png", good)
    forged = _qr_png(tmp_path / "forged.png", sign_plaque(key, village_code="350924201201", date_from="2026-01-01",
                                                          date_to="2026-06-30", index=60.0, stars=2)
                     .replace(":60.0:2:", ":99.0:5:"))
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", "correct horse battery")
    code, (door, board, fake), _ = run("--home", str(home), "scan", str(plate), str(plaque), str(forged))
    assert code == ExitCode.OK
    assert door["kind"] == "doorplate" and door["verified"] is True and "已核验" in door["message"]
    assert "未知单位" not in door["message"]
    assert board["kind"] == "plaque" and board["verified"] is True
    assert board["plaque"]["stars"] == 5 and board["plaque"]["index"] == 91.0
    assert board["plaque"]["village_name"] == "半岭村" and board["plaque"]["date_to"] == "2026-06-30"
    assert fake["kind"] == "plaque_invalid" and fake["verified"] is False and "未经签名核验" in fake["message"]

    monkeypatch.delenv("FIELDKIT_PASSPHRASE")  # a script without the passphrase: said, and unverified
    code, (door,), err = run("--home", str(home), "scan", str(plate))
    assert code == ExitCode.OK and door["verified"] is False and "FIELDKIT_PASSPHRASE" in err
