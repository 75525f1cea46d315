"""The chief's dashboard (工作统计): headline figures, trends, categories, villages, overdue work.

The window is any run of months (从/至 month pickers, default the last 12), the area chart is by
village or by grid, and a month still filling up is marked (hatched, "本月至今", the tooltip says
up to which day). For the chief, when and where the last backup was made, and an orange banner
with a "备份…" button after a week without one (`backup_requested()`).

All figures come from `services.station.dashboard.dashboard` in one worker job; the view only
arranges them. A double-click on an overdue follow-up asks the main window to open the person's
record (`open_requested(uuid, "key_persons")`).

Threading: GUI thread only; the data is computed on the database thread and arrives as the
service's plain dataclasses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QLocale, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services.station import dashboard as dash_service
from fieldkit.ui import words
from fieldkit.ui.resources import icon
from fieldkit.ui.station.charts import BarChart, ChartSeries, LineChart
from fieldkit.ui.station.common import fill_table, hint, make_table, row_key, section
from fieldkit.ui.worker import Worker

MAX_TREND_LINES = 5  # more lines than this on one plot turn into spaghetti


def tr(text: str) -> str:
    return QCoreApplication.translate("StationDashboard", text)


def month_label(month: str, first: bool, lang: str = "zh") -> str:
    """'2026-01' → '1月' / 'Jan' (+ the year under the first month and under every January)."""
    y, m = month[:4], int(month[5:7])
    name = QLocale(QLocale.Language.English).monthName(m, QLocale.FormatType.ShortFormat) if lang == "en" else f"{m}月"
    return f"{name}\n{y}" if first or m == 1 else name


class Card(QFrame):
    """A headline figure: a big number and what it counts."""

    def __init__(self, caption: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"QFrame#{name} {{ background: #f8fafc; border: 1px solid #d1d5db; border-radius: 6px; }}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.value = QLabel("—")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 2.0)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color: #4b5563; border: none;")
        self.value.setStyleSheet("border: none;")
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set(self, value: str, alert: bool = False) -> None:
        self.value.setText(value)
        self.value.setStyleSheet("border: none; color: %s;" % ("#b91c1c" if alert else "#1f2937"))


class DashboardView(QWidget):
    """`open_requested(uuid, module_id)`; `export_requested()` opens the ledger dialog."""

    open_requested = Signal(str, str)
    export_requested = Signal()
    backup_requested = Signal()

    def __init__(self, worker: Worker, info: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stationDashboard")
        self.worker = worker
        self.info = info
        self.lang = lang
        self.data: dash_service.Dashboard | None = None
        self.loading = False
        self._risk = _choice_labels(info, "key_persons", "risk_level", lang)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 0)
        top = QHBoxLayout()
        top.addWidget(section(tr("工作统计")))
        self.as_of = hint()
        self.as_of.setObjectName("dashboardAsOf")
        top.addWidget(self.as_of, 1)
        self.export_button = QPushButton(icon("list"), tr("导出台账…"))
        self.export_button.setObjectName("exportLedgerButton")
        self.export_button.clicked.connect(self.export_requested.emit)
        self.refresh_button = QPushButton(icon("refresh"), tr("刷新"))
        self.refresh_button.setObjectName("dashboardRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.export_button)
        top.addWidget(self.refresh_button)
        outer.addLayout(top)
        outer.addLayout(self._window_row())
        outer.addWidget(self._backup_banner())

        cards = QHBoxLayout()
        self.card_overdue = Card(tr("重点人员逾期未随访"), "cardOverdue")
        self.card_events = Card(tr("未办结事件隐患"), "cardOpenEvents")
        self.card_tasks = Card(tr("待接收 / 进行中的任务"), "cardOpenTasks")
        self.card_sync = Card(tr("待同步的修改"), "cardPendingSync")
        for card in (self.card_overdue, self.card_events, self.card_tasks, self.card_sync):
            cards.addWidget(card)
        outer.addLayout(cards)

        # Charts scroll: on a 768-pixel screen only the first row fits; the rest is a scroll away.
        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 4, 0, 8)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        self.trend = LineChart(tr("工作量（按月）"))
        self.trend.setObjectName("trendChart")
        self.trend.setMinimumHeight(270)
        self.trend_pick = QComboBox()
        self.trend_pick.setObjectName("trendPick")
        self.trend_pick.currentIndexChanged.connect(self._show_trend)
        grid.addWidget(_titled(tr("显示："), self.trend_pick, self.trend), 0, 0)

        self.category = BarChart(tr("按类别统计"))
        self.category.setObjectName("categoryChart")
        self.category.setMinimumHeight(270)
        self.category_pick = QComboBox()
        self.category_pick.setObjectName("categoryPick")
        self.category_pick.currentIndexChanged.connect(self._show_category)
        grid.addWidget(_titled(tr("类别："), self.category_pick, self.category), 0, 1)

        self.village = BarChart(tr("按村（社区）统计"), horizontal=True)
        self.village.setObjectName("villageChart")
        self.village_pick = QComboBox()
        self.village_pick.setObjectName("villagePick")
        self.village_pick.currentIndexChanged.connect(self._show_village)
        grid.addWidget(_titled(tr("模块："), self.village_pick, self.village), 1, 0, 2, 1)

        self.levels = BarChart(tr("未办结事件（按当前处置层级）"))
        self.levels.setObjectName("levelsChart")
        grid.addWidget(_card(self.levels), 1, 1)
        self.tasks = BarChart(tr("任务包（按状态）"))
        self.tasks.setObjectName("tasksChart")
        grid.addWidget(_card(self.tasks), 2, 1)

        overdue_box = QWidget()
        ob = QVBoxLayout(overdue_box)
        ob.setContentsMargins(0, 0, 0, 0)
        ob.addWidget(section(tr("逾期未随访的重点人员")))
        self.overdue_note = hint()
        self.overdue_note.setObjectName("overdueNote")
        ob.addWidget(self.overdue_note)
        self.overdue = make_table([tr("人员"), tr("所属村"), tr("类别"), tr("风险"), tr("应随访日期"), tr("逾期天数"),
                                   tr("责任民警")], "overdueTable", stretch=0)
        self.overdue.setMinimumHeight(240)
        self.overdue.activated.connect(self._open_overdue)
        self.overdue.setToolTip(tr("双击或按回车打开该人员的记录"))
        ob.addWidget(self.overdue)
        grid.addWidget(overdue_box, 3, 0)

        self.modules = BarChart(tr("各模块记录数"), horizontal=True)
        self.modules.setObjectName("modulesChart")
        grid.addWidget(_card(self.modules), 3, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)

        scroll = QScrollArea()
        scroll.setObjectName("dashboardScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

    def _window_row(self) -> QHBoxLayout:
        """从 [month] 至 [month] · 按 [村/网格]: the period and the area of the charts."""
        row = QHBoxLayout()
        today = QDate.currentDate()
        self.first_month = _month_edit("dashboardFrom", today.addMonths(-11))
        self.last_month = _month_edit("dashboardTo", today)
        self.area = QComboBox()
        self.area.setObjectName("dashboardArea")
        self.area.addItem(tr("按村（社区）"), "village")
        self.area.addItem(tr("按网格"), "grid")
        for label, w in ((tr("时间段 从"), self.first_month), (tr("至"), self.last_month), (tr("地区"), self.area)):
            row.addWidget(QLabel(label))
            row.addWidget(w)
        self.last_year = QPushButton(tr("近 12 个月"))
        self.last_year.setObjectName("dashboardLastYear")
        self.last_year.clicked.connect(self.reset_window)
        row.addWidget(self.last_year)
        row.addStretch(1)
        self.last_month.dateChanged.connect(self.first_month.setMaximumDate)  # never a reversed window
        self.first_month.setMaximumDate(self.last_month.date())
        self.first_month.dateChanged.connect(lambda _d: self.refresh())
        self.last_month.dateChanged.connect(lambda _d: self.refresh())
        self.area.currentIndexChanged.connect(lambda _i: self.refresh())
        return row

    def _backup_banner(self) -> QFrame:
        box = QFrame()
        box.setObjectName("dashboardBackupBanner")
        row = QHBoxLayout(box)
        row.setContentsMargins(8, 2, 8, 2)
        self.backup_note = QLabel()
        self.backup_note.setObjectName("dashboardBackupNote")
        self.backup_note.setWordWrap(True)
        row.addWidget(self.backup_note, 1)
        self.backup_button = QPushButton(tr("备份…"))
        self.backup_button.setObjectName("dashboardBackup")
        self.backup_button.clicked.connect(self.backup_requested.emit)
        row.addWidget(self.backup_button)
        box.hide()
        self.backup_banner = box
        return box

    def reset_window(self) -> None:
        today = QDate.currentDate()
        for w in (self.first_month, self.last_month):
            w.blockSignals(True)
        self.last_month.setDate(today)
        self.first_month.setMaximumDate(today)  # the signal that moves it is blocked here
        self.first_month.setDate(today.addMonths(-11))
        for w in (self.first_month, self.last_month):
            w.blockSignals(False)
        self.refresh()

    def period(self) -> tuple[str, str, str]:
        """(first month, last month, area) as the service takes them."""
        return (self.first_month.date().toString("yyyy-MM"), self.last_month.date().toString("yyyy-MM"),
                str(self.area.currentData()))

    # -- loading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.loading = True
        self.refresh_button.setEnabled(False)
        self.as_of.setText(tr("正在统计…"))
        first, last, area = self.period()
        self.worker.run(lambda job: dash_service.dashboard(job.ws, first_month=first, last_month=last, area=area,
                                                           lang=self.lang),
                        self._show, self._failed, progress=False, key="station-dashboard", owner=self, parent=self)

    def _failed(self, exc: BaseException) -> None:
        from fieldkit.ui.errors import message_for, show_error

        self.loading = False
        self.refresh_button.setEnabled(True)
        self.as_of.setText(tr("统计失败：") + message_for(exc))
        show_error(self, exc)

    def _show(self, data: dash_service.Dashboard) -> None:
        self.data = data
        self.loading = False
        self.refresh_button.setEnabled(True)
        self.as_of.setText(tr("数据截至 %1 %2").replace("%1", data.today).replace("%2", dt.datetime.now().strftime("%H:%M")))

        self.card_overdue.set(f"{data.overdue_followups:,}", alert=data.overdue_followups > 0)
        open_events = sum(c.count for c in data.open_events_by_level)
        self.card_events.set(f"{open_events:,}", alert=open_events > 0)
        open_tasks = sum(c.count for c in data.tasks_by_status if c.key in ("published", "accepted"))
        self.card_tasks.set(f"{open_tasks:,}")
        self.card_sync.set(f"{data.pending_sync:,}" if data.pending_sync_known else "—")
        if not data.pending_sync_known:
            self.card_sync.setToolTip(words.clauses(data.notes))

        _refill(self.trend_pick, [(tr("有数据的主要工作"), "")] + [(self._mod(s.key, s.label), s.key) for s in data.trends])
        _refill(self.category_pick, [(self._category_title(s), s.key) for s in data.categories])
        _refill(self.village_pick, [(self._mod(s.key, s.label), s.key) for s in data.villages])
        self._show_trend()
        self._show_category()
        self._show_village()
        self._show_backup(data)

        levels = _choice_labels(self.info, "events", "level", self.lang)
        statuses = _choice_labels(self.info, "tasks", "status", self.lang)
        self.levels.set_data([levels.get(c.key, c.label) for c in data.open_events_by_level],
                             [ChartSeries(tr("未办结"), tuple(c.count for c in data.open_events_by_level))],
                             y_title=tr("件数"))
        self.tasks.set_data([statuses.get(c.key, c.label) for c in data.tasks_by_status],
                            [ChartSeries(tr("任务"), tuple(c.count for c in data.tasks_by_status))], y_title=tr("项数"))
        mods = sorted(data.modules, key=lambda c: -c.count)
        self.modules.set_data([self._mod(c.key, c.label) for c in mods], [ChartSeries(tr("记录数"), tuple(c.count for c in mods))])

        rows = [(i.title, i.village, i.category, self._risk.get(i.risk_level, i.risk_level), i.due or "",
                 i.days_overdue, i.officer) for i in data.overdue_list]
        fill_table(self.overdue, rows, [i.uuid for i in data.overdue_list], numeric=(5,))
        if data.overdue_followups > len(data.overdue_list):
            self.overdue_note.setText(tr("共 %1 人逾期，下面列出逾期最久的 %2 人；全部名单见“重点人员随访”。")
                                      .replace("%1", str(data.overdue_followups)).replace("%2", str(len(data.overdue_list))))
        elif data.overdue_followups:
            self.overdue_note.setText(tr("共 %1 人逾期。双击一行打开该人员的记录。").replace("%1", str(data.overdue_followups)))
        else:
            self.overdue_note.setText(tr("没有逾期的随访。"))

    def _show_backup(self, data: dash_service.Dashboard) -> None:
        said = data.backup_reminder
        last = data.last_backup
        if said is not None:
            self.backup_note.setText(said[1] if self.lang == "en" else said[0])
            self.backup_banner.setStyleSheet("QFrame#dashboardBackupBanner { background: #ffedd5; border: 1px solid "
                                             "#fb923c; border-radius: 4px; } QLabel { color: #9a3412; font-weight: bold; }")
        elif last is not None:
            self.backup_note.setText(words.labelled(tr("上次备份"), f"{last['at'].replace('T', ' ')[:16]} · {last['file']}"))
            self.backup_banner.setStyleSheet("QLabel { color: #4b5563; }")
        self.backup_button.setVisible(said is not None)
        self.backup_banner.setVisible(said is not None or last is not None)

    def _partial(self) -> tuple[int | None, str]:
        """The index of the month still filling up and what its tooltip adds."""
        data = self.data
        if data is None or data.partial_through is None:
            return None, ""
        day = dt.date.fromisoformat(data.partial_through)
        through = day.strftime("%b %-d") if self.lang == "en" else f"{day.month}月{day.day}日"
        return len(data.months) - 1, tr("本月至今（截至 %1）").replace("%1", through)

    def _show_trend(self) -> None:
        if self.data is None:
            return
        key = self.trend_pick.currentData()
        if key:
            series = [s for s in self.data.trends if s.key == key]
        else:
            series = sorted((s for s in self.data.trends if s.total), key=lambda s: -s.total)[:MAX_TREND_LINES]
        months = self.data.months
        partial, note = self._partial()
        title = tr("工作量（按月，%1 至 %2）").replace("%1", months[0]).replace("%2", months[-1])
        self.trend.set_data([month_label(m, i == 0, self.lang) for i, m in enumerate(months)],
                            [ChartSeries(self._mod(s.key, s.label), tuple(p.count for p in s.points)) for s in series],
                            y_title=tr("条数"), title=title, partial=partial, partial_note=note)

    def _show_category(self) -> None:
        if self.data is None:
            return
        s = next((s for s in self.data.categories if s.key == self.category_pick.currentData()), None)
        if s is None:
            self.category.set_data([], [])
            return
        module, _dot, field = s.key.partition(".")
        names = _choice_labels(self.info, module, field, self.lang)
        self.category.set_data([_wrap(names.get(p.key, p.label)) for p in s.points],
                               [ChartSeries(self._category_title(s), tuple(p.count for p in s.points))], y_title=tr("条数"))

    def _show_village(self) -> None:
        if self.data is None:
            return
        s = next((s for s in self.data.villages if s.key == self.village_pick.currentData()), None)
        if s is None:
            self.village.set_data([], [])
            return
        by = tr("按网格统计") if self.data.area == "grid" else tr("按村（社区）统计")
        period = f"{self.data.months[0]} – {self.data.months[-1]}"
        if self.data.partial_through:
            period = words.counted(period, tr("本月至今"))
        self.village.set_data([p.label for p in s.points],
                              [ChartSeries(self._mod(s.key, s.label), tuple(p.count for p in s.points))],
                              title=words.clauses([by, period]))

    def _mod(self, module: str, fallback: str) -> str:
        return _module_label(self.info, module, fallback, self.lang)

    def _category_title(self, s: Any) -> str:
        """'事件隐患 · 事件类别' in the UI language, from the series key 'events.category'."""
        module, _dot, field = s.key.partition(".")
        try:
            spec = self.info.module(module)
            return f"{spec.label.get(self.lang)} · {spec.field(field).label.get(self.lang)}"
        except KeyError:
            return s.label

    def _open_overdue(self) -> None:
        uuid = row_key(self.overdue)
        if uuid:
            self.open_requested.emit(uuid, "key_persons")


def _month_edit(name: str, date: QDate) -> QDateEdit:
    edit = QDateEdit(date)
    edit.setObjectName(name)
    edit.setDisplayFormat("yyyy-MM")
    edit.setMaximumDate(QDate.currentDate())
    edit.setCalendarPopup(False)
    return edit


def _card(*widgets: QWidget, chooser: QHBoxLayout | None = None) -> QFrame:
    """A white card around a chart (and its chooser), so chooser and chart read as one piece."""
    box = QFrame()
    box.setObjectName("chartCard")
    box.setStyleSheet("QFrame#chartCard { background: white; border: 1px solid #d1d5db; border-radius: 6px; }")
    layout = QVBoxLayout(box)
    layout.setContentsMargins(4, 4, 4, 4)
    layout.setSpacing(0)
    if chooser is not None:
        layout.addLayout(chooser)
    for w in widgets:
        layout.addWidget(w, 1)
    return box


def _titled(caption: str, pick: QComboBox, chart: QWidget) -> QFrame:
    """A chart with its chooser above it, right-aligned so the chart's title keeps the left."""
    row = QHBoxLayout()
    row.setContentsMargins(4, 0, 0, 0)
    row.addStretch(1)
    label = QLabel(caption)
    label.setStyleSheet("background: white;")
    row.addWidget(label)
    pick.setMinimumWidth(170)
    # "Events & hazards · Category" is longer than 170 px: show it whole rather than cut.
    pick.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    row.addWidget(pick)
    return _card(chart, chooser=row)


def _refill(combo: QComboBox, items: list[tuple[str, str]]) -> None:
    """Replace a chooser's items and keep what the user had picked when it is still there."""
    keep = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for text, key in items:
        combo.addItem(text, key)
    i = combo.findData(keep)
    combo.setCurrentIndex(i if i >= 0 else 0)
    combo.blockSignals(False)


def _wrap(label: str, width: int = 5) -> str:
    """Category names under bars: break long Chinese labels onto two lines instead of eliding.
    Words (English) are left whole: the chart breaks between them to fit the bar's width."""
    if len(label) <= width or any(ch.isascii() and ch.isalpha() for ch in label):
        return label
    cut = label.find("/") + 1 or len(label) // 2 + len(label) % 2
    return label[:cut] + "\n" + label[cut:]


def _module_label(info: Any, module: str, fallback: str, lang: str) -> str:
    """The module's name in the UI language (the service hands out Chinese labels)."""
    try:
        return info.module(module).label.get(lang)
    except KeyError:
        return fallback


def _choice_labels(info: Any, module: str, field: str, lang: str) -> dict[str, str]:
    try:
        f = info.module(module).field(field)
    except KeyError:  # a role that does not see the module
        return {}
    return {c.value: c.label.get(lang) for c in f.choices}
