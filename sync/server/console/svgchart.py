"""Tiny server-rendered SVG charts: horizontal bars (categories) and a line with points (time).

Written here rather than taken from a library: the console must work on a police intranet with
nothing fetched from outside, and pygal — the small maintained choice — loads its tooltips from a
CDN by default; these charts need bars, a line, axis labels and Chinese text, ~100 lines. Text is
escaped; fonts are the browser's (the page names a CJK font first). Every chart carries a
<title> per mark so hovering shows the exact count.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

FONT = "'WenQuanYi Zen Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif"
BAR = "#2f6fb0"
LINE = "#c0392b"


def _nice_max(v: int) -> int:
    if v <= 5:
        return max(v, 1)
    step = 10 ** (len(str(v)) - 1)
    for k in (1, 2, 5, 10):
        if v <= k * step:
            return k * step
    return 10 * step


def bars(items: Sequence[tuple[str, int]], *, title: str, width: int = 560, row: int = 24) -> str:
    """Horizontal bars, one per (label, count), in the order given."""
    label_w, pad = 150, 8
    top = 28
    height = top + row * max(len(items), 1) + pad
    top_v = _nice_max(max((n for _, n in items), default=0))
    span = width - label_w - 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="13">',
           f'<title>{escape(title)}</title>',
           f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    for i, (label, n) in enumerate(items):
        y = top + i * row
        w = 0 if top_v == 0 else max(1, round(span * n / top_v)) if n else 0
        short = label if len(label) <= 10 else label[:9] + "…"
        out.append(f'<text x="{label_w - 6}" y="{y + row * 0.65:.0f}" text-anchor="end">{escape(short)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row - 8}" fill="{BAR}">'
                   f'<title>{escape(label)}: {n}</title></rect>')
        out.append(f'<text x="{label_w + w + 4}" y="{y + row * 0.65:.0f}">{n}</text>')
    if not items:
        out.append(f'<text x="{label_w}" y="{top + row * 0.65:.0f}" fill="#888">—</text>')
    out.append("</svg>")
    return "".join(out)


def line(points: Sequence[tuple[str, int]], *, title: str, width: int = 640, height: int = 220) -> str:
    """A line over time buckets (label, count), with the first, middle and last labels shown."""
    left, right, top, bottom = 40, 12, 28, 36
    w, h = width - left - right, height - top - bottom
    top_v = _nice_max(max((n for _, n in points), default=0))
    n = len(points)

    def xy(i: int, v: int) -> tuple[float, float]:
        x = left + (w * i / (n - 1) if n > 1 else w / 2)
        return x, top + h - h * v / top_v

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="12">',
           f'<title>{escape(title)}</title>',
           f'<text x="0" y="16" font-weight="bold" font-size="13">{escape(title)}</text>',
           f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="#999"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + h}" stroke="#999"/>',
           f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{top_v}</text>',
           f'<text x="{left - 4}" y="{top + h}" text-anchor="end">0</text>']
    if n:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, (_, v) in enumerate(points)))
        out.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
        for i, (label, v) in enumerate(points):
            x, y = xy(i, v)
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{LINE}"><title>{escape(label)}: {v}</title></circle>')
        for i in sorted({0, n // 2, n - 1}):
            x, _ = xy(i, 0)
            # The end labels hang inwards, or the chart's edge cuts them.
            anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
            out.append(f'<text x="{x:.1f}" y="{top + h + 16}" text-anchor="{anchor}">{escape(points[i][0])}</text>')
    out.append("</svg>")
    return "".join(out)
