"""Column widths from what the columns hold, shared by the PDF and the XLSX ledger.

Fixed widths per field type gave '2026-11-/29' and '张旺/国' while mostly empty note columns
kept their space. Here every column gets:
- a *floor*: its widest unbreakable token (a whole date, a whole name, a Latin word) and its
  header in at most two lines (headers of up to four CJK characters on one), never less;
- a *natural* width: the 80th percentile of its cells on one line, so a column that is empty
  in four rows of five stays narrow and one long remark does not widen it for every page (but
  is wide enough for that remark in three lines).
Then the fewest lines per row that fit the page: every column at its natural width over 1, 2
or 3 lines (never under its floor), so dates and names keep their width while long text wraps;
spare room goes to the columns nearest to one line first. If even three lines do not fit, long
text gives way to its floor first, then short text, then the rest. Widths declared in the form
(`[ledger.widths]`, mm) bound all of this.

The writers stream, so the widths come from the first `SAMPLE_ROWS` rows (`peek`), which the
writer then emits as usual. Units: points (1/72 inch) unless a name says `mm` or `chars`
(half-width character cells, the XLSX unit). Threading: pure functions; safe anywhere.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from fieldkit.ledger.layout import Column, LedgerLayout, Row, cell_text, display_width

MM = 72 / 25.4  # points per millimetre
A4_SHORT, A4_LONG = 595.2756, 841.8898  # pt
MARGIN_X = 12 * MM  # left and right page margin of both writers
CELL_PAD = 3.0  # pt, left and right inside a cell
BODY_SIZE = 9.0  # pt: the PDF's default body size, and the size the XLSX widths are fitted at
SAMPLE_ROWS = 500  # rows measured before the first page is laid out
PERCENTILE = 0.8  # a column empty in four rows of five is fitted to its header

#: Kinds whose cells are read as whole tokens: a date, an ID number, a name breaks only
#: between the tokens of a list ("张三、李四"), never inside one.
WHOLE_KINDS = frozenset({"date", "name", "number", "id", "choice"})
#: Shrunk first when the page is too narrow (and given the spare room when it is wide).
_SHRINK_ORDER = (("long",), ("text",))
MAX_LINES = 3  # rows of more lines than this are fitted by shrinking toward the floors
WRAP_SLACK = 1.1  # a greedy line break wastes some of each line

Measure = Callable[[str], float]

# In whole-token columns: a token runs to a list separator or a space (kept with it).
_WHOLE = re.compile(r"[^\s、，,；;]+[、，,；;]?\s*|\s+|.", re.S)  # "." : a stray leading "、"
# Elsewhere: a run of Latin letters/digits (a date, a number, a word) stays together; any other
# character (CJK) may break, but closing punctuation sticks to what it follows.
_CLOSERS = "，。、；：！？）》」』”’,.;:!?)%"
_FREE = re.compile(rf"[A-Za-z0-9_./:@+\-#%()]+[{re.escape(_CLOSERS)}]*\s*|\s+|.[{re.escape(_CLOSERS)}]*", re.S)


def tokens(text: str, whole: bool) -> list[str]:
    """`text` cut where a line may break: whole-token columns at separators, others per CJK
    character and per Latin word."""
    return (_WHOLE if whole else _FREE).findall(text)


def peek(rows: Iterable[Row], n: int = SAMPLE_ROWS) -> tuple[list[Row], Iterator[Row]]:
    """The first `n` rows, and an iterator that yields all rows (those first) exactly once."""
    it = iter(rows)
    head = list(itertools.islice(it, n))
    return head, itertools.chain(head, it)


def page_avail(orientation: str) -> float:
    """Printable width in pt of an A4 page in `orientation`."""
    return (A4_LONG if orientation == "landscape" else A4_SHORT) - 2 * MARGIN_X


def chars_from_pt(pt: float, size: float = BODY_SIZE) -> float:
    """A width in pt at body size `size` as half-width character cells (XLSX's unit)."""
    return pt / (size / 2)


def _header_floor(header: str, measure: Measure) -> float:
    # "序号", "姓名", "走访日期" never break; a longer header may take two lines, split evenly.
    if display_width(header) <= 8:
        return measure(header)
    parts = tokens(header, whole=False)
    best = measure(header)
    for cut in range(1, len(parts)):
        best = min(best, max(measure("".join(parts[:cut]).rstrip()), measure("".join(parts[cut:]))))
    return best


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _column_bounds(col: Column, cells: Sequence[str], measure: Measure) -> tuple[float, float]:
    """(floor, natural) text widths of one column in pt, without padding."""
    whole = col.kind in WHOLE_KINDS
    floor = _header_floor(col.header, measure)
    lengths = []
    for text in cells:
        for line in text.splitlines() or [""]:
            lengths.append(measure(line))
            if line:
                floor = max(floor, max(measure(t.rstrip()) for t in tokens(line, whole)))
    # A pathological Latin "word" (a URL) may still break rather than take the page.
    floor = min(floor, 60 * MM)
    # ...but its longest cell should not grow a row past three lines when there is room.
    return floor, max(floor, _percentile(lengths, PERCENTILE), max(lengths, default=0.0) / MAX_LINES)


def fit_widths(
    layout: LedgerLayout,
    sample: Iterable[Row],
    measure: Measure,
    avail: float,
    total: int = 0,
) -> list[float]:
    """Column widths in pt (padding included) that fill `avail` for `layout` and `sample` rows.

    `measure(text)` is the text's width in pt at the body size. `total` (rows expected, when
    known) widens number columns to its digits: the 序号 of row 10,000 lies beyond the sample.
    Declared widths (`Column.min_mm` / `max_mm`) win over measured ones.
    """
    cols = layout.columns
    cells: list[list[str]] = [[] for _ in cols]
    for row in sample:
        for i, v in enumerate(row[: len(cols)]):
            cells[i].append("是" if v is True else "否" if v is False else cell_text(v))
    lo: list[float] = []
    nat: list[float] = []
    hi: list[float] = []
    for col, texts in zip(cols, cells, strict=True):
        floor, natural = _column_bounds(col, texts, measure)
        if col.kind == "number" and total:
            floor = natural = max(natural, measure("0" * len(str(total))))
        floor, natural = floor + 2 * CELL_PAD, natural + 2 * CELL_PAD
        dmin = col.min_mm * MM if col.min_mm is not None else 0.0
        dmax = col.max_mm * MM if col.max_mm is not None else float("inf")
        floor = min(max(floor, dmin), dmax)
        lo.append(floor)
        nat.append(min(max(natural, floor), dmax))
        hi.append(dmax)
    # The fewest lines a row needs: every column's typical text in at most `lines` lines.
    for lines in range(1, MAX_LINES + 1):
        target = [min(n, max(f, (n - 2 * CELL_PAD) / lines * WRAP_SLACK + 2 * CELL_PAD)) for f, n in zip(lo, nat, strict=True)]
        if sum(target) <= avail:
            _grow(target, cols, nat, hi, avail - sum(target))
            return target
    widths = target
    excess = sum(widths) - avail
    # Still too wide: long text gives way to its floor first, then short text, then the rest.
    for group in _SHRINK_ORDER:
        excess = _shrink(widths, [i for i, c in enumerate(cols) if c.kind in group], lo, excess)
    excess = _shrink(widths, list(range(len(cols))), lo, excess)
    if excess > 0:  # even the floors do not fit: everything in proportion
        scale = avail / sum(widths)
        widths = [w * scale for w in widths]
    return widths


def _shrink(widths: list[float], idx: list[int], target: list[float], excess: float) -> float:
    """Take up to `excess` from columns `idx` toward `target`, in proportion to their slack."""
    slack = {i: max(0.0, widths[i] - target[i]) for i in idx}
    total = sum(slack.values())
    if total <= 0:
        return excess
    take = min(1.0, excess / total)
    for i, s in slack.items():
        widths[i] -= s * take
    return excess - total * take


def _grow(widths: list[float], cols: Sequence[Column], nat: list[float], hi: list[float], spare: float) -> None:
    """Give `spare` pt first to the wrapped columns, the nearest to one line first (each column
    made whole puts more rows on one line), then to the wrapping columns (all, when there are
    none), within their declared maxima."""
    for i in sorted(range(len(cols)), key=lambda i: nat[i] - widths[i]):
        add = min(spare, max(0.0, nat[i] - widths[i]))
        widths[i] += add
        spare -= add
    for group in (("long", "text"), None):
        while spare > 1e-6:
            idx = [i for i, c in enumerate(cols) if (group is None or c.kind in group) and widths[i] < hi[i] - 1e-6]
            if not idx:
                break
            base = sum(widths[i] for i in idx)
            given = 0.0
            for i in idx:
                add = min(spare * widths[i] / base, hi[i] - widths[i])
                widths[i] += add
                given += add
            spare -= given
            if given <= 1e-6:
                break
    # Left over only when every column is at its declared maximum: the table is then narrower.
