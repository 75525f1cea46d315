"""Use case: turn a portrait (camera frame, file, bytes) into a resident-ID photo with checks.

The capture dialog calls `process_photo(frame)` on each "take" and the CLI calls `process_file`.
Nothing is stored here: the caller decides whether to attach `result.jpeg` to an application
(`store.attachments.put(result.jpeg, kind="idphoto")`).

Threading: no Qt, no store; safe from any worker thread (the face detector serialises its own
calls). ~50–100 ms per 1280×720 frame on one core: never call it on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fieldkit.domain.errors import UserFacingError
from fieldkit.imaging.face import FaceDetector
from fieldkit.imaging.idphoto import IdPhotoResult, PhotoCheck, PhotoMetrics, decode_image, make_id_photo
from fieldkit.services.doorplates import IMAGE_LIMIT
from fieldkit.services.files import read_user_file

__all__ = ["IdPhotoResult", "PhotoCheck", "PhotoMetrics", "process_file", "process_photo"]

MAX_INPUT_BYTES = 40 * 1024 * 1024  # a phone's largest JPEG is ~15 MB; more is not a photo


def process_photo(image: bytes | bytearray | memoryview | np.ndarray, *,
                  detector: FaceDetector | None = None, whiten: bool = True) -> IdPhotoResult:
    """Encoded image bytes (JPEG/PNG/…) or a BGR uint8 array → `IdPhotoResult`.

    Raises `UserFacingError` (code ``bad_image``) only when the bytes are not an image; a
    photo that fails a check comes back with `ok=False` and the reasons in `checks`.
    """
    if isinstance(image, np.ndarray):
        array = image
    else:
        data = bytes(image)
        if len(data) > MAX_INPUT_BYTES:
            raise UserFacingError("图片文件过大", message_en="Image file too large", code="bad_image")
        array = decode_image(data)
    return make_id_photo(array, detector=detector, whiten=whiten)


def process_file(path: str | Path, *, detector: FaceDetector | None = None, whiten: bool = True) -> IdPhotoResult:
    """Read an image file and process it; a missing file raises `NotFound`."""
    data = read_user_file(Path(path), IMAGE_LIMIT)
    return process_photo(data, detector=detector, whiten=whiten)
