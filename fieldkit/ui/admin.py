"""The chief's station administration in the app: "备份…" and "用户管理…" (the users screen).

Both are offered only to a role that forms/permissions.toml lets `backup` / `manage_users`
(the services refuse everyone else anyway). The users screen lists every user with role and
state and adds, disables, enables, removes, resets a passphrase (a temporary one the user
replaces at their next unlock) and replaces the recovery code (shown once). Disabling and
removing a user and replacing the recovery code re-encrypt the store under a new data key:
those run with a progress dialog (disable/remove can be cancelled before the swap; the
rotation then stays due, said in red with an "更换数据密钥" button until it is done).

Threading: GUI thread; every store call is a worker job on the database thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.errors import Cancelled
from fieldkit.services import backup as backup_service
from fieldkit.services import users as users_service
from fieldkit.services.workspace import role_label
from fieldkit.ui import errors
from fieldkit.ui.worker import Worker

ROLES = ("officer", "grid_worker", "chief")


def tr(text: str) -> str:
    return QCoreApplication.translate("Admin", text)


def install(main: Any, toolbar: QToolBar | None = None, before: QAction | None = None) -> list[QAction]:
    """Add the actions the signed-in role may use to the main window (none for a grid worker)."""
    actions = []
    if main.info.may("backup"):
        backup = QAction(tr("备份…"), main)
        backup.setObjectName("backupAction")
        backup.setToolTip(tr("把整个数据库加密备份到 U 盘或移动硬盘，读回校验；也可从备份恢复"))
        backup.triggered.connect(lambda: open_backup(main))
        actions.append(backup)
        main.backup_reminder = BackupReminder(main)
    if main.info.may("manage_users"):
        users = QAction(tr("用户管理…"), main)
        users.setObjectName("usersAction")
        users.setToolTip(tr("添加、停用、删除用户，重设口令，更换恢复码"))
        users.triggered.connect(lambda: open_users_dialog(main))
        actions.append(users)
    for action in actions:
        main.addAction(action)
        if toolbar is not None:
            toolbar.insertAction(before, action) if before is not None else toolbar.addAction(action)
    return actions


def open_backup(main: Any) -> Any:
    """The backup screen (ui/backup_screen.py); a verified backup clears the reminder."""
    from fieldkit.ui.backup_screen import open_backup_dialog

    dialog = open_backup_dialog(main)
    reminder = getattr(main, "backup_reminder", None)
    if reminder is not None:
        dialog.backed_up.connect(reminder.check)
    dialog.backed_up.connect(lambda: _refresh_dashboards(main))
    return dialog


def _refresh_dashboards(main: Any) -> None:
    """An open station desk's dashboard shows the last backup too: a new one refreshes it."""
    for i in range(main.tabs.count()):
        dashboard = getattr(main.tabs.widget(i), "dashboard", None)
        if dashboard is not None and hasattr(dashboard, "refresh"):
            dashboard.refresh()


class BackupReminder(QLabel):
    """The status bar's reminder when the last backup is older than a week (or there is none);
    a click opens the backup screen. Checked at unlock and after each backup."""

    def __init__(self, main: Any) -> None:
        super().__init__()
        self.setObjectName("statusBackupReminder")
        self.setStyleSheet("color: #9a3412; font-weight: bold;")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.main = main
        self.hide()
        main.statusBar().addWidget(self)
        self.check()

    def check(self) -> None:
        self.main.worker.run(lambda job: backup_service.reminder(job.ws), self._show, progress=False,
                             key="backup-reminder", owner=self)

    def _show(self, said: tuple[str, str] | None) -> None:
        text = "" if said is None else (said[1] if self.main.lang == "en" else said[0])
        # Short: the status bar also holds the user, the lock hint and the demo-devices notice;
        # the whole sentence is the tooltip (and the dashboard's banner).
        self.setText(tr("该备份了") if text else "")
        self.setToolTip(text)
        self.setVisible(bool(text))

    def mousePressEvent(self, event: Any) -> None:
        open_backup(self.main)


def open_users_dialog(main: Any) -> UsersDialog:
    dialog = UsersDialog(main.worker, main.info, main.lang, main)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


