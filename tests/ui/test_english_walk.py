"""Every screen in English, walked as a user would after switching the language in the settings.

Two things a reader of the English UI notices at once, checked on every visible widget:
(a) Chinese left in the interface — labels, buttons, check boxes, group titles, tab texts, table
    headers, window titles. What came from records is data and stays as typed (a name, an
    address, a village): the strings every record holds are collected from the store before the
    app opens it and taken out of a text before it is checked, and table cells are not checked at
    all (their headers are). Choice values are not data: they have English labels and must show
    them. Full-width punctuation (："，（）) counts as Chinese.
(b) Clipped text: a button, check box or single-line label whose text is wider than the room it
    has (`QFontMetrics.horizontalAdvance` against its contents rectangle).
The failure message lists every offender with the screen it is on.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractListModel, Qt, QTimer
from PySide6.QtGui import QAction, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QTabBar,
    QTabWidget,
    QWidget,
)

from fieldkit.services import demo
from fieldkit.services import workspace as ws_service
from fieldkit.ui.scan import open_scan_view
from fieldkit.ui.scan.dialogs import QuickFormDialog
from tests.ui.conftest import PASSPHRASE, find, top_level, unlock

LOGIN = "zhang"
CHIEF = "张所长"
# CJK ideographs, CJK punctuation (。、「」) and full-width forms (：，（）).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
TAG = re.compile(r"<[^>]+>")
CELL_ROWS = 30  # rows of each table looked at (lists load a page at a time)
DATA_TYPES_SKIPPED = {"choice", "multi_choice", "bool"}  # shown through their (English) labels


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def _data_strings(ws) -> list[str]:
    """What records hold, as typed (choice fields excluded: their labels are the UI's words)."""
    # A language is offered under its own name ("中文" in the language chooser), so that a reader
    # of either finds theirs: a name, like the data.
    found: set[str] = {CHIEF, "中文"}
    for spec in ws.catalog:
        skipped = {f.name for f in spec.fields if getattr(f.type, "value", f.type) in DATA_TYPES_SKIPPED}
        ids = ws.store.records.ids(spec.id)
        for r in ws.store.records.rows(ids):
            for name, value in r.data.items():
                if name not in skipped:
                    found.update(s for s in _strings(value) if CJK.search(s))
    # Longest first, so a name inside an address does not leave the rest of the address behind.
    return sorted(found, key=len, reverse=True)


@pytest.fixture(scope="module")
def township(tmp_path_factory) -> tuple[Path, list[str], str]:
    home = tmp_path_factory.mktemp("english-walk") / "home"
    ws, _code = ws_service.create(home, LOGIN, PASSPHRASE, role="chief", display_name=CHIEF)
    try:
        demo.generate(ws, seed=11, people=300)
        data = _data_strings(ws)
        # The busiest household: its card has residents, visits and more lines to read.
        ids = ws.store.records.ids("addresses")
        busiest = max(ws.store.records.rows(ids), key=lambda r: len(ws.store.records.referencing(r.uuid)))
        code = str(busiest.data["code"])
    finally:
        ws.lock()
    return home, data, code


# -- what is checked ------------------------------------------------------------------------
def _plain(text: str) -> str:
    for block in ("<br>", "</h3>", "</p>", "</div>"):
        text = text.replace(block, "\n")
    return html.unescape(TAG.sub("", text))


def _shown(w: QWidget) -> bool:
    return w.isVisible() and w.width() > 0 and w.height() > 0


def _texts(w: QWidget) -> list[tuple[str, str]]:
    """(what, text) pairs a user reads on `w`, not counting table cells (data)."""
    out: list[tuple[str, str]] = []
    if w.isWindow():
        out.append(("window title", w.windowTitle()))
    if isinstance(w, QLabel):
        out.append(("label", _plain(w.text())))
    elif isinstance(w, QAbstractButton):
        out.append(("button", w.text().replace("&&", "\0").replace("&", "").replace("\0", "&")))
    elif isinstance(w, QGroupBox):
        out.append(("group title", w.title()))
    elif isinstance(w, QTabBar):
        out.extend(("tab", w.tabText(i)) for i in range(w.count()))
    elif isinstance(w, QComboBox):
        out.extend(("choice", w.itemText(i)) for i in range(w.count()))
    elif isinstance(w, QAbstractItemView) and not isinstance(w, QHeaderView) and w.model() is not None:
        model = w.model()
        # Cells show records: what came from them is data, but a choice shows its label.
        # A list view has one column (its model's columnCount is private in PySide6).
        columns = 1 if isinstance(w, QListView) or isinstance(model, QAbstractListModel) else model.columnCount()
        for r in range(min(model.rowCount(), CELL_ROWS)):
            for c in range(columns):
                value = model.data(model.index(r, c))
                if isinstance(value, str):
                    out.append(("cell", value))
        header = getattr(w, "horizontalHeader", None)
        if header is not None and header().isVisible():
            out.extend(("header", str(model.headerData(c, Qt.Orientation.Horizontal) or ""))
                       for c in range(model.columnCount()))
        elif hasattr(w, "headerItem") and not w.isHeaderHidden():  # QTreeWidget
            out.extend(("header", w.headerItem().text(c)) for c in range(w.columnCount()))
    return out


def _without_data(text: str, data: list[str]) -> str:
    if text.endswith("…"):  # a long value elided to fit its tab or cell: its start is data too
        head, _sep, last = text[:-1].rpartition(" ")
        if last and any(value.startswith(last) for value in data):
            text = head
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    return text


def _clipped(w: QWidget) -> int | None:
    """How many pixels of the text do not fit, for buttons and single-line labels (None if it fits)."""
    if isinstance(w, (QPushButton, QCheckBox)):
        text = w.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        if not text:
            return None
        need = QFontMetrics(w.font()).horizontalAdvance(text)
        if not w.icon().isNull():
            need += w.iconSize().width() + 4
        if isinstance(w, QPushButton):
            opt = QStyleOptionButton()
            w.initStyleOption(opt)
            room = w.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, opt, w).width()
        else:
            room = w.contentsRect().width() - w.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) - 4
        return need - room if need > room else None
    if isinstance(w, QLabel) and not w.wordWrap() and w.pixmap().isNull():
        text = _plain(w.text()) if w.textFormat() != Qt.TextFormat.PlainText else w.text()
        if not text.strip() or "\n" in text.strip():
            return None
        need = QFontMetrics(w.font()).horizontalAdvance(text.strip())
        room = w.contentsRect().width() - 2 * w.margin() - 2 * w.indent() if w.indent() > 0 else w.contentsRect().width()
        return need - room if need > room + 1 else None
    return None


