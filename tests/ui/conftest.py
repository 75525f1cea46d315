"""UI test fixtures: a real store in a temp home, the real app session, helpers a user would use.

Setup data (a village, an address) is written through the services before the app opens the
store — that is the state a user finds, not the behaviour under test. Everything under test is
driven through the widgets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from fieldkit.app import build
from fieldkit.services import records as rec_service
from fieldkit.services import workspace as ws_service
from fieldkit.ui.resources import Translations
from fieldkit.ui.session import Session

PASSPHRASE = "village-hall-7am"
VILLAGE_CODE = "350102001001"


def seed_store(home: Path, *, login: str = "zhang", display: str = "张伟", role: str = "chief") -> None:
    """A store with one village and one address, as a station would hand out."""
    ws, _code = ws_service.create(home, login, PASSPHRASE, role=role, display_name=display)
    try:
        kind = ws.catalog["villages"].field("kind").choices[0].value
        rec_service.save(ws, "villages", {"code": VILLAGE_CODE, "name": "下洋村", "township": "城关镇", "kind": kind})
        house = ws.catalog["addresses"].field("house_type").choices[0].value
        rec_service.save(ws, "addresses", {
            "code": "XY0001", "village": VILLAGE_CODE, "doorplate_no": "8", "full_text": "下洋村中街8号",
            "house_type": house,
        })
    finally:
        ws.lock()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "fieldkit-home"


@pytest.fixture
def seeded_home(home: Path) -> Path:
    seed_store(home)
    return home


@pytest.fixture
def start_app(qtbot, qapp) -> Iterator[Callable[[Path], Session]]:
    sessions: list[Session] = []

    def start(home: Path) -> Session:
        session = build(qapp, home)
        sessions.append(session)
        return session

    yield start
    for session in sessions:
        session.close()
    Translations(qapp)  # back to Chinese for the next test (translators are per process)
    qapp.processEvents()


def type_text(qtbot, widget: QWidget, text: str) -> None:
    """Type like a user: ASCII as key presses, Chinese as a pinyin IME delivers it (a commit).

    QTest can only synthesise ASCII key events; an IME hands Chinese to the widget as a
    QInputMethodEvent commit string, which is what this sends.
    """
    from PySide6.QtGui import QInputMethodEvent

    widget.setFocus()
    chunk = ""
    for ch in text + "\0":
        if ch != "\0" and ch.isascii() == (chunk[:1].isascii() if chunk else ch.isascii()):
            chunk += ch
            continue
        if chunk:
            if chunk.isascii():
                qtbot.keyClicks(widget, chunk)
            else:
                event = QInputMethodEvent("", [])
                event.setCommitString(chunk)
                QApplication.sendEvent(widget, event)
        chunk = ch if ch != "\0" else ""


def top_level(name: str) -> QWidget | None:
    """The visible top-level window or dialog with this object name (as a user sees it)."""
    for w in QApplication.topLevelWidgets():
        if w.objectName() == name and w.isVisible():
            return w
    return None


def find(parent: QWidget, cls: type, name: str):
    w = parent.findChild(cls, name)
    assert w is not None, f"{name} not found in {parent.objectName()}"
    return w


def unlock(qtbot, session: Session, passphrase: str = PASSPHRASE):
    """Type the passphrase and press Enter, as the officer does; returns the main window."""
    from PySide6.QtWidgets import QLineEdit

    window = session.unlock_window
    box = find(window, QLineEdit, "loginPassphrase")
    qtbot.waitUntil(box.isEnabled)
    box.setFocus()
    qtbot.keyClicks(box, passphrase)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: session.main_window is not None and session.main_window.isVisible(), timeout=15000)
    return session.main_window
