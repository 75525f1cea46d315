"""Small bar and line charts drawn with QPainter — no QtCharts.

Why not QtCharts: it lives in PySide6-Addons, a download several times the size of
PySide6-Essentials, for a laptop that updates over 3G in the hills. The dashboard needs a few
readable charts (counts per month, per category, per village), which take a page of painting.

What a reader gets: a title, axis titles in the UI language (the y title written across, above
the axis: English stacked letter by letter is unreadable), tick labels with round numbers,
category labels wrapped between words, the value written on each bar / point, a legend when
there is more than one series, a tooltip with the exact figure under the mouse, and "暂无数据"
instead of an empty frame. A category still filling up (this month, counted up to today) is
`partial`: hatched and lighter, a dashed line into it, "本月至今" under it, and its tooltip says
up to which day — so a month three days old does not read as a collapse.

Threading: GUI thread only (QWidget/QPainter). Data is plain lists handed in by the caller.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from fieldkit.ui import words

# Okabe–Ito-like colours: distinguishable by most colour-blind readers and on a washed-out
# screen in sunlight; the first is the app's blue.
PALETTE = ("#2f6db5", "#e08a1e", "#3a9a5b", "#c4463a", "#7a5ba6", "#8c6d46", "#d16ba5", "#5a6b7b")
AXIS = QColor("#6b7280")
GRID = QColor("#e5e7eb")
TEXT = QColor("#1f2937")


def tr(text: str) -> str:
    return QCoreApplication.translate("Charts", text)


@dataclass(frozen=True)
class ChartSeries:
    """One row of values, one per category, in the categories' order."""

    label: str
    values: tuple[float, ...]


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values 0 … ≥top, about `count` steps of 1/2/5 × 10ⁿ (integers for counts)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    step = max(step, 1.0)  # counts of records: never a tick at 0.5
    n = math.ceil(top / step)
    return [i * step for i in range(n + 1)]


def fmt_value(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.1f}"


