"""GA 461 (居民身份证照片) numbers and the result types of the ID-photo pipeline.

Units: every `*_px` is a pixel of the 358×441 output unless its name says `source`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# The resident-ID photo specification (GA 461-2004), as printed on the card office's form.
OUT_W = 358
OUT_H = 441
DPI = 350
FACE_W = 207  # face width, px
FACE_W_TOL = 14
TOP_MIN, TOP_MAX, TOP_TARGET = 7, 21, 14  # crown (top of the hair) below the top edge, px
EYE_MIN_BOTTOM = 207  # eyes at least this far above the bottom edge, px
JPEG_MIN_BYTES, JPEG_MAX_BYTES = 14 * 1024, 20 * 1024
JPEG_START_QUALITY = 70

# Check thresholds, tuned on the test portraits (tests/imaging/portraits.py) and explained in
# docs/idphoto.md. Luminance is 8-bit luma (0–255); L* is CIELAB lightness (0–100).
MAX_TILT_DEG = 6.0
FACE_DARK_Y, FACE_BRIGHT_Y = 80.0, 215.0
FACE_CLIPPED_MAX = 0.08  # share of face pixels ≥ 250 (blown highlights)
MIN_SHARPNESS = 100.0  # variance of the Laplacian, face shrunk to 64 px (checks.sharpness_check)
BG_MIN_L = 90.0
BG_MAX_CHROMA = 8.0
BG_MAX_STD_L = 5.0
BG_MAX_SIDE_DIFF_L = 6.0
WHITEN_MIN_L = 70.0  # a uniform backdrop lighter than this may be brightened to white
WHITEN_MAX_CHROMA = 14.0
MAX_UPSCALE = 2.0  # source face narrower than FACE_W / MAX_UPSCALE px: too small
MAX_PAD_FRACTION = 0.03  # of the output side: more means the person is off-centre


@dataclass(frozen=True)
class PhotoCheck:
    """One check shown to the officer. `ok` is None when the check could not be made."""

    code: str
    ok: bool | None
    message: str
    message_en: str
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PhotoMetrics:
    """What was measured on the result; None where there is no output."""

    face_width_px: float | None = None
    top_margin_px: float | None = None
    eye_to_bottom_px: float | None = None
    eye_angle_deg: float | None = None
    source_face_width_px: float | None = None
    scale: float | None = None
    head_top_method: str | None = None  # "segmentation" or "estimated"
    jpeg_bytes: int | None = None
    jpeg_quality: int | None = None
    width_px: int | None = None
    height_px: int | None = None
    dpi: int | None = None
    background_whitened: bool = False
    # Where the photo was cut from, and the face, in source px (x, y, w, h): for preview guides.
    crop_box_source: tuple[float, float, float, float] | None = None
    face_box_source: tuple[float, float, float, float] | None = None


@dataclass
class IdPhotoResult:
    """The outcome: `ok` when every check that ran passed; `jpeg` whenever a crop was possible."""

    ok: bool
    jpeg: bytes | None
    checks: list[PhotoCheck] = field(default_factory=list)
    metrics: PhotoMetrics = field(default_factory=PhotoMetrics)

    def check(self, code: str) -> PhotoCheck:
        for c in self.checks:
            if c.code == code:
                return c
        raise KeyError(code)

    @property
    def failed(self) -> list[PhotoCheck]:
        return [c for c in self.checks if c.ok is False]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the JPEG itself is left out)."""
        return {
            "ok": self.ok,
            "checks": [c.to_dict() for c in self.checks],
            "metrics": asdict(self.metrics),
        }
