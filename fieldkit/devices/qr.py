"""QR decoding: a `QrDecoder` protocol, zxing-cpp and OpenCV backends, and FieldKit's pipeline.

`create_decoder()` returns the pipeline measured best on perturbed doorplate photos
(`python -m bench.qr_bench`): zxing-cpp on the grey frame first (~2 ms for 1280×720); only when
that finds nothing, the frame's most contrasty squarish regions are cropped, enlarged 4× and
decoded again (plain, CLAHE-equalised, shadows lifted; then tightened to their densest part). Every result comes from a decoder that checked the QR's
Reed–Solomon error correction; Micro QR (whose smallest version has no error correction and
produced false reads in the bench) is never accepted.

Threading: decoders hold no mutable state except OpenCV detector objects, which are not
thread-safe; use one decoder per thread (the scan view's worker owns its own). `decode` never
touches the GUI and may be called from any single thread.

`KeyboardWedge` turns the keystrokes of a USB barcode scanner (which types like a keyboard)
into payload strings; telling a scanner from a human by timing is the UI's job.
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

from fieldkit.domain.errors import DeviceUnavailable
from fieldkit.imaging import qr_preprocess as pre

try:  # zxing-cpp is the best decoder measured, but the app must still start without it
    import zxingcpp
except ImportError:  # pragma: no cover - exercised by monkeypatching in tests
    zxingcpp = None

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DecodedCode:
    """One decoded QR code. `points` are its 4 corners in frame px (clockwise from top-left)."""

    text: str
    points: tuple[tuple[float, float], ...]
    decoder: str


@runtime_checkable
class QrDecoder(Protocol):
    name: str

    def decode(self, frame: np.ndarray) -> list[DecodedCode]:
        """All QR codes read in `frame` (BGR, BGRA or 8-bit grey); [] when none."""
        ...


def _points(arr: np.ndarray) -> tuple[tuple[float, float], ...]:
    return tuple((round(float(x), 1), round(float(y), 1)) for x, y in np.asarray(arr, np.float32).reshape(-1, 2))


# --------------------------------------------------------------------------------------------
# zxing-cpp
# --------------------------------------------------------------------------------------------
def _require_zxing() -> None:
    if zxingcpp is None:
        raise DeviceUnavailable(
            "缺少二维码识别库 zxing-cpp，请重新安装 FieldKit",
            message_en="The QR library zxing-cpp is missing: reinstall FieldKit",
            code="qr_library_missing",
        )


@dataclass
class ZxingDecoder:
    """zxing-cpp with its options. `binarizer` is a `zxingcpp.Binarizer` name (LocalAverage…)."""

    try_rotate: bool = False  # only matters for 1-D codes; QR detection is rotation-invariant
    try_downscale: bool = True  # helps codes that fill the frame
    try_invert: bool = False  # doorplates print dark on light
    binarizer: str = "LocalAverage"
    name: str = "zxing"

    def __post_init__(self) -> None:
        _require_zxing()
        self._binarizer = getattr(zxingcpp.Binarizer, self.binarizer)
        # Model 2 only: Micro QR M1 has no error correction and decodes noise into digits.
        self._formats = zxingcpp.BarcodeFormat.QRCodeModel2

    def read(self, gray: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """(text, 4×2 corner points in `gray` px) for each valid code in an 8-bit grey image."""
        out = []
        for b in zxingcpp.read_barcodes(
            gray, formats=self._formats, try_rotate=self.try_rotate, try_downscale=self.try_downscale,
            try_invert=self.try_invert, binarizer=self._binarizer,
        ):
            if not b.valid or not b.text:
                continue
            p = b.position
            corners = np.float32([[p.top_left.x, p.top_left.y], [p.top_right.x, p.top_right.y],
                                  [p.bottom_right.x, p.bottom_right.y], [p.bottom_left.x, p.bottom_left.y]])
            out.append((b.text, corners))
        return out

    def decode(self, frame: np.ndarray) -> list[DecodedCode]:
        return [DecodedCode(t, _points(c), self.name) for t, c in self.read(pre.to_gray(frame))]


# --------------------------------------------------------------------------------------------
# OpenCV
# --------------------------------------------------------------------------------------------
class OpenCvDecoder:
    """cv2.QRCodeDetector (classic) or cv2.QRCodeDetectorAruco (`aruco=True`). Not thread-safe."""

    def __init__(self, aruco: bool = False) -> None:
        self._detector = cv2.QRCodeDetectorAruco() if aruco else cv2.QRCodeDetector()
        self.name = "opencv-aruco" if aruco else "opencv"

    def decode(self, frame: np.ndarray) -> list[DecodedCode]:
        gray = pre.to_gray(frame)
        try:
            ok, texts, points, _ = self._detector.detectAndDecodeMulti(gray)
        except cv2.error as e:  # OpenCV raises on some degenerate quads; treat as "nothing read"
            log.debug("OpenCV QR detector failed: %s", e)
            return []
        if not ok or points is None:
            return []
        return [DecodedCode(t, _points(p), self.name) for t, p in zip(texts, points, strict=False) if t]


# --------------------------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------------------------
Variant = Callable[[np.ndarray], np.ndarray]


@dataclass
class PipelineDecoder:
    """Fast path on the whole frame; on a miss, enlarged crops of likely code regions.

    `max_candidates` regions are tried, each with `roi_variants` (plain, CLAHE, gamma 0.5) at
    `roi_scale`; then the same regions tightened to their densest part (plain, CLAHE).
    `budget_ms` (optional) stops escalating once that much time has passed, for a live preview
    that would rather try the next frame; the benchmark runs without a budget so its figures
    do not depend on machine load.
    """

    max_candidates: int = 3
    roi_scale: float = 4.0
    roi_variants: Sequence[tuple[str, Variant]] = field(
        default_factory=lambda: (("plain", lambda g: g), ("clahe", pre.equalise), ("lift", pre.lift_shadows))
    )
    roi_max_side: int = 1400  # px; 1800 read 1 more hard frame in 100 at +15 % CPU
    tighten: bool = True
    budget_ms: float | None = None
    name: str = "fieldkit"

    def __post_init__(self) -> None:
        self._fast = ZxingDecoder(name=f"{self.name}:fast")
        # No downscaling inside an enlarged crop: that would undo the enlargement.
        self._roi = ZxingDecoder(try_downscale=False, name=f"{self.name}:roi")

    def decode(self, frame: np.ndarray) -> list[DecodedCode]:
        start = time.perf_counter()
        gray = pre.to_gray(frame)
        found = self._fast.read(gray)
        if found:
            return [DecodedCode(t, _points(c), self._fast.name) for t, c in found]
        boxes = pre.code_candidates(gray, self.max_candidates)
        # Variant-major order: a plain crop of the second candidate is likelier to read than an
        # equalised crop of the first, and it is cheaper.
        attempts = [(box, name, variant) for name, variant in self.roi_variants for box in boxes]
        if self.tighten:  # last resort: the same regions cropped to their densest part
            tight = [t for t in (pre.tighten_box(gray, b) for b in boxes) if t]
            attempts += [(t, f"tight-{name}", variant) for name, variant in self.roi_variants[:2] for t in tight]
        rois: dict[tuple[int, int, int, int], pre.Roi] = {}  # each box is enlarged once
        for box, variant_name, variant in attempts:
            if self.budget_ms is not None and (time.perf_counter() - start) * 1000 > self.budget_ms:
                return []
            roi = rois.get(box)
            if roi is None:
                roi = rois[box] = pre.enlarge_roi(gray, box, scale=self.roi_scale, max_side=self.roi_max_side)
            found = self._roi.read(variant(roi.image))
            if found:
                return [DecodedCode(t, _points(roi.to_frame(c)), f"{self.name}:roi-{variant_name}") for t, c in found]
        return []


def create_decoder(backend: str = "auto", *, budget_ms: float | None = None) -> QrDecoder:
    """The decoder to use. `backend`: "auto" (pipeline, or OpenCV if zxing-cpp is missing),
    "pipeline", "zxing", "opencv", "opencv-aruco".

    Raises DeviceUnavailable when a zxing-based backend is asked for and zxing-cpp is missing.
    """
    if backend == "auto":
        if zxingcpp is None:
            log.warning("zxing-cpp missing: falling back to OpenCV's QR detector (weaker on small codes)")
            return OpenCvDecoder()
        return PipelineDecoder(budget_ms=budget_ms)
    if backend == "pipeline":
        return PipelineDecoder(budget_ms=budget_ms)
    if backend == "zxing":
        return ZxingDecoder()
    if backend in ("opencv", "opencv-aruco"):
        return OpenCvDecoder(aruco=backend == "opencv-aruco")
    raise ValueError(f"unknown QR decoder backend {backend!r}")


# --------------------------------------------------------------------------------------------
# USB barcode scanners (keyboard wedge)
# --------------------------------------------------------------------------------------------
_TERMINATOR_NAMES = {"enter": "\n", "return": "\n", "tab": "\t", "\r": "\n", "\n": "\n", "\t": "\t"}


class KeyboardWedge:
    """Assembles keystrokes from a keyboard-wedge scanner into payload strings.

    Feed each key as a character (``"F"``, ``"："``) or a key name (``"Enter"``, ``"Tab"``,
    ``"Backspace"``; other names such as ``"Shift"`` are ignored). `feed` returns the finished
    payload when a terminator arrives, else None. Full-width characters typed through a Chinese
    IME are folded back to ASCII (NFKC), so ``ＦＫＤ１：…`` becomes ``FKD1:…``. Pure; one
    instance per input field; not thread-safe.
    """

    def __init__(self, terminators: Sequence[str] = ("Enter", "Tab"), max_length: int = 4096) -> None:
        self._terminators = {_TERMINATOR_NAMES.get(t.lower(), t) for t in terminators}
        self._max = max_length
        self._buf: list[str] = []

    @property
    def pending(self) -> str:
        return "".join(self._buf)

    def reset(self) -> None:
        self._buf.clear()

    def feed(self, key: str) -> str | None:
        lowered = key.lower()
        if lowered in _TERMINATOR_NAMES:
            if _TERMINATOR_NAMES[lowered] not in self._terminators:
                return None
            text = unicodedata.normalize("NFKC", "".join(self._buf)).strip()
            self._buf.clear()
            return text or None
        if lowered == "backspace":
            if self._buf:
                self._buf.pop()
            return None
        if len(key) != 1:  # Shift, CapsLock, F1 … carry no character
            return None
        if len(self._buf) < self._max:  # a stuck key must not grow the buffer without end
            self._buf.append(key)
        return None

    def feed_text(self, keys: str) -> list[str]:
        """Feed a run of characters (terminators as \\n/\\r/\\t); the payloads it completed."""
        return [p for p in (self.feed(ch) for ch in keys) if p is not None]
