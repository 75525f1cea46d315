"""The station chief's desk (所长工作台) in the desktop app: dashboard, ledger export, follow-ups,
escalation, task packages, check-ins, the safety index and plaque.

How the main window opens it — one call, after its toolbar is built (MainWindow does this in
`_install_features`):

    from fieldkit.ui import station
    desk_action, ledger_action = station.install(self)

`install` adds two actions to the window (and its toolbar): "所长工作台" (Ctrl+D) opens the desk
as a tab, "导出台账…" (Ctrl+P: a ledger is for printing; Ctrl+E edits a record) opens the ledger
dialog for the module in the current tab. Calling it twice returns the existing actions. Both
only use the window's public pieces: `tabs`, `worker`, `info`, `lang`, `open_record`. The desk
implements the window's tab protocol: `refresh()` (F5) and `apply_changes(changes)` (what any
job changed, broadcast by the worker).

Threading: GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QTabWidget, QToolBar, QVBoxLayout, QWidget

from fieldkit.ui.resources import icon
from fieldkit.ui.station.checkins import CheckinsPanel
from fieldkit.ui.station.dashboard import DashboardView
from fieldkit.ui.station.escalation import EscalationPanel
from fieldkit.ui.station.followups import FollowupsPanel
from fieldkit.ui.station.ledger_dialog import LedgerDialog
from fieldkit.ui.station.safety import SafetyPanel
from fieldkit.ui.station.tasks import TasksPanel
from fieldkit.ui.worker import Worker

__all__ = ["LedgerDialog", "StationDesk", "install", "open_ledger_dialog", "open_station_desk"]


def tr(text: str) -> str:
    return QCoreApplication.translate("StationDesk", text)


def _has(info: Any, module: str) -> bool:
    return any(m.id == module for m in info.modules)


class StationDesk(QWidget):
    """The desk's tabs. Each panel loads when first shown and again after a change elsewhere.

    `open_requested(uuid, module_id)` asks for a record page. Lists and counts elsewhere hear a
    panel's saves from the worker's broadcast, like any other change.
    """

    open_requested = Signal(str, str)

    def __init__(self, worker: Worker, info: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stationDesk")
        self.setWindowTitle(tr("所长工作台"))
        self.worker = worker
        self.info = info
        self.lang = lang
        self.dialog: LedgerDialog | None = None
        self._stale: set[QWidget] = set()
        self._own_saves: set[str] = set()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("stationTabs")
        self.tabs.setDocumentMode(True)

        self.dashboard = DashboardView(worker, info, lang)
        self.dashboard.export_requested.connect(lambda: self.export_ledger())
        self.panels: list[QWidget] = [self.dashboard]
        self.tabs.addTab(self.dashboard, tr("工作统计"))
        # A panel is offered only when the signed-in role sees the module it works on.
        for module, cls, title in (("key_persons", FollowupsPanel, tr("重点人员随访")),
                                   ("events", EscalationPanel, tr("事件上报")),
                                   ("tasks", TasksPanel, tr("任务包")),
                                   ("checkins", CheckinsPanel, tr("打点签到")),
                                   ("villages", SafetyPanel, tr("平安指数"))):
            if _has(info, module):
                panel = cls(worker, info, lang)
                self.panels.append(panel)
                self.tabs.addTab(panel, title)
                setattr(self, module, panel)
        for panel in self.panels:
            panel.open_requested.connect(self.open_requested.emit)
            if hasattr(panel, "record_saved"):
                panel.record_saved.connect(lambda uuid, module, p=panel: self._panel_saved(p, uuid, module))
        self._stale = set(self.panels)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(lambda _i: self._load_current())
        self._load_current()

    def panel(self, name: str) -> QWidget | None:
        """The panel by object name (`followupsPanel`, `tasksPanel` …), or None for this role."""
        return next((p for p in self.panels if p.objectName() == name), None)

    def show_panel(self, name: str) -> QWidget | None:
        p = self.panel(name)
        if p is not None:
            self.tabs.setCurrentWidget(p)
        return p

    def _load_current(self) -> None:
        panel = self.tabs.currentWidget()
        if panel in self._stale:
            self._stale.discard(panel)
            panel.refresh()  # type: ignore[attr-defined]

    def _panel_saved(self, source: QWidget, uuid: str, module: str) -> None:
        # The source panel refreshes itself; the others (dashboard figures) go stale.
        self._stale |= {p for p in self.panels if p is not source}
        self._own_saves.add(uuid)

    # -- the main window's tab protocol -----------------------------------------------------
    def refresh(self) -> None:
        """F5: reload the panel on screen; the others reload when next shown."""
        self._stale = set(self.panels)
        self._load_current()

    def apply_changes(self, changes: Any) -> None:
        """What any job changed. A panel that just saved has shown its own result: the others go
        stale (and reload when shown); a change from elsewhere (a form, an import, sync) reloads
        the panel on screen too."""
        own = changes.uuids <= self._own_saves
        self._own_saves -= changes.uuids
        self._stale = set(self.panels) if not own else self._stale
        if not own:
            self._load_current()
            return
        self.refresh()

    # -- ledger -----------------------------------------------------------------------------
    def export_ledger(self, module: str | None = None) -> LedgerDialog:
        return open_ledger_dialog(self.worker, self.info, self.lang, module=module, parent=self)


def open_ledger_dialog(worker: Worker, info: Any, lang: str, *, module: str | None = None,
                       parent: QWidget | None = None) -> LedgerDialog:
    """Show the ledger dialog (window-modal, non-blocking) and return it."""
    dialog = LedgerDialog(worker, info, lang, module=module, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def open_station_desk(main: Any) -> StationDesk:
    """Show the desk in the main window's tabs (reusing an open one) and return it."""
    for i in range(main.tabs.count()):
        w = main.tabs.widget(i)
        if isinstance(w, StationDesk):
            main.tabs.setCurrentIndex(i)
            return w
    desk = StationDesk(main.worker, main.info, main.lang)
    desk.open_requested.connect(main.open_record)
    backup = main.findChild(QAction, "backupAction")
    if backup is not None:  # the reminder's "备份…" opens the same backup screen as the toolbar
        desk.dashboard.backup_requested.connect(backup.trigger)
    main.tabs.addTab(desk, icon("list"), tr("所长工作台"))
    main.tabs.setCurrentWidget(desk)
    return desk


