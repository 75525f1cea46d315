"""Deleting from the app: the reason asked (required), who still points at a person or address.

`ask_and_delete(worker, uuids, lang, parent, on_done)` first asks the database thread which
records point at the ones being deleted, then shows `DeleteDialog` (the reason; the list of
pointing records when there are any, which the officer confirms by deleting anyway), then
deletes through services.trash (the door). The record page and the module lists both use it.

Threading: GUI thread; the store calls are worker jobs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services import trash as trash_service
from fieldkit.ui import words
from fieldkit.ui.worker import Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("DeleteDialog", text)


class DeleteDialog(QDialog):
    """Asks why; 删除 stays disabled until a reason is typed. `pointers`: services.trash.Pointers."""

    def __init__(self, count: int, pointers: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deleteDialog")
        self.setWindowTitle(tr("删除记录"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        question = QLabel(tr("确定删除这条记录吗？删除后可以在回收站恢复，修改记录保留。") if count == 1 else
                          tr("确定删除选中的 %1 条记录吗？删除后可以在回收站恢复，修改记录保留。").replace("%1", str(count)))
        question.setWordWrap(True)
        layout.addWidget(question)
        self.pointers_list: QListWidget | None = None
        if pointers:
            # The records keep pointing at the deleted one (shown as "已删除"): the officer decides.
            summary = QLabel(pointers.summary)
            summary.setObjectName("pointersSummary")
            summary.setWordWrap(True)
            summary.setStyleSheet("color: #B22222; font-weight: bold;")
            layout.addWidget(summary)
            self.pointers_list = QListWidget()
            self.pointers_list.setObjectName("pointersList")
            self.pointers_list.addItems(list(pointers.lines))
            self.pointers_list.setMaximumHeight(140)
            layout.addWidget(self.pointers_list)
        layout.addWidget(QLabel(words.labelled(tr("删除原因（必填）"))))
        self.reason = QLineEdit()
        self.reason.setObjectName("deleteReason")
        self.reason.setMaxLength(trash_service.REASON_MAX)
        self.reason.setPlaceholderText(tr("如：重复登记、录入错误、已迁出并注销"))
        layout.addWidget(self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton(tr("仍然删除") if pointers else tr("删除"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("confirmDelete")
        self.ok.setEnabled(False)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reason.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))

    def reason_text(self) -> str:
        return self.reason.text().strip()


def ask_and_delete(worker: Worker, uuids: Sequence[str], lang: str, parent: QWidget,
                   on_done: Callable[[list[Any]], None]) -> None:
    """Ask (with the pointing records), then delete `uuids` with the reason; `on_done(records)`."""
    wanted = list(uuids)
    if not wanted:
        return

    def ask(pointers: Any) -> None:
        dialog = DeleteDialog(len(wanted), pointers, parent)
        parent.delete_dialog = dialog  # type: ignore[attr-defined]  # tests reach the open dialog
        dialog.accepted.connect(lambda: worker.run(
            lambda job: trash_service.delete(job.ws, wanted, dialog.reason_text()), on_done,
            progress=False, parent=parent))
        dialog.open()

    worker.run(lambda job: trash_service.pointing_at(job.ws, wanted, lang), ask, progress=False, parent=parent)
