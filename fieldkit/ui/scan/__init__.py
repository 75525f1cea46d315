"""Scan a doorplate, see the household, collect it in one pass (issue 4, points 3 and 5).

`install(main_window)` adds the "扫门牌" action (Ctrl+Shift+D) that opens the scan view as a tab
of the main window, and "打印门牌…" (Ctrl+Shift+P) for the doorplate sheets; the main window calls
it from `_install_features` (idempotent).
Threading: GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence

from fieldkit.ui import words
from fieldkit.ui.scan.card import HouseholdCardWidget
from fieldkit.ui.scan.feed import CameraFeed
from fieldkit.ui.scan.print_dialog import DoorplatePrintDialog
from fieldkit.ui.scan.view import ScanView

__all__ = ["CameraFeed", "DoorplatePrintDialog", "HouseholdCardWidget", "ScanView", "install", "open_print_dialog",
           "open_scan_view"]

SHORTCUT = "Ctrl+Shift+D"
PRINT_SHORTCUT = "Ctrl+Shift+P"


def tr(text: str) -> str:
    return QCoreApplication.translate("ScanView", text)


def open_scan_view(window: Any, **view_options: Any) -> ScanView:
    """Show the scan tab of `window` (a MainWindow), creating it the first time.

    `view_options` go to `ScanView` (tests pass a fake `camera_backend`)."""
    for i in range(window.tabs.count()):
        w = window.tabs.widget(i)
        if isinstance(w, ScanView):
            window.tabs.setCurrentIndex(i)
            w.wedge.setFocus()  # Ctrl+Shift+D from anywhere: ready for the next plate
            return w
    view = ScanView(window.worker, window.info, window.lang, **view_options)
    view.open_requested.connect(window.open_record)
    from fieldkit.ui.resources import icon

    window.tabs.addTab(view, icon("address"), tr("扫门牌"))
    window.tabs.setCurrentWidget(view)
    view.wedge.setFocus()
    view.resume_pending()  # a pass left unsubmitted (lock, crash, closed tab) comes back first
    return view


def install(window: Any) -> QAction:
    """Add the "扫门牌" action to `window` (menu-less: shortcut, and its toolbar if it has one)."""
    from fieldkit.ui.resources import icon

    existing = window.findChild(QAction, "scanAction")
    if existing is not None:  # twice would make the shortcut ambiguous, and then it does nothing
        return existing
    action = QAction(icon("address"), tr("扫门牌"), window)
    action.setObjectName("scanAction")
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setToolTip(words.counted(tr("扫门牌"), SHORTCUT))
    action.triggered.connect(lambda: open_scan_view(window))
    window.addAction(action)
    from PySide6.QtWidgets import QToolBar

    printing = QAction(icon("address"), tr("打印门牌…"), window)
    printing.setObjectName("doorplatePrintAction")
    printing.setShortcut(QKeySequence(PRINT_SHORTCUT))
    printing.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    printing.setToolTip(words.counted(tr("打印门牌…"), PRINT_SHORTCUT))
    printing.triggered.connect(lambda: open_print_dialog(window))
    info = getattr(window, "info", None)
    # Signing doorplates is the station's word (forms/permissions.toml): not offered to whom it would refuse.
    printing.setVisible(info is None or info.may("sign_doorplates"))
    printing.setEnabled(printing.isVisible())
    window.addAction(printing)
    bar = window.findChild(QToolBar, "mainToolbar")
    if bar is not None:
        bar.addAction(action)
        bar.addAction(printing)
    return action


def open_print_dialog(window: Any) -> DoorplatePrintDialog:
    dialog = DoorplatePrintDialog(window.worker, window.lang, window)
    dialog.open()
    return dialog
