"""The PDF ledger: A4, the CJK font embedded (subset), title/period/header on every page,
"第 X 页 共 Y 页" in the footer, the sign-off line on every page (or once after the last row:
`LedgerLayout.sign_every_page`), column widths fitted to the first rows (`widths.fit_widths`).

How it stays fast and small for 10,000+ rows:
- rows are cut into many small blocks (`chunk_rows` each) fed to platypus from a lazy story,
  so only a chunk's worth of flowables exists at a time;
- the column header is not part of those tables: every page draws it itself (`onPage`), at the
  same column widths, so a chunk may start anywhere on a page and the header still repeats once;
- cells are wrapped here (CJK may break between any two characters) into lines, and the body
  rows are `pdf_rows.RowBlock`s drawn straight onto the canvas (a call per line of text, one grid
  path per block), not `Table`s: styling and drawing each cell of a `Table` was most of the time;
- the page total is a PDF form XObject drawn on every page and defined once at the end, so one
  pass suffices — no second layout run, no page buffering.

Units: reportlab points (1/72 inch); margins in mm. Threading: one call, one document; call
from a worker thread. `register_cjk_font` is safe to call from any thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape, portrait
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from fieldkit.ledger.fonts import register_cjk_font, text_measure
from fieldkit.ledger.layout import (
    CancelFn,
    LedgerLayout,
    LedgerResult,
    ProgressFn,
    Row,
    SummaryTable,
    VillageMonthCounter,
    cell_text,
    checked_rows,
    summary_table,
)
from fieldkit.ledger.output import Out, output_target
from fieldkit.ledger.pdf_rows import MemoText, RowBlock, RowGeometry
from fieldkit.ledger.widths import CELL_PAD, MARGIN_X, WHOLE_KINDS, fit_widths, peek, tokens

_TOTAL_FORM = "fkPageTotal"
MARGIN_BOTTOM = 14 * mm
MARGIN_TOP = 8 * mm
TITLE_SIZE = 16  # pt
SUB_SIZE = 10  # pt
FOOT_SIZE = 8.0  # pt
HEADER_GREY = colors.HexColor("#E7E6E6")
FIT_TOLERANCE = 0.01  # pt
ROW_PAD = 1.5  # pt, above and below the text of a body row
SIGN_SIZE = 10.0  # pt, the sign-off line
SIGN_BAND = 7 * mm  # room above the footer the per-page sign-off line takes from the frame
WRAP_MEMO = 20_000  # wrapped cells remembered per document; cleared when full
ALIGN = {"number": "RIGHT", "name": "CENTER", "choice": "CENTER", "date": "CENTER"}


class _TotalPagesCanvas(Canvas):
    """A canvas that writes the page total into a form XObject just before saving.

    Every page draws the form (`doForm`) where "共 Y 页" belongs; PDF resolves the reference
    when the file is read, so the number is known only once, at the end.
    """

    fk_font = "Helvetica"
    fk_size = 8.0
    fk_template = "{total}"

    def beginText(self, x: float = 0, y: float = 0, direction: Any = None) -> MemoText:
        return MemoText(self, x, y, direction=direction)

    def save(self) -> None:
        total = self.getPageNumber() - (1 if not self._code else 0)
        self.beginForm(_TOTAL_FORM)
        self.setFont(self.fk_font, self.fk_size)
        self.drawString(0, 0, self.fk_template.format(total=total))
        self.endForm()
        super().save()


class _LazyStory(list):
    """A flowable list that pulls from a generator as platypus consumes it.

    `BaseDocTemplate.build` only looks at the front of the list (len, [0], del [0], insert at
    0), so keeping a couple of flowables buffered is enough; memory stays one chunk deep.
    """

    def __init__(self, source: Iterator[Flowable], ahead: int = 2) -> None:
        super().__init__()
        self._source: Iterator[Flowable] | None = source
        self._ahead = ahead

    def _fill(self) -> None:
        while self._source is not None and list.__len__(self) < self._ahead:
            try:
                self.append(next(self._source))
            except StopIteration:
                self._source = None

    def __len__(self) -> int:
        self._fill()
        return list.__len__(self)

    def __getitem__(self, index: Any) -> Any:
        self._fill()
        return list.__getitem__(self, index)


class _Wrapper:
    """Breaks cell text into lines that fit a column (`widths.tokens`): CJK between any two
    characters, Latin words and digit runs (dates) whole; in `whole` columns (dates, names, ID
    numbers) only between the tokens of a list. A token wider than the column is cut as a last
    resort."""

    def __init__(self, font: str, size: float, max_lines: int) -> None:
        self.font = font
        self.size = size
        self.max_lines = max_lines
        self._widths: dict[str, float] = {}
        # A register repeats its cells (villages, choices, addresses, dates): wrap each once.
        self._wrapped: dict[tuple[str, float, bool], str] = {}

    def width(self, ch: str) -> float:
        w = self._widths.get(ch)
        if w is None:
            w = self._widths[ch] = stringWidth(ch, self.font, self.size)
        return w

    def text_width(self, text: str) -> float:
        return sum(self.width(c) for c in text)

    def __call__(self, text: str, avail: float, whole: bool = False) -> str:
        key = (text, avail, whole)
        hit = self._wrapped.get(key)
        if hit is None:
            if len(self._wrapped) >= WRAP_MEMO:
                self._wrapped.clear()
            hit = self._wrapped[key] = self._wrap(text, avail, whole)
        return hit

    def _wrap(self, text: str, avail: float, whole: bool) -> str:
        # Widths summed in another order differ in the last bits: a token measured to fit exactly
        # (a column fitted to its widest date) must not be cut for 1e-13 pt.
        avail += FIT_TOLERANCE
        if "\n" not in text and stringWidth(text, self.font, self.size) <= avail:
            return text
        lines: list[str] = []
        for para in text.splitlines():
            self._fill(para, avail, whole, lines)
            if len(lines) > self.max_lines:
                break
        if len(lines) > self.max_lines:
            # A row taller than a page cannot be split by platypus; the XLSX keeps the full text.
            lines = lines[: self.max_lines]
            lines[-1] = lines[-1][:-1] + "…" if lines[-1] else "…"
        return "\n".join(lines)

    def _fill(self, para: str, avail: float, whole: bool, lines: list[str]) -> None:
        line, w = "", 0.0
        for tok in tokens(para, whole):
            tw = self.text_width(tok)
            if line and w + self.text_width(tok.rstrip()) > avail:
                lines.append(line.rstrip())
                line, w = "", 0.0
            if tw > avail and not line and not (whole and tw <= avail + 2 * CELL_PAD):
                # (A whole token a little wider than the column may use the cell's padding.)
                for ch in tok:  # wider than the column on its own: cut between characters
                    cw = self.width(ch)
                    if line and w + cw > avail:
                        lines.append(line.rstrip())
                        line, w = "", 0.0
                    line += ch
                    w += cw
                continue
            line += tok
            w += tw
        lines.append(line.rstrip())


def pdf_column_widths(layout: LedgerLayout, font_size: float, avail: float) -> list[float]:
    """Column widths in pt proportional to `width_chars` (half-width cells), filling `avail`:
    the widths before any row is known (`widths.fit_widths` fits them to the rows)."""
    natural = [c.width_chars * font_size / 2 + 2 * CELL_PAD for c in layout.columns]
    scale = avail / sum(natural)
    return [w * scale for w in natural]


def write_pdf(
    layout: LedgerLayout,
    rows: Iterable[Row],
    out: Out,
    *,
    summary: Iterable[tuple[str, str, int]] | None = None,
    font_size: float = 9,
    chunk_rows: int = 40,
    total: int = 0,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> LedgerResult:
    """Write the ledger as an A4 PDF (orientation from the layout); returns rows and pages.

    After the sign-off line comes a village × month summary page: from `summary` triples when
    given, else counted while streaming when the layout names village and date columns.
    `font_size` is the body size in pt; `chunk_rows` rows go in each table chunk (see the
    module docstring and bench/ledger_bench.py). Raises `FontMissing` (a `UserFacingError`)
    when no CJK font is installed, `Cancelled` when `cancel()` turns true (a path target stays
    untouched), `StorageError` when the file cannot be written.
    """
    font = register_cjk_font()
    stream = checked_rows(rows, len(layout.columns), total=total, progress=progress, cancel=cancel)
    sample, stream = peek(stream)
    pdf = _LedgerPdf(layout, font, font_size, sample, total)
    counter = None
    if summary is None and layout.village_column is not None and layout.date_column is not None:
        counter = VillageMonthCounter(layout.village_column, layout.date_column)
        stream = counter.wrap(stream)

    def story() -> Iterator[Flowable]:
        yield from pdf.table_chunks(stream, chunk_rows)
        if not layout.sign_every_page:
            yield Spacer(1, 8 * mm)
            yield _SignatureLine(layout.signature_text, pdf.font, 11)
        # Only now, with every row seen, is the count complete.
        triples = counter.triples() if counter is not None else summary
        if triples is not None:
            pdf.summary = summary_table(triples)
        if pdf.summary is not None and pdf.summary.total:
            yield NextPageTemplate("summary")
            yield PageBreak()
            yield pdf.summary_flowable(pdf.summary)

    canvas_cls = type("_LedgerCanvas", (_TotalPagesCanvas,), {
        "fk_font": pdf.font, "fk_size": FOOT_SIZE, "fk_template": layout.total_label("{total}"),
    })
    with output_target(out) as target:
        doc = pdf.doc(target)
        doc.build(_LazyStory(story()), canvasmaker=canvas_cls)
    return LedgerResult(rows=pdf.rows, pages=doc.page, summary=pdf.summary)


class _LedgerPdf:
    """Geometry (pt), styles and page decorations of one PDF ledger; one per `write_pdf` call."""

    def __init__(self, layout: LedgerLayout, font: str, font_size: float, sample: Iterable[Row] = (),
                 total: int = 0) -> None:
        self.layout, self.font, self.size = layout, font, font_size
        self.pagesize = landscape(A4) if layout.orientation == "landscape" else portrait(A4)
        self.page_w, self.page_h = self.pagesize
        self.avail_w = self.page_w - 2 * MARGIN_X
        self.widths = fit_widths(layout, sample, text_measure(font_size), self.avail_w, total)
        self.whole = [c.kind in WHOLE_KINDS for c in layout.columns]
        self.body_bottom = MARGIN_BOTTOM + (SIGN_BAND if layout.sign_every_page else 0)
        self.sign_y = MARGIN_BOTTOM + 1.5 * mm
        # 1.15, not 1.2, and 1.5-pt cell padding: 19 two-line rows fit an A4 landscape page, not 17.
        self.leading = font_size * 1.15
        self.rows = 0
        self.summary: SummaryTable | None = None

        header_wrap = _Wrapper(font, font_size, max_lines=4)
        self.header = Table(
            [[header_wrap(c.header, w - 2 * CELL_PAD) for c, w in zip(layout.columns, self.widths, strict=True)]],
            colWidths=self.widths,
        )
        self.header.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), font, font_size, self.leading),
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("BACKGROUND", (0, 0), (-1, -1), HEADER_GREY),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PAD),
        ]))
        _, header_h = self.header.wrap(self.avail_w, self.page_h)
        self.title_y = self.page_h - MARGIN_TOP - TITLE_SIZE
        self.sub_y = self.title_y - SUB_SIZE - 8
        self.frame_top = self.sub_y - 6 - header_h
        self.foot_y = MARGIN_BOTTOM - 8 * mm

        cmds: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), font, font_size, self.leading),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("TOPPADDING", (0, 0), (-1, -1), ROW_PAD),
            ("BOTTOMPADDING", (0, 0), (-1, -1), ROW_PAD),
        ]
        cmds += [("ALIGN", (i, 0), (i, -1), ALIGN[c.kind])
                 for i, c in enumerate(layout.columns) if c.kind in ALIGN]
        self.body_style = TableStyle(cmds)  # the empty ledger's one-cell table
        self.row_geometry = RowGeometry(
            widths=tuple(self.widths), aligns=tuple(ALIGN.get(c.kind, "LEFT") for c in layout.columns),
            font=font, size=font_size, leading=self.leading, cell_pad=CELL_PAD, row_pad=ROW_PAD,
            grid_width=0.4)
        frame_h = self.frame_top - self.body_bottom
        # A row may not be taller than the frame (platypus cannot split a row); leave margin.
        self.wrap = _Wrapper(font, font_size, max_lines=max(1, int((frame_h - 8) / self.leading) - 1))

    def doc(self, target: Any) -> BaseDocTemplate:
        lay = self.layout
        doc = BaseDocTemplate(
            target, pagesize=self.pagesize, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
            topMargin=self.page_h - self.frame_top, bottomMargin=self.body_bottom,
            title=lay.title, author=lay.station or "FieldKit", subject=lay.period, creator="FieldKit",
        )
        pad = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
        body = Frame(MARGIN_X, self.body_bottom, self.avail_w, self.frame_top - self.body_bottom, id="body", **pad)
        summary_top = self.sub_y - 10
        summary = Frame(MARGIN_X, self.body_bottom, self.avail_w, summary_top - self.body_bottom, id="summary", **pad)
        doc.addPageTemplates([
            PageTemplate(id="ledger", frames=[body], onPage=self.on_ledger_page),
            PageTemplate(id="summary", frames=[summary], onPage=self.on_summary_page),
        ])
        return doc

    def table_chunks(self, stream: Iterable[Row], chunk_rows: int) -> Iterator[Flowable]:
        chunk: list[list[list[str]]] = []
        cols = [w - 2 * CELL_PAD for w in self.widths]
        for row in stream:
            chunk.append([
                self.wrap("是" if v is True else "否" if v is False else cell_text(v), w, whole).split("\n")
                for v, w, whole in zip(row, cols, self.whole, strict=True)
            ])
            if len(chunk) >= chunk_rows:
                yield self._block(chunk)
                chunk = []
        if chunk:
            yield self._block(chunk)
        if not self.rows:
            t = Table([[self.layout.empty_text] + [""] * (len(self.widths) - 1)], colWidths=self.widths)
            t.setStyle(TableStyle([*self.body_style.getCommands(), ("SPAN", (0, 0), (-1, 0)),
                                   ("ALIGN", (0, 0), (-1, 0), "CENTER")]))
            yield t

    def _block(self, data: list[list[list[str]]]) -> RowBlock:
        self.rows += len(data)
        return RowBlock(self.row_geometry, data)

    def summary_flowable(self, table: SummaryTable) -> Table:
        zh = not self.layout.lang.startswith("en")
        total = "合计" if zh else "Total"
        data = [["村" if zh else "Village", *table.months, total]]
        data += [[v, *map(str, counts), str(n)] for v, counts, n in table.rows]
        data.append([total, *map(str, table.month_totals), str(table.total)])
        first = min(40 * mm, self.avail_w / 3)
        rest = min(22 * mm, (self.avail_w - first) / max(1, len(data[0]) - 1))
        t = Table(data, colWidths=[first] + [rest] * (len(data[0]) - 1), repeatRows=1, hAlign="LEFT")
        t.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), self.font, self.size + 1),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_GREY),
            ("BACKGROUND", (0, -1), (-1, -1), HEADER_GREY),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ]))
        return t

    @staticmethod
    @contextmanager
    def _bold(canv: Canvas, stroke: float = 0.45) -> Iterator[None]:
        # The CJK font has no bold face: fill + a thin stroke of the outline reads as bold.
        # Render mode is graphics state that outlives BT/ET; q/Q (save/restore) bounds it.
        canv.saveState()
        mode = canv.beginText()
        mode.setTextRenderMode(2)
        canv.drawText(mode)
        canv.setLineWidth(stroke)
        try:
            yield
        finally:
            canv.restoreState()

    def _title(self, canv: Canvas, title: str, header: Table | None = None) -> None:
        """Title (bold, centred), the station/period line, then the column header (bold)."""
        with self._bold(canv):
            canv.setFont(self.font, TITLE_SIZE)
            canv.drawCentredString(self.page_w / 2, self.title_y, title)
        canv.setFont(self.font, SUB_SIZE)
        canv.drawString(MARGIN_X, self.sub_y, self.layout.subtitle)
        if header is not None:
            # The header's grid lines use their own width (TableStyle); only glyphs get 0.25.
            with self._bold(canv, 0.25):
                header.drawOn(canv, MARGIN_X, self.frame_top)

    def _footer(self, canv: Canvas, page: int) -> None:
        canv.setFont(self.font, FOOT_SIZE)
        if self.layout.footer:
            canv.drawString(MARGIN_X, self.foot_y, self.layout.footer)
        # "第 X 页" ends just left of the centre; the form with "共 Y 页" starts just right.
        canv.drawRightString(self.page_w / 2 - 2, self.foot_y, self.layout.page_label(page))
        canv.saveState()
        canv.translate(self.page_w / 2 + 2, self.foot_y)
        canv.doForm(_TOTAL_FORM)
        canv.restoreState()

    def on_ledger_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        self._title(canv, self.layout.title, self.header)
        self._footer(canv, doc.page)
        self._sign_off(canv)
        canv.restoreState()

    def _sign_off(self, canv: Canvas) -> None:
        if self.layout.sign_every_page:
            canv.setFont(self.font, SIGN_SIZE)
            canv.drawString(MARGIN_X, self.sign_y, self.layout.signature_text)

    def on_summary_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        self._title(canv, f"{self.layout.title} — {self.layout.summary_title}")
        self._footer(canv, doc.page)
        self._sign_off(canv)
        canv.restoreState()


class _SignatureLine(Flowable):
    """The sign-off line ("制表人：____ 审核人：____ 日期：____"), kept whole on one page."""

    def __init__(self, text: str, font: str, size: float) -> None:
        super().__init__()
        self.text, self.font, self.size = text, font, size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return avail_width, self.size * 1.6

    def draw(self) -> None:
        self.canv.setFont(self.font, self.size)
        self.canv.drawString(0, self.size * 0.4, self.text)