class _Chart(QWidget):
    """Shared title, legend, empty state and hit-testing for tooltips."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.categories: list[str] = []
        self.series: list[ChartSeries] = []
        self.x_title = ""
        self.y_title = ""
        self._hits: list[tuple[QRectF, str]] = []  # screen areas → tooltip text
        self._labels: list[list[str]] = []  # category labels as last drawn, line by line
        self.partial: int | None = None  # index of the category still filling up
        self.partial_note = ""  # what its tooltip adds, e.g. "本月至今（截至 11月23日）"
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(200)

    def set_data(self, categories: Sequence[str], series: Sequence[ChartSeries], *, x_title: str = "",
                 y_title: str = "", title: str | None = None, partial: int | None = None,
                 partial_note: str = "") -> None:
        self.categories = list(categories)
        self.partial = partial if partial is not None and 0 <= partial < len(self.categories) else None
        self.partial_note = partial_note
        self.series = [s for s in series if len(s.values) == len(self.categories)]
        self.x_title, self.y_title = x_title, y_title
        if title is not None:
            self.title = title
        self.updateGeometry()
        self.update()

    @property
    def is_empty(self) -> bool:
        return not self.categories or not self.series or all(v == 0 for s in self.series for v in s.values)

    def sizeHint(self) -> QSize:
        return QSize(520, 280)

    def minimumSizeHint(self) -> QSize:
        return QSize(280, 200)

    def color(self, i: int) -> QColor:
        return QColor(PALETTE[i % len(PALETTE)])

    # -- painting helpers -------------------------------------------------------------------
    def _fonts(self) -> tuple[QFont, QFont, QFont]:
        base = QFont(self.font())
        title = QFont(base)
        title.setBold(True)
        title.setPointSizeF(base.pointSizeF() * 1.1)
        small = QFont(base)
        small.setPointSizeF(max(7.5, base.pointSizeF() * 0.85))
        return base, title, small

    def _paint_frame(self, p: QPainter) -> QRectF:
        """Title and legend; returns the rectangle left for the plot (with axis titles)."""
        _base, title_font, small = self._fonts()
        r = QRectF(self.rect()).adjusted(8, 6, -8, -6)
        p.setPen(TEXT)
        if self.title:
            p.setFont(title_font)
            h = QFontMetricsF(title_font).height()
            p.drawText(QRectF(r.left(), r.top(), r.width(), h), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       self.title)
            r.setTop(r.top() + h + 4)
        if len(self.series) > 1:
            r.setTop(r.top() + self._paint_legend(p, r, small) + 4)
        return r

    def _paint_legend(self, p: QPainter, r: QRectF, font: QFont) -> float:
        """Legend entries left to right, wrapping; returns the height used."""
        fm = QFontMetricsF(font)
        p.setFont(font)
        x, y, h = r.left(), r.top(), fm.height()
        for i, s in enumerate(self.series):
            w = 14 + 4 + fm.horizontalAdvance(s.label) + 14
            if x + w > r.right() and x > r.left():
                x, y = r.left(), y + h + 2
            p.fillRect(QRectF(x, y + h / 2 - 5, 14, 10), self.color(i))
            p.setPen(TEXT)
            p.drawText(QPointF(x + 18, y + fm.ascent()), s.label)
            x += w
        return y + h - r.top()

    def _paint_empty(self, p: QPainter, r: QRectF) -> None:
        p.setPen(AXIS)
        p.setFont(self._fonts()[0])
        p.drawText(r, Qt.AlignmentFlag.AlignCenter, tr("暂无数据"))

    # -- tooltips ---------------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        for rect, text in self._hits:
            if rect.contains(pos):
                QToolTip.showText(event.globalPosition().toPoint(), text, self)
                return
        QToolTip.hideText()

    def hit_texts(self) -> list[str]:
        """What the tooltips would say, in drawing order (for tests and accessibility)."""
        return [t for _r, t in self._hits]

    def label_lines(self) -> list[list[str]]:
        """The category labels under the axis as last painted, each as its lines."""
        return [list(lines) for lines in self._labels]

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        self._hits, self._labels = [], []
        r = self._paint_frame(p)
        if self.is_empty:
            self._paint_empty(p, r)
        else:
            self.paint_plot(p, r)
        p.end()

    def paint_plot(self, p: QPainter, r: QRectF) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- shared axis ------------------------------------------------------------------------
    def _top(self) -> float:
        return max((v for s in self.series for v in s.values), default=0.0)

    def _tip(self, ci: int, text: str) -> str:
        """A tooltip, with the partial category's note added."""
        return words.clauses([text, self.partial_note]) if ci == self.partial and self.partial_note else text

    def _category_lines(self, fm: QFontMetricsF, width: float) -> list[list[str]]:
        """Every category label's lines; the partial one gets "本月至今" underneath."""
        out = [self._label_lines(c, fm, width) for c in self.categories]
        if self.partial is not None:
            out[self.partial] = out[self.partial] + [fm.elidedText(tr("本月至今"), Qt.TextElideMode.ElideRight, width)]
        return out

    @staticmethod
    def _partial_brush(color: QColor) -> tuple[QColor, QBrush]:
        """The lighter fill and the hatch over it that mark a partial category."""
        hatch = QBrush(color.darker(115), Qt.BrushStyle.BDiagPattern)
        return color.lighter(160), hatch

    def _label_lines(self, text: str, fm: QFontMetricsF, width: float) -> list[str]:
        """A category label's lines: its own line breaks, then breaks between words where a line
        is wider than `width` (a word is never cut; what still does not fit is elided)."""
        out: list[str] = []
        for line in text.split("\n"):
            current = ""
            for word in line.split(" "):
                trial = f"{current} {word}" if current else word
                if current and fm.horizontalAdvance(trial) > width:
                    out.append(current)
                    current = word
                else:
                    current = trial
            out.append(current)
        return [fm.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in out]

    def _take_y_title(self, p: QPainter, r: QRectF, font: QFont) -> QRectF:
        """Write the y-axis title across, above the axis; returns what is left of `r`."""
        if not self.y_title:
            return r
        fm = QFontMetricsF(font)
        p.setFont(font)
        p.setPen(AXIS)
        p.drawText(QRectF(r.left(), r.top(), r.width(), fm.height()),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.y_title)
        return r.adjusted(0, fm.height() + 2, 0, 0)


