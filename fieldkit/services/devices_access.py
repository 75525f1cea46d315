"""The UI's and CLI's one door to the backpack devices: camera, fingerprint reader, card reader, GPS.

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

The settings dialog's 设备 section chooses the card reader type (``devices.idcard_backend``:
sdt | termb | none | fake), the camera (``devices.camera``, an index from `list_cameras`) and the
GPS receiver's serial port (``devices.gps_port``, "" for the first USB receiver found), kept in
the encrypted store: `device_settings(ws)` / `save_device_settings(ws, values)`; its 测试 buttons
call `try_device(ws, kind, value)`, which answers in words and never raises for a missing device.

Threading: every function that touches a device blocks (opening a reader starts a helper process,
a capture waits for a finger) — call them from the UI worker, never on the GUI thread. The
returned device objects follow their own rules: one worker thread drives them; `cancel()` and
`FrameSource.stop()` may be called from the GUI thread.
"""

from __future__ import annotations

import functools
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fieldkit import platform_io
from fieldkit.devices import camera as _camera
from fieldkit.devices import fingerprint as _fp
from fieldkit.devices import gps as _gps
from fieldkit.devices import idcard as _idcard
from fieldkit.domain.errors import Cancelled, DeviceUnavailable, UserFacingError

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
GpsFix = _gps.Fix

CARD_READER_SETTING = "devices.idcard_backend"
CAMERA_SETTING = "devices.camera"
GPS_PORT_SETTING = "devices.gps_port"
# (value, Chinese, English) as the settings dialog offers them; "none" = no reader on this laptop.
CARD_READER_TYPES = (
    ("sdt", "SDT 通用阅读器（华视、神思等）", "SDT reader (most models)"),
    ("termb", "termb 阅读器（精伦等）", "termb reader"),
    ("none", "不使用阅读器（手工录入）", "No reader (type the card in)"),
    ("fake", "演示（虚构身份证）", "Demo (a fictitious card)"),
)


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


def qr_video_decoder() -> Any:
    """The live view's decoder (`devices.qr_video.VideoDecoder`): each frame alone, then the
    aligned average of the last few; keeps recent frames, so one per decode thread."""
    from fieldkit.devices.qr_video import VideoDecoder

    return VideoDecoder()


def list_cameras(ws: Any = None) -> list[Any]:
    """`CameraInfo`s of the attached cameras (the demo camera in demo mode)."""
    backend = _demo_camera_backend() if demo_mode(ws) else _camera.default_backend()
    return _camera.list_cameras(backend)


def open_camera(ws: Any = None, index: int | None = None, width: int = 1280, height: int = 720) -> Any:
    """Open a camera (default: the one chosen in settings, else the first). Raises
    `DeviceUnavailable` when there is none."""
    return open_chosen_camera(camera_choice(ws, index), width, height)


def camera_choice(ws: Any = None, index: int | None = None) -> tuple[int | None, bool]:
    """(camera index or None for the first, demo mode?) as the store says: plain data, read on
    the store's thread, so that opening the camera (a second for a webcam) can happen elsewhere."""
    return (index if index is not None else _camera_setting(ws)), demo_mode(ws)


def open_chosen_camera(choice: tuple[int | None, bool], width: int = 1280, height: int = 720) -> Any:
    """Open the camera `camera_choice` named; touches no store (any thread)."""
    index, demo = choice
    return _camera.open_camera(index, width, height, backend=_demo_camera_backend() if demo else None)


def _camera_setting(ws: Any) -> int | None:
    chosen = _stored(ws, CAMERA_SETTING)
    return chosen if isinstance(chosen, int) and not isinstance(chosen, bool) else None


def _stored(ws: Any, key: str) -> Any:
    if ws is None:
        return None
    try:
        return ws.store.settings.get(key)
    except UserFacingError:  # a locked store
        return None


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
    folder = cache or platform_io.user_dir("cache") / "demo-camera"
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
    if virtual_socket is not None:
        return _fp.open_reader(backend="libfprint", virtual_socket=virtual_socket)
    return _fp.open_reader()  # libfprint, or the Windows Biometric Framework on Windows


# -- ID-card reader -------------------------------------------------------------------------
def open_card_reader(ws: Any = None, *, backend: str | None = None, library: str | None = None,
                     wlt_library: str | None = None) -> Any:
    """The 2nd-generation ID-card reader as configured (SDT by default; the fake in demo mode)."""
    if demo_mode(ws) and backend is None:
        return _idcard.FakeIdCardReader(photo_png=_demo_chip_photo())
    backend = backend or _setting(ws, "FIELDKIT_IDCARD_BACKEND", CARD_READER_SETTING) or "sdt"
    if backend == "none":
        raise DeviceUnavailable("设置里选了“不使用阅读器”：请手工录入身份证信息，或在“设置 → 设备”里选择阅读器类型",
                                message_en="Settings say this laptop has no card reader: type the card in, "
                                           "or choose the reader type under Settings → Devices",
                                code="no_card_reader")
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

    return [_probe("camera", "摄像头", "Camera", cam, demo),
            _probe("fingerprint", "指纹仪", "Fingerprint reader", finger, demo),
            _probe("idcard", "身份证阅读器", "ID-card reader", card, demo)]


def _probe(kind: str, label: str, label_en: str, fn: Callable[[], tuple[str, str]], demo: bool) -> DeviceStatus:
    """Run one device check and say in words what it found; a missing device is not an error."""
    try:
        zh, en = fn()
    except UserFacingError as e:
        return DeviceStatus(kind, label, label_en, False, e.message, e.message_en or e.message, demo)
    return DeviceStatus(kind, label, label_en, True, zh, en, demo)


# -- GPS receiver ---------------------------------------------------------------------------
GPS_SLICE_S = 1.5  # how often a read looks at `cancel`; receivers speak once a second


