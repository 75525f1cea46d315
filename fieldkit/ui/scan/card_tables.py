"""The household card's tables: as tall as their rows, with columns of buttons sized to them.

The card scrolls as a whole, not table by table, so each table is exactly as tall as its rows
(plus a sideways scroll bar when a narrow card, or English, cannot hold every column).

Threading: GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget


class CardTable(QTableWidget):
    """A read-only, row-selecting table that fits its height to its rows (`fit()`, and again
    whenever its width changes)."""

    def __init__(self, name: str, headers: list[str]) -> None:
        super().__init__(0, len(headers))
        self.setObjectName(name)
        self.setHorizontalHeaderLabels(headers)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.setTabKeyNavigation(False)  # Tab leaves the table (its buttons are reached with the mouse or F-keys)

    def fit(self) -> None:
        rows = sum(self.rowHeight(i) for i in range(self.rowCount())) or 30
        # A sideways scroll bar (English on a narrow card) would cover the last row.
        wide = self.horizontalHeader().length() > self.width() - 2 * self.frameWidth()
        bar = self.horizontalScrollBar().sizeHint().height() if wide else 0
        self.setFixedHeight(self.horizontalHeader().height() + rows + bar + 2 * self.frameWidth() + 2)

    def fit_column(self, column: int) -> None:
        """Cell widgets do not size their column: widen it to the widest one, or its buttons
        ("Moved out", "Deceased") are squeezed below their text. The column is shown right after
        the name: when a narrow card cannot hold every column, what scrolls out of sight is text
        (the status, which the disabled mark also shows), never a button."""
        widths = [w.sizeHint().width() for w in (self.cellWidget(r, column) for r in range(self.rowCount())) if w]
        header = self.horizontalHeader()
        if widths:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, max(widths))
            header.moveSection(header.visualIndex(column), 1)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.fit()  # narrower now: room for a sideways scroll bar under the last row