class BarChart(_Chart):
    """Grouped bars: one group per category, one bar per series. `horizontal=True` puts the
    categories down the left (for 20 village names, which do not fit under vertical bars)."""

    def __init__(self, title: str = "", *, horizontal: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.horizontal = horizontal

    def set_data(self, categories, series, **kw) -> None:  # type: ignore[override]
        super().set_data(categories, series, **kw)
        if self.horizontal:
            # Every village gets a readable row: grow instead of squeezing.
            row = QFontMetricsF(self.font()).height() + 6
            self.setMinimumHeight(int(90 + row * max(1, len(self.categories)) * max(1, len(self.series) * 0.8)))

    def paint_plot(self, p: QPainter, r: QRectF) -> None:
        if self.horizontal:
            self._paint_horizontal(p, r)
        else:
            self._paint_vertical(p, r)

    def _paint_vertical(self, p: QPainter, r: QRectF) -> None:
        base, _title, small = self._fonts()
        fm, sfm = QFontMetricsF(base), QFontMetricsF(small)
        ticks = nice_ticks(self._top())
        top_val = ticks[-1]
        r = self._take_y_title(p, r, small)
        left = r.left() + max(sfm.horizontalAdvance(fmt_value(t)) for t in ticks) + 6
        wrapped = self._category_lines(sfm, (r.right() - left) / len(self.categories) - 2)
        self._labels = wrapped
        lines = max(len(w) for w in wrapped)
        bottom = r.bottom() - lines * sfm.height() - 6 - (fm.height() + 2 if self.x_title else 0)
        plot = QRectF(left, r.top() + sfm.height(), r.right() - left, bottom - r.top() - sfm.height())
        self._paint_value_axis(p, plot, ticks, small, vertical=True)
        n, k = len(self.categories), len(self.series)
        slot = plot.width() / n
        bar_w = min(42.0, slot * 0.7 / k)
        p.setFont(small)
        for ci, cat in enumerate(self.categories):
            x0 = plot.left() + ci * slot + (slot - bar_w * k) / 2
            for si, s in enumerate(self.series):
                v = s.values[ci]
                h = plot.height() * v / top_val
                bar = QRectF(x0 + si * bar_w, plot.bottom() - h, bar_w - 1, h)
                if ci == self.partial:
                    light, hatch = self._partial_brush(self.color(si))
                    p.fillRect(bar, light)
                    p.fillRect(bar, hatch)
                else:
                    p.fillRect(bar, self.color(si))
                if v:
                    label = fmt_value(v)
                    p.setPen(TEXT)
                    p.drawText(QRectF(bar.center().x() - 40, bar.top() - sfm.height() - 1, 80, sfm.height()),
                               Qt.AlignmentFlag.AlignCenter, label)
                self._hits.append((bar.adjusted(0, -sfm.height(), 0, 0),
                                   self._tip(ci, words.labelled(f"{cat.replace(chr(10), ' ')} · {s.label}", fmt_value(v)))))
            p.setPen(TEXT)
            text_rect = QRectF(plot.left() + ci * slot, plot.bottom() + 4, slot, lines * sfm.height())
            p.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, "\n".join(wrapped[ci]))
        self._paint_axis_titles(p, r, plot, base, small)

    def _paint_horizontal(self, p: QPainter, r: QRectF) -> None:
        base, _title, small = self._fonts()
        fm, sfm = QFontMetricsF(base), QFontMetricsF(small)
        ticks = nice_ticks(self._top())
        top_val = ticks[-1]
        label_w = min(r.width() * 0.35, max(fm.horizontalAdvance(c) for c in self.categories) + 8)
        value_room = sfm.horizontalAdvance(fmt_value(top_val)) + 8
        bottom = r.bottom() - sfm.height() - 4 - (fm.height() + 2 if self.x_title else 0)
        plot = QRectF(r.left() + label_w, r.top(), r.width() - label_w - value_room, bottom - r.top())
        self._paint_value_axis(p, plot, ticks, small, vertical=False)
        n, k = len(self.categories), len(self.series)
        slot = plot.height() / n
        bar_h = min(22.0, slot * 0.75 / k)
        for ci, cat in enumerate(self.categories):
            y0 = plot.top() + ci * slot + (slot - bar_h * k) / 2
            p.setFont(base)
            p.setPen(TEXT)
            p.drawText(QRectF(r.left(), plot.top() + ci * slot, label_w - 8, slot),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(cat, Qt.TextElideMode.ElideRight, label_w - 8))
            p.setFont(small)
            for si, s in enumerate(self.series):
                v = s.values[ci]
                w = plot.width() * v / top_val
                bar = QRectF(plot.left(), y0 + si * bar_h, w, bar_h - 1)
                p.fillRect(bar, self.color(si))
                p.setPen(TEXT)
                p.drawText(QRectF(bar.right() + 4, bar.top(), value_room + 40, bar.height()),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, fmt_value(v))
                self._hits.append((QRectF(plot.left(), bar.top(), plot.width(), bar.height()),
                                   words.labelled(f"{cat} · {s.label}", fmt_value(v))))
        self._paint_axis_titles(p, r, plot, base, small)

    def _paint_value_axis(self, p: QPainter, plot: QRectF, ticks: list[float], font: QFont, *, vertical: bool) -> None:
        fm = QFontMetricsF(font)
        p.setFont(font)
        top_val = ticks[-1]
        for t in ticks:
            if vertical:
                y = plot.bottom() - plot.height() * t / top_val
                p.setPen(QPen(GRID, 1))
                p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
                p.setPen(AXIS)
                p.drawText(QRectF(plot.left() - 200 - 4, y - fm.height() / 2, 200, fm.height()),
                           Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, fmt_value(t))
            else:
                x = plot.left() + plot.width() * t / top_val
                p.setPen(QPen(GRID, 1))
                p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
                p.setPen(AXIS)
                p.drawText(QRectF(x - 40, plot.bottom() + 2, 80, fm.height()), Qt.AlignmentFlag.AlignCenter, fmt_value(t))
        p.setPen(QPen(AXIS, 1))
        p.drawLine(plot.bottomLeft(), plot.bottomRight() if vertical else plot.bottomLeft())
        p.drawLine(plot.bottomLeft(), plot.topLeft())

    def _paint_axis_titles(self, p: QPainter, r: QRectF, plot: QRectF, base: QFont, small: QFont) -> None:
        p.setPen(AXIS)
        if self.x_title:
            p.setFont(base)
            p.drawText(QRectF(plot.left(), r.bottom() - QFontMetricsF(base).height(), plot.width(), QFontMetricsF(base).height()),
                       Qt.AlignmentFlag.AlignCenter, self.x_title)


