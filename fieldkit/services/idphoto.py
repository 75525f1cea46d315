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

from fieldkit.domain.limits import IDPHOTO_MAX_BYTES, LimitExceeded, MiB
from fieldkit.imaging.face import FaceDetector
from fieldkit.imaging.idphoto import IdPhotoResult, PhotoCheck, PhotoMetrics, decode_image, make_id_photo
from fieldkit.services.files import read_user_file

__all__ = ["IdPhotoResult", "PhotoCheck", "PhotoMetrics", "process_file", "process_photo"]


def process_photo(image: bytes | bytearray | memoryview | np.ndarray, *,
                  detector: FaceDetector | None = None, whiten: bool = True, name: str = "") -> IdPhotoResult:
    """Encoded image bytes (JPEG/PNG/…) or a BGR uint8 array → `IdPhotoResult`.

    Raises `UserFacingError` (code ``bad_image``) when the bytes are not an image and
    `LimitExceeded` when they are more than IDPHOTO_MAX_BYTES or the picture more than
    IMAGE_MAX_PIXELS (`fieldkit.domain.limits`), before decoding; a photo that fails a check
    comes back with `ok=False` and the reasons in `checks`.
    """
    if isinstance(image, np.ndarray):
        array = image
    else:
        data = bytes(image)
        if len(data) > IDPHOTO_MAX_BYTES:
            raise LimitExceeded(
                f"图片文件过大：{len(data) / MiB:.0f} MB，最多 {IDPHOTO_MAX_BYTES // MiB} MB",
                message_en=f"Image file too large: {len(data) / MiB:.0f} MB; at most {IDPHOTO_MAX_BYTES // MiB} MB",
                limit="IDPHOTO_MAX_BYTES", code="image_too_large",
            )
        array = decode_image(data, name=name)
    return make_id_photo(array, detector=detector, whiten=whiten)


def process_file(path: str | Path, *, detector: FaceDetector | None = None, whiten: bool = True) -> IdPhotoResult:
    """Read an image file and process it; a missing file raises `NotFound`, one over
    IDPHOTO_MAX_BYTES `StorageError` (the file is not read)."""
    data = read_user_file(Path(path), IDPHOTO_MAX_BYTES)
    return process_photo(data, detector=detector, whiten=whiten, name=str(path))
