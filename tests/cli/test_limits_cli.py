"""Hostile files at the command line (issue 12): refused by name before the work starts, one bad
file never stops a batch, and never exit 70."""

from __future__ import annotations

import json

import cv2
import pytest

import fieldkit.cli as cli
from bench.qr_gen import bench_station_key, generate
from fieldkit.domain.errors import ExitCode
from fieldkit.services import sealed
from tests.imaging.bombs import blank_png


@pytest.fixture
def run(monkeypatch, capsys):
    def _run(*argv: str) -> tuple[int, list[dict], str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, [json.loads(line) for line in out.splitlines() if line.strip()], err

    return _run


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    return blank_png(folder / "huge.png", 40000, 40000), blank_png(folder / "large.png", 25000, 25000)


def test_scan_refuses_bombs_by_size_and_still_reads_the_plate_after_them(run, bombs, tmp_path):
    huge, large = bombs
    s = generate("easy", 0, 2026)
    plate = tmp_path / "plate.jpg"
    cv2.imwrite(str(plate), s.image)
    code, lines, err = run("scan", str(huge), str(large), str(plate), "--key", bench_station_key().public().to_string())
    assert code == ExitCode.ERROR  # something was refused: said once all files are done
    first, second, third = lines
    assert first["file"] == str(huge) and first["error"] == "image_too_large" and first["limit"] == "IMAGE_MAX_PIXELS"
    assert "图片过大" in first["message"] and "40000×40000 像素，最多 6000 万像素" in first["message"]
    assert second["error"] == "image_too_large" and "25000×25000 像素" in second["message"]
    assert third["file"] == str(plate) and third["payload"] == s.payload and third["verified"] is True
    assert err.count("图片过大") == 2


def test_idphoto_refuses_a_bomb_with_the_limit(run, bombs, tmp_path):
    huge, _ = bombs
    code, _, err = run("--lang", "en", "idphoto", str(huge), "--out", str(tmp_path / "id.jpg"))
    assert code == ExitCode.ERROR
    assert "40000×40000 pixels; at most 60 megapixels" in err
    assert not (tmp_path / "id.jpg").exists()


@pytest.mark.parametrize("n", [2**20, 2**31])
def test_unseal_refuses_a_header_asking_for_an_expensive_key_derivation(run, tmp_path, monkeypatch, n):
    blob = sealed.MAGIC + json.dumps({"kdf": "scrypt", "n": n, "r": 8, "p": 1, "salt": "00" * 16}).encode() \
        + b"\n" + b"gAAAAA" * 20
    path = tmp_path / "export.csv.fks"
    path.write_bytes(blob)
    monkeypatch.setenv("FIELDKIT_EXPORT_PASSPHRASE", "whatever")
    code, _, err = run("unseal", str(path), "--out", str(tmp_path / "plain.csv"))
    assert code == ExitCode.ERROR
    assert f"scrypt n=2^{n.bit_length() - 1}" in err and "2^14 到 2^17" in err and "未尝试解密" in err
    assert not (tmp_path / "plain.csv").exists()
