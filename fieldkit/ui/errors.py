"""How the UI shows what went wrong (Electrum's habit).

A `UserFacingError` is shown plainly, in the UI language, with no traceback: the user can act on
it. Anything else is a bug: it is logged with its traceback and shown with "复制详细信息" so the
officer can paste it to the maintainer. `Cancelled` is neither and is never shown.

Threading: GUI thread only.
"""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.errors import Cancelled, UserFacingError
from fieldkit.domain.storage_faults import READABLE, fault_of

log = logging.getLogger("fieldkit.ui")
_open_boxes: set[QDialog] = set()


def tr(text: str) -> str:
    return QCoreApplication.translate("Errors", text)


def ui_language() -> str:
    """'en' when the English translation is installed, else 'zh' (the source language)."""
    app = QCoreApplication.instance()
    return str(app.property("fieldkit_lang") or "zh") if app is not None else "zh"


def message_for(exc: BaseException) -> str:
    """The sentence a user reads for `exc` (UserFacingError) in the current UI language."""
    if isinstance(exc, UserFacingError):
        return exc.localized(ui_language())
    return str(exc)


def bug_details(exc: BaseException) -> str:
    """Text for "copy details": traceback plus the versions that matter to a maintainer."""
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        from PySide6 import __version__ as pyside_version
    except Exception:  # pragma: no cover
        pyside_version = "?"
    try:
        from importlib.metadata import version

        fk_version = version("fieldkit")
    except Exception:  # pragma: no cover - running from a source tree without metadata
        fk_version = "dev"

    return (
        f"FieldKit {fk_version}; Python {sys.version.split()[0]}; PySide6 {pyside_version}; "
        f"{platform.platform()}\n\n{tb}"
    )


def show_error(parent: QWidget | None, exc: BaseException) -> QDialog | None:
    """Show `exc` to the user; returns the (non-blocking, already shown) message box.

    Non-modal `open()` rather than `exec()`: a nested event loop inside a worker callback would
    let further callbacks run underneath it, which is how UI state gets corrupted.
    """
    if isinstance(exc, Cancelled):
        return None
    if isinstance(exc, UserFacingError):
        box: QDialog = QMessageBox(QMessageBox.Icon.Warning, tr("无法完成"), message_for(exc), parent=parent)
        box.setObjectName("userErrorBox")
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
    else:
        log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
        box = BugDialog(parent, bug_details(exc))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    # A parentless box is owned by its Python wrapper: keep it alive until the user closes it.
    _open_boxes.add(box)
    box.finished.connect(lambda _=0, b=box: _open_boxes.discard(b))
    box.open()
    return box


class BugDialog(QDialog):
    """A bug: a plain apology, the details folded below, and a button that copies them."""

    def __init__(self, parent: QWidget | None, details: str) -> None:
        super().__init__(parent)
        self.setObjectName("bugBox")
        self.setWindowTitle(tr("程序出错"))
        self.details = details
        layout = QVBoxLayout(self)
        text = QLabel(tr("程序遇到了一个意外错误，刚才的操作没有完成。已经写入日志。\n"
                         "请点“复制详细信息”，把内容发给维护人员。"))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.text = QPlainTextEdit(details)
        self.text.setReadOnly(True)
        self.text.setMinimumSize(520, 180)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton(tr("复制详细信息"))
        # Not in the button box's accept/reject roles: copying must not close the dialog.
        self.copy_button.clicked.connect(self.copy)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def copy(self) -> None:
        QApplication.clipboard().setText(self.details)
        self.copy_button.setText(tr("已复制"))


def background_error(parent: QWidget | None, say: Callable[[str], None]) -> Callable[[BaseException], None]:
    """The error handler for a save the user did not ask for (a draft every few seconds): a
    read-only or full disk is said through `say` (a status line) instead of a box that would
    interrupt the typing again at every attempt — what was typed stays on screen. Anything
    else is shown as `show_error` shows it."""

    def handle(exc: BaseException) -> None:
        if fault_of(exc) in READABLE:
            say(tr("草稿未能保存：%1").replace("%1", message_for(exc)))
        else:
            show_error(parent, exc)

    return handle


def install_excepthook() -> None:
    """Route exceptions escaping Qt slots to the bug dialog instead of a silent stderr print."""
    previous = sys.excepthook

    def hook(etype, value, tb):  # type: ignore[no-untyped-def]
        if QApplication.instance() is None:
            previous(etype, value, tb)
            return
        show_error(QApplication.activeWindow(), value.with_traceback(tb))

    sys.excepthook = hook
