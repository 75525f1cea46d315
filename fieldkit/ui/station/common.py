"""Small pieces the station panels share: read-only tables, section titles, "open folder".

Threading: GUI thread only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QWidget

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
