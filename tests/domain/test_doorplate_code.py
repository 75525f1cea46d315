"""Doorplate payloads: signing, verification, and what a worker is told about anything scanned."""

from __future__ import annotations

import pytest
import qrcode

from fieldkit.domain.doorplate_code import (
    DoorplateKeyError,
    PayloadKind,
    StationKey,
    StationPublicKey,
    generate_station_key,
    normalise_address_code,
    parse_payload,
    sign_doorplate,
)
from fieldkit.domain.errors import UserFacingError

CODE = "350724101201000123"


@pytest.fixture(scope="module")
def station() -> StationKey:
    return generate_station_key("S350724")


@pytest.fixture(scope="module")
def plate(station) -> str:
    return sign_doorplate(CODE, station)


def test_signed_plate_verifies_with_the_station_key(station, plate):
    p = parse_payload(plate, [station.public()])
    assert p.kind is PayloadKind.DOORPLATE
    assert p.verified and p.usable
    assert (p.code, p.station) == (CODE, "S350724")
    assert "已核验" in p.message_zh and "verified" in p.message_en


def test_payload_is_small_enough_for_a_robust_qr(plate):
    # Alphanumeric mode only: fits version 8 at ECC level Q (49×49 modules) on a 30 mm plate code.
    assert set(plate) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ:")
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q)
    qr.add_data(plate)
    qr.make(fit=True)
    assert qr.version <= 8


def test_forged_signature_is_flagged(station):
    forger = generate_station_key("S350724")  # same station id, someone else's key
    p = parse_payload(sign_doorplate(CODE, forger), [station.public()])
    assert p.kind is PayloadKind.DOORPLATE_INVALID
    assert not p.verified and not p.usable
    assert "伪造" in p.message_zh


def test_altered_code_is_flagged(station, plate):
    altered = plate.replace(CODE, CODE[:-1] + "4")
    p = parse_payload(altered, [station.public()])
    assert p.kind is PayloadKind.DOORPLATE_INVALID and not p.verified
    assert p.code == CODE[:-1] + "4"  # shown so the worker can compare with the printed plate


def test_station_field_changed_names_the_real_issuer(station, plate):
    other = generate_station_key("S350799")
    relabelled = plate.replace(":S350724:", ":S350799:")
    p = parse_payload(relabelled, [station.public(), other.public()])
    assert p.kind is PayloadKind.DOORPLATE_INVALID
    assert "S350724" in p.message_zh and "改动" in p.message_zh


def test_unknown_station_is_not_verified_but_keeps_the_code(plate):
    p = parse_payload(plate, [])
    assert p.kind is PayloadKind.DOORPLATE_UNKNOWN_STATION
    assert not p.verified and p.code == CODE
    assert "未知单位" in p.message_zh


def test_wrong_public_key_for_the_station_fails(plate):
    impostor = generate_station_key("S350724").public()
    assert parse_payload(plate, {"S350724": impostor}).kind is PayloadKind.DOORPLATE_INVALID


def test_truncated_plate_is_damaged(station, plate):
    p = parse_payload(plate[:-10], [station.public()])
    assert p.kind is PayloadKind.DOORPLATE_DAMAGED and not p.verified
    assert "手工输入" in p.message_zh


def test_scanner_with_caps_lock_or_chinese_ime_still_verifies(station, plate):
    keys = [station.public()]
    assert parse_payload(plate.lower(), keys).verified
    full_width = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in plate)
    assert parse_payload(full_width, keys).verified


def test_bare_address_code_is_accepted_but_unverified():
    p = parse_payload("3507-2410-1201-000123")
    assert p.kind is PayloadKind.ADDRESS_CODE and p.code == CODE
    assert not p.verified and p.usable
    assert "未签名" in p.message_zh


def test_url_carrying_the_code_is_usable_but_unverified():
    p = parse_payload(f"https://dz.example.gov.cn/mp?dzbm={CODE}&x=1")
    assert p.kind is PayloadKind.ADDRESS_URL and p.code == CODE and not p.verified
    assert "dz.example.gov.cn" in p.message_zh


def test_url_wrapping_a_signed_plate_verifies(station, plate):
    p = parse_payload(f"https://fk.example/d?p={plate}", [station.public()])
    assert p.kind is PayloadKind.DOORPLATE and p.verified


@pytest.mark.parametrize(
    ("text", "kind", "words"),
    [
        ("https://u.wechat.com/EHqL0Wr8", PayloadKind.WECHAT, "微信"),
        ("https://weixin.qq.com/g/AbCdEf", PayloadKind.WECHAT, "微信"),
        ("wxp://f2f0xyzABC123", PayloadKind.PAYMENT, "收款码"),
        ("https://qr.alipay.com/fkx12345abc", PayloadKind.PAYMENT, "付款"),
        ("134567890123456789", PayloadKind.ADDRESS_CODE, "地址编码"),  # Hebei-prefixed: a code first
        ("104567890123456789", PayloadKind.PAYMENT, "付款码"),
        ("WIFI:S:cafe;T:WPA;P:secret;;", PayloadKind.WIFI, "Wi-Fi"),
        ("BEGIN:VCARD\nFN:张三\nEND:VCARD", PayloadKind.CONTACT, "名片"),
        ("https://www.example.com/news/1", PayloadKind.URL, "网址"),
        ("www.example.com", PayloadKind.URL, "网址"),
        ("11010519491231002X", PayloadKind.ID_NUMBER, "身份证"),
        ("欢迎光临", PayloadKind.TEXT, "文字"),
        ("12345", PayloadKind.TEXT, "文字"),
        ("", PayloadKind.GARBAGE, "无法识别"),
        ("\x00\x01\x02\ufffd", PayloadKind.GARBAGE, "无法识别"),
    ],
)
def test_other_codes_say_plainly_what_they_are(text, kind, words):
    p = parse_payload(text)
    assert p.kind is kind
    assert words in p.message_zh
    assert not p.verified


def test_keys_round_trip_through_their_strings(station, plate):
    public = StationPublicKey.parse(station.public().to_string())
    assert parse_payload(plate, [public]).verified
    again = StationKey.from_secret_string(station.to_secret_string())
    assert parse_payload(sign_doorplate(CODE, again), [station.public()]).verified


@pytest.mark.parametrize("text", ["FKK1:S1", "FKK1:S1:AAAA", "hello", "FKS1:S1:ZZZZ"])
def test_bad_public_key_string_is_a_user_facing_error(text):
    with pytest.raises(DoorplateKeyError) as e:
        StationPublicKey.parse(text)
    assert isinstance(e.value, UserFacingError) and e.value.message_en


def test_signing_refuses_what_is_not_an_address_code(station):
    with pytest.raises(DoorplateKeyError, match="标准地址编码"):
        sign_doorplate("12号", station)
    with pytest.raises(DoorplateKeyError):
        generate_station_key("派出所")


def test_address_code_rules():
    assert normalise_address_code(" 350724 101201 000123 ") == CODE
    assert normalise_address_code("990724101201000123") is None  # no such province
    assert normalise_address_code("35072") is None
