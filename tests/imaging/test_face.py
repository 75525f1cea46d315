"""The packaged face detector on the face photos scikit-image ships."""

from __future__ import annotations

import cv2
import numpy as np
from skimage import data

from fieldkit.imaging.face import default_detector


def _lfw(i: int) -> np.ndarray:
    """LFW crop i (25×25 grey) enlarged to 100 px on a grey card, as a small portrait."""
    g = (data.lfw_subset()[i] * 255).astype(np.uint8)
    g = cv2.resize(g, (100, 100), interpolation=cv2.INTER_CUBIC)
    canvas = np.full((200, 200), 128, np.uint8)
    canvas[50:150, 50:150] = g
    return cv2.cvtColor(canvas, cv2.COLOR_GRAY2BGR)


def test_astronaut_face_and_eyes_are_where_they_are():
    bgr = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    faces = default_detector().detect(bgr)
    assert len(faces) == 1
    f = faces[0]
    assert 170 <= f.x <= 200 and 55 <= f.y <= 80 and 75 <= f.w <= 100
    assert abs(f.eye_l[0] - 207) <= 5 and abs(f.eye_r[0] - 249) <= 5
    assert abs(f.eye_y - 104) <= 5
    assert 0 < f.eye_angle_deg < 6  # her head leans slightly, clockwise in the image


def test_lfw_faces_found_and_non_faces_not():
    """scikit-image's LFW subset: 100 face crops, then 100 crops of other things."""
    det = default_detector()
    found = sum(1 for i in range(100) if det.detect(_lfw(i)))
    false = sum(1 for i in range(100, 200) if det.detect(_lfw(i)))
    assert found >= 95
    assert false <= 2


def test_faces_come_largest_first():
    big = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    small = cv2.resize(big, (256, 256))
    canvas = np.full((600, 900, 3), 240, np.uint8)
    canvas[40:296, 20:276] = small
    canvas[40:552, 360:872] = big
    faces = default_detector().detect(canvas)
    assert len(faces) == 2
    assert faces[0].w > 1.5 * faces[1].w and faces[0].x > 360
