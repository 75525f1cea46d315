"""A USB barcode scanner (keyboard wedge) heard anywhere in the scan view.

A scanner types its payload as a burst of key presses ending in Enter (or Tab), much faster
than anyone types. In the scan field that is just typing. Elsewhere in the view — a date box,
the residents table, a button that had the focus after a click — the keys would land in that
widget: a burst of digits into the 迁出/死亡日期 box set it to 1924-02-01. So every widget of
the view that takes the focus gets `WedgeFilter` in its key path: printable keys are held back
for `BURST_GAP_MS`; a run of at least `BURST_MIN_CHARS` of them ending in Enter/Tab is a scan
(the widget never sees it), anything else is handed to the widget as typed, a moment late.

Threading: GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

# A scanner sends a character every few milliseconds; a person, even a fast typist, every
# 80 ms or more. A busy GUI thread delivers queued keys together, which only shortens gaps.
BURST_GAP_MS = 50
# The shortest text a scan opens is a 12-character address code; a person's quick double
# press (or a key-repeat) is far shorter.
BURST_MIN_CHARS = 12
_ENDS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab)
_CHORDS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier


class WedgeFilter(QObject):
    """Installed on `field` (the scan field) and, as they take the focus, on the other widgets
    inside `view`. `on_submit()` when Tab ends a scan in the field; `on_burst(text)` for a scan
    typed while another widget of the view had the focus."""

    def __init__(self, view: QWidget, field: QLineEdit, on_submit: Callable[[], None],
                 on_burst: Callable[[str], None]) -> None:
        super().__init__(view)
        self._view, self._field = view, field
        self._submit, self._burst = on_submit, on_burst
        self._held: list[QKeyEvent] = []
        self._target: QObject | None = None
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(BURST_GAP_MS)
        self._timer.timeout.connect(self.release)
        field.installEventFilter(self)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    @property
    def holding(self) -> str:
        """The keys held back so far (for tests and the status line)."""
        return "".join(e.text() for e in self._held)

    def _focus_changed(self, _old: QWidget | None, now: QWidget | None) -> None:
        if not shiboken6.isValid(self) or not shiboken6.isValid(self._view):
            return
        if now is not None and now is not self._field and self._view.isAncestorOf(now):
            now.installEventFilter(self)  # installing again only moves it to the front

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if self._replaying or event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if obj is self._field:
            if event.key() == Qt.Key.Key_Tab and self._field.text().strip():  # many scanners end with Tab
                self._submit()
                return True
            return False
        if not (isinstance(obj, QWidget) and self._view.isAncestorOf(obj)):
            return False
        if event.key() in _ENDS and not event.modifiers() & _CHORDS:
            if obj is self._target and len(self._held) >= BURST_MIN_CHARS:
                text = self.holding
                self._drop()
                self._burst(text)
                return True
            self.release()  # what was held goes first, then this key as usual
            return False
        text = event.text()
        if event.modifiers() & _CHORDS or len(text) != 1 or not text.isprintable() or text.isspace():
            self.release()  # Space presses buttons, Ctrl+… are shortcuts: never held
            return False
        if self._target is not None and obj is not self._target:
            self.release()
        self._target = obj
        self._held.append(QKeyEvent(event.type(), event.key(), event.modifiers(), text,
                                    event.isAutoRepeat(), event.count()))
        self._timer.start()
        return True

    def _drop(self) -> None:
        self._timer.stop()
        self._held, self._target = [], None

    def release(self) -> None:
        """Give the held keys to the widget they were typed into: a person was typing."""
        held, target = self._held, self._target
        self._drop()
        if target is None or not shiboken6.isValid(target):  # a mark button rebuilt meanwhile
            return
        self._replaying = True
        try:
            for event in held:
                QCoreApplication.sendEvent(target, event)
        finally:
            self._replaying = False
