"""The safety plaque (平安星级牌): a printable A4/A5 sheet for a village or compound with its
stars, its safety index, the period, and a QR code residents scan to see — and check — it.

The QR carries ``FKP1:<VILLAGE>:<FROM>-<TO>:<INDEX>:<STARS>:<STATION>:<SIG>``, signed with the
same Ed25519 station key as doorplates (`domain.doorplate_code.StationKey`) over
``b"FKP1\\n" + STATION + b"\\n" + VILLAGE:FROM-TO:INDEX:STARS``, the signature in base32 without
padding. Like a doorplate it uses only the QR alphanumeric set (digits, A–Z, ``:.-``), so it
stays a small, robust symbol; the different prefix means a plaque can never pass for a doorplate
or the reverse. Dates are YYYYMMDD, the index has one decimal, stars 0–5 (0: vetoed).

Threading: pure functions and one-call writers; run the PDF writer on a worker thread.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import qrcode
from cryptography.exceptions import InvalidSignature
from qrcode.constants import ERROR_CORRECT_Q
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from fieldkit.domain.doorplate_code import StationKey, StationPublicKey
from fieldkit.ledger.fonts import register_cjk_font
from fieldkit.ledger.output import Out, output_target

PLAQUE_PREFIX = "FKP1"
_BODY = re.compile(r"(\d{12}):(\d{8})-(\d{8}):(\d{1,3}\.\d):([0-5])")
_STATION = re.compile(r"[0-9A-Z]{1,16}")
SIZES = {"A4": A4, "A5": A5}


class PlaqueError(ValueError):
    """A plaque payload that is malformed, from an unknown station, or altered."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.message_zh = zh
        self.message_en = en


@dataclass(frozen=True)
class PlaqueInfo:
    """What a verified plaque QR says."""

    village_code: str
    date_from: str  # ISO
    date_to: str
    index: float
    stars: int
    station: str


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _body(village_code: str, date_from: str, date_to: str, index: float, stars: int) -> str:
    d1, d2 = date_from.replace("-", ""), date_to.replace("-", "")
    body = f"{village_code}:{d1}-{d2}:{max(0.0, min(100.0, index)):.1f}:{int(stars)}"
    if not _BODY.fullmatch(body):
        raise PlaqueError("平安牌内容格式不对", f"Cannot encode plaque {body!r}")
    return body


def _message(station: str, body: str) -> bytes:
    return f"{PLAQUE_PREFIX}\n{station}\n{body}".encode("ascii")


def sign_plaque(key: StationKey, *, village_code: str, date_from: str, date_to: str, index: float, stars: int) -> str:
    """The QR payload of a plaque, signed by the station's key."""
    body = _body(village_code, date_from, date_to, index, stars)
    sig = key.private.sign(_message(key.station, body))
    return f"{PLAQUE_PREFIX}:{body}:{key.station}:{_b32(sig)}"


def verify_plaque(text: str, trusted: Mapping[str, StationPublicKey] | Iterable[StationPublicKey]) -> PlaqueInfo:
    """Check a scanned plaque payload against the trusted station keys; `PlaqueError` if not good."""
    keys = {k.upper(): v for k, v in trusted.items()} if isinstance(trusted, Mapping) else {k.station: k for k in trusted}
    parts = text.strip().split(":")
    if len(parts) != 7 or parts[0] != PLAQUE_PREFIX:
        raise PlaqueError("不是平安牌二维码", "Not a safety plaque code")
    body, station, sig_text = ":".join(parts[1:5]), parts[5], parts[6]
    m = _BODY.fullmatch(body)
    if not m or not _STATION.fullmatch(station):
        raise PlaqueError("平安牌二维码已损坏", "The plaque code is damaged")
    key = keys.get(station)
    if key is None:
        raise PlaqueError(f"未知的发牌单位 {station}，无法核验", f"Unknown issuing station {station}")
    try:
        sig = base64.b32decode(sig_text + "=" * (-len(sig_text) % 8))
        key.key.verify(sig, _message(station, body))
    except (binascii.Error, ValueError, InvalidSignature):
        raise PlaqueError("平安牌签名不符：可能被伪造或篡改", "The plaque signature does not match: forged or altered") from None
    d1, d2 = m.group(2), m.group(3)
    return PlaqueInfo(m.group(1), f"{d1[:4]}-{d1[4:6]}-{d1[6:]}", f"{d2[:4]}-{d2[4:6]}-{d2[6:]}",
                      float(m.group(4)), int(m.group(5)), station)


