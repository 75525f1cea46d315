"""Doorplate use cases: scanning an image file, classifying text, and printing a sheet."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import qrcode

from bench.qr_gen import bench_station_key, generate
from fieldkit.domain.errors import NotFound, ValidationFailed
from fieldkit.services import doorplates as svc

SEED = 2026


@pytest.fixture
def plate_photo(tmp_path):
    s = generate("medium", 1, SEED)
    path = tmp_path / "门牌.jpg"
    cv2.imwrite(str(path), s.image)
    return path, s


def test_scanned_plate_verifies_with_the_station_key(plate_photo):
    path, s = plate_photo
    r = svc.scan_image(path, trusted_keys=[bench_station_key().public()])
    assert (r.payload, r.kind, r.verified, r.station) == (s.payload, "doorplate", True, "S350724")
    assert r.code and r.code in r.message


def test_same_plate_without_the_key_is_unverified(plate_photo):
    path, _ = plate_photo
    r = svc.scan_image(path)
    assert r.kind == "doorplate_unknown_station" and not r.verified


def test_image_without_a_code_says_how_to_retry(tmp_path):
    path = tmp_path / "wall.png"
    cv2.imwrite(str(path), np.full((720, 1280, 3), 128, np.uint8))
    r = svc.scan_image(path)
    assert r.payload is None and r.kind is None and "靠近" in r.message


def test_missing_and_non_image_files_are_user_facing(tmp_path):
    with pytest.raises(NotFound) as e:
        svc.scan_image(tmp_path / "nope.jpg")
    assert "找不到文件" in e.value.message
    text = tmp_path / "notes.txt"
    text.write_text("not a picture", encoding="utf-8")
    with pytest.raises(svc.NotAnImage) as e2:
        svc.scan_image(text)
    assert "不是可识别的图片" in e2.value.message and e2.value.code == "not_an_image"


def test_doorplate_preferred_over_a_wechat_code_in_the_same_picture(tmp_path):
    key = bench_station_key()
    payload = svc.sign_doorplate("350724101201000123", key)

    def qr_img(text: str) -> np.ndarray:
        img = qrcode.make(text, box_size=6, border=4).convert("L")
        return np.asarray(img, dtype=np.uint8)

    a, b = qr_img("https://u.wechat.com/EHqL0Wr8"), qr_img(payload)
    canvas = np.full((max(a.shape[0], b.shape[0]) + 40, a.shape[1] + b.shape[1] + 60), 255, np.uint8)
    canvas[20 : 20 + a.shape[0], 20 : 20 + a.shape[1]] = a
    canvas[20 : 20 + b.shape[0], 40 + a.shape[1] : 40 + a.shape[1] + b.shape[1]] = b
    path = tmp_path / "two.png"
    cv2.imwrite(str(path), canvas)
    r = svc.scan_image(path, trusted_keys=[key.public()])
    assert r.kind == "doorplate" and r.verified
    assert [o["kind"] for o in r.others] == ["wechat"]


def test_classify_payload_for_typed_text():
    p = svc.classify_payload("350724101201000123")
    assert p.kind == "address_code" and not p.verified


def test_sheet_signs_every_plate_and_refuses_bad_rows_before_writing(tmp_path):
    key = bench_station_key()
    good = svc.DoorplateAddress("350724101201000123", "福建省某某县东山镇下厝村12号", "12号")
    out = tmp_path / "plates.pdf"
    assert svc.doorplate_sheet([good] * 9, out, key, station_name="东山派出所") == 2
    assert out.stat().st_size > 0
    bad = svc.DoorplateAddress("12号", "福建省某某县东山镇下厝村12号", "12号")
    out2 = tmp_path / "bad.pdf"
    with pytest.raises(ValidationFailed) as e:
        svc.doorplate_sheet([good, bad], out2, key, station_name="东山派出所")
    assert "第 2 行" in e.value.message and not out2.exists()