def _beyond_table(w: QWidget) -> int:
    """A button in a table cell or a scrolled panel (the household card) that sticks out of its
    visible width (the user must scroll sideways to reach it: "Deceased" or "Submit" behind a
    scroll bar reads as clipped too)."""
    if not isinstance(w, QAbstractButton):
        return 0
    parent = w.parentWidget()
    while parent is not None and not isinstance(parent.parentWidget(), QAbstractScrollArea):
        parent = parent.parentWidget()
    if parent is None:
        return 0
    right = w.mapTo(parent, w.rect().topRight()).x() + 1
    return max(0, right - parent.width())


class Walk:
    """Collects offenders screen by screen; `assert_clean()` fails listing them all."""

    def __init__(self, data: list[str]) -> None:
        self.data = data
        self.offenders: list[str] = []
        self.screens: list[str] = []

    def check(self, screen: str, root: QWidget) -> None:
        # Lay out what the last events changed (a status text just set) before measuring it.
        QApplication.processEvents()
        QApplication.sendPostedEvents()
        QApplication.processEvents()
        self.screens.append(screen)
        for w in [root, *root.findChildren(QWidget)]:
            if not _shown(w) or w.property("showsData"):
                continue
            name = w.objectName() or type(w).__name__
            for what, text in _texts(w):
                left = _without_data(text, self.data)
                if CJK.search(left):
                    self.offenders.append(f"[{screen}] Chinese in {what} of {name}: {text!r}")
            if w.isWindow() and "FieldKit" in w.windowTitle():  # Qt adds the app's name: it would read twice
                self.offenders.append(f"[{screen}] window title names the app: {w.windowTitle()!r}")
            short = _clipped(w)
            if short is not None:
                self.offenders.append(f"[{screen}] clipped by {short}px: {name} {w.text()!r}"
                                      f" ({w.contentsRect().width()}px wide)")
            hidden = _beyond_table(w)
            if hidden:
                self.offenders.append(f"[{screen}] {hidden}px of {name} {w.text()!r} scrolled out of view")

    def assert_clean(self) -> None:
        assert not self.offenders, (f"{len(self.offenders)} offenders on {len(self.screens)} screens:\n"
                                    + "\n".join(self.offenders))