def qr_image(payload: str, box: int = 8):
    """A PIL image of the payload's QR (ECC level Q, 4-module quiet zone)."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, box_size=box, border=4)
    qr.add_data(payload)
    qr.make(fit=True)
    return qr.make_image(fill_color="black", back_color="white").get_image().convert("L")


def _star(c: Canvas, cx: float, cy: float, r: float, filled: bool) -> None:
    # Drawn as a path, not the ★ glyph: not every CJK TrueType font has it, and it must print.
    path = c.beginPath()
    for i in range(10):
        rad = r if i % 2 == 0 else r * 0.4
        a = math.pi / 2 + i * math.pi / 5
        x, y = cx + rad * math.cos(a), cy + rad * math.sin(a)
        path.moveTo(x, y) if i == 0 else path.lineTo(x, y)
    path.close()
    c.setStrokeColor(colors.HexColor("#B8860B"))
    c.setFillColor(colors.HexColor("#E6B800") if filled else colors.white)
    c.drawPath(path, stroke=1, fill=1)


def write_plaque(
    out: Out,
    *,
    village_name: str,
    stars: int,
    index: float,
    period: str,
    station: str,
    payload: str,
    vetoed: bool = False,
    size: str = "A4",
    issued: str = "",
) -> int:
    """Write one plaque page (portrait A4 or A5) to a path or binary file; returns pages (1).

    Raises `FontMissing` without a CJK font, `StorageError` when the file cannot be written.
    """
    font = register_cjk_font()
    w, h = SIZES[size.upper()]
    s = w / A4[0]  # everything scales with the page so A5 is the same design, smaller
    with output_target(out) as target:
        c = Canvas(target, pagesize=(w, h), pageCompression=1)
        c.setTitle(f"{village_name} 平安星级牌")
        c.setAuthor(station)
        c.setStrokeColor(colors.HexColor("#B22222"))
        c.setLineWidth(4 * s)
        c.rect(12 * mm * s, 12 * mm * s, w - 24 * mm * s, h - 24 * mm * s)
        c.setFillColor(colors.HexColor("#B22222"))
        c.setFont(font, 34 * s)
        c.drawCentredString(w / 2, h - 45 * mm * s, "平安星级村（社区）")
        c.setFillColor(colors.black)
        c.setFont(font, 44 * s)
        c.drawCentredString(w / 2, h - 75 * mm * s, village_name)
        star_y = h - 105 * mm * s
        for i in range(5):
            _star(c, w / 2 + (i - 2) * 28 * mm * s, star_y, 11 * mm * s, i < stars)
        c.setFillColor(colors.HexColor("#B22222") if vetoed else colors.black)
        c.setFont(font, 20 * s)
        verdict = "本期一票否决，不予评星" if vetoed else f"{stars} 星级"
        c.drawCentredString(w / 2, star_y - 22 * mm * s, verdict)
        c.setFont(font, 16 * s)
        c.setFillColor(colors.black)
        c.drawCentredString(w / 2, star_y - 34 * mm * s, f"平安指数：{index:.1f}　　评定期间：{period}")
        img = qr_image(payload)
        side = 80 * mm * s
        c.drawImage(ImageReader(img), (w - side) / 2, 52 * mm * s, side, side)
        c.setFont(font, 11 * s)
        c.drawCentredString(w / 2, 45 * mm * s, "扫码查看平安指数，核验真伪")
        c.setFont(font, 14 * s)
        c.drawCentredString(w / 2, 26 * mm * s, f"{station}　{issued}".strip())
        c.showPage()
        c.save()
    return 1


def plaque_bytes(**kwargs) -> bytes:
    """`write_plaque` into memory (for previews)."""
    buf = io.BytesIO()
    write_plaque(buf, **kwargs)
    return buf.getvalue()
