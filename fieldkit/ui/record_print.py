"""打印 on a record page or the household card: the record's PDF, then open it or print it.

The PDF (services.record_print, the module's `[print]` layout) is written on the database
thread into a private printout folder; a small dialog then offers the system PDF viewer
(QDesktopServices — when it cannot open one, the path is shown with a copy button) or the Qt
print dialog. A PDF/file printer gets the PDF itself (exact, vector). A paper printer gets the
pages rasterised at 300 dpi by pdftoppm and painted with QPainter: this PySide6 ships without
QtPdf (no QPdfDocument to render pages) and CUPS' `lp` is not on every laptop, while
poppler-utils is (recovery_sheet.py handles printers the same way).

Threading: GUI thread; the PDF and the page images are made on the worker's thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPainter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from fieldkit.domain.errors import UserFacingError
from fieldkit.ui import words
from fieldkit.ui.errors import show_error
from fieldkit.ui.path_row import PathRow
from fieldkit.ui.recovery_sheet import paper_printer, paper_printers, prints_to_file
from fieldkit.ui.state import SessionInfo
from fieldkit.ui.worker import Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("RecordPrint", text)


def print_button(parent: QWidget, worker: Worker, info: SessionInfo, uuid: str, module: str, lang: str
                 ) -> QPushButton | None:
    """The 打印 button for a record, or None when the role may not print this module."""
    if not info.may("print", module):
        return None
    button = QPushButton(tr("打印"))
    button.setObjectName("printRecordButton")
    button.setToolTip(tr("生成这条记录的 A4 PDF，在查看器中打开或直接打印"))
    button.clicked.connect(lambda: start(parent, worker, uuid, lang))
    return button


def start(parent: QWidget, worker: Worker, uuid: str, lang: str) -> None:
    """Make the PDF on the worker thread, then offer to open or print it."""
    from fieldkit.services import record_print

    def work(job: Any) -> tuple[Path, Any]:
        path = record_print.printout_path(job.ws, uuid)
        return path, record_print.print_record(job.ws, uuid, path, lang=lang)

    def done(result: tuple[Path, Any]) -> None:
        path, printed = result
        dialog = PrintChoice(parent, worker, path, words.clauses([printed.title, printed.record_title]), printed.pages)
        parent.setProperty("printChoice", dialog)
        dialog.open()

    def failed(exc: BaseException) -> None:
        show_error(parent, exc)

    worker.run(work, done, failed, progress=False, parent=parent)


class PrintChoice(QDialog):
    """The PDF is ready: open it in the viewer, or print it. `outcome` says what happened
    ("", "opened", "no_viewer", "printed", "saved", "cancelled")."""

    def __init__(self, parent: QWidget, worker: Worker, path: Path, title: str, pages: int) -> None:
        super().__init__(parent)
        self.setObjectName("printChoice")
        self.setWindowTitle(tr("打印记录"))
        self.worker, self.path, self.outcome = worker, path, ""
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        summary = QLabel(words.clauses([title, words.labelled(tr("页数"), str(pages))]))
        summary.setObjectName("printSummary")
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.path_row = PathRow(path, label=words.labelled(tr("PDF 文件")), field_name="printPath",
                                copy_name="copyPrintPath")
        self.path_field = self.path_row.field
        self.path_row.hide()  # shown when no viewer opened the file
        layout.addWidget(self.path_row)
        self.message = QLabel()
        self.message.setObjectName("printMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.open_button = QPushButton(tr("在查看器中打开"))
        self.open_button.setObjectName("openPrintout")
        self.open_button.clicked.connect(self.open_viewer)
        self.print_button = QPushButton(tr("打印…"))
        self.print_button.setObjectName("printPrintout")
        self.print_button.clicked.connect(self.print_paper)
        close = QPushButton(tr("关闭"))
        close.clicked.connect(self.accept)
        for b in (self.open_button, self.print_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.open_button.setDefault(True)

    def open_viewer(self) -> None:
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path))):
            self.outcome = "opened"
            self.accept()
            return
        self.outcome = "no_viewer"
        self.path_row.show()
        self.message.setText(tr("没有找到可以打开 PDF 的程序。请复制下面的路径，用 PDF 查看器打开后打印。"))

    def print_paper(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        names = paper_printers()
        printer = paper_printer(names[0]) if names else QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("recordPrintDialog")
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            self.outcome = "cancelled"
            return
        self.send(printer)

    def send(self, printer: Any) -> None:
        """Print to `printer`: a file printer receives the PDF itself, a paper one its pages."""
        if prints_to_file(printer) and printer.outputFileName():
            self.save_copy(Path(printer.outputFileName()))
        else:
            self.print_pages(printer)

    def save_copy(self, target: Path) -> None:
        """The print dialog's "print to file": the PDF itself, exact and searchable."""
        from fieldkit.services import files

        try:
            data = self.path.read_bytes()
        except OSError as e:
            show_error(self, files.storage_error(e, self.path, writing=False))
            return
        try:
            files.atomic_write(target, data)
        except UserFacingError as e:  # the words for that disk (full, read-only…)
            show_error(self, e)
            return
        self.outcome = "saved"
        self.message.setText(words.labelled(tr("已保存"), str(target)))

    def print_pages(self, printer: Any) -> None:
        """A paper printer: the pages rasterised at 300 dpi (worker thread), painted here."""
        from fieldkit.services import files, record_print

        def work(job: Any) -> list[bytes]:
            with files.scratch_dir(self.path.parent) as folder:
                return [p.read_bytes() for p in record_print.raster_pages(self.path, folder)]

        def failed(exc: BaseException) -> None:
            show_error(self, exc)

        self.worker.run(work, lambda pages: self._paint(printer, pages), failed, progress=False, parent=self)

    def _paint(self, printer: Any, pages: list[bytes]) -> None:
        painter = QPainter()
        if not painter.begin(printer):
            self.message.setText(tr("打印机无法开始打印，请检查打印机后重试。"))
            return
        try:
            for i, data in enumerate(pages):
                if i:
                    printer.newPage()
                image = QImage.fromData(data)
                area = painter.viewport()
                size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.setViewport(area.x(), area.y(), size.width(), size.height())
                painter.setWindow(image.rect())
                painter.drawImage(0, 0, image)
                painter.setViewport(area)
        finally:
            painter.end()
        self.outcome = "printed"
        self.message.setText(words.labelled(tr("已送往打印机，页数"), str(len(pages))))

