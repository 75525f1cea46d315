"""Task packages (任务包): the chief publishes; anyone accepts and completes offline; credits.

Everything goes through `services.station.tasks` (status rules, who may take what, points
credited at completion). The chief sees the publishing form and every task; officers and grid
workers see their own tasks and the credits table.

Threading: GUI thread only; reads and writes are worker jobs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services.station import tasks as task_service
from fieldkit.ui import words
from fieldkit.ui.module_view import village_options
from fieldkit.ui.resources import icon
from fieldkit.ui.station.common import fill_table, hint, make_table, row_key, section
from fieldkit.ui.worker import Worker

MODULE = "tasks"


def tr(text: str) -> str:
    return QCoreApplication.translate("StationTasks", text)


def credit_period(key: str, today: dt.date) -> str | None:
    return {"month": today.strftime("%Y-%m"), "year": str(today.year)}.get(key)


class TasksPanel(QWidget):
    """`record_saved(uuid, module)` after publish/accept/complete; `open_requested(uuid, module)`."""

    open_requested = Signal(str, str)
    record_saved = Signal(str, str)

    def __init__(self, worker: Worker, info: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tasksPanel")
        self.worker = worker
        self.info = info
        self.lang = lang
        # Who publishes tasks (forms/permissions.toml `publish`) also sees them all.
        self.is_chief = info.may("publish")
        self.mine: list[task_service.TaskView] = []
        self.all: list[task_service.TaskView] = []
        self.credits: list[task_service.Credit] = []
        self.loading = False
        self.busy = False
        spec = info.module(MODULE)
        self._status = {c.value: c.label.get(lang) for c in spec.field("status").choices}

        top = QHBoxLayout()
        top.addWidget(section(tr("任务包")))
        self.summary = hint()
        top.addWidget(self.summary, 1)
        refresh = QPushButton(icon("refresh"), tr("刷新"))
        refresh.clicked.connect(self.refresh)
        top.addWidget(refresh)

        # -- publish (chief) ---------------------------------------------------------------
        self.publish_box = QGroupBox(tr("发布任务"))
        self.publish_box.setObjectName("taskPublishBox")
        pf = QFormLayout(self.publish_box)
        self.title = QLineEdit()
        self.title.setObjectName("taskTitle")
        self.title.setPlaceholderText(tr("如：查找走失儿童 王小明（3岁）"))
        pf.addRow(tr("任务名称"), self.title)
        self.kind = QComboBox()
        self.kind.setObjectName("taskKind")
        for c in spec.field("kind").choices:
            self.kind.addItem(c.label.get(lang), c.value)
        self.urgency = QComboBox()
        self.urgency.setObjectName("taskUrgency")
        for c in spec.field("urgency").choices:
            self.urgency.addItem(c.label.get(lang), c.value)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.kind, 2)
        kind_row.addWidget(self.urgency, 1)
        pf.addRow(tr("类型 / 紧急"), kind_row)
        self.description = QPlainTextEdit()
        self.description.setObjectName("taskDescription")
        self.description.setMaximumHeight(80)
        pf.addRow(tr("任务要求"), self.description)
        self.village = QComboBox()
        self.village.setObjectName("taskVillage")
        self.village.addItem(tr("全所（不限村）"), None)
        pf.addRow(tr("所在村"), self.village)
        self.assignees = QLineEdit()
        self.assignees.setObjectName("taskAssignees")
        self.assignees.setPlaceholderText(tr("登录名，逗号分隔；留空发给所有人"))
        pf.addRow(tr("指派给"), self.assignees)
        self.points = QSpinBox()
        self.points.setObjectName("taskPoints")
        self.points.setRange(0, 100)
        self.points.setValue(1)
        self.points.setSuffix(tr(" 分"))
        self.has_due = QCheckBox(tr("期限"))
        self.due = QDateEdit(QDate.currentDate().addDays(3))
        self.due.setObjectName("taskDue")
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.due.setEnabled(False)
        self.has_due.toggled.connect(self.due.setEnabled)
        pts = QHBoxLayout()
        pts.addWidget(self.points)
        pts.addStretch(1)
        pts.addWidget(self.has_due)
        pts.addWidget(self.due)
        pf.addRow(tr("积分"), pts)
        self.publish_button = QPushButton(icon("add"), tr("发布"))
        self.publish_button.setObjectName("taskPublish")
        self.publish_button.clicked.connect(self.publish)
        pf.addRow(self.publish_button)
        self.publish_box.setVisible(self.is_chief)
        self.publish_box.setMaximumWidth(430)

        # -- my tasks ------------------------------------------------------------------------
        mine_box = QWidget()
        ml = QVBoxLayout(mine_box)
        ml.setContentsMargins(0, 0, 0, 0)
        ml.addWidget(section(tr("我的任务")))
        self.mine_table = make_table([tr("任务"), tr("类型"), tr("状态"), tr("村"), tr("积分"), tr("期限"), tr("发布时间")],
                                     "myTasksTable", stretch=0)
        self.mine_table.itemSelectionChanged.connect(self._enable)
        ml.addWidget(self.mine_table, 1)
        act = QHBoxLayout()
        self.accept_button = QPushButton(tr("接收任务"))
        self.accept_button.setObjectName("taskAccept")
        self.accept_button.clicked.connect(self.accept)
        self.result = QLineEdit()
        self.result.setObjectName("taskResult")
        self.result.setPlaceholderText(tr("完成情况（完成时必填）"))
        self.complete_button = QPushButton(tr("完成任务"))
        self.complete_button.setObjectName("taskComplete")
        self.complete_button.clicked.connect(self.complete)
        act.addWidget(self.accept_button)
        act.addWidget(self.result, 1)
        act.addWidget(self.complete_button)
        ml.addLayout(act)
        self.message = hint()
        self.message.setObjectName("taskMessage")
        ml.addWidget(self.message)

        # -- all tasks (chief) and credits ---------------------------------------------------
        self.all_table = make_table([tr("任务"), tr("状态"), tr("村"), tr("指派给"), tr("接收人"), tr("积分"), tr("发布时间")],
                                    "allTasksTable", stretch=0)
        self.all_table.activated.connect(lambda: (u := row_key(self.all_table)) and self.open_requested.emit(u, MODULE))
        all_box = QWidget()
        al = QVBoxLayout(all_box)
        al.setContentsMargins(0, 0, 0, 0)
        al.addWidget(section(tr("全部任务")))
        al.addWidget(self.all_table, 1)
        all_box.setVisible(self.is_chief)

        credit_box = QWidget()
        cl = QVBoxLayout(credit_box)
        cl.setContentsMargins(0, 0, 0, 0)
        crow = QHBoxLayout()
        crow.addWidget(section(tr("积分")))
        crow.addStretch(1)
        self.credit_period = QComboBox()
        self.credit_period.setObjectName("creditPeriod")
        self.credit_period.addItem(tr("本月"), "month")
        self.credit_period.addItem(tr("本年"), "year")
        self.credit_period.addItem(tr("全部"), "all")
        self.credit_period.setMinimumWidth(90)
        self.credit_period.currentIndexChanged.connect(self.refresh)
        crow.addWidget(self.credit_period)
        cl.addLayout(crow)
        self.credit_table = make_table([tr("姓名"), tr("登录名"), tr("完成任务"), tr("积分")], "creditTable", stretch=0)
        cl.addWidget(self.credit_table, 1)

        lower = QSplitter()
        lower.addWidget(all_box)
        lower.addWidget(credit_box)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(mine_box)
        right.addWidget(lower)
        right.setChildrenCollapsible(False)

        left = QVBoxLayout()
        left.addWidget(self.publish_box)
        left.addStretch(1)  # the form keeps its natural height instead of spreading its rows
        body = QHBoxLayout()
        body.addLayout(left)
        body.addWidget(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        self._enable()
        if self.is_chief:
            self.worker.run(lambda job: village_options(job.ws), self._villages, progress=False, owner=self, parent=self)

    def _villages(self, options: list[tuple[str, str]]) -> None:
        for code, name in options:
            self.village.addItem(name, code)

    # -- loading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.loading = True
        chief = self.is_chief
        period = credit_period(self.credit_period.currentData(), dt.date.today())

        def load(job):
            ws = job.ws
            return (task_service.my_tasks(ws), task_service.list_tasks(ws) if chief else [],
                    task_service.credits(ws, period=period))

        self.worker.run(load, self._loaded, progress=False, key="station-tasks", owner=self, parent=self)

    def _loaded(self, data: tuple) -> None:
        self.loading = False
        self.mine, self.all, self.credits = data
        st = self._status
        keep = row_key(self.mine_table)
        fill_table(self.mine_table, [(t.title, t.kind, st.get(t.status, t.status), t.village, t.points, t.due_date,
                                      t.published_at.replace("T", " ")) for t in self.mine],
                   [t.uuid for t in self.mine], numeric=(4,))
        row = next((i for i, t in enumerate(self.mine) if t.uuid == keep), -1)
        if row >= 0:
            self.mine_table.selectRow(row)
        fill_table(self.all_table, [(t.title, st.get(t.status, t.status), t.village, words.items(t.assignees) or tr("所有人"),
                                     t.accepted_by, t.points, t.published_at.replace("T", " ")) for t in self.all],
                   [t.uuid for t in self.all], numeric=(5,))
        fill_table(self.credit_table, [(c.name, c.login, c.tasks, c.points) for c in self.credits], numeric=(2, 3))
        open_n = sum(1 for t in self.mine if t.status == "published")
        doing = sum(1 for t in self.mine if t.status == "accepted")
        self.summary.setText(tr("我正在办 %1 项，可接收 %2 项").replace("%1", str(doing)).replace("%2", str(open_n)))
        self._enable()

    def current(self) -> task_service.TaskView | None:
        uuid = row_key(self.mine_table)
        return next((t for t in self.mine if t.uuid == uuid), None)

    def _enable(self) -> None:
        t = self.current()
        self.accept_button.setEnabled(not self.busy and t is not None and t.status == "published")
        self.complete_button.setEnabled(not self.busy and t is not None and t.status == "accepted")
        self.result.setEnabled(t is not None and t.status == "accepted")
        self.publish_button.setEnabled(not self.busy)

    # -- actions ----------------------------------------------------------------------------
    def _run(self, fn, done_text: str) -> None:
        self.busy = True
        self._enable()
        self.message.setText(tr("正在保存…"))
        self.worker.run(fn, lambda rec: self._done(rec, done_text), self._failed, progress=False, owner=self,
                        parent=self)

    def publish(self) -> None:
        title, description = self.title.text().strip(), self.description.toPlainText().strip()
        if not title or not description:
            self.message.setText(tr("请填写任务名称和任务要求"))
            (self.title if not title else self.description).setFocus()
            return
        values = dict(title=title, description=description, kind=self.kind.currentData(),
                      urgency=self.urgency.currentData(), village=self.village.currentData(),
                      assignees=self.assignees.text().strip() or None, points=self.points.value(),
                      due_date=self.due.date().toString("yyyy-MM-dd") if self.has_due.isChecked() else None)
        self._run(lambda job: task_service.publish_task(job.ws, **values), tr("已发布：") + title)
        self.title.clear()
        self.description.clear()

    def accept(self) -> None:
        t = self.current()
        if t is not None:
            self._run(lambda job: task_service.accept_task(job.ws, t.uuid), tr("已接收：") + t.title)

    def complete(self) -> None:
        t = self.current()
        if t is None:
            return
        result = self.result.text().strip()
        if not result:
            self.message.setText(tr("请填写完成情况"))
            self.result.setFocus()
            return
        self._run(lambda job: task_service.complete_task(job.ws, t.uuid, result),
                  tr("已完成：%1，记 %2 分").replace("%1", t.title).replace("%2", str(t.points)))
        self.result.clear()

    def _done(self, rec: Any, text: str) -> None:
        self.busy = False
        self.message.setText(text)
        self.record_saved.emit(rec.uuid, MODULE)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        from fieldkit.ui.errors import message_for, show_error

        self.busy = False
        self._enable()
        self.message.setText(tr("未保存：") + message_for(exc))
        show_error(self, exc)
