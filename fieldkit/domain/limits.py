"""Every limit FieldKit puts on what it reads from outside, declared once (table: docs/limits.md).

Hostile or broken input — a photo whose header claims 40000×40000 pixels, a sealed file whose
header asks for gigabytes of key-derivation memory, a scanner stuck in a loop typing the same
characters — is refused *before* the work starts, with a message that names the limit. The values
live here so that the checks, the messages, the tests and the docs cannot drift apart. Each says
in its comment why it is what it is.

Below the constants: the error every refusal raises (`LimitExceeded`) and the few checks that
need nothing but values already in memory. Pure Python, no I/O; safe from any thread.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fieldkit.domain.errors import UserFacingError

MiB = 1024 * 1024

# -- images: `fieldkit scan`, `fieldkit idphoto`, the scan view's "open picture", the photo dialog --
# Pixels of a picture file, read from its header before anything is decoded. A 50-megapixel phone
# writes 8192×6144 (50.3 MP) in its full-resolution mode, so the limit sits a little above that;
# 64/108/200 MP modes are refused (their default, pixel-binned photos are 12–16 MP). Decoded as
# BGR, 60 MP is 180 MB; a scan or an ID photo of a 60 MP JPEG peaked at ~520 MB and ~2.5 s here,
# which a station laptop with 4 GB survives. The reported bombs (25000×25000 = 625 MP,
# 40000×40000 = 1.6 GP) took 42 s and 4.6 GB, or crashed.
IMAGE_MAX_PIXELS = 60_000_000
# Bytes of a picture file for a doorplate scan: a phone photo is 3–15 MB, an A4 page scanned at
# 600 dpi ~30 MB; twice that is still a photo, more is not.
SCAN_IMAGE_MAX_BYTES = 64 * MiB
# Bytes of a portrait for an ID photo: a phone's largest JPEG is ~15 MB; more is not a portrait.
IDPHOTO_MAX_BYTES = 40 * MiB

# -- sealed files (services/sealed.py): what a header may ask of the key derivation --------------
# FieldKit writes scrypt n=2^15, r=8, p=1 (32 MiB, ~0.1 s). A reader accepts n from 2^14 to 2^17
# (a later version may raise the cost up to 128 MiB / ~0.5 s), and exactly the r and p it writes:
# memory is 128·n·r bytes, so a header asking n=2^20 took 1.2 GB and 14 s, and n=2^31 256 GiB.
SEALED_SCRYPT_N_MIN = 2**14
SEALED_SCRYPT_N_MAX = 2**17
SEALED_SCRYPT_R = 8
SEALED_SCRYPT_P = 1
# Salt bytes: FieldKit writes 16; 64 is generous for any other writer.
SEALED_SALT_MIN_BYTES = 16
SEALED_SALT_MAX_BYTES = 64
# Bytes of the JSON header line; the one FieldKit writes is ~90.
SEALED_HEADER_MAX_BYTES = 1024
# Bytes of a sealed or plain export read back (`fieldkit unseal`, `fieldkit import`): the largest
# module of a big township exports to ~100 MB.
DATA_FILE_MAX_BYTES = 512 * MiB

# -- doorplates (domain/doorplate_code.py, cli/doorplate_cmds.py) ---------------------------------
# Characters of a scanned or typed code: the largest QR symbol (version 40, numeric mode) holds
# 7,089. Anything longer did not come from a QR code (a stuck USB scanner, a pasted file).
QR_PAYLOAD_MAX_CHARS = 7089
# Bytes of a file of trusted public keys (`--keys-file`): a key is ~60 characters; 1 MiB is
# ~15,000 keys, more than there are police stations in a province.
KEYS_FILE_MAX_BYTES = 1 * MiB
# Bytes of a CSV/JSON list of addresses to print plates for: a county's addresses fit.
ADDRESS_LIST_MAX_BYTES = 64 * MiB

# -- JSON read from files (CSV cells of lists/repeat groups, sealed headers, address lists) -------
# Nesting depth. The deepest value a form holds is 3 (a multi-choice list in a repeat group's row,
# in the group's list); Python's decoder fails with RecursionError — a crash, not a message — near
# depth 1,000. 16 is five times what is needed and far from that edge.
JSON_MAX_DEPTH = 16


class LimitExceeded(UserFacingError):
    """Input refused because it is larger than a limit declared here. `limit` is the constant's
    name (for scripts: it appears in `to_dict()`), the messages say the value in words."""

    default_code = "too_large"

    def __init__(self, message: str, *, limit: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.limit = limit

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "limit": self.limit}


def _wan(n: int) -> str:
    """A count the way Chinese says it: 60,000,000 → "6000 万"."""
    return f"{n // 10_000} 万" if n >= 10_000 and n % 10_000 == 0 else f"{n:,}"


def check_image_pixels(width: int, height: int, *, name: str = "") -> None:
    """Refuse a picture whose header says it has more than IMAGE_MAX_PIXELS pixels."""
    if width * height <= IMAGE_MAX_PIXELS:
        return
    where, where_en = (f"（{name}）", f" ({name})") if name else ("", "")
    raise LimitExceeded(
        f"图片过大{where}：{width}×{height} 像素，最多 {_wan(IMAGE_MAX_PIXELS)}像素。请用手机的普通模式重拍，或把图片缩小后再试。",
        message_en=f"Image too large{where_en}: {width}×{height} pixels; at most {IMAGE_MAX_PIXELS / 1e6:.0f} megapixels. "
        "Take the photo in the phone's normal mode, or shrink it, and try again.",
        limit="IMAGE_MAX_PIXELS", code="image_too_large",
    )


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # unrolled: no backtracking
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """How deeply the arrays/objects in JSON `text` nest (brackets inside strings do not count).

    Linear in the text and without recursion, so it is safe on any input, broken JSON included.
    """
    depth = deepest = 0
    for m in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if m.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def loads_json(text: str | bytes, *, what: str = "JSON", what_en: str = "JSON") -> Any:
    """`json.loads` for JSON read from a file, refusing nesting deeper than JSON_MAX_DEPTH first.

    `what`/`what_en` name the value in the message ("加密文件头" …). A `json.JSONDecodeError`
    (broken JSON) passes through to the caller, which knows what to call it.
    """
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8")
    depth = json_depth(text)
    if depth > JSON_MAX_DEPTH:
        raise LimitExceeded(
            f"{what}嵌套过深：{depth} 层，最多 {JSON_MAX_DEPTH} 层",
            message_en=f"{what_en} nested too deeply: {depth} levels; at most {JSON_MAX_DEPTH}",
            limit="JSON_MAX_DEPTH", code="json_too_deep",
        )
    return json.loads(text)
