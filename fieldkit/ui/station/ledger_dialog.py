"""The ledger export dialog (导出台账): module, period, village/grid, officer, status, format, file.

The export runs as one worker job (`services.ledgers.export_ledger`), streaming a page of
records at a time, so 100,000 rows neither fill memory nor freeze the window. Progress is shown
*inside* this dialog rather than in the worker's stacked progress box: the chief keeps seeing
what is being exported, and the same window then offers "打开所在文件夹". The display follows
the worker's rules — it appears only after `PROGRESS_DELAY_MS`, it polls the job's counters
every 100 ms instead of receiving a signal per row, and "停止导出" cancels cooperatively
(`job.request_cancel()`; the service raises `Cancelled` and removes its half-written file).

A CSV ledger leaves the print room, so it is sealed with an export passphrase typed twice.

Threading: GUI thread only; the export itself runs on the database thread.
"""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.errors import Cancelled
from fieldkit.services import ledgers as ledger_service
from fieldkit.ui.errors import message_for, show_error
from fieldkit.ui.module_view import village_options
from fieldkit.ui.station.common import PathDialog, hint, reveal_folder
from fieldkit.ui.worker import PROGRESS_DELAY_MS, Job, Worker

POLL_MS = 100
FORMATS = (("xlsx", "XLSX"), ("pdf", "PDF"), ("csv", "CSV"))


def tr(text: str) -> str:
    return QCoreApplication.translate("LedgerDialog", text)


def default_folder() -> Path:
    """Where a ledger goes unless the chief picks another place: ~/文档 or ~/Documents or ~."""
    home = Path.home()
    for name in ("文档", "Documents"):
        if (home / name).is_dir():
            return home / name
    return home


