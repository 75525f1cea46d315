"""Import a CSV into a module, in the background, with progress, cancel and a preview.

First a dry run (`services.importer`, nothing written): the preview says how many rows would be
new, updated, unchanged or refused, lists each refusal (line, field, reason) and each watch-list
hit, and offers to import — only the good rows when some are refused. Then the import itself,
through the same door. A sealed export (from another laptop) asks for its passphrase.

Threading: GUI thread; the import runs on the database thread through the worker.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services import importer, sealed
from fieldkit.ui import words
from fieldkit.ui.errors import show_error
from fieldkit.ui.worker import Worker

MAX_LISTED = 200


def tr(text: str) -> str:
    return QCoreApplication.translate("CsvImport", text)


class ProblemsDialog(QDialog):
    """The dry run's answer: counts, refused rows, watch-list hits. "导入" (nothing refused) or
    "只导入没问题的行" accepts; cancelling imports nothing."""

    def __init__(self, report: Any, lang: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("importProblems")
        self.setWindowTitle(tr("导入前检查"))
        self.resize(680, 440)
        layout = QVBoxLayout(self)
        summary = tr("将新增 %1 条，更新 %2 条，未变 %3 条；有问题 %4 行。什么都还没有导入。").replace(
            "%1", f"{report.created:,}").replace("%2", f"{report.updated:,}").replace(
            "%3", f"{report.unchanged:,}").replace("%4", f"{report.refused:,}")
        self.summary = QLabel(summary)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        en = lang == "en"
        lines = [words.labelled(tr("第 %1 行").replace("%1", str(p["line"])), p["message_en"] if en else p["message"])
                 for p in report.problems[:MAX_LISTED]]
        if len(report.problems) > MAX_LISTED:
            lines.append(tr("……还有 %1 处").replace("%1", str(len(report.problems) - MAX_LISTED)))
        lines += [tr("第 %1 行 %2 命中布控名单：%3").replace("%1", str(w["line"])).replace("%2", w["field"])
                  .replace("%3", w["reason"]) for w in report.watch[:MAX_LISTED]]
        self.text = QPlainTextEdit("\n".join(lines))
        self.text.setReadOnly(True)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox()
        label = tr("只导入没问题的行") if report.refused else tr("导入")
        self.skip = buttons.addButton(label, QDialogButtonBox.ButtonRole.AcceptRole)
        self.skip.setObjectName("importSkipInvalid")
        self.skip.setEnabled(report.changed > 0)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class CsvImporter(QObject):
    """One import into `module`: `finished(created, updated, skipped)` after a successful run."""

    finished = Signal(int, int, int)

    def __init__(self, worker: Worker, module: Any, lang: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.worker = worker
        self.module = module
        self.lang = lang
        self.parent_widget = parent
        self.problems: ProblemsDialog | None = None
        self.report_box: QMessageBox | None = None

    def choose_and_import(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self.parent_widget, tr("选择要导入的 CSV 文件"), "", tr("CSV 文件 (*.csv *.fkcsv);;所有文件 (*)"))
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path, *, passphrase: str | None = None, skip_invalid: bool = False) -> None:
        if passphrase is None and _is_sealed(path):
            text, ok = QInputDialog.getText(self.parent_widget, tr("加密的文件"),
                                            tr("这个文件是加密导出的，请输入导出时设的口令："), QLineEdit.EchoMode.Password)
            if not ok:
                return
            passphrase = text
        module_id = self.module.id

        def check(job):
            return importer.import_csv(job.ws, module_id, path, passphrase=passphrase, dry_run=True,
                                       progress=job.progress, cancel=job.cancel)

        def checked(report: Any) -> None:
            # Always shown, a clean file too: "1,500 would be updated" is worth a look first.
            self.problems = ProblemsDialog(report, self.lang, self.parent_widget)
            self.problems.accepted.connect(lambda: self._run(path, passphrase, skip_invalid=bool(report.refused)))
            self.problems.open()

        label = tr("正在检查 %1…").replace("%1", path.name)
        self.worker.run(check, checked, lambda e: show_error(self.parent_widget, e), label=label,
                        parent=self.parent_widget, owner=self)

    def _run(self, path: Path, passphrase: str | None, *, skip_invalid: bool) -> None:
        module_id = self.module.id

        def work(job):
            return importer.import_csv(job.ws, module_id, path, passphrase=passphrase, skip_invalid=skip_invalid,
                                       progress=job.progress, cancel=job.cancel)

        label = tr("正在导入 %1…").replace("%1", path.name)
        self.worker.run(work, self._done, lambda e: show_error(self.parent_widget, e), label=label,
                        parent=self.parent_widget, owner=self)

    def _done(self, report: Any) -> None:
        text = tr("新增 %1 条，更新 %2 条，未变 %3 条，跳过 %4 条。").replace("%1", f"{report.created:,}").replace(
            "%2", f"{report.updated:,}").replace("%3", f"{report.unchanged:,}").replace("%4", f"{report.refused:,}")
        self.report_box = QMessageBox(QMessageBox.Icon.Information, tr("导入完成"), text, parent=self.parent_widget)
        self.report_box.setObjectName("importReport")
        self.report_box.open()
        self.finished.emit(report.created, report.updated, report.refused)


def _is_sealed(path: Path) -> bool:
    """A sealed export starts with a magic header; reading a few bytes is instant."""
    try:
        with path.open("rb") as fh:
            return fh.read(len(sealed.MAGIC)) == sealed.MAGIC
    except OSError:
        return False
