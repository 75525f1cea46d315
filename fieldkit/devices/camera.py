"""Webcams: list them, open one, read BGR frames with timestamps, notice an unplug.

Used by the ID-photo capture dialog and the doorplate scan view. One Protocol (`Camera`), one
real backend (`OpenCvCamera` over ``cv2.VideoCapture``; V4L2 on Linux, the OS default
elsewhere), a fake for tests and demo mode (`FileCameraBackend`: plays a real video file or
image sequence *through the same* ``cv2.VideoCapture`` decode path), and a factory
(`open_camera`) that raises `DeviceUnavailable` with a Chinese message when there is no camera.

Threading: `Camera.read()` blocks until a frame arrives (tens of ms at 30 fps) and must run in a
worker thread, never on the GUI thread. A `Camera` belongs to one thread at a time; only
`FrameSource.stop()` may be called from another thread. `FrameSource` is the worker loop the UI
wraps (no Qt here); `LatestFrame` hands the newest frame to a slower consumer (the QR decoder)
without a backlog. Units: resolution in px, times in ms (`time.monotonic()` based).
"""

from __future__ import annotations

import glob
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from fieldkit import platform_io
from fieldkit.domain.errors import DeviceUnavailable, UserFacingError

DEFAULT_GRACE_MS = 2000  # consecutive failed reads for this long = camera gone
FAKE_CAMERA_ENV = "FIELDKIT_FAKE_CAMERA"  # demo mode: a video file or image pattern to play


@dataclass(frozen=True)
class CameraInfo:
    index: int  # what `open_camera(index)` takes
    name: str  # what the camera chooser shows (a demo camera: the file it plays)
    path: str | None = None  # /dev/videoN, or the file a fake plays
    demo: bool = False  # a file played as a camera (demo mode and tests), named so by the UI


@dataclass(frozen=True)
class Frame:
    image: np.ndarray  # BGR uint8, H×W×3
    timestamp_ms: float  # monotonic clock when the frame was read
    seq: int  # 0, 1, 2 … per opened camera


class CameraLost(DeviceUnavailable):
    """The camera stopped delivering frames (unplugged, driver reset, file ended)."""

    default_code = "camera_lost"


class Camera(Protocol):
    info: CameraInfo

    def read(self) -> Frame: ...
    def resolution(self) -> tuple[int, int]: ...
    def set_resolution(self, width: int, height: int) -> tuple[int, int]: ...
    def set_autofocus(self, enabled: bool) -> bool: ...
    def close(self) -> None: ...
    def __enter__(self) -> Camera: ...
    def __exit__(self, *exc: object) -> None: ...


class CameraBackend(Protocol):
    def list_cameras(self) -> list[CameraInfo]: ...
    def open(self, index: int, width: int = 1280, height: int = 720) -> Camera: ...


