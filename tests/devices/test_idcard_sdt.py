"""The SDT card-reader backend against a simulated vendor library compiled here with gcc."""

from __future__ import annotations

import ctypes
import io
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from PIL import Image

from fieldkit.devices.idcard import (
    FakeIdCardReader,
    build_base_text,
    open_card_reader,
    parse_base_text,
    polling,
)
from fieldkit.domain.errors import Cancelled, DeviceUnavailable, UserFacingError
from tests.conftest import require_or_skip

pytestmark = pytest.mark.timeout(60)
FIXTURES = Path(__file__).parent / "fixtures"

CARD = {
    "name": "欧阳秀英",
    "sex_code": "2",
    "ethnicity_code": "22",
    "birth": "19750612",
    "address": "福建省宁德市福安市穆云畲族乡某某村45号",
    "id_number": "350725197506120024",
    "authority": "福安市公安局",
    "valid_from": "20150301",
    "valid_to": "长期",
}


@pytest.fixture(scope="module")
def libs(tmp_path_factory):
    if shutil.which("gcc") is None:
        require_or_skip("gcc is needed to build the simulated SDT library")
    out = tmp_path_factory.mktemp("sdtsim")
    built = {}
    for name in ("sdt_sim", "wlt_sim"):
        so = out / f"lib{name}.so"
        subprocess.run(
            ["gcc", "-shared", "-fPIC", "-O1", "-o", str(so), str(FIXTURES / f"{name}.c")],
            check=True,
            timeout=60,
        )
        built[name] = str(so)
    return built


@pytest.fixture
def sim(libs, monkeypatch):
    """The simulator's control functions; dlopen shares its state with the reader's handle."""
    monkeypatch.setattr(polling, "POLL", 0.01)
    lib = ctypes.CDLL(libs["sdt_sim"])
    wlt = b"W\x80" + bytes(1022)
    lib.sim_set_card(build_base_text(**CARD), wlt, len(wlt))
    lib.sim_set_mode(0, 0, 1001)
    return lib


def test_reads_a_card_into_chinese_fields(libs, sim):
    reader = open_card_reader(library=libs["sdt_sim"], wlt_library="/nonexistent/libwlt.so")
    try:
        info = reader.read_card(timeout=5)
    finally:
        reader.close()
    assert info.name == "欧阳秀英"
    assert info.sex == "女" and info.ethnicity == "畲族" and info.ethnicity_code == "22"
    assert info.birth_date == "1975-06-12"
    assert info.address == "福建省宁德市福安市穆云畲族乡某某村45号"
    assert info.id_number == "350725197506120024"
    assert info.authority == "福安市公安局"
    assert (info.valid_from, info.valid_to) == ("2015-03-01", "长期")
    assert info.card_type == "resident"
    assert len(info.photo_wlt) == 1024
    # Without a decoder the photo is reported missing plainly, not silently dropped.
    assert info.photo_status == "no_decoder" and info.photo_png is None
    assert "未配置照片解码库" in info.photo_message
    assert info.person_fields()["name"] == "欧阳秀英"
    # What lands in the residents form: its own field names and choice codes.
    assert info.resident_values() == {
        "name": "欧阳秀英",
        "id_number": "350725197506120024",
        "sex": "女",
        "birth_date": "1975-06-12",
        "ethnicity": "22",
        "hukou_address": "福建省宁德市福安市穆云畲族乡某某村45号",
        "id_authority": "福安市公安局",
        "id_valid_to": "长期",
    }


def test_chip_photo_decoded_when_a_decoder_is_configured(libs, sim):
    reader = open_card_reader(library=libs["sdt_sim"], wlt_library=libs["wlt_sim"])
    info = reader.read_card(timeout=5)
    reader.close()
    assert info.photo_status == "decoded"
    img = Image.open(io.BytesIO(info.photo_png))
    assert img.size == (102, 126)
    assert img.getpixel((50, 60)) == (0x80, 0x80, 0x80)


def test_damaged_photo_is_reported(libs, sim):
    sim.sim_set_card(build_base_text(**CARD), b"X" * 1024, 1024)
    reader = open_card_reader(library=libs["sdt_sim"], wlt_library=libs["wlt_sim"])
    info = reader.read_card(timeout=5)
    reader.close()
    assert info.photo_status == "decode_failed" and info.name == "欧阳秀英"


def test_waits_for_the_card_and_asks_for_it_once(libs, sim):
    sim.sim_set_mode(0, 5, 1001)
    events = []
    reader = open_card_reader(library=libs["sdt_sim"])
    info = reader.read_card(progress=events.append, timeout=5)
    reader.close()
    assert info.id_number == "350725197506120024"
    assert [e.kind for e in events] == ["place_card", "reading"]
    assert events[0].message == "请将身份证放在读卡器上"
    assert sim.sim_finds() == 6


def test_no_card_times_out_with_a_message(libs, sim):
    sim.sim_set_mode(1, 0, 1001)
    reader = open_card_reader(library=libs["sdt_sim"])
    with pytest.raises(UserFacingError) as err:
        reader.read_card(timeout=0.2)
    reader.close()
    assert err.value.code == "no_card" and "未检测到身份证" in err.value.message


def test_cancel_while_waiting_for_a_card(libs, sim):
    sim.sim_set_mode(1, 0, 1001)
    reader = open_card_reader(library=libs["sdt_sim"])
    threading.Timer(0.2, reader.cancel).start()
    with pytest.raises(Cancelled):
        reader.read_card(timeout=30)
    reader.close()


@pytest.mark.parametrize(("mode", "words"), [(2, "选卡失败"), (4, "读身份证失败")])
def test_reader_failures_map_to_chinese_messages(libs, sim, mode, words):
    sim.sim_set_mode(mode, 0, 1001)
    reader = open_card_reader(library=libs["sdt_sim"])
    with pytest.raises(DeviceUnavailable) as err:
        reader.read_card(timeout=5)
    reader.close()
    assert words in err.value.message


def test_finds_the_reader_on_another_usb_port(libs, sim):
    sim.sim_set_mode(0, 0, 1003)
    reader = open_card_reader(library=libs["sdt_sim"])
    assert reader.port == 1003
    assert reader.read_card(timeout=5).name == "欧阳秀英"
    reader.close()
    assert sim.sim_open_port() == 0


def test_no_reader_and_no_library(libs, sim):
    sim.sim_set_mode(3, 0, 1001)
    with pytest.raises(DeviceUnavailable) as err:
        open_card_reader(library=libs["sdt_sim"])
    assert err.value.code == "no_idcard_reader" and "未检测到身份证阅读器" in err.value.message
    with pytest.raises(DeviceUnavailable) as err:
        open_card_reader(library="/nonexistent/libsdtapi.so")
    assert err.value.code == "no_sdt_library" and "libsdtapi.so" in err.value.message


def test_parse_marks_other_card_types_and_rejects_short_blocks():
    block = bytearray(build_base_text(**CARD))
    block[248:250] = "J".encode("utf-16-le")
    assert parse_base_text(bytes(block)).card_type == "hk_mo_tw_permit"
    with pytest.raises(ValueError):
        parse_base_text(b"\x00" * 100)


def test_fake_reader_for_demo():
    info = FakeIdCardReader(delay=0).read_card()
    assert info.name and info.sex == "男" and info.ethnicity == "汉族"
