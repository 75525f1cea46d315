"""Doorplate sheet PDFs: pages, the Chinese text, and every QR still scanning after 300 dpi printing."""

from __future__ import annotations

import shutil
import subprocess

import cv2
import numpy as np
import pytest
from pypdf import PdfReader

from fieldkit.devices.qr import create_decoder
from fieldkit.domain.doorplate_code import PayloadKind, generate_station_key, parse_payload, sign_doorplate
from fieldkit.domain.errors import Cancelled, StorageError
from fieldkit.ledger.doorplates import PER_PAGE, Plate, write_doorplate_sheet
from tests.conftest import require_or_skip

STATION = "某某县公安局东山派出所"


@pytest.fixture(scope="module")
def key():
    return generate_station_key("S350724")


def _plates(key, n: int) -> list[Plate]:
    out = []
    for i in range(n):
        code = f"3507241012010{i:05d}"
        out.append(Plate(code=code, address=f"福建省某某县东山镇下厝村后巷{i + 1}号", number=f"{i + 1}号",
                         payload=sign_doorplate(code, key)))
    return out


@pytest.fixture(scope="module")
def sheet(tmp_path_factory, key):
    out = tmp_path_factory.mktemp("plates") / "门牌.pdf"
    plates = _plates(key, 11)
    pages = write_doorplate_sheet(plates, out, station_name=STATION)
    return out, plates, pages


def test_eight_plates_a_page(sheet):
    out, _, pages = sheet
    assert pages == 2 == len(PdfReader(out).pages)
    assert PER_PAGE == 8


def test_text_shows_chinese_address_number_station_and_code(sheet):
    out, plates, _ = sheet
    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    flat = "".join(text.split())
    for plate in plates:
        assert plate.address in flat
        assert plate.code in flat
    assert STATION in flat and "后巷" in flat and "11号" in flat


def test_every_plate_scans_after_rasterising_at_300_dpi(sheet, tmp_path, key):
    if not shutil.which("pdftoppm"):
        require_or_skip("pdftoppm (Debian poppler-utils) is needed to rasterise the PDF")
    out, plates, _ = sheet
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(out), str(tmp_path / "page")], check=True)
    decoder = create_decoder()
    read = []
    for png in sorted(tmp_path.glob("page*.png")):
        image = cv2.imread(str(png), cv2.IMREAD_GRAYSCALE)
        assert image.shape[1] == pytest.approx(2480, abs=2)  # A4 width at 300 dpi
        # One plate at a time, as a camera would see it: cut the page into its 2 × 4 cells.
        h, w = image.shape
        for r in range(4):
            for c in range(2):
                cell = np.ascontiguousarray(image[r * h // 4 : (r + 1) * h // 4, c * w // 2 : (c + 1) * w // 2])
                read += [code.text for code in decoder.decode(cell)]
    assert read == [p.payload for p in plates]
    assert all(parse_payload(t, [key.public()]).kind is PayloadKind.DOORPLATE for t in read)


def test_cancel_leaves_no_file(tmp_path, key):
    out = tmp_path / "x.pdf"
    calls = []
    with pytest.raises(Cancelled):
        write_doorplate_sheet(_plates(key, 5), out, station_name=STATION,
                              progress=lambda d, t: calls.append((d, t)), cancel=lambda: len(calls) >= 2)
    assert not out.exists() and not list(tmp_path.iterdir())
    assert calls == [(1, 5), (2, 5)]


def test_unwritable_destination_is_a_storage_error(tmp_path, key):
    with pytest.raises(StorageError) as e:
        write_doorplate_sheet(_plates(key, 1), tmp_path / "missing" / "x.pdf", station_name=STATION)
    assert "无法写入" in e.value.message