def install(main: Any) -> tuple[QAction, QAction]:
    """Add "所长工作台" (Ctrl+D) and "导出台账…" (Ctrl+P) to the main window and its toolbar."""
    existing = (main.findChild(QAction, "stationDeskAction"), main.findChild(QAction, "exportLedgerAction"))
    if existing[0] is not None and existing[1] is not None:
        return existing[0], existing[1]
    desk_action = QAction(icon("list"), tr("所长工作台"), main)
    desk_action.setObjectName("stationDeskAction")
    desk_action.setShortcut(QKeySequence("Ctrl+D"))
    desk_action.setToolTip(tr("所长工作台（Ctrl+D）：统计、随访、上报、任务、打点、平安指数"))
    desk_action.triggered.connect(lambda: open_station_desk(main))
    ledger_action = QAction(icon("list"), tr("导出台账…"), main)
    ledger_action.setObjectName("exportLedgerAction")
    ledger_action.setShortcut(QKeySequence("Ctrl+P"))
    ledger_action.setToolTip(tr("导出台账（Ctrl+P）：XLSX / PDF 打印，CSV 加密"))
    ledger_action.triggered.connect(
        lambda: open_ledger_dialog(main.worker, main.info, main.lang, module=main.current_module_id(), parent=main))
    for action in (desk_action, ledger_action):
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        main.addAction(action)
    toolbar = main.findChild(QToolBar, "mainToolbar")
    if toolbar is not None:
        # After "刷新", before the spacer that pushes settings/lock to the right.
        actions = toolbar.actions()
        before = actions[3] if len(actions) > 3 else None
        toolbar.insertAction(before, desk_action)
        toolbar.insertAction(before, ledger_action)
    return desk_action, ledger_action
