"""Check-ins (打点签到): record where and what one works today, and the weekly report per person.

`services.station.checkins.check_in` saves the check-in and says how the position was obtained;
it never refuses a check-in for want of a GPS fix — the note it returns ("未定位：…") is shown
as is, so the officer knows whether the record carries a position.

GPS: with 使用GPS定位 ticked, 签到 first reads the receiver (`read_position`, a worker job with
progress and cancel; the UI may not touch `fieldkit.devices`). A fix is shown (lat/lon,
accuracy) and saved only when the officer confirms it; no receiver or no fix saves at once with
"未定位" and the reason, so a check-in is never blocked by the receiver.

Threading: GUI thread only; saving and the report are worker jobs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services.station import checkins as ci_service
from fieldkit.ui import words
from fieldkit.ui.module_view import village_options
from fieldkit.ui.resources import icon
from fieldkit.ui.station.common import fill_table, hint, make_table, section
from fieldkit.ui.worker import Worker

MODULE = "checkins"
WEEKS_BACK = 8
GPS_TIMEOUT_S = 20.0  # a receiver just switched on needs tens of seconds for its first fix


def tr(text: str) -> str:
    return QCoreApplication.translate("StationCheckins", text)


def recent_weeks(today: dt.date, n: int = WEEKS_BACK) -> list[tuple[str, str]]:
    """(label, "2026-W47") for this week and the `n-1` before it."""
    out = []
    for i in range(n):
        day = today - dt.timedelta(weeks=i)
        week = ci_service.week_of(day)
        monday = day - dt.timedelta(days=day.weekday())
        sunday = monday + dt.timedelta(days=6)
        prefix = tr("本周") if i == 0 else tr("上周") if i == 1 else week
        out.append((words.counted(prefix, tr("%1 至 %2").replace("%1", f"{monday:%m-%d}").replace("%2", f"{sunday:%m-%d}")), week))
    return out


class CheckinsPanel(QWidget):
    """`record_saved(uuid, module)` after a check-in."""

    record_saved = Signal(str, str)
    open_requested = Signal(str, str)

    def __init__(self, worker: Worker, info: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkinsPanel")
        self.worker = worker
        self.info = info
        self.lang = lang
        self.report: ci_service.WeekReport | None = None
        self.last: ci_service.CheckInResult | None = None
        self.loading = False
        self.saving = False
        spec = info.module(MODULE)

        top = QHBoxLayout()
        top.addWidget(section(tr("打点签到")))
        top.addStretch(1)

        box = QGroupBox(tr("现在签到"))
        box.setObjectName("checkinForm")
        form = QFormLayout(box)
        self.village = QComboBox()
        self.village.setObjectName("checkinVillage")
        self.village.setPlaceholderText(tr("选择所在村（社区）"))
        form.addRow(tr("所在村"), self.village)
        self.place = QLineEdit()
        self.place.setObjectName("checkinPlace")
        self.place.setPlaceholderText(tr("如：自然村、学校、水库"))
        form.addRow(tr("地点"), self.place)
        self.work = QComboBox()
        self.work.setObjectName("checkinWork")
        for c in spec.field("work").choices:
            self.work.addItem(c.label.get(lang), c.value)
        form.addRow(tr("工作内容"), self.work)
        self.notes = QLineEdit()
        self.notes.setObjectName("checkinNotes")
        form.addRow(tr("备注"), self.notes)
        self.use_gps = QCheckBox(tr("使用GPS定位"))
        self.use_gps.setObjectName("checkinUseGps")
        self.use_gps.setChecked(True)
        self.use_gps.toggled.connect(lambda _on: self._forget_position())
        form.addRow(tr("定位"), self.use_gps)
        self.gps = hint(tr("签到前读取 USB GPS 定位器，先显示位置再保存；没有定位器或搜不到卫星时只记录所选村和地点。"))
        self.gps.setObjectName("checkinGps")
        form.addRow("", self.gps)
        self.position: ci_service.Position | None = None  # a fix shown, waiting for 确认签到
        self.save_button = QPushButton(icon("add"), tr("签到"))
        self.save_button.setObjectName("checkinSave")
        self.save_button.clicked.connect(self.save)
        form.addRow(self.save_button)
        self.message = hint()
        self.message.setObjectName("checkinMessage")
        form.addRow(self.message)
        box.setMaximumWidth(430)

        report = QWidget()
        rl = QVBoxLayout(report)
        rl.setContentsMargins(0, 0, 0, 0)
        rrow = QHBoxLayout()
        rrow.addWidget(section(tr("签到周报")))
        rrow.addStretch(1)
        self.week = QComboBox()
        self.week.setObjectName("checkinWeek")
        for label, key in recent_weeks(dt.date.today()):
            self.week.addItem(label, key)
        self.week.currentIndexChanged.connect(self.refresh)
        self.only_me = QCheckBox(tr("只看我自己"))
        self.only_me.setObjectName("checkinOnlyMe")
        self.only_me.setChecked(info.role != "chief")
        self.only_me.toggled.connect(self.refresh)
        rrow.addWidget(self.week)
        rrow.addWidget(self.only_me)
        refresh = QPushButton(icon("refresh"), tr("刷新"))
        refresh.clicked.connect(self.refresh)
        rrow.addWidget(refresh)
        rl.addLayout(rrow)
        self.summary = hint()
        self.summary.setObjectName("checkinSummary")
        rl.addWidget(self.summary)
        self.table = make_table([tr("姓名"), tr("日期"), tr("签到次数"), tr("到过的村"), tr("最早"), tr("最晚"), tr("带定位")],
                                "checkinTable", stretch=3)
        rl.addWidget(self.table, 1)

        left = QVBoxLayout()
        left.addWidget(box)
        left.addStretch(1)
        body = QHBoxLayout()
        body.addLayout(left)
        body.addWidget(report, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        self.worker.run(lambda job: village_options(job.ws), self._villages, progress=False, owner=self, parent=self)

    def _villages(self, options: list[tuple[str, str]]) -> None:
        for code, name in options:
            self.village.addItem(name, code)

    # -- check in ---------------------------------------------------------------------------
    def save(self) -> None:
        if self.saving:
            return
        if not self.village.currentData():
            self.message.setText(tr("请先选择所在村（社区）"))
            self.village.setFocus()
            return
        if self.use_gps.isChecked() and self.position is None:
            self._locate()
            return
        self._save(self.position if self.use_gps.isChecked() else ci_service.NOT_USED)

    def _locate(self) -> None:
        self.saving = True
        self.save_button.setEnabled(False)
        self.message.setText(tr("正在读取 GPS 定位…"))

        def failed(exc: BaseException) -> None:
            from fieldkit.domain.errors import Cancelled

            self.saving = False
            self.save_button.setEnabled(True)
            if isinstance(exc, Cancelled):
                self.message.setText(tr("已取消定位，没有签到"))
            else:
                self._failed(exc)

        self.worker.run(lambda job: ci_service.read_position(job.ws, timeout=GPS_TIMEOUT_S, progress=job.progress,
                                                             cancel=job.cancel),
                        self._located, failed, label=tr("正在读取 GPS 定位…"), owner=self, parent=self)

    def _located(self, position: ci_service.Position) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        if position.geo is None:  # nothing to confirm: saved at once, saying why
            self._save(position)
            return
        self.position = position
        text = position.text_en if self.lang == "en" else position.text_zh
        self.gps.setText(tr("已定位：") + text)
        self.message.setText(tr("请核对位置，再点“确认签到”"))
        self.save_button.setText(tr("确认签到"))

    def _forget_position(self) -> None:
        self.position = None
        self.save_button.setText(tr("签到"))

    def _save(self, position: ci_service.Position | None) -> None:
        values = dict(village=self.village.currentData(), work=self.work.currentData(),
                      place=self.place.text().strip() or None, notes=self.notes.text().strip() or None)
        self.saving = True
        self.save_button.setEnabled(False)
        self.message.setText(tr("正在签到…"))
        self.worker.run(lambda job: ci_service.check_in(job.ws, position=position, **values), self._saved,
                        self._failed, progress=False, owner=self, parent=self)

    def _saved(self, result: ci_service.CheckInResult) -> None:
        self.saving = False
        self.last = result
        self.save_button.setEnabled(True)
        at = str(result.record.data.get("at") or "").replace("T", " ")
        note = result.note_en if self.lang == "en" else result.note_zh
        text = tr("已签到：%1 %2").replace("%1", at).replace("%2", self.village.currentText())
        self.message.setText(text + (f"。{note}" if note else tr("。已记录位置")))
        self.gps.setText(note or tr("已记录位置"))
        self._forget_position()
        self.place.clear()
        self.notes.clear()
        self.record_saved.emit(result.record.uuid, MODULE)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        from fieldkit.ui.errors import message_for, show_error

        self.saving = False
        self.save_button.setEnabled(True)
        self.message.setText(tr("未签到：") + message_for(exc))
        show_error(self, exc)

    # -- weekly report ----------------------------------------------------------------------
    def refresh(self) -> None:
        self.loading = True
        week = self.week.currentData()
        login = self.info.login if self.only_me.isChecked() else None
        self.worker.run(lambda job: ci_service.week_report(job.ws, week, login=login), self._loaded,
                        progress=False, key="station-checkins", owner=self, parent=self)

    def _loaded(self, report: ci_service.WeekReport) -> None:
        self.loading = False
        self.report = report
        rows = [(p.name, d.date, d.checkins, words.items(d.villages), d.first, d.last, d.located)
                for p in report.people for d in p.days]
        fill_table(self.table, rows, numeric=(2, 6))
        total = sum(p.total for p in report.people)
        self.summary.setText(tr("%1 至 %2：%3 人签到 %4 次").replace("%1", report.start).replace("%2", report.end)
                             .replace("%3", str(len(report.people))).replace("%4", str(total)))
