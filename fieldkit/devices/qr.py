"""QR decoding: a `QrDecoder` protocol, zxing-cpp and OpenCV backends, and FieldKit's pipeline.

`create_decoder()` returns the pipeline measured best on perturbed doorplate photos
(`python -m bench.qr_bench`): zxing-cpp on the grey frame first (~2 ms for 1280×720); only when
that finds nothing, recovery steps (`DEFAULT_STEPS`: another binariser, Wiener deblur of the
likely code regions, 6× enlargement of small codes, CLAHE) in order of measured yield per ms,
within a per-frame budget (`PipelineDecoder.budget_factor`). `VideoDecoder` adds the frames
before: a plate one frame misses is read from the next, or from their aligned average.
Every result comes from a decoder that checked the QR's
Reed–Solomon error correction; Micro QR (whose smallest version has no error correction and
produced false reads in the bench) is never accepted.

Threading: decoders hold no mutable state except OpenCV detector objects, which are not
thread-safe; use one decoder per thread (the scan view's worker owns its own). `decode` never
touches the GUI and may be called from any single thread.

`KeyboardWedge` turns the keystrokes of a USB barcode scanner (which types like a keyboard)
into payload strings; telling a scanner from a human by timing is the UI's job.
"""

from __future__ import annotations

import functools
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
Box = tuple[int, int, int, int]


def _plain(gray: np.ndarray) -> np.ndarray:
    return gray


@dataclass(frozen=True)
class Step:
    """One recovery attempt after the whole-frame pass missed.

    `where`: "roi" (each candidate region, enlarged `scale`×), "tight" (the same regions cut to
    their densest part), "frame" (the whole grey frame). `variant` runs on the enlarged crop,
    or on the crop before enlarging when `before` (filters whose kernel is in frame px: the
    deblur). `binarizer` is zxing-cpp's.
    """

    name: str
    where: str = "roi"
    variant: Variant = _plain
    binarizer: str = "LocalAverage"
    scale: float = 4.0
    before: bool = False


# Ordered by measured yield per millisecond on the hard frames the whole-frame pass misses
# (`python -m bench.qr_steps`, dev seed 1, 58 misses of 140; the bench reports on a held-out
# seed). Greedy by new reads per ms: frame-global +1 at 4.5 ms, roi-wiener (defocus) +9 at
# 58 ms, roi-x6-clahe (small and dim codes) +6, frame-clahe +1; roi-clahe and roi-plain read
# nothing the others miss but are kept last for what the dev set did not show. Gamma lift,
# flattening, denoise and a second binariser on the crop added nothing at their cost.
DEFAULT_STEPS: tuple[Step, ...] = (
    Step("frame-global", where="frame", binarizer="GlobalHistogram"),
    Step("roi-wiener", variant=pre.wiener, before=True),
    Step("roi-x6-clahe", scale=6.0, variant=pre.equalise),
    Step("frame-clahe", where="frame", variant=pre.equalise),
    Step("roi-clahe", variant=pre.equalise),
    Step("roi-plain"),
)

# Every step `bench.qr_steps` measures; DEFAULT_STEPS is chosen and ordered from these.
CANDIDATE_STEPS: tuple[Step, ...] = (
    *DEFAULT_STEPS,
    Step("roi-lift", variant=pre.lift_shadows),
    Step("tight-plain", where="tight"),
    Step("tight-clahe", where="tight", variant=pre.equalise),
    Step("roi-global", binarizer="GlobalHistogram"),
    Step("roi-flatten", variant=pre.flatten, before=True),
    Step("roi-wiener-clahe", variant=lambda g: pre.equalise(pre.wiener(g)), before=True),
    Step("roi-x6-wiener", scale=6.0, variant=pre.wiener, before=True),
    Step("roi-adaptive", variant=pre.adaptive),
    Step("roi-sharpen", variant=pre.sharpen),
    Step("roi-wiener", variant=pre.wiener, before=True),
    Step("roi-wiener1", variant=lambda g: pre.wiener(g, sigma=1.2), before=True),
    Step("roi-denoise", variant=lambda g: pre.denoise(g, 2.0)),
    Step("roi-x6", scale=6.0),
    Step("roi-x6-clahe", scale=6.0, variant=pre.equalise),
    Step("frame-x2", where="frame", variant=pre.upscale),
)


