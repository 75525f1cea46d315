"""Tell the backdrop from the person, and find the top of the head.

The officer photographs against a white or light backdrop, so the background is modelled as one
colour (the median of the top strip and the upper side strips, in CIELAB) and everything far
enough from it is the person. That is enough to find where the hair starts above the face, which
no face detector reports, and to keep any background whitening off the person.

Pure functions, safe from any thread. Units: pixels of the image passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fieldkit.imaging.face import FaceBox


@dataclass(frozen=True)
class Backdrop:
    lab: np.ndarray  # median backdrop colour, OpenCV 8-bit Lab (L 0–255, a/b offset 128)
    bgr: tuple[int, int, int]
    spread: float  # robust spread of the colour distance within the samples
    threshold: float  # distance above which a pixel is the person


@dataclass(frozen=True)
class HeadTop:
    y: float  # px
    method: str  # "segmentation" or "estimated"
    touches_top: bool  # the person reaches the image's top edge


def estimate_backdrop(bgr: np.ndarray, face: FaceBox) -> Backdrop:
    """Sample the strips a framed portrait leaves to the backdrop: the top and the upper sides."""
    h, w = bgr.shape[:2]
    top = max(2, int(0.04 * h))
    side = max(2, int(0.04 * w))
    upper = max(top + 1, int(min(h, face.eye_y)))
    strips = [bgr[:top]]
    # Side strips only where they are clear of the face band: an off-centre sitter may fill one.
    if face.x - 0.6 * face.w > side:
        strips.append(bgr[:upper, :side])
    if face.x + 1.6 * face.w < w - side:
        strips.append(bgr[:upper, w - side :])
    px = np.concatenate([cv2.cvtColor(np.ascontiguousarray(st), cv2.COLOR_BGR2LAB).reshape(-1, 3)
                         for st in strips]).astype(np.float32)
    colour = np.median(px, axis=0)
    d = np.linalg.norm(px - colour, axis=1)
    spread = float(np.median(d) * 1.4826 + 1e-3)
    threshold = max(12.0, 4.0 * spread)
    bgr_px = cv2.cvtColor(colour.reshape(1, 1, 3).astype(np.uint8), cv2.COLOR_LAB2BGR)[0, 0]
    return Backdrop(colour, (int(bgr_px[0]), int(bgr_px[1]), int(bgr_px[2])), spread, threshold)


def person_mask(bgr: np.ndarray, backdrop: Backdrop, *, work_px: int = 640) -> np.ndarray:
    """uint8 mask (same size as `bgr`), 255 where the pixel is not backdrop, cleaned of speckle.

    Computed on a copy shrunk to `work_px` on its long side (a third of the time at 720p, and
    the hair edge needs no finer grain for a 441 px tall photo), then scaled back.
    """
    h, w = bgr.shape[:2]
    k = min(1.0, work_px / max(h, w))
    small = cv2.resize(bgr, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA) if k < 1 else bgr
    lab = cv2.cvtColor(small, cv2.COLOR_BGR2LAB).astype(np.float32)
    diff = lab - backdrop.lab
    dist2 = np.einsum("ijk,ijk->ij", diff, diff)
    mask = np.where(dist2 > backdrop.threshold**2, 255, 0).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    return cv2.resize(mask, (w, h), interpolation=cv2.INTER_NEAREST) if k < 1 else mask


def find_head_top(mask: np.ndarray, face: FaceBox) -> HeadTop:
    """Walk up a column band over the face centre until the backdrop starts.

    Falls back to the usual proportion (crown ≈ one face width above the eyes) when the mask
    gives no plausible answer, e.g. on a busy background where everything is "person".
    """
    h, w = mask.shape[:2]
    x0 = int(max(0, face.cx - 0.2 * face.w))
    x1 = int(min(w, face.cx + 0.2 * face.w + 1))
    start = int(np.clip(face.y + 0.3 * face.h, 0, h - 1))
    band = mask[: start + 1, x0:x1] > 0
    filled = band.mean(axis=1) if band.size else np.zeros(start + 1)
    gap = max(2, int(0.03 * face.w))  # a run of backdrop rows this long ends the head
    top = start
    empty = 0
    for row in range(start, -1, -1):
        if filled[row] >= 0.5:
            top = row
            empty = 0
        else:
            empty += 1
            if empty >= gap:
                break
    touches = top == 0 and filled[0] >= 0.5
    rise = face.eye_y - top  # eyes to crown, px
    if 0.6 * face.w <= rise <= 1.7 * face.w:
        return HeadTop(float(top), "segmentation", touches)
    guess = face.eye_y - 1.0 * face.w
    return HeadTop(float(guess), "estimated", guess <= 0)