# -- the walk -------------------------------------------------------------------------------
def switch_to_english(qtbot, session, main):
    """As the officer does it: Ctrl+, → language English → OK; the window is rebuilt in English."""

    def choose_english() -> None:
        dialog = top_level("settingsDialog")
        combo = dialog.findChild(QComboBox, "setting_language")
        combo.setCurrentIndex(combo.findData("en"))
        dialog.accept()

    QTimer.singleShot(0, choose_english)
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main)
    qtbot.keyClick(main, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: session.main_window is not None and session.main_window is not main
                    and session.main_window.isVisible())
    return session.main_window


def check_settings(walk: Walk, main) -> None:
    """The settings dialog is modal (exec): look at it from inside its own event loop."""
    looked: list[bool] = []

    def look() -> None:
        dialog = top_level("settingsDialog")
        if dialog is None:
            QTimer.singleShot(20, look)
            return
        walk.check("settings", dialog)
        looked.append(True)
        dialog.reject()

    QTimer.singleShot(0, look)
    main.settings_action.trigger()
    assert looked


@pytest.fixture
def english_main(qtbot, tmp_path, township, start_app):
    template, data, code = township
    home = tmp_path / "home"
    shutil.copytree(template, home)
    session = start_app(home)
    main = unlock(qtbot, session)
    main.resize(1366, 768)
    return session, switch_to_english(qtbot, session, main), data, code


