"""Pickers for a person, an address or a village: search, pick, or create in place.

The picker line edit shows the chosen record's title; typing into it opens the search dialog
with what was typed (keyboard-first: "张伟" ⏎ ⏎ picks the first 张伟). "新建" in the dialog opens
the person/address form on top; the new record is picked as soon as it is saved, so the
officer never leaves the form they were filling in.

Threading: GUI thread only; searches and title look-ups run on the database thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services import records as rec_service
from fieldkit.services import search as search_service
from fieldkit.ui.forms.editors import Editor
from fieldkit.ui.resources import icon
from fieldkit.ui.worker import Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("Pickers", text)


class PickerDialog(QDialog):
    """Search one module (residents/addresses) and pick a record; or create a new one."""

    create_requested = Signal(str, str)  # module id, the text typed (used to prefill the name)

    def __init__(self, worker: Worker, module: Any, lang: str, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pickerDialog")
        self.worker = worker
        self.module, self.lang = module, lang
        self.chosen: tuple[str, str] | None = None  # (uuid, title)
        self.setWindowTitle(tr("选择：") + module.label.get(lang))
        self.resize(560, 420)
        layout = QVBoxLayout(self)
        self.search = QLineEdit(text)
        self.search.setObjectName("pickerSearch")
        self.search.setPlaceholderText(tr("输入姓名、身份证号、拼音首字母或门牌编码"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.results = QListWidget()
        self.results.setObjectName("pickerResults")
        layout.addWidget(self.results, 1)
        self.status = QLabel()
        layout.addWidget(self.status)
        buttons = QDialogButtonBox()
        self.create_button = QPushButton(icon("add"), tr("新建%1").replace("%1", module.label.get(lang)))
        self.create_button.setObjectName("pickerCreate")
        self.create_button.setAutoDefault(False)
        buttons.addButton(self.create_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.ok = buttons.addButton(QDialogButtonBox.StandardButton.Ok)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept_current)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.create_button.clicked.connect(lambda: self.create_requested.emit(self.module.id, self.search.text().strip()))
        self.results.itemActivated.connect(lambda _item: self._accept_current())
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self._search)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._enter)
        self.search.installEventFilter(self)
        self.searched_text: str | None = None
        if text:
            self._search()

    def eventFilter(self, obj: Any, event: Any) -> bool:
        # Down arrow from the search box walks into the results, as in any launcher.
        if (obj is self.search and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Down and self.results.count()):
            self.results.setFocus()
            self.results.setCurrentRow(max(0, self.results.currentRow()))
            return True
        return False

    def _search(self) -> None:
        self._debounce.stop()
        text = self.search.text().strip()
        if not text:
            self.results.clear()
            self.status.setText("")
            return
        module_id = self.module.id

        def work(job):
            hits = search_service.search(job.ws, text, modules=[module_id], limit=50)
            return text, [(h.record.uuid, rec_service.title(job.ws, h.record, self.lang)) for h in hits]

        self.worker.run(work, self._show, progress=False, key="picker", owner=self)

    def _show(self, result: tuple[str, list[tuple[str, str]]]) -> None:
        text, hits = result
        self.searched_text = text
        self.results.clear()
        for uuid, title in hits:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, uuid)
            self.results.addItem(item)
        if hits:
            self.results.setCurrentRow(0)
            self.status.setText(tr("找到 %1 条；↓ 选择，回车确定").replace("%1", str(len(hits))))
        else:
            self.status.setText(tr("没有找到。可以点“新建”当场登记。"))

    def _enter(self) -> None:
        if self._debounce.isActive() or self.searched_text != self.search.text().strip():
            self._search()
            return
        self._accept_current()

    def _accept_current(self) -> None:
        item = self.results.currentItem()
        if item is None:
            return
        self.chosen = (item.data(Qt.ItemDataRole.UserRole), item.text())
        self.accept()

    def pick(self, uuid: str, title: str) -> None:
        """A record created from this dialog: take it and close."""
        self.chosen = (uuid, title)
        self.accept()


class _PickerLine(QLineEdit):
    typed = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.text() and event.text().isprintable() and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.typed.emit(event.text())
            return
        if event.key() in (Qt.Key.Key_F4, Qt.Key.Key_Space):
            self.typed.emit("")
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.typed.emit("\b")
            return
        super().keyPressEvent(event)

    def inputMethodEvent(self, event: Any) -> None:
        # A pinyin IME commits Chinese through input-method events, not key presses.
        if event.commitString():
            self.typed.emit(event.commitString())
            return
        super().inputMethodEvent(event)


class RefEditor(Editor):
    """Person or address reference: shows the title; F4/typing opens the picker."""

    create_requested = Signal(object, str, str)  # (PickerDialog, module id, typed text)

    def __init__(self, field: Any, lang: str, worker: Worker, module: Any | None) -> None:
        super().__init__(field, lang)
        self.worker = worker
        self.module = module
        self._uuid: str | None = None
        self.line = _PickerLine()
        self.line.setObjectName(f"input_{field.name}")
        self.line.setReadOnly(False)
        self.line.setPlaceholderText(tr("输入姓名或编码查找（F4）"))
        self.line.typed.connect(self._typed)
        self.line.setMinimumWidth(260)
        self.button = QToolButton()
        self.button.setIcon(icon("search"))
        self.button.setToolTip(tr("查找或新建（F4）"))
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(lambda: self.open_picker(""))
        self.open_button = QToolButton()
        self.open_button.setIcon(icon("record"))
        self.open_button.setToolTip(tr("打开这条记录"))
        self.open_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.open_button.setEnabled(False)
        self._layout.addWidget(self.line, 1)
        self._layout.addWidget(self.button)
        self._layout.addWidget(self.open_button)
        if module is None:
            self.line.setEnabled(False)
            self.line.setPlaceholderText(tr("当前角色看不到被引用的模块"))
        self.dialog: PickerDialog | None = None

    def _typed(self, text: str) -> None:
        if text == "\b":
            self.set_value(None)
            self.changed.emit()
            return
        self.open_picker(text)

    def open_picker(self, text: str) -> PickerDialog | None:
        if self.module is None:
            return None
        dialog = PickerDialog(self.worker, self.module, self.lang, text, self)
        dialog.create_requested.connect(lambda module_id, typed: self.create_requested.emit(dialog, module_id, typed))
        dialog.finished.connect(lambda _r: self._picked(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _picked(self, dialog: PickerDialog) -> None:
        if dialog.chosen:
            uuid, title = dialog.chosen
            self._uuid = uuid
            self.line.setText(title)
            self.open_button.setEnabled(True)
            self.changed.emit()
        self.dialog = None
        self.line.setFocus()

    def value(self) -> Any:
        return self._uuid

    def set_value(self, value: Any) -> None:
        self._uuid = value or None
        self.open_button.setEnabled(bool(self._uuid))
        if not self._uuid:
            self.line.clear()
            return
        self.line.setText(tr("正在读取…"))
        uuid = self._uuid

        def work(job):
            return rec_service.title(job.ws, rec_service.get(job.ws, uuid, audit=False), self.lang)

        def done(title: str) -> None:
            if self._uuid == uuid:
                self.line.setText(title)

        self.worker.run(work, done, lambda _e: self.line.setText(tr("（记录已删除）")), progress=False, owner=self)

    def focus_widget(self) -> QWidget:
        return self.line


class VillageEditor(Editor):
    """Village code chosen by name from the villages module (loaded once per form)."""

    def __init__(self, field: Any, lang: str, worker: Worker) -> None:
        super().__init__(field, lang)
        self.combo = QComboBox()
        self.combo.setObjectName(f"input_{field.name}")
        self.combo.addItem(tr("（请选择）"), None)
        self.combo.setMinimumWidth(200)
        self._layout.addWidget(self.combo)
        self._layout.addStretch(1)
        self._pending: Any = None
        self.loaded = False
        self.combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        from fieldkit.ui.module_view import village_options

        worker.run(lambda job: village_options(job.ws), self._fill, progress=False, owner=self)

    def _fill(self, options: list[tuple[str, str]]) -> None:
        self.combo.blockSignals(True)
        for code, name in options:
            self.combo.addItem(f"{name}", code)
        self.combo.blockSignals(False)
        self.loaded = True
        if self._pending is not None:
            self.set_value(self._pending)

    def value(self) -> Any:
        if not self.loaded and self._pending is not None:
            return self._pending
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        if not self.loaded:
            self._pending = value
            return
        i = self.combo.findData(value)
        if i < 0 and value:
            self.combo.addItem(str(value), value)  # a code not (yet) in the villages module
            i = self.combo.count() - 1
        self.combo.setCurrentIndex(max(0, i))

    def focus_widget(self) -> QWidget:
        return self.combo

