"""One kind of banner: a one-line notice under the main toolbar with a button beside it.

The rollback warning (ui/rollback_banner.py) and the waiting form set (ui/formset_banner.py)
are both one; a new one subclasses `NoticeBar` and is added with `add_under_toolbar`.

Threading: GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolBar, QWidget


class NoticeBar(QToolBar):
    """A toolbar row holding `label` and `button`; hidden until `say` is called with text.

    `name` prefixes the object names (`{name}Bar`, the label `{name}Banner`); `style` is the
    label's colours."""

    def __init__(self, window: Any, title: str, name: str, style: str, button_text: str, button_name: str,
                 on_click: Callable[[], Any]) -> None:
        super().__init__(title)
        self.setObjectName(f"{name}Bar")
        self.setMovable(False)
        self.window_ = window
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(6, 4, 6, 4)
        self.label = QLabel()
        self.label.setObjectName(f"{name}Banner")
        # One line: a toolbar sizes a word-wrapped label for its narrowest width (five lines at
        # 1366 px). The whole text is the tooltip, and the dialog behind the button says it again.
        self.label.setWordWrap(False)
        self.label.setStyleSheet(f"{style} font-weight: bold; padding: 6px;")
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # narrow: cut, not wider
        row.addWidget(self.label, 1)
        self.button = QPushButton(button_text)
        self.button.setObjectName(button_name)
        self.button.clicked.connect(on_click)
        row.addWidget(self.button)
        self.addWidget(box)
        self.hide()

    def say(self, text: str, *, button: bool = True) -> None:
        """Show `text` (hide the bar when empty), with the button or without."""
        self.label.setText(text)
        self.label.setToolTip(text)
        self.button.setVisible(button)
        self.setVisible(bool(text))


def add_under_toolbar(window: Any, bar: NoticeBar) -> None:
    window.addToolBarBreak()
    window.addToolBar(bar)
