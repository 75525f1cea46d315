"""Printing doorplates from the app: pick a village (or a hamlet), get a signed A4 sheet."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from PySide6.QtGui import QAction

from fieldkit.services import records as rec_service
from fieldkit.services import workspace as ws_service
from tests.ui.conftest import PASSPHRASE, VILLAGE_CODE, top_level, unlock


def _add_standard_address(home: Path) -> None:
    ws = ws_service.unlock(home, "zhang", PASSPHRASE)
    try:
        house = ws.catalog["addresses"].field("house_type").choices[0].value
        rec_service.save(ws, "addresses", {
            "code": VILLAGE_CODE + "0007", "village": VILLAGE_CODE, "hamlet": "下洋", "doorplate_no": "7号",
            "full_text": "城关镇下洋村下洋7号", "house_type": house,
        })
    finally:
        ws.lock()


def _open_dialog(qtbot, start_app, home):
    window = unlock(qtbot, start_app(home))
    window.findChild(QAction, "doorplatePrintAction").trigger()
    qtbot.waitUntil(lambda: top_level("doorplatePrintDialog") is not None)
    dialog = top_level("doorplatePrintDialog")
    qtbot.waitUntil(lambda: dialog.village.count() == 1)
    return dialog


def test_a_hamlets_plates_are_printed_signed(qtbot, start_app, seeded_home, tmp_path):
    _add_standard_address(seeded_home)
    dialog = _open_dialog(qtbot, start_app, seeded_home)
    out = tmp_path / "plates.pdf"
    dialog.hamlet.setText("下洋")
    dialog.path.setText(str(out))
    dialog.print_button.click()
    qtbot.waitUntil(lambda: dialog.outcome == "done", timeout=60000)
    assert dialog.result["plates"] == 1 and "已生成 1 块门牌" in dialog.message.text()
    text = PdfReader(str(out)).pages[0].extract_text()
    assert "下洋7号" in text or "7号" in text


def test_a_non_standard_code_is_named_and_nothing_is_written(qtbot, start_app, seeded_home, tmp_path):
    dialog = _open_dialog(qtbot, start_app, seeded_home)  # the seeded address's code is "XY0001"
    out = tmp_path / "plates.pdf"
    dialog.path.setText(str(out))
    dialog.print_button.click()
    qtbot.waitUntil(lambda: dialog.outcome == "failed", timeout=60000)
    assert "不是标准地址编码" in dialog.message.text() and not out.exists()
