"""Image pre-processing that helps a QR decoder with small, dim, blurred or glared codes.

The decoders (zxing-cpp, OpenCV) find a code by its finder patterns; when modules are ~2–3 px
across, blurred and dim, the finder search fails before any decoding starts. What works (see
`bench/qr_bench.py`) is to find *where* a code probably is from local contrast, crop that
region and enlarge it 3–4× with cubic interpolation so the finders become large, smooth shapes,
then let the decoder try again on the small crop. Everything here is pure numpy/OpenCV on 8-bit
grey images, allocates its outputs, and is safe to call from any thread (no shared state).

Units: pixels of the input frame unless a name says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fieldkit.imaging.probe import decode_checked

# A code smaller than this (px across, in the full frame) has modules near 1 px at version 8
# (a signed plate): candidates below it are not worth a decode attempt.
MIN_CODE_PX = 50  # px; 60-px codes tilted away from the camera come out ~50 px across
_K5 = np.ones((5, 5), np.uint8)


@dataclass(frozen=True)
class Roi:
    """A crop of the frame, enlarged by `scale`: frame point = (x0, y0) + crop point / scale."""

    image: np.ndarray  # uint8 grey, enlarged crop
    x0: int
    y0: int
    scale: float

    def to_frame(self, points: np.ndarray) -> np.ndarray:
        """Map N×2 points (px) in the enlarged crop back to frame coordinates (px)."""
        return points.astype(np.float32) / self.scale + np.float32([self.x0, self.y0])


def to_gray(frame: np.ndarray) -> np.ndarray:
    """8-bit grey from a grey, BGR or BGRA frame (no copy when already grey and contiguous)."""
    if frame.ndim == 2:
        return np.ascontiguousarray(frame, dtype=np.uint8)
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def code_candidates(gray: np.ndarray, max_candidates: int = 3) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h in px) where a QR code probably is, most likely first.

    A QR code is a patch where almost every 10×10 px window holds both dark and light modules.
    The measure is the local grey-level range (dilate − erode), averaged, and divided by the
    local brightness so that a code in a dim corner counts as much as one in sunlight. Runs at
    half resolution: ~2 ms for a 1280×720 frame on one core.
    """
    h, w = gray.shape[:2]
    half = cv2.resize(gray, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    spread = cv2.subtract(cv2.dilate(half, _K5), cv2.erode(half, _K5))
    contrast = cv2.blur(spread, (11, 11)).astype(np.float32) / (cv2.blur(half, (15, 15)).astype(np.float32) + 20.0)
    threshold = max(float(contrast.mean() + 2.5 * contrast.std()), float(contrast.max()) * 0.5)
    mask = cv2.morphologyEx((contrast > threshold).astype(np.uint8), cv2.MORPH_CLOSE, _K5)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    scored: list[tuple[float, tuple[int, int, int, int]]] = []
    # Each component's mean contrast in one pass: a cluttered wall has hundreds of components,
    # and a mask per component made this 16 ms instead of 2.
    sums = np.bincount(labels.ravel(), weights=contrast.ravel(), minlength=count)
    for j in range(1, count):
        x, y, bw, bh, area = (int(v) for v in stats[j])
        if min(bw, bh) * 2 < MIN_CODE_PX:
            continue
        # Squarish, large, high-contrast blobs first; long thin ones are text lines or edges.
        strength = float(sums[j]) / max(1, area)
        scored.append((strength * min(bw, bh) / max(bw, bh) * float(np.sqrt(area)), (x * 2, y * 2, bw * 2, bh * 2)))
    scored.sort(key=lambda item: -item[0])
    return [box for _, box in scored[:max_candidates]]


_K3 = np.ones((3, 3), np.uint8)


def tighten_box(gray: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The densest part of a candidate box (px), or None when it would not differ much.

    A candidate often merges the code with the plate's big characters next to it; the code is
    the part where fine contrast is strongest, found at full resolution inside the box. Cropping
    it alone lets the 4× enlargement stay small and keeps text edges away from the binariser.
    """
    x, y, bw, bh = box
    crop = gray[y : y + bh, x : x + bw]
    if crop.size == 0:
        return None
    spread = cv2.subtract(cv2.dilate(crop, _K3), cv2.erode(crop, _K3))
    contrast = cv2.blur(spread, (9, 9)).astype(np.float32) / (cv2.blur(crop, (21, 21)).astype(np.float32) + 20.0)
    mask = cv2.morphologyEx((contrast > 0.6 * float(contrast.max())).astype(np.uint8), cv2.MORPH_CLOSE,
                            np.ones((7, 7), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    if count < 2:
        return None
    j = 1 + int(np.argmax(stats[1:, 4]))
    tx, ty, tw, th = (int(v) for v in stats[j, :4])
    if min(tw, th) < MIN_CODE_PX or tw * th > 0.6 * bw * bh:
        return None
    return (x + tx, y + ty, tw, th)


def enlarge_roi(gray: np.ndarray, box: tuple[int, int, int, int], *, margin: float = 0.2,
                scale: float = 4.0, max_side: int = 1800) -> Roi:
    """Crop `box` (px) with `margin` (fraction of its larger side) and enlarge it cubically.

    `scale` is capped so the enlarged side stays under `max_side` px, which bounds the decode
    time of a crop that merged the code with neighbouring text (~5 ms at 1800 px).
    """
    x, y, bw, bh = box
    m = int(margin * max(bw, bh))
    h, w = gray.shape[:2]
    x0, y0 = max(0, x - m), max(0, y - m)
    x1, y1 = min(w, x + bw + m), min(h, y + bh + m)
    crop = gray[y0:y1, x0:x1]
    f = max(1.0, min(scale, max_side / max(crop.shape[:2])))
    big = cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
    return Roi(big, x0, y0, f)


def equalise(gray: np.ndarray) -> np.ndarray:
    """CLAHE: lifts a dim code and flattens glare gradients without blowing up noise much."""
    # createCLAHE objects are not documented as thread-safe; a fresh one costs ~10 µs.
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray)


_LIFT = np.array([round(255 * (v / 255) ** 0.5) for v in range(256)], np.uint8)


def lift_shadows(gray: np.ndarray) -> np.ndarray:
    """Gamma 0.5 (a lookup table): spreads the dark grey levels of a code photographed in shade.

    Unlike CLAHE it adds no local contrast of its own, so noise in a dim frame is not amplified
    into module-sized blotches.
    """
    return cv2.LUT(gray, _LIFT)


def denoise(gray: np.ndarray, sigma: float = 0.8) -> np.ndarray:
    """Light Gaussian smoothing (σ in px) against sensor noise and JPEG blocks."""
    return cv2.GaussianBlur(gray, (0, 0), sigma)


def sharpen(gray: np.ndarray, sigma: float = 2.0, amount: float = 0.8) -> np.ndarray:
    """Unsharp mask (σ in px): steepens module edges softened by defocus."""
    blurred = cv2.GaussianBlur(gray, (0, 0), sigma)
    return cv2.addWeighted(gray, 1.0 + amount, blurred, -amount, 0)


def wiener(gray: np.ndarray, sigma: float = 2.0, snr: float = 0.02) -> np.ndarray:
    """Wiener deconvolution of a Gaussian blur of `sigma` px (`snr`: noise-to-signal power).

    Restores module edges that defocus (σ 1.5–2.5 px) has melted together; a known PSF keeps
    it a single FFT pair, ~1 ms for a 300×300 crop.
    """
    h, w = gray.shape[:2]
    fh, fw = cv2.getOptimalDFTSize(h), cv2.getOptimalDFTSize(w)
    padded = cv2.copyMakeBorder(gray, 0, fh - h, 0, fw - w, cv2.BORDER_REPLICATE).astype(np.float32)
    fy = np.fft.fftfreq(fh).astype(np.float32)[:, None]
    fx = np.fft.rfftfreq(fw).astype(np.float32)[None, :]
    otf = np.exp(-2 * (np.pi * sigma) ** 2 * (fx**2 + fy**2))  # the Gaussian's transfer function
    restored = np.fft.irfft2(np.fft.rfft2(padded) * (otf / (otf**2 + snr)), s=(fh, fw))[:h, :w]
    return np.clip(restored, 0, 255).astype(np.uint8)


def flatten(gray: np.ndarray, sigma: float = 12.0) -> np.ndarray:
    """The crop divided by its own large-scale brightness: glare and shade gradients removed.

    Saturated pixels stay lost, but the fringe of a highlight (modules still visible, lifted
    towards white) regains its contrast, which is what the binariser needs.
    """
    background = cv2.GaussianBlur(gray, (0, 0), sigma).astype(np.float32) + 8.0
    return cv2.normalize(gray.astype(np.float32) / background, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)


def adaptive(gray: np.ndarray, block: int = 31) -> np.ndarray:
    """Black and white by a local Gaussian-weighted mean (`block` px): a second binariser."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block | 1, 2)


def upscale(gray: np.ndarray, factor: float = 2.0) -> np.ndarray:
    """The whole frame enlarged cubically by `factor`."""
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)


def decode_image_bytes(data: bytes, *, name: str = "") -> np.ndarray | None:
    """A BGR image from the bytes of an image file (JPEG, PNG, BMP, TIFF, WebP), or None.

    Raises `LimitExceeded` for a picture over the pixel limit, measured from its header before
    decoding (`imaging.probe`). Orientation does not matter here: QR detection is rotation-invariant.
    """
    return decode_checked(data, name=name)
