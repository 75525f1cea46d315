"""Print doorplates (打印门牌): a village, or one hamlet or building of it, as an A4 PDF.

Each plate carries the address code signed with the station's key (services.station_keys), so a
grid worker's scan can tell a genuine plate from a forged one. The PDF is built by one worker job
(`services.doorplates.print_from_store`) with the worker's own progress box and cancel.

Threading: GUI thread only; the store is read and the PDF written on the database thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.errors import Cancelled
from fieldkit.services import doorplates
from fieldkit.ui.errors import message_for, show_error
from fieldkit.ui.module_view import village_options
from fieldkit.ui.station.common import hint, open_folder
from fieldkit.ui.station.ledger_dialog import default_folder
from fieldkit.ui.worker import Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("DoorplatePrint", text)


class DoorplatePrintDialog(QDialog):
    """Choose the addresses and the file; "生成门牌" writes the PDF. `outcome` is "done" after a run."""

    def __init__(self, worker: Worker, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.lang = lang
        self.outcome = ""
        self.result: dict[str, Any] | None = None
        self.setWindowTitle(tr("打印门牌"))
        self.setObjectName("doorplatePrintDialog")

        self.village = QComboBox()
        self.village.setObjectName("doorplateVillage")
        self.village.setMinimumWidth(220)
        self.hamlet = QLineEdit()
        self.hamlet.setObjectName("doorplateHamlet")
        self.hamlet.setPlaceholderText(tr("自然村，留空为全村"))
        self.building = QLineEdit()
        self.building.setObjectName("doorplateBuilding")
        self.building.setPlaceholderText(tr("楼栋，留空为全部"))
        self.path = QLineEdit(str(default_folder() / tr("门牌.pdf")))
        self.path.setObjectName("doorplatePath")
        browse = QPushButton(tr("选择…"))
        browse.clicked.connect(self.browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)

        form = QFormLayout()
        form.addRow(tr("村（社区）"), self.village)
        form.addRow(tr("自然村"), self.hamlet)
        form.addRow(tr("楼栋"), self.building)
        form.addRow(tr("保存到"), path_row)

        self.message = QLabel()
        self.message.setObjectName("doorplateMessage")
        self.message.setWordWrap(True)
        self.print_button = QPushButton(tr("生成门牌"))
        self.print_button.setObjectName("doorplatePrintButton")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.start)
        self.folder_button = QPushButton(tr("打开所在文件夹"))
        self.folder_button.setVisible(False)
        self.folder_button.clicked.connect(lambda: open_folder(self.path.text()))
        close = QPushButton(tr("关闭"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint(tr("A4 纸每页 8 块，带裁切线；二维码用本所签名密钥签名，扫码可辨真伪。按 300 dpi 打印。")))
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.worker.run(lambda job: village_options(job.ws), self._villages, progress=False, owner=self, parent=self)

    def _villages(self, options: list[tuple[str, str]]) -> None:
        for code, name in options:
            self.village.addItem(name, code)

    def browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("保存门牌"), self.path.text(), "PDF (*.pdf)")
        if path:
            self.path.setText(path if path.lower().endswith(".pdf") else path + ".pdf")

    def start(self) -> None:
        code = self.village.currentData()
        out = self.path.text().strip()
        if not code:
            self.message.setText(tr("请先选择村（社区）"))
            return
        if not out:
            self.message.setText(tr("请选择保存位置"))
            return
        if not Path(out).parent.is_dir():
            self.message.setText(tr("保存位置所在的文件夹不存在：%1").replace("%1", str(Path(out).parent)))
            return
        hamlet, building = self.hamlet.text().strip() or None, self.building.text().strip() or None
        self.print_button.setEnabled(False)
        self.message.setText(tr("正在生成门牌…"))

        def run(job) -> dict[str, Any]:
            return doorplates.print_from_store(job.ws, out, village=code, hamlet=hamlet, building=building,
                                               progress=job.progress, cancel=job.cancel)

        self.worker.run(run, self._done, self._failed, label=tr("正在生成门牌…"), parent=self, owner=self)

    def _done(self, result: dict[str, Any]) -> None:
        self.outcome, self.result = "done", result
        self.print_button.setEnabled(True)
        self.folder_button.setVisible(True)
        self.message.setText(tr("已生成 %1 块门牌，共 %2 页：%3")
                             .replace("%1", str(result["plates"])).replace("%2", str(result["pages"]))
                             .replace("%3", result["out"]))

    def _failed(self, exc: BaseException) -> None:
        self.print_button.setEnabled(True)
        if isinstance(exc, Cancelled):
            self.outcome = "cancelled"
            self.message.setText(tr("已取消，未生成文件"))
            return
        self.outcome = "failed"
        self.message.setText(message_for(exc))
        show_error(self, exc)
