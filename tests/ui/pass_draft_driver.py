"""A child process for test_pass_drafts: the real app, a grid worker mid-pass at 下洋8号 (one
resident marked moved out, a visit confirmed, a new resident's form half typed), then nothing —
the test kills it with SIGKILL as a flat battery would. Prints READY once the draft is written.

Run as `python -m tests.ui.pass_draft_driver HOME` with QT_QPA_PLATFORM=offscreen.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from fieldkit.app import build
from fieldkit.devices.camera import FileCameraBackend
from fieldkit.services import drafts as draft_service
from fieldkit.store import crypto
from fieldkit.ui.scan import open_scan_view
from tests.ui.conftest import PASSPHRASE
from tests.ui.test_scan import CODE

crypto.DEFAULT_KDF = crypto.KdfParams(memory_kib=1024, iterations=1, lanes=1)


def spin(app: QApplication, cond, seconds: float = 20) -> None:
    end = time.monotonic() + seconds
    while not cond():
        if time.monotonic() > end:
            raise SystemExit(f"timed out waiting for {cond.__code__.co_firstlineno}")
        app.processEvents()
        time.sleep(0.01)


def main(home: str) -> None:
    app = QApplication(sys.argv[:1])
    session = build(app, Path(home))
    box = session.unlock_window.findChild(QLineEdit, "loginPassphrase")
    spin(app, box.isEnabled)
    box.setFocus()
    QTest.keyClicks(box, PASSPHRASE)
    QTest.keyClick(box, Qt.Key.Key_Return)
    spin(app, lambda: session.main_window is not None and session.main_window.isVisible())
    view = open_scan_view(session.main_window, camera_backend=FileCameraBackend([]))
    # The test's station key lives in the test process: open the card as a scan of it would.
    from fieldkit.services import household as hh

    opened: dict = {}
    session.worker.run(lambda job: hh.card(job.ws, job.ws.store.search.exact("code", CODE)[0].uuid),
                       lambda c: opened.setdefault("card", c), progress=False)
    spin(app, lambda: "card" in opened)
    view._opened(opened["card"])
    spin(app, lambda: view.card.card is not None)
    card = view.card
    row = next(i for i in range(card.residents.rowCount()) if card.residents.item(i, 0).text() == "林秀英")
    card.mark(card.residents.item(row, 0).data(256), "moved_out")
    card.visit = {"visit_date": "2026-11-20", "visit_type": "routine", "address": card.card.address.uuid,
                  "village": card.card.address.data["village"], "officer": "张网格", "summary": "入户走访"}
    card._update_pending()
    dialog = card.add_resident()
    spin(app, lambda: dialog.isVisible())
    dialog.form.rows["name"].editor.set_value("吴小花")
    dialog.form.touched.add("name")
    card.flush_draft()
    key = draft_service.pass_key(card.card.address.uuid)
    written: dict = {}
    session.worker.run(lambda job: draft_service.load_draft(job.ws, key), lambda d: written.setdefault("d", d),
                       progress=False)
    spin(app, lambda: bool(written.get("d")))
    print("READY", flush=True)
    while True:  # a grid worker at the door, until the battery dies
        app.processEvents()
        time.sleep(0.02)


if __name__ == "__main__":
    main(sys.argv[1])
