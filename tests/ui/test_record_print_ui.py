"""打印 on a record page: the household file as a PDF, then the viewer or a printer."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLabel, QPushButton

from fieldkit.services import workspace as ws_service
from tests.ui.conftest import PASSPHRASE, find, unlock


def address_uuid(home: Path) -> str:
    ws = ws_service.unlock(home, "zhang", PASSPHRASE)
    try:
        return ws.store.records.rows(ws.store.records.ids("addresses"))[0].uuid
    finally:
        ws.lock()


def print_from_page(qtbot, start_app, home):
    uuid = address_uuid(home)
    window = unlock(qtbot, start_app(home))
    page = window.open_record(uuid, "addresses")
    qtbot.waitUntil(lambda: page.view is not None, timeout=10000)
    find(page, QPushButton, "printRecordButton").click()
    qtbot.waitUntil(lambda: page.property("printChoice") is not None, timeout=20000)
    return page.property("printChoice")


def flat_text(path: Path) -> str:
    return "".join("".join(p.extract_text().split()) for p in PdfReader(path).pages)


def test_print_on_an_address_page_makes_the_household_file(qtbot, start_app, seeded_home, monkeypatch):
    choice = print_from_page(qtbot, start_app, seeded_home)
    assert choice.isVisible() and "一户一档" in find(choice, QLabel, "printSummary").text()
    assert "一户一档" in flat_text(choice.path) and "下洋村中街8号" in flat_text(choice.path)
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))  # no PDF viewer here
    choice.open_button.click()
    assert choice.outcome == "no_viewer" and choice.path_row.isVisible()
    assert choice.path_field.text() == str(choice.path)
    find(choice, QPushButton, "copyPrintPath").click()
    assert QGuiApplication.clipboard().text() == str(choice.path)


def test_printing_to_a_pdf_printer_saves_the_household_file(qtbot, start_app, seeded_home, tmp_path):
    choice = print_from_page(qtbot, start_app, seeded_home)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    choice.send(printer)  # what the print dialog's "Print to file" hands over
    assert choice.outcome == "saved" and "一户一档" in flat_text(tmp_path / "printed.pdf")


def test_print_on_the_household_card_makes_that_households_file(qtbot, start_app, home):
    from fieldkit.devices.camera import FileCameraBackend
    from fieldkit.domain.doorplate_code import sign_doorplate
    from fieldkit.ui.scan import open_scan_view
    from tests.ui.test_scan import CODE, STATION, scan_with_wedge, seed, wait_for_card

    seed(home)
    main = unlock(qtbot, start_app(home))
    view = open_scan_view(main, camera_backend=FileCameraBackend([]))
    scan_with_wedge(qtbot, view, sign_doorplate(CODE, STATION))
    card = wait_for_card(qtbot, view)
    find(card, QPushButton, "printHouseholdButton").click()
    qtbot.waitUntil(lambda: card.property("printChoice") is not None, timeout=20000)
    text = flat_text(card.property("printChoice").path)
    assert "一户一档" in text and "坑底乡半岭村下洋8号" in text and "吴大山" in text and "赵小兵" in text



def test_a_paper_printer_gets_every_page_as_a_picture(qtbot, start_app, seeded_home, tmp_path):
    choice = print_from_page(qtbot, start_app, seeded_home)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)  # stands in for the paper printer:
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # what Qt painted lands in a file
    printer.setOutputFileName(str(tmp_path / "paper.pdf"))
    choice.print_pages(printer)
    qtbot.waitUntil(lambda: choice.outcome == "printed", timeout=30000)
    painted = PdfReader(tmp_path / "paper.pdf")
    assert len(painted.pages) == len(PdfReader(choice.path).pages)
    assert all(len(page.images) == 1 for page in painted.pages)  # each page one 300-dpi picture



def test_the_printout_shown_in_clear_is_gone_after_a_lock(qtbot, start_app, seeded_home):
    """A household file left for the PDF viewer is personal data in clear: the lock removes it."""
    session = start_app(seeded_home)
    window = unlock(qtbot, session)
    page = window.open_record(address_uuid(seeded_home), "addresses")
    qtbot.waitUntil(lambda: page.view is not None, timeout=10000)
    find(page, QPushButton, "printRecordButton").click()
    qtbot.waitUntil(lambda: page.property("printChoice") is not None, timeout=20000)
    path = Path(page.property("printChoice").path)
    assert path.exists() and oct(path.parent.stat().st_mode & 0o777) == "0o700"
    session.lock()
    assert not path.exists()
