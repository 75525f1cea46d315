"""The safety index (平安指数) with stars of each village and, under it, of its compounds (小区 or
自然村), and printing the selected one's signed plaque.

Figures from `services.station.safety_index.safety_report` (the published weights table);
the plaque PDF from `print_plaque` (signed QR, audited as a print). A rating made without the
criminal-case register says so, rather than looking perfect.

Threading: GUI thread only; the report and the PDF are worker jobs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services.ledgers import file_stem
from fieldkit.services.station import safety_index as safety_service
from fieldkit.ui import words
from fieldkit.ui.resources import icon
from fieldkit.ui.station.common import fill_table, hint, make_table, open_folder, section, stars_text
from fieldkit.ui.station.ledger_dialog import default_folder
from fieldkit.ui.worker import Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("StationSafety", text)


def penalty_text(v: safety_service.SafetyIndex, lang: str = "zh") -> str:
    """'入室盗窃 2 起 −16；…' / 'Burglary 2 cases −16; …' — what lowered the index, biggest first."""
    parts = sorted(v.penalties, key=lambda p: -p.points)
    return words.clauses(tr("%1 %2 起").replace("%1", p.label_en if lang == "en" else p.label_zh)
                         .replace("%2", str(p.count)) + (tr("（否决）") if p.veto else f" −{p.points:g}")
                         for p in parts) or tr("无扣分")


class SafetyPanel(QWidget):
    """Index table, each village followed by its compounds; "打印星级牌" for the selected row."""

    record_saved = Signal(str, str)
    open_requested = Signal(str, str)

    def __init__(self, worker: Worker, info: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("safetyPanel")
        self.worker = worker
        self.info = info
        self.lang = lang
        self.report: safety_service.SafetyReport | None = None
        self.rows: list[safety_service.SafetyIndex] = []  # the table's rows: a village, then its compounds
        self.last_plaque: str | None = None
        self.loading = False

        top = QHBoxLayout()
        top.addWidget(section(tr("平安指数与星级")))
        top.addStretch(1)
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addYears(-1).addDays(1))
        self.date_from.setObjectName("safetyFrom")
        self.date_to = QDateEdit(today)
        self.date_to.setObjectName("safetyTo")
        for d in (self.date_from, self.date_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        top.addWidget(QLabel(tr("评定期间")))
        top.addWidget(self.date_from)
        top.addWidget(QLabel(tr("至")))
        top.addWidget(self.date_to)
        self.compute = QPushButton(icon("refresh"), tr("计算"))
        self.compute.setObjectName("safetyCompute")
        self.compute.clicked.connect(self.refresh)
        top.addWidget(self.compute)

        self.note = hint()
        self.note.setObjectName("safetyNote")
        self.table = make_table([tr("村（社区）"), tr("小区（自然村）"), tr("平安指数"), tr("星级"), tr("扣分明细")],
                                "safetyTable", stretch=4)
        self.table.itemSelectionChanged.connect(self._enable)

        bottom = QHBoxLayout()
        bottom.addWidget(hint(tr("权重表公开在 safety_weights.toml：指数 = 100 − 各类案件、纠纷、隐患的扣分；命案一票否决。小区（自然村）只计其地址上的记录。")), 1)
        self.size = QComboBox()
        self.size.setObjectName("plaqueSize")
        self.size.addItem(tr("A4 星级牌"), "A4")
        self.size.addItem(tr("A5 星级牌"), "A5")
        self.print_button = QPushButton(tr("打印星级牌…"))
        self.print_button.setObjectName("plaquePrint")
        self.print_button.clicked.connect(self.choose_and_print)
        self.folder_button = QPushButton(tr("打开所在文件夹"))
        self.folder_button.setObjectName("plaqueFolder")
        self.folder_button.setVisible(False)
        self.folder_button.clicked.connect(lambda: self.last_plaque and open_folder(self.last_plaque))
        bottom.addWidget(self.size)
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.folder_button)
        self.message = hint()
        self.message.setObjectName("plaqueMessage")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.message)
        self._enable()

    def period(self) -> tuple[str, str]:
        return self.date_from.date().toString("yyyy-MM-dd"), self.date_to.date().toString("yyyy-MM-dd")

    # -- report -----------------------------------------------------------------------------
    def refresh(self) -> None:
        lo, hi = self.period()
        if lo > hi:
            self.note.setText(tr("评定期间的开始日期晚于结束日期"))
            return
        self.loading = True
        self.compute.setEnabled(False)
        self.note.setText(tr("正在计算…"))
        self.worker.run(lambda job: safety_service.safety_report(job.ws, lo, hi), self._loaded, self._failed,
                        progress=False, key="station-safety", owner=self, parent=self)

    def _failed(self, exc: BaseException) -> None:
        from fieldkit.ui.errors import message_for, show_error

        self.loading = False
        self.compute.setEnabled(True)
        self.note.setText(message_for(exc))
        show_error(self, exc)

    def _loaded(self, report: safety_service.SafetyReport) -> None:
        self.loading = False
        self.compute.setEnabled(True)
        self.report = report
        self.rows = [r for v in report.villages for r in (v, *report.compounds.get(v.village_code, []))]
        # A compound's row leaves the village blank: the bold village row above it names it.
        rows = [("" if v.compound else v.village_name, v.compound, f"{v.index:.1f}", stars_text(v.stars, v.vetoed),
                 penalty_text(v, self.lang)) for v in self.rows]
        fill_table(self.table, rows, [v.village_code for v in self.rows], numeric=(2,))
        bold = QFont(self.table.font())
        bold.setBold(True)
        for r, v in enumerate(self.rows):
            stars, place = self.table.item(r, 3), self.table.item(r, 0)
            if stars is not None:
                stars.setForeground(QColor("#b91c1c") if v.vetoed else QColor("#b45309"))
            if place is not None and not v.compound:
                place.setFont(bold)
        compounds = sum(len(c) for c in report.compounds.values())
        text = tr("%1 至 %2，%3 个村（社区），%4 个小区（自然村）。").replace("%1", report.date_from) \
            .replace("%2", report.date_to).replace("%3", str(len(report.villages))).replace("%4", str(compounds))
        if report.missing_modules:
            text += tr("注意：本机没有“%1”登记模块，指数未计入这些记录。").replace("%1", words.items(report.missing_modules))
        self.note.setText(text)
        self._enable()

    def current(self) -> safety_service.SafetyIndex | None:
        row = self.table.currentRow()
        if self.report is None or row < 0 or row >= len(self.rows):
            return None
        return self.rows[row]

    def _enable(self) -> None:
        allowed = self.info.may("sign_plaques")  # forms/permissions.toml
        self.print_button.setEnabled(self.current() is not None and allowed)
        if not allowed:
            self.print_button.setToolTip(tr("星级牌由所长打印（需要派出所签名密钥）"))

    # -- plaque -----------------------------------------------------------------------------
    def choose_and_print(self) -> None:
        v = self.current()
        if v is None:
            return
        # One language per name: the village's code stands in for its Chinese name in English (a
        # compound's plaque keeps its name: it has no code).
        if self.lang == "en":
            stem = file_stem(f"safety-plaque-{v.village_code}" + (f"-{v.compound}" if v.compound else ""))
        else:
            stem = file_stem(f"{v.village_name}{v.compound}平安星级牌")
        suggested = default_folder() / f"{stem}-{dt.date.today():%Y-%m}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, tr("星级牌保存到"), str(suggested), tr("PDF 文件 (*.pdf)"))
        if path:
            self.print_plaque(path if path.lower().endswith(".pdf") else path + ".pdf")

    def print_plaque(self, path: str) -> None:
        """Write the selected village's plaque to `path` (a worker job)."""
        v = self.current()
        if v is None:
            return
        lo, hi = self.period()
        size = self.size.currentData()
        self.print_button.setEnabled(False)
        self.message.setText(tr("正在生成星级牌…"))
        self.worker.run(lambda job: safety_service.print_plaque(job.ws, v.village_code, lo, hi, path, size=size,
                                                                compound=v.compound or None),
                        lambda rating: self._printed(rating, path), self._print_failed, progress=False,
                        owner=self, parent=self)

    def _printed(self, rating: safety_service.SafetyIndex, path: str) -> None:
        self.last_plaque = path
        self._enable()
        self.folder_button.setVisible(True)
        self.message.setText(tr("已生成 %1 的星级牌（%2，指数 %3）：%4").replace("%1", rating.place)
                             .replace("%2", stars_text(rating.stars, rating.vetoed)).replace("%3", f"{rating.index:.1f}")
                             .replace("%4", str(Path(path))))

    def _print_failed(self, exc: BaseException) -> None:
        from fieldkit.ui.errors import message_for, show_error

        self._enable()
        self.message.setText(tr("未生成：") + message_for(exc))
        show_error(self, exc)
