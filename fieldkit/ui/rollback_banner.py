"""The red banner shown while the store is held read-only because the unlock found the database
older than its audit anchor (or its log cut short), and the chief's dialog to decide.

The banner says what was found, with the numbers (anchored entry vs the newest found). For the
chief it has a button that opens `DecideDialog`: accept the database as found with a reason
(audited as "accept_rollback"), or restore a backup (the dialog says how: restoring over a store
needs the chief's passphrase and lists what the backup lacks first). Other roles see the banner
only and are told to call the chief.

Threading: GUI thread; the store is reached only through the worker.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services import backup as backup_service
from fieldkit.ui.notice_bar import NoticeBar, add_under_toolbar


def tr(text: str) -> str:
    return QCoreApplication.translate("RollbackBanner", text)


class DecideDialog(QDialog):
    """The chief's choice: a reason to accept (at least 4 characters), or restore a backup."""

    def __init__(self, parent: QWidget, message: str) -> None:
        super().__init__(parent)
        self.setObjectName("rollbackDialog")
        self.setWindowTitle(tr("数据库被换成了旧版本或日志被截断"))
        layout = QVBoxLayout(self)
        text = QLabel(message + "\n\n" + tr(
            "如果是有意放回的旧拷贝（例如更换了硬盘），请写明原因后确认接受：原因会记入审计日志，"
            "之后恢复正常读写。\n否则请恢复备份：fieldkit restore 备份文件 --force（需要所长口令，"
            "会先列出备份中缺少的较新记录）。"))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.reason = QLineEdit()
        self.reason.setObjectName("rollbackReason")
        self.reason.setPlaceholderText(tr("接受的原因（记入审计日志）"))
        layout.addWidget(self.reason)
        self.buttons = QDialogButtonBox()
        self.accept_button = self.buttons.addButton(tr("确认接受"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.accept_button.setObjectName("rollbackAccept")
        self.buttons.addButton(tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.accept_button.setEnabled(False)
        self.reason.textChanged.connect(lambda t: self.accept_button.setEnabled(len(t.strip()) >= 4))


class RollbackBanner(NoticeBar):
    """Hidden unless the store is held."""

    def __init__(self, window: Any) -> None:
        super().__init__(window, tr("警告"), "rollback", "color: white; background: #B22222;", tr("处理…"),
                         "rollbackDecide", self.open_dialog)
        self.decide = self.button
        self.message = ""

    def check(self) -> None:
        self.window_.worker.run(lambda job: backup_service.rollback_notice(job.ws), self._show, progress=False,
                                key="rollback", owner=self.label)

    def _show(self, notice: tuple[str, str] | None) -> None:
        lang = getattr(self.window_, "lang", "zh")
        self.message = "" if notice is None else (notice[1] if lang == "en" else notice[0])
        decides = self.window_.info.may("restore")  # forms/permissions.toml; others are told whom to call
        self.say(self.message if decides or not self.message else self.message + tr("（请联系所长处理）"),
                 button=decides)

    def open_dialog(self) -> DecideDialog:
        dialog = DecideDialog(self.window_, self.message)
        dialog.accepted.connect(lambda: self._accept(dialog.reason.text()))
        dialog.open()
        return dialog

    def _accept(self, reason: str) -> None:
        def done(_: object) -> None:
            self.check()
            self.window_.check_storage()

        self.window_.worker.run(lambda job: backup_service.accept_rollback(job.ws, reason), done, progress=False)


def install(window: Any) -> RollbackBanner:
    """Add the banner under `window`'s toolbar and check the store once now."""
    banner = RollbackBanner(window)
    add_under_toolbar(window, banner)
    banner.check()
    return banner
