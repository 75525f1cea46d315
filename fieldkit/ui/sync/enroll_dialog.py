"""Enroll this laptop with the central platform: paste (or scan into) the chief's QR text, or
type the server address and the one-time code.

The QR payload pins the server's certificate, so it is the way offered first; a bare URL
works for a plain-HTTP platform on the station's own network. The request runs on the UI
worker; the dialog stays responsive and says in words what went wrong.

Threading: GUI thread; `sync_service.enroll` runs on the database thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services import sync_service
from fieldkit.ui.errors import message_for
from fieldkit.ui.worker import Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("Enroll", text)


class EnrollDialog(QDialog):
    """`enrolled(SyncStatus)` once the server accepted the code; then the dialog closes."""

    enrolled = Signal(object)

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrollDialog")
        self.setWindowTitle(tr("登记到同步服务器"))
        self.worker = worker
        intro = QLabel(tr("请把所长给的登记二维码内容粘贴到下面（用扫码枪扫入也可以）；"
                          "或者填写服务器地址和一次性登记码。"))
        intro.setWordWrap(True)
        self.target = QPlainTextEdit()
        self.target.setObjectName("enrollTarget")
        self.target.setPlaceholderText('{"fieldkit":1,"url":"https://…","code":"…","fp":"…"}  或  https://…')
        self.target.setFixedHeight(80)
        self.code = QLineEdit()
        self.code.setObjectName("enrollCode")
        self.code.setPlaceholderText(tr("二维码里已含登记码时可不填"))
        form = QFormLayout()
        form.addRow(tr("二维码内容或服务器地址"), self.target)
        form.addRow(tr("登记码"), self.code)
        self.message = QLabel()
        self.message.setObjectName("enrollMessage")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("登记"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

    def submit(self) -> None:
        target = self.target.toPlainText().strip()
        code = self.code.text().strip() or None
        if not target:
            self.message.setText(tr("请先填写二维码内容或服务器地址"))
            return
        self.buttons.setEnabled(False)
        self.message.setText(tr("正在连接服务器…"))
        self.worker.run(lambda job: sync_service.enroll(job.ws, target, code), self._done, self._failed,
                        progress=False, owner=self)

    def _done(self, status: Any) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(tr("已登记：%1").replace("%1", status.device_name or status.server or ""))
        self.enrolled.emit(status)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(message_for(exc))
        if not hasattr(exc, "message"):  # a bug, not a user error: show the details dialog too
            from fieldkit.ui.errors import show_error

            show_error(self, exc)
