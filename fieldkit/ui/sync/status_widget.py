"""The status bar's sync corner: online/offline, changes waiting, last sync, errors in words.

One click opens a small menu: 立即同步 / 同步冲突… / 登记到服务器…. The widget only shows what
its `SyncController` reports; it never touches the database or the network itself.

Threading: GUI thread only.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QHBoxLayout, QMenu, QToolButton, QWidget

from fieldkit.domain.errors import UserFacingError
from fieldkit.services.sync_service import SyncResult, SyncStatus
from fieldkit.ui import words
from fieldkit.ui.errors import message_for
from fieldkit.ui.sync.controller import SyncController


def tr(text: str) -> str:
    return QCoreApplication.translate("SyncStatus", text)


def ago(iso_utc: str | None, now: dt.datetime | None = None) -> str:
    """"刚刚" / "12 分钟前" / "3 小时前" / "2 天前" for an ISO UTC time; "从未" when None."""
    if not iso_utc:
        return tr("从未")
    try:
        then = dt.datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
    except ValueError:
        return iso_utc
    now = now or dt.datetime.now(dt.UTC)
    minutes = int((now - then).total_seconds() // 60)
    if minutes < 1:
        return tr("刚刚")
    if minutes < 60:
        return tr("%1 分钟前").replace("%1", str(minutes))
    if minutes < 48 * 60:
        return tr("%1 小时前").replace("%1", str(minutes // 60))
    return tr("%1 天前").replace("%1", str(minutes // (24 * 60)))


class SyncStatusWidget(QWidget):
    """`conflicts_requested` / `enroll_requested` ask the window to open those views."""

    conflicts_requested = Signal()
    enroll_requested = Signal()

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.controller = controller
        self.status: SyncStatus | None = None
        self.error: str | None = None
        self.note: str = ""
        self.button = QToolButton(self)
        self.button.setObjectName("syncStatusButton")
        self.button.setAutoRaise(True)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self)
        self.sync_action = self.menu.addAction(tr("立即同步"), controller.sync_now)
        self.sync_action.setObjectName("syncNowAction")
        self.conflicts_action = self.menu.addAction(tr("同步冲突…"), self.conflicts_requested.emit)
        self.enroll_action = self.menu.addAction(tr("登记到服务器…"), self.enroll_requested.emit)
        self.button.setMenu(self.menu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        controller.status_changed.connect(self._on_status)
        controller.online_changed.connect(lambda _: self.render())
        controller.syncing_changed.connect(lambda _: self.render())
        controller.synced.connect(self._on_synced)
        controller.failed.connect(self._on_failed)
        self.render()

    # -- controller events -----------------------------------------------------------------
    def _on_status(self, status: SyncStatus) -> None:
        self.status = status
        if status.last_error is None:
            self.error = None
        elif self.error is None:
            # After a restart the last failure is remembered by the store, not by us.
            self.error = status.last_error_en if _english() else status.last_error
        self.render()

    def _on_synced(self, result: SyncResult) -> None:
        self.error = None
        notes = []
        if result.alerts:
            notes.append(tr("布控提醒 %1 条").replace("%1", str(len(result.alerts))))
        if result.rejected:
            notes.append(tr("%1 条未被服务器接收").replace("%1", str(len(result.rejected))))
        self.note = words.clauses(notes)
        self.render()

    def _on_failed(self, exc: UserFacingError) -> None:
        self.error = message_for(exc)
        self.render()

    # -- drawing ---------------------------------------------------------------------------
    def text(self) -> str:
        """What the status bar reads, e.g. "● 在线 · 待同步 3 条 · 上次同步 5 分钟前"."""
        st, c = self.status, self.controller
        if st is None:
            return tr("同步：读取中…")
        if not st.enrolled:
            return tr("未登记同步服务器 · 待同步 %1 条").replace("%1", f"{st.pending:,}")
        if c.syncing:
            state = tr("● 正在同步…")
        elif c.online is False:
            state = tr("○ 离线")
        elif c.online:
            state = tr("● 在线")
        else:
            state = tr("◌ 检查网络…")
        parts = [state, tr("待同步 %1 条").replace("%1", f"{st.pending:,}"),
                 tr("上次同步 %1").replace("%1", ago(st.last_sync))]
        if st.conflicts:
            parts.append(tr("冲突 %1 处").replace("%1", str(st.conflicts)))
        if st.rejected:
            parts.append(tr("被拒 %1 条").replace("%1", str(st.rejected)))
        if self.note:
            parts.append(self.note)
        if self.error:
            # The first sentence fits the bar; the tooltip holds the whole message.
            parts.append(self.error.split("。")[0].split(". ")[0])
        return " · ".join(parts)

    def render(self) -> None:
        self.button.setText(self.text())
        st = self.status
        tip = []
        if st is not None and st.enrolled:
            tip.append(tr("服务器：%1").replace("%1", st.server or ""))
            if st.scope:
                tip.append(tr("辖区：%1").replace("%1", words.items(st.scope)))
        if self.error:
            tip.append(tr("上次同步失败：%1").replace("%1", self.error))
        if st is not None and st.pending:
            tip.append(tr("未同步的修改都安全地保存在本机。"))
        self.button.setToolTip("\n".join(tip))
        self.button.setProperty("syncError", bool(self.error))
        enrolled = bool(st and st.enrolled)
        self.sync_action.setEnabled(enrolled and not self.controller.syncing)
        self.conflicts_action.setEnabled(bool(st and st.conflicts))
        self.enroll_action.setText(tr("重新登记…") if enrolled else tr("登记到服务器…"))
        self.button.setStyleSheet("color: #b3261e;" if self.error else "")


def _english() -> bool:
    from fieldkit.ui.errors import ui_language

    return ui_language() == "en"
