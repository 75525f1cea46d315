"""The banner saying the platform published new forms, and the dialog where the chief installs them.

After a sync brought a verified set (`services.form_sets.note_hello` keeps it pending), the main
window shows "平台发布了新的表单（第 N 版）" under the toolbar with a button that opens
`FormSetDialog`: every change the set makes (new modules, new and removed fields with the
migration each needs, merge policy changes) and, for whom the permission table allows
`install_forms` (the chief), 接受并安装. Others see the list and are told to call the chief, so
an officer knows why the chief will want the laptop. Installing runs as a long task with a
progress dialog; the window is then rebuilt on the new forms (`MainWindow.forms_installed`).

Threading: GUI thread; the store is reached only through the worker.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.errors import UserFacingError
from fieldkit.services import form_sets
from fieldkit.ui.errors import show_error
from fieldkit.ui.notice_bar import NoticeBar, add_under_toolbar
from fieldkit.ui.state import SessionInfo


def tr(text: str) -> str:
    return QCoreApplication.translate("FormSetBanner", text)


class FormSetDialog(QDialog):
    """What installing the pending set changes; accept only for whom may `install_forms`."""

    def __init__(self, parent: QWidget, pending: form_sets.PendingSet, lang: str, may_install: bool) -> None:
        super().__init__(parent)
        self.setObjectName("formSetDialog")
        self.setWindowTitle(tr("平台发布的新表单"))
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        now = tr("程序自带的表单") if pending.installed_version == 0 else tr("第 %1 版").replace(
            "%1", str(pending.installed_version))
        head = QLabel(tr("县局（%1）签发的表单第 %2 版，本机现在用的是%3。安装后会有这些变化：")
                      .replace("%1", pending.signer).replace("%2", str(pending.version)).replace("%3", now))
        head.setWordWrap(True)
        layout.addWidget(head)
        self.changes = QListWidget()
        self.changes.setObjectName("formSetChanges")
        lines = pending.lines(lang) or [tr("（只有文字说明的改动，数据不受影响）")]
        self.changes.addItems(lines)
        layout.addWidget(self.changes, 1)
        if pending.touches_data:
            warn = QLabel(tr("其中有改动涉及已录入的数据（每条后面写明了需要的迁移）：安装前请先做好备份。"))
            warn.setObjectName("formSetTouchesData")
            warn.setWordWrap(True)
            layout.addWidget(warn)
        if not may_install:
            who = QLabel(tr("只有所长可以安装新表单，请联系所长。"))
            who.setObjectName("formSetNotChief")
            layout.addWidget(who)
        self.buttons = QDialogButtonBox()
        self.accept_button = self.buttons.addButton(tr("接受并安装"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.accept_button.setObjectName("formSetAccept")
        self.accept_button.setVisible(may_install)
        later = self.buttons.addButton(tr("以后再说") if may_install else tr("关闭"),
                                       QDialogButtonBox.ButtonRole.RejectRole)
        later.setObjectName("formSetLater")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)


class FormSetBanner(NoticeBar):
    """Hidden unless a verified set is pending."""

    def __init__(self, window: Any) -> None:
        super().__init__(window, tr("新表单"), "formSet", "background: #FFF4CE; color: #5C3C00;", tr("查看变化…"),
                         "formSetReview", self.open_dialog)
        self.review = self.button
        self.pending: form_sets.PendingSet | None = None

    def check(self) -> None:
        self.window_.worker.run(lambda job: form_sets.pending(job.ws), self._show, self._failed, progress=False,
                                key="form_set", owner=self.label)

    def _failed(self, exc: BaseException) -> None:
        # Checked after every sync round: a waiting set this program cannot open (it was
        # downgraded since) is said in the banner, not in a message box every few minutes.
        if not isinstance(exc, UserFacingError):
            show_error(self.window_, exc)
            return
        self.pending = None
        self.say(exc.localized(getattr(self.window_, "lang", "zh")), button=False)

    def _show(self, pending: form_sets.PendingSet | None) -> None:
        self.pending = pending
        text = ""
        if pending is not None:
            text = tr("平台发布了新的表单（第 %1 版）").replace("%1", str(pending.version))
            if not self.window_.info.may("install_forms"):
                text += tr("：请所长查看并安装")
        self.say(text)

    def open_dialog(self) -> FormSetDialog | None:
        if self.pending is None:
            return None
        pending = self.pending
        dialog = FormSetDialog(self.window_, pending, getattr(self.window_, "lang", "zh"),
                               self.window_.info.may("install_forms"))
        dialog.accepted.connect(lambda: self._install(pending.sha256))
        dialog.open()
        return dialog

    def _install(self, sha256: str) -> None:
        def run(job: Any) -> SessionInfo:
            # sha256: the set the chief was shown; a newer one fetched meanwhile is refused.
            # The migrations the set declares run inside, with progress; not cancellable: stopped
            # midway, the records would stand half on either form until the next unlock.
            form_sets.accept(job.ws, sha256=sha256, progress=job.progress)
            return SessionInfo.from_workspace(job.ws)

        def done(info: SessionInfo) -> None:
            self.hide()
            self.window_.forms_installed.emit(info)

        self.window_.worker.run(run, done, label=tr("正在安装新表单…"), cancellable=False, parent=self.window_)


def install(window: Any) -> FormSetBanner:
    """Add the banner under `window`'s toolbar; check now and after every sync round."""
    banner = FormSetBanner(window)
    add_under_toolbar(window, banner)
    sync_hooks = getattr(window, "sync", None)
    if sync_hooks is not None:
        sync_hooks.controller.synced.connect(lambda _result: banner.check())
    banner.check()
    return banner
