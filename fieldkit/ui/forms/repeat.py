"""Repeat groups (tenants, persons met, hamlets) as a table with one editor per cell.

Rows are added with "添加一行" (or Ctrl+Shift+N inside the table) and removed with the row's
"删除" button; each cell is the same editor the field would get on its own, so an ID number in
a tenant row is validated live and checked against the watch list like any other.

Threading: GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHeaderView, QPushButton, QTableWidget, QToolButton, QVBoxLayout

from fieldkit.formspec import FieldType
from fieldkit.ui.forms.editor_types import EDITORS
from fieldkit.ui.forms.editors import Editor
from fieldkit.ui.resources import icon

# A column's width (px at the default font) shows a whole value (`EditorType.row_width`); text
# columns take what is left, and a table too narrow for all of them scrolls sideways rather than clip.
TEXT_MIN = 36  # the section minimum; also the width of the remove button's column


def tr(text: str) -> str:
    return QCoreApplication.translate("Repeat", text)


class RepeatEditor(Editor):
    def __init__(self, field: Any, lang: str, make: Callable[[Any], Editor]) -> None:
        super().__init__(field, lang)
        self._make = make
        self.subfields = [f for f in field.fields if f.type is not FieldType.REPEAT]
        self.rows: list[dict[str, Editor]] = []
        box = QVBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(self.subfields) + 1)
        self.table.setObjectName(f"repeat_{field.name}")
        self.table.setHorizontalHeaderLabels([f.label.get(lang) + (" *" if f.required else "") for f in self.subfields] + [""])
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(TEXT_MIN)
        for col, f in enumerate(self.subfields):
            width = EDITORS[f.type].row_width
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive if width else
                                        QHeaderView.ResizeMode.Stretch)
            if width:
                self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(len(self.subfields), QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(len(self.subfields), TEXT_MIN)
        self.table.setMinimumHeight(90)
        self.table.setTabKeyNavigation(False)  # Tab moves between the cell editors instead
        self.add_button = QPushButton(icon("add"), tr("添加一行"))
        self.add_button.setObjectName(f"add_{field.name}")
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        QShortcut(QKeySequence("Ctrl+Shift+N"), self, activated=lambda: self.add_row(focus=True),
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        box.addWidget(self.table)
        box.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._layout.addLayout(box)

    def add_row(self, values: dict | None = None, focus: bool = False) -> dict[str, Editor]:
        row = self.table.rowCount()
        self.table.insertRow(row)
        editors: dict[str, Editor] = {}
        for col, f in enumerate(self.subfields):
            editor = self._make(f)
            editor.changed.connect(self.changed)
            if values and f.name in values:
                editor.set_value(values[f.name])
            elif f.default is not None:
                editor.set_value(f.default)
            self.table.setCellWidget(row, col, editor)
            editors[f.name] = editor
        remove = QToolButton()
        remove.setIcon(icon("remove"))
        remove.setToolTip(tr("删除这一行"))
        remove.clicked.connect(lambda _c=False, e=editors: self.remove_row(e))
        self.table.setCellWidget(row, len(self.subfields), remove)
        self.table.setRowHeight(row, 34)
        self.rows.append(editors)
        self.table.setMinimumHeight(min(60 + 34 * len(self.rows), 260))
        if focus and editors:
            next(iter(editors.values())).focus_widget().setFocus()
        self.changed.emit()
        return editors

    def remove_row(self, editors: dict[str, Editor]) -> None:
        if editors in self.rows:
            i = self.rows.index(editors)
            self.rows.pop(i)
            self.table.removeRow(i)
            self.changed.emit()

    def value(self) -> Any:
        out = []
        for editors in self.rows:
            row = {name: e.value() for name, e in editors.items()}
            if any(v not in (None, "", [], False) for v in row.values()):
                out.append(row)
        return out or None

    def set_value(self, value: Any) -> None:
        while self.rows:
            self.remove_row(self.rows[-1])
        for row in value or []:
            self.add_row(row if isinstance(row, dict) else {})

    def focus_widget(self):
        return self.add_button
