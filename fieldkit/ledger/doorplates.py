"""Doorplate sheets: A4 PDFs of blue doorplates with the signed QR code, ready to cut out.

Eight plates per page (2 × 4), each 90 × 62 mm: the hamlet/street line, the house number large,
the full address, the issuing station, and a 30 mm QR code on a white panel with a 3-module
quiet zone. Cut marks sit in the gutters at every plate corner. The QR is drawn as vector
rectangles (one path per code, runs of dark modules merged), so it stays sharp at any printer
resolution: at 300 dpi a version-8 code has ~7 dots per module, which the round-trip test
decodes after rasterising. 1,000 plates take ~12 s (bench/qr_bench.py), mostly reportlab.

Threading: pure computation plus writing `out`; call from a worker thread. `progress(done,
total)` is called per plate, `cancel()` checked per plate (raises `Cancelled`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import qrcode
from reportlab.lib.colors import Color, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from fieldkit.domain.errors import Cancelled
from fieldkit.ledger.fonts import register_cjk_font
from fieldkit.ledger.output import output_target

try:  # optional here: python-qrcode is the fallback encoder
    import zxingcpp
except ImportError:  # pragma: no cover
    zxingcpp = None

PLATE_W, PLATE_H = 90 * mm, 62 * mm
COLS, ROWS = 2, 4
PER_PAGE = COLS * ROWS
QR_SIDE = 30 * mm  # the code itself, without quiet zone
QUIET_MODULES = 3
PLATE_BLUE = Color(0.08, 0.27, 0.6)
CUT_MARK = 4 * mm


@dataclass(frozen=True)
class Plate:
    """One doorplate. `payload` is what the QR carries (normally `sign_doorplate(code, key)`)."""

    code: str  # standard address code, printed small under the QR for manual entry
    address: str  # full Chinese address, e.g. "福建省某某县某某镇东山村下厝12号"
    number: str  # the house number printed large, e.g. "12号"
    payload: str
    street: str = ""  # the line above the number (hamlet, street or building); from `address` if empty


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR modules (True = dark) for `payload` at ECC level Q, no quiet zone.

    zxing-cpp's encoder (C++, ~0.5 ms) when installed; else python-qrcode, whose pure-Python
    mask selection costs ~30 ms a code and dominated the time of a 1,000-plate sheet.
    """
    if zxingcpp is not None:
        symbol = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="Q")
        image = symbol.to_image(scale=1, add_quiet_zones=False)
        return [[px < 128 for px in row] for row in memoryview(image).tolist()]
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=0)
    code.add_data(payload)
    code.make(fit=True)
    return code.get_matrix()


def _draw_qr(c: Canvas, matrix: list[list[bool]], x: float, y: float, side: float) -> None:
    n = len(matrix)
    module = side / n
    path = c.beginPath()
    for row, bits in enumerate(matrix):
        top = y + side - (row + 1) * module
        col = 0
        while col < n:
            if bits[col]:
                start = col
                while col < n and bits[col]:
                    col += 1
                # A hair of overlap between runs avoids white seams in anti-aliased renderers.
                path.rect(x + start * module, top - 0.01, (col - start) * module, module + 0.02)
            else:
                col += 1
    c.setFillColorRGB(0, 0, 0)
    c.drawPath(path, stroke=0, fill=1)


def _street_line(plate: Plate) -> str:
    if plate.street:
        return plate.street
    # Drop the number and what precedes the village/street so the line stays short.
    text = plate.address.removesuffix(plate.number)
    for mark in ("村", "社区", "街道", "镇", "乡"):
        pos = text.rfind(mark)
        if 0 <= pos < len(text) - 1:
            return text[pos + len(mark):][:12]
    return text[-12:]