class OpenCvCamera:
    """A ``cv2.VideoCapture`` with frame timestamps and unplug detection.

    `read()` retries failed grabs for `grace_ms` (a USB hiccup, a webcam still starting) and
    then raises `CameraLost`. With `loop=True` (files only) the end of the media rewinds instead.
    """

    def __init__(self, cap: cv2.VideoCapture, info: CameraInfo, *, grace_ms: float = DEFAULT_GRACE_MS,
                 loop: bool = False, pace_fps: float | None = None) -> None:
        self._cap = cap
        self.info = info
        self.grace_ms = grace_ms
        self._loop = loop
        self._period_s = 1.0 / pace_fps if pace_fps else 0.0
        self._last = 0.0
        self._seq = 0
        self._closed = False

    def read(self) -> Frame:
        if self._closed:
            raise CameraLost("摄像头已关闭", message_en="The camera is closed")
        if self._period_s:  # a file plays at camera speed, not as fast as it decodes
            wait = self._last + self._period_s - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        deadline = time.monotonic() + self.grace_ms / 1000.0
        rewound = False  # rewind once per read: a file that fails even from the start is broken
        while True:
            ok, image = self._cap.read()
            if ok and image is not None and image.size:
                self._last = time.monotonic()
                frame = Frame(_as_bgr(image), self._last * 1000.0, self._seq)
                self._seq += 1
                return frame
            if self._loop and not rewound:
                rewound = True
                if self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0):
                    continue
            if time.monotonic() >= deadline:
                raise CameraLost(
                    f"摄像头“{self.info.name}”已断开或停止出图，请检查 USB 连接后重新打开",
                    message_en=f"Camera '{self.info.name}' was disconnected or stopped sending frames: "
                    "check the USB cable and reopen it",
                )
            time.sleep(0.02)

    def resolution(self) -> tuple[int, int]:
        return int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))

    def set_resolution(self, width: int, height: int) -> tuple[int, int]:
        """Ask for a resolution (px); returns what the camera actually gives."""
        self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        return self.resolution()

    def set_autofocus(self, enabled: bool) -> bool:
        """A hint: True when the driver accepted it (many webcams have fixed focus)."""
        return bool(self._cap.set(cv2.CAP_PROP_AUTOFOCUS, 1 if enabled else 0))

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._cap.release()

    def __enter__(self) -> OpenCvCamera:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _as_bgr(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


class OpenCvBackend:
    """Real webcams. On Linux: the V4L2 capture nodes under /dev; elsewhere: probe indices 0–3."""

    def __init__(self, *, grace_ms: float = DEFAULT_GRACE_MS, dev_glob: str = "/dev/video*") -> None:
        self.grace_ms = grace_ms
        self._dev_glob = dev_glob
        # OpenCV's V4L2 backend waits up to 10 s (its default) in select() for a frame; a webcam
        # that froze without vanishing would block read() and the FrameSource stop that long.
        # Seconds; read by OpenCV when the first V4L2 capture opens.
        os.environ.setdefault("OPENCV_VIDEOIO_V4L_SELECT_TIMEOUT", "2")

    def list_cameras(self) -> list[CameraInfo]:
        if platform_io.is_linux():
            return self._list_v4l2()
        found = []
        for i in range(4):  # other systems have no device list OpenCV can read; probe a few
            cap = cv2.VideoCapture(i)
            if cap.isOpened():
                found.append(CameraInfo(i, f"摄像头 {i}"))
            cap.release()
        return found

    def _list_v4l2(self) -> list[CameraInfo]:
        cams = []
        for path in sorted(glob.glob(self._dev_glob), key=_dev_number):
            m = re.search(r"(\d+)$", path)
            if not m:
                continue
            n = int(m.group(1))
            sys_dir = Path("/sys/class/video4linux") / f"video{n}"
            # UVC webcams expose a second node per camera for metadata (index 1): not a picture source.
            if _read_text(sys_dir / "index", "0") != "0":
                continue
            cams.append(CameraInfo(n, _read_text(sys_dir / "name", f"video{n}"), path))
        return cams

    def open(self, index: int, width: int = 1280, height: int = 720) -> OpenCvCamera:
        api = cv2.CAP_V4L2 if platform_io.is_linux() else cv2.CAP_ANY
        cap = cv2.VideoCapture(index, api)
        if not cap.isOpened():
            cap.release()
            raise DeviceUnavailable(
                f"无法打开摄像头 {index}（可能已拔出或被其他程序占用）",
                message_en=f"Cannot open camera {index} (unplugged, or in use by another program)",
                code="camera_open_failed",
            )
        # MJPG lets USB 2 webcams deliver 720p at 30 fps; raw YUYV often drops to 5–10 fps.
        cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
        cap.set(cv2.CAP_PROP_READ_TIMEOUT_MSEC, self.grace_ms)  # honoured by some backends only
        info = next((c for c in self.list_cameras() if c.index == index), CameraInfo(index, f"摄像头 {index}"))
        cam = OpenCvCamera(cap, info, grace_ms=self.grace_ms)
        cam.set_resolution(width, height)
        return cam


def _dev_number(path: str) -> int:
    m = re.search(r"(\d+)$", path)
    return int(m.group(1)) if m else 1 << 30


def _read_text(path: Path, default: str) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip() or default
    except OSError:
        return default


class FileCameraBackend:
    """The fake camera: each source is a video file or an image-sequence pattern (``img_%03d.png``).

    Frames go through ``cv2.VideoCapture`` exactly as a webcam's do (real demuxing and decoding).
    `loop=True` replays forever (demo mode); `loop=False` lets the end of the file behave like an
    unplugged camera: reads fail, and after `grace_ms` `CameraLost` is raised. `pace_fps` plays
    at that rate instead of as fast as the decoder runs. Requested resolutions are ignored: a
    file has the size it has, which `resolution()` reports.
    """

    def __init__(self, sources: Sequence[str | Path], *, loop: bool = True, grace_ms: float = 300,
                 pace_fps: float | None = None) -> None:
        self.sources = [str(s) for s in sources]
        self.loop = loop
        self.grace_ms = grace_ms
        self.pace_fps = pace_fps

    def list_cameras(self) -> list[CameraInfo]:
        return [CameraInfo(i, Path(s).name, s, demo=True) for i, s in enumerate(self.sources)]

    def open(self, index: int, width: int = 1280, height: int = 720) -> OpenCvCamera:
        if not 0 <= index < len(self.sources):
            raise DeviceUnavailable(f"没有编号为 {index} 的摄像头", message_en=f"No camera number {index}",
                                    code="camera_open_failed")
        src = self.sources[index]
        api = cv2.CAP_IMAGES if "%" in src else cv2.CAP_ANY
        cap = cv2.VideoCapture(src, api)
        if not cap.isOpened():
            cap.release()
            raise DeviceUnavailable(f"无法打开演示视频 {src}", message_en=f"Cannot open demo video {src}",
                                    code="camera_open_failed")
        return OpenCvCamera(cap, self.list_cameras()[index], grace_ms=self.grace_ms, loop=self.loop,
                            pace_fps=self.pace_fps)


NO_CAMERA_ZH = "没有找到摄像头：请插上 USB 摄像头后重试；也可以选择“从文件导入”照片"
NO_CAMERA_EN = "No camera found: plug in a USB webcam and retry, or import the photo from a file"


def default_backend() -> CameraBackend:
    """The real backend, or the file fake when $FIELDKIT_FAKE_CAMERA names a video (demo mode)."""
    fake = os.environ.get(FAKE_CAMERA_ENV)
    if fake:
        return FileCameraBackend([p for p in fake.split(os.pathsep) if p], loop=True, pace_fps=30)
    return OpenCvBackend()


def list_cameras(backend: CameraBackend | None = None) -> list[CameraInfo]:
    return (backend or default_backend()).list_cameras()


def open_camera(index: int | None = None, width: int = 1280, height: int = 720, *,
                backend: CameraBackend | None = None) -> Camera:
    """Open camera `index` (default: the first listed) at about `width`×`height` px.

    Raises `DeviceUnavailable` (exit code 6 in the CLI) when there is none or it cannot be opened.
    """
    backend = backend or default_backend()
    cams = backend.list_cameras()
    if not cams:
        raise DeviceUnavailable(NO_CAMERA_ZH, message_en=NO_CAMERA_EN, code="no_camera")
    if index is None:
        index = cams[0].index
    return backend.open(index, width, height)


class FrameSource:
    """The capture loop for a worker thread: read frames and hand each to `on_frame` until stopped.

    `run()` blocks and returns when `stop()` is called (from any thread; takes effect after the
    frame being read: within one frame period, at worst the 2 s V4L2 wait of a frozen webcam),
    or when the camera fails: then `on_error`
    receives the `UserFacingError` (e.g. `CameraLost`) and `error` keeps it. The camera is
    closed when `run()` returns. `on_frame` runs on the worker thread: the UI must hand frames
    to the GUI thread itself (a queued signal), and should drop frames it is too busy for.
    """

    def __init__(self, camera: Camera, on_frame: Callable[[Frame], None],
                 on_error: Callable[[UserFacingError], None] | None = None, *,
                 close_on_exit: bool = True) -> None:
        self.camera = camera
        self._on_frame = on_frame
        self._on_error = on_error
        self._stop = threading.Event()
        self._close = close_on_exit
        self.error: UserFacingError | None = None
        self.frames = 0
        self._stamps: deque[float] = deque(maxlen=31)

    @property
    def fps(self) -> float:
        """Frames per second over the last ~30 frames (0 until two have arrived)."""
        stamps = list(self._stamps)
        if len(stamps) < 2 or stamps[-1] <= stamps[0]:
            return 0.0
        return (len(stamps) - 1) * 1000.0 / (stamps[-1] - stamps[0])

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    frame = self.camera.read()
                except UserFacingError as e:
                    self.error = e
                    if self._on_error:
                        self._on_error(e)
                    return
                if self._stop.is_set():
                    return
                self.frames += 1
                self._stamps.append(frame.timestamp_ms)
                self._on_frame(frame)
        finally:
            if self._close:
                self.camera.close()


class LatestFrame:
    """A one-frame mailbox between the capture loop and a slower consumer (QR decoder, ID photo).

    The capture thread `put`s every frame; a consumer thread `get`s the newest one it has not
    seen, so a decoder that takes 40 ms never makes the preview wait or builds a backlog —
    frames it had no time for are simply skipped. Thread-safe.
    """

    def __init__(self) -> None:
        self._frame: Frame | None = None
        self._cond = threading.Condition()

    def put(self, frame: Frame) -> None:
        with self._cond:
            self._frame = frame
            self._cond.notify_all()

    def get(self, newer_than: int = -1, timeout_ms: float = 1000.0) -> Frame | None:
        """The newest frame with `seq > newer_than`, waiting up to `timeout_ms`; None on timeout."""
        deadline = time.monotonic() + timeout_ms / 1000.0
        with self._cond:
            while self._frame is None or self._frame.seq <= newer_than:
                left = deadline - time.monotonic()
                if left <= 0 or not self._cond.wait(left):
                    if self._frame is not None and self._frame.seq > newer_than:
                        break
                    return None
            return self._frame
