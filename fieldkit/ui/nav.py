"""The navigation pane: the modules the user's role sees, grouped as an officer thinks, with counts.

Threading: GUI thread only; counts are fetched on the database thread by the main window.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem

GROUP_ORDER = ("people_places", "field_work", "registers", "station")
ModuleRole = Qt.ItemDataRole.UserRole + 1


def tr(text: str) -> str:
    return QCoreApplication.translate("Navigation", text)


def group_label(group: str) -> str:
    return {
        "people_places": tr("人和地"),
        "field_work": tr("日常工作"),
        "registers": tr("登记簿"),
        "station": tr("所务"),
    }.get(group, group)


class NavigationPane(QTreeWidget):
    """Two levels: groups, then modules ("实有人口  1,234"). `module_selected(module_id)`."""

    module_selected = Signal(str)

    def __init__(self, modules: list[Any], lang: str) -> None:
        super().__init__()
        self.setObjectName("navigation")
        self.lang = lang
        self.setHeaderHidden(True)
        self.setColumnCount(2)
        self.setRootIsDecorated(False)
        self.setIndentation(10)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformRowHeights(True)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._counts: dict[str, int] = {}
        groups: dict[str, QTreeWidgetItem] = {}
        for group in sorted({m.group for m in modules}, key=lambda g: GROUP_ORDER.index(g) if g in GROUP_ORDER else 99):
            item = QTreeWidgetItem([group_label(group), ""])
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = item.font(0)
            font.setBold(True)
            item.setFont(0, font)
            item.setData(0, Qt.ItemDataRole.AccessibleTextRole, group_label(group))
            self.addTopLevelItem(item)
            groups[group] = item
        for m in modules:
            item = QTreeWidgetItem([m.label.get(lang), ""])
            item.setData(0, ModuleRole, m.id)
            item.setToolTip(0, m.description.get(lang) if getattr(m, "description", None) else m.label.get(lang))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            groups[m.group].addChild(item)
            self._items[m.id] = item
        self.expandAll()
        self.setItemsExpandable(False)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, self.header().ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, self.header().ResizeMode.ResizeToContents)
        self.currentItemChanged.connect(self._changed)

    def _changed(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        if current is not None and current.data(0, ModuleRole):
            self.module_selected.emit(current.data(0, ModuleRole))

    def set_counts(self, counts: dict[str, int]) -> None:
        for module_id, n in counts.items():
            self.set_count(module_id, n)

    def set_count(self, module_id: str, n: int) -> None:
        item = self._items.get(module_id)
        if item is not None:
            self._counts[module_id] = n
            item.setText(1, f"{n:,}")

    def count(self, module_id: str) -> int | None:
        return self._counts.get(module_id)

    def select(self, module_id: str) -> None:
        item = self._items.get(module_id)
        if item is not None:
            self.setCurrentItem(item)

    def module_ids(self) -> list[str]:
        return list(self._items)

    def label_of(self, module_id: str) -> str:
        return self._items[module_id].text(0)
