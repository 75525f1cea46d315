"""The station chief's desk, driven through its widgets in the real app on a demo township.

The township is generated once through the services (the state a chief finds), copied per test,
then the app is started, unlocked as a user would, and the desk opened from the main window.
Expected figures come from the services on the same store before the app opens it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QApplication, QScrollArea

from fieldkit.services import demo
from fieldkit.services import workspace as ws_service
from fieldkit.services.station import dashboard as dash_service
from fieldkit.ui.station import LedgerDialog, StationDesk
from tests.ui.conftest import PASSPHRASE, type_text, unlock

LOGIN = "zhang"


@pytest.fixture(scope="module")
def township(tmp_path_factory) -> tuple[Path, dash_service.Dashboard]:
    home = tmp_path_factory.mktemp("station-template") / "home"
    ws, _code = ws_service.create(home, LOGIN, PASSPHRASE, role="chief", display_name="张所长")
    try:
        demo.generate(ws, seed=7, people=300)
        expected = dash_service.dashboard(ws, dt.date.today())
    finally:
        ws.lock()
    return home, expected


@pytest.fixture
def desk(qtbot, tmp_path, township, start_app) -> StationDesk:
    template, _expected = township
    home = tmp_path / "home"
    shutil.copytree(template, home)
    session = start_app(home)
    main = unlock(qtbot, session)
    # The main window hooks the desk in itself (station.install); use its action as a user would.
    main.findChild(QAction, "stationDeskAction").trigger()
    desk = main.tabs.currentWidget()
    assert isinstance(desk, StationDesk)
    qtbot.waitUntil(lambda: desk.dashboard.data is not None, timeout=15000)
    return desk


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_dashboard_shows_the_townships_figures(qtbot, desk, township):
    _home, expected = township
    view = desk.dashboard
    assert view.card_overdue.value.text() == f"{expected.overdue_followups:,}"
    open_events = sum(c.count for c in expected.open_events_by_level)
    assert view.card_events.value.text() == f"{open_events:,}"
    assert view.card_sync.value.text() == (f"{expected.pending_sync:,}" if expected.pending_sync_known else "—")

    # Records per module: every visible module, its count, largest first.
    modules = sorted(expected.modules, key=lambda c: -c.count)
    assert view.modules.categories == [c.label for c in modules]
    assert list(view.modules.series[0].values) == [c.count for c in modules]

    # The trend chart: one point per month of the axis; picking 走访记录 shows exactly its series.
    visits = next(s for s in expected.trends if s.key == "visits")
    view.trend_pick.setCurrentIndex(view.trend_pick.findData("visits"))
    assert len(view.trend.categories) == len(expected.months) == 12
    assert list(view.trend.series[0].values) == [p.count for p in visits.points]

    # Villages: every village of the township with its visits in the last 12 months.
    view.village_pick.setCurrentIndex(view.village_pick.findData("visits"))
    by_village = next(s for s in expected.villages if s.key == "visits")
    assert view.village.categories == [p.label for p in by_village.points]
    assert list(view.village.series[0].values) == [p.count for p in by_village.points]

    # Overdue follow-ups are listed by name; the charts paint without error at laptop size.
    assert view.overdue.rowCount() == len(expected.overdue_list)
    if expected.overdue_list:
        assert view.overdue.item(0, 0).text() == expected.overdue_list[0].title
    desk.resize(1366, 700)
    assert not view.grab().isNull()
    assert any("走访记录" in t for t in view.trend.hit_texts())

    # Double-clicking an overdue person opens their record page in the main window.
    if expected.overdue_list:
        main = desk.window()
        view.findChild(QScrollArea, "dashboardScroll").ensureWidgetVisible(view.overdue)
        qtbot.waitUntil(lambda: not view.overdue.visibleRegion().isEmpty())
        rect = view.overdue.visualRect(view.overdue.model().index(0, 0))
        # A real double-click is press, release, double-press: the view needs the first press.
        qtbot.mouseClick(view.overdue.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.overdue.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        uuid = expected.overdue_list[0].uuid
        qtbot.waitUntil(lambda: getattr(main.tabs.currentWidget(), "uuid", None) == uuid, timeout=15000)


def _ledger_dialog(qtbot, desk) -> LedgerDialog:
    click(qtbot, desk.dashboard.export_button)
    dialog = desk.findChild(LedgerDialog, "ledgerDialog")
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.village.count() > 1)
    return dialog


def _set_path(qtbot, dialog: LedgerDialog, path: Path) -> None:
    dialog.path.selectAll()
    qtbot.keyClick(dialog.path, Qt.Key.Key_Delete)
    type_text(qtbot, dialog.path, str(path))


def test_ledger_export_to_xlsx_and_cancel(qtbot, desk, township, tmp_path, monkeypatch):
    _home, expected = township
    visits = next(c.count for c in expected.modules if c.key == "visits")
    dialog = _ledger_dialog(qtbot, desk)
    dialog.module.setCurrentIndex(dialog.module.findData("visits"))
    dialog.preset.setCurrentIndex(dialog.preset.findData("all"))
    assert not dialog.date_from.isEnabled()
    click(qtbot, dialog.findChild(type(dialog.formats.button(0)), "ledgerFormat_xlsx"))
    out = tmp_path / "走访台账.xlsx"
    _set_path(qtbot, dialog, out)
    click(qtbot, dialog.export_button)
    qtbot.waitUntil(lambda: dialog.outcome == "done", timeout=30000)
    assert dialog.open_folder_button.isVisible()
    assert f"{visits:,}" in dialog.status_line.text()

    # No file manager answers (openUrl fails): the path is shown, with a button that copies it.
    asked: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: asked.append(url.toLocalFile()) or False)
    click(qtbot, dialog.open_folder_button)
    assert asked == [str(out.resolve().parent)]
    shown = dialog.path_dialog
    assert shown is not None and shown.isVisible()
    assert shown.path_edit.text() == str(out.resolve())
    click(qtbot, shown.copy_button)
    assert QApplication.clipboard().text() == str(out.resolve())
    shown.accept()

    sheet = openpyxl.load_workbook(out, read_only=True).worksheets[0]
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(rows) == visits > 0

    # Cancel: the database thread is busy with something else when the chief presses export,
    # then changes their mind; the export stops at once and leaves no file behind.
    release = threading.Event()
    desk.worker.run(lambda job: release.wait(10), progress=False)
    second = tmp_path / "第二份.xlsx"
    _set_path(qtbot, dialog, second)
    click(qtbot, dialog.export_button)
    assert dialog.stop_button.isVisible() and not dialog.close_button.isEnabled()
    assert not dialog.progress.isVisible()  # no flash of a progress bar for quick work...
    qtbot.waitUntil(dialog.progress.isVisible)  # ...but it shows once the wait is noticeable
    click(qtbot, dialog.stop_button)
    assert "正在停止" in dialog.status_line.text()
    release.set()
    qtbot.waitUntil(lambda: dialog.outcome == "cancelled", timeout=15000)
    assert not second.exists()
    assert dialog.export_button.isVisible() and dialog.close_button.isEnabled()


def test_csv_ledger_needs_matching_passphrases(qtbot, desk, tmp_path):
    dialog = _ledger_dialog(qtbot, desk)
    csv = dialog.findChild(type(dialog.formats.button(0)), "ledgerFormat_csv")
    click(qtbot, csv)
    assert dialog.passphrase.isVisible() and dialog.path.text().endswith(".csv")
    _set_path(qtbot, dialog, tmp_path / "visits.csv")
    qtbot.keyClicks(dialog.passphrase, "seal-it-please")
    qtbot.keyClicks(dialog.passphrase_again, "seal-it-plaese")
    click(qtbot, dialog.export_button)
    assert "不一致" in dialog.status_line.text() and dialog.job is None
    dialog.passphrase_again.clear()
    qtbot.keyClicks(dialog.passphrase_again, "seal-it-please")
    click(qtbot, dialog.export_button)
    qtbot.waitUntil(lambda: dialog.outcome == "done", timeout=30000)
    assert dialog.result.sealed
    assert (tmp_path / "visits.csv").read_bytes().startswith(b"FIELDKIT-SEALED-1")


def test_task_published_accepted_completed_is_credited(qtbot, desk):
    panel = desk.show_panel("tasksPanel")
    qtbot.waitUntil(lambda: not panel.loading)
    assert panel.publish_box.isVisible()  # the chief publishes
    type_text(qtbot, panel.title, "核查出租屋新租客")
    type_text(qtbot, panel.description, "到坑底村核对承租人身份证")
    panel.points.setValue(5)
    click(qtbot, panel.publish_button)
    qtbot.waitUntil(lambda: any(t.title == "核查出租屋新租客" for t in panel.mine), timeout=15000)

    row = next(i for i, t in enumerate(panel.mine) if t.title == "核查出租屋新租客")
    panel.mine_table.selectRow(row)
    assert panel.mine_table.item(row, 2).text() == "待接收"
    click(qtbot, panel.accept_button)
    qtbot.waitUntil(lambda: any(t.title == "核查出租屋新租客" and t.status == "accepted" for t in panel.mine), timeout=15000)

    row = next(i for i, t in enumerate(panel.mine) if t.title == "核查出租屋新租客")
    panel.mine_table.selectRow(row)
    assert panel.complete_button.isEnabled()
    type_text(qtbot, panel.result, "已核实，承租人信息无误")
    click(qtbot, panel.complete_button)
    qtbot.waitUntil(lambda: any(c.login == LOGIN for c in panel.credits), timeout=15000)
    credit = next(c for c in panel.credits if c.login == LOGIN)
    assert (credit.tasks, credit.points) == (1, 5)
    cells = [panel.credit_table.item(0, c).text() for c in range(4)]
    assert cells == ["张所长", LOGIN, "1", "5"]
    assert all(t.title != "核查出租屋新租客" for t in panel.mine)  # done: off my list

    # The dashboard, shown again, counts the completed task.
    desk.tabs.setCurrentWidget(desk.dashboard)
    qtbot.waitUntil(lambda: not desk.dashboard.loading and desk.dashboard.data is not None
                    and any(c.key == "completed" and c.count == 1 for c in desk.dashboard.data.tasks_by_status))


def test_recorded_followup_leaves_the_overdue_list(qtbot, desk, township):
    _home, expected = township
    assert expected.overdue_followups > 0, "the demo township should have someone overdue"
    panel = desk.show_panel("followupsPanel")
    qtbot.waitUntil(lambda: panel.report is not None and not panel.loading)
    assert panel.scope.currentData() == "overdue"
    assert panel.table.rowCount() == expected.overdue_followups
    person = panel.shown[0]
    panel.table.selectRow(0)
    assert panel.who.text() == person.title
    panel.condition.setCurrentIndex(panel.condition.findData("stable"))
    panel.method.setCurrentIndex(panel.method.findData("phone"))
    click(qtbot, panel.save_button)
    qtbot.waitUntil(lambda: person.uuid not in panel.overdue_uuids() and not panel.loading, timeout=15000)
    assert panel.table.rowCount() == expected.overdue_followups - 1
    assert "已保存" in panel.message.text()

    desk.tabs.setCurrentWidget(desk.dashboard)
    qtbot.waitUntil(lambda: desk.dashboard.card_overdue.value.text() == str(expected.overdue_followups - 1))


def test_escalation_checkin_and_safety_panels(qtbot, desk, tmp_path, monkeypatch):
    panel = desk.show_panel("escalationPanel")
    qtbot.waitUntil(lambda: not panel.loading and panel.table.rowCount() > 0)
    panel.table.selectRow(0)
    event = panel.current()
    qtbot.waitUntil(lambda: panel.steps_for == event.uuid)
    assert panel.handled_button.isEnabled()
    before = len(panel.steps)
    type_text(qtbot, panel.action, "已到现场处置，隐患已排除")
    click(qtbot, panel.handled_button)
    qtbot.waitUntil(lambda: "已办结" in panel.message.text(), timeout=15000)
    panel.scope.setCurrentIndex(panel.scope.findData("resolved"))
    qtbot.waitUntil(lambda: any(e.uuid == event.uuid for e in panel.events), timeout=15000)
    panel.table.selectRow(next(i for i, e in enumerate(panel.events) if e.uuid == event.uuid))
    qtbot.waitUntil(lambda: panel.steps_for == event.uuid and len(panel.steps) == before + 1)
    assert panel.timeline.item(before, 4).text() == "已处置"
    assert panel.feedback_button.isEnabled() and not panel.escalate_button.isEnabled()

    checkins = desk.show_panel("checkinsPanel")
    # The demo township brings the demo GPS (tests/ui/test_checkin_gps.py); here: a real laptop without one.
    monkeypatch.setenv("FIELDKIT_DEMO_DEVICES", "0")
    qtbot.waitUntil(lambda: checkins.village.count() > 0 and not checkins.loading)
    checkins.village.setCurrentIndex(0)
    type_text(qtbot, checkins.place, "村部")
    click(qtbot, checkins.save_button)
    qtbot.waitUntil(lambda: checkins.last is not None and checkins.report is not None
                    and bool(checkins.report.people), timeout=15000)
    assert "未定位" in checkins.message.text()  # no receiver on a test machine: said plainly
    assert checkins.table.rowCount() == 1 and checkins.table.item(0, 2).text() == "1"

    safety = desk.show_panel("safetyPanel")
    qtbot.waitUntil(lambda: safety.report is not None, timeout=15000)
    assert len(safety.report.villages) == 20
    assert "★" in safety.table.item(0, 3).text() or "否决" in safety.table.item(0, 3).text()
    safety.table.selectRow(0)
    plaque = tmp_path / "plaque.pdf"
    safety.print_plaque(str(plaque))
    qtbot.waitUntil(lambda: safety.last_plaque is not None, timeout=15000)
    assert plaque.read_bytes().startswith(b"%PDF")
    QApplication.processEvents()


def test_the_safety_panel_lists_compounds_under_their_village_and_prints_a_compounds_plaque(qtbot, desk, tmp_path):
    from pypdf import PdfReader

    from fieldkit.ledger.plaque import verify_plaque
    from fieldkit.services import station_keys

    safety = desk.show_panel("safetyPanel")
    qtbot.waitUntil(lambda: safety.report is not None, timeout=15000)
    table = safety.table
    cells = [[table.item(r, c).text() for c in range(5)] for r in range(table.rowCount())]
    seat = next(r for r, row in enumerate(cells) if row[0] == "坑底村")
    below = []
    for row in cells[seat + 1:]:
        if row[0]:  # the next village
            break
        below.append(row[1])
    assert {"坑底新村小区", "溪畔花园"} <= set(below)  # the seat's compounds, right under it
    assert all(row[3] for row in cells)  # every row has its stars (or the veto)
    assert "小区（自然村）" in safety.note.text()

    table.selectRow(next(r for r, row in enumerate(cells) if row[1] == "溪畔花园"))
    plaque = tmp_path / "compound.pdf"
    safety.print_plaque(str(plaque))
    qtbot.waitUntil(lambda: safety.last_plaque is not None, timeout=15000)
    assert "坑底村 溪畔花园" in safety.message.text()
    page = PdfReader(plaque).pages[0]
    assert "溪畔花园" in page.extract_text()
    import zxingcpp

    payload = zxingcpp.read_barcodes(page.images[0].image)[0].text
    keys: list = []  # the store is the worker's: ask it there, as the app does
    desk.worker.run(lambda job: station_keys.station_key(job.ws).public(), keys.append, progress=False)
    qtbot.waitUntil(lambda: bool(keys), timeout=15000)
    assert verify_plaque(payload, keys).compound == "溪畔花园"


def test_a_monthly_visit_register_in_five_actions(qtbot, desk, township, tmp_path, monkeypatch):
    """Counted as the chief does it, from the dashboard: 导出台账, the module, the month, Excel, 导出."""
    from tests.ui.actions import Actions

    monkeypatch.setenv("HOME", str(tmp_path))  # the default folder (~/文档, ~/Documents or ~)
    act = Actions(qtbot, "ledger export (chief's desk → this month's visits as XLSX)")
    act.steps.append("工作台 (already open)")
    act.click(desk.dashboard.export_button, "导出台账")
    dialog = desk.findChild(LedgerDialog, "ledgerDialog")
    qtbot.waitUntil(lambda: dialog.village.count() > 1)
    act.steps.append("choose 走访登记")
    dialog.module.setCurrentIndex(dialog.module.findData("visits"))
    act.click(dialog.findChild(type(dialog.formats.button(0)), "ledgerFormat_xlsx"), "Excel")
    assert Path(dialog.path.text()).parent == tmp_path and dialog.path.text().endswith(".xlsx")
    assert " " not in Path(dialog.path.text()).name
    act.click(dialog.export_button, "导出")
    qtbot.waitUntil(lambda: dialog.outcome == "done", timeout=30000)
    assert Path(dialog.path.text()).exists()
    assert act.done() <= 5
