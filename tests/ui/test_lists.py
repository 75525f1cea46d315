"""Module lists: demo township generated with progress, lazy pages, sorting, village filter."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit, QPushButton

from fieldkit.ui.unlock import window as unlock_window
from tests.ui.conftest import find


@pytest.fixture
def demo_main(qtbot, home, start_app, monkeypatch):
    """First run through the unlock window, choosing the demo township (a small one)."""
    monkeypatch.setattr(unlock_window, "DEMO_PEOPLE", 300)
    session = start_app(home)
    window = session.unlock_window
    qtbot.keyClicks(find(window, QLineEdit, "createLogin"), "zhang")
    qtbot.keyClicks(find(window, QLineEdit, "newPassphrase"), "village-hall-7am")
    qtbot.keyClicks(find(window, QLineEdit, "newPassphraseAgain"), "village-hall-7am")
    qtbot.mouseClick(find(window, QPushButton, "createButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_page() is window.code_page, timeout=15000)
    qtbot.mouseClick(find(window, QCheckBox, "writtenDown"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(find(window, QPushButton, "continueButton"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(find(window, QPushButton, "generateDemo"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: session.main_window is not None and session.main_window.isVisible(), timeout=120000)
    return session.main_window


def test_demo_list_pages_sort_and_filter(qtbot, demo_main):
    main = demo_main
    qtbot.waitUntil(lambda: (main.nav.count("residents") or 0) > 300)
    view = main.open_module("residents")
    view.model.page_size = 50  # several pages even in a small township
    view.refresh()
    qtbot.waitUntil(lambda: not view.loading and view.model.rowCount() == main.nav.count("residents"))
    assert "共" in view.status.text()

    # Rows arrive a page at a time: the last row is fetched only when scrolled to.
    last = view.model.rowCount() - 1
    qtbot.waitUntil(lambda: view.model.is_loaded(0))
    assert not view.model.is_loaded(last)
    view.table.scrollToBottom()
    qtbot.waitUntil(lambda: view.model.is_loaded(last))

    # Sorting by birth date is done by the store; the first rows come back oldest first.
    column = [f.name for f in view.columns].index("birth_date")
    before = view.model.ids()
    qtbot.mouseClick(view.table.horizontalHeader().viewport(), Qt.MouseButton.LeftButton,
                     pos=_section_center(view, column))
    qtbot.waitUntil(lambda: view.model.ids() != before and view.model.is_loaded(0) and view.model.is_loaded(1))
    first, second = (view.model.index(r, column).data() for r in (0, 1))
    assert first <= second

    # Filter by village: fewer rows, all from that village.
    qtbot.waitUntil(lambda: view.village.count() > 1)
    total = view.model.rowCount()
    view.village.setCurrentIndex(1)
    name = view.village.currentText()
    qtbot.waitUntil(lambda: not view.loading and view.model.rowCount() < total)
    names = [f.name for f in view.columns]
    if "village" in names and view.model.rowCount():
        qtbot.waitUntil(lambda: view.model.is_loaded(0))
        assert view.model.index(0, names.index("village")).data() == name


def _section_center(view, column: int):
    from PySide6.QtCore import QPoint

    header = view.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    return QPoint(x, header.height() // 2)


def test_csv_import_lists_problems_then_imports_the_good_rows(qtbot, seeded_home, start_app, tmp_path):
    from tests.ui.conftest import VILLAGE_CODE, unlock

    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "姓名,公民身份号码,性别,出生日期,民族,所属村（社区）\n"
        f"周一,110101199003071233,男,1990-03-07,01,{VILLAGE_CODE}\n"
        f"吴二,110101199003071235,男,1990-03-07,01,{VILLAGE_CODE}\n",  # bad check digit
        encoding="utf-8",
    )
    main = unlock(qtbot, start_app(seeded_home))
    view = main.open_module("residents")
    qtbot.waitUntil(lambda: not view.loading)
    importer = view.importer()
    importer.import_file(csv_file)
    qtbot.waitUntil(lambda: importer.problems is not None and importer.problems.isVisible(), timeout=10000)
    assert "第 3 行" in importer.problems.text.toPlainText()
    assert "将新增 1 条" in importer.problems.summary.text() and "有问题 1 行" in importer.problems.summary.text()
    assert view.model.rowCount() == 0  # the check wrote nothing
    qtbot.mouseClick(importer.problems.skip, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: importer.report_box is not None and importer.report_box.isVisible(), timeout=10000)
    assert "新增 1 条" in importer.report_box.text() and "跳过 1 条" in importer.report_box.text()
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)


def test_demo_generation_shows_progress_and_cancels(qtbot, home, start_app, monkeypatch):
    from PySide6.QtWidgets import QApplication, QProgressDialog

    monkeypatch.setattr(unlock_window, "DEMO_PEOPLE", 200_000)  # long enough to cancel
    session = start_app(home)
    window = session.unlock_window
    qtbot.keyClicks(find(window, QLineEdit, "createLogin"), "zhang")
    qtbot.keyClicks(find(window, QLineEdit, "newPassphrase"), "village-hall-7am")
    qtbot.keyClicks(find(window, QLineEdit, "newPassphraseAgain"), "village-hall-7am")
    qtbot.mouseClick(find(window, QPushButton, "createButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_page() is window.code_page, timeout=15000)
    qtbot.mouseClick(find(window, QCheckBox, "writtenDown"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(find(window, QPushButton, "continueButton"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(find(window, QPushButton, "generateDemo"), Qt.MouseButton.LeftButton)

    def dialog():
        return next((w for w in QApplication.topLevelWidgets() + window.findChildren(QProgressDialog)
                     if isinstance(w, QProgressDialog) and w.isVisible()), None)

    qtbot.waitUntil(lambda: dialog() is not None, timeout=10000)
    progress = dialog()
    assert progress.labelText() == "正在生成示范乡镇…"
    qtbot.waitUntil(lambda: progress.maximum() > 0, timeout=20000)  # real progress, not a spinner
    cancel = next(b for b in progress.findChildren(QPushButton) if b.text() == "取消")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已取消" in window.demo_page.message.text(), timeout=30000)
    assert session.main_window is None  # still on the demo page: retry or start empty
    qtbot.mouseClick(find(window, QPushButton, "skipDemo"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: session.main_window is not None)
    qtbot.waitUntil(lambda: session.main_window.nav.count("residents") == 0)
