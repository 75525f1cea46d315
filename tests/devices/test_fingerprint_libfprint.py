"""The real libfprint 2 stack, driven through its virtual_image driver with synthetic prints.

These run in CI (which installs libfprint-2-2); on a machine without the library they skip,
unless FIELDKIT_REQUIRE_ALL_TESTS=1, where they fail. Every wait is bounded: the reader's own
timeouts are short here and pytest-timeout backs them up.
"""

from __future__ import annotations

import ctypes
import io
import os
import shutil
import signal
import tempfile
import threading
import time

import numpy as np
import pytest
from PIL import Image

from fieldkit.devices.fingerprint import (
    Finger,
    FingerPlanner,
    capture_checked,
    enroll_checked,
    list_readers,
    open_reader,
)
from fieldkit.devices.fingerprint.synthetic import SyntheticFinger, render
from fieldkit.devices.fingerprint.virtual import (
    ERROR_GENERAL,
    ERROR_REMOVED,
    RETRY_TOO_SHORT,
    VirtualImageSensor,
    feed_on_place_finger,
)
from fieldkit.domain.errors import Cancelled, DeviceUnavailable
from tests.conftest import require_or_skip

pytestmark = pytest.mark.timeout(120)

THUMB_A = SyntheticFinger("whorl", 11)
THUMB_B = SyntheticFinger("loop", 12)
OTHER = SyntheticFinger("whorl", 13)


def _need_libfprint() -> None:
    try:
        ctypes.CDLL("libfprint-2.so.2")
    except OSError:
        require_or_skip("libfprint-2.so.2 not installed (apt-get install libfprint-2-2)")


@pytest.fixture
def sockdir():
    # AF_UNIX paths must stay under ~100 bytes; pytest's tmp_path can be longer.
    d = tempfile.mkdtemp(prefix="fk-fp-", dir="/tmp")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def rig(sockdir):
    """An opened libfprint virtual_image reader plus the pretend sensor feeding it."""
    _need_libfprint()
    sock = f"{sockdir}/vi.sock"
    reader = open_reader(backend="libfprint", virtual_socket=sock)
    sensor = VirtualImageSensor(sock).connect()
    yield reader, sensor
    sensor.close()
    reader.close()


class Recorder:
    """Collects progress events and plays the sensor side through `actions` per place_finger."""

    def __init__(self, actions):
        self.events = []
        self.actions = list(actions)

    def __call__(self, ev):
        self.events.append(ev)
        if ev.kind == "place_finger" and self.actions:
            self.actions.pop(0)()

    @property
    def kinds(self):
        return [e.kind for e in self.events]


def test_virtual_reader_is_listed(sockdir):
    _need_libfprint()
    readers = list_readers(virtual_socket=f"{sockdir}/vi.sock")
    assert any(r.driver == "virtual_image" for r in readers)


def test_capture_returns_the_pressed_image_with_prompts(rig):
    reader, sensor = rig
    pressed = render(THUMB_A, capture=1)
    rec = Recorder([lambda: sensor.send_image(pressed)])
    image = reader.capture(progress=rec, timeout=20)
    assert image.pixels.shape == pressed.shape
    assert np.array_equal(image.pixels, pressed)
    assert image.dpi == 500
    assert rec.kinds == ["place_finger", "finger_present", "lift"]
    assert rec.events[0].message == "请将手指平放在指纹仪上"
    assert rec.events[2].message == "请抬起手指"
    # The PNG the card office gets decodes back to the same print.
    back = np.array(Image.open(io.BytesIO(image.to_png())))
    assert np.array_equal(back, pressed)


def test_retry_error_tells_the_officer_why_and_captures_again(rig):
    reader, sensor = rig
    pressed = render(THUMB_A, capture=2)
    rec = Recorder([lambda: sensor.send_retry(RETRY_TOO_SHORT), lambda: sensor.send_image(pressed)])
    image = reader.capture(progress=rec, timeout=20)
    assert np.array_equal(image.pixels, pressed)
    retries = [e for e in rec.events if e.kind == "retry"]
    assert len(retries) == 1 and "过短" in retries[0].message
    assert rec.kinds.count("place_finger") == 2  # asked again after the bad swipe


