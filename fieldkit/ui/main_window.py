"""The main window: navigation pane, module lists and record pages in tabs, status bar.

It is built per unlock (and rebuilt on a language switch) and destroyed on lock, so nothing
personal outlives the key. It knows the worker, the session info and the settings it is given;
it reaches for no global.

Threading: GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QSizePolicy, QSplitter, QTabWidget, QToolBar, QWidget

from fieldkit.services import records as rec_service
from fieldkit.services.workspace import role_label, storage_notice
from fieldkit.ui import words
from fieldkit.ui.module_view import ModuleView
from fieldkit.ui.nav import NavigationPane
from fieldkit.ui.resources import icon
from fieldkit.ui.settings import Settings
from fieldkit.ui.state import SessionInfo
from fieldkit.ui.worker import Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


class MainWindow(QMainWindow):
    lock_requested = Signal()
    settings_changed = Signal(set)
    restore_requested = Signal(str, str, bool)  # backup file, chief's passphrase, drop newer (the session restores)
    forms_installed = Signal(object)  # SessionInfo on the new forms: the session rebuilds the window

    def __init__(self, worker: Worker, info: SessionInfo, settings: Settings, lang: str) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.worker = worker
        self.info = info
        self.settings = settings
        self.lang = lang
        self.dialogs: list[QWidget] = []  # open record forms (drafts are saved before a lock)
        self.setWindowTitle(info.display_name)  # Qt appends the application's display name
        self.setWindowIcon(icon("app"))
        self.resize(1366, 740)

        self.nav = NavigationPane(list(info.modules), lang)
        self.nav.setMinimumWidth(190)
        self.nav.setMaximumWidth(260)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.setMovable(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([210, 1150])
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)
        self.nav.module_selected.connect(self.open_module)

        self._build_actions()
        self._build_status()
        # Sync (its own issue) takes over the status-bar corner and hides the plain outbox count.
        from fieldkit.ui import sync as sync_ui

        self.sync = sync_ui.install(self)
        # A form set from the platform waiting for the chief (issue 15): checked after each sync.
        from fieldkit.ui import formset_banner

        self.formset_banner = formset_banner.install(self)
        # Every change, wherever it was made (a form, an import, the household card, sync), reaches
        # every open tab once: the worker broadcasts what each job changed.
        worker.changed.connect(self.apply_changes)
        # The first list is queued before the counts: on a million-record store the counts take
        # seconds, and the officer wants the list they work in before the numbers beside the rest.
        first = info.hub("person") or (info.modules[0] if info.modules else None)
        if first is not None:
            self.nav.select(first.id)
        self.refresh_counts()

    # -- actions ----------------------------------------------------------------------------
    def _action(self, name: str, text: str, shortcut: Any, slot: Any, icon_name: str = "") -> QAction:
        action = QAction(icon(icon_name) if icon_name else icon("blank"), text, self)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(words.counted(text, QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.new_action = self._action("newAction", tr("新建"), "Ctrl+N", self.new_in_current, "add")
        self.search_action = self._action("searchAction", tr("全局查找"), "Ctrl+F", self.global_search, "search")
        self.settings_action = self._action("settingsAction", tr("设置"), "Ctrl+,", self.open_settings, "settings")
        self.lock_action = self._action("lockAction", tr("锁定"), "Ctrl+L", self.lock_requested.emit, "lock")
        self.refresh_action = self._action("refreshAction", tr("刷新"), "F5", self.refresh_current, "refresh")
        self.trash_action = self._action("trashAction", tr("回收站"), "Ctrl+Shift+T", self.open_trash, "trash")
        self.close_tab_action = self._action("closeTabAction", tr("关闭标签页"), "Ctrl+W",
                                             lambda: self.close_tab(self.tabs.currentIndex()))
        toolbar = QToolBar(tr("工具栏"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.new_action, self.search_action, self.refresh_action, self.trash_action):
            toolbar.addAction(action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        spacer_action = toolbar.addWidget(spacer)
        toolbar.addAction(self.settings_action)
        toolbar.addAction(self.lock_action)
        self.addToolBar(toolbar)
        self._install_features(toolbar, spacer_action)
        # A database found older than its audit anchor: a red banner, the chief decides (issue 11).
        from fieldkit.ui import rollback_banner

        self.rollback_banner = rollback_banner.install(self)

    def _install_features(self, toolbar: QToolBar, spacer_action: QAction) -> None:
        """The doorplate scan, the station chief's desk and sync (other issues) hook in here."""
        from fieldkit.ui import admin, scan, station

        scan_action = scan.install(self)  # Ctrl+Shift+D
        station.install(self)  # Ctrl+D desk, Ctrl+P ledger (Ctrl+E stays "edit" on record pages)
        admin.install(self, toolbar, spacer_action)  # backup, users: only for whom the table allows
        # Keep settings and lock alone at the right edge: feature actions go before the spacer.
        toolbar.removeAction(scan_action)
        toolbar.insertAction(spacer_action, scan_action)

    def _build_status(self) -> None:
        bar = self.statusBar()
        role = role_label(self.info.role, self.lang)
        self.user_label = QLabel(f"{self.info.display_name} ({role})" if self.lang == "en"
                                 else f"{self.info.display_name}（{role}）")
        self.user_label.setObjectName("statusUser")
        self.lock_label = QLabel(tr("已解锁 · Ctrl+L 锁定"))
        self.lock_label.setObjectName("statusLock")
        self.busy_label = QLabel()
        self.worker.busy_changed.connect(self._busy)
        # A read-only or full disk: said in the status bar for as long as it lasts (checked
        # at unlock and every half minute; a refused save also says so in its own message).
        self.storage_label = QLabel()
        self.storage_label.setObjectName("statusStorage")
        self.storage_label.setStyleSheet("color: #B22222; font-weight: bold;")
        self.storage_label.setWordWrap(True)
        self.storage_label.hide()
        self._storage_timer = QTimer(self)
        self._storage_timer.setInterval(30_000)
        self._storage_timer.timeout.connect(self.check_storage)
        self._storage_timer.start()
        bar.addWidget(self.user_label)
        bar.addWidget(self.lock_label)
        bar.addWidget(self.storage_label, 1)
        bar.addPermanentWidget(self.busy_label)
        if self.info.demo_devices:
            # Fakes stand in for the camera and the readers: never mistaken for a real capture.
            demo = QLabel(tr("演示设备：读卡、拍照、指纹均为模拟"))
            demo.setObjectName("statusDemoDevices")
            demo.setStyleSheet("color: #8E44AD; font-weight: bold;")
            bar.addPermanentWidget(demo)
        QTimer.singleShot(0, self.check_storage)

    def check_storage(self) -> None:
        self.worker.run(lambda job: storage_notice(job.ws), self._show_storage, progress=False,
                        key="storage", owner=self.storage_label)

    def _show_storage(self, notice: tuple[str, str] | None) -> None:
        text = "" if notice is None else (notice[1] if self.lang == "en" else notice[0])
        self.storage_label.setText(text)
        self.storage_label.setToolTip(text)
        self.storage_label.setVisible(bool(text))

    def _busy(self, busy: bool) -> None:
        self.busy_label.setText(tr("处理中…") if busy else "")

    # -- modules ----------------------------------------------------------------------------
    def refresh_counts(self) -> None:
        self.worker.run(lambda job: rec_service.counts(job.ws), self.nav.set_counts, progress=False, key="counts",
                        owner=self.nav)

    def module_view(self, module_id: str) -> ModuleView | None:
        for i in range(self.tabs.count()):
            w = self.tabs.widget(i)
            if isinstance(w, ModuleView) and w.spec.id == module_id:
                return w
        return None

    def open_module(self, module_id: str) -> ModuleView:
        view = self.module_view(module_id)
        if view is None:
            spec = self.info.module(module_id)
            view = ModuleView(
                self.worker, spec, page_size=self.settings.get("page_size"),
                search_delay_ms=self.settings.get("search_delay_ms"), lang=self.lang,
            )
            view.open_requested.connect(self.open_record)
            view.new_requested.connect(self.new_record)
            view.new_button.setVisible(self.info.may("create", module_id))  # forms/permissions.toml
            view.delete_button.setVisible(self.info.may("delete", module_id))
            view.import_button.setVisible(self.info.may("create", module_id))
            view.hukou_button.setVisible(spec.hub == "person" and self.info.may("create", module_id))
            view.count_changed.connect(self.nav.set_count)
            self.tabs.addTab(view, icon("list"), spec.label.get(self.lang))
        self.tabs.setCurrentWidget(view)
        self.nav.blockSignals(True)
        self.nav.select(module_id)
        self.nav.blockSignals(False)
        return view

    def current_module_id(self) -> str | None:
        w = self.tabs.currentWidget()
        if isinstance(w, ModuleView):
            return w.spec.id
        module = getattr(w, "module_id", None)
        return module if isinstance(module, str) else None

    def new_in_current(self) -> None:
        module_id = self.current_module_id()
        if module_id and self.info.may("create", module_id):
            view = self.tabs.currentWidget()
            self.new_record(module_id, view.new_initial() if hasattr(view, "new_initial") else None)

    def refresh_current(self) -> None:
        w = self.tabs.currentWidget()
        if hasattr(w, "refresh"):
            w.refresh()  # type: ignore[union-attr]
        self.refresh_counts()

    def close_tab(self, index: int) -> None:
        if index < 0:
            return
        w = self.tabs.widget(index)
        if w is not None and hasattr(w, "confirm_close") and not w.confirm_close():
            return  # a tab holding entries not yet saved asked, and the officer kept it open
        self.tabs.removeTab(index)
        if w is not None:
            w.deleteLater()

    def open_trash(self) -> QWidget:
        """The 回收站 tab: deleted records, who deleted them, when, why; 恢复 (one tab only)."""
        from fieldkit.ui.trash_view import TrashView

        for i in range(self.tabs.count()):
            if isinstance(self.tabs.widget(i), TrashView):
                self.tabs.setCurrentIndex(i)
                return self.tabs.widget(i)
        view = TrashView(self.worker, self.info, self.lang)
        self.tabs.addTab(view, icon("trash"), tr("回收站"))
        self.tabs.setCurrentWidget(view)
        return view

    # -- records ----------------------------------------------------------------------------
    def open_record(self, uuid: str, module_id: str) -> QWidget:
        from fieldkit.ui.pages import page_for

        for i in range(self.tabs.count()):
            w = self.tabs.widget(i)
            if getattr(w, "uuid", None) == uuid:
                self.tabs.setCurrentIndex(i)
                return w
        page = page_for(self.worker, self.info, uuid, module_id, self.lang)
        page.open_requested.connect(self.open_record)  # type: ignore[attr-defined]
        page.edit_requested.connect(self.edit_record)  # type: ignore[attr-defined]
        page.new_requested.connect(self.new_record)  # type: ignore[attr-defined]
        page.title_changed.connect(lambda text, p=page: self._retitle(p, text))  # type: ignore[attr-defined]
        self.tabs.addTab(page, icon("record"), tr("正在打开…"))
        self.tabs.setCurrentWidget(page)
        return page

    def _retitle(self, page: QWidget, text: str) -> None:
        i = self.tabs.indexOf(page)
        if i >= 0:
            self.tabs.setTabText(i, text if len(text) <= 14 else text[:13] + "…")
            self.tabs.setTabToolTip(i, text)

    def new_record(self, module_id: str, initial: dict | None = None) -> QWidget:
        return self._open_form(module_id, None, initial or {})

    def edit_record(self, uuid: str, module_id: str) -> QWidget:
        return self._open_form(module_id, uuid, None)

    def _open_form(self, module_id: str, uuid: str | None, initial: dict | None) -> QWidget:
        from fieldkit.ui.forms import RecordDialog

        spec = self.info.module(module_id)
        dialog = RecordDialog(self.worker, self.info, spec, uuid=uuid, initial=initial, lang=self.lang,
                              draft_seconds=self.settings.get("draft_seconds"), parent=self)
        dialog.open_requested.connect(self.open_record)
        dialog.finished.connect(lambda _r, d=dialog: self.dialogs.remove(d) if d in self.dialogs else None)
        self.dialogs.append(dialog)
        dialog.show()
        return dialog

    def apply_changes(self, changes: Any) -> None:
        """The tab protocol: each tab with `apply_changes(changes)` decides whether it shows any of
        what changed (`services.changes.Changes`); the navigation counts follow."""
        for i in range(self.tabs.count()):
            w = self.tabs.widget(i)
            if hasattr(w, "apply_changes"):
                w.apply_changes(changes)  # type: ignore[union-attr]
        self.refresh_counts()

    # -- search, settings, lock -------------------------------------------------------------
    def global_search(self) -> None:
        from fieldkit.ui.search_dialog import GlobalSearchDialog

        dialog = GlobalSearchDialog(self.worker, self.info, self.lang, self.settings.get("search_delay_ms"), self)
        dialog.open_requested.connect(self.open_record)
        dialog.show()
        self.search_dialog = dialog

    def open_settings(self) -> None:
        from fieldkit.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self, worker=self.worker, lang=self.lang)
        if dialog.exec():
            changed = dialog.apply()
            if changed:
                self.settings_changed.emit(changed)

    def prepare_lock(self) -> None:
        """Before the key goes (or the window is rebuilt): queue a draft save for every open form
        and every tab holding entries (the household card), then close the forms."""
        for dialog in list(self.dialogs):
            dialog.close_for_lock()  # type: ignore[attr-defined]
        self.dialogs.clear()
        for i in range(self.tabs.count()):
            w = self.tabs.widget(i)
            if hasattr(w, "prepare_lock"):
                w.prepare_lock()  # type: ignore[union-attr]

    def closeEvent(self, event: QCloseEvent) -> None:
        for dialog in list(self.dialogs):
            if not dialog.close():
                event.ignore()
                return
        super().closeEvent(event)
