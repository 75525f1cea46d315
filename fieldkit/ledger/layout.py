"""What a ledger looks like, independent of file format and of form definitions.

A `LedgerLayout` is plain data: the writers (`xlsx`, `pdf`, `csv`) take one plus an *iterator*
of rows, so a 100,000-row ledger streams through without ever being held in memory.

Units: column widths are in *half-width character cells* (`width_chars`): one digit or Latin
letter is 1, one Chinese character is 2 — the same unit as Excel's column width, so an
18-digit ID number needs about 20. The PDF writer converts cells to points from its font size.

Threading: everything here is immutable or owned by one writer call; no shared state.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from fieldkit.domain.errors import Cancelled

Cell = str | int | float | None
Row = Sequence[Cell]

#: Column kinds the writers know. `number` is right-aligned and written as a number in XLSX;
#: `id` (ID numbers, phone numbers, codes) is always text so Excel never turns it into 1.2E+17;
#: `long` wraps freely; the rest are left-aligned text.
KINDS = ("text", "number", "date", "id", "name", "choice", "long")


class Column(NamedTuple):
    """One ledger column: `header` as printed, `width_chars` in half-width cells, `kind`.

    `width_chars` is a fallback: the writers fit widths to the content (`ledger.widths`).
    `min_mm` / `max_mm` bound that fit (a form's `[ledger.widths]`; equal for a fixed width).
    """

    header: str
    width_chars: float = 10
    kind: str = "text"
    key: str | None = None  # the form field it shows, when built from a module definition
    min_mm: float | None = None
    max_mm: float | None = None


DEFAULT_SIGNATURES = ("制表人", "审核人", "日期")


@dataclass(frozen=True)
class LedgerLayout:
    """Title, who/when, columns and the sign-off line of one ledger.

    `columns` accepts `Column`s or plain `(header, width_chars, kind)` tuples.
    `village_column` / `date_column` (indexes into `columns`) let the XLSX writer count rows by
    village and month for the summary sheet while it streams; None disables that count.
    `footer` is printed bottom-left on every page (e.g. "FieldKit 导出 · 仅供内部使用").
    `sign_every_page` puts the sign-off line at the foot of every PDF page (inspected registers
    are signed per page) instead of once after the last row.
    """

    title: str
    columns: tuple[Column, ...]
    station: str = ""
    period: str = ""
    signatures: tuple[str, ...] = DEFAULT_SIGNATURES
    footer: str = ""
    village_column: int | None = None
    date_column: int | None = None
    summary_title: str = "按村、按月统计"
    orientation: str = "landscape"  # A4 "landscape" | "portrait"
    lang: str = "zh"
    sign_every_page: bool = True
    meta: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        cols = tuple(c if isinstance(c, Column) else Column(*c) for c in self.columns)
        if not cols:
            raise ValueError("a ledger needs at least one column")
        for c in cols:
            if c.kind not in KINDS:
                raise ValueError(f"unknown column kind {c.kind!r} for {c.header!r}")
        if self.orientation not in ("landscape", "portrait"):
            raise ValueError(f"orientation must be landscape or portrait, not {self.orientation!r}")
        object.__setattr__(self, "columns", cols)
        object.__setattr__(self, "signatures", tuple(self.signatures))
        for name in ("village_column", "date_column"):
            idx = getattr(self, name)
            if idx is not None and not 0 <= idx < len(cols):
                raise ValueError(f"{name}={idx} is outside the {len(cols)} columns")

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def subtitle(self) -> str:
        """The line under the title: station and period, in the layout's language."""
        zh = not self.lang.startswith("en")
        parts = []
        if self.station:
            parts.append(("填报单位：" if zh else "Station: ") + self.station)
        if self.period:
            parts.append(("统计期间：" if zh else "Period: ") + self.period)
        return "　　".join(parts) if zh else "    ".join(parts)

    @property
    def signature_text(self) -> str:
        """E.g. "制表人：________　　审核人：________　　日期：________"."""
        sep = "：" if not self.lang.startswith("en") else ": "
        return "　　".join(f"{s}{sep}{'_' * 12}" for s in self.signatures)

    @property
    def empty_text(self) -> str:
        """What an empty ledger says instead of a bare header, so a blank page is not mistaken
        for a printing fault."""
        return "No records in this period" if self.lang.startswith("en") else "本期无记录"

    def page_label(self, page: int | str) -> str:
        """"第 3 页" — the part of the footer that changes with the page."""
        return f"Page {page}" if self.lang.startswith("en") else f"第 {page} 页"

    def total_label(self, total: int | str) -> str:
        """"共 12 页" — the part of the footer known only when the document is finished."""
        return f"of {total}" if self.lang.startswith("en") else f"共 {total} 页"

    def page_text(self, page: int | str, total: int | str) -> str:
        """"第 3 页 共 12 页" (or "Page 3 of 12")."""
        return f"{self.page_label(page)} {self.total_label(total)}"


def display_width(text: str) -> int:
    """Width of `text` in half-width cells: East Asian wide/fullwidth characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def cell_text(value: Cell) -> str:
    """How a cell reads as text (None → "", 3.0 → "3")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class VillageMonthCounter:
    """Counts rows by (village, month) while they stream past, for the summary sheet.

    Memory is O(villages × months) whatever the number of rows. Month is the first seven
    characters of the date column ("2026-03"); rows with no date count under "未填日期", rows
    with no village under "未填村". Not thread-safe: one counter per export.
    """

    NO_VILLAGE = "未填村"
    NO_DATE = "未填日期"

    def __init__(self, village_column: int, date_column: int) -> None:
        self.village_column = village_column
        self.date_column = date_column
        self.counts: dict[tuple[str, str], int] = {}

    def add(self, row: Row) -> None:
        village = cell_text(row[self.village_column]).strip() or self.NO_VILLAGE
        date = cell_text(row[self.date_column]).strip()
        month = date[:7] if len(date) >= 7 else self.NO_DATE
        key = (village, month)
        self.counts[key] = self.counts.get(key, 0) + 1

    def wrap(self, rows: Iterable[Row]) -> Iterator[Row]:
        """Yield `rows` unchanged, counting each on the way."""
        for row in rows:
            self.add(row)
            yield row

    def triples(self) -> list[tuple[str, str, int]]:
        """(village, month, count), sorted by village then month."""
        return sorted((v, m, n) for (v, m), n in self.counts.items())


class SummaryTable(NamedTuple):
    """A village × month grid with totals, ready to print."""

    months: list[str]
    rows: list[tuple[str, list[int], int]]  # village, count per month, row total
    month_totals: list[int]
    total: int


def summary_table(triples: Iterable[tuple[str, str, int]]) -> SummaryTable:
    """Pivot (village, month, count) triples into a grid; duplicates are added together."""
    counts: dict[str, dict[str, int]] = {}
    months: set[str] = set()
    for village, month, n in triples:
        months.add(month)
        per = counts.setdefault(village, {})
        per[month] = per.get(month, 0) + int(n)
    ordered = sorted(months)
    rows = []
    for village in sorted(counts):
        per_month = [counts[village].get(m, 0) for m in ordered]
        rows.append((village, per_month, sum(per_month)))
    month_totals = [sum(r[1][i] for r in rows) for i in range(len(ordered))]
    return SummaryTable(ordered, rows, month_totals, sum(month_totals))


@dataclass(frozen=True)
class LedgerResult:
    """What was written: data rows, PDF pages (None for XLSX/CSV), the summary when made."""

    rows: int
    pages: int | None = None
    summary: SummaryTable | None = None


ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]


def checked_rows(
    rows: Iterable[Row],
    ncols: int,
    *,
    total: int = 0,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    every: int = 500,
) -> Iterator[Row]:
    """Yield rows padded/cut to `ncols`, reporting progress and honouring cancel every `every` rows.

    Raises `Cancelled` when `cancel()` turns true; the caller's output file is then discarded.
    """
    n = 0
    for row in rows:
        if len(row) != ncols:
            row = [*row[:ncols], *([None] * (ncols - len(row)))]
        yield row
        n += 1
        if n % every == 0:
            if cancel is not None and cancel():
                raise Cancelled("export cancelled")
            if progress is not None:
                progress(n, total)
    if progress is not None:
        progress(n, total or n)
