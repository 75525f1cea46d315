"""The checks an ID photo must pass, each explained in Chinese (with English).

Each function measures one thing and returns a `PhotoCheck` with the measured value, so the
capture dialog can say exactly what to fix. Pure functions, safe from any thread.
Units: px of the 358×441 output unless stated; luma 0–255; L*/chroma in CIELAB units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from fieldkit.imaging.face import FaceBox
from fieldkit.imaging.idphoto import spec
from fieldkit.imaging.idphoto.spec import PhotoCheck, PhotoMetrics

# A second face counts when it is at least this share of the main face's width: smaller ones
# are posters or people far behind, which the crop leaves out anyway.
SECOND_FACE_SHARE = 0.35
SHARPNESS_WIDTH_PX = 64


def face_count_check(faces: Sequence[FaceBox]) -> PhotoCheck:
    if not faces:
        return PhotoCheck("face_count", False, "未检测到人脸：请让被拍摄人正对镜头，露出面部",
                          "No face found: the person should face the camera with the face uncovered", 0)
    n = sum(1 for f in faces if f.w >= SECOND_FACE_SHARE * faces[0].w)
    if n > 1:
        return PhotoCheck("face_count", False, f"画面中有 {n} 张人脸：每张照片只能有一个人",
                          f"{n} faces in the picture: only one person per photo", n)
    return PhotoCheck("face_count", True, "检测到一张人脸", "One face found", 1)


def tilt_check(face: FaceBox) -> PhotoCheck:
    angle = round(face.eye_angle_deg, 1)
    if abs(angle) > spec.MAX_TILT_DEG:
        side = "右" if angle > 0 else "左"  # + = clockwise in the image: the head leans to its left
        side_en = "right" if angle > 0 else "left"
        return PhotoCheck("head_tilt", False,
                          f"头部倾斜 {abs(angle):.1f}°（向画面{side}侧歪），请保持头部端正",
                          f"Head tilted {abs(angle):.1f}° (towards the image {side_en}): keep the head upright",
                          angle)
    return PhotoCheck("head_tilt", True, f"头部端正（{angle:+.1f}°）", f"Head upright ({angle:+.1f}°)", angle)


def _inner_face(img: np.ndarray, face: FaceBox) -> np.ndarray:
    """The skin between the cheeks, brows and chin: no hair, no background."""
    h, w = img.shape[:2]
    x0, x1 = int(max(0, face.x + 0.2 * face.w)), int(min(w, face.x + 0.8 * face.w))
    y0, y1 = int(max(0, face.y + 0.2 * face.h)), int(min(h, face.y + 0.9 * face.h))
    return img[y0:y1, x0:x1]


def exposure_check(out: np.ndarray, face_out: FaceBox) -> PhotoCheck:
    grey = cv2.cvtColor(_inner_face(out, face_out), cv2.COLOR_BGR2GRAY)
    if grey.size == 0:
        return PhotoCheck("exposure", None, "无法测量面部亮度", "Face brightness not measurable")
    mean = round(float(grey.mean()), 1)
    clipped = float((grey >= 250).mean())
    if mean < spec.FACE_DARK_Y:
        return PhotoCheck("exposure", False, f"面部太暗（亮度 {mean:.0f}），请补光或调亮",
                          f"Face too dark (luma {mean:.0f}): add light", mean)
    if mean > spec.FACE_BRIGHT_Y or clipped > spec.FACE_CLIPPED_MAX:
        return PhotoCheck("exposure", False, f"面部太亮/过曝（亮度 {mean:.0f}），请减弱灯光或避免闪光直射",
                          f"Face too bright / overexposed (luma {mean:.0f}): soften the light", mean)
    return PhotoCheck("exposure", True, f"面部亮度合适（{mean:.0f}）", f"Face brightness fine ({mean:.0f})", mean)


def sharpness_check(out: np.ndarray, face_out: FaceBox) -> PhotoCheck:
    """Variance of the Laplacian on the face, shrunk to a fixed 64 px wide and fixed contrast.

    The fixed width makes the number independent of the face's size and averages out webcam
    sensor noise (which would otherwise pass for detail); the fixed contrast (std 32 luma)
    keeps a dark but sharp photo from being called blurred — the exposure check covers darkness.
    """
    grey = cv2.cvtColor(_inner_face(out, face_out), cv2.COLOR_BGR2GRAY).astype(np.float32)
    if grey.size == 0:
        return PhotoCheck("sharpness", None, "无法测量清晰度", "Sharpness not measurable")
    k = SHARPNESS_WIDTH_PX / grey.shape[1]
    small = cv2.resize(grey, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
    norm = (small - small.mean()) * (32.0 / max(float(small.std()), 1.0))
    var = round(float(cv2.Laplacian(norm, cv2.CV_32F).var()), 1)
    if var < spec.MIN_SHARPNESS:
        return PhotoCheck("sharpness", False, f"照片模糊（清晰度 {var:.0f}），请对焦后保持不动重拍",
                          f"Photo blurred (sharpness {var:.0f}): focus and hold still", var)
    return PhotoCheck("sharpness", True, f"清晰度合格（{var:.0f}）", f"Sharp enough ({var:.0f})", var)


@dataclass(frozen=True)
class BackgroundStats:
    n: int  # pixels sampled
    mean_l: float  # L*, 0–100
    chroma: float  # distance of the mean colour from neutral grey
    std_l: float
    side_diff_l: float  # |left − right| L*
    mean_bgr: np.ndarray

    def whitenable(self) -> bool:
        """Uniform and light, only not white enough: safe to lift without touching the person."""
        return (
            self.n > 0
            and not self.is_white()
            and self.mean_l >= spec.WHITEN_MIN_L
            and self.chroma <= spec.WHITEN_MAX_CHROMA
            and self.std_l <= spec.BG_MAX_STD_L
            and self.side_diff_l <= spec.BG_MAX_SIDE_DIFF_L
        )

    def is_white(self) -> bool:
        return self.mean_l >= spec.BG_MIN_L and self.chroma <= spec.BG_MAX_CHROMA


def background_stats(out: np.ndarray, person_out: np.ndarray, valid_out: np.ndarray) -> BackgroundStats:
    """Sample the output's top strip and its two upper corners, where only backdrop belongs.

    Pixels the segmentation calls "person" (big hair) and padding outside the source are left
    out; if that leaves almost nothing, the corners are taken whole.
    """
    h, w = out.shape[:2]
    cw, ch = int(0.12 * w), int(0.35 * h)
    regions = {"left": (slice(0, ch), slice(0, cw)), "right": (slice(0, ch), slice(w - cw, w)),
               "top": (slice(0, 5), slice(0, w))}
    lab = cv2.cvtColor(out, cv2.COLOR_BGR2LAB).astype(np.float32)
    lab[..., 0] *= 100.0 / 255.0
    lab[..., 1:] -= 128.0
    picked: dict[str, np.ndarray] = {}
    picked_bgr = []
    # Stay a few px clear of the person: the soft edge of hair is neither backdrop nor uneven.
    near_person = cv2.dilate(person_out, np.ones((11, 11), np.uint8))
    for name, (ys, xs) in regions.items():
        keep = (near_person[ys, xs] == 0) & (valid_out[ys, xs] > 0)
        if keep.sum() < 50:
            keep = np.ones_like(keep, bool)
        picked[name] = lab[ys, xs][keep]
        picked_bgr.append(out[ys, xs][keep].astype(np.float32))
    allpx = np.concatenate(list(picked.values()))
    mean = allpx.mean(axis=0)
    return BackgroundStats(
        n=int(allpx.shape[0]),
        mean_l=round(float(mean[0]), 1),
        chroma=round(float(np.hypot(mean[1], mean[2])), 1),
        std_l=round(float(allpx[:, 0].std()), 1),
        side_diff_l=round(float(abs(picked["left"][:, 0].mean() - picked["right"][:, 0].mean())), 1),
        mean_bgr=np.concatenate(picked_bgr).mean(axis=0),
    )


def background_check(stats: BackgroundStats, whitened: bool) -> PhotoCheck:
    value = {"L": stats.mean_l, "chroma": stats.chroma, "std_L": stats.std_l, "side_diff_L": stats.side_diff_l}
    problems, problems_en = [], []
    if stats.mean_l < spec.BG_MIN_L:
        problems.append(f"背景不够白（亮度 L*={stats.mean_l:.0f}，应 ≥ {spec.BG_MIN_L:.0f}）")
        problems_en.append(f"background not white (L*={stats.mean_l:.0f}, needs ≥ {spec.BG_MIN_L:.0f})")
    if stats.chroma > spec.BG_MAX_CHROMA:
        problems.append(f"背景偏色（色度 {stats.chroma:.0f}），请检查白平衡或换白色背景布")
        problems_en.append(f"background has a colour cast (chroma {stats.chroma:.0f})")
    if stats.std_l > spec.BG_MAX_STD_L or stats.side_diff_l > spec.BG_MAX_SIDE_DIFF_L:
        problems.append("背景不均匀（有阴影、褶皱或杂物），请拉平背景布、均匀打光")
        problems_en.append("background uneven (shadows, creases or objects)")
    if problems:
        return PhotoCheck("background", False, "；".join(problems), "; ".join(problems_en), value)
    if whitened:
        return PhotoCheck("background", True, "背景为均匀浅灰，已提亮为白色（人像未改动）",
                          "Uniform light-grey background brightened to white (the person untouched)", value)
    return PhotoCheck("background", True, "背景为均匀白色", "Plain white background", value)


def face_size_check(face: FaceBox, scale: float) -> PhotoCheck:
    width = round(face.w, 1)
    if scale > spec.MAX_UPSCALE:
        return PhotoCheck("face_size", False,
                          f"原图中人脸太小（宽 {width:.0f} 像素，需放大 {scale:.1f} 倍），请靠近些或提高摄像头分辨率",
                          f"Face too small in the source ({width:.0f} px, {scale:.1f}× upscaling): move closer "
                          "or raise the camera resolution", width)
    return PhotoCheck("face_size", True, f"原图人脸大小合适（宽 {width:.0f} 像素）",
                      f"Face large enough in the source ({width:.0f} px)", width)


_SIDES = {"left": ("左", "left"), "right": ("右", "right"), "top": ("上", "top"), "bottom": ("下", "bottom")}


def framing_check(pads_out: dict[str, float], touches_top: bool) -> PhotoCheck:
    """Did the crop need pixels the camera never saw? Then the sitter is off-centre or too close."""
    value = {k: round(v, 1) for k, v in pads_out.items()}
    limits = {"left": spec.OUT_W, "right": spec.OUT_W, "top": spec.OUT_H, "bottom": spec.OUT_H}
    over = [k for k, v in pads_out.items() if v > spec.MAX_PAD_FRACTION * limits[k]]
    if touches_top and "top" not in over:
        over.append("top")
    if over:
        zh = "、".join(_SIDES[k][0] for k in over)
        en = ", ".join(_SIDES[k][1] for k in over)
        return PhotoCheck("framing", False, f"人像太靠画面{zh}边，照片在该侧超出原图：请让被拍摄人居中、头顶上方留出空间",
                          f"The person is too close to the {en} edge of the frame: centre them with room above the head",
                          value)
    return PhotoCheck("framing", True, "人像在画面中位置合适", "Person well placed in the frame", value)


def geometry_check(m: PhotoMetrics, head_top_method: str) -> PhotoCheck:
    assert m.face_width_px is not None and m.top_margin_px is not None and m.eye_to_bottom_px is not None
    value = {"face_width_px": m.face_width_px, "top_margin_px": m.top_margin_px,
             "eye_to_bottom_px": m.eye_to_bottom_px}
    bad, bad_en = [], []
    if abs(m.face_width_px - spec.FACE_W) > spec.FACE_W_TOL:
        bad.append(f"脸宽 {m.face_width_px:.0f} 像素（应为 {spec.FACE_W}±{spec.FACE_W_TOL}）")
        bad_en.append(f"face width {m.face_width_px:.0f} px (needs {spec.FACE_W}±{spec.FACE_W_TOL})")
    if not spec.TOP_MIN <= m.top_margin_px <= spec.TOP_MAX:
        bad.append(f"头顶距上边 {m.top_margin_px:.0f} 像素（应为 {spec.TOP_MIN}–{spec.TOP_MAX}）")
        bad_en.append(f"crown {m.top_margin_px:.0f} px below the top (needs {spec.TOP_MIN}–{spec.TOP_MAX})")
    if m.eye_to_bottom_px < spec.EYE_MIN_BOTTOM:
        bad.append(f"眼睛距下边 {m.eye_to_bottom_px:.0f} 像素（应 ≥ {spec.EYE_MIN_BOTTOM}），头发过高或头部过长")
        bad_en.append(f"eyes {m.eye_to_bottom_px:.0f} px above the bottom (needs ≥ {spec.EYE_MIN_BOTTOM})")
    if bad:
        return PhotoCheck("geometry", False, "；".join(bad), "; ".join(bad_en), value)
    if head_top_method != "segmentation":
        return PhotoCheck("geometry", True,
                          "尺寸符合要求，但头顶位置是按脸部比例估计的（背景与头发分不开），请目视核对",
                          "Sizes in range, but the crown was estimated from face proportions "
                          "(hair not separable from the background): check by eye", value)
    return PhotoCheck("geometry", True, "尺寸符合 GA 461 要求", "Sizes meet GA 461", value)


def eyes_check() -> PhotoCheck:
    # MTCNN gives eye centres only, no eyelid points, so openness cannot be measured honestly.
    return PhotoCheck("eyes_open", None, "未检查：人脸模型只给出眼睛中心点，无法判断是否闭眼，请目视确认",
                      "Not checked: the face model gives eye centres only, not eyelids; check by eye")
