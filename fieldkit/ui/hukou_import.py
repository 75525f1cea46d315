"""户籍数据导入: the province's household-registration extract compared with the residents.

The comparison (`services.hukou_import.compare`, nothing written) runs on the database thread
with progress and cancel; the dialog lists each line — new person, changed fields, a conflict
with a local edit, someone missing from the extract, a refused row — with a checkbox on the
lines that can be taken. "接受勾选的行" or "全部接受" writes them through the door, again with
progress and cancel (a cancelled import writes nothing). Conflicts start unticked: the local
edit wins unless the officer says otherwise.

Threading: GUI thread; the work runs on the database thread through the worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services import hukou_import
from fieldkit.services import records as rec_service
from fieldkit.services.search import home_village
from fieldkit.ui import words
from fieldkit.ui.errors import show_error
from fieldkit.ui.worker import Worker

MAX_SHOWN = 2000  # lines in the table; "全部接受" still takes every line of the extract


def tr(text: str) -> str:
    return QCoreApplication.translate("HukouImport", text)


def kind_label(kind: str) -> str:
    return {"new": tr("新增人员"), "changed": tr("信息变更"), "conflict": tr("与本地修改冲突"),
            "missing": tr("户籍数据中没有"), "refused": tr("无法导入")}[kind]


@dataclass(frozen=True)
class ShownLine:
    line: int
    kind: str
    name: str
    id_number: str
    detail: str


def _detail(ws: Any, ln: hukou_import.DiffLine, lang: str) -> str:
    """What the line would change, in the UI's language (built on the database thread)."""
    en = lang.startswith("en")
    if ln.kind == "refused":
        return words.clauses(p["message_en" if en else "message"] for p in ln.problems)
    if ln.kind == "missing":
        return tr("本地登记为户籍人口，这次的户籍数据中没有；请核实（导入不会改动）")
    spec = ws.catalog["residents"]
    if ln.kind == "new":
        return words.clauses(words.labelled(spec.field(n).label.get(lang),
                                            rec_service.display_value(ws, spec.field(n), v, lang))
                             for n, v in ln.values.items() if n not in ("name", "id_number") and v not in (None, ""))
    parts = []
    for f in ln.fields:
        fs = spec.field(f.field)
        old = rec_service.display_value(ws, fs, f.local, lang) or tr("（空）")
        new = rec_service.display_value(ws, fs, f.extract, lang)
        change = tr("%1 → %2").replace("%1", old).replace("%2", new)
        if f.conflict:
            change = tr("%1（本地修改过）").replace("%1", change)
        parts.append(words.labelled(fs.label.get(lang), change))
    return words.clauses(parts)


