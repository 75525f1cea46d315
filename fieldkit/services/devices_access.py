"""The UI's and CLI's one door to the backpack devices: camera, fingerprint reader, card reader.

The UI may not import `fieldkit.devices` (layer rule), so it opens devices through here. Each
opener raises `DeviceUnavailable` with a plain Chinese message when the device or its library is
missing — the caller shows it and everything else keeps working (the officer can load a photo
from a file, type the card's fields, mark prints exempt). `device_status()` probes all three at
once for a "设备检查" panel.

Demo mode (env ``FIELDKIT_DEMO_DEVICES=1``, the store setting ``devices.demo`` = true, or a store
holding the demo township while ``devices.demo`` is unset) swaps
in the fakes: a camera that plays a generated portrait sequence (or ``$FIELDKIT_FAKE_CAMERA``),
the demo fingerprint reader (synthetic prints) and the demo card reader (a fictitious card).
Fakes are never chosen silently outside demo mode.

Card-reader configuration: env ``FIELDKIT_IDCARD_BACKEND`` (sdt | termb), ``FIELDKIT_IDCARD_LIBRARY``,
``FIELDKIT_WLT_LIBRARY``, or the store settings ``devices.idcard_backend`` / ``devices.idcard_library``
/ ``devices.wlt_library`` (the env wins: a station can pin hardware per laptop).

Threading: every function that touches a device blocks (opening a reader starts a helper process,
a capture waits for a finger) — call them from the UI worker, never on the GUI thread. The
returned device objects follow their own rules: one worker thread drives them; `cancel()` and
`FrameSource.stop()` may be called from the GUI thread.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fieldkit.devices import camera as _camera
from fieldkit.devices import fingerprint as _fp
from fieldkit.devices import idcard as _idcard
from fieldkit.domain.errors import DeviceUnavailable, UserFacingError

DEMO_ENV = "FIELDKIT_DEMO_DEVICES"
DEMO_SETTING = "devices.demo"

# Re-exported so the UI can name these without importing the devices layer.
CameraLost = _camera.CameraLost
Finger = _fp.Finger
FingerPlanner = _fp.FingerPlanner
CaptureEvent = _fp.CaptureEvent
IdCardInfo = _idcard.IdCardInfo
CardEvent = _idcard.CardEvent
Frame = _camera.Frame
FrameSource = _camera.FrameSource
LatestFrame = _camera.LatestFrame


def demo_mode(ws: Any = None) -> bool:
    """True when the fakes should stand in for the hardware (env first, then the store setting)."""
    env = os.environ.get(DEMO_ENV, "").strip().lower()
    if env:
        return env in ("1", "true", "yes", "on")
    if ws is not None:
        try:
            # A demo township comes with demo devices (the officer can try the card reader at
            # once), unless the setting says otherwise; real data never switches them on.
            demo_store = ws.store.settings.get("demo_seed") is not None
            return bool(ws.store.settings.get(DEMO_SETTING, demo_store))
        except UserFacingError:  # a locked store: no setting to read, so no demo
            return False
    return False


def _setting(ws: Any, env: str, key: str) -> str | None:
    value = os.environ.get(env)
    if value:
        return value
    if ws is None:
        return None
    try:
        stored = ws.store.settings.get(key)
    except UserFacingError:
        return None
    return str(stored) if stored else None


# -- camera ---------------------------------------------------------------------------------
def _demo_camera_backend() -> _camera.CameraBackend:
    fake = os.environ.get(_camera.FAKE_CAMERA_ENV)
    if fake:
        return _camera.default_backend()
    return _camera.FileCameraBackend([str(demo_portrait_sequence())], loop=True, pace_fps=15)


# What the doorplate scanner's capture and decode threads use (ui/scan/feed.py): the camera
# backend and its frame loop, the mailbox between them, and a QR decoder per thread.
FrameSource = _camera.FrameSource
LatestFrame = _camera.LatestFrame


def camera_backend() -> Any:
    """The backend the doorplate scanner opens: the attached webcams (or, in tests, the fake
    camera named by FIELDKIT_FAKE_CAMERA). Demo mode's portrait camera is for ID photos only."""
    return _camera.default_backend()


