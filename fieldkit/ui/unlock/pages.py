"""The pages of the unlock window. Widgets only: the window wires them to the worker.

Threading: GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain import passphrase as passphrase_policy
from fieldkit.ui.errors import ui_language

MIN_PASSPHRASE = passphrase_policy.MIN_LENGTH


def tr(text: str) -> str:
    return QCoreApplication.translate("Unlock", text)


def strength(passphrase: str, context: tuple[str, ...] = ()) -> tuple[int, str]:
    """The score 0–4 and hint of the one passphrase policy (`fieldkit.domain.passphrase`, zxcvbn)."""
    s = passphrase_policy.assess(passphrase, context=context)
    return s.score, (s.hint_en if ui_language() == "en" else s.hint)


def policy_problem(passphrase: str, context: tuple[str, ...] = ()) -> str:
    """Why the policy refuses `passphrase` (in the UI's language), or '' when it accepts it."""
    s = passphrase_policy.assess(passphrase, context=context)
    if s.ok:
        return ""
    return tr("口令太弱：") + (s.hint_en if ui_language() == "en" else s.hint)


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("heading")
    return label


def _message_label() -> QLabel:
    label = QLabel()
    label.setObjectName("errorText")
    label.setWordWrap(True)
    label.hide()
    return label


def show_message(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


class LoginPage(QWidget):
    """Choose a user, type the passphrase, unlock."""

    submitted = Signal(str, str)
    recover_requested = Signal()

    def __init__(self, users: list[str], last_user: str = "") -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(_heading(tr("解锁")))
        self.lock_reason = QLabel()
        self.lock_reason.setObjectName("lockReason")
        self.lock_reason.setWordWrap(True)
        self.lock_reason.hide()
        layout.addWidget(self.lock_reason)
        form = QFormLayout()
        self.user = QComboBox()
        self.user.setObjectName("loginUser")
        self.user.addItems(users)
        if last_user in users:
            self.user.setCurrentText(last_user)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("loginPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(tr("输入口令后按回车"))
        form.addRow(tr("用户"), self.user)
        form.addRow(tr("口令"), self.passphrase)
        layout.addLayout(form)
        # Shown when the chief reset this user's passphrase: they set their own before unlocking.
        self.change_box = QWidget()
        self.change_box.setObjectName("mustChangeBox")
        change_form = QFormLayout(self.change_box)
        change_form.setContentsMargins(0, 0, 0, 0)
        self.new_passphrase = _NewPassphrase(change_form, "mustChange")
        self.change_box.setVisible(False)
        layout.addWidget(self.change_box)
        self.user.currentTextChanged.connect(lambda _t: self.ask_new_passphrase(False))
        self.message = _message_label()
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.recover = QPushButton(tr("忘记口令？用恢复码"))
        self.recover.setFlat(True)
        self.recover.clicked.connect(self.recover_requested)
        self.unlock = QPushButton(tr("解锁"))
        self.unlock.setObjectName("unlockButton")
        self.unlock.setDefault(True)
        row.addWidget(self.recover)
        row.addStretch(1)
        row.addWidget(self.unlock)
        layout.addLayout(row)
        layout.addStretch(1)
        self.unlock.clicked.connect(self._submit)
        self.passphrase.returnPressed.connect(self._submit)

    def set_lock_reason(self, text: str) -> None:
        show_message(self.lock_reason, text)

    def _submit(self) -> None:
        if not self.unlock.isEnabled():
            return
        if not self.passphrase.text():
            show_message(self.message, tr("请输入口令"))
            return
        if self.change_box.isVisible():
            problem = self.new_passphrase.problem()
            if problem:
                show_message(self.message, problem)
                return
        self.submitted.emit(self.user.currentText(), self.passphrase.text())

    def ask_new_passphrase(self, ask: bool) -> None:
        """Show (or hide) the new-passphrase rows; `new_passphrase_text()` is '' while hidden."""
        self.change_box.setVisible(ask)
        if not ask:
            self.new_passphrase.first.clear()
            self.new_passphrase.again.clear()

    def new_passphrase_text(self) -> str:
        return self.new_passphrase.first.text() if self.change_box.isVisible() else ""

    def set_busy(self, busy: bool) -> None:
        self.unlock.setEnabled(not busy)
        self.passphrase.setEnabled(not busy)
        self.unlock.setText(tr("正在解锁…") if busy else tr("解锁"))

    def focus(self) -> None:
        self.passphrase.setFocus()


class _NewPassphrase(QWidget):
    """Passphrase twice with a live strength hint; used by the create and recover pages."""

    def __init__(self, form: QFormLayout, prefix: str) -> None:
        super().__init__()
        self.first = QLineEdit()
        self.first.setObjectName(f"{prefix}Passphrase")
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setObjectName(f"{prefix}PassphraseAgain")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.hint = QLabel(tr("至少 8 个字符；一句好记的话比复杂的短口令更安全"))
        self.hint.setObjectName("hintText")
        self.hint.setWordWrap(True)
        form.addRow(tr("口令"), self.first)
        form.addRow("", self.hint)
        form.addRow(tr("再输入一次"), self.again)
        self.first.textChanged.connect(self._update)

    def _update(self, text: str) -> None:
        score, hint = strength(text)
        self.hint.setText(tr("口令强度：") + hint if text else "")
        self.hint.setProperty("strength", score)
        self.hint.style().unpolish(self.hint)
        self.hint.style().polish(self.hint)

    def problem(self) -> str:
        """The reason the passphrase cannot be used, or '' when it can."""
        weak = policy_problem(self.first.text())
        if weak:
            return weak
        if self.first.text() != self.again.text():
            return tr("两次输入的口令不一致")
        return ""


class CreatePage(QWidget):
    """First run: who is this laptop's user, and their passphrase."""

    submitted = Signal(str, str, str, str)  # login, display name, role, passphrase

    def __init__(self, home: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(_heading(tr("第一次使用：建立本机数据库")))
        intro = QLabel(tr("数据全部加密保存在本机：%1\n口令用来解锁；请记住它，忘记时只能用恢复码。").replace("%1", home))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.login = QLineEdit()
        self.login.setObjectName("createLogin")
        self.login.setPlaceholderText(tr("字母或数字，如 zhangwei"))
        self.display = QLineEdit()
        self.display.setObjectName("createDisplayName")
        self.display.setPlaceholderText(tr("如 张伟"))
        form.addRow(tr("登录名"), self.login)
        form.addRow(tr("姓名"), self.display)
        # The store makes the first user the chief: whoever sets the laptop up manages its users.
        role_note = QLabel(tr("第一个用户是本机的管理者（所长角色），以后可以添加民警和网格员。"))
        role_note.setObjectName("hintText")
        role_note.setWordWrap(True)
        form.addRow("", role_note)
        self.passphrase = _NewPassphrase(form, "new")
        layout.addLayout(form)
        self.message = _message_label()
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        self.create = QPushButton(tr("建立数据库"))
        self.create.setObjectName("createButton")
        self.create.setDefault(True)
        row.addWidget(self.create)
        layout.addLayout(row)
        layout.addStretch(1)
        self.create.clicked.connect(self._submit)
        self.passphrase.again.returnPressed.connect(self._submit)

    def _submit(self) -> None:
        login = self.login.text().strip()
        if not login or not login.replace("_", "").replace(".", "").isalnum() or not login.isascii():
            show_message(self.message, tr("登录名只能用字母、数字、下划线或点"))
            self.login.setFocus()
            return
        problem = self.passphrase.problem()
        if problem:
            show_message(self.message, problem)
            self.passphrase.first.setFocus()
            return
        show_message(self.message, "")
        self.submitted.emit(login, self.display.text().strip(), "chief", self.passphrase.first.text())

    def set_busy(self, busy: bool) -> None:
        self.create.setEnabled(not busy)
        self.create.setText(tr("正在建立…") if busy else tr("建立数据库"))

    def focus(self) -> None:
        self.login.setFocus()


class RecoveryCodePage(QWidget):
    """The recovery code, shown once. "Continue" stays disabled until it is written down."""

    print_requested = Signal()
    accepted = Signal()

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(_heading(tr("恢复码（只显示这一次）")))
        text = QLabel(tr("忘记口令时，只有这个恢复码能打开数据库。请抄在纸上或打印出来，"
                         "和电脑分开保管；不要拍照，不要存在这台电脑里。"))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.code = QLabel()
        self.code.setObjectName("recoveryCode")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSize(13)
        mono.setWeight(QFont.Weight.Bold)
        self.code.setFont(mono)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # One unbroken line, like the printed sheet: a code wrapped mid-group is copied wrongly.
        self.code.setWordWrap(False)
        layout.addWidget(self.code)
        self.written = QCheckBox(tr("我已把恢复码抄写（或打印）下来，放在安全的地方"))
        self.written.setObjectName("writtenDown")
        layout.addWidget(self.written)
        row = QHBoxLayout()
        self.print = QPushButton(tr("打印…"))
        self.print.clicked.connect(self.print_requested)
        self.proceed = QPushButton(tr("继续"))
        self.proceed.setObjectName("continueButton")
        self.proceed.setEnabled(False)
        self.written.toggled.connect(self.proceed.setEnabled)
        self.proceed.clicked.connect(self.accepted)
        row.addWidget(self.print)
        row.addStretch(1)
        row.addWidget(self.proceed)
        layout.addLayout(row)
        layout.addStretch(1)

    def set_code(self, code: str) -> None:
        from fieldkit.ui.recovery_sheet import printable_code

        self.code.setText(printable_code(code))

    def focus(self) -> None:
        self.written.setFocus()


class DemoPage(QWidget):
    """Offer the demo township so a new user can try everything before real data exists."""

    generate = Signal()
    skip = Signal()

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(_heading(tr("要先放入示范数据吗？")))
        text = QLabel(tr("示范乡镇有虚构的村庄、门牌、约 2000 名居民和各类台账，方便先熟悉操作。\n"
                         "示范数据以后可以在“设置 → 示范数据”里整体删除。正式使用请选“从空白开始”。"))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.message = _message_label()
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.skip_button = QPushButton(tr("从空白开始"))
        self.skip_button.setObjectName("skipDemo")
        self.demo_button = QPushButton(tr("生成示范乡镇"))
        self.demo_button.setObjectName("generateDemo")
        self.skip_button.clicked.connect(self.skip)
        self.demo_button.clicked.connect(self.generate)
        row.addStretch(1)
        row.addWidget(self.skip_button)
        row.addWidget(self.demo_button)
        layout.addLayout(row)
        layout.addStretch(1)

    def focus(self) -> None:
        self.skip_button.setFocus()


class RecoverPage(QWidget):
    """Forgotten passphrase: the recovery code plus a new passphrase."""

    submitted = Signal(str, str, str)  # user, recovery code, new passphrase
    back = Signal()

    def __init__(self, users: list[str]) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(_heading(tr("用恢复码重设口令")))
        form = QFormLayout()
        self.user = QComboBox()
        self.user.addItems(users)
        self.code = QLineEdit()
        self.code.setObjectName("recoveryInput")
        self.code.setPlaceholderText(tr("抄在纸上的恢复码"))
        form.addRow(tr("用户"), self.user)
        form.addRow(tr("恢复码"), self.code)
        self.passphrase = _NewPassphrase(form, "reset")
        layout.addLayout(form)
        self.message = _message_label()
        layout.addWidget(self.message)
        row = QHBoxLayout()
        back = QPushButton(tr("返回"))
        back.clicked.connect(self.back)
        self.submit_button = QPushButton(tr("重设口令并解锁"))
        self.submit_button.clicked.connect(self._submit)
        row.addWidget(back)
        row.addStretch(1)
        row.addWidget(self.submit_button)
        layout.addLayout(row)
        layout.addStretch(1)

    def _submit(self) -> None:
        if not self.code.text().strip():
            show_message(self.message, tr("请输入恢复码"))
            return
        problem = self.passphrase.problem()
        if problem:
            show_message(self.message, problem)
            return
        self.submitted.emit(self.user.currentText(), self.code.text().strip(), self.passphrase.first.text())

    def focus(self) -> None:
        self.code.setFocus()