def gps_ports() -> list[str]:
    """Serial ports that look like a USB GPS receiver, likeliest first (for the chooser)."""
    return _gps.candidate_ports()


def open_gps(ws: Any = None, port: str | None = None) -> Any:
    """The GPS receiver: `port`, else the one chosen in settings, else the first USB one found
    (``$FIELDKIT_GPS_PORT`` wins, "fake" for the demo receiver; demo mode uses it too).
    Raises `DeviceUnavailable` with the reason when there is none."""
    if port == "fake" or (demo_mode(ws) and port is None):
        return _gps.open_gps(fake=True)
    if port is None and not os.environ.get("FIELDKIT_GPS_PORT"):
        port = str(_stored(ws, GPS_PORT_SETTING) or "") or None
    return _gps.open_gps(port)


def read_gps_fix(receiver: Any, *, timeout: float = 10.0, progress: Callable[[int, int], None] | None = None,
                 cancel: Callable[[], bool] | None = None) -> Any:
    """Read one fix (`GpsFix`) within `timeout` s, or None when the receiver has no fix.

    Reads in slices so `cancel()` is honoured within ~1.5 s (`Cancelled`); `progress(seconds
    waited, whole seconds)`. A receiver silent for the whole time raises `DeviceUnavailable`.
    """
    start = time.monotonic()
    deadline = start + timeout
    silent: DeviceUnavailable | None = None
    while True:
        if cancel is not None and cancel():
            raise Cancelled()
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            fix = receiver.read_fix(min(GPS_SLICE_S, left))
        except DeviceUnavailable as e:
            if e.code != "gps_silent":
                raise
            silent = e  # a slice may fall between two sentences: silence counts only at the end
            continue
        silent = None
        if fix is not None:
            return fix
        if progress is not None:
            progress(min(int(timeout), int(time.monotonic() - start)), int(timeout))
        if not isinstance(receiver, _gps.SerialGps):
            break  # a replayed receiver has said all it has
    if silent is not None:
        raise silent
    return None


# -- settings and the 测试 buttons ----------------------------------------------------------
def device_settings(ws: Any) -> dict[str, Any]:
    """{"idcard_backend", "camera", "gps_port"} as chosen in settings (defaults: sdt, None, "")."""
    backend = _stored(ws, CARD_READER_SETTING) or "sdt"
    return {"idcard_backend": backend if backend in {c[0] for c in CARD_READER_TYPES} else "sdt",
            "camera": _camera_setting(ws), "gps_port": str(_stored(ws, GPS_PORT_SETTING) or "")}


def save_device_settings(ws: Any, values: dict[str, Any]) -> None:
    """Store the 设备 section's choices (keys as `device_settings` returns them)."""
    keys = {"idcard_backend": CARD_READER_SETTING, "camera": CAMERA_SETTING, "gps_port": GPS_PORT_SETTING}
    if values.get("idcard_backend") not in {c[0] for c in CARD_READER_TYPES} | {None}:
        raise UserFacingError("未知的身份证阅读器类型", message_en="Unknown ID-card reader type", code="bad_setting")
    with ws.store.transaction():
        for key, value in values.items():
            ws.store.settings.set(keys[key], value)


def try_device(ws: Any, kind: str, value: Any = None) -> DeviceStatus:
    """Try one device as the settings dialog has it (`value`: the reader type, camera index or
    port being chosen) and say what happened in words. Never raises for a missing device."""
    labels = {"idcard": ("身份证阅读器", "ID-card reader"), "camera": ("摄像头", "Camera"),
              "gps": ("GPS 接收器", "GPS receiver")}
    return _probe(kind, *labels[kind], lambda: _TESTS[kind](ws, value), demo_mode(ws))


def _test_card(ws: Any, backend: Any) -> tuple[str, str]:
    reader = open_card_reader(ws, backend=backend or None)
    reader.close()
    return "阅读器已连接，可以读卡", "The reader is connected and ready"


def _test_camera(ws: Any, index: Any) -> tuple[str, str]:
    camera = open_camera(ws, index if isinstance(index, int) else None, 640, 480)
    try:
        camera.read()  # CameraLost (words included) when it opens but gives no picture
    finally:
        camera.close()
    return "摄像头有画面，可以拍照", "The camera gives a picture"


def _test_gps(ws: Any, port: Any) -> tuple[str, str]:
    receiver = open_gps(ws, port or None)
    try:
        fix = read_gps_fix(receiver, timeout=5.0)
    finally:
        receiver.close()
    if fix is None:
        return ("接收器已连接，但还没有搜到卫星（到室外空旷处再试）",
                "The receiver is connected but has no fix yet (try outdoors)")
    return describe_fix(fix)


def describe_fix(fix: Any) -> tuple[str, str]:
    """A fix in words: "北纬 27.452057°，东经 119.509463°，精度约 6 米（7 颗卫星）" and English."""
    ns, ew = ("北纬" if fix.lat >= 0 else "南纬"), ("东经" if fix.lon >= 0 else "西经")
    acc_zh = f"，精度约 {fix.accuracy_m:g} 米" if fix.accuracy_m is not None else ""
    acc_en = f", accurate to about {fix.accuracy_m:g} m" if fix.accuracy_m is not None else ""
    return (f"{ns} {abs(fix.lat):.6f}°，{ew} {abs(fix.lon):.6f}°{acc_zh}（{fix.satellites} 颗卫星）",
            f"{fix.lat:.6f}, {fix.lon:.6f}{acc_en} ({fix.satellites} satellites)")


_TESTS: dict[str, Callable[[Any, Any], tuple[str, str]]] = {"idcard": _test_card, "camera": _test_camera,
                                                            "gps": _test_gps}
