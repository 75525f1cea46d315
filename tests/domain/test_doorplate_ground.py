"""A trusted key vouches only for its station's ground (辖区); a scanned text is bounded in length."""

from __future__ import annotations

import pytest

from fieldkit.domain.doorplate_code import (
    DoorplateKeyError,
    PayloadKind,
    generate_station_key,
    normalise_ground,
    parse_payload,
    sign_doorplate,
)
from fieldkit.domain.limits import QR_PAYLOAD_MAX_CHARS

OURS = "350924201"  # 坑底乡
THEIRS = "350924202"  # the next township, served by the neighbouring station
OUR_CODE = "3509242012010008"
THEIR_CODE = "3509242020010003"
NEIGHBOUR = generate_station_key("S350924202")


def test_a_neighbours_plate_for_our_address_is_reported_and_not_verified():
    key = NEIGHBOUR.public().with_ground([THEIRS])
    p = parse_payload(sign_doorplate(OUR_CODE, NEIGHBOUR), [key])
    assert p.kind == PayloadKind.DOORPLATE_OUT_OF_GROUND and not p.verified and not p.usable
    assert "由外单位签发，地址不在其辖区" in p.message_zh
    assert THEIRS in p.message_zh and OUR_CODE in p.message_zh and "S350924202" in p.message_zh
    assert "outside its ground" in p.message_en


def test_the_same_key_verifies_plates_in_its_own_ground():
    key = NEIGHBOUR.public().with_ground([THEIRS])
    p = parse_payload(sign_doorplate(THEIR_CODE, NEIGHBOUR), [key])
    assert p.kind == PayloadKind.DOORPLATE and p.verified


def test_a_key_with_no_recorded_ground_verifies_nothing_and_says_how_to_fix_it():
    p = parse_payload(sign_doorplate(THEIR_CODE, NEIGHBOUR), [NEIGHBOUR.public().with_ground(())])
    assert p.kind == PayloadKind.DOORPLATE_OUT_OF_GROUND and not p.verified
    assert "由外单位签发，地址不在其辖区" in p.message_zh and "注明其辖区" in p.message_zh


def test_our_own_plate_outside_our_ground_is_not_called_foreign():
    own = generate_station_key("KD350924")
    p = parse_payload(sign_doorplate(THEIR_CODE, own), [own.public().with_ground([OURS], own=True)])
    assert p.kind == PayloadKind.DOORPLATE_OUT_OF_GROUND and not p.verified
    assert "本所" in p.message_zh and "外单位" not in p.message_zh


def test_a_signed_url_is_held_to_the_same_ground():
    key = NEIGHBOUR.public().with_ground([THEIRS])
    p = parse_payload("https://x.example/d?c=" + sign_doorplate(OUR_CODE, NEIGHBOUR), [key])
    assert p.kind == PayloadKind.DOORPLATE_OUT_OF_GROUND and not p.verified


def test_a_ground_is_at_least_a_county_and_is_kept_canonical():
    assert normalise_ground(["３５０９２４ ２０１", "350924201201", "350924202"]) == ("350924201", "350924202")
    for bad in ["35", "35092", "990924", "ABC123", ""]:
        with pytest.raises(DoorplateKeyError):
            normalise_ground([bad])


def test_text_longer_than_any_qr_code_is_refused_before_anything_else():
    p = parse_payload("FKD1:" + "A" * (QR_PAYLOAD_MAX_CHARS + 10))
    assert p.kind == PayloadKind.TOO_LONG and not p.verified and not p.usable
    assert f"最多 {QR_PAYLOAD_MAX_CHARS} 个字符" in p.message_zh
    assert len(p.text) == QR_PAYLOAD_MAX_CHARS  # what is echoed back is bounded too
    assert parse_payload("1" * QR_PAYLOAD_MAX_CHARS).kind != PayloadKind.TOO_LONG
