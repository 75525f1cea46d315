"""Decompression bombs for tests: real, valid PNGs of huge blank images that are small on disk.

The rows are compressed one at a time from a generator, so the pixels are never allocated:
40000×40000 at 1 bit per pixel is 200 MB of rows and ~190 KB of file.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def blank_png(path: Path, width: int, height: int, *, bit_depth: int = 1) -> Path:
    """Write a valid greyscale PNG of `width`×`height` black pixels to `path` and return it."""
    row = b"\x00" + bytes((width * bit_depth + 7) // 8)  # filter "none", then the row's bytes
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b""))
    return path
