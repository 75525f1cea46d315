"""Is this fingerprint image good enough to keep? Plain numpy/OpenCV statistics, with reasons.

The card office rejects prints that are too small, too dark, too faint or smudged; catching that
at the kitchen table saves the villager a second trip. The checks:
- area: foreground (blocks with ridge texture) in mm² — a fingertip barely touching the window,
- too dark / too light: grey levels of valleys and ridges inside the foreground,
- low contrast: ridge–valley spread,
- smudged: share of the print's interior whose ridges are clearly separated (wet, smeared or
  moved fingers lose it first).
Thresholds are for 500 dpi optical sensors; `ppmm` rescales the area limit for others.
Pure numpy (no OpenCV, so services can import it within the layer contracts); thread-safe.
Input: uint8 h×w, dark ridges on a light background.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

BLOCK = 16  # px; ~0.8 mm at 500 dpi, about two ridge periods
MIN_AREA_MM2 = 90.0  # a thumb on the ID-card reader window covers ~150–250 mm²
MIN_FOREGROUND_STD = 10.0  # grey levels; below this a block has no ridge texture
BACKGROUND_GREY = 205.0  # block mean above this (and no texture) = empty window
MAX_VALLEY_DARK = 150.0  # valleys (bright part) darker than this: over-pressed / wet, too dark
VERY_DARK = 100.0  # valleys this dark are too dark whatever the contrast
MIN_RIDGE_LIGHT = 150.0  # ridges (dark part) lighter than this: too light / dry finger
MIN_CONTRAST = 70.0  # ridge–valley spread in grey levels
CLEAR_BLOCK_STD = 30.0  # grey levels; a block with clearly separated ridges and valleys
MIN_CLARITY = 0.8  # share of the print's interior blocks that must be clear


@dataclass(frozen=True)
class QualityIssue:
    code: str  # "too_small" | "too_dark" | "too_light" | "low_contrast" | "smudged"
    message: str
    message_en: str


@dataclass
class QualityReport:
    """`ok` when no issue; `metrics` are the measured values (for logs and tuning)."""

    issues: list[QualityIssue] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def codes(self) -> list[str]:
        return [i.code for i in self.issues]

    @property
    def message(self) -> str:
        return "；".join(i.message for i in self.issues)

    @property
    def message_en(self) -> str:
        return "; ".join(i.message_en for i in self.issues)


_TEXT = {
    "too_small": ("指纹面积太小，请将手指平放并稍加按压", "Print area too small; lay the finger flat and press a little"),
    "too_dark": ("指纹过暗（按压过重或手指潮湿），请擦干手指、轻按", "Print too dark (pressed too hard or wet finger); dry the finger and press lightly"),
    "too_light": ("指纹过浅（手指干燥或按压过轻），请稍用力按压", "Print too light (dry finger or too little pressure); press a little harder"),
    "low_contrast": ("纹线不清晰，请擦净手指和采集窗口后重按", "Ridges unclear; clean the finger and the window, then press again"),
    "smudged": ("指纹模糊或有拖影，请保持手指不动后重按", "Print smudged or smeared; keep the finger still and press again"),
}


def _issue(code: str) -> QualityIssue:
    zh, en = _TEXT[code]
    return QualityIssue(code, zh, en)


def _blocks(a: np.ndarray) -> np.ndarray:
    h, w = a.shape[0] // BLOCK * BLOCK, a.shape[1] // BLOCK * BLOCK
    return a[:h, :w].reshape(h // BLOCK, BLOCK, w // BLOCK, BLOCK).swapaxes(1, 2)


def _erode(mask: np.ndarray) -> np.ndarray:
    """3×3 binary erosion; outside the image counts as background."""
    p = np.pad(mask, 1, constant_values=False)
    h, w = mask.shape
    out = np.ones_like(mask)
    for dy in range(3):
        for dx in range(3):
            out &= p[dy : dy + h, dx : dx + w]
    return out


def assess(pixels: np.ndarray, ppmm: float = 19.685) -> QualityReport:
    """Check one capture. Returns every issue found, most fundamental first."""
    img = np.asarray(pixels)
    if img.ndim != 2 or img.size == 0:
        raise ValueError("expected a 2-D grey image")
    blocks = _blocks(img.astype(np.float32))
    mean, std = blocks.mean(axis=(2, 3)), blocks.std(axis=(2, 3))
    # The finger is where the window is darkened or textured; a smudge is dark but not textured,
    # so it still counts as finger area (and is judged by clarity below).
    region = (mean < BACKGROUND_GREY) | (std >= MIN_FOREGROUND_STD)
    area_mm2 = float(region.sum()) * BLOCK * BLOCK / (ppmm * ppmm)
    rep = QualityReport(metrics={"area_mm2": round(area_mm2, 1)})
    if area_mm2 < MIN_AREA_MM2 * 0.25:
        # Essentially nothing on the window: the other measures would be noise.
        rep.issues.append(_issue("too_small"))
        return rep
    # Judge tone and clarity away from the print's edge, where background blocks mix in.
    inner = _erode(region)
    if inner.sum() < 4:
        inner = region
    vals = blocks[inner].ravel()
    ridge, valley = float(np.percentile(vals, 10)), float(np.percentile(vals, 90))
    contrast = valley - ridge
    clarity = float((std[inner] >= CLEAR_BLOCK_STD).mean())
    rep.metrics.update(
        ridge_grey=round(ridge, 1), valley_grey=round(valley, 1), contrast=round(contrast, 1),
        clarity=round(clarity, 3),
    )  # fmt: skip
    if area_mm2 < MIN_AREA_MM2:
        rep.issues.append(_issue("too_small"))
    # One tone/clarity reason at most: a dark or faint print also loses texture, and one clear
    # instruction ("press lighter") helps the villager more than two.
    if valley < VERY_DARK or (valley < MAX_VALLEY_DARK and contrast >= MIN_CONTRAST):
        rep.issues.append(_issue("too_dark"))
    elif ridge > MIN_RIDGE_LIGHT:
        rep.issues.append(_issue("too_light"))
    elif clarity < MIN_CLARITY:
        # Mid-grey everywhere with little texture: ridges smeared into each other.
        rep.issues.append(_issue("smudged"))
    elif contrast < MIN_CONTRAST:
        rep.issues.append(_issue("low_contrast"))
    return rep
