"""What a fingerprint reader promises FieldKit: the Protocol, its events and results.

Threading rules (for every implementation):
- A reader object is driven by one thread at a time — the UI's device worker, never the GUI
  thread (calls block until a finger is placed or the timeout passes).
- `cancel()` may be called from any thread (the GUI's Cancel button); the blocked call then
  raises `Cancelled` promptly. Alternatively pass `cancel=` a callable the call polls.
- `progress` callbacks run on the calling (worker) thread; the UI marshals them to the GUI.
Units: images are 8-bit grey, row-major, white background and dark ridges; `ppmm` is pixels
per millimetre (19.685 = 500 dpi); timeouts are seconds.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Protocol, runtime_checkable

import numpy as np


class Finger(IntEnum):
    """Finger position codes used for resident-ID-card prints (GA 777.1 / GA/T 1012).

    11–15 right thumb…little, 16–20 left thumb…little; 97/98/99 = right/left/other finger of
    unknown position. The values are what goes into exports for the card office.
    """

    RIGHT_THUMB = 11
    RIGHT_INDEX = 12
    RIGHT_MIDDLE = 13
    RIGHT_RING = 14
    RIGHT_LITTLE = 15
    LEFT_THUMB = 16
    LEFT_INDEX = 17
    LEFT_MIDDLE = 18
    LEFT_RING = 19
    LEFT_LITTLE = 20
    RIGHT_UNKNOWN = 97
    LEFT_UNKNOWN = 98
    OTHER_UNKNOWN = 99

    @property
    def hand(self) -> str:
        """"right", "left" or "" for 99."""
        if 11 <= self <= 15 or self == 97:
            return "right"
        if 16 <= self <= 20 or self == 98:
            return "left"
        return ""

    @property
    def label(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]

    @property
    def libfprint(self) -> int:
        """libfprint's FpFinger value (1 = left thumb … 10 = right little, 0 = unknown)."""
        if 11 <= self <= 15:
            return 6 + (self - 11)
        if 16 <= self <= 20:
            return 1 + (self - 16)
        return 0


_LABELS = {
    Finger.RIGHT_THUMB: ("右手拇指", "right thumb"),
    Finger.RIGHT_INDEX: ("右手食指", "right index finger"),
    Finger.RIGHT_MIDDLE: ("右手中指", "right middle finger"),
    Finger.RIGHT_RING: ("右手环指", "right ring finger"),
    Finger.RIGHT_LITTLE: ("右手小指", "right little finger"),
    Finger.LEFT_THUMB: ("左手拇指", "left thumb"),
    Finger.LEFT_INDEX: ("左手食指", "left index finger"),
    Finger.LEFT_MIDDLE: ("左手中指", "left middle finger"),
    Finger.LEFT_RING: ("左手环指", "left ring finger"),
    Finger.LEFT_LITTLE: ("左手小指", "left little finger"),
    Finger.RIGHT_UNKNOWN: ("右手不确定指位", "right hand, finger unknown"),
    Finger.LEFT_UNKNOWN: ("左手不确定指位", "left hand, finger unknown"),
    Finger.OTHER_UNKNOWN: ("其他不确定指位", "finger unknown"),
}

# What the officer reads for each reader event (Chinese first, English second).
EVENT_TEXT = {
    "place_finger": ("请将手指平放在指纹仪上", "Place the finger flat on the reader"),
    "finger_present": ("正在采集，请保持不动", "Capturing, keep still"),
    "lift": ("请抬起手指", "Lift the finger"),
    "stage": ("本次按压已采集，请再按一次", "Press recorded; press again"),
}
RETRY_TEXT = {
    0: ("采集不清晰，请重按", "Poor scan, press again"),
    1: ("刷指过短，请重新刷指", "Swipe too short, swipe again"),
    2: ("请将手指放在正中", "Centre the finger on the reader"),
    3: ("请移开手指后重按", "Remove the finger and try again"),
}


@dataclass(frozen=True)
class CaptureEvent:
    """Progress of a capture/enroll/verify call, for the UI prompt.

    kind: "place_finger" | "finger_present" | "lift" | "retry" | "stage".
    For "retry", `reason` is libfprint's retry code (see RETRY_TEXT); for "stage", `done`/`total`
    count accepted enrollment presses.
    """

    kind: str
    message: str
    message_en: str
    reason: int | None = None
    done: int = 0
    total: int = 0


@dataclass(frozen=True)
class ReaderInfo:
    """One attached reader. `id` is stable within a session and is what `open_reader` takes."""

    id: str
    driver: str
    name: str
    scan_type: str = "press"  # "press" or "swipe"
    enroll_stages: int = 5


@dataclass
class FingerprintImage:
    """A captured print. `pixels` is uint8 h×w (dark ridges); `finger` is set by the caller."""

    pixels: np.ndarray
    ppmm: float = 19.685
    finger: Finger | None = None

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def dpi(self) -> int:
        return round(self.ppmm * 25.4)

    def to_png(self) -> bytes:
        """Lossless PNG with the resolution recorded, as the card office's systems expect."""
        from PIL import Image  # Pillow is a core dependency; imported lazily to keep start-up light

        buf = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(self.pixels, dtype=np.uint8)).save(buf, format="PNG", dpi=(self.dpi, self.dpi))
        return buf.getvalue()

    def raw(self) -> bytes:
        """Row-major 8-bit grey bytes (width × height), no header."""
        return self.pixels.tobytes()


@dataclass
class Enrollment:
    """An enrolled finger: libfprint's serialised FpPrint (opaque bytes; store it encrypted)
    and the images of the accepted presses (empty on readers that match on-chip)."""

    template: bytes
    finger: Finger | None
    driver: str
    stages: int
    images: list[FingerprintImage] = field(default_factory=list)


@dataclass(frozen=True)
class VerifyResult:
    """Did the presented finger match? `score` is None when the driver reports none (libfprint's
    image drivers keep the bozorth3 score to themselves)."""

    matched: bool
    score: float | None = None
    image: FingerprintImage | None = None


ProgressFn = Callable[[CaptureEvent], None]
CancelFn = Callable[[], bool]


@runtime_checkable
class FingerprintReader(Protocol):
    """An opened fingerprint reader. See the module docstring for threading rules."""

    info: ReaderInfo

    def capture(
        self, *, progress: ProgressFn | None = None, cancel: CancelFn | None = None, timeout: float = 60.0
    ) -> FingerprintImage: ...

    def enroll(
        self,
        finger: Finger | None = None,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
        timeout: float = 60.0,
    ) -> Enrollment: ...

    def verify(
        self,
        template: bytes,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
        timeout: float = 60.0,
    ) -> VerifyResult: ...

    def cancel(self) -> None: ...

    def close(self) -> None: ...


def event(kind: str, **kw: object) -> CaptureEvent:
    """Build a CaptureEvent with its standard Chinese/English prompt."""
    if kind == "retry":
        zh, en = RETRY_TEXT.get(int(kw.get("reason") or 0), RETRY_TEXT[0])
    else:
        zh, en = EVENT_TEXT.get(kind, (kind, kind))
    return CaptureEvent(kind, zh, en, **kw)  # type: ignore[arg-type]
