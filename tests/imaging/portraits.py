"""Test portraits built from a photo that a package ships: scikit-image's `astronaut()`.

The astronaut stands before a flag and a shuttle model, not a backdrop, so her head and shoulders
are cut out once (GrabCut seeded with fixed hints) and composited onto a light backdrop the way
the officer's white cloth looks through a webcam: slightly off-white, with sensor noise. The bad
inputs are derived from that good one. Used by tests/imaging and bench/idphoto_bench.py.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
from skimage import data

FRAME = (1280, 720)  # w, h of a webcam frame, px


@lru_cache(maxsize=1)
def astronaut_cutout() -> tuple[np.ndarray, np.ndarray]:
    """(BGR 512×512, alpha 0..1 float32) of the astronaut's head and upper body."""
    bgr = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    mask = np.full(bgr.shape[:2], cv2.GC_PR_BGD, np.uint8)
    mask[:, 15:370] = cv2.GC_PR_FGD
    mask[0:260, 0:110] = cv2.GC_BGD  # the flag
    mask[0:300, 330:] = cv2.GC_BGD  # the shuttle model
    mask[0:12, :] = cv2.GC_BGD
    cv2.ellipse(mask, (226, 105), (60, 80), 0, 0, 360, cv2.GC_PR_FGD, -1)  # hair
    cv2.ellipse(mask, (226, 120), (40, 60), 0, 0, 360, cv2.GC_FGD, -1)  # face
    cv2.ellipse(mask, (210, 215), (92, 70), 0, 0, 360, cv2.GC_FGD, -1)  # collar ring
    cv2.rectangle(mask, (60, 300), (350, 512), cv2.GC_FGD, -1)  # suit
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(1)
    cv2.grabCut(bgr, mask, None, bgd, fgd, 5, cv2.GC_INIT_WITH_MASK)
    fg = np.where((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
    alpha = cv2.GaussianBlur(fg, (5, 5), 0).astype(np.float32) / 255.0
    # Her head leans ~3.5° in the original; level it so the "good" portrait is upright and the
    # tilt tests start from zero.
    m = cv2.getRotationMatrix2D((226, 110), 3.5, 1.0)
    bgr = cv2.warpAffine(bgr, m, (512, 512), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    alpha = cv2.warpAffine(alpha, m, (512, 512), flags=cv2.INTER_LINEAR, borderValue=0)
    return bgr, alpha


def composite(
    *,
    frame: tuple[int, int] = FRAME,
    people: tuple[tuple[float, float], ...] = ((0.5, 1.8),),
    top: int = 40,
    backdrop: tuple[int, int, int] = (246, 247, 246),
    noise: float = 2.0,
    seed: int = 0,
) -> np.ndarray:
    """A BGR frame with the astronaut cut-out placed per (centre x as share of width, scale)."""
    w, h = frame
    rng = np.random.default_rng(seed)
    canvas = np.empty((h, w, 3), np.float32)
    canvas[:] = backdrop
    src, alpha = astronaut_cutout()
    for cx, scale in people:
        size = round(512 * scale)
        person = cv2.resize(src, (size, size), interpolation=cv2.INTER_CUBIC).astype(np.float32)
        a = cv2.resize(alpha, (size, size), interpolation=cv2.INTER_LINEAR)[..., None]
        # The face centre sits at x≈226 of 512 in the original.
        x0 = round(cx * w - 226 * scale)
        y0 = top - round(12 * scale)
        xs, ys = max(0, x0), max(0, y0)
        xe, ye = min(w, x0 + size), min(h, y0 + size)
        if xe <= xs or ye <= ys:
            continue
        p = person[ys - y0 : ye - y0, xs - x0 : xe - x0]
        pa = a[ys - y0 : ye - y0, xs - x0 : xe - x0]
        canvas[ys:ye, xs:xe] = p * pa + canvas[ys:ye, xs:xe] * (1 - pa)
    canvas += rng.normal(0, noise, canvas.shape).astype(np.float32)
    return np.clip(canvas, 0, 255).astype(np.uint8)


def good() -> np.ndarray:
    return composite()


def dark() -> np.ndarray:
    return np.clip(good().astype(np.float32) * 0.28, 0, 255).astype(np.uint8)


def overexposed() -> np.ndarray:
    return np.clip(good().astype(np.float32) * 1.25 + 20, 0, 255).astype(np.uint8)


def blurred(sigma: float = 2.0) -> np.ndarray:
    return cv2.GaussianBlur(good(), (0, 0), sigma)


def off_centre() -> np.ndarray:
    return composite(people=((0.08, 1.8),))


def two_faces() -> np.ndarray:
    return composite(people=((0.3, 1.5), (0.72, 1.5)))


def grey_backdrop(level: int = 205) -> np.ndarray:
    return composite(backdrop=(level, level, level))


def tinted_backdrop() -> np.ndarray:
    return composite(backdrop=(170, 215, 240))  # BGR: a warm yellow cast


def uneven_backdrop() -> np.ndarray:
    """A white cloth lit from one side: bright on the left, grey on the right."""
    img = good().astype(np.float32)
    src_mask = composite(backdrop=(0, 0, 0), noise=0).max(axis=2) == 0  # backdrop pixels
    ramp = np.linspace(1.0, 0.72, img.shape[1], dtype=np.float32)[None, :, None]
    img = np.where(src_mask[..., None], img * ramp, img)
    return np.clip(img, 0, 255).astype(np.uint8)


def tilted(degrees: float = 12.0) -> np.ndarray:
    img = good()
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_CONSTANT, borderValue=(246, 247, 246))


def small_face() -> np.ndarray:
    return composite(people=((0.5, 0.9),), top=120)


def raw_astronaut() -> np.ndarray:
    """The original photo: flag and shuttle behind her, face 86 px wide."""
    return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)


def no_face() -> np.ndarray:
    return cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR)