def qr_decoder() -> Any:
    """A doorplate QR decoder (`devices.qr.create_decoder`); one per thread: not thread-safe."""
    from fieldkit.devices.qr import create_decoder

    return create_decoder()


def list_cameras(ws: Any = None) -> list[Any]:
    """`CameraInfo`s of the attached cameras (the demo camera in demo mode)."""
    backend = _demo_camera_backend() if demo_mode(ws) else _camera.default_backend()
    return _camera.list_cameras(backend)


def open_camera(ws: Any = None, index: int | None = None, width: int = 1280, height: int = 720) -> Any:
    """Open a camera (default: the first). Raises `DeviceUnavailable` when there is none."""
    backend = _demo_camera_backend() if demo_mode(ws) else None
    return _camera.open_camera(index, width, height, backend=backend)


def frame_source(camera: Any, on_frame: Callable[[Any], None],
                 on_error: Callable[[UserFacingError], None] | None = None) -> Any:
    """The capture loop for one worker job: `run()` blocks until `stop()` (any thread)."""
    return _camera.FrameSource(camera, on_frame, on_error)


def demo_portrait_sequence(cache: Path | None = None) -> str:
    """An image-sequence pattern (``…/portrait_%02d.png``) the demo camera plays.

    Built once per machine from scikit-image's astronaut portrait when that package is present
    (it ships the picture; nothing is downloaded): her head and shoulders on a white cloth, with
    a little sensor noise and sway so the preview looks alive. Without scikit-image the frames
    show only the backdrop, and the photo checks say "no face" — which is still a fair demo.
    """
    folder = cache or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fieldkit" / "demo-camera"
    pattern = folder / "portrait_%02d.png"
    frames = 8
    if (folder / f"portrait_{frames - 1:02d}.png").exists():
        return str(pattern)
    from PIL import Image  # only for the demo; kept out of start-up

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="fieldkit-demo-camera-"))
        pattern = folder / "portrait_%02d.png"
    base = _demo_portrait()
    rng = np.random.default_rng(3)
    for k in range(frames):
        shift = round(4 * np.sin(k / frames * 2 * np.pi))  # a gentle sway
        frame = np.roll(base, shift, axis=1).astype(np.float32) + rng.normal(0, 2.0, base.shape)
        Image.fromarray(np.clip(frame, 0, 255).astype(np.uint8)).save(folder / f"portrait_{k:02d}.png")
    return str(pattern)


