"""Small pieces the station panels share: read-only tables, section titles, "open folder".

Threading: GUI thread only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldkit.ui.path_row import PathRow

UuidRole = Qt.ItemDataRole.UserRole + 7


def tr(text: str) -> str:
    return QCoreApplication.translate("StationCommon", text)


def section(text: str, parent: QWidget | None = None) -> QLabel:
    """A bold heading above a group of widgets (larger than body text, not shouting)."""
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    return label


def hint(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A grey explanatory line that wraps (status of a load, what a button will do)."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setStyleSheet("color: #4b5563;")
    return label


def make_table(headers: Sequence[str], name: str, *, stretch: int | None = None) -> QTableWidget:
    """A read-only, row-selecting table; `stretch` is the column that takes the spare width."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        # One column (a person's title, an event's name) takes the spare width; the others fit
        # their contents. Stretching the last column as well would split that width in two.
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
    else:
        header.setStretchLastSection(True)
    return table


def fill_table(table: QTableWidget, rows: Sequence[Sequence[Any]], keys: Sequence[str | None] | None = None,
               *, numeric: Sequence[int] = ()) -> None:
    """Replace the rows; `keys[i]` (a record uuid) is kept on the row's first cell."""
    table.setSortingEnabled(False)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            text = "" if value is None else str(value)
            item = QTableWidgetItem(text)
            if len(text) > 10:  # a narrow column elides; the full text is a hover away
                item.setToolTip(text)
            if c in numeric:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if c == 0 and keys is not None:
                item.setData(UuidRole, keys[r])
            table.setItem(r, c, item)
    # No resizeColumnsToContents(): it would fix the stretch column's width too; the header's
    # ResizeToContents/Stretch modes already size every column.


def row_key(table: QTableWidget, row: int | None = None) -> str | None:
    """The uuid kept on a row (the current row by default)."""
    row = table.currentRow() if row is None else row
    item = table.item(row, 0) if row is not None and row >= 0 else None
    return item.data(UuidRole) if item is not None else None


def stars_text(stars: int, vetoed: bool = False) -> str:
    """★★★☆☆ — or the veto in words, since 0 stars alone reads like an error."""
    if vetoed:
        return tr("一票否决")
    return "★" * stars + "☆" * (5 - stars)


def open_folder(path: str | Path) -> bool:
    """Show the folder holding `path` in the desktop's file manager (False when none answers)."""
    folder = Path(path).resolve().parent
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class PathDialog(QDialog):
    """Where a file was written, to copy: what "打开所在文件夹" shows when no file manager
    answers (a kiosk session, a desktop without xdg-open), instead of doing nothing."""

    def __init__(self, path: str | Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pathDialog")
        self.setWindowTitle(tr("文件位置"))
        self.path = str(Path(path).resolve())
        note = QLabel(tr("无法打开文件夹（本机没有可用的文件管理器）。文件保存在："))
        note.setWordWrap(True)
        row = PathRow(self.path, field_name="pathDialogPath", copy_name="pathDialogCopy")
        self.path_edit, self.copy_button = row.field, row.copy_button
        close = QPushButton(tr("关闭"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        box = QVBoxLayout(self)
        box.addWidget(note)
        box.addWidget(row)
        box.addLayout(buttons)


def reveal_folder(path: str | Path, parent: QWidget | None = None) -> PathDialog | None:
    """Open the folder holding `path`; when that fails, show (non-modal) and return a
    `PathDialog` with the path and a copy button. None when the file manager opened."""
    if open_folder(path):
        return None
    dialog = PathDialog(path, parent)
    dialog.open()
    return dialog
