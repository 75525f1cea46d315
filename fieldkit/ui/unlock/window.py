"""The unlock window: create the store on first run, or unlock it; then hand over a session.

Every service call (create, unlock, recover, demo) runs on the database thread through the
`Worker`; the passphrase crosses to that thread inside the job's closure and the line edit is
cleared as soon as the attempt finishes, so it does not linger in a widget.

Threading: GUI thread only. Emits `unlocked(SessionInfo)` once the worker holds a workspace.
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from fieldkit.domain.errors import AuthError, UserFacingError
from fieldkit.services import workspace as ws_service
from fieldkit.ui.errors import message_for, show_error
from fieldkit.ui.resources import icon
from fieldkit.ui.state import SessionInfo
from fieldkit.ui.unlock.pages import (
    CreatePage,
    DemoPage,
    LoginPage,
    RecoverPage,
    RecoveryCodePage,
    show_message,
)
from fieldkit.ui.worker import Worker

log = logging.getLogger(__name__)
DEMO_PEOPLE = 2000


def tr(text: str) -> str:
    return QCoreApplication.translate("Unlock", text)


def lock_reason_text(reason: str, idle_minutes: int) -> str:
    """What the unlock screen says about the last lock ("" on a fresh start)."""
    if reason == "idle":
        return tr("因 %1 分钟无操作已自动锁定").replace("%1", str(idle_minutes))
    if reason == "manual":
        return tr("已手动锁定（Ctrl+L）")
    if reason == "restoring":
        return tr("正在恢复备份，完成后程序会重新启动…")
    if reason == "restored":
        return tr("已恢复备份，程序已重新启动：请用备份时的口令登录")
    if reason == "restore_failed":
        return tr("恢复备份没有完成，数据库未改动：请重新登录")
    return ""


class UnlockWindow(QWidget):
    unlocked = Signal(object)  # SessionInfo
    language_requested = Signal(str)

    def __init__(self, worker: Worker, home: Path, *, last_user: str = "", language: str = "zh",
                 lock_reason: str = "", idle_minutes: int = 10) -> None:
        super().__init__()
        self.setObjectName("unlockWindow")
        self.worker = worker
        self.home = Path(home)
        self.session: SessionInfo | None = None
        self.setWindowTitle(tr("解锁"))  # Qt appends the application's display name
        self.setWindowIcon(icon("app"))
        self.resize(560, 460)

        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        brand = QLabel(tr("FieldKit 警务工作包"))
        brand.setObjectName("brand")
        top.addWidget(brand)
        top.addStretch(1)
        self.language = QComboBox()
        self.language.setObjectName("unlockLanguage")
        self.language.addItem("中文", "zh")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(0 if language == "zh" else 1)
        self.language.currentIndexChanged.connect(lambda _i: self.language_requested.emit(self.language.currentData()))
        top.addWidget(self.language)
        outer.addLayout(top)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)

        users = ws_service.list_users(self.home)
        self.login_page = LoginPage(users, last_user)
        self.login_page.set_lock_reason(lock_reason_text(lock_reason, idle_minutes))
        self.create_page = CreatePage(str(self.home))
        self.code_page = RecoveryCodePage()
        self.demo_page = DemoPage()
        self.recover_page = RecoverPage(users)
        for page in (self.login_page, self.create_page, self.code_page, self.demo_page, self.recover_page):
            self.stack.addWidget(page)

        self.login_page.submitted.connect(self._unlock)
        self.login_page.recover_requested.connect(lambda: self._show(self.recover_page))
        self.create_page.submitted.connect(self._create)
        self.code_page.print_requested.connect(self._print_code)
        self.code_page.accepted.connect(lambda: self._show(self.demo_page))
        self.demo_page.generate.connect(self._generate_demo)
        self.demo_page.skip.connect(self._finish)
        self.recover_page.submitted.connect(self._recover)
        self.recover_page.back.connect(lambda: self._show(self.login_page))

        self._retry_left = 0
        self._base_message = ""
        self._countdown = QTimer(self)
        self._countdown.setInterval(250)
        self._countdown.setTimerType(Qt.TimerType.PreciseTimer)
        self._deadline = 0.0
        self._countdown.timeout.connect(self._tick)
        self._show(self.login_page if users else self.create_page)

    # -- navigation -----------------------------------------------------------------------
    def _show(self, page: QWidget) -> None:
        self.stack.setCurrentWidget(page)
        QTimer.singleShot(0, page.focus)  # type: ignore[attr-defined]

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()

    # -- unlock ---------------------------------------------------------------------------
    def _unlock(self, user: str, passphrase: str) -> None:
        home = self.home
        self.login_page.set_busy(True)
        show_message(self.login_page.message, "")

        new = self.login_page.new_passphrase_text() or None

        def work(job):
            # Forms newer than the data: the unlock upgrades the records and reports progress.
            ws = ws_service.unlock(home, user, passphrase, new_passphrase=new, progress=job.progress)
            job.adopt(ws)
            return SessionInfo.from_workspace(ws)

        self.worker.run(work, self._unlocked, self._unlock_failed, progress="reported", cancellable=False,
                        label=tr("正在按新表单升级记录…"), parent=self)

    def _unlocked(self, info: SessionInfo) -> None:
        self.login_page.passphrase.clear()
        self.login_page.ask_new_passphrase(False)
        self.login_page.set_busy(False)
        self.session = info
        self.unlocked.emit(info)

    def _unlock_failed(self, exc: BaseException) -> None:
        self.login_page.set_busy(False)
        if isinstance(exc, AuthError) and (exc.code == ws_service.MUST_CHANGE or (
                exc.code == "weak_passphrase" and self.login_page.change_box.isVisible())):
            # The passphrase was right (the chief's temporary one): keep it, ask for a new one.
            self.login_page.ask_new_passphrase(True)
            show_message(self.login_page.message, message_for(exc))
            self.login_page.new_passphrase.first.setFocus()
            return
        self.login_page.passphrase.clear()
        self.login_page.focus()
        if isinstance(exc, AuthError):
            show_message(self.login_page.message, message_for(exc))
            if exc.retry_after and exc.retry_after > 0:
                # A deadline, not a tick count: coarse timers may fire early, and an attempt a
                # moment too soon would cost the officer another, longer wait.
                self._deadline = time.monotonic() + exc.retry_after
                self._retry_left = math.ceil(exc.retry_after)
                self._base_message = message_for(exc)
                self.login_page.unlock.setEnabled(False)  # Enter in the box is refused as well
                self._tick_text()
                self._countdown.start()
        elif isinstance(exc, UserFacingError):
            show_message(self.login_page.message, message_for(exc))
        else:
            show_error(self, exc)

    def _tick(self) -> None:
        self._retry_left = math.ceil(self._deadline - time.monotonic())
        if self._retry_left <= 0:
            self._countdown.stop()
            self.login_page.set_busy(False)
            show_message(self.login_page.message, self._base_message)
            self.login_page.focus()
            return
        self._tick_text()

    def _tick_text(self) -> None:
        text = tr("%1 秒后可以再试").replace("%1", str(self._retry_left))
        show_message(self.login_page.message, f"{self._base_message}\n{text}")
        self.login_page.unlock.setText(text)

    # -- first run --------------------------------------------------------------------------
    def _create(self, login: str, display: str, role: str, passphrase: str) -> None:
        home = self.home
        self.create_page.set_busy(True)

        def work(job):
            ws, code = ws_service.create(home, login, passphrase, role=role, display_name=display)
            job.adopt(ws)
            return SessionInfo.from_workspace(ws), code

        def done(result) -> None:
            self.create_page.set_busy(False)
            self.session, code = result
            self.create_page.passphrase.first.clear()
            self.create_page.passphrase.again.clear()
            self.code_page.set_code(code)
            self._show(self.code_page)

        def failed(exc: BaseException) -> None:
            self.create_page.set_busy(False)
            if isinstance(exc, UserFacingError):
                show_message(self.create_page.message, message_for(exc))
            else:
                show_error(self, exc)

        self.worker.run(work, done, failed, label=tr("正在建立加密数据库…"), cancellable=False, parent=self)

    def _print_code(self) -> None:
        from fieldkit.ui.recovery_sheet import print_sheet

        print_sheet(self, **self._sheet())

    def _sheet(self) -> dict[str, str]:
        session = self.session
        user = f"{session.display_name}（{session.login}）" if session else ""
        return {"code": self.code_page.code.text(), "store": str(self.home), "user": user}

    def render_code(self, device) -> None:
        """Draw the recovery sheet on a printer (or an image)."""
        from fieldkit.ui.recovery_sheet import render_sheet

        render_sheet(device, base=self.font(), **self._sheet())

    def _generate_demo(self) -> None:
        from fieldkit.services import demo

        self.demo_page.demo_button.setEnabled(False)

        def work(job):
            return demo.generate(job.ws, seed=1, people=DEMO_PEOPLE, progress=job.progress, cancel=job.cancel)

        def failed(exc: BaseException) -> None:
            from fieldkit.domain.errors import Cancelled

            self.demo_page.demo_button.setEnabled(True)
            if isinstance(exc, Cancelled):
                # The demo is written in one transaction: a cancel leaves the store empty.
                show_message(self.demo_page.message, tr("已取消，没有放入示范数据。可以重试，或从空白开始。"))
            else:
                show_error(self, exc)

        self.worker.run(work, lambda _counts: self._finish(), failed, label=tr("正在生成示范乡镇…"), parent=self)

    def _finish(self) -> None:
        if self.session is not None:
            self.unlocked.emit(self.session)

    # -- recovery ---------------------------------------------------------------------------
    def _recover(self, user: str, code: str, passphrase: str) -> None:
        home = self.home

        def work(job):
            ws = ws_service.recover(home, code, user, passphrase)
            job.adopt(ws)
            return SessionInfo.from_workspace(ws)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UserFacingError):
                show_message(self.recover_page.message, message_for(exc))
            else:
                show_error(self, exc)

        self.worker.run(work, self._unlocked, failed, label=tr("正在重设口令…"), cancellable=False, parent=self)
