"""First run: create the store in the unlock window, see the recovery code once, skip the demo."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QPushButton

from fieldkit.services import workspace as ws_service
from tests.ui.conftest import find, type_text


def test_create_store_then_recovery_code_gates_continue(qtbot, home, start_app):
    session = start_app(home)
    window = session.unlock_window
    assert window.current_page() is window.create_page  # no store yet: the create page comes first

    qtbot.keyClicks(find(window, QLineEdit, "createLogin"), "zhang")
    type_text(qtbot, find(window, QLineEdit, "createDisplayName"), "张伟")
    first = find(window, QLineEdit, "newPassphrase")
    qtbot.keyClicks(first, "abc")
    assert "太短" in window.create_page.passphrase.hint.text()
    first.clear()
    qtbot.keyClicks(first, "village-hall-7am")
    assert "口令强度" in window.create_page.passphrase.hint.text()
    again = find(window, QLineEdit, "newPassphraseAgain")
    qtbot.keyClicks(again, "village-hall-7an")
    qtbot.mouseClick(find(window, QPushButton, "createButton"), Qt.MouseButton.LeftButton)
    assert "不一致" in window.create_page.message.text()

    again.clear()
    qtbot.keyClicks(again, "village-hall-7am")
    qtbot.keyClick(again, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_page() is window.code_page, timeout=15000)

    code = find(window, QLabel, "recoveryCode").text()
    assert len(code) >= 20
    proceed = find(window, QPushButton, "continueButton")
    assert not proceed.isEnabled()  # not before the officer says it is written down
    qtbot.mouseClick(find(window, QCheckBox, "writtenDown"), Qt.MouseButton.LeftButton)
    assert proceed.isEnabled()
    qtbot.mouseClick(proceed, Qt.MouseButton.LeftButton)
    assert window.current_page() is window.demo_page

    qtbot.mouseClick(find(window, QPushButton, "skipDemo"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: session.main_window is not None and session.main_window.isVisible())
    main = session.main_window
    assert "张伟" in main.statusBar().findChild(QLabel, "statusUser").text()
    # The chief sees every module of the catalogue (16 and any added since), in catalogue order.
    assert main.nav.module_ids() == [m.id for m in ws_service.catalog()]
    assert len(main.nav.module_ids()) >= 16
    qtbot.waitUntil(lambda: main.nav.count("residents") == 0)
    assert ws_service.list_users(home) == ["zhang"]


def test_recovery_code_prints_to_pdf(qtbot, home, start_app, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    session = start_app(home)
    window = session.unlock_window
    qtbot.keyClicks(find(window, QLineEdit, "createLogin"), "li")
    qtbot.keyClicks(find(window, QLineEdit, "newPassphrase"), "a long passphrase")
    qtbot.keyClicks(find(window, QLineEdit, "newPassphraseAgain"), "a long passphrase")
    qtbot.mouseClick(find(window, QPushButton, "createButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_page() is window.code_page, timeout=15000)
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    pdf = tmp_path / "code.pdf"
    printer.setOutputFileName(str(pdf))
    window.render_code(printer)
    assert pdf.stat().st_size > 1000