def _fit(c: Canvas, text: str, font: str, size: float, width: float) -> float:
    while size > 5 and c.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _draw_plate(c: Canvas, plate: Plate, x: float, y: float, font: str, station_name: str) -> None:
    c.setFillColor(PLATE_BLUE)
    c.roundRect(x, y, PLATE_W, PLATE_H, 4 * mm, stroke=0, fill=1)
    c.setStrokeColor(white)
    c.setLineWidth(0.8 * mm)
    c.roundRect(x + 1.6 * mm, y + 1.6 * mm, PLATE_W - 3.2 * mm, PLATE_H - 3.2 * mm, 3 * mm, stroke=1, fill=0)

    matrix = qr_matrix(plate.payload)
    quiet = QR_SIDE / len(matrix) * QUIET_MODULES
    panel = QR_SIDE + 2 * quiet
    px, py = x + PLATE_W - panel - 4 * mm, y + PLATE_H - panel - 5 * mm
    c.setFillColor(white)
    c.rect(px, py, panel, panel, stroke=0, fill=1)
    _draw_qr(c, matrix, px + quiet, py + quiet, QR_SIDE)

    text_w = px - x - 8 * mm
    c.setFillColor(white)
    street = _street_line(plate)
    c.setFont(font, _fit(c, street, font, 13, text_w))
    c.drawString(x + 5 * mm, y + PLATE_H - 13 * mm, street)
    size = _fit(c, plate.number, font, 34, text_w)
    c.setFont(font, size)
    c.drawString(x + 5 * mm, y + PLATE_H - 17 * mm - size, plate.number)
    c.setFont(font, _fit(c, plate.address, font, 7.5, PLATE_W - 10 * mm))
    c.drawString(x + 5 * mm, y + 12 * mm, plate.address)
    c.setFont(font, _fit(c, station_name, font, 7, PLATE_W - 10 * mm))
    c.drawString(x + 5 * mm, y + 6.5 * mm, station_name)
    # The code in plain digits under the QR: a worker can type it when the QR is damaged.
    c.setFont(font, _fit(c, plate.code, font, 6, panel))
    c.drawCentredString(px + panel / 2, py - 3 * mm, plate.code)


def _cut_marks(c: Canvas, x: float, y: float) -> None:
    c.setStrokeColorRGB(0, 0, 0)
    c.setLineWidth(0.2)
    gap = 1 * mm  # marks stop short of the plate so a slightly-off cut leaves no line on it
    for cx, dx in ((x, -1), (x + PLATE_W, 1)):
        for cy, dy in ((y, -1), (y + PLATE_H, 1)):
            c.line(cx + dx * gap, cy, cx + dx * (gap + CUT_MARK), cy)
            c.line(cx, cy + dy * gap, cx, cy + dy * (gap + CUT_MARK))


def plate_origin(index_on_page: int) -> tuple[float, float]:
    """Lower-left corner (pt) of plate `index_on_page` (0–7, row by row from the top left)."""
    page_w, page_h = A4
    gutter_x = (page_w - COLS * PLATE_W) / (COLS + 1)
    gutter_y = (page_h - ROWS * PLATE_H) / (ROWS + 1)
    col, row = index_on_page % COLS, index_on_page // COLS
    return gutter_x + col * (PLATE_W + gutter_x), page_h - (row + 1) * (PLATE_H + gutter_y)


def write_doorplate_sheet(
    plates: Sequence[Plate],
    out: Path,
    *,
    station_name: str,
    title: str = "门牌",
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> int:
    """Write `plates` to the PDF `out` (8 per A4 page) and return the number of pages.

    Raises StorageError when `out` cannot be written, Cancelled when `cancel()` turns true
    (nothing is left at `out` then).
    """
    font = register_cjk_font()
    pages = 0
    with output_target(Path(out)) as target:
        c = Canvas(target, pagesize=A4, pageCompression=1)
        c.setTitle(f"{title} — {station_name}")
        c.setAuthor(station_name)
        for i, plate in enumerate(plates):
            if cancel is not None and cancel():
                raise Cancelled()
            slot = i % PER_PAGE
            if slot == 0 and i:
                c.showPage()
            if slot == 0:
                pages += 1
                c.setFont(font, 7)
                c.setFillColorRGB(0.4, 0.4, 0.4)
                c.drawRightString(A4[0] - 10 * mm, 6 * mm, f"{station_name}  {title}  第 {pages} 页")
            x, y = plate_origin(slot)
            _draw_plate(c, plate, x, y, font, station_name)
            _cut_marks(c, x, y)
            if progress is not None:
                progress(i + 1, len(plates))
        if not plates:
            pages = 1
        c.save()
    return pages
