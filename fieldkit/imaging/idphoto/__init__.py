"""Resident-ID (GA 461) photos: crop a portrait to 358×441 px at 350 dpi and check it.

Public API: `make_id_photo(image) -> IdPhotoResult`, `decode_image(bytes)`, the result types
(`IdPhotoResult`, `PhotoCheck`, `PhotoMetrics`) and the specification constants in `spec`.
"""

from __future__ import annotations

from fieldkit.imaging.idphoto import spec
from fieldkit.imaging.idphoto.compose import decode_image, encode_jpeg, make_id_photo, plan_crop
from fieldkit.imaging.idphoto.spec import IdPhotoResult, PhotoCheck, PhotoMetrics

__all__ = [
    "IdPhotoResult",
    "PhotoCheck",
    "PhotoMetrics",
    "decode_image",
    "encode_jpeg",
    "make_id_photo",
    "plan_crop",
    "spec",
]
