"""The recovery-code sheet goes to paper, never to a file, with the code on one unbroken line."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from PySide6 import QtPrintSupport
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox, QPushButton

from fieldkit.store import recovery
from fieldkit.ui import recovery_sheet as sheet
from tests.ui.conftest import find

CODE = recovery.generate()[0]


def test_pdf_and_file_printers_are_not_paper():
    for name in ("PDF", "Cups-PDF", "Microsoft Print to PDF", "Print to File"):
        assert sheet.is_file_printer(name)
    assert sheet.is_file_printer("Office", "Generic CUPS-PDF Printer")
    assert not sheet.is_file_printer("HP_LaserJet_P1108", "HP LaserJet Professional P1108")


def test_sheet_has_the_code_on_one_line_with_title_store_date_and_warning(qapp):
    image = QImage(1240, 1754, QImage.Format.Format_RGB32)  # A4 at 150 dpi
    image.setDotsPerMeterX(5906)
    image.setDotsPerMeterY(5906)
    image.fill(QColor("white"))
    items = sheet.render_sheet(image, code=CODE, store="/home/zhang/.local/share/fieldkit", user="张伟（zhang）",
                               day=dt.date(2026, 12, 2))
    texts = [i.text for i in items]
    assert texts[0] == "FieldKit 恢复码"
    assert any("/home/zhang/.local/share/fieldkit" in t for t in texts) and any("2026-12-02" in t for t in texts)
    assert any("锁在柜子里" in t for t in texts)
    code_item = next(i for i in items if CODE.split("-")[0] in i.text)
    assert code_item.text.split() == CODE.split("-")  # every group, whole, in order
    metrics = QFontMetricsF(code_item.font)
    assert "\n" not in code_item.text
    assert metrics.horizontalAdvance(code_item.text) <= code_item.rect.width()  # fits: never wraps
    assert code_item.rect.height() < 2 * metrics.lineSpacing()
    row = int(code_item.rect.center().y())
    assert any(image.pixelColor(x, row) != QColor("white") for x in range(0, 1240, 3))  # drawn, not just laid out


class _Dialog:
    """Stands in for QPrintDialog: records what it was handed, then the officer's answer."""

    seen: ClassVar[dict] = {}
    answer = 0

    class DialogCode:
        Accepted = 1

    def __init__(self, printer, parent=None):
        _Dialog.seen = {"format": printer.outputFormat(), "file": printer.outputFileName(), "options": []}

    def setObjectName(self, _name):
        pass

    def setOption(self, option, on=True):
        _Dialog.seen["options"].append((option, on))

    def exec(self):
        return _Dialog.answer


def test_print_dialog_offers_paper_only_and_refuses_a_file(qtbot, monkeypatch):
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    monkeypatch.setattr(sheet, "paper_printers", lambda: ["HP_LaserJet_P1108"])
    monkeypatch.setattr(QtPrintSupport, "QPrintDialog", _Dialog)
    assert sheet.print_sheet(parent, code=CODE, store="s", user="u") == "cancelled"
    assert _Dialog.seen["file"] == ""  # the dialog does not open on a PDF in the home folder
    assert (QtPrintSupport.QAbstractPrintDialog.PrintDialogOption.PrintToFile, False) in _Dialog.seen["options"]
    # Whatever the dialog ends on, a file is refused (this test machine has no such printer, so
    # Qt falls back to PDF output: exactly the case the guard is for).
    _Dialog.answer = 1
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    rendered = []
    monkeypatch.setattr(sheet, "render_sheet", lambda *a, **k: rendered.append(1))
    assert sheet.print_sheet(parent, code=CODE, store="s", user="u") == "refused_file" and not rendered


def test_only_a_pdf_printer_says_so_and_asks_to_copy_by_hand(qtbot, home, start_app, monkeypatch):
    monkeypatch.setattr(sheet, "paper_printers", lambda: [])
    session = start_app(home)
    window = session.unlock_window
    qtbot.keyClicks(find(window, QLineEdit, "createLogin"), "li")
    qtbot.keyClicks(find(window, QLineEdit, "newPassphrase"), "a long passphrase")
    qtbot.keyClicks(find(window, QLineEdit, "newPassphraseAgain"), "a long passphrase")
    qtbot.mouseClick(find(window, QPushButton, "createButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_page() is window.code_page, timeout=15000)
    shown = find(window, QLabel, "recoveryCode")
    assert len(shown.text().split()) == 7 and "-" not in shown.text()  # seven whole groups
    assert not shown.wordWrap()  # one unbroken line on screen too
    qtbot.mouseClick(window.code_page.print, Qt.MouseButton.LeftButton)
    box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "noPaperPrinter")
    assert box.isVisible() and "手抄" in box.buttons()[0].text() and "PDF" in box.text()
    box.close()
