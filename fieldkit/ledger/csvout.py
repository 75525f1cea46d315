"""The CSV ledger: header row + data rows, for Excel/WPS on Chinese Windows and for scripts.

UTF-8 with a BOM by default — without the BOM, Excel on Chinese Windows reads UTF-8 as GBK
and shows mojibake. `encoding="gbk"` (or "gb18030") is for older tools; a character GBK cannot
hold (a rare name character) stops the export with the row and column named, rather than
silently turning a person's name into "?".

A CSV is not a print ledger: no title, period or signatures. It is personal data in clear; the
caller decides where it goes (services encrypt exports at rest).

Threading: one call, one file; run from a worker thread.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from fieldkit.domain.csv_cells import escape_formula
from fieldkit.domain.errors import UserFacingError
from fieldkit.ledger.layout import (
    CancelFn,
    LedgerLayout,
    LedgerResult,
    ProgressFn,
    Row,
    cell_text,
    checked_rows,
)
from fieldkit.ledger.output import Out, output_target

ENCODINGS = {"utf-8-sig": "utf-8-sig", "utf-8": "utf-8-sig", "gbk": "gbk", "gb18030": "gb18030"}
def write_csv(
    layout: LedgerLayout,
    rows: Iterable[Row],
    out: Out,
    *,
    encoding: str = "utf-8-sig",
    total: int = 0,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> LedgerResult:
    """Write the ledger's header and rows as CSV (CRLF line ends, as Excel expects).

    `encoding` is "utf-8-sig" (default; "utf-8" means the same), "gbk" or "gb18030".
    Raises `UserFacingError` for a character the encoding cannot hold, `Cancelled`,
    `StorageError`.
    """
    try:
        codec = ENCODINGS[encoding.lower()]
    except KeyError:
        raise ValueError(f"unsupported CSV encoding {encoding!r}; use one of {sorted(ENCODINGS)}") from None
    n = 0
    with output_target(out) as target:
        text = io.TextIOWrapper(target, encoding=codec, errors="strict", newline="")
        try:
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(layout.headers)
            for row in checked_rows(rows, len(layout.columns), total=total, progress=progress,
                                    cancel=cancel):
                cells = ["是" if v is True else "否" if v is False else escape_formula(cell_text(v)) for v in row]
                try:
                    writer.writerow(cells)
                except UnicodeEncodeError as exc:
                    col = next((layout.headers[i] for i, c in enumerate(cells)
                                if exc.object[exc.start:exc.end] in c), "?")
                    bad = exc.object[exc.start:exc.end]
                    raise UserFacingError(
                        f"第 {n + 1} 行「{col}」中的字符“{bad}”无法用 {encoding.upper()} 编码保存。"
                        "请改用 UTF-8 或 GB18030 导出。",
                        message_en=(f"Row {n + 1}, column {col!r}: {bad!r} cannot be saved as "
                                    f"{encoding}. Export as UTF-8 or GB18030 instead."),
                        code="csv_encoding",
                    ) from exc
                n += 1
            text.flush()
        finally:
            text.detach()  # leave the file object open: output_target (or the caller) closes it
    return LedgerResult(rows=n)
