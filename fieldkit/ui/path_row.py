"""A written file's path, to copy: what the app shows when no viewer or file manager opens it
(a kiosk session, a desktop without xdg-open), instead of doing nothing.

Threading: GUI thread only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget


def tr(text: str) -> str:
    return QCoreApplication.translate("PathRow", text)


class PathRow(QWidget):
    """[label] read-only path | 复制路径. `field` and `copy_button` carry the given object names."""

    def __init__(self, path: str | Path, *, label: str = "", field_name: str = "", copy_name: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = str(path)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        if label:
            row.addWidget(QLabel(label))
        self.field = QLineEdit(self.path)
        self.field.setObjectName(field_name)
        self.field.setReadOnly(True)
        self.field.setMinimumWidth(320)
        self.copy_button = QPushButton(tr("复制路径"))
        self.copy_button.setObjectName(copy_name)
        self.copy_button.clicked.connect(self.copy)
        row.addWidget(self.field, 1)
        row.addWidget(self.copy_button)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.path)
        self.copy_button.setText(tr("已复制"))