def test_every_screen_reads_english(qtbot, english_main, tmp_path):
    session, main, data, code = english_main
    main.resize(1366, 768)
    walk = Walk(data)
    qtbot.waitUntil(lambda: (main.nav.count("residents") or 0) > 0)
    walk.check("main window", main)
    # Qt appends the display name to every window title: so it is English too.
    shown_name = QApplication.applicationDisplayName()
    if CJK.search(shown_name):
        walk.offenders.append(f"[main window] application display name {shown_name!r}")

    for spec in main.info.modules:
        view = main.open_module(spec.id)
        qtbot.waitUntil(lambda view=view: not view.loading, timeout=10000)
        walk.check(f"list {spec.id}", main)
    residents = main.open_module("residents")
    qtbot.waitUntil(lambda: residents.model.rowCount() > 0 and residents.model.uuid_at(0) is not None)
    page = main.open_record(residents.model.uuid_at(0), "residents")
    qtbot.waitUntil(lambda: page.view is not None, timeout=10000)
    walk.check("person page", main)
    page.findChild(QPushButton, "deleteButton").click()
    qtbot.waitUntil(lambda: getattr(page, "delete_dialog", None) is not None and page.delete_dialog.isVisible())
    walk.check("delete dialog", page.delete_dialog)
    page.delete_dialog.reject()
    for module in ("visits", "addresses", "events"):
        listed = main.open_module(module)
        qtbot.waitUntil(lambda listed=listed: listed.model.rowCount() > 0 and listed.model.uuid_at(0) is not None)
        page = main.open_record(listed.model.uuid_at(0), module)
        qtbot.waitUntil(lambda page=page: page.view is not None, timeout=10000)
        walk.check(f"record page {module}", main)

    for module in ("residents", "rentals"):  # the form as a user opens it: Ctrl+N on the list
        main.open_module(module)
        form = main.new_record(module)
        qtbot.waitUntil(form.isVisible)
        walk.check(f"new {module} form", form)
        form.dirty = False
        form.close()

    from tests.services.test_hukou_import import row, write_csv

    walk.data += ["李四", "赵六", "钱七"]  # the extract's names: data, not UI words
    hukou = main.open_module("residents").hukou_import()
    hukou.show()
    hukou.compare(write_csv(tmp_path / "hukou.csv", [row(3, "李四"), row(7, "赵六", "长子"),
                                                      ["H9", "钱七", "350102199001010000", "户主", "某地"]]))
    qtbot.waitUntil(lambda: hukou.diff is not None, timeout=10000)
    walk.check("household-registration import", hukou)
    if os.environ.get("FIELDKIT_SCREENSHOTS"):
        hukou.grab().save(os.path.join(os.environ["FIELDKIT_SCREENSHOTS"], "hukou_import_en.png"))
    hukou.reject()

    main.findChild(QAction, "doorplatePrintAction").trigger()
    qtbot.waitUntil(lambda: top_level("doorplatePrintDialog") is not None)
    plates = top_level("doorplatePrintDialog")
    walk.check("doorplate printing", plates)
    plates.reject()

    view = open_scan_view(main)
    view.handle_payload(code)
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.card and view.card.card is not None, timeout=10000)
    walk.check("household card", main)
    dialog = view.card.record_visit()
    assert isinstance(dialog, QuickFormDialog)
    qtbot.waitUntil(dialog.isVisible)
    walk.check("visit quick form", dialog)
    dialog.close_quietly()

    main.findChild(QAction, "stationDeskAction").trigger()
    desk = main.tabs.currentWidget()
    qtbot.waitUntil(lambda: desk.dashboard.data is not None, timeout=15000)
    walk.check("dashboard", main)
    tabs = desk.findChild(QTabWidget)
    for i in range(1, tabs.count()):
        tabs.setCurrentIndex(i)
        qtbot.wait(200)  # each tab loads its figures on the database thread
        walk.check(f"desk tab {tabs.tabText(i)}", main)
    tabs.setCurrentIndex(0)
    main.findChild(QAction, "exportLedgerAction").trigger()
    qtbot.waitUntil(lambda: top_level("ledgerDialog") is not None)
    ledger = top_level("ledgerDialog")
    walk.check("ledger dialog", ledger)
    offered = Path(ledger.path.text()).name  # the default file name: one language, nothing to quote
    if CJK.search(offered) or set(offered) & set(" &"):
        walk.offenders.append(f"[ledger dialog] default file name {offered!r}")
    ledger.close()

    main.findChild(QAction, "trashAction").trigger()
    trash = main.tabs.currentWidget()
    qtbot.waitUntil(lambda: trash.objectName() == "trashView" and not trash.loading, timeout=10000)
    walk.check("trash", main)

    check_settings(walk, main)
    main.findChild(QAction, "usersAction").trigger()
    qtbot.waitUntil(lambda: top_level("usersDialog") is not None)
    users = top_level("usersDialog")
    qtbot.wait(50)
    walk.check("users", users)
    users.close()
    main.findChild(QAction, "backupAction").trigger()
    qtbot.waitUntil(lambda: top_level("backupDialog") is not None)
    backup = top_level("backupDialog")
    qtbot.waitUntil(lambda: backup.drives.count() > 0, timeout=5000)
    walk.check("backup and restore", backup)
    backup.close()

    hooks = main._sync_hooks
    conflicts = hooks.open_conflicts()
    walk.check("sync conflicts", main)
    assert conflicts is main.tabs.currentWidget()
    enroll = hooks.open_enroll()
    qtbot.waitUntil(enroll.isVisible)
    walk.check("sync enrolment", enroll)
    enroll.reject()

    session.lock()
    qtbot.waitUntil(lambda: session.unlock_window is not None and session.unlock_window.isVisible())
    walk.check("unlock window", session.unlock_window)
    walk.assert_clean()


def test_household_card_choice_values_and_colons_in_english(qtbot, english_main):
    """The card a grid worker reads at the door: sex, relation, status in English, ': ' colons."""
    _session, main, _data, code = english_main
    view = open_scan_view(main)
    view.handle_payload(code)
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.card and view.card.card is not None, timeout=10000)
    card = view.card
    sexes = {card.residents.item(r, 1).text() for r in range(card.residents.rowCount())}
    assert sexes <= {"Male", "Female"} and sexes
    rental = find(card, QLabel, "rentalStatus").text()
    assert rental.startswith("Rental status: ") and "：" not in rental
    assert find(card, QPushButton, "mark_moved_out_0").text() == "Moved out"
