"""The termb (CVR_*) card-reader backend against a simulated vendor library built with gcc."""

from __future__ import annotations

import ctypes
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from fieldkit.devices.idcard import open_card_reader, polling
from fieldkit.domain.errors import DeviceUnavailable, UserFacingError
from tests.conftest import require_or_skip

pytestmark = pytest.mark.timeout(60)
FIXTURES = Path(__file__).parent / "fixtures"
FIELDS = ["李木兰", "女", "汉", "19490101", "北京市东城区某某胡同1号", "11010519491231002X", "北京市公安局东城分局", "2010.05.01", "长期"]


@pytest.fixture(scope="module")
def lib_path(tmp_path_factory):
    if shutil.which("gcc") is None:
        require_or_skip("gcc is needed to build the simulated termb library")
    so = tmp_path_factory.mktemp("termbsim") / "libtermb_sim.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(so), str(FIXTURES / "termb_sim.c")], check=True, timeout=60)
    return str(so)


@pytest.fixture
def sim(lib_path, monkeypatch):
    monkeypatch.setattr(polling, "POLL", 0.01)
    lib = ctypes.CDLL(lib_path)
    for i, text in enumerate(FIELDS):
        raw = text.encode("gbk")  # what Windows-derived vendor libraries hand back
        lib.sim_set_field(i, raw, len(raw))
    lib.sim_set_mode(0, 0)
    return lib


def test_reads_gbk_fields_and_the_decoded_photo(lib_path, sim):
    sim.sim_set_mode(0, 3)
    events = []
    reader = open_card_reader(backend="termb", library=lib_path)
    info = reader.read_card(progress=events.append, timeout=5)
    reader.close()
    assert sim.sim_opened() == 0
    assert [e.kind for e in events] == ["place_card", "reading"]
    assert (info.name, info.sex, info.sex_code) == ("李木兰", "女", "2")
    assert (info.ethnicity, info.ethnicity_code) == ("汉族", "01")
    assert info.birth_date == "1949-01-01" and info.valid_from == "2010-05-01" and info.valid_to == "长期"
    assert info.id_number == "11010519491231002X" and info.authority == "北京市公安局东城分局"
    assert info.photo_status == "decoded"
    assert Image.open(io.BytesIO(info.photo_png)).size == (102, 126)


def test_failures_are_plain_messages(lib_path, sim):
    reader = open_card_reader(backend="termb", library=lib_path)
    sim.sim_set_mode(1, 0)
    with pytest.raises(UserFacingError) as err:
        reader.read_card(timeout=0.1)
    assert err.value.code == "no_card"
    sim.sim_set_mode(4, 0)
    with pytest.raises(DeviceUnavailable) as err:
        reader.read_card(timeout=5)
    assert "未连接身份证阅读器" in err.value.message
    sim.sim_set_mode(5, 0)
    assert reader.read_card(timeout=5).photo_status == "absent"
    reader.close()
    with pytest.raises(DeviceUnavailable) as err:
        open_card_reader(backend="termb", library="/nonexistent/libtermb.so")
    assert err.value.code == "no_termb_library"
