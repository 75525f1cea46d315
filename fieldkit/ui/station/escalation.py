"""Event escalation (事件逐级上报): the open events, one event's timeline, and the next step.

Grid → village → township → county, up only; the service enforces the order (a skipped level
only for 特急), records every step, outcome and the feedback. This panel offers only the moves
that make sense for the selected event, and shows the service's refusal plainly otherwise.

Threading: GUI thread only; every read and write is a worker job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services import records as rec_service
from fieldkit.services.station import escalation as esc_service
from fieldkit.ui.resources import icon
from fieldkit.ui.station.common import fill_table, hint, make_table, row_key, section
from fieldkit.ui.worker import Worker

MODULE = "events"
LIST_LIMIT = 500  # newest first; a station with more open events has a bigger problem than a list
SCOPES = {"open": ("reported", "handling"), "resolved": ("resolved",), "all": ("reported", "handling", "resolved", "fed_back")}


def tr(text: str) -> str:
    return QCoreApplication.translate("StationEscalation", text)


@dataclass(frozen=True)
class EventRow:
    uuid: str
    title: str
    category: str
    urgency: str  # value
    level: str  # value
    status: str  # value
    found_at: str
    village: str


def load_events(ws: Any, statuses: tuple[str, ...], lang: str = "zh") -> list[EventRow]:
    """Database thread: events with these statuses, newest first, as plain rows (words in `lang`)."""
    spec = ws.module(MODULE)
    category = spec.field("category")
    out: list[EventRow] = []
    for status in statuses:
        ids = rec_service.list_ids(ws, MODULE, order_by="found_at", desc=True, where={"status": status})[:LIST_LIMIT]
        for rec in rec_service.rows(ws, ids):
            d = rec.data
            out.append(EventRow(rec.uuid, str(d.get("title") or rec_service.title(ws, rec, lang)),
                                category.choice_label(str(d.get("category") or ""), lang), str(d.get("urgency") or ""),
                                str(d.get("level") or "grid"), str(d.get("status") or ""), str(d.get("found_at") or ""),
                                rec_service.village_name(ws, str(d["village"])) if d.get("village") else ""))
    out.sort(key=lambda e: e.found_at, reverse=True)
    return out[:LIST_LIMIT]


class EscalationPanel(QWidget):
    """`open_requested(uuid, module)`; `record_saved(uuid, module)` after every step."""

    open_requested = Signal(str, str)
    record_saved = Signal(str, str)

    def __init__(self, worker: Worker, info: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("escalationPanel")
        self.worker = worker
        self.info = info
        self.lang = lang
        self.events: list[EventRow] = []
        self.steps: list[dict[str, str]] = []
        self.steps_for: str | None = None  # uuid of the event whose timeline is shown
        self.loading = False
        self.busy = False
        spec = info.module(MODULE)
        self._labels = {name: {c.value: c.label.get(lang) for c in spec.field(name).choices}
                        for name in ("urgency", "level", "status")}

        top = QHBoxLayout()
        top.addWidget(section(tr("事件逐级上报")))
        self.summary = hint()
        top.addWidget(self.summary, 1)
        self.scope = QComboBox()
        self.scope.setObjectName("eventScope")
        self.scope.addItem(tr("未办结"), "open")
        self.scope.addItem(tr("已办结待反馈"), "resolved")
        self.scope.addItem(tr("全部"), "all")
        self.scope.setMinimumWidth(130)
        self.scope.currentIndexChanged.connect(self.refresh)
        top.addWidget(self.scope)
        refresh = QPushButton(icon("refresh"), tr("刷新"))
        refresh.clicked.connect(self.refresh)
        top.addWidget(refresh)

        self.table = make_table([tr("事件"), tr("类别"), tr("紧急程度"), tr("当前层级"), tr("状态"), tr("发现时间"),
                                 tr("所属村")], "eventTable", stretch=0)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.activated.connect(lambda: (u := row_key(self.table)) and self.open_requested.emit(u, MODULE))
        self.table.setToolTip(tr("双击或按回车打开事件记录"))

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(tr("选择一个事件查看流转记录"))
        self.heading.setObjectName("eventHeading")
        self.heading.setWordWrap(True)
        rl.addWidget(self.heading)
        self.timeline = make_table([tr("时间"), tr("层级"), tr("处置人"), tr("处置情况"), tr("结果")], "timelineTable",
                                   stretch=3)
        self.timeline.setWordWrap(True)
        rl.addWidget(self.timeline, 1)

        box = QGroupBox(tr("办理"))
        form = QFormLayout(box)
        self.action = QPlainTextEdit()
        self.action.setObjectName("eventAction")
        self.action.setPlaceholderText(tr("处置情况、上报理由或给上报人的反馈"))
        self.action.setMaximumHeight(70)
        form.addRow(tr("说明"), self.action)
        self.handler = QLineEdit(info.display_name)
        self.handler.setObjectName("eventHandler")
        form.addRow(tr("处置人/单位"), self.handler)
        up = QHBoxLayout()
        self.to_level = QComboBox()
        self.to_level.setObjectName("eventToLevel")
        self.escalate_button = QPushButton(tr("上报上级"))
        self.escalate_button.setObjectName("eventEscalate")
        self.escalate_button.clicked.connect(self.escalate)
        up.addWidget(self.to_level, 1)
        up.addWidget(self.escalate_button)
        form.addRow(tr("移交到"), up)
        outcome = QHBoxLayout()
        self.pending_button = QPushButton(tr("登记处置中"))
        self.pending_button.setObjectName("eventPending")
        self.pending_button.clicked.connect(lambda: self.outcome("pending"))
        self.handled_button = QPushButton(tr("已处置，办结"))
        self.handled_button.setObjectName("eventHandled")
        self.handled_button.clicked.connect(lambda: self.outcome("handled"))
        self.feedback_button = QPushButton(tr("向上报人反馈"))
        self.feedback_button.setObjectName("eventFeedback")
        self.feedback_button.clicked.connect(self.feedback)
        for b in (self.pending_button, self.handled_button, self.feedback_button):
            outcome.addWidget(b)
        form.addRow(tr("本级处置"), outcome)
        self.message = hint()
        self.message.setObjectName("eventMessage")
        form.addRow(self.message)
        rl.addWidget(box)

        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        split.setSizes([680, 460])  # the event list needs its title column; the timeline wraps
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self._selected()

    # -- loading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.loading = True
        statuses = SCOPES[self.scope.currentData()]
        self.worker.run(lambda job: load_events(job.ws, statuses, self.lang), self._loaded, progress=False,
                        key="station-events", owner=self, parent=self)

    def _loaded(self, events: list[EventRow]) -> None:
        self.loading = False
        keep = row_key(self.table)
        self.events = events
        lab = self._labels
        fill_table(self.table, [(e.title, e.category, lab["urgency"].get(e.urgency, e.urgency),
                                 lab["level"].get(e.level, e.level), lab["status"].get(e.status, e.status),
                                 e.found_at.replace("T", " "), e.village) for e in events], [e.uuid for e in events])
        self.summary.setText(tr("共 %1 件").replace("%1", str(len(events))))
        row = next((i for i, e in enumerate(events) if e.uuid == keep), 0 if events else -1)
        if row >= 0:
            self.table.selectRow(row)
        self._selected()

    def current(self) -> EventRow | None:
        uuid = row_key(self.table)
        return next((e for e in self.events if e.uuid == uuid), None)

    def _selected(self) -> None:
        event = self.current()
        self.to_level.clear()
        if event is None:
            self.heading.setText(tr("选择一个事件查看流转记录"))
            self.timeline.setRowCount(0)
            self.steps, self.steps_for = [], None
        else:
            self.heading.setText(f"<b>{event.title}</b>&nbsp;&nbsp;{self._labels['level'].get(event.level, event.level)} · "
                                 f"{self._labels['status'].get(event.status, event.status)}")
            levels = esc_service.LEVELS
            cur = levels.index(event.level) if event.level in levels else 0
            # Only the next level, unless 特急: the service would refuse a skip anyway.
            allowed = levels[cur + 1:] if event.urgency == "critical" else levels[cur + 1:cur + 2]
            for lv in allowed:
                self.to_level.addItem(self._labels["level"].get(lv, lv), lv)
            uuid = event.uuid
            self.worker.run(lambda job: esc_service.timeline(job.ws, uuid, self.lang),
                            lambda steps: self._timeline(uuid, steps),
                            progress=False, key="station-timeline", owner=self, parent=self)
        self._enable()

    def _enable(self) -> None:
        event = self.current()
        open_ = event is not None and event.status in ("reported", "handling") and not self.busy
        self.escalate_button.setEnabled(open_ and self.to_level.count() > 0)
        self.to_level.setEnabled(open_ and self.to_level.count() > 0)
        self.pending_button.setEnabled(open_)
        self.handled_button.setEnabled(open_)
        self.feedback_button.setEnabled(event is not None and event.status == "resolved" and not self.busy)

    def _timeline(self, uuid: str, steps: list[dict[str, str]]) -> None:
        self.steps, self.steps_for = steps, uuid
        fill_table(self.timeline, [(s["at"].replace("T", " "), s["level"], s["handler"], s["action"], s["outcome"])
                                   for s in steps])
        if not steps:
            self.timeline.setRowCount(0)

    # -- actions ----------------------------------------------------------------------------
    def _text(self) -> str | None:
        text = self.action.toPlainText().strip()
        if not text:
            self.message.setText(tr("请先写明处置情况或理由"))
            self.action.setFocus()
            return None
        return text

    def _run(self, fn, done_text: str) -> None:
        event = self.current()
        if event is None:
            return
        self.busy = True
        self._enable()
        self.message.setText(tr("正在保存…"))
        self.worker.run(lambda job: fn(job.ws, event.uuid), lambda rec: self._done(rec, done_text), self._failed,
                        progress=False, owner=self, parent=self)

    def escalate(self) -> None:
        text, level = self._text(), self.to_level.currentData()
        if text and level:
            handler = self.handler.text().strip() or None
            self._run(lambda ws, uuid: esc_service.escalate(ws, uuid, level, text, handler),
                      tr("已上报到：") + self.to_level.currentText())

    def outcome(self, outcome: str) -> None:
        text = self._text()
        if text:
            handler = self.handler.text().strip() or None
            self._run(lambda ws, uuid: esc_service.record_outcome(ws, uuid, outcome, text, handler),
                      tr("已办结") if outcome == "handled" else tr("已登记处置情况"))

    def feedback(self) -> None:
        text = self._text()
        if text:
            self._run(lambda ws, uuid: esc_service.feed_back(ws, uuid, text), tr("已向上报人反馈"))

    def _done(self, rec: Any, text: str) -> None:
        self.busy = False
        self.action.clear()
        self.message.setText(text)
        self.record_saved.emit(rec.uuid, MODULE)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        from fieldkit.ui.errors import message_for, show_error

        self.busy = False
        self._enable()
        self.message.setText(tr("未保存：") + message_for(exc))
        show_error(self, exc)