def _demo_portrait() -> np.ndarray:
    """RGB 1280×720: the astronaut's head and shoulders cut out with soft ellipses on white."""
    h, w = 720, 1280
    canvas = np.full((h, w, 3), 246.0, np.float32)
    try:
        from skimage import data  # a dev dependency; the demo degrades without it
    except ImportError:
        return canvas.astype(np.uint8)
    from PIL import Image

    src = data.astronaut().astype(np.float32)  # 512×512 RGB
    yy, xx = np.mgrid[0:512, 0:512].astype(np.float32)

    def ellipse(cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
        return (((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2) <= 1.0

    # Fixed hints for this picture (the flag is left, the shuttle model right of her head).
    mask = ellipse(226, 108, 66, 92) | ellipse(214, 232, 96, 64)
    mask |= (yy >= 250) & (xx >= 70) & (xx <= 360)
    alpha = mask.astype(np.float32)
    for _ in range(3):  # soften the edge a little (box blur, numpy only)
        alpha = (alpha + np.roll(alpha, 1, 0) + np.roll(alpha, -1, 0) + np.roll(alpha, 1, 1) + np.roll(alpha, -1, 1)) / 5
    scale = 1.25
    size = int(512 * scale)
    src_img = Image.fromarray(src.astype(np.uint8)).resize((size, size), Image.Resampling.BICUBIC)
    a_img = Image.fromarray((alpha * 255).astype(np.uint8)).resize((size, size), Image.Resampling.BILINEAR)
    person = np.asarray(src_img, np.float32)
    a = np.asarray(a_img, np.float32)[..., None] / 255.0
    x0, y0 = (w - size) // 2, 40
    region = canvas[y0 : y0 + size, x0 : x0 + size]
    rows = min(size, h - y0)
    region[:rows] = person[:rows] * a[:rows] + region[:rows] * (1 - a[:rows])
    return canvas.astype(np.uint8)


# -- fingerprint reader ---------------------------------------------------------------------
def open_fingerprint_reader(ws: Any = None, *, virtual_socket: str | None = None) -> Any:
    """The fingerprint reader: libfprint's first reader, or the demo reader in demo mode.

    `virtual_socket` drives libfprint's virtual_image driver (tests, bench, a training laptop).
    Raises `DeviceUnavailable` (no libfprint / no reader / no USB permission).
    """
    if demo_mode(ws) and virtual_socket is None:
        return _fp.open_reader(backend="fake")
    return _fp.open_reader(backend="libfprint", virtual_socket=virtual_socket)


# -- ID-card reader -------------------------------------------------------------------------
def open_card_reader(ws: Any = None, *, backend: str | None = None, library: str | None = None,
                     wlt_library: str | None = None) -> Any:
    """The 2nd-generation ID-card reader as configured (SDT by default; the fake in demo mode)."""
    if demo_mode(ws) and backend is None:
        return _idcard.FakeIdCardReader(photo_png=_demo_chip_photo())
    backend = backend or _setting(ws, "FIELDKIT_IDCARD_BACKEND", "devices.idcard_backend") or "sdt"
    if backend not in ("sdt", "termb", "fake"):
        raise UserFacingError(f"未知的身份证阅读器类型：{backend}（应为 sdt 或 termb）",
                              message_en=f"Unknown ID-card reader type {backend!r} (sdt or termb)",
                              code="bad_setting")
    return _idcard.open_card_reader(
        backend=backend,
        library=library or _setting(ws, "FIELDKIT_IDCARD_LIBRARY", "devices.idcard_library"),
        wlt_library=wlt_library or _setting(ws, "FIELDKIT_WLT_LIBRARY", "devices.wlt_library"),
    )


@functools.lru_cache(maxsize=1)
def _demo_chip_photo() -> bytes:
    """The demo card's chip photo: the demo portrait's head, 102×126 like a real chip's."""
    import io

    from PIL import Image

    head = Image.fromarray(_demo_portrait()).crop((440, 40, 840, 534)).resize((102, 126), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    head.save(out, format="PNG")
    return out.getvalue()


def read_card(reader: Any, *, progress: Callable[[Any], None] | None = None,
              cancel: Callable[[], bool] | None = None, timeout: float = 30.0) -> Any:
    """Wait for a card and read it (`IdCardInfo`). Blocks up to `timeout` s; worker thread."""
    return reader.read_card(progress=progress, cancel=cancel, timeout=timeout)


# -- all at once ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DeviceStatus:
    """One device's state for the "设备检查" panel: `ok` False comes with the reason."""

    kind: str  # "camera" | "fingerprint" | "idcard"
    label: str
    label_en: str
    ok: bool
    message: str
    message_en: str
    demo: bool = False


def device_status(ws: Any = None) -> list[DeviceStatus]:
    """Probe the camera, fingerprint reader and card reader; never raises for a missing device.

    Opens and closes each reader (~0.5 s with libfprint): worker thread only.
    """
    demo = demo_mode(ws)
    out = []

    def probe(kind: str, label: str, label_en: str, fn: Callable[[], tuple[str, str]]) -> None:
        try:
            zh, en = fn()
            out.append(DeviceStatus(kind, label, label_en, True, zh, en, demo))
        except UserFacingError as e:
            out.append(DeviceStatus(kind, label, label_en, False, e.message, e.message_en or e.message, demo))

    def cam() -> tuple[str, str]:
        cams = list_cameras(ws)
        if not cams:
            raise DeviceUnavailable(_camera.NO_CAMERA_ZH, message_en=_camera.NO_CAMERA_EN, code="no_camera")
        return f"已连接：{cams[0].name}", f"Connected: {cams[0].name}"

    def finger() -> tuple[str, str]:
        reader = open_fingerprint_reader(ws)
        try:
            return f"已连接：{reader.info.name}", f"Connected: {reader.info.name}"
        finally:
            reader.close()

    def card() -> tuple[str, str]:
        reader = open_card_reader(ws)
        reader.close()
        return "已连接", "Connected"

    probe("camera", "摄像头", "Camera", cam)
    probe("fingerprint", "指纹仪", "Fingerprint reader", finger)
    probe("idcard", "身份证阅读器", "ID-card reader", card)
    return out
