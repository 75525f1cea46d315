"""Key-person follow-ups (重点人员随访): who is overdue or due soon, and recording a follow-up.

The list is `services.station.followups.followup_report` (the published schedule decides what
"overdue" means); recording goes through `record_followup`, which also moves the next due date
on — so a saved follow-up takes the person off the overdue list at the next refresh.

Threading: GUI thread only; reads and writes run as worker jobs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services.station import followups as fu_service
from fieldkit.ui.resources import icon
from fieldkit.ui.station.common import fill_table, hint, make_table, row_key, section
from fieldkit.ui.worker import Worker

MODULE = "key_persons"
DUE_SOON_DAYS = 7


def tr(text: str) -> str:
    return QCoreApplication.translate("StationFollowups", text)


class FollowupsPanel(QWidget):
    """`open_requested(uuid, module)`; `record_saved(uuid, module)` after a follow-up is saved."""

    open_requested = Signal(str, str)
    record_saved = Signal(str, str)

    def __init__(self, worker: Worker, info: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("followupsPanel")
        self.worker = worker
        self.info = info
        self.lang = lang
        self.report: fu_service.FollowUpReport | None = None
        self.shown: list[fu_service.FollowUpItem] = []
        self.loading = False
        self.saving = False
        spec = info.module(MODULE)
        sub = spec.field("follow_ups")
        self._risk = {c.value: c.label.get(lang) for c in spec.field("risk_level").choices}

        top = QHBoxLayout()
        top.addWidget(section(tr("重点人员随访")))
        self.summary = hint()
        self.summary.setObjectName("followupSummary")
        top.addWidget(self.summary, 1)
        self.scope = QComboBox()
        self.scope.setObjectName("followupScope")
        self.scope.addItem(tr("逾期未随访"), "overdue")
        self.scope.addItem(tr("7 天内到期"), "soon")
        self.scope.addItem(tr("全部在管人员"), "all")
        self.scope.setMinimumWidth(130)
        self.scope.currentIndexChanged.connect(self._fill)
        top.addWidget(self.scope)
        refresh = QPushButton(icon("refresh"), tr("刷新"))
        refresh.clicked.connect(self.refresh)
        top.addWidget(refresh)

        self.table = make_table([tr("人员"), tr("所属村"), tr("类别"), tr("风险"), tr("间隔(天)"), tr("最近随访"),
                                 tr("应随访日期"), tr("逾期天数"), tr("责任民警")], "followupTable", stretch=0)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.activated.connect(self._open)
        self.table.setToolTip(tr("双击或按回车打开该人员的记录"))

        box = QGroupBox(tr("登记一次随访"))
        box.setObjectName("followupForm")
        form = QFormLayout(box)
        self.who = QLabel(tr("先在左边的名单中选一个人"))
        self.who.setObjectName("followupWho")
        # No word wrap: a wrapping label in a form row asks for a tall row and leaves a gap.
        self.who.setMinimumWidth(200)
        form.addRow(tr("随访对象"), self.who)
        self.date = QDateEdit(QDate.currentDate())
        self.date.setObjectName("followupDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMaximumDate(QDate.currentDate())  # the form refuses a future date anyway
        form.addRow(tr("随访日期"), self.date)
        self.method = QComboBox()
        self.method.setObjectName("followupMethod")
        for c in sub.subfield("method").choices:
            self.method.addItem(c.label.get(lang), c.value)
        form.addRow(tr("随访方式"), self.method)
        self.condition = QComboBox()
        self.condition.setObjectName("followupCondition")
        for c in sub.subfield("condition").choices:
            self.condition.addItem(c.label.get(lang), c.value)
        self.condition.currentIndexChanged.connect(self._condition_changed)
        form.addRow(tr("现实表现"), self.condition)
        self.by = QLineEdit(info.display_name)
        self.by.setObjectName("followupBy")
        form.addRow(tr("随访人"), self.by)
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("followupNotes")
        self.notes.setPlaceholderText(tr("现实表现为“需关注”或“异常”时必须填写情况"))
        self.notes.setMaximumHeight(90)
        form.addRow(tr("情况记录"), self.notes)
        self.save_button = QPushButton(icon("add"), tr("保存随访"))
        self.save_button.setObjectName("followupSave")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        self.message = hint()
        self.message.setObjectName("followupMessage")
        form.addRow(self.save_button)
        form.addRow(self.message)
        box.setMaximumWidth(420)

        side = QVBoxLayout()
        side.addWidget(box)
        side.addStretch(1)  # the form keeps its natural height instead of spreading its rows
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        self._condition_changed()

    # -- loading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.loading = True
        self.summary.setText(tr("正在读取…"))
        self.worker.run(lambda job: fu_service.followup_report(job.ws, dt.date.today(), self.lang), self._loaded,
                        progress=False, key="station-followups", owner=self, parent=self)

    def _loaded(self, report: fu_service.FollowUpReport) -> None:
        self.loading = False
        self.report = report
        self.summary.setText(tr("在管 %1 人，逾期 %2 人，7 天内到期 %3 人（按随访周期表计算）")
                             .replace("%1", str(len(report.items))).replace("%2", str(report.overdue_count))
                             .replace("%3", str(len(report.due_within(DUE_SOON_DAYS)))))
        self._fill()

    def _fill(self) -> None:
        if self.report is None:
            return
        scope = self.scope.currentData()
        items = (self.report.overdue if scope == "overdue" else self.report.due_within(DUE_SOON_DAYS)
                 if scope == "soon" else self.report.items)
        keep = row_key(self.table)
        self.shown = list(items)
        fill_table(self.table, [(i.title, i.village, i.category, self._risk.get(i.risk_level, i.risk_level),
                                 i.interval_days, i.last or tr("从未随访"), i.due or "",
                                 i.days_overdue if i.days_overdue > 0 else "", i.officer) for i in items],
                   [i.uuid for i in items], numeric=(4, 7))
        for r, item in enumerate(self.shown):
            if item.uuid == keep:
                self.table.selectRow(r)
                break
        else:
            self._selected()

    def overdue_uuids(self) -> list[str]:
        return [i.uuid for i in self.report.overdue] if self.report else []

    # -- recording --------------------------------------------------------------------------
    def current(self) -> fu_service.FollowUpItem | None:
        uuid = row_key(self.table)
        return next((i for i in self.shown if i.uuid == uuid), None)

    def _selected(self) -> None:
        item = self.current()
        self.save_button.setEnabled(item is not None and not self.saving)
        self.who.setText(item.title if item else tr("先在左边的名单中选一个人"))

    def _condition_changed(self) -> None:
        needs = self.condition.currentData() != "stable"
        self.notes.setEnabled(needs)

    def _open(self) -> None:
        uuid = row_key(self.table)
        if uuid:
            self.open_requested.emit(uuid, MODULE)

    def save(self) -> None:
        item = self.current()
        if item is None or self.saving:
            return
        condition = self.condition.currentData()
        notes = self.notes.toPlainText().strip()
        if condition != "stable" and not notes:
            self.message.setText(tr("请填写情况记录"))
            self.notes.setFocus()
            return
        values = dict(date=self.date.date().toString("yyyy-MM-dd"), method=self.method.currentData(),
                      condition=condition, by=self.by.text().strip() or None,
                      notes=notes if condition != "stable" else None)
        self.saving = True
        self.save_button.setEnabled(False)
        self.message.setText(tr("正在保存…"))
        uuid = item.uuid
        self.worker.run(lambda job: fu_service.record_followup(job.ws, uuid, **values),
                        lambda rec: self._saved(rec, item), self._save_failed, progress=False, owner=self, parent=self)

    def _saved(self, rec: Any, item: fu_service.FollowUpItem) -> None:
        self.saving = False
        nxt = rec.data.get("next_follow_up") or ""
        self.message.setText(tr("已保存 %1 的随访，下次随访：%2").replace("%1", item.title).replace("%2", nxt))
        self.notes.clear()
        self.record_saved.emit(rec.uuid, MODULE)
        self.refresh()

    def _save_failed(self, exc: BaseException) -> None:
        from fieldkit.ui.errors import message_for, show_error

        self.saving = False
        self._selected()
        self.message.setText(tr("未保存：") + message_for(exc))
        show_error(self, exc)
