"""The safety plaque (平安星级牌): a printable A4/A5 sheet for a village or compound with its
stars, its safety index, the period, and a QR code residents scan to see — and check — it.

The QR's payload, its signing and its verification are `fieldkit.domain.plaque_code` (re-exported
here for the writers' callers); the app and the CLI read scanned plaques through
`domain.doorplate_code.parse_payload`.

Threading: pure functions and one-call writers; run the PDF writer on a worker thread.
"""

from __future__ import annotations

import io
import math

import qrcode
from qrcode.constants import ERROR_CORRECT_Q
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from fieldkit.domain.plaque_code import (
    PLAQUE_PREFIX,
    PlaqueError,
    PlaqueInfo,
    read_plaque,
    sign_plaque,
    verify_plaque,
)
from fieldkit.ledger.fonts import register_cjk_font
from fieldkit.ledger.output import Out, output_target

__all__ = ["PLAQUE_PREFIX", "SIZES", "PlaqueError", "PlaqueInfo", "plaque_bytes", "qr_image", "read_plaque",
           "sign_plaque", "verify_plaque", "write_plaque"]

SIZES = {"A4": A4, "A5": A5}


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
    compound: str = "",
) -> int:
    """Write one plaque page (portrait A4 or A5) to a path or binary file; returns pages (1).
    A compound's plaque (`compound` set) names the compound large and its village beneath.

    Raises `FontMissing` without a CJK font, `StorageError` when the file cannot be written.
    """
    font = register_cjk_font()
    w, h = SIZES[size.upper()]
    s = w / A4[0]  # everything scales with the page so A5 is the same design, smaller
    with output_target(out) as target:
        c = Canvas(target, pagesize=(w, h), pageCompression=1)
        c.setTitle(" ".join(filter(None, (village_name, compound, "平安星级牌"))))
        c.setAuthor(station)
        c.setStrokeColor(colors.HexColor("#B22222"))
        c.setLineWidth(4 * s)
        c.rect(12 * mm * s, 12 * mm * s, w - 24 * mm * s, h - 24 * mm * s)
        c.setFillColor(colors.HexColor("#B22222"))
        c.setFont(font, 34 * s)
        c.drawCentredString(w / 2, h - 45 * mm * s, "平安星级小区（自然村）" if compound else "平安星级村（社区）")
        c.setFillColor(colors.black)
        c.setFont(font, 44 * s)
        c.drawCentredString(w / 2, h - 75 * mm * s, compound or village_name)
        if compound:
            c.setFont(font, 16 * s)
            c.drawCentredString(w / 2, h - 86 * mm * s, village_name)
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
