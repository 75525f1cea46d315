"""One record on A4 paper: a household file, a registration form, an application, a dispute.

The writer knows nothing of forms: services turn a record and its module's `[print]` layout
into a `RecordDoc` — display strings and image bytes already read from the encrypted store —
and this module lays it out with reportlab (the ledger PDFs' library and embedded CJK font,
`fonts.register_cjk_font`): the title block with the photo at the right, each section as a
label/value grid, a table or a row of image boxes, then one signature line per signer.
Pictures are decoded here, checked against `limits.IMAGE_MAX_PIXELS` and scaled down before
they are embedded, so a 12-megapixel phone photo costs a thumbnail's bytes, not 4 MB a page.
An image that cannot be decoded prints as a captioned empty box (the form stays usable).

Units: points (1/72 inch); sizes below in mm. Threading: one call, one document; call from a
worker thread. The file is written through `output.output_target` (`fsio.atomic_file`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from fieldkit.domain.limits import IMAGE_MAX_PIXELS
from fieldkit.ledger.fonts import register_cjk_font
from fieldkit.ledger.output import Out, output_target

MARGIN = 15 * mm
PHOTO_W, PHOTO_H = 26 * mm, 35 * mm  # a 1-inch ID photo's proportions
THUMB_W, THUMB_H = 12 * mm, 16 * mm
PRINT_BOX = 40 * mm  # fingerprint and other image boxes
PRINT_DPI = 300  # embedded pictures carry this many pixels per inch of their box, no more
GRID = colors.HexColor("#808080")
HEAD_GREY = colors.HexColor("#E7E6E6")


@dataclass(frozen=True)
class Picture:
    """Image bytes as stored (JPEG/PNG…), or None when the record has none."""

    data: bytes | None
    caption: str = ""


Cell = str | Picture


@dataclass(frozen=True)
class FieldsBlock:
    label: str
    pairs: list[tuple[str, str]]


@dataclass(frozen=True)
class TableBlock:
    label: str
    header: list[str]
    rows: list[list[Cell]]


@dataclass(frozen=True)
class ImagesBlock:
    label: str
    pictures: list[Picture]


Block = FieldsBlock | TableBlock | ImagesBlock


@dataclass(frozen=True)
class RecordDoc:
    """Everything printed, in the reader's language. `words` holds the few fixed words
    (`none` for an empty table, `no_image`, `signature`, `date`, `page`)."""

    title: str
    subtitle: str = ""
    photo: Picture | None = None
    blocks: list[Block] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    footer: str = ""
    words: dict[str, str] = field(default_factory=dict)


class _Styles:
    def __init__(self, font: str) -> None:
        base = dict(fontName=font, wordWrap="CJK")
        self.title = ParagraphStyle("title", fontSize=18, leading=24, alignment=1, **base)
        self.sub = ParagraphStyle("sub", fontSize=9, leading=12, alignment=1, textColor=colors.grey, **base)
        self.head = ParagraphStyle("head", fontSize=11.5, leading=16, spaceBefore=6, spaceAfter=3, **base)
        self.cell = ParagraphStyle("cell", fontSize=9, leading=12, **base)
        self.label = ParagraphStyle("label", fontSize=9, leading=12, textColor=colors.HexColor("#333333"), **base)
        self.small = ParagraphStyle("small", fontSize=7.5, leading=9, alignment=1, **base)


def picture_jpeg(data: bytes | None, longest: int = 600) -> tuple[io.BytesIO, int, int] | None:
    """The picture scaled to `longest` pixels as JPEG bytes with its size, or None when it is
    missing, not an image, or larger than IMAGE_MAX_PIXELS (a decompression bomb is never decoded)."""
    if not data:
        return None
    try:
        with PILImage.open(io.BytesIO(data)) as im:
            if im.width * im.height > IMAGE_MAX_PIXELS:
                return None
            # JPEG decodes at 1/2…1/8 scale straight to near the target size: a 12-megapixel phone
            # photo then costs ~10 ms instead of ~80 ms (bench/record_print_bench.py).
            im.draft("RGB", (longest, longest))
            im.thumbnail((longest, longest))
            rgb = im.convert("L" if im.mode in ("1", "L", "I;16") else "RGB")
            buf = io.BytesIO()
            rgb.save(buf, "JPEG", quality=85)
            size = rgb.size
    except (OSError, ValueError, PILImage.DecompressionBombError, SyntaxError):
        return None
    buf.seek(0)
    return buf, size[0], size[1]


def _picture(pic: Picture, w: float, h: float, st: _Styles, words: dict[str, str]) -> Flowable:
    jpeg = picture_jpeg(pic.data, round(max(w, h) / 72 * PRINT_DPI))
    if jpeg is None:
        inner: Flowable = Paragraph(escape(words.get("no_image", "无图像")), st.small)
    else:
        buf, iw, ih = jpeg
        scale = min((w - 2) / iw, (h - 2) / ih)
        inner = Image(buf, width=iw * scale, height=ih * scale)
    box = Table([[inner]], colWidths=[w], rowHeights=[h])
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.5, GRID), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                             ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return box


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


LONG_TEXT = 36  # characters: a value longer than this (a summary, remarks) gets a row of its own


def _fields(block: FieldsBlock, width: float, st: _Styles) -> Flowable:
    """Two label/value pairs a row; a long value spans the row instead of squeezing into half."""
    label_w = 26 * mm
    value_w = width / 2 - label_w
    rows: list[list[object]] = []
    spans: list[int] = []  # rows whose value spans columns 1-3
    half: list[object] = []
    for label, value in block.pairs:
        cells = [_para(label, st.label), _para(value, st.cell)]
        if len(value) > LONG_TEXT or "\n" in value:
            spans.append(len(rows) + (1 if half else 0))
            if half:
                rows.append([*half, "", ""])
                half = []
            rows.append([*cells, "", ""])
        elif half:
            rows.append(half + cells)
            half = []
        else:
            half = cells
    if half or not rows:
        rows.append((half or ["", ""]) + ["", ""])
    style = [("GRID", (0, 0), (-1, -1), 0.4, GRID), ("BACKGROUND", (0, 0), (0, -1), HEAD_GREY),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    style += [("BACKGROUND", (2, r), (2, r), HEAD_GREY) for r in range(len(rows)) if r not in spans]
    style += [("SPAN", (1, r), (3, r)) for r in spans]
    table = Table(rows, colWidths=[label_w, value_w, label_w, value_w])
    table.setStyle(TableStyle(style))
    return table


def _table(block: TableBlock, width: float, st: _Styles, words: dict[str, str]) -> Flowable:
    if not block.rows:
        return _para(words.get("none", "无"), st.cell)
    pics = [i for i, c in enumerate(block.rows[0]) if isinstance(c, Picture)]
    fixed = THUMB_W + 2 * mm
    # Text columns share the width by their longest cell (capped), so an ID number keeps one line.
    weight = [min(24, max([4, len(h)] + [max(map(len, c.splitlines()), default=0)
                                           for r in block.rows[:50] for c in r[i:i + 1] if isinstance(c, str)]))
              for i, h in enumerate(block.header)]
    text_total = sum(w for i, w in enumerate(weight) if i not in pics) or 1
    free = width - fixed * len(pics)
    widths = [fixed if i in pics else free * weight[i] / text_total for i in range(len(block.header))]
    data: list[list[object]] = [[_para(h, st.label) for h in block.header]]
    for row in block.rows:
        data.append([_picture(c, THUMB_W, THUMB_H, st, words) if isinstance(c, Picture) else _para(c, st.cell)
                     for c in row])
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, GRID), ("BACKGROUND", (0, 0), (-1, 0), HEAD_GREY),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 3),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
    return table


def _images(block: ImagesBlock, st: _Styles, words: dict[str, str]) -> Flowable:
    cells = [[_picture(p, PRINT_BOX, PRINT_BOX, st, words) for p in block.pictures],
             [_para(p.caption, st.small) for p in block.pictures]]
    table = Table(cells, colWidths=[PRINT_BOX + 8 * mm] * len(block.pictures), hAlign="LEFT")
    table.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")]))
    return table


def _signatures(labels: list[str], width: float, st: _Styles, words: dict[str, str]) -> Flowable:
    sign, date = words.get("signature", "签名"), words.get("date", "日期")
    rows = [[_para(label, st.cell), "", _para(date, st.cell), ""] for label in labels]
    table = Table(rows, colWidths=[width * 0.32, width * 0.33, width * 0.1, width * 0.25], rowHeights=[14 * mm] * len(rows))
    table.setStyle(TableStyle([("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black),
                               ("LINEBELOW", (3, 0), (3, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    return KeepTogether([_para(sign, st.head), table])


def _story(doc: RecordDoc, width: float, st: _Styles) -> list[Flowable]:
    head: list[Flowable] = [_para(doc.title, st.title)]
    if doc.subtitle:
        head.append(_para(doc.subtitle, st.sub))
    story: list[Flowable]
    if doc.photo is not None:
        photo = _picture(doc.photo, PHOTO_W, PHOTO_H, st, doc.words)
        top = Table([[head, photo]], colWidths=[width - PHOTO_W - 4 * mm, PHOTO_W + 4 * mm])
        top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        story = [top]
    else:
        story = head
    story.append(Spacer(1, 4 * mm))
    for block in doc.blocks:
        story.append(_para(block.label, st.head))
        if isinstance(block, FieldsBlock):
            story.append(_fields(block, width, st))
        elif isinstance(block, TableBlock):
            story.append(_table(block, width, st, doc.words))
        else:
            story.append(_images(block, st, doc.words))
    if doc.signatures:
        story += [Spacer(1, 6 * mm), _signatures(doc.signatures, width, st, doc.words)]
    return story


def write_record_pdf(doc: RecordDoc, out: Out) -> int:
    """Write `doc` as an A4 PDF to a path (atomically) or a binary file; return the page count.

    Raises FontMissing when no CJK font is installed, StorageError when `out` cannot be written.
    """
    font = register_cjk_font()
    st = _Styles(font)
    page = doc.words.get("page", "第 %1 页")

    def footer(canvas: Any, template: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, 8 * mm, doc.footer)
        canvas.drawRightString(A4[0] - MARGIN, 8 * mm, page.replace("%1", str(template.page)))
        canvas.restoreState()

    with output_target(out) as target:
        template = SimpleDocTemplate(target, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                     bottomMargin=MARGIN + 4 * mm, title=doc.title, author=doc.footer)
        story = _story(doc, A4[0] - 2 * MARGIN, st)
        template.build(story, onFirstPage=footer, onLaterPages=footer)
        pages = template.page
    return pages
