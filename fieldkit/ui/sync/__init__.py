"""Sync in the desktop app: status-bar corner, conflicts view, enrollment, auto-sync.

How the main window hooks it in — one call, after its toolbar and status bar are built
(e.g. at the end of `MainWindow._install_features`):

    from fieldkit.ui import sync as sync_ui
    self.sync = sync_ui.install(self)

`install` (idempotent) uses only the window's public pieces — `worker`, `statusBar()`, `tabs`,
`open_record` — and:
* adds a `SyncStatusWidget` as a permanent status-bar widget (online/offline, changes waiting,
  last sync, conflicts, errors in words; its menu: 立即同步, 同步冲突…, 登记到服务器…);
* adds actions "立即同步" (F9) and "同步冲突…" to the window;
* starts a `SyncController` (QNetworkInformation + server probe with backoff; rounds on the
  worker, never a modal dialog), nudged after every local change (the worker's `changed`
  broadcast); what a round pulls reaches every screen through that same broadcast;
* opens the conflicts view as a tab, and the enroll dialog, on request;
* when the platform revoked this laptop, locks the window (the store has locked itself);
* after a round whose watch-list entries name people already on this laptop, shows a
  (non-modal) "布控提醒" box listing them.
Locking closes the window, which deletes the controller; nothing else needs tearing down.

Threading: GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

from fieldkit.ui import words
from fieldkit.ui.sync.conflicts_view import ConflictsView
from fieldkit.ui.sync.controller import SyncController
from fieldkit.ui.sync.enroll_dialog import EnrollDialog
from fieldkit.ui.sync.status_widget import SyncStatusWidget

__all__ = ["ConflictsView", "EnrollDialog", "SyncController", "SyncHooks", "SyncStatusWidget", "install"]


def tr(text: str) -> str:
    return QCoreApplication.translate("SyncUi", text)


class SyncHooks:
    """What `install` built for one window; `open_conflicts()` / `open_enroll()` for menus."""

    def __init__(self, window: Any, controller: SyncController, widget: SyncStatusWidget,
                 sync_action: QAction, conflicts_action: QAction) -> None:
        self.window, self.controller, self.widget = window, controller, widget
        self.sync_action, self.conflicts_action = sync_action, conflicts_action
        self.conflicts_view: ConflictsView | None = None
        self.enroll_dialog: EnrollDialog | None = None
        self.alert_box: QMessageBox | None = None

    def open_conflicts(self) -> ConflictsView:
        tabs = self.window.tabs
        view = self.conflicts_view
        if view is None or tabs.indexOf(view) < 0:
            view = ConflictsView(self.window.worker)
            view.resolved.connect(self.controller.refresh)
            view.resolved.connect(lambda: self.window.refresh_counts())
            view.open_requested.connect(lambda uuid, module: self.window.open_record(uuid, module))
            tabs.addTab(view, tr("同步冲突"))
            self.conflicts_view = view
        tabs.setCurrentWidget(view)
        view.refresh()
        return view

    def show_alerts(self, alerts: list[tuple[str, str, str]]) -> QMessageBox:
        """Watch-list entries that arrived name people already in this laptop: say so at once
        (non-modal: a nested event loop inside a worker callback is how UI state breaks)."""
        lines = ["• " + words.labelled(title, reason) for _uuid, title, reason in alerts[:20]]
        if len(alerts) > 20:
            lines.append(tr("…另有 %1 人").replace("%1", str(len(alerts) - 20)))
        box = QMessageBox(QMessageBox.Icon.Warning, tr("布控提醒"),
                          tr("平台新下发的布控名单中有本机已登记的人员：") + "\n" + "\n".join(lines), parent=self.window)
        box.setObjectName("watchAlertBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.alert_box = box
        return box

    def open_enroll(self) -> EnrollDialog:
        dialog = EnrollDialog(self.window.worker, self.window)
        dialog.enrolled.connect(lambda _status: self.controller.start())
        self.enroll_dialog = dialog
        dialog.open()
        return dialog


def install(window: Any, *, controller: SyncController | None = None) -> SyncHooks:
    existing = getattr(window, "_sync_hooks", None)
    if existing is not None:
        return existing
    controller = controller or SyncController(window.worker, window)
    widget = SyncStatusWidget(controller)
    window.statusBar().addPermanentWidget(widget)
    sync_action = QAction(tr("立即同步"), window)
    sync_action.setObjectName("syncNow")
    sync_action.setShortcut(QKeySequence("F9"))
    sync_action.triggered.connect(controller.sync_now)
    conflicts_action = QAction(tr("同步冲突…"), window)
    conflicts_action.setObjectName("syncConflictsAction")
    window.addAction(sync_action)
    window.addAction(conflicts_action)
    hooks = SyncHooks(window, controller, widget, sync_action, conflicts_action)
    conflicts_action.triggered.connect(hooks.open_conflicts)
    widget.conflicts_requested.connect(hooks.open_conflicts)
    widget.enroll_requested.connect(hooks.open_enroll)
    # A local change (not one a pull just brought) is worth sending soon.
    window.worker.changed.connect(lambda changes: controller.nudge() if changes.sources - {"sync"} else None)

    def after_round(result: Any) -> None:
        if result.alerts:
            hooks.show_alerts(result.alerts)
        # What the pull changed reaches every screen through the worker's broadcast.
        if hooks.conflicts_view is not None:
            hooks.conflicts_view.refresh()

    controller.synced.connect(after_round)
    # Revoked by the platform: the store locked itself; the window follows, and the unlock
    # screen then says why and what the chief can do (services.revocation).
    controller.revoked.connect(lambda _exc: window.lock_requested.emit())
    window._sync_hooks = hooks
    controller.start()
    return hooks
