"""No hardware: every missing device is a plain Chinese message and the rest keeps working;
demo mode puts the fakes in their place."""

from __future__ import annotations

import pytest

from fieldkit.domain.errors import DeviceUnavailable
from fieldkit.services import devices_access as devices
from fieldkit.services import id_application as app
from fieldkit.services.idphoto import process_photo

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def no_hardware(monkeypatch, tmp_path):
    monkeypatch.delenv(devices.DEMO_ENV, raising=False)
    monkeypatch.delenv("FIELDKIT_FAKE_CAMERA", raising=False)
    monkeypatch.setenv("FIELDKIT_LIBFPRINT", "/nonexistent/libfprint-2.so.2")
    monkeypatch.setenv("FIELDKIT_IDCARD_LIBRARY", str(tmp_path / "libsdtapi.so"))
    if devices.list_cameras():
        pytest.skip("this machine has a camera attached")


def test_each_missing_device_says_what_to_do(no_hardware):
    with pytest.raises(DeviceUnavailable) as cam:
        devices.open_camera()
    assert "没有找到摄像头" in cam.value.message and "从文件导入" in cam.value.message
    with pytest.raises(DeviceUnavailable) as fp:
        devices.open_fingerprint_reader()
    assert fp.value.message == "未找到指纹仪驱动库 libfprint（请安装 libfprint-2-2）"
    with pytest.raises(DeviceUnavailable) as card:
        devices.open_card_reader()
    assert "身份证阅读器" in card.value.message


def test_device_check_lists_all_three_without_raising(no_hardware, empty_ws):
    status = devices.device_status(empty_ws)
    assert [(s.kind, s.ok) for s in status] == [("camera", False), ("fingerprint", False), ("idcard", False)]
    assert all(s.message and not s.message.isascii() for s in status)
    # Without a camera the officer can still load the photo from a file.
    import cv2

    from tests.imaging import portraits

    ok, jpg = cv2.imencode(".jpg", portraits.good())
    assert ok and app.store_photo(empty_ws, process_photo(jpg.tobytes())).ok


def test_demo_mode_uses_the_fakes(monkeypatch, tmp_path, empty_ws):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(devices.DEMO_ENV, raising=False)
    assert not devices.demo_mode(empty_ws)
    empty_ws.store.settings.set(devices.DEMO_SETTING, True)  # the officer's "演示模式" switch
    assert devices.demo_mode(empty_ws)
    assert all(s.ok and s.demo for s in devices.device_status(empty_ws))
    card = devices.read_card(devices.open_card_reader(empty_ws))
    assert card.name == "张三丰"
    reader = devices.open_fingerprint_reader(empty_ws)
    assert reader.info.driver == "fake"
    with devices.open_camera(empty_ws) as cam:
        frame = cam.read()
    assert frame.image.shape == (720, 1280, 3)
    # The demo camera shows a portrait the ID-photo pipeline accepts.
    assert process_photo(frame.image).ok


def test_env_switch_overrides_the_setting(monkeypatch, empty_ws):
    empty_ws.store.settings.set(devices.DEMO_SETTING, True)
    monkeypatch.setenv(devices.DEMO_ENV, "0")
    assert not devices.demo_mode(empty_ws)
    monkeypatch.setenv(devices.DEMO_ENV, "1")
    assert devices.demo_mode(None)
