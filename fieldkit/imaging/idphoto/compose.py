"""From a portrait to a GA 461 resident-ID photo: find the face, crop, check, encode.

`make_id_photo(bgr)` is the whole pipeline. It never raises for a bad photo: every problem is a
failed `PhotoCheck` with a Chinese explanation, and the JPEG is produced whenever a face was
found, so the officer can see what the card office would get.

Threading: pure apart from the shared face detector (which serialises its own calls); call it
from a worker thread, never the GUI thread (~50–100 ms per 1280×720 frame).
Units: px of the source image unless a name ends in `_out` (px of the 358×441 output).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fieldkit.domain.errors import UserFacingError
from fieldkit.imaging.face import FaceBox, FaceDetector, default_detector
from fieldkit.imaging.idphoto import spec
from fieldkit.imaging.idphoto.checks import (
    background_check,
    background_stats,
    exposure_check,
    eyes_check,
    face_count_check,
    face_size_check,
    framing_check,
    geometry_check,
    sharpness_check,
    tilt_check,
)
from fieldkit.imaging.idphoto.segment import estimate_backdrop, find_head_top, person_mask
from fieldkit.imaging.idphoto.spec import IdPhotoResult, PhotoMetrics
from fieldkit.imaging.probe import decode_checked


@dataclass(frozen=True)
class Crop:
    scale: float  # output px per source px
    x0: float  # left edge of the output in the scaled source, px
    y0: float
    top_margin_out: float


def decode_image(data: bytes, *, name: str = "") -> np.ndarray:
    """JPEG/PNG/BMP/TIFF/WebP bytes → BGR uint8 (EXIF orientation applied).

    Raises `UserFacingError` (code ``bad_image``) when the bytes are not such a picture, and
    `LimitExceeded` for one over the pixel limit — measured from its header before decoding.
    """
    img = decode_checked(data, name=name)
    if img is None:
        raise UserFacingError(
            "无法读取这张图片（文件损坏，或不是 JPEG、PNG、BMP、TIFF、WebP 图片）",
            message_en="Cannot read this image (damaged, or not a JPEG, PNG, BMP, TIFF or WebP picture)",
            code="bad_image",
        )
    return img


def as_bgr(img: np.ndarray) -> np.ndarray:
    """Accept grey, BGR or BGRA uint8 arrays; anything else is a programming error."""
    if img.dtype != np.uint8:
        raise TypeError(f"expected uint8 image, got {img.dtype}")
    if img.ndim == 2:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    if img.ndim == 3 and img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    if img.ndim == 3 and img.shape[2] == 3:
        return img
    raise TypeError(f"expected an image array, got shape {img.shape}")


def plan_crop(face: FaceBox, head_top: float) -> Crop:
    """Scale so the face is 207 px wide, then place the crown 14 px below the top.

    If that leaves the eyes closer than 207 px to the bottom (a tall head or high hair), first
    raise the crown towards 7 px, then shrink the face towards the 193 px the tolerance allows.
    """
    rise = max(1.0, face.eye_y - head_top)  # eyes to crown, source px
    eye_limit = spec.OUT_H - spec.EYE_MIN_BOTTOM
    s = spec.FACE_W / face.w
    t = float(spec.TOP_TARGET)
    if rise * s + t > eye_limit:
        t = max(float(spec.TOP_MIN), eye_limit - rise * s)
    if rise * s + t > eye_limit:
        s = max((spec.FACE_W - spec.FACE_W_TOL) / face.w, (eye_limit - t) / rise)
    eye_mid_x = (face.eye_l[0] + face.eye_r[0]) / 2
    x0 = eye_mid_x * s - spec.OUT_W / 2
    y0 = head_top * s - t
    return Crop(s, x0, y0, t)


def _warp(img: np.ndarray, crop: Crop, border: tuple[int, ...] | int, interp: int) -> np.ndarray:
    m = np.array([[crop.scale, 0, -crop.x0], [0, crop.scale, -crop.y0]], np.float32)
    return cv2.warpAffine(
        img, m, (spec.OUT_W, spec.OUT_H), flags=interp, borderMode=cv2.BORDER_CONSTANT, borderValue=border
    )


def _whiten(out: np.ndarray, person_out: np.ndarray, bg_mean_bgr: np.ndarray) -> np.ndarray:
    """Lift a uniform light-grey backdrop to white without touching the person.

    Weight 1 on the backdrop; across a thin band at the person's edge (hair fringe blended with
    the grey) the weight falls with the pixel's colour distance from the backdrop, so the fringe
    loses its grey halo; inside the person, beyond that band, the weight is 0.
    """
    backdrop = person_out == 0
    fringe = cv2.dilate(backdrop.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    lab = cv2.cvtColor(out, cv2.COLOR_BGR2LAB).astype(np.float32)
    bg_lab = cv2.cvtColor(np.clip(bg_mean_bgr, 0, 255).astype(np.uint8).reshape(1, 1, 3), cv2.COLOR_BGR2LAB)
    dist = np.linalg.norm(lab - bg_lab.astype(np.float32)[0, 0], axis=2)
    near = np.clip(1.0 - dist / 40.0, 0.0, 1.0)  # 40 Lab units: hair and skin stay well beyond
    alpha = np.where(backdrop, 1.0, np.where(fringe, near, 0.0)).astype(np.float32)[..., None]
    gain = 250.0 / np.maximum(bg_mean_bgr, 1.0)
    lifted = np.clip(out.astype(np.float32) * gain, 0, 255)
    return (out * (1 - alpha) + lifted * alpha).astype(np.uint8)


def encode_jpeg(img: np.ndarray) -> tuple[bytes, int]:
    """JPEG at about quality 70, adjusted to land in 14–20 KB; JFIF density set to 350 dpi."""
    q = spec.JPEG_START_QUALITY
    data = _jpeg(img, q)
    while len(data) > spec.JPEG_MAX_BYTES and q > 40:
        q -= 5
        data = _jpeg(img, q)
    while len(data) < spec.JPEG_MIN_BYTES and q < 95:
        bigger = _jpeg(img, q + 5)
        if len(bigger) > spec.JPEG_MAX_BYTES:
            break
        q, data = q + 5, bigger
    return data, q


def _jpeg(img: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover - libjpeg failing on a valid array is a bug
        raise RuntimeError("JPEG encoding failed")
    data = bytearray(buf.tobytes())
    # libjpeg writes a JFIF APP0 segment with "no units, 1:1"; the card office reads the
    # density, so set units = dots per inch and 350 × 350 in place.
    if data[6:11] == b"JFIF\x00":
        data[13] = 1
        data[14:16] = spec.DPI.to_bytes(2, "big")
        data[16:18] = spec.DPI.to_bytes(2, "big")
    return bytes(data)


def make_id_photo(
    image: np.ndarray, *, detector: FaceDetector | None = None, whiten: bool = True
) -> IdPhotoResult:
    """Crop, check and encode one portrait (BGR/grey/BGRA uint8 array)."""
    bgr = as_bgr(image)
    faces = (detector or default_detector()).detect(bgr)
    metrics = PhotoMetrics()
    count_check = face_count_check(faces)
    if not faces:
        return IdPhotoResult(False, None, [count_check], metrics)
    face = faces[0]
    backdrop = estimate_backdrop(bgr, face)
    mask = person_mask(bgr, backdrop)
    head = find_head_top(mask, face)
    crop = plan_crop(face, head.y)
    interp = cv2.INTER_AREA if crop.scale < 1 else cv2.INTER_CUBIC
    out = _warp(bgr, crop, backdrop.bgr, interp)
    person_out = _warp(mask, crop, 0, cv2.INTER_NEAREST)
    valid_out = _warp(np.full(bgr.shape[:2], 255, np.uint8), crop, 0, cv2.INTER_NEAREST)
    face_out = face.scaled(crop.scale, -crop.x0, -crop.y0)

    stats = background_stats(out, person_out, valid_out)
    whitened = False
    if whiten and head.method == "segmentation" and stats.whitenable():
        out = _whiten(out, person_out, stats.mean_bgr)
        stats = background_stats(out, person_out, valid_out)
        whitened = True

    jpeg, quality = encode_jpeg(out)
    h, w = bgr.shape[:2]
    pads = {
        "left": max(0.0, -crop.x0),
        "right": max(0.0, crop.x0 + spec.OUT_W - w * crop.scale),
        "top": max(0.0, -crop.y0),
        "bottom": max(0.0, crop.y0 + spec.OUT_H - h * crop.scale),
    }
    metrics = PhotoMetrics(
        face_width_px=round(face_out.w, 1),
        top_margin_px=round(crop.top_margin_out, 1),
        eye_to_bottom_px=round(spec.OUT_H - face_out.eye_y, 1),
        eye_angle_deg=round(face.eye_angle_deg, 1),
        source_face_width_px=round(face.w, 1),
        scale=round(crop.scale, 3),
        head_top_method=head.method,
        jpeg_bytes=len(jpeg),
        jpeg_quality=quality,
        width_px=spec.OUT_W,
        height_px=spec.OUT_H,
        dpi=spec.DPI,
        background_whitened=whitened,
        crop_box_source=(round(crop.x0 / crop.scale, 1), round(crop.y0 / crop.scale, 1),
                         round(spec.OUT_W / crop.scale, 1), round(spec.OUT_H / crop.scale, 1)),
        face_box_source=(round(face.x, 1), round(face.y, 1), round(face.w, 1), round(face.h, 1)),
    )
    checks = [
        count_check,
        tilt_check(face),
        exposure_check(out, face_out),
        sharpness_check(out, face_out),
        background_check(stats, whitened),
        face_size_check(face, crop.scale),
        framing_check(pads, head.touches_top),
        geometry_check(metrics, head.method),
        eyes_check(),
    ]
    ok = all(c.ok is not False for c in checks)
    return IdPhotoResult(ok, jpeg, checks, metrics)
