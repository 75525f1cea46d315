"""The recovery-code sheet: printed on paper, never saved as a file.

The recovery code opens the whole store, so a PDF of it on the laptop (or a print-to-file in
the home folder) defeats keeping it apart from the laptop. `print_sheet` therefore offers only
paper printers: PDF/file printers are skipped when choosing the default, print-to-file is
switched off in the dialog, and a choice that still ends in a file is refused. When the only
printers are PDF printers (or there are none), it says so and asks the officer to copy the code
by hand from the screen instead.

The sheet: a title, the store (folder and user), the date, the code on one unbroken line in
its groups (the font shrinks to fit the page rather than wrap), and "keep this sheet locked
away" words. `sheet_layout` computes where everything goes, so a test can check the code is
one line without a printer.

Threading: GUI thread only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QRectF, Qt
from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF, QPageSize, QPaintDevice, QPainter
from PySide6.QtWidgets import QMessageBox, QWidget

CODE_SEPARATOR = "  "  # between groups: readable, and `recovery.parse` skips spaces when typed back
_PDF_WORDS = ("pdf", "print to file", "file")


def tr(text: str) -> str:
    return QCoreApplication.translate("RecoverySheet", text)


def printable_code(code: str) -> str:
    """`7KQ2M-XR4TB-…` → `7KQ2M  XR4TB  …` (groups kept whole)."""
    return CODE_SEPARATOR.join(part for part in code.replace(" ", "-").split("-") if part)


@dataclass(frozen=True)
class SheetItem:
    text: str
    rect: QRectF
    font: QFont


def sheet_layout(width: float, height: float, dpi: int, *, code: str, store: str, user: str,
                 day: dt.date | None = None, base: QFont | None = None) -> list[SheetItem]:
    """Title, store, user, date, the code (one line, shrunk to fit `width`), the keep-safe note.

    Sizes are in device pixels of a page `width`×`height` at `dpi`."""
    def px(points: float) -> float:
        return points * dpi / 72.0

    def font(points: float, bold: bool = False, mono: bool = False) -> QFont:
        # Pixel sizes are the device's pixels: measured here, drawn the same on any printer.
        f = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont) if mono else QFont(base or QFont())
        f.setPixelSize(max(1, round(px(points))))
        f.setBold(bold)
        return f

    margin = px(56)
    inner = width - 2 * margin
    y = margin
    items: list[SheetItem] = []

    def add(text: str, f: QFont, gap: float = 10) -> None:
        nonlocal y
        metrics = QFontMetricsF(f)
        lines = max(1, len(text.split("\n")))
        h = metrics.lineSpacing() * lines
        items.append(SheetItem(text, QRectF(margin, y, inner, h), f))
        y += h + px(gap)

    add(tr("FieldKit 恢复码"), font(22, bold=True), 16)
    add(tr("数据库：%1").replace("%1", store), font(11))
    add(tr("用户：%1").replace("%1", user), font(11))
    add(tr("打印日期：%1").replace("%1", (day or dt.date.today()).isoformat()), font(11), 28)
    text = printable_code(code)
    size = 24.0
    code_font = font(size, bold=True, mono=True)
    while size > 8 and QFontMetricsF(code_font).horizontalAdvance(text) > inner:
        size -= 0.5
        code_font = font(size, bold=True, mono=True)
    add(text, code_font, 28)
    add(tr("忘记口令时，只有这个恢复码能打开数据库。\n请把这张纸锁在柜子里，和电脑分开保管；不要拍照，不要复印，不要存进电脑。"),
        font(12), 0)
    return items


def render_sheet(device: QPaintDevice, *, code: str, store: str, user: str, day: dt.date | None = None,
                 base: QFont | None = None) -> list[SheetItem]:
    """Draw the sheet on a printer (or an image, for tests and previews); returns the layout."""
    painter = QPainter(device)
    try:
        view = painter.viewport()
        items = sheet_layout(view.width(), view.height(), device.logicalDpiY(), code=code, store=store,
                             user=user, day=day, base=base)
        for item in items:
            painter.setFont(item.font)
            painter.drawText(item.rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), item.text)
    finally:
        painter.end()
    return items


# -- choosing a paper printer ---------------------------------------------------------------
def is_file_printer(name: str, make_and_model: str = "") -> bool:
    """A PDF or print-to-file printer (CUPS-PDF, "Microsoft Print to PDF", "Print to File")."""
    text = f"{name} {make_and_model}".lower()
    return any(word in text for word in _PDF_WORDS)


def paper_printers() -> list[str]:
    """Names of the installed printers that put ink on paper, the system default first."""
    from PySide6.QtPrintSupport import QPrinterInfo

    default = QPrinterInfo.defaultPrinter()
    infos = sorted(QPrinterInfo.availablePrinters(), key=lambda p: p.printerName() != default.printerName())
    return [p.printerName() for p in infos if not is_file_printer(p.printerName(), p.makeAndModel())]


def paper_printer(name: str):
    """A QPrinter on printer `name`, A4, printing natively (never to a PDF file)."""
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.NativeFormat)
    printer.setPrinterName(name)
    printer.setOutputFileName("")
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    return printer


def prints_to_file(printer) -> bool:
    from PySide6.QtPrintSupport import QPrinter

    return (printer.outputFormat() == QPrinter.OutputFormat.PdfFormat or bool(printer.outputFileName())
            or is_file_printer(printer.printerName()))


def no_paper_printer(parent: QWidget | None) -> QMessageBox:
    """Say there is no paper printer and ask for the code to be copied by hand (non-blocking)."""
    box = QMessageBox(QMessageBox.Icon.Information, tr("没有纸质打印机"),
                      tr("这台电脑没有连接纸质打印机（只有“打印到 PDF/文件”）。\n恢复码不能存成文件："
                         "请把屏幕上的恢复码一组一组抄在纸上，核对一遍，锁在柜子里。"), parent=parent)
    box.setObjectName("noPaperPrinter")
    box.addButton(tr("我来手抄"), QMessageBox.ButtonRole.AcceptRole)
    box.open()
    return box


def print_sheet(parent: QWidget, *, code: str, store: str, user: str) -> str:
    """Print the sheet on paper. Returns "printed", "cancelled", "no_printer" or "refused_file"."""
    from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog

    names = paper_printers()
    if not names:
        no_paper_printer(parent)
        return "no_printer"
    printer = paper_printer(names[0])
    dialog = QPrintDialog(printer, parent)
    dialog.setObjectName("recoveryPrintDialog")
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, False)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return "cancelled"
    if prints_to_file(printer):
        QMessageBox.warning(parent, tr("不能打印到文件"), tr("恢复码只能打印在纸上，不能存成 PDF 或文件。请选择纸质打印机，或手抄。"))
        return "refused_file"
    render_sheet(printer, code=code, store=store, user=user, base=parent.font())
    return "printed"
