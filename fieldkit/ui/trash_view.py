"""The trash (回收站): deleted records with module, title, who deleted them, when and why.

A tab of the main window (toolbar "回收站", Ctrl+Shift+T). Filterable by module; 恢复 brings
the selected records back through services.trash (the door), offered only where the role may
delete (who may delete may undelete: forms/permissions.toml). It reloads when anything is deleted or restored anywhere (the tab protocol).

Threading: GUI thread; the store calls are worker jobs.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.masking import mask_id_numbers
from fieldkit.services import trash as trash_service
from fieldkit.ui.pages.data import local_time
from fieldkit.ui.state import SessionInfo
from fieldkit.ui.worker import Worker

UuidRole = Qt.ItemDataRole.UserRole + 1


def tr(text: str) -> str:
    return QCoreApplication.translate("TrashView", text)


class TrashView(QWidget):
    """The trash tab. `loaded` after each listing arrives."""

    loaded = Signal()

    def __init__(self, worker: Worker, info: SessionInfo, lang: str) -> None:
        super().__init__()
        self.setObjectName("trashView")
        self.worker = worker
        self.info = info
        self.lang = lang
        self.items: list[trash_service.TrashItem] = []
        self.loading = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        bar = QHBoxLayout()
        title = QLabel(tr("回收站"))
        title.setObjectName("moduleTitle")
        bar.addWidget(title)
        bar.addSpacing(12)
        self.module = QComboBox()
        self.module.setObjectName("trashModule")
        self.module.addItem(tr("全部模块"), None)
        for spec in info.modules:
            self.module.addItem(spec.label.get(lang), spec.id)
        self.module.setMinimumWidth(180)
        self.module.currentIndexChanged.connect(lambda _i: self.reload())
        bar.addWidget(self.module)
        bar.addStretch(1)
        self.status = QLabel()
        self.status.setObjectName("listStatus")
        bar.addWidget(self.status)
        self.restore_button = QPushButton(tr("恢复"))
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.setToolTip(tr("把选中的记录恢复到原来的列表里（连同它指向的人和地址）"))
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self.restore_selected)
        bar.addWidget(self.restore_button)
        layout.addLayout(bar)

        self.table = QTableWidget(0, 5)
        self.table.setObjectName("trashTable")
        self.table.setHorizontalHeaderLabels([tr("模块"), tr("标题"), tr("删除人"), tr("删除时间"), tr("删除原因")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection)
        layout.addWidget(self.table, 1)
        hint = QLabel(tr("删除的记录保留数据和修改记录；恢复后，指向它的走访、房屋等记录照常显示。"))
        hint.setObjectName("hintText")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.reload()

    # -- loading ----------------------------------------------------------------------------
    def reload(self) -> None:
        module, lang = self.module.currentData(), self.lang
        self.loading = True
        self.status.setText(tr("正在读取…"))
        self.worker.run(lambda job: trash_service.trash(job.ws, module, lang=lang), self._show, self._failed,
                        progress=False, key="trash", parent=self)

    def _show(self, items: list[trash_service.TrashItem]) -> None:
        self.items = items
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            # A title is read across the table like a heading: its ID number masked, whole on hover.
            shown = (item.module_label, mask_id_numbers(item.title), item.by, local_time(item.at), item.reason)
            full = (item.module_label, item.title, item.by, local_time(item.at), item.reason)
            for col, (text, tip) in enumerate(zip(shown, full, strict=True)):
                cell = QTableWidgetItem(text)
                cell.setData(UuidRole, item.uuid)
                cell.setToolTip(tip)
                self.table.setItem(row, col, cell)
        self.table.setColumnWidth(1, max(self.table.columnWidth(1), 220))
        if len(items) >= trash_service.LIMIT:
            self.status.setText(tr("只显示最近删除的 %1 条").replace("%1", f"{len(items):,}"))
        else:
            self.status.setText(tr("共 %1 条").replace("%1", f"{len(items):,}"))
        self.loading = False
        self._selection()
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        from fieldkit.ui.errors import message_for, show_error

        self.loading = False
        self.status.setText(message_for(exc))
        show_error(self, exc)

    def _selection(self) -> None:
        chosen = self.selected()
        self.restore_button.setEnabled(bool(chosen) and all(i.may_restore for i in chosen))

    def selected(self) -> list[trash_service.TrashItem]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.items[r] for r in rows if r < len(self.items)]

    # -- restoring --------------------------------------------------------------------------
    def restore_selected(self) -> None:
        chosen = [i.uuid for i in self.selected() if i.may_restore]
        if not chosen:
            return

        def work(job: Any) -> list[Any]:
            with job.ws.store.transaction():  # all of the selection or none
                return [trash_service.restore(job.ws, u) for u in chosen]

        def done(records: list[Any]) -> None:
            self.status.setText(tr("已恢复 %1 条").replace("%1", str(len(records))))

        self.worker.run(work, done, progress=False, parent=self)

    def refresh(self) -> None:
        self.reload()

    def apply_changes(self, changes: Any) -> None:
        """The window's tab protocol: a delete or a restore anywhere (a restore is an update)."""
        if changes.deleted or changes.updated:
            self.reload()