def test_device_error_mid_capture_is_a_clear_message(rig):
    reader, sensor = rig
    rec = Recorder([lambda: sensor.send_error(ERROR_GENERAL)])
    with pytest.raises(DeviceUnavailable) as err:
        reader.capture(progress=rec, timeout=20)
    assert err.value.code == "fingerprint_device_error"
    assert "指纹仪出错" in err.value.message


def test_reader_unplugged_mid_capture(rig):
    reader, sensor = rig
    rec = Recorder([lambda: sensor.send_error(ERROR_REMOVED)])
    with pytest.raises(DeviceUnavailable) as err:
        reader.capture(progress=rec, timeout=20)
    assert err.value.code == "fingerprint_removed"
    assert err.value.message == "指纹仪已断开连接，请重新插好后再试"


def test_sensor_gone_silent_does_not_hang(rig):
    """The cable end goes away without an error: the capture gives up at its timeout."""
    reader, sensor = rig
    rec = Recorder([sensor.close])
    t0 = time.monotonic()
    with pytest.raises(DeviceUnavailable) as err:
        reader.capture(progress=rec, timeout=1.5)
    assert err.value.code == "fingerprint_timeout"
    assert "未检测到手指" in err.value.message
    assert time.monotonic() - t0 < 10


def test_driver_crash_mid_capture_is_reported_not_hung(rig):
    """If libfprint dies (a driver abort), only the helper goes; the caller gets a message."""
    reader, _sensor = rig
    rec = Recorder([lambda: os.kill(reader.helper_pid, signal.SIGKILL)])
    with pytest.raises(DeviceUnavailable) as err:
        reader.capture(progress=rec, timeout=30)
    assert err.value.code == "fingerprint_unresponsive"
    assert "指纹仪无响应" in err.value.message


def test_cancel_from_another_thread_while_waiting_for_a_finger(rig):
    reader, sensor = rig
    asked = threading.Event()
    outcome = {}

    def worker():
        try:
            reader.capture(progress=lambda e: e.kind == "place_finger" and asked.set(), timeout=60)
        except BaseException as exc:
            outcome["exc"] = exc

    t = threading.Thread(target=worker)
    t.start()
    assert asked.wait(20)
    reader.cancel()  # what the dialog's Cancel button does, from the GUI thread
    t.join(10)
    assert not t.is_alive()
    assert isinstance(outcome.get("exc"), Cancelled)
    # The reader is still usable afterwards.
    pressed = render(THUMB_B, capture=1)
    image = reader.capture(progress=feed_on_place_finger(sensor, [pressed]), timeout=20)
    assert np.array_equal(image.pixels, pressed)


def test_a_failing_progress_callback_does_not_wedge_the_reader(rig):
    """A UI bug in the prompt callback surfaces, and the next capture still works."""
    reader, sensor = rig

    def broken(ev):
        raise RuntimeError("prompt widget gone")

    with pytest.raises(RuntimeError):
        reader.capture(progress=broken, timeout=20)
    pressed = render(THUMB_A, capture=3)
    image = reader.capture(progress=feed_on_place_finger(sensor, [pressed]), timeout=20)
    assert np.array_equal(image.pixels, pressed)


def test_cancel_callable_is_polled(rig):
    reader, _sensor = rig
    started = time.monotonic()
    with pytest.raises(Cancelled):
        reader.capture(cancel=lambda: time.monotonic() - started > 0.3, timeout=60)


