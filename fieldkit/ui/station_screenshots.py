"""PNGs of the station chief's desk, in Chinese, at 1366×768: `python -m fieldkit.ui.station_screenshots DIR`.

Runs the real app (font, style, translations as `fieldkit.ui.bootstrap.start_session` sets them up) against a
throw-away demo township, offscreen, and writes: the dashboard as it first shows, the whole
dashboard (scrolled content), the ledger dialog, page 1 of a PDF ledger exported through the
dialog and rendered to PNG with `pdftoppm` (poppler-utils), and each panel.

Threading: GUI thread; waits by spinning the event loop until the worker's results arrive.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QScrollArea

from fieldkit.services import demo
from fieldkit.services import workspace as ws_service
from fieldkit.services.station import checkins, tasks
from fieldkit.ui.screenshots import settle, shoot, wait

PASSPHRASE = "screenshot-passphrase"
SIZE = (1366, 768)


def prepare_store(home: Path) -> None:
    """A demo township with a little station work on top: tasks in every state, check-ins."""
    ws, _code = ws_service.create(home, "chen", PASSPHRASE, role="chief", display_name="陈所长")
    try:
        demo.generate(ws, seed=3, people=1500)
        villages = [r.data["code"] for r in ws.store.records.rows(ws.store.records.ids("villages", order_by="code"))]
        now = dt.datetime.now()
        for i, (title, kind, pts) in enumerate((("查找走失儿童（3岁，穿红色外套）", "missing_person", 10),
                                                ("核查出租屋新租客", "verify_tenant", 3),
                                                ("汛期涉水隐患排查", "hazard_check", 5),
                                                ("反诈宣传进村", "publicity", 2))):
            at = (now - dt.timedelta(days=6 - i)).strftime("%Y-%m-%dT%H:%M")
            rec = tasks.publish_task(ws, title=title, description=title, kind=kind, points=pts,
                                     village=villages[i], at=at)
            if i < 3:
                tasks.accept_task(ws, rec.uuid, at=at)
            if i < 2:
                tasks.complete_task(ws, rec.uuid, "已完成", at=at)
        for d in range(5):
            for h, v in ((8, 0), (10, 3), (15, 7)):
                at = (now - dt.timedelta(days=d)).replace(hour=h, minute=12).strftime("%Y-%m-%dT%H:%M")
                checkins.check_in(ws, village=villages[(v + d) % len(villages)], place="村部", at=at)
    finally:
        ws.lock()


def pdf_page_png(pdf: Path, png: Path, dpi: int = 110) -> None:
    """Page 1 of `pdf` as `png` (poppler's pdftoppm)."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise SystemExit("pdftoppm not found: install poppler-utils")
    subprocess.run([exe, "-r", str(dpi), "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf), str(png.with_suffix(""))],
                   check=True)
    print(png)


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(argv)
    from fieldkit.ui.bootstrap import start_session

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        prepare_store(home)
        session = start_session(app, home)
        try:
            shoot_all(app, session, out, Path(tmp))
        finally:
            session.close()
    return 0


def shoot_all(app: QApplication, session, out: Path, tmp: Path) -> None:
    from fieldkit.ui import station

    unlock = session.unlock_window
    unlock.login_page.passphrase.setText(PASSPHRASE)
    unlock.login_page.unlock.click()
    wait(app, lambda: session.main_window is not None)
    main = session.main_window
    main.setWindowState(Qt.WindowState.WindowNoState)
    main.resize(*SIZE)
    desk_action, _ledger = station.install(main)  # the main window installed them; this finds them
    desk_action.trigger()
    desk = main.tabs.currentWidget()
    dashboard = desk.dashboard
    wait(app, lambda: dashboard.data is not None)
    settle(app, 0.5)
    shoot(main, out / "station_01_dashboard.png")

    # The whole dashboard, as if the window were tall enough to show every chart at once.
    scroll = dashboard.findChild(QScrollArea, "dashboardScroll")
    inner = scroll.widget()
    inner.resize(scroll.viewport().width(), max(inner.sizeHint().height(), 1100))
    settle(app, 0.2)
    shoot(inner, out / "station_02_dashboard_full.png")

    dialog = desk.export_ledger("visits")
    wait(app, lambda: dialog.village.count() > 1)
    dialog.preset.setCurrentIndex(dialog.preset.findData("year"))
    dialog.formats.button(1).setChecked(True)  # PDF
    pdf = tmp / "走访台账.pdf"
    dialog.path.setText(str(pdf))
    dialog._path_touched = True
    settle(app, 0.2)
    shoot(dialog, out / "station_03_ledger_dialog.png")
    dialog.start()
    wait(app, lambda: dialog.outcome != "", timeout=120)
    settle(app, 0.2)
    shoot(dialog, out / "station_04_ledger_done.png")
    dialog.close()
    if dialog.outcome == "done":
        pdf_page_png(pdf, out / "station_05_ledger_pdf_page1.png")

    for i, (name, ready) in enumerate((
        ("followupsPanel", lambda p: p.report is not None),
        ("escalationPanel", lambda p: not p.loading and p.events and p.steps_for is not None),
        ("tasksPanel", lambda p: not p.loading and p.mine is not None and p.credits is not None),
        ("checkinsPanel", lambda p: p.report is not None and p.village.count() > 0),
        ("safetyPanel", lambda p: p.report is not None),
    ), start=6):
        panel = desk.show_panel(name)
        if panel is None:
            continue
        wait(app, lambda p=panel, r=ready: bool(r(p)))
        if name in ("followupsPanel", "safetyPanel"):
            panel.table.selectRow(0)
        settle(app, 0.4)
        shoot(main, out / f"station_{i:02d}_{name.removesuffix('Panel')}.png")

    # The backup screen after a backup into a folder of the throw-away directory (no USB stick
    # needed: the folder chooser's entry), with the restore check of that backup.
    from fieldkit.ui.admin import open_backup

    backup = open_backup(main)
    backup.choose_folder(str(tmp))
    backup.back_up()
    wait(app, lambda: backup.outcome.text() != "", timeout=120)
    wait(app, lambda: backup.backups.count() > 0)
    settle(app, 0.3)
    shoot(backup, out / "station_11_backup.png")
    backup.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
