"""The camera layer: real files played through the real cv2.VideoCapture path, unplug, the loop.

No webcam exists on CI, so the real backend is tested on what it can do there: enumerate
nothing, and refuse to open a missing device with the Chinese message the user sees.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from fieldkit.devices.camera import (
    FAKE_CAMERA_ENV,
    CameraLost,
    FileCameraBackend,
    Frame,
    FrameSource,
    LatestFrame,
    OpenCvBackend,
    default_backend,
    open_camera,
)
from fieldkit.domain.errors import DeviceUnavailable, ExitCode

N_FRAMES = 12
SIZE = (320, 240)


def _frame(i: int) -> np.ndarray:
    """Frame i carries its number as the blue level (i*20) so order survives MJPG compression."""
    img = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    img[:] = (i * 20, 90, 160)
    cv2.putText(img, str(i), (110, 160), cv2.FONT_HERSHEY_SIMPLEX, 3, (255, 255, 255), 5)
    return img


def _number(frame: Frame) -> int:
    return round(float(np.median(frame.image[:20, :20, 0])) / 20)


@pytest.fixture(scope="module")
def video(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cam") / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30, SIZE)
    assert writer.isOpened()
    for i in range(N_FRAMES):
        writer.write(_frame(i))
    writer.release()
    return path


@pytest.fixture(scope="module")
def sequence(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("seq")
    for i in range(5):
        cv2.imwrite(str(folder / f"img_{i:03d}.png"), _frame(i))
    return str(folder / "img_%03d.png")


def test_fake_plays_a_video_file_in_order_with_timestamps(video):
    cam = open_camera(backend=FileCameraBackend([video], loop=False))
    try:
        assert cam.resolution() == SIZE
        frames = [cam.read() for _ in range(N_FRAMES)]
    finally:
        cam.close()
    assert [_number(f) for f in frames] == list(range(N_FRAMES))
    assert all(f.image.shape == (SIZE[1], SIZE[0], 3) and f.image.dtype == np.uint8 for f in frames)
    assert [f.seq for f in frames] == list(range(N_FRAMES))
    stamps = [f.timestamp_ms for f in frames]
    assert stamps == sorted(stamps)


def test_fake_loops_for_demo_mode(video):
    cam = FileCameraBackend([video], loop=True).open(0)
    numbers = [_number(cam.read()) for _ in range(N_FRAMES + 3)]
    cam.close()
    assert numbers[N_FRAMES:] == [0, 1, 2]


def test_fake_plays_an_image_sequence(sequence):
    cam = FileCameraBackend([sequence], loop=True).open(0)
    numbers = [_number(cam.read()) for _ in range(7)]
    cam.close()
    assert numbers == [0, 1, 2, 3, 4, 0, 1]


def test_camera_unplugged_mid_stream_raises_camera_lost(video):
    """A clip that ends without looping is a camera whose reads start failing."""
    cam = FileCameraBackend([video], loop=False, grace_ms=150).open(0)
    for _ in range(N_FRAMES):
        cam.read()
    with pytest.raises(CameraLost) as e:
        cam.read()
    assert isinstance(e.value, DeviceUnavailable) and e.value.exit_code == ExitCode.DEVICE
    assert e.value.code == "camera_lost" and "已断开" in e.value.message
    cam.close()
    with pytest.raises(CameraLost):  # a closed camera says so instead of hanging
        cam.read()


def test_frame_source_stops_on_request_and_closes_the_camera(video):
    cam = FileCameraBackend([video], loop=True, pace_fps=200).open(0)
    got: list[int] = []
    enough = threading.Event()

    def on_frame(frame: Frame) -> None:
        got.append(frame.seq)
        if len(got) >= 20:
            enough.set()

    source = FrameSource(cam, on_frame)
    worker = threading.Thread(target=source.run)
    worker.start()
    assert enough.wait(30)
    source.stop()
    worker.join(30)
    assert not worker.is_alive()
    assert source.error is None and source.frames == len(got) >= 20
    with pytest.raises(CameraLost):
        cam.read()


def test_frame_source_reports_an_unplug_and_ends(video):
    cam = FileCameraBackend([video], loop=False, grace_ms=100).open(0)
    errors = []
    source = FrameSource(cam, lambda f: None, errors.append)
    worker = threading.Thread(target=source.run)
    worker.start()
    worker.join(30)
    assert not worker.is_alive()
    assert source.frames == N_FRAMES
    assert len(errors) == 1 and isinstance(errors[0], CameraLost) and source.error is errors[0]


def test_no_camera_is_a_device_error_in_chinese():
    with pytest.raises(DeviceUnavailable) as e:
        open_camera(backend=FileCameraBackend([]))
    assert e.value.code == "no_camera" and "没有找到摄像头" in e.value.message
    assert e.value.exit_code == ExitCode.DEVICE


def test_real_backend_lists_v4l2_nodes_and_refuses_a_missing_device(tmp_path):
    assert OpenCvBackend(dev_glob=str(tmp_path / "video*")).list_cameras() == []
    (tmp_path / "video3").touch()
    (tmp_path / "video10").touch()
    cams = OpenCvBackend(dev_glob=str(tmp_path / "video*")).list_cameras()
    assert [c.index for c in cams] == [3, 10]
    with pytest.raises(DeviceUnavailable) as e:
        OpenCvBackend().open(63)  # no /dev/video63 here: the real open fails fast
    assert e.value.code == "camera_open_failed" and "无法打开摄像头" in e.value.message


def test_fake_camera_reports_its_file_size_and_no_autofocus(video):
    cam = FileCameraBackend([video]).open(0, 1920, 1080)
    assert cam.resolution() == SIZE  # a file has the size it has
    assert cam.set_autofocus(True) is False
    assert "clip.avi" in cam.info.name
    cam.close()


def test_demo_mode_environment_plays_the_named_file(video, monkeypatch):
    monkeypatch.setenv(FAKE_CAMERA_ENV, str(video))
    backend = default_backend()
    assert isinstance(backend, FileCameraBackend)
    with open_camera(backend=backend) as cam:
        assert cam.read().image.shape[:2] == (SIZE[1], SIZE[0])


def test_slow_consumer_gets_the_newest_frame_and_never_a_backlog(video):
    """A decoder slower than the camera skips frames instead of falling behind."""
    cam = FileCameraBackend([video], loop=True, pace_fps=200).open(0)
    box = LatestFrame()
    source = FrameSource(cam, box.put)
    worker = threading.Thread(target=source.run)
    worker.start()
    seen: list[int] = []
    last = -1
    try:
        while len(seen) < 5:
            frame = box.get(newer_than=last, timeout_ms=10_000)
            assert frame is not None
            seen.append(frame.seq)
            last = frame.seq
            threading.Event().wait(0.1)  # "decoding" takes 20 frame periods
    finally:
        source.stop()
        worker.join(30)
    assert seen == sorted(set(seen))  # never the same frame twice, never an older one
    assert seen[-1] - seen[0] > len(seen) - 1  # frames were skipped, not queued
    assert source.fps > 0
    assert box.get(newer_than=source.frames + 100, timeout_ms=10) is None