def test_enroll_then_verify_same_finger_matches_other_does_not(rig, sockdir):
    reader, sensor = rig
    rec = Recorder([])
    presses = [render(THUMB_A, capture=k) for k in range(10, 20)]
    feed = feed_on_place_finger(sensor, presses)

    def progress(ev):
        rec(ev)
        feed(ev)

    enrolled = reader.enroll(Finger.RIGHT_THUMB, progress=progress, timeout=60)
    assert enrolled.stages == 5  # libfprint's image devices take five presses
    assert [e.done for e in rec.events if e.kind == "stage"] == [1, 2, 3, 4, 5]
    assert len(enrolled.template) > 100
    assert enrolled.finger is Finger.RIGHT_THUMB
    # Each accepted press comes back as an image too (the card office's picture, no extra press).
    assert len(enrolled.images) == 5
    assert np.array_equal(enrolled.images[0].pixels, presses[0])

    same = reader.verify(
        enrolled.template, progress=feed_on_place_finger(sensor, [render(THUMB_A, capture=31)]), timeout=20
    )
    assert same.matched
    assert same.image is not None
    for stranger in (OTHER, THUMB_B):
        other = reader.verify(
            enrolled.template, progress=feed_on_place_finger(sensor, [render(stranger, capture=32)]), timeout=20
        )
        assert not other.matched

    # The stored template still works in a later session (a new helper process).
    sensor.close()
    reader.close()
    sock = f"{sockdir}/vi2.sock"
    again = open_reader(backend="libfprint", virtual_socket=sock)
    try:
        with VirtualImageSensor(sock).connect() as s2:
            later = again.verify(
                enrolled.template, progress=feed_on_place_finger(s2, [render(THUMB_A, capture=40)]), timeout=20
            )
    finally:
        again.close()
    assert later.matched


def test_two_finger_workflow_with_one_fallback(rig):
    """Right thumb gives only poor prints, so the right index is taken; then the left thumb."""
    reader, sensor = rig
    planner = FingerPlanner(max_poor=2)
    hands = {
        Finger.RIGHT_THUMB: [render(THUMB_A, capture=1, area=0.4), render(THUMB_A, capture=2, brightness=-0.8)],
        Finger.RIGHT_INDEX: [render(SyntheticFinger("arch", 21), capture=1)],
        Finger.LEFT_THUMB: [render(THUMB_B, capture=1)],
    }
    messages = []
    while (finger := planner.next_finger()) is not None:
        press = hands[finger].pop(0)
        image, report = capture_checked(
            reader, finger, progress=feed_on_place_finger(sensor, [press]), timeout=20
        )
        if report.ok:
            planner.accept(finger, image)
        else:
            messages.append(report.message)
            planner.record_poor(finger)
    assert planner.complete
    assert planner.fingers() == [Finger.RIGHT_INDEX, Finger.LEFT_THUMB]
    assert [int(f) for f in planner.fingers()] == [12, 16]
    assert planner.unusable == {Finger.RIGHT_THUMB: "poor"}
    assert "面积太小" in messages[0] and "过暗" in messages[1]
    assert all(img.finger is f for f, img in planner.captured.items())


def test_enroll_checked_keeps_the_best_press_for_the_card_office(rig):
    reader, sensor = rig
    presses = [render(THUMB_B, capture=60, area=0.6)] + [render(THUMB_B, capture=60 + k) for k in range(1, 8)]
    enrolled, best, report = enroll_checked(
        reader, Finger.LEFT_THUMB, progress=feed_on_place_finger(sensor, presses), timeout=60
    )
    assert report is not None and report.ok
    assert best is not None and best.finger is Finger.LEFT_THUMB
    assert not np.array_equal(best.pixels, presses[0])  # the small first press is not chosen
    assert len(enrolled.template) > 100


def test_missing_library_is_a_plain_device_error():
    with pytest.raises(DeviceUnavailable) as err:
        open_reader(backend="libfprint", library="/nonexistent/libfprint-2.so.2")
    assert err.value.code == "no_libfprint"
    assert "libfprint" in err.value.message


def test_no_reader_attached(sockdir, monkeypatch):
    _need_libfprint()
    # No virtual socket and (on CI) no USB reader: libfprint finds nothing.
    if list_readers():
        pytest.skip("a real fingerprint reader is attached to this machine")
    with pytest.raises(DeviceUnavailable) as err:
        open_reader(backend="libfprint")
    assert err.value.code == "no_fingerprint_reader"
    assert "未检测到指纹仪" in err.value.message
