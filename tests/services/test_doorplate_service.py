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


def _plaque_photo(path, payload):
    from fieldkit.ledger.plaque import qr_image

    code = cv2.cvtColor(np.array(qr_image(payload, box=6)), cv2.COLOR_GRAY2BGR)
    image = np.full((code.shape[0] + 200, code.shape[1] + 200, 3), 230, np.uint8)
    image[100 : 100 + code.shape[0], 100 : 100 + code.shape[1]] = code
    cv2.imwrite(str(path), image)
    return path


def test_a_scanned_plaque_shows_its_signed_index_and_a_tampered_one_does_not_verify(tmp_path):
    from fieldkit.ledger.plaque import sign_plaque

    key = bench_station_key()
    good = sign_plaque(key, village_code="350724101201", date_from="2026-01-01", date_to="2026-06-30",
                       index=86.5, stars=4)
    r = svc.scan_image(_plaque_photo(tmp_path / "牌匾.png", good), trusted_keys=[key.public()])
    assert (r.kind, r.verified, r.station) == ("plaque", True, key.station)
    assert r.plaque == {"village_code": "350724101201", "date_from": "2026-01-01", "date_to": "2026-06-30",
                        "index": 86.5, "stars": 4, "station": key.station, "compound": ""}
    assert "平安牌已核验" in r.message and "4 星" in r.message and "86.5" in r.message

    five_stars = good.replace(":86.5:4:", ":96.5:5:")  # someone repainted the plaque's code
    forged = svc.classify_payload(five_stars, [key.public()])
    assert forged.kind == "plaque_invalid" and not forged.verified
    assert "未经签名核验" in forged.message_zh and "伪造或篡改" in forged.message_zh
    assert forged.plaque is not None and forged.plaque.stars == 5  # shown only as what it claims
    unknown = svc.classify_payload(good, [])
    assert unknown.kind == "plaque_invalid" and "未知的发牌单位" in unknown.message_zh
    # A key vouches for its station's ground only, as for doorplates.
    elsewhere = svc.classify_payload(good, [key.public().with_ground(["350725"])])
    assert not elsewhere.verified and "辖区" in elsewhere.message_zh