class StepRunner:
    """Runs steps on one grey frame, sharing the candidate boxes and enlarged crops among them."""

    def __init__(self, gray: np.ndarray, max_candidates: int, max_side: int, decoders: dict[str, ZxingDecoder]):
        self.gray, self._max_candidates, self._max_side = gray, max_candidates, max_side
        self._decoders = decoders
        self._boxes: list[Box] | None = None
        self._tight: list[Box] | None = None
        self._rois: dict[tuple[Box, float, str], pre.Roi] = {}

    def _zxing(self, binarizer: str, downscale: bool) -> ZxingDecoder:
        key = f"{binarizer}:{downscale}"
        if key not in self._decoders:
            # No downscaling inside an enlarged crop: that would undo the enlargement.
            self._decoders[key] = ZxingDecoder(binarizer=binarizer, try_downscale=downscale)
        return self._decoders[key]

    def boxes(self, where: str) -> list[Box]:
        if self._boxes is None:
            self._boxes = pre.code_candidates(self.gray, self._max_candidates)
        if where == "tight":
            if self._tight is None:
                self._tight = [t for t in (pre.tighten_box(self.gray, b) for b in self._boxes) if t]
            return self._tight
        return self._boxes

    def attempts(self, step: Step) -> list[Callable[[], list[tuple[str, np.ndarray]]]]:
        """One callable per decode attempt of `step` (each box is one attempt), cheapest data first."""
        if step.where == "frame":
            zx = self._zxing(step.binarizer, True)
            factor = 2.0 if step.variant is pre.upscale else 1.0

            def whole() -> list[tuple[str, np.ndarray]]:
                return [(t, c / factor) for t, c in zx.read(step.variant(self.gray))]

            return [whole]
        zx = self._zxing(step.binarizer, False)
        return [functools.partial(self._read_roi, zx, step, box) for box in self.boxes(step.where)]

    def _read_roi(self, zx: ZxingDecoder, step: Step, box: Box) -> list[tuple[str, np.ndarray]]:
        key = (box, step.scale, step.name if step.before else "")
        roi = self._rois.get(key)
        if roi is None:
            source = self.gray
            if step.before:  # filter the crop region only, then enlarge as usual
                x, y, w, h = box
                m = int(0.25 * max(w, h))
                y0, x0 = max(0, y - m), max(0, x - m)
                source = self.gray.copy()
                source[y0 : y + h + m, x0 : x + w + m] = step.variant(self.gray[y0 : y + h + m, x0 : x + w + m])
            roi = self._rois[key] = pre.enlarge_roi(source, box, scale=step.scale, max_side=self._max_side)
        image = roi.image if step.before else step.variant(roi.image)
        return [(t, roi.to_frame(c)) for t, c in zx.read(image)]


@dataclass
class PipelineDecoder:
    """Fast path on the whole frame; on a miss, recovery `steps` in order within a time budget.

    `budget_ms`: how long the recovery steps may take after the whole-frame pass. None (the
    default) allows `budget_factor` × the time the whole-frame pass took on this very frame,
    so a frame costs at most about twice bare zxing-cpp on any machine and under any load
    (issue 17's goal); `float("inf")` tries every step (the bench's upper bound). A live view
    loses little by stopping early: the next frame is 33 ms away.
    """

    steps: Sequence[Step] = DEFAULT_STEPS
    max_candidates: int = 3
    roi_max_side: int = 1400  # px; 1800 read 1 more hard frame in 100 at +15 % CPU
    budget_ms: float | None = None
    budget_factor: float = 0.8
    name: str = "fieldkit"
    _decoders: dict[str, ZxingDecoder] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._fast = ZxingDecoder(name=f"{self.name}:fast")

    def decode(self, frame: np.ndarray) -> list[DecodedCode]:
        start = time.perf_counter()
        gray = pre.to_gray(frame)
        found = self._fast.read(gray)
        if found:
            return [DecodedCode(t, _points(c), self._fast.name) for t, c in found]
        spent = time.perf_counter() - start
        budget = self.budget_ms / 1000 if self.budget_ms is not None else self.budget_factor * spent
        deadline = start + spent + budget
        runner = StepRunner(gray, self.max_candidates, self.roi_max_side, self._decoders)
        last = 0.0  # the previous attempt's duration: an attempt that would overrun is not started
        for step in self.steps:
            for attempt in runner.attempts(step):
                now = time.perf_counter()
                if now + last > deadline:
                    return []
                found = attempt()
                last = time.perf_counter() - now
                if found:
                    return [DecodedCode(t, _points(c), f"{self.name}:{step.name}") for t, c in found]
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