class HukouImportDialog(QDialog):
    """`imported(created, updated)` after accepted lines were written."""

    imported = Signal(int, int)

    def __init__(self, worker: Worker, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker, self.lang = worker, lang
        self.diff: hukou_import.HukouDiff | None = None
        self.outcome: hukou_import.HukouResult | None = None  # QDialog.result() is Qt's
        self.shown: list[ShownLine] = []
        self.setObjectName("hukouImport")
        self.setWindowTitle(tr("户籍数据导入"))
        self.resize(1000, 600)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.file_label = QLabel(tr("选择省厅下发的户籍数据（CSV 或 XLSX），先比对，确认后才写入。"))
        self.file_label.setWordWrap(True)
        choose = QPushButton(tr("选择文件…"))
        choose.setObjectName("hukouChoose")
        choose.clicked.connect(self.choose)
        # The focus frame (2px, resources/styles) is wider than the plain border: room for it.
        choose.setMinimumWidth(choose.sizeHint().width() + 4)
        choose.setAutoDefault(False)  # Enter in the dialog must not open a file chooser
        top.addWidget(self.file_label, 1)
        top.addWidget(choose)
        layout.addLayout(top)
        self.summary = QLabel()
        self.summary.setObjectName("hukouSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("hukouDiff")
        self.table.setHorizontalHeaderLabels([tr("行"), tr("类别"), tr("姓名"), tr("公民身份号码"), tr("变化")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for col in range(4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(lambda _item: self._count_ticked())
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.accept_ticked = QPushButton(tr("接受勾选的行"))
        self.accept_ticked.setObjectName("hukouAcceptTicked")
        self.accept_ticked.clicked.connect(lambda: self.apply(self.ticked()))
        self.accept_all = QPushButton(tr("全部接受"))
        self.accept_all.setObjectName("hukouAcceptAll")
        self.accept_all.clicked.connect(lambda: self.apply("all"))
        close = QPushButton(tr("关闭"))
        close.clicked.connect(self.reject)
        buttons.addStretch(1)
        for b in (self.accept_ticked, self.accept_all, close):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self._enable(False)

    def _enable(self, on: bool) -> None:
        self.accept_ticked.setEnabled(on and bool(self.ticked()))
        self.accept_all.setEnabled(on and any(ln.kind in hukou_import.ACCEPTABLE for ln in self.shown))

    def choose(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, tr("选择户籍数据文件"), "",
                                               tr("户籍数据 (*.csv *.xlsx);;所有文件 (*)"))
        if path:
            self.compare(Path(path))

    def compare(self, path: Path) -> None:
        lang = self.lang

        def work(job: Any) -> tuple[hukou_import.HukouDiff, list[ShownLine]]:
            diff = hukou_import.compare(job.ws, path, village=home_village(job.ws), progress=job.progress,
                                        cancel=job.cancel)
            shown = [ShownLine(ln.line, ln.kind, ln.name, ln.id_number, _detail(job.ws, ln, lang))
                     for ln in diff.lines[:MAX_SHOWN]]
            return diff, shown

        self.file_label.setText(words.labelled(tr("文件"), path.name))
        self.worker.run(work, self._compared, self._show_error,
                        label=tr("正在比对 %1…").replace("%1", path.name), parent=self, owner=self)

    def _show_error(self, exc: BaseException) -> None:
        show_error(self, exc)

    def _compared(self, answer: tuple[hukou_import.HukouDiff, list[ShownLine]]) -> None:
        self.diff, self.shown = answer
        c = self.diff.counts()
        text = tr("新增 %1 人，变更 %2 人，冲突 %3 人，户籍数据中没有 %4 人，无法导入 %5 行，一致 %6 人。还没有写入任何数据。")
        for i, key in enumerate(("new", "changed", "conflict", "missing", "refused", "unchanged"), start=1):
            text = text.replace(f"%{i}", f"{c[key]:,}")
        if len(self.diff.lines) > MAX_SHOWN:
            text += tr("（只列出前 %1 行；“全部接受”接受全部）").replace("%1", f"{MAX_SHOWN:,}")
        self.summary.setText(text)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.shown))
        for row, ln in enumerate(self.shown):
            first = QTableWidgetItem(str(ln.line) if ln.line else "")
            if ln.kind in hukou_import.ACCEPTABLE:
                first.setFlags(first.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                # A conflict starts unticked: the local edit stands unless the officer says so.
                first.setCheckState(Qt.CheckState.Unchecked if ln.kind == "conflict" else Qt.CheckState.Checked)
            detail = QTableWidgetItem(ln.detail)
            detail.setToolTip(ln.detail)
            items = (first, QTableWidgetItem(kind_label(ln.kind)), QTableWidgetItem(ln.name),
                     QTableWidgetItem(ln.id_number), detail)
            for col, item in enumerate(items):
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        self._enable(True)
        self._count_ticked()

    def ticked(self) -> list[int]:
        out = []
        for row, ln in enumerate(self.shown):
            item = self.table.item(row, 0)
            if item is not None and ln.kind in hukou_import.ACCEPTABLE and item.checkState() == Qt.CheckState.Checked:
                out.append(ln.line)
        return out

    def _count_ticked(self) -> None:
        n = len(self.ticked())
        self.accept_ticked.setText(words.counted(tr("接受勾选的行"), n))
        self.accept_ticked.setEnabled(self.diff is not None and n > 0)

    def apply(self, accept: str | list[int]) -> None:
        diff = self.diff
        if diff is None:
            return

        def work(job: Any) -> hukou_import.HukouResult:
            return hukou_import.apply(job.ws, diff, accept, progress=job.progress, cancel=job.cancel)

        self._enable(False)
        self.worker.run(work, self._applied, self._failed, label=tr("正在导入户籍数据…"), parent=self, owner=self)

    def _failed(self, exc: BaseException) -> None:
        self._enable(True)
        self._show_error(exc)

    def _applied(self, result: hukou_import.HukouResult) -> None:
        self.outcome = result
        self.summary.setText(tr("已导入：新增 %1 人，更新 %2 人，未写入 %3 行。").replace(
            "%1", f"{result.created:,}").replace("%2", f"{result.updated:,}").replace("%3", f"{result.refused:,}"))
        self.table.setRowCount(0)
        self.shown = []
        self._enable(False)
        self.imported.emit(result.created, result.updated)
