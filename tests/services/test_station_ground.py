"""Doorplates know their station's ground: a plate signed by a trusted station for an address
outside the ground that station may sign is reported and never treated as verified (issue 12)."""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest
import qrcode

from fieldkit.domain.doorplate_code import DoorplateKeyError, generate_station_key, sign_doorplate
from fieldkit.services import doorplates, station_keys
from fieldkit.services import household as hh
from fieldkit.services import workspace as wsvc
from fieldkit.services.demo_data import TOWNSHIP_CODE
from tests.services.conftest import PASS

NEIGHBOUR = generate_station_key("S350924202")
NEIGHBOUR_GROUND = "350924202"  # the next township
WORDS = "由外单位签发，地址不在其辖区"


@pytest.fixture()
def ws(demo_home, tmp_path):
    home = tmp_path / "copy"
    shutil.copytree(demo_home, home)
    w = wsvc.unlock(home, "chief", PASS)
    yield w
    w.lock()


def our_address(ws):
    return ws.store.records.rows(ws.store.records.ids("addresses")[:1])[0]


def qr_frame(payload: str) -> np.ndarray:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=4, box_size=6)
    qr.add_data(payload)
    qr.make(fit=True)
    code = np.array(qr.make_image(fill_color="black", back_color="white").convert("L"))
    frame = np.full((code.shape[0] + 80, code.shape[1] + 80), 200, np.uint8)
    frame[40:-40, 40:-40] = code
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


def test_a_neighbours_plate_for_our_address_opens_unverified_with_the_reason(ws):
    station_keys.add_trusted_key(ws, NEIGHBOUR.public().to_string(), ground=[NEIGHBOUR_GROUND])
    address = our_address(ws)
    assert address.data["code"].startswith(TOWNSHIP_CODE)
    card = hh.open_by_payload(ws, sign_doorplate(address.data["code"], NEIGHBOUR))
    assert isinstance(card, hh.HouseholdCard) and card.address.uuid == address.uuid
    assert card.verified is False
    assert WORDS in card.payload.message_zh
    assert [e for e in ws.store.audit.entries(limit=50) if e.action == "doorplate_out_of_ground"]


def test_a_scanned_picture_of_it_is_not_verified_either(ws):
    station_keys.add_trusted_key(ws, NEIGHBOUR.public().to_string(), ground=[NEIGHBOUR_GROUND])
    code = our_address(ws).data["code"]
    result = doorplates.scan_frame(qr_frame(sign_doorplate(code, NEIGHBOUR)), trusted_keys=station_keys.trusted_keys(ws))
    assert result.kind == "doorplate_out_of_ground" and result.verified is False and result.code == code
    assert WORDS in result.message


def test_the_neighbours_plates_in_its_own_ground_and_ours_in_ours_still_verify(ws):
    station_keys.add_trusted_key(ws, NEIGHBOUR.public().to_string(), ground=[NEIGHBOUR_GROUND])
    theirs = hh.open_by_payload(ws, sign_doorplate(NEIGHBOUR_GROUND + "0010003", NEIGHBOUR))
    assert isinstance(theirs, hh.UnknownCode) and theirs.payload.verified  # genuine; not in our store
    own = station_keys.station_key(ws)  # the chief's key, made on first use
    card = hh.open_by_payload(ws, sign_doorplate(our_address(ws).data["code"], own))
    assert isinstance(card, hh.HouseholdCard) and card.verified


def test_the_own_ground_comes_from_the_villages_unless_set(ws):
    own = station_keys.station_key(ws)
    assert station_keys.own_ground(ws) == (TOWNSHIP_CODE,)
    station_keys.set_own_ground(ws, ["350924202"])  # say the store's villages were handed over
    card = hh.open_by_payload(ws, sign_doorplate(our_address(ws).data["code"], own))
    assert card.verified is False and "不在本所辖区" in card.payload.message_zh
    station_keys.set_own_ground(ws, [])
    assert station_keys.own_ground(ws) == (TOWNSHIP_CODE,)


def test_a_key_stored_before_grounds_existed_verifies_nothing_until_imported_again(ws):
    ws.store.settings.set(station_keys.TRUSTED_KEYS_SETTING, [NEIGHBOUR.public().to_string()])
    plate = sign_doorplate(NEIGHBOUR_GROUND + "0010003", NEIGHBOUR)
    first = hh.open_by_payload(ws, plate)
    assert not first.payload.verified and WORDS in first.payload.message_zh and "注明其辖区" in first.payload.message_zh
    station_keys.add_trusted_key(ws, NEIGHBOUR.public().to_string(), ground=[NEIGHBOUR_GROUND])
    assert hh.open_by_payload(ws, plate).payload.verified
    assert len(ws.store.settings.get(station_keys.TRUSTED_KEYS_SETTING)) == 1  # replaced, not doubled


@pytest.mark.parametrize("ground", [[], ["35"], ["not a code"]])
def test_a_key_is_imported_only_with_a_ground(ws, ground):
    with pytest.raises(DoorplateKeyError):
        station_keys.add_trusted_key(ws, NEIGHBOUR.public().to_string(), ground=ground)
    assert not ws.store.settings.get(station_keys.TRUSTED_KEYS_SETTING)
