"""Write PNGs of the main screens, in Chinese, at 1366×768: `python -m fieldkit.ui.screenshots DIR`.

Runs the real app against a throw-away store filled with the demo township, offscreen (or under
Xvfb). Used by `make screenshots` to review what an officer sees.

Threading: GUI thread; waits by spinning the event loop until the worker's results arrive.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from fieldkit.services import demo
from fieldkit.services import search as search_service
from fieldkit.services import workspace as ws_service

PASSPHRASE = "screenshot-passphrase"
SIZE = (1366, 768)


def wait(app: QApplication, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("screen did not become ready")
        app.processEvents()
        time.sleep(0.01)


def settle(app: QApplication, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def shoot(widget: QWidget, path: Path) -> None:
    widget.grab().save(str(path))
    print(path)


def ime_type(app: QApplication, widget: QWidget, text: str) -> None:
    """Deliver Chinese the way a pinyin IME does (a commit string)."""
    widget.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    app.sendEvent(widget, event)


def prepare_store(home: Path) -> str:
    """Demo township; returns the uuid of a person who has a household and visits."""
    ws, _code = ws_service.create(home, "zhangwei", PASSPHRASE, display_name="张伟")
    try:
        demo.generate(ws, people=400)
        best, best_score = "", -1
        for hit in search_service.search(ws, "王", modules=["residents"], limit=50):
            from fieldkit.services import pages

            page = pages.person_page(ws, hit.record.uuid)
            score = len(page.household) + 3 * sum(len(v) for v in page.related.values())
            if score > best_score:
                best, best_score = hit.record.uuid, score
        return best
    finally:
        ws.lock()


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(argv)
    from fieldkit.ui.bootstrap import start_session

    with tempfile.TemporaryDirectory() as tmp:
        first = start_session(app, Path(tmp) / "empty")  # a fresh laptop: the create page
        try:
            first.unlock_window.resize(560, 520)
            settle(app)
            shoot(first.unlock_window, out / "00_first_run.png")
        finally:
            first.close()
        home = Path(tmp) / "home"
        person = prepare_store(home)
        session = start_session(app, home)
        try:
            shoot_all(app, session, person, out)
        finally:
            session.close()
    return 0


def shoot_all(app: QApplication, session, person: str, out: Path) -> None:
    unlock = session.unlock_window
    unlock.resize(560, 460)
    settle(app)
    shoot(unlock, out / "01_unlock.png")

    unlock.login_page.passphrase.setText(PASSPHRASE)
    unlock.login_page.unlock.click()
    wait(app, lambda: session.main_window is not None)
    main_window = session.main_window
    main_window.setWindowState(Qt.WindowState.WindowNoState)
    main_window.resize(*SIZE)
    view = main_window.open_module("residents")
    wait(app, lambda: not view.loading and view.model.rowCount() > 0)
    wait(app, lambda: view.model.is_loaded(0) and main_window.nav.count("residents"))
    settle(app, 0.5)
    shoot(main_window, out / "02_module_list.png")

    dialog = main_window.new_record("residents")
    dialog.resize(980, 680)
    wait(app, lambda: dialog.ready)
    ime_type(app, dialog.form.rows["name"].editor.focus_widget(), "陈建国")
    id_box = dialog.form.rows["id_number"].editor.focus_widget()
    id_box.setFocus()
    id_box.setText("350102199003071235")
    dialog.save()
    wait(app, lambda: not dialog.saving)
    settle(app, 0.5)
    shoot(dialog, out / "03_form_validation.png")
    dialog.dirty = False
    dialog.close()

    page = main_window.open_record(person, "residents")
    wait(app, lambda: page.view is not None)
    settle(app, 0.5)
    shoot(main_window, out / "04_person_page.png")

    main_window.global_search()
    search = main_window.search_dialog
    ime_type(app, search.box, "王")
    search.run_search()
    wait(app, lambda: search.results.topLevelItemCount() > 0)
    settle(app)
    shoot(search, out / "05_global_search.png")
    search.close()

    # The same desk in English (the language switch rebuilds the window).
    session.translations.set_language("en")
    english = session.show_main()
    english.resize(*SIZE)
    view = english.module_view("residents")
    wait(app, lambda: view is not None and view.model.rowCount() > 0 and view.model.is_loaded(0))
    settle(app, 0.5)
    shoot(english, out / "06_main_english.png")
    session.translations.set_language("zh")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
