"""The XLSX ledger: ready to print on A4 from Excel/WPS/LibreOffice without touching settings.

XlsxWriter runs in `constant_memory` mode: each row is flushed to a temporary file as soon as
the next one starts, so 100,000 rows cost a few MB of RAM. Those temporary files hold the
ledger's personal data in clear until `close()` deletes them; pass `tmpdir` to keep them on the
encrypted/private volume the caller trusts.

Threading: one call writes one workbook; call from a worker thread, never the GUI thread.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from fieldkit.domain.errors import StorageError, UserFacingError
from fieldkit.ledger.fonts import text_measure
from fieldkit.ledger.layout import (
    CancelFn,
    LedgerLayout,
    LedgerResult,
    ProgressFn,
    Row,
    SummaryTable,
    VillageMonthCounter,
    checked_rows,
    display_width,
    summary_table,
)
from fieldkit.ledger.output import Out, output_target
from fieldkit.ledger.widths import BODY_SIZE, chars_from_pt, fit_widths, page_avail, peek

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL = 32_767  # characters per cell
TITLE_ROWS = 3  # title, station/period, column headers — frozen and repeated on every page
BODY_FONT = "宋体"  # what Chinese forms are printed in; Excel/WPS on Chinese Windows have it
TITLE_FONT = "黑体"


def _sheet_name(title: str, fallback: str) -> str:
    # Excel forbids []:*?/\ in sheet names and caps them at 31 characters.
    name = re.sub(r"[\[\]:*?/\\]", "", title).strip("' ")[:31]
    return name or fallback


def _footer_escape(text: str) -> str:
    return text.replace("&", "&&")


def column_chars(layout: LedgerLayout, sample: Iterable[Row], total: int = 0) -> list[float]:
    """Column widths in half-width cells: the widths the PDF prints at its body size, fitted to
    `sample` rows (`widths.fit_widths`), so both files read alike."""
    pts = fit_widths(layout, sample, text_measure(BODY_SIZE), page_avail(layout.orientation), total)
    return [round(chars_from_pt(w), 1) for w in pts]


def write_xlsx(
    layout: LedgerLayout,
    rows: Iterable[Row],
    out: Out,
    *,
    summary: Iterable[tuple[str, str, int]] | None = None,
    total: int = 0,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    tmpdir: str | None = None,
) -> LedgerResult:
    """Write a ledger workbook: the ledger sheet, then a village × month summary sheet.

    `rows` is consumed once, lazily. `summary` gives (village, month, count) triples computed
    elsewhere (e.g. by the store); when None and the layout names a village and a date column,
    the counts are taken from the rows while they stream. `total` (rows expected, 0 if unknown)
    goes to `progress(done, total)` and widens number columns to its digits. Raises `Cancelled` when `cancel()` turns true
    (a path target is then left untouched), `UserFacingError` when there are more rows than a
    sheet holds, `StorageError` when the file cannot be written.
    """
    counter = None
    if summary is None and layout.village_column is not None and layout.date_column is not None:
        counter = VillageMonthCounter(layout.village_column, layout.date_column)
    ncols = len(layout.columns)
    stream = checked_rows(rows, ncols, total=total, progress=progress, cancel=cancel)
    # constant_memory writes <cols> before the first row: the widths must be known by then.
    sample, stream = peek(stream)
    widths = column_chars(layout, sample, total)
    if counter is not None:
        stream = counter.wrap(stream)
    options: dict[str, object] = {"constant_memory": True, "strings_to_numbers": False}
    if tmpdir:
        options["tmpdir"] = tmpdir
    try:
        with output_target(out) as target:
            wb = Workbook(target, options)
            try:
                wb.set_properties({"title": layout.title, "company": layout.station,
                                   "comments": layout.period, "author": "FieldKit"})
                n = _write_ledger_sheet(wb, layout, stream, widths)
                table = None
                if counter is not None:
                    table = summary_table(counter.triples())
                elif summary is not None:
                    table = summary_table(summary)
                if table is not None and table.total:
                    _write_summary_sheet(wb, layout, table)
            finally:
                # Always close: it removes the clear-text temporary row files.
                wb.close()
    except XlsxWriterException as exc:
        raise StorageError(f"无法写入 Excel 文件：{exc}", message_en=f"Cannot write XLSX: {exc}") from exc
    return LedgerResult(rows=n, summary=table)


def _print_setup(ws: Worksheet, layout: LedgerLayout, repeat_to: int) -> None:
    ws.set_paper(9)  # A4
    if layout.orientation == "landscape":
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)  # inches, as Excel stores them
    ws.center_horizontally()
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    ws.repeat_rows(0, repeat_to)
    # &P/&N are Excel's page-number codes; only the user's own footer text needs escaping.
    footer = "&C" + layout.page_text("&P", "&N")
    if layout.footer:
        footer = f"&L{_footer_escape(layout.footer)}" + footer
    ws.set_footer(footer)


def _write_ledger_sheet(wb: Workbook, layout: LedgerLayout, stream: Iterable[Row], widths: list[float]) -> int:
    ncols = len(layout.columns)
    ws = wb.add_worksheet(_sheet_name(layout.title, "台账"))
    title_fmt = wb.add_format({"bold": True, "font_size": 18, "font_name": TITLE_FONT,
                               "align": "center", "valign": "vcenter"})
    sub_fmt = wb.add_format({"font_size": 11, "font_name": BODY_FONT, "valign": "vcenter"})
    head_fmt = wb.add_format({"bold": True, "font_size": 11, "font_name": BODY_FONT,
                              "text_wrap": True, "align": "center", "valign": "vcenter",
                              "border": 1, "bg_color": "#E7E6E6"})
    base = {"font_size": 10, "font_name": BODY_FONT, "border": 1, "valign": "vcenter",
            "text_wrap": True}
    fmts = {
        "text": wb.add_format(base),
        "long": wb.add_format(base),
        "name": wb.add_format({**base, "align": "center"}),
        "choice": wb.add_format({**base, "align": "center"}),
        "date": wb.add_format({**base, "align": "center"}),
        # '@' makes Excel keep 18-digit ID numbers and leading zeros as typed.
        "id": wb.add_format({**base, "num_format": "@"}),
        "number": wb.add_format({**base, "align": "right"}),
    }
    sig_fmt = wb.add_format({"font_size": 11, "font_name": BODY_FONT, "valign": "vcenter"})

    for i, col in enumerate(layout.columns):
        ws.set_column(i, i, widths[i], fmts[col.kind])
    _print_setup(ws, layout, TITLE_ROWS - 1)
    ws.freeze_panes(TITLE_ROWS, 0)

    last = ncols - 1
    ws.set_row(0, 32)
    if last:
        ws.merge_range(0, 0, 0, last, layout.title, title_fmt)
        ws.merge_range(1, 0, 1, last, layout.subtitle, sub_fmt)
    else:
        ws.write_string(0, 0, layout.title, title_fmt)
        ws.write_string(1, 0, layout.subtitle, sub_fmt)
    ws.set_row(1, 20)
    header_lines = max(math.ceil(display_width(c.header) / max(w - 1, 1))
                       for c, w in zip(layout.columns, widths, strict=True))
    ws.set_row(2, max(20, 15 * header_lines + 4))
    for i, col in enumerate(layout.columns):
        ws.write_string(2, i, col.header, head_fmt)

    r = TITLE_ROWS
    kinds = [c.kind for c in layout.columns]
    cell_fmts = [fmts[k] for k in kinds]  # looked up once, not per cell (over a million of them)
    for row in stream:
        if r >= EXCEL_MAX_ROWS - 2:
            raise UserFacingError(
                "记录太多，超过 Excel 单表上限（1,048,576 行）。请缩短统计期间，分批导出。",
                message_en="Too many rows for one Excel sheet; export a shorter period at a time.",
            )
        for c, value in enumerate(row):
            fmt = cell_fmts[c]
            if value is None or value == "":
                ws.write_blank(r, c, None, fmt)
            elif type(value) is str:  # most cells: skip the number checks below
                ws.write_string(r, c, value[:EXCEL_MAX_CELL], fmt)
            elif isinstance(value, bool):
                ws.write_string(r, c, "是" if value else "否", fmt)
            elif isinstance(value, int | float) and math.isfinite(value) and kinds[c] != "id":
                ws.write_number(r, c, value, fmt)
            else:
                # write_string, never write(): a value like "=HYPERLINK(…)" stays text.
                ws.write_string(r, c, str(value)[:EXCEL_MAX_CELL], fmt)
        r += 1
    n = r - TITLE_ROWS
    if n == 0:
        empty_fmt = wb.add_format({**base, "align": "center"})
        if last:
            ws.merge_range(r, 0, r, last, layout.empty_text, empty_fmt)
        else:
            ws.write_string(r, 0, layout.empty_text, empty_fmt)
        r += 1

    sig_row = r + 1  # one empty row between the table and the sign-off line
    ws.set_row(sig_row, 30)
    if last:
        ws.merge_range(sig_row, 0, sig_row, last, layout.signature_text, sig_fmt)
    else:
        ws.write_string(sig_row, 0, layout.signature_text, sig_fmt)
    ws.print_area(0, 0, sig_row, last)
    return n


def _write_summary_sheet(wb: Workbook, layout: LedgerLayout, table: SummaryTable) -> None:
    zh = not layout.lang.startswith("en")
    ws = wb.add_worksheet("统计汇总" if zh else "Summary")
    headers = ["村" if zh else "Village", *table.months, "合计" if zh else "Total"]
    last = len(headers) - 1
    title_fmt = wb.add_format({"bold": True, "font_size": 16, "font_name": TITLE_FONT,
                               "align": "center", "valign": "vcenter"})
    sub_fmt = wb.add_format({"font_size": 11, "font_name": BODY_FONT})
    head_fmt = wb.add_format({"bold": True, "font_name": BODY_FONT, "border": 1,
                              "align": "center", "valign": "vcenter", "bg_color": "#E7E6E6"})
    name_fmt = wb.add_format({"font_name": BODY_FONT, "border": 1})
    num_fmt = wb.add_format({"font_name": BODY_FONT, "border": 1, "align": "right"})
    tot_fmt = wb.add_format({"font_name": BODY_FONT, "border": 1, "bold": True, "align": "right"})
    tot_name_fmt = wb.add_format({"font_name": BODY_FONT, "border": 1, "bold": True})

    ws.set_column(0, 0, 16)
    ws.set_column(1, last, 10)
    _print_setup(ws, layout, 2)
    ws.freeze_panes(3, 1)
    title = f"{layout.title} — {layout.summary_title}"
    ws.set_row(0, 28)
    if last:
        ws.merge_range(0, 0, 0, last, title, title_fmt)
        ws.merge_range(1, 0, 1, last, layout.subtitle, sub_fmt)
    else:
        ws.write_string(0, 0, title, title_fmt)
    for c, h in enumerate(headers):
        ws.write_string(2, c, h, head_fmt)
    r = 3
    for village, counts, row_total in table.rows:
        ws.write_string(r, 0, village, name_fmt)
        for c, n in enumerate(counts, start=1):
            ws.write_number(r, c, n, num_fmt)
        ws.write_number(r, last, row_total, tot_fmt)
        r += 1
    ws.write_string(r, 0, "合计" if zh else "Total", tot_name_fmt)
    for c, n in enumerate(table.month_totals, start=1):
        ws.write_number(r, c, n, tot_fmt)
    ws.write_number(r, last, table.total, tot_fmt)
