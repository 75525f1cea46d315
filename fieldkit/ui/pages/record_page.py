"""Record pages: any record's fields and change history; person and address hubs.

A page is a tab. It loads its view data (pages/data.py) on the database thread and builds its
sections when the data arrives; `apply_changes(changes)` reloads it after a change anywhere.

Threading: GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.masking import mask_id_numbers
from fieldkit.ui import record_print, words
from fieldkit.ui.pages import data as page_data
from fieldkit.ui.resources import icon
from fieldkit.ui.state import SessionInfo
from fieldkit.ui.worker import Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("RecordPage", text)


def op_label(op: str) -> str:
    return {"create": tr("新建"), "update": tr("修改"), "delete": tr("删除"), "restore": tr("恢复"),
            "upgrade": tr("表单升级")}.get(op, op)


class LinkTable(QTableWidget):
    """Records related to this one; Enter or double-click opens them."""

    activated_link = Signal(str, str)

    def __init__(self, links: tuple[page_data.Link, ...], module_label: Any, *, show_module: bool = False) -> None:
        columns = [tr("类别")] if show_module else []
        columns += [tr("记录"), tr("日期")]
        super().__init__(len(links), len(columns))
        self.setHorizontalHeaderLabels(columns)
        self.links = links
        for row, ln in enumerate(links):
            cells = ([module_label(ln.module)] if show_module else []) + [ln.title, ln.date]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.setItem(row, col, item)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.resizeRowsToContents()
        rows = sum(self.rowHeight(r) for r in range(min(len(links), 6)))
        self.setFixedHeight(self.horizontalHeader().sizeHint().height() + rows + 2 * self.frameWidth() + 2)
        self.cellActivated.connect(self._open)
        self.cellDoubleClicked.connect(self._open)

    def _open(self, row: int, _col: int) -> None:
        ln = self.links[row]
        self.activated_link.emit(ln.uuid, ln.module)


class HistoryTable(QTableWidget):
    """Who changed what, when: old → new, newest first."""

    def __init__(self, rows: tuple[page_data.HistoryRow, ...]) -> None:
        super().__init__(len(rows), 5)
        self.setObjectName("historyTable")
        self.setHorizontalHeaderLabels([tr("时间"), tr("操作人"), tr("操作"), tr("项目"), tr("原值 → 新值")])
        for row, h in enumerate(rows):
            change = "" if h.op not in ("update", "upgrade") else f"{h.old or tr('（空）')} → {h.new or tr('（空）')}"
            if h.op == "delete" and h.new:  # the reason asked when it was deleted
                change = words.labelled(tr("删除原因"), h.new)
            for col, text in enumerate((h.at, h.by, op_label(h.op), h.field, change)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setToolTip(text)
                self.setItem(row, col, item)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.resizeRowsToContents()
        shown = sum(self.rowHeight(r) for r in range(min(len(rows), 8)))
        self.setMinimumHeight(self.horizontalHeader().sizeHint().height() + max(shown, 28) + 2 * self.frameWidth() + 2)

    def texts(self) -> list[list[str]]:
        return [[self.item(r, c).text() for c in range(self.columnCount())] for r in range(self.rowCount())]


class RecordPage(QScrollArea):
    """Any record: title, actions, its fields, its history. Subclasses add hub sections."""

    open_requested = Signal(str, str)
    edit_requested = Signal(str, str)
    new_requested = Signal(str, object)  # module id, initial values
    title_changed = Signal(str)
    loaded = Signal()

    def __init__(self, worker: Worker, info: SessionInfo, uuid: str, module_id: str, lang: str) -> None:
        super().__init__()
        self.setObjectName("recordPage")
        self.worker = worker
        self.info = info
        self.uuid = uuid
        self.module_id = module_id
        self.lang = lang
        self.view: Any = None
        self.deleted = False  # deleted from this page: nothing left to reload
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        QShortcut(QKeySequence("Ctrl+E"), self, activated=self._edit, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._placeholder()
        self.reload()

    def _placeholder(self) -> None:
        waiting = QLabel(tr("正在读取…"))
        waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWidget(waiting)

    # -- loading ----------------------------------------------------------------------------
    def load(self, ws: Any) -> Any:
        """Database thread: the view data for this page."""
        return page_data.load_record(ws, self.uuid, self.lang)

    def reload(self) -> None:
        if self.deleted:
            return
        self.worker.run(lambda job: self.load(job.ws), self._show, progress=False, parent=self)

    def apply_changes(self, changes: Any) -> None:
        """Reload when this record changed, or — for a person's or an address's page, which
        lists what points at them — when anything did. A page whose record was deleted comes
        back when the record is restored (from the trash, or by sync)."""
        if self.deleted and self.uuid in changes.updated:
            self.deleted = False
        if changes.touches(uuid=self.uuid) or (self.view is not None and changes):
            self.reload()

    def refresh(self) -> None:
        self.reload()

    def module_label(self, module_id: str) -> str:
        try:
            return self.info.module(module_id).label.get(self.lang)
        except KeyError:
            return module_id

    def _show(self, view: Any) -> None:
        self.view = view
        record: page_data.RecordView = getattr(view, "record", view)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 12, 16, 12)
        head = QHBoxLayout()
        # The heading is read from across the table: the ID number in it is masked; the full
        # number is in the fields below and on hover.
        title = QLabel(mask_id_numbers(record.title))
        title.setObjectName("pageTitle")
        title.setToolTip(record.title)
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        kind = QLabel(self.module_label(record.module))
        kind.setObjectName("pageKind")
        head.addWidget(title)
        head.addWidget(kind)
        head.addStretch(1)
        for button in self._step_buttons(record) + self.actions_for(view):
            head.addWidget(button)
        if not record.no_form:
            printing = record_print.print_button(self, self.worker, self.info, self.uuid, record.module, self.lang)
            if printing is not None:
                head.addWidget(printing)
        # Only what forms/permissions.toml lets this role do is offered (the door refuses the rest).
        if not record.no_form and self.info.may("edit", record.module):
            edit = QPushButton(icon("edit"), tr("编辑（Ctrl+E）"))
            edit.setObjectName("editButton")
            edit.clicked.connect(self._edit)
            head.addWidget(edit)
        if not record.no_form and self.info.may("delete", record.module):
            delete = QPushButton(tr("删除…"))
            delete.setObjectName("deleteButton")
            delete.clicked.connect(self._delete)
            head.addWidget(delete)
        layout.addLayout(head)
        if record.no_form:
            note = QLabel(tr("这类记录没有表单定义，按原始数据显示，不能编辑。"))
            note.setObjectName("noFormNote")
            layout.addWidget(note)
        meta = QLabel(tr("登记于 %1，最后修改 %2").replace("%1", record.created).replace("%2", record.updated))
        meta.setObjectName("hintText")
        layout.addWidget(meta)
        # Two columns on a wide screen: the record itself (fields, history) on the left, what
        # points at it (household, visits, vehicles…) on the right, both visible without scrolling.
        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self._fields(record))
        if record.retired:
            left.addWidget(self._fields(record, tr("已停用字段"), record.retired))
        history = QGroupBox(tr("修改记录"))
        hl = QVBoxLayout(history)
        self.history = HistoryTable(record.history)
        hl.addWidget(self.history)
        left.addWidget(history)
        left.addStretch(1)
        columns.addLayout(left, 3)
        sections = self.sections(view)
        if sections:
            right = QVBoxLayout()
            for section in sections:
                right.addWidget(section)
            right.addStretch(1)
            columns.addLayout(right, 2)
        layout.addLayout(columns)
        layout.addStretch(1)
        self.setWidget(body)
        self.title_changed.emit(mask_id_numbers(record.title))
        self.loaded.emit()

    def _fields(self, record: page_data.RecordView, title: str = "",
                pairs: tuple[tuple[str, str], ...] | None = None) -> QWidget:
        """The record's fields; or, with `pairs`, the values a form upgrade retired (read-only:
        no form field holds them any more, but they are never hidden)."""
        box = QGroupBox(title or tr("基本信息"))
        if pairs is not None:
            box.setObjectName("retiredFields")
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(14)
        for i, (label, value) in enumerate(record.fields if pairs is None else pairs):
            row, col = divmod(i, 2)
            col *= 2
            name = QLabel(words.labelled(label))
            name.setObjectName("fieldName")
            name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            text = QLabel(value)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(name, row, col)
            grid.addWidget(text, row, col + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        return box

    def links_box(self, title: str, links: tuple[page_data.Link, ...], *, show_module: bool = False,
                  empty: str = "") -> QGroupBox:
        box = QGroupBox(words.counted(title, len(links)))
        layout = QVBoxLayout(box)
        if links:
            table = LinkTable(links, self.module_label, show_module=show_module)
            table.activated_link.connect(self.open_requested)
            layout.addWidget(table)
        else:
            none = QLabel(empty or tr("无"))
            none.setObjectName("hintText")
            layout.addWidget(none)
        return box

    def actions_for(self, view: Any) -> list[QPushButton]:
        return []

    def _step_buttons(self, record: page_data.RecordView) -> list[QPushButton]:
        """One button per workflow step this user may take now (the form file's `[workflow]`)."""
        buttons = []
        for name, label in record.steps:
            b = QPushButton(label)
            b.setObjectName(f"step_{name}")
            b.clicked.connect(lambda _c=False, n=name: self._take_step(n))
            buttons.append(b)
        return buttons

    def _take_step(self, name: str) -> None:
        from fieldkit.ui.forms.step_dialog import take_step

        self.step_dialog = take_step(self.worker, self.info, self.info.module(self.module_id), self.uuid, name,
                                     self.lang, self)

    def sections(self, view: Any) -> list[QWidget]:
        return []

    def _delete(self) -> None:
        """Ask why (and confirm when records point here), then delete: a tombstone the trash
        can restore, its history kept."""
        from fieldkit.ui.delete_dialog import ask_and_delete

        def done(_result: Any) -> None:
            self.deleted = True
            gone = QLabel(tr("这条记录已删除，可以在回收站恢复。"))
            gone.setObjectName("deletedNote")
            gone.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setWidget(gone)

        ask_and_delete(self.worker, [self.uuid], self.lang, self, done)

    def _edit(self) -> None:
        if not self.info.may("edit", self.module_id):
            return
        if self.view is not None and getattr(getattr(self.view, "record", self.view), "no_form", False):
            return  # a record without a form is shown raw, never edited
        self.edit_requested.emit(self.uuid, self.module_id)

    def history_texts(self) -> list[list[str]]:
        return self.history.texts() if self.view is not None else []
