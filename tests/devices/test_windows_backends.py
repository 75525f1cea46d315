"""The Windows backends call their DLLs as documented, against gcc-built stand-ins.

CI has no Windows. Each test pretends to be Windows (``sys.platform = "win32"``) and makes
``ctypes.WinDLL`` a recording `ctypes.CDLL`, so the code goes down its Windows path (DLL names,
``WinDLL`` for ``__stdcall``) and the stand-in libraries answer: winbio_sim.c for the Windows
Biometric Framework, the SDT and termb simulators the Linux tests use. What this cannot show:
that real 32-bit stdcall frames are right (on Linux WinDLL *is* CDLL here) — only the names,
the signatures declared and the calls made.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from fieldkit.devices.fingerprint import factory as fp_factory
from fieldkit.devices.fingerprint import winbio
from fieldkit.devices.idcard import build_base_text, open_card_reader, polling
from fieldkit.domain.errors import Cancelled, DeviceUnavailable
from tests.conftest import require_or_skip

pytestmark = pytest.mark.timeout(60)
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if shutil.which("gcc") is None:
        require_or_skip("gcc is needed to build the simulated Windows DLLs")
    out = tmp_path_factory.mktemp("winsim")
    paths = {}
    for name in ("winbio_sim", "sdt_sim", "termb_sim"):
        so = out / f"{name}.so"
        subprocess.run(["gcc", "-shared", "-fPIC", "-O1", "-o", str(so), str(FIXTURES / f"{name}.c")],
                       check=True, timeout=60)
        paths[name] = str(so)
    return paths


@pytest.fixture
def windows(monkeypatch):
    """Pretend to be Windows; returns the names loaded through ctypes.WinDLL."""
    loaded: list[str] = []

    def win_dll(name, *args, **kwargs):
        loaded.append(str(name))
        return ctypes.CDLL(name, *args, **kwargs)

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(ctypes, "WinDLL", win_dll, raising=False)
    return loaded


@pytest.fixture
def wbf(built):
    lib = ctypes.CDLL(built["winbio_sim"])
    lib.sim_open.restype = ctypes.c_uint32
    lib.sim_closed_session.restype = ctypes.c_uint32
    lib.sim_set_mode(0)
    return lib


def test_default_backends_on_windows_are_the_dlls(windows):
    assert fp_factory.default_backend() == "winbio"
    with pytest.raises(DeviceUnavailable) as err:
        fp_factory.open_reader()
    assert err.value.code == "no_winbio" and "winbio.dll" in err.value.message
    with pytest.raises(DeviceUnavailable) as err:
        open_card_reader(backend="sdt")
    assert "sdtapi.dll" in err.value.message
    with pytest.raises(DeviceUnavailable) as err:
        open_card_reader(backend="termb")
    assert "termb.dll" in err.value.message
    assert windows[:2] == ["winbio.dll", "sdtapi.dll"] and windows[-1] == "termb.dll"


def test_wbf_capture_opens_a_raw_session_and_decodes_the_ansi_image(built, wbf, windows):
    events = []
    reader = fp_factory.open_reader(library=built["winbio_sim"])
    assert windows == [built["winbio_sim"]]
    assert isinstance(reader, winbio.WinBioReader)
    # WinBioOpenSession(WINBIO_TYPE_FINGERPRINT, WINBIO_POOL_SYSTEM, WINBIO_FLAG_RAW, NULL, 0, WINBIO_DB_DEFAULT)
    assert [wbf.sim_open(i) for i in range(6)] == [0x8, 1, 1, 1, 0, 0]
    image = reader.capture(progress=events.append, timeout=5)
    # WinBioCaptureSample(…, WINBIO_NO_PURPOSE_AVAILABLE, WINBIO_DATA_FLAG_RAW, …)
    assert (wbf.sim_open(6), wbf.sim_open(7)) == (0, 0x20)
    assert (image.width, image.height, image.dpi) == (64, 48, 500)
    expected = (np.arange(64)[None, :] * 4 + np.arange(48)[:, None]).astype(np.uint8)
    assert np.array_equal(image.pixels, expected)
    assert wbf.sim_frees() == 1  # the sample went back through WinBioFree
    assert [e.kind for e in events] == ["place_finger", "lift"]
    reader.close()
    assert wbf.sim_closed() == 1 and wbf.sim_closed_session() == 77


def test_wbf_bad_capture_asks_again_then_enroll_keeps_images_only(built, wbf, windows):
    reader = fp_factory.open_reader(library=built["winbio_sim"])
    wbf.sim_set_mode(1)
    events = []
    reader.capture(progress=events.append, timeout=5)
    retry = [e for e in events if e.kind == "retry"]
    assert len(retry) == 1 and retry[0].message == "刷指过短，请重新刷指"  # reject detail 5: too fast
    enrolled = reader.enroll(progress=events.append, timeout=5)
    assert len(enrolled.images) == winbio.ENROLL_PRESSES and enrolled.template == b""
    with pytest.raises(DeviceUnavailable) as err:
        reader.verify(b"")
    assert err.value.code == "winbio_no_verify" and "不能与保存的指纹比对" in err.value.message
    reader.close()


def test_wbf_cancel_timeout_and_access_denied_are_plain(built, wbf, windows):
    reader = fp_factory.open_reader(library=built["winbio_sim"])
    wbf.sim_set_mode(2)  # blocks until WinBioCancel
    threading.Timer(0.2, reader.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        reader.capture(timeout=30)
    assert time.monotonic() - t0 < 10
    with pytest.raises(DeviceUnavailable) as err:
        reader.capture(timeout=0.3)
    assert err.value.code == "fingerprint_timeout"
    flag = threading.Event()
    threading.Timer(0.2, flag.set).start()
    with pytest.raises(Cancelled):
        reader.capture(cancel=flag.is_set, timeout=30)
    wbf.sim_set_mode(3)
    with pytest.raises(DeviceUnavailable) as err:
        reader.capture(timeout=5)
    assert err.value.code == "winbio_access_denied" and "管理员" in err.value.message
    reader.close()


def test_wbf_lists_its_units(built, wbf, windows):
    readers = fp_factory.list_readers(library=built["winbio_sim"])
    assert [r.id for r in readers] == ["winbio:0", "winbio:1"] and {r.driver for r in readers} == {"winbio"}
    assert wbf.sim_open(0) == 0x8 and wbf.sim_frees() == 1  # the schema array freed


def test_sdt_reader_on_windows_loads_through_windll(built, windows, monkeypatch):
    monkeypatch.setattr(polling, "POLL", 0.01)
    sim = ctypes.CDLL(built["sdt_sim"])
    wlt = b"W\x80" + bytes(1022)
    sim.sim_set_card(build_base_text(name="王芳", sex_code="2", ethnicity_code="01", birth="19900101",
                                     address="福建省福州市某路1号", id_number="350102199001010022",
                                     authority="福州市公安局", valid_from="20200101", valid_to="20400101"),
                     wlt, len(wlt))
    sim.sim_set_mode(0, 0, 1001)
    reader = open_card_reader(library=built["sdt_sim"], wlt_library="/nonexistent/DLL_File.dll")
    try:
        info = reader.read_card(timeout=5)
    finally:
        reader.close()
    assert windows[0] == built["sdt_sim"] and "/nonexistent/DLL_File.dll" in windows
    assert info.name == "王芳" and info.id_number == "350102199001010022"


def test_termb_reader_on_windows_loads_through_windll(built, windows, monkeypatch):
    monkeypatch.setattr(polling, "POLL", 0.01)
    sim = ctypes.CDLL(built["termb_sim"])
    fields = ["李木兰", "女", "汉", "19490101", "北京市东城区某某胡同1号", "11010519491231002X", "北京市公安局东城分局",
              "2010.05.01", "长期"]
    for i, text in enumerate(fields):
        raw = text.encode("gbk")
        sim.sim_set_field(i, raw, len(raw))
    sim.sim_set_mode(0, 0)
    reader = open_card_reader(backend="termb", library=built["termb_sim"])
    info = reader.read_card(timeout=5)
    reader.close()
    assert windows == [built["termb_sim"]]
    assert info.name == "李木兰" and info.id_number == "11010519491231002X"