class UsersDialog(QDialog):
    """The users of this laptop's store: the chief's screen."""

    def __init__(self, worker: Worker, info: Any, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usersDialog")
        self.setWindowTitle(tr("用户管理"))
        self.setMinimumWidth(620)
        self.worker, self.info, self.lang = worker, info, lang
        self.rows: list[users_service.UserRow] = []
        self.shown_code = ""  # the last recovery code shown (once), for tests
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("usersTable")
        self.table.setHorizontalHeaderLabels([tr("登录名"), tr("显示名"), tr("角色"), tr("状态")])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._enable)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, slot in (("add", tr("添加…"), self._add), ("disable", tr("停用"), self._disable),
                                ("enable", tr("启用…"), self._enable_user), ("reset", tr("重设口令…"), self._reset),
                                ("remove", tr("删除…"), self._remove), ("recovery", tr("更换恢复码…"), self._recovery),
                                ("rotate", tr("更换数据密钥"), self._rotate)):
            b = QPushButton(text)
            b.setObjectName(f"users_{key}")
            b.setMinimumWidth(b.sizeHint().width())  # seven in a row: the row squeezed English ones
            b.clicked.connect(lambda _checked=False, f=slot: f())
            row.addWidget(b)
            self.buttons[key] = b
        self.due = QLabel()
        self.due.setObjectName("usersRotationDue")
        self.due.setWordWrap(True)
        self.due.setStyleSheet("color: #b00020; font-weight: bold;")
        self.due.hide()
        self.buttons["rotate"].hide()
        self.message = QLabel()
        self.message.setObjectName("usersMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.due)
        layout.addWidget(self.message)
        # The new code goes on paper like the first one (recovery_sheet: paper printers only).
        self.print_code = QPushButton(tr("打印恢复码…"))
        self.print_code.setObjectName("users_printRecovery")
        self.print_code.clicked.connect(self._print_code)
        self.print_code.hide()
        layout.addWidget(self.print_code, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(close)
        self.refresh()

    # -- data -------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.worker.run(lambda job: (users_service.list_users(job.ws), users_service.rotation_due(job.ws)),
                        self._show, progress=False, owner=self, parent=self)

    def _show(self, got: tuple[list[users_service.UserRow], tuple[str, str] | None]) -> None:
        rows, due = got
        self.due.setText("" if due is None else (due[1] if self.lang == "en" else due[0]))
        self.due.setVisible(due is not None)
        self.buttons["rotate"].setVisible(due is not None)
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            state = tr("已停用") if r.disabled else tr("待改口令") if r.must_change else tr("正常")
            for col, text in enumerate((r.login, r.display_name, role_label(r.role, self.lang), state)):
                self.table.setItem(i, col, QTableWidgetItem(text))
        self._enable()

    def selected(self) -> users_service.UserRow | None:
        i = self.table.currentRow()
        return self.rows[i] if 0 <= i < len(self.rows) and self.table.selectedItems() else None

    def select(self, login: str) -> None:
        for i, r in enumerate(self.rows):
            if r.login == login:
                self.table.selectRow(i)

    def _enable(self) -> None:
        r = self.selected()
        other = r is not None and r.login != self.info.login
        self.buttons["disable"].setEnabled(other and not r.disabled)  # type: ignore[union-attr]
        self.buttons["enable"].setEnabled(other and r.disabled)  # type: ignore[union-attr]
        self.buttons["reset"].setEnabled(other and not r.disabled)  # type: ignore[union-attr]
        self.buttons["remove"].setEnabled(other)

    def _do(self, fn: Any, said: str, *, rotating: bool = False, cancellable: bool = True) -> None:
        """`rotating`: the verb re-encrypts the store — a progress dialog, and the screen is
        refreshed whatever happened (a cancelled rotation stays due and says so)."""
        def done(result: Any) -> None:
            self.message.setText(said if not isinstance(result, str) else said.replace("%1", result))
            self.refresh()

        def failed(e: BaseException) -> None:
            self.refresh()
            if not isinstance(e, Cancelled):
                errors.show_error(self, e)

        if rotating:
            self.worker.run(fn, done, failed, label=tr("正在用新的数据密钥重新加密数据库…"), cancellable=cancellable,
                            owner=self, parent=self)
        else:
            self.worker.run(fn, done, progress=False, owner=self, parent=self)

    # -- verbs ------------------------------------------------------------------------------
    def _add(self, login: str = "", role: str = "", name: str = "", passphrase: str = "") -> None:
        if not login:
            got = AddUserDialog(self).ask()
            if got is None:
                return
            login, role, name, passphrase = got
        self._do(lambda job: users_service.add(job.ws, login, role, passphrase, name), tr("已添加用户"))

    def _disable(self) -> None:
        r = self.selected()
        if r is not None:
            self._do(lambda job: users_service.disable(job.ws, r.login, job.progress, job.cancel),
                     tr("已停用：该用户不能再登录"), rotating=True)

    def _temporary(self, title: str) -> str:
        text, ok = QInputDialog.getText(self, title, tr("临时口令（当面告诉该用户；他下次登录时须改成自己的）："),
                                        QLineEdit.EchoMode.Password)
        return text if ok else ""

    def _enable_user(self, temporary: str = "") -> None:
        r = self.selected()
        temporary = temporary or (self._temporary(tr("启用用户")) if r is not None else "")
        if r is not None and temporary:
            self._do(lambda job: users_service.enable(job.ws, r.login, temporary),
                     tr("已启用：该用户用临时口令登录后须设置新口令"))

    def _reset(self, temporary: str = "") -> None:
        r = self.selected()
        temporary = temporary or (self._temporary(tr("重设口令")) if r is not None else "")
        if r is not None and temporary:
            self._do(lambda job: users_service.reset_passphrase(job.ws, r.login, temporary),
                     tr("已重设：该用户用临时口令登录后须设置新口令"))

    def _remove(self, confirmed: bool = False) -> None:
        r = self.selected()
        if r is None:
            return
        if not confirmed and QMessageBox.question(
                self, tr("删除用户"), tr("删除用户 %1？其登记的记录仍保留其姓名。").replace("%1", r.login)) \
                != QMessageBox.StandardButton.Yes:
            return
        self._do(lambda job: users_service.remove(job.ws, r.login, job.progress, job.cancel), tr("已删除用户"),
                 rotating=True)

    def _rotate(self) -> None:
        self._do(lambda job: users_service.rotate_now(job.ws, job.progress, job.cancel), tr("已更换数据密钥"),
                 rotating=True)

    def _recovery(self, confirmed: bool = False) -> None:
        if not confirmed and QMessageBox.question(
                self, tr("更换恢复码"), tr("更换后旧恢复码立即作废。新恢复码只显示一次，请准备好纸笔。继续？")) \
                != QMessageBox.StandardButton.Yes:
            return

        def shown(code: str) -> None:
            self.shown_code = code
            self.message.setText(tr("新恢复码（只显示这一次，请抄写后交所长保管；旧恢复码已作废）：\n%1").replace("%1", code))
            self.print_code.show()

        self.worker.run(lambda job: users_service.new_recovery_code(job.ws, job.progress), shown,
                        label=tr("正在用新的数据密钥重新加密数据库…"), cancellable=False, owner=self, parent=self)


    def _print_code(self) -> None:
        from fieldkit.ui.recovery_sheet import print_sheet

        user = f"{self.info.display_name}（{self.info.login}）"
        print_sheet(self, code=self.shown_code, store=str(self.info.home), user=user)


class AddUserDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("添加用户"))
        form = QFormLayout(self)
        self.login = QLineEdit()
        self.login.setPlaceholderText(tr("警号或拼音缩写，不要用姓名"))
        self.name = QLineEdit()
        self.role = QComboBox()
        for r in ROLES:
            self.role.addItem(role_label(r), r)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(tr("登录名"), self.login)
        form.addRow(tr("显示名"), self.name)
        form.addRow(tr("角色"), self.role)
        form.addRow(tr("初始口令"), self.passphrase)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def ask(self) -> tuple[str, str, str, str] | None:
        if self.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.login.text().strip(), str(self.role.currentData()), self.name.text().strip(), self.passphrase.text()