def period_preset(name: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """Inclusive (from, to) of a preset; None for "all records"."""
    if name == "month":
        return today.replace(day=1), today
    if name == "last_month":
        last = today.replace(day=1) - dt.timedelta(days=1)
        return last.replace(day=1), last
    if name == "quarter":
        return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if name == "year":
        return dt.date(today.year, 1, 1), today
    if name == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    return None


class LedgerDialog(QDialog):
    """Export one ledger. `result` holds the service's `LedgerExport` after a success."""

    def __init__(self, worker: Worker, info: Any, lang: str = "zh", *, module: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ledgerDialog")
        self.setWindowTitle(tr("导出台账"))
        self.worker = worker
        self.info = info
        self.lang = lang
        self.job: Job | None = None
        self.result: ledger_service.LedgerExport | None = None
        self.outcome = ""  # "done" | "cancelled" | "failed" after a run, for the caller and tests
        self._close_when_stopped = False
        self._path_touched = False
        self.setMinimumWidth(620)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.module = QComboBox()
        self.module.setObjectName("ledgerModule")
        self.module.setMinimumWidth(260)
        for spec in info.modules:
            if not (_may(info, "print", spec.id) or _may(info, "export_sealed", spec.id)):
                continue  # forms/permissions.toml: this role neither prints nor exports it
            self.module.addItem(f"{spec.number:02d} {spec.label.get(lang)}", spec.id)
        if module is not None and self.module.findData(module) >= 0:
            self.module.setCurrentIndex(self.module.findData(module))
        form.addRow(tr("台账（模块）"), self.module)

        self.preset = QComboBox()
        self.preset.setObjectName("ledgerPeriodPreset")
        self.preset.setMinimumWidth(150)
        for text, key in ((tr("本年"), "year"), (tr("本季度"), "quarter"), (tr("本月"), "month"),
                          (tr("上月"), "last_month"), (tr("去年"), "last_year"), (tr("全部（不限期间）"), "all"),
                          (tr("自定义"), "custom")):
            self.preset.addItem(text, key)
        self.date_from = QDateEdit()
        self.date_from.setObjectName("ledgerFrom")
        self.date_to = QDateEdit()
        self.date_to.setObjectName("ledgerTo")
        for d in (self.date_from, self.date_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
            d.dateChanged.connect(self._dates_edited)
        period = QHBoxLayout()
        period.addWidget(self.preset)
        period.addWidget(self.date_from)
        period.addWidget(QLabel(tr("至")))
        period.addWidget(self.date_to)
        period.addStretch(1)
        form.addRow(tr("期间"), period)

        self.village = QComboBox()
        self.village.setObjectName("ledgerVillage")
        self.village.addItem(tr("全部村（社区）"), None)
        self.grid = QLineEdit()
        self.grid.setObjectName("ledgerGrid")
        self.grid.setPlaceholderText(tr("网格编号，留空为全部"))
        place = QHBoxLayout()
        place.addWidget(self.village, 2)
        place.addWidget(self.grid, 1)
        form.addRow(tr("村（社区）/网格"), place)

        self.officer = QLineEdit()
        self.officer.setObjectName("ledgerOfficer")
        form.addRow(tr("民警 / 登记人"), self.officer)
        self.status = QComboBox()
        self.status.setObjectName("ledgerStatus")
        self.status.setMinimumWidth(200)
        form.addRow(tr("状态"), self.status)

        fmt_row = QHBoxLayout()
        self.formats = QButtonGroup(self)
        for i, (key, _text) in enumerate(FORMATS):
            label = {"xlsx": tr("XLSX 表格（打印）"), "pdf": tr("PDF（打印，A4）"), "csv": tr("CSV（加密）")}[key]
            button = QRadioButton(label)
            button.setObjectName(f"ledgerFormat_{key}")
            button.setProperty("fmt", key)
            self.formats.addButton(button, i)
            fmt_row.addWidget(button)
        fmt_row.addStretch(1)
        self.formats.button(0).setChecked(True)
        self.formats.idToggled.connect(lambda _i, on: on and self._format_changed())
        form.addRow(tr("格式"), fmt_row)

        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("ledgerPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(tr("导出口令（对方用它打开文件）"))
        self.passphrase_again = QLineEdit()
        self.passphrase_again.setObjectName("ledgerPassphraseAgain")
        self.passphrase_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_again.setPlaceholderText(tr("再输入一次"))
        self.seal_row = QWidget()
        seal = QHBoxLayout(self.seal_row)
        seal.setContentsMargins(0, 0, 0, 0)
        seal.addWidget(self.passphrase)
        seal.addWidget(self.passphrase_again)
        self.seal_label = QLabel(tr("加密口令"))
        form.addRow(self.seal_label, self.seal_row)

        self.path = QLineEdit()
        self.path.setObjectName("ledgerPath")
        self.path.textEdited.connect(lambda _t: setattr(self, "_path_touched", True))
        browse = QPushButton(tr("选择…"))
        browse.setObjectName("ledgerBrowse")
        browse.clicked.connect(self.browse)
        out = QHBoxLayout()
        out.addWidget(self.path, 1)
        out.addWidget(browse)
        form.addRow(tr("保存到"), out)

        self.note = hint(tr("XLSX、PDF 台账用于打印，不加密，请妥善保管；CSV 台账用导出口令加密。"))
        self.progress = QProgressBar()
        self.progress.setObjectName("ledgerProgress")
        self.progress.setVisible(False)
        self.status_line = QLabel()
        self.status_line.setObjectName("ledgerStatusLine")
        self.status_line.setWordWrap(True)
        self.status_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        buttons = QHBoxLayout()
        self.open_folder_button = QPushButton(tr("打开所在文件夹"))
        self.open_folder_button.setObjectName("ledgerOpenFolder")
        self.open_folder_button.setVisible(False)
        self.open_folder_button.clicked.connect(self._open_folder)
        self.path_dialog: PathDialog | None = None  # shown when no file manager answers
        self.export_button = QPushButton(tr("导出"))
        self.export_button.setObjectName("ledgerExport")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        self.stop_button = QPushButton(tr("停止导出"))
        self.stop_button.setObjectName("ledgerStop")
        self.stop_button.setVisible(False)
        self.stop_button.clicked.connect(self.stop)
        self.close_button = QPushButton(tr("关闭"))
        self.close_button.setObjectName("ledgerClose")
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.open_folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_line)
        layout.addLayout(buttons)

        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._update_progress)
        self.module.currentIndexChanged.connect(self._module_changed)
        self.preset.currentIndexChanged.connect(self._preset_changed)
        self._preset_changed()
        self._module_changed()
        self._format_changed()
        self.worker.run(lambda job: village_options(job.ws), self._villages, progress=False, owner=self, parent=self)

    # -- form state -------------------------------------------------------------------------
    @property
    def fmt(self) -> str:
        return str(self.formats.checkedButton().property("fmt"))

    def spec(self) -> Any:
        return self.info.module(self.module.currentData())

    def _villages(self, options: list[tuple[str, str]]) -> None:
        for code, name in options:
            self.village.addItem(name, code)

    def _module_changed(self) -> None:
        spec = self.spec()
        status = spec.field_with_role("status")
        self.status.clear()
        self.status.addItem(tr("全部状态"), None)
        if status is not None:
            for c in status.choices:
                self.status.addItem(c.label.get(self.lang), c.value)
        self.status.setEnabled(status is not None)
        officer = spec.field_with_role("officer")
        self.officer.setEnabled(officer is not None)
        self.officer.setPlaceholderText(
            tr("按“%1”筛选，留空为全部").replace("%1", officer.label.get(self.lang)) if officer is not None
            else tr("此台账没有民警字段"))
        self._allowed_formats()
        self._suggest_path()

    def _preset_changed(self) -> None:
        key = self.preset.currentData()
        span = period_preset(key, dt.date.today())
        for d in (self.date_from, self.date_to):
            d.blockSignals(True)
        if span is not None:
            self.date_from.setDate(QDate(span[0].year, span[0].month, span[0].day))
            self.date_to.setDate(QDate(span[1].year, span[1].month, span[1].day))
        for d in (self.date_from, self.date_to):
            d.blockSignals(False)
            d.setEnabled(key != "all")
        self._suggest_path()

    def _dates_edited(self) -> None:
        if self.preset.currentData() != "custom":
            self.preset.blockSignals(True)
            self.preset.setCurrentIndex(self.preset.findData("custom"))
            self.preset.blockSignals(False)
        self._suggest_path()

    def _format_changed(self) -> None:
        csv = self.fmt == "csv"
        self.seal_row.setVisible(csv)
        self.seal_label.setVisible(csv)
        path = self.path.text().strip()
        if path:
            self.path.setText(str(Path(path).with_suffix("." + self.fmt)))
        self._suggest_path()

    def period(self) -> tuple[str | None, str | None]:
        if self.preset.currentData() == "all":
            return None, None
        return self.date_from.date().toString("yyyy-MM-dd"), self.date_to.date().toString("yyyy-MM-dd")

    def _suggest_path(self) -> None:
        """A sensible file name until the chief types or picks one."""
        if self._path_touched or not hasattr(self, "path"):
            return
        lo, hi = self.period()
        self.path.setText(str(default_folder() / ledger_service.default_file_name(self.spec(), self.fmt, lo, hi, lang=self.lang)))

    def browse(self) -> None:
        filters = {"xlsx": tr("Excel 表格 (*.xlsx)"), "pdf": tr("PDF 文件 (*.pdf)"), "csv": tr("加密 CSV (*.csv)")}
        path, _ = QFileDialog.getSaveFileName(self, tr("台账保存到"), self.path.text(), filters[self.fmt])
        if path:
            if not path.lower().endswith("." + self.fmt):
                path += "." + self.fmt
            self._path_touched = True
            self.path.setText(path)

    # -- running ----------------------------------------------------------------------------
    def _check(self) -> str:
        """What stops the export before it starts (empty when nothing does)."""
        lo, hi = self.period()
        if lo and hi and lo > hi:
            return tr("期间的开始日期晚于结束日期")
        if not self.path.text().strip():
            return tr("请选择保存位置")
        folder = Path(self.path.text().strip()).expanduser().parent
        if not folder.is_dir():
            return tr("文件夹不存在：") + str(folder)
        if self.fmt == "csv":
            if not self.passphrase.text():
                return tr("CSV 台账须设置导出口令")
            if self.passphrase.text() != self.passphrase_again.text():
                return tr("两次输入的导出口令不一致")
        return ""

    def start(self) -> None:
        problem = self._check()
        if problem:
            self.status_line.setText(problem)
            self.status_line.setStyleSheet("color: #b91c1c;")
            return
        lo, hi = self.period()
        module = self.module.currentData()
        kwargs = dict(
            fmt=self.fmt, out=str(Path(self.path.text().strip()).expanduser()), date_from=lo, date_to=hi,
            village=self.village.currentData(), grid=self.grid.text().strip() or None,
            officer=(self.officer.text().strip() or None) if self.officer.isEnabled() else None,
            status=self.status.currentData(), lang=self.lang,
            passphrase=self.passphrase.text() if self.fmt == "csv" else None,
        )

        def run(job: Job) -> ledger_service.LedgerExport:
            # The worker pauses the cyclic GC only for jobs that use its own progress box; this
            # job shows progress here instead, so it pauses it itself. Measured: with the GC on,
            # a full collection in the middle of a 100,000-row export held the GIL for 1.2 s
            # and froze the window (see bench/ledger_export_stall_bench.py).
            paused = gc.isenabled()
            if paused:
                gc.disable()
            try:
                return ledger_service.export_ledger(job.ws, module, progress=job.progress, cancel=job.cancel, **kwargs)
            finally:
                if paused:
                    gc.enable()

        self.result = None
        self.outcome = ""
        self._set_running(True)
        self.status_line.setStyleSheet("")
        self.status_line.setText(tr("正在导出…"))
        self.job = self.worker.run(run, self._done, self._failed, progress=False, label=tr("正在导出台账…"),
                                   owner=self, parent=self)
        # Locking the app destroys this window; the export must not go on writing personal data
        # to disk behind the lock screen (the lock job waits behind it on the same thread).
        job = self.job
        self.destroyed.connect(lambda *_args: job.request_cancel())
        QTimer.singleShot(PROGRESS_DELAY_MS, self, self._reveal_progress)

    def _set_running(self, running: bool) -> None:
        for w in (self.module, self.preset, self.date_from, self.date_to, self.village, self.grid, self.officer,
                  self.status, self.path, self.passphrase, self.passphrase_again):
            w.setEnabled(not running)
        for b in self.formats.buttons():
            b.setEnabled(not running)
        if not running:
            self._module_changed_enable_only()
            self.date_from.setEnabled(self.preset.currentData() != "all")
            self.date_to.setEnabled(self.preset.currentData() != "all")
        self.export_button.setVisible(not running)
        self.stop_button.setVisible(running)
        self.stop_button.setEnabled(running)
        self.close_button.setEnabled(not running)
        self.open_folder_button.setVisible(False)
        if running:
            self._poll.start()
        else:
            self._poll.stop()
            self.progress.setVisible(False)

    def _module_changed_enable_only(self) -> None:
        spec = self.spec()
        self.status.setEnabled(spec.field_with_role("status") is not None)
        self.officer.setEnabled(spec.field_with_role("officer") is not None)
        self._allowed_formats()

    def _allowed_formats(self) -> None:
        """XLSX/PDF need `print`, the sealed CSV `export_sealed` (forms/permissions.toml)."""
        if self.module.currentData() is None:
            return
        for b in self.formats.buttons():
            action = "export_sealed" if b.property("fmt") == "csv" else "print"
            allowed = _may(self.info, action, self.module.currentData())
            b.setEnabled(allowed)
            b.setToolTip("" if allowed else tr("您的角色不能以这种格式导出这本台账"))
        checked = self.formats.checkedButton()
        if checked is not None and not checked.isEnabled():
            for b in self.formats.buttons():
                if b.isEnabled():
                    b.setChecked(True)
                    break

    def _reveal_progress(self) -> None:
        if self.job is not None and self.running:
            self.progress.setRange(0, 0)  # busy until the service knows its row count
            self.progress.setVisible(True)
            self._update_progress()

    @property
    def running(self) -> bool:
        return self.job is not None

    def _update_progress(self) -> None:
        job = self.job
        if job is None or not self.progress.isVisible():
            return
        if job.total_count > 0:
            if self.progress.maximum() != job.total_count:
                self.progress.setRange(0, job.total_count)
            self.progress.setValue(min(job.done_count, job.total_count))
            self.status_line.setText(tr("正在导出：%1 / %2 行").replace("%1", f"{job.done_count:,}")
                                     .replace("%2", f"{job.total_count:,}"))

    def stop(self) -> None:
        """Ask the export to stop; it stops at the next page of rows and deletes its partial file."""
        if self.job is None:
            return
        self.job.request_cancel()
        self.stop_button.setEnabled(False)
        self.status_line.setText(tr("正在停止…"))

    def _done(self, result: ledger_service.LedgerExport) -> None:
        self._finish()
        self.result = result
        self.outcome = "done"
        pages = tr("，%1 页").replace("%1", str(result.pages)) if result.pages else ""
        sealed = tr("（已加密）") if result.sealed else ""
        self.status_line.setText(tr("已导出 %1 行%2%3：%4").replace("%1", f"{result.rows:,}").replace("%2", pages)
                                 .replace("%3", sealed).replace("%4", result.path))
        self.open_folder_button.setVisible(True)
        self.open_folder_button.setFocus()
        if self._close_when_stopped:  # the chief closed the window; the file is written anyway
            super().reject()

    def _open_folder(self) -> None:
        if self.result is not None:
            self.path_dialog = reveal_folder(self.result.path, self)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, Cancelled):
            self.outcome = "cancelled"
            self.status_line.setText(tr("已停止导出，未留下文件。"))
        else:
            self.outcome = "failed"
            self.status_line.setStyleSheet("color: #b91c1c;")
            self.status_line.setText(tr("导出失败：") + message_for(exc))
            show_error(self, exc)
        if self._close_when_stopped:
            super().reject()

    def _finish(self) -> None:
        self.job = None
        self._set_running(False)

    # -- closing ----------------------------------------------------------------------------
    def reject(self) -> None:
        """Esc or the window's close button while exporting stops the export first."""
        if self.job is not None:
            self._close_when_stopped = True
            self.stop()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.job is not None:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)


def _may(info: Any, action: str, module: str) -> bool:
    """What the table lets the signed-in role do with this ledger (`SessionInfo.may`)."""
    return bool(info.may(action, module))
