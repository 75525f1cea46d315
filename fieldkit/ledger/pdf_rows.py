"""A block of ledger body rows drawn straight onto the canvas: the PDF register's hot path.

A platypus `Table` styles every cell (one style object per cell), measures every row again and
draws each cell with its own text object: for a 10,000-row register that was most of the time
(bench/ledger_bench.py). Ledger rows need none of that generality: one font, one padding, one
grid, an alignment per column and cells already wrapped into lines (`pdf._Wrapper`). So a
`RowBlock` knows its row heights up front, splits between rows like a `Table` does, and draws
each line of text with one call and the block's grid with one path.

The geometry is the `Table` one it replaces (row height = lines × leading + 2 × padding, text
centred vertically, the same x for LEFT/CENTER/RIGHT), so pages break at the same rows.
Units: reportlab points. Threading: like `pdf.write_pdf`, one document per thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus.flowables import Flowable

# Platypus's own slack when it asks whether a flowable fits (rl_config._FUZZ).
_FUZZ = 1e-6


@dataclass(frozen=True)
class RowGeometry:
    """What every row of one ledger shares: column widths and alignments, font, padding."""

    widths: tuple[float, ...]
    aligns: tuple[str, ...]  # "LEFT" | "CENTER" | "RIGHT" per column
    font: str
    size: float
    leading: float
    cell_pad: float  # left and right
    row_pad: float  # above and below
    grid_width: float

    def height(self, cells: list[list[str]]) -> float:
        return max(len(lines) for lines in cells) * self.leading + 2 * self.row_pad


class RowBlock(Flowable):
    """Rows of wrapped cells (row → column → lines), drawn without a `Table`."""

    def __init__(self, geo: RowGeometry, rows: list[list[list[str]]], heights: list[float] | None = None) -> None:
        super().__init__()
        self.geo = geo
        self.rows = rows
        self.heights = heights if heights is not None else [geo.height(r) for r in rows]
        self.width = sum(geo.widths)
        self.height = sum(self.heights)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        """The rows that fit in `avail_height`, then the rest; [] when not even one fits."""
        used, n = 0.0, 0
        for h in self.heights:
            if used + h > avail_height + _FUZZ:
                break
            used += h
            n += 1
        if n == 0 or n == len(self.rows):
            return [] if n == 0 else [self]
        return [RowBlock(self.geo, self.rows[:n], self.heights[:n]),
                RowBlock(self.geo, self.rows[n:], self.heights[n:])]

    def draw(self) -> None:
        geo, canv = self.geo, self.canv
        xs = [0.0]
        for w in geo.widths:
            xs.append(xs[-1] + w)
        ys = [self.height]
        canv.setFont(geo.font, geo.size, geo.leading)
        top = self.height
        for cells, rh in zip(self.rows, self.heights, strict=True):
            bottom = top - rh
            for lines, x0, w, align in zip(cells, xs, geo.widths, geo.aligns, strict=False):
                # Table's MIDDLE: the block of n lines centred in the row, first baseline below its top.
                y = bottom + (rh + len(lines) * geo.leading) / 2 - geo.size
                # A text object per line, as a Table draws it: a reader (copy, search, pypdf)
                # takes each line as its own, not run together with the next line or cell.
                # (beginText/textLine/drawText is what drawString does, less its bidi/shaping
                # pass per call, which plain CJK text never needs.)
                for line in lines:
                    if line:
                        if align == "LEFT":
                            x = x0 + geo.cell_pad
                        else:
                            tw = stringWidth(line, geo.font, geo.size)
                            x = x0 + (w - tw) / 2 if align == "CENTER" else x0 + w - geo.cell_pad - tw
                        text = canv.beginText(x, y)
                        text.textLine(line)
                        canv.drawText(text)
                    y -= geo.leading
            ys.append(bottom)
            top = bottom
        canv.saveState()
        canv.setStrokeColor(colors.black)
        canv.setLineWidth(geo.grid_width)
        canv.grid(xs, ys)
        canv.restoreState()


TEXT_MEMO = 20_000  # encoded lines remembered per document; cleared when full (bounded memory)


class MemoText(PDFTextObject):
    """A text object that remembers how each line was encoded for the embedded font subset.

    Encoding a line (`_formatText`: split into subset runs, escape) is the largest single cost
    of a register once Tables are gone, and a register repeats itself: villages, choices,
    dates, headers. The encoding depends only on the font, size, leading, the subset in use
    and the text, and a character's subset slot never changes once given within a document,
    so a line encoded once encodes the same again. The memo lives on the canvas (one document).
    Should a ReportLab release rename `_formatText`, this override is simply never called.
    """

    def _formatText(self, text: Any) -> str:
        if type(text) is not str:  # shaped or bytes: not worth remembering
            return super()._formatText(text)
        memo: dict[tuple, tuple[str, int]] = self._canvas.__dict__.setdefault("_fk_text_memo", {})
        subset: int = getattr(self, "_curSubset", -1)
        key = (self._fontname, self._fontsize, self._leading, subset, self._rise, text)
        hit = memo.get(key)
        if hit is None:
            if len(memo) >= TEXT_MEMO:
                memo.clear()
            hit = memo[key] = (super()._formatText(text), getattr(self, "_curSubset", -1))
        self._curSubset = hit[1]
        return hit[0]
