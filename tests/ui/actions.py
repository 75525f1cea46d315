"""Count what the officer does: every click, key press and typed field is one action.

The issue's goals are stated in actions ("a new resident from the card in ≤ 3"), so the tests
that drive a whole task go through an `Actions` and print the count; `ACTION_TABLE` collects
them for the summary line pytest prints at the end (tests/conftest.py).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

ACTION_TABLE: list[tuple[str, int, str]] = []


class Actions:
    def __init__(self, qtbot, task: str) -> None:
        self.qtbot, self.task = qtbot, task
        self.steps: list[str] = []

    def click(self, button: QWidget, what: str = "") -> None:
        self.steps.append(what or f"click {button.objectName() or button.__class__.__name__}")
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def key(self, widget: QWidget, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
            what: str = "") -> None:
        self.steps.append(what or f"key {key.name}")
        self.qtbot.keyClick(widget, key, modifier)

    def type(self, widget: QWidget, text: str, what: str = "") -> None:
        """Typing one field (or one scanner burst) is one action."""
        self.steps.append(what or f"type {widget.objectName()}")
        self.qtbot.keyClicks(widget, text)

    def done(self) -> int:
        ACTION_TABLE.append((self.task, len(self.steps), " → ".join(self.steps)))
        print(f"\nACTIONS {self.task}: {len(self.steps)} ({' → '.join(self.steps)})")
        return len(self.steps)
