"""Ledgers (台账) as XLSX, PDF and CSV, and the layouts they share.

    layout = layout_from_spec(catalog["migrants"], station="城关派出所", period="2026年第一季度")
    rows = ledger_rows(spec, layout, (r.data for r in records))      # lazy
    write_ledger(layout, rows, "台账.xlsx", "xlsx")

The writers know nothing of form definitions: they take a `LedgerLayout` and an iterator of
display rows. Threading: every writer call is self-contained; run it on a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fieldkit.ledger import helper_process
from fieldkit.ledger.csvout import write_csv
from fieldkit.ledger.fonts import FontMissing, register_cjk_font
from fieldkit.ledger.layout import (
    Column,
    LedgerLayout,
    LedgerResult,
    Row,
    SummaryTable,
    VillageMonthCounter,
    display_width,
    summary_table,
)
from fieldkit.ledger.output import Out
from fieldkit.ledger.pdf import write_pdf
from fieldkit.ledger.xlsx import write_xlsx

FORMATS = ("xlsx", "pdf", "csv")
# The writers must not need the form definitions (whose package loads pypinyin's ~30 MB of
# dictionaries); the spec helpers are imported on first use instead (PEP 562).
_SPEC_NAMES = ("column_for", "format_value", "layout_from_spec", "ledger_rows")


def __getattr__(name: str) -> Any:
    if name in _SPEC_NAMES:
        from fieldkit.ledger import spec

        return getattr(spec, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FORMATS", "Column", "FontMissing", "LedgerLayout", "LedgerResult", "Row", "SummaryTable",
    "VillageMonthCounter", "column_for", "display_width", "format_value", "layout_from_spec",
    "ledger_rows", "register_cjk_font", "summary_table", "write_csv", "write_ledger", "write_pdf",
    "write_xlsx",
]


def write_ledger(layout: LedgerLayout, rows: Iterable[Row], out: Out, fmt: str, *, helper: bool | None = None,
                 **options: Any) -> LedgerResult:
    """Write `rows` in format `fmt` ("xlsx" | "pdf" | "csv") to a path or binary file object.

    `options` go to the writer (`total`, `progress`, `cancel` for all; `summary`, `tmpdir`
    for XLSX; `font_size`, `chunk_rows` for PDF; `encoding` for CSV). An XLSX or PDF of
    `total` >= `helper_process.MIN_ROWS` rows written to a path is written by a helper process
    while this one reads the rows (`helper` True/False forces the choice).
    """
    fmt = fmt.lower().lstrip(".")
    if helper_process.wanted(fmt, out, options.get("total", 0), helper):
        return helper_process.write_in_helper(layout, rows, out, fmt, **options)  # type: ignore[arg-type]
    if fmt == "xlsx":
        return write_xlsx(layout, rows, out, **options)
    if fmt == "pdf":
        return write_pdf(layout, rows, out, **options)
    if fmt == "csv":
        return write_csv(layout, rows, out, **options)
    raise ValueError(f"unknown ledger format {fmt!r}; use one of {FORMATS}")