class LineChart(_Chart):
    """One line per series over ordered categories (months); values written at each point."""

    def paint_plot(self, p: QPainter, r: QRectF) -> None:
        base, _title, small = self._fonts()
        fm, sfm = QFontMetricsF(base), QFontMetricsF(small)
        ticks = nice_ticks(self._top())
        top_val = ticks[-1]
        r = self._take_y_title(p, r, small)
        left = r.left() + max(sfm.horizontalAdvance(fmt_value(t)) for t in ticks) + 6
        wrapped = self._category_lines(sfm, (r.right() - left - 6) / len(self.categories) - 2)
        self._labels = wrapped
        lines = max(len(w) for w in wrapped)
        bottom = r.bottom() - lines * sfm.height() - 6 - (fm.height() + 2 if self.x_title else 0)
        plot = QRectF(left, r.top() + sfm.height(), r.right() - left - 6, bottom - r.top() - sfm.height())
        p.setFont(small)
        for t in ticks:
            y = plot.bottom() - plot.height() * t / top_val
            p.setPen(QPen(GRID, 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(AXIS)
            p.drawText(QRectF(plot.left() - 204, y - sfm.height() / 2, 200, sfm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, fmt_value(t))
        p.setPen(QPen(AXIS, 1))
        p.drawLine(plot.bottomLeft(), plot.bottomRight())
        p.drawLine(plot.bottomLeft(), plot.topLeft())
        n = len(self.categories)
        slot = plot.width() / n
        xs = [plot.left() + slot * (i + 0.5) for i in range(n)]
        if self.partial is not None:
            band = QRectF(plot.left() + slot * self.partial, plot.top(), slot, plot.height())
            p.fillRect(band, QBrush(GRID.darker(108), Qt.BrushStyle.BDiagPattern))
        p.setPen(TEXT)
        for i, lines_of in enumerate(wrapped):
            p.drawText(QRectF(xs[i] - slot / 2, plot.bottom() + 4, slot, lines * sfm.height()),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, "\n".join(lines_of))
        # Values are written only where they will not pile up: all points of a lone series, or
        # each series' peak when several lines share the plot (the tooltip gives the rest).
        for si, s in enumerate(self.series):
            color = self.color(si)
            pts = [QPointF(xs[i], plot.bottom() - plot.height() * v / top_val) for i, v in enumerate(s.values)]
            # The partial month is reached by a dashed segment: the line does not claim a drop.
            whole = pts if self.partial is None else pts[: self.partial + 1]
            path = QPainterPath(whole[0])
            for pt in whole[1:-1] if self.partial is not None else whole[1:]:
                path.lineTo(pt)
            p.setPen(QPen(color, 2.2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(path)
            if self.partial is not None and self.partial > 0:
                p.setPen(QPen(color, 2.0, Qt.PenStyle.DashLine))
                p.drawLine(pts[self.partial - 1], pts[self.partial])
            peak = max(range(n), key=lambda i: s.values[i])
            for i, pt in enumerate(pts):
                p.setPen(QPen(color, 1.5))
                p.setBrush(color.lighter(170) if i == self.partial else QColor("white"))
                p.drawEllipse(pt, 3.2, 3.2)
                self._hits.append((QRectF(pt.x() - slot / 2, plot.top(), slot, plot.height()),
                                   self._tip(i, words.labelled(f"{self.categories[i].replace(chr(10), ' ')} · {s.label}",
                                                               fmt_value(s.values[i])))))
                if s.values[i] and (len(self.series) == 1 or i == peak):
                    p.setPen(color.darker(130))
                    p.drawText(QRectF(pt.x() - 30, pt.y() - sfm.height() - 3, 60, sfm.height()),
                               Qt.AlignmentFlag.AlignCenter, fmt_value(s.values[i]))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(AXIS)
        if self.x_title:
            p.setFont(base)
            p.drawText(QRectF(plot.left(), r.bottom() - fm.height(), plot.width(), fm.height()),
                       Qt.AlignmentFlag.AlignCenter, self.x_title)

