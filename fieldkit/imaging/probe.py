"""How big a picture is, read from its file header before a single pixel is decoded.

A PNG of a blank 40000×40000 image compresses to ~200 KB; decoding it needs 4.8 GB (OpenCV
refuses above 2^30 pixels with an exception, and below that takes tens of seconds and gigabytes).
So every picture the user hands FieldKit is measured first and refused by name when it has more
than `fieldkit.domain.limits.IMAGE_MAX_PIXELS` pixels (`decode_checked`).

The header is parsed by Pillow's plugin for the format named by the file's first bytes. The
plugin classes are constructed directly rather than through `PIL.Image.open`, whose own bomb
guard raises for large sizes without saying the size (and would need a process-wide setting
changed). Only the formats FieldKit promises are read — JPEG, PNG, BMP, TIFF, WebP — so the
decoder OpenCV picks by the same first bytes is the one whose header was measured.

Threading: pure functions, any thread.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import BmpImagePlugin, ImageFile, JpegImagePlugin, PngImagePlugin, TiffImagePlugin, WebPImagePlugin

from fieldkit.domain.limits import check_image_pixels

# First bytes → the Pillow class that reads that format's header.
_READERS: tuple[tuple[tuple[bytes, ...], type[ImageFile.ImageFile]], ...] = (
    ((b"\xff\xd8\xff",), JpegImagePlugin.JpegImageFile),
    ((b"\x89PNG\r\n\x1a\n",), PngImagePlugin.PngImageFile),
    ((b"BM",), BmpImagePlugin.BmpImageFile),
    (tuple(TiffImagePlugin.PREFIXES), TiffImagePlugin.TiffImageFile),
)


@dataclass(frozen=True)
class ImageHeader:
    format: str  # "JPEG", "PNG", "BMP", "TIFF", "WEBP"
    width: int  # px
    height: int  # px

    @property
    def pixels(self) -> int:
        return self.width * self.height


def _reader(data: bytes) -> type[ImageFile.ImageFile] | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WebPImagePlugin.WebPImageFile
    for prefixes, cls in _READERS:
        if data.startswith(prefixes):
            return cls
    return None


def read_header(data: bytes) -> ImageHeader | None:
    """The format and size of the picture in `data`, or None when it is not one FieldKit reads."""
    cls = _reader(data)
    if cls is None:
        return None
    try:
        with cls(io.BytesIO(data)) as im:
            width, height = im.size
            fmt = im.format or cls.format
    except Exception:
        return None
    if width <= 0 or height <= 0:
        return None
    return ImageHeader(str(fmt), int(width), int(height))


def decode_checked(data: bytes, *, name: str = "") -> np.ndarray | None:
    """A BGR uint8 image from the bytes of a picture file, or None when it is not a readable one.

    Raises `LimitExceeded` (naming `name`, the file, when given) for a picture with more than
    IMAGE_MAX_PIXELS pixels — before decoding, so a decompression bomb costs a header read.
    """
    header = read_header(data) if data else None
    if header is None:
        return None
    check_image_pixels(header.width, header.height, name=name)
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    except cv2.error:  # a damaged file OpenCV gives up on loudly instead of returning None
        return None
    return image if image is not None and image.size else None
