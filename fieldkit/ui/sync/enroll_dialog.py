"""Enroll this laptop with the central platform: paste (or scan into) the chief's QR text, or
type the server address and the one-time code.

The QR payload pins the server's certificate, so it is the way offered first; a typed
https:// address needs the certificate fingerprint too (`fieldkit-server fingerprint`). Only
the chief may enroll; plain HTTP and a missing pin are refused (sync_service.enroll). Enrolling
a laptop already enrolled elsewhere asks the chief to confirm in a dialog showing the old and
the new server with their fingerprints. The request runs on the UI worker; the dialog stays
responsive and says in words what went wrong.

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
    QMessageBox,
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
        self.fingerprint = QLineEdit()
        self.fingerprint.setObjectName("enrollFingerprint")
        self.fingerprint.setPlaceholderText(tr("二维码里已含证书指纹时可不填"))
        form = QFormLayout()
        form.addRow(tr("二维码内容或服务器地址"), self.target)
        form.addRow(tr("登记码"), self.code)
        form.addRow(tr("服务器证书指纹"), self.fingerprint)
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
        self.confirm_box: QMessageBox | None = None

    def submit(self, *, replace: bool = False) -> None:
        target = self.target.toPlainText().strip()
        code = self.code.text().strip() or None
        fp = self.fingerprint.text().strip() or None
        if not target:
            self.message.setText(tr("请先填写二维码内容或服务器地址"))
            return
        self.buttons.setEnabled(False)
        self.message.setText(tr("正在连接服务器…"))
        self.worker.run(lambda job: sync_service.enroll(job.ws, target, code, fingerprint=fp, replace=replace),
                        self._done, self._failed, progress=False, owner=self)

    def _confirm_replace(self, exc: sync_service.ReplaceNeeded) -> QMessageBox:
        """Both servers and fingerprints, for the chief to compare before replacing (non-modal)."""
        text = (tr("本机已登记到另一个服务器。请核对证书指纹后再确认改登记：") + "\n\n"
                + tr("原服务器：%1").replace("%1", exc.old_server) + "\n"
                + tr("证书指纹：%1").replace("%1", exc.old_fp or "—") + "\n\n"
                + tr("新服务器：%1").replace("%1", exc.new_server) + "\n"
                + tr("证书指纹：%1").replace("%1", exc.new_fp or "—"))
        box = QMessageBox(QMessageBox.Icon.Warning, tr("改登记到新服务器"), text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("enrollReplaceBox")
        box.button(QMessageBox.StandardButton.Yes).setText(tr("确认改登记"))
        box.button(QMessageBox.StandardButton.Cancel).setText(tr("取消"))
        box.buttonClicked.connect(lambda b: self.submit(replace=True)
                                  if box.standardButton(b) == QMessageBox.StandardButton.Yes else None)
        self.confirm_box = box
        box.open()
        return box

    def _done(self, status: Any) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(tr("已登记：%1").replace("%1", status.device_name or status.server or ""))
        self.enrolled.emit(status)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(message_for(exc))
        if isinstance(exc, sync_service.ReplaceNeeded):
            self._confirm_replace(exc)
            return
        if not hasattr(exc, "message"):  # a bug, not a user error: show the details dialog too
            from fieldkit.ui.errors import show_error

            show_error(self, exc)
