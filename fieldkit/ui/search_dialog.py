"""Global search (Ctrl+F): one box across every module the user sees.

Threading: GUI thread only; the search runs on the database thread, debounced, and a newer
query replaces one still waiting.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services import records as rec_service
from fieldkit.services import search as search_service
from fieldkit.ui.module_view import village_options
from fieldkit.ui.state import SessionInfo
from fieldkit.ui.worker import Worker

LIMIT = 100


def tr(text: str) -> str:
    return QCoreApplication.translate("GlobalSearch", text)


def match_label(kind: str) -> str:
    return {"id": tr("身份证号"), "id_tail": tr("身份证号后几位"), "plate": tr("车牌"), "plate_tail": tr("车牌"),
            "phone": tr("电话"), "code": tr("编码"), "name": tr("姓名"), "bi": tr("姓名"), "py": tr("拼音首字母"),
            "pyf": tr("拼音")}.get(kind, kind)


def hit_label(hit: search_service.SearchHit, lang: str) -> str:
    """The 匹配 column: the kind of key, or the other name a person was found by (曾用名：王小明)."""
    return hit.alias_label(lang) if hit.alias else match_label(hit.matched)


class GlobalSearchDialog(QDialog):
    open_requested = Signal(str, str)

    def __init__(self, worker: Worker, info: SessionInfo, lang: str, delay_ms: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("globalSearch")
        self.worker = worker
        self.info = info
        self.lang = lang
        self.setWindowTitle(tr("全局查找"))
        self.resize(760, 480)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.box = QLineEdit()
        self.box.setObjectName("globalSearchBox")
        self.box.setClearButtonEnabled(True)
        self.box.setPlaceholderText(tr("身份证号或后6位、车牌（可不输省份简称）、电话、门牌编码、姓名或拼音首字母"))
        top.addWidget(self.box, 1)
        # Within one village an ID number's last 4 digits are enough; across a county they repeat.
        self.village = QComboBox()
        self.village.setObjectName("globalSearchVillage")
        self.village.addItem(tr("全部村（社区）"), None)
        self.village.setToolTip(tr("选了村，只查这个村的记录，身份证号输后4位即可"))
        top.addWidget(self.village)
        layout.addLayout(top)
        self.results = QTreeWidget()
        self.results.setObjectName("globalResults")
        self.results.setRootIsDecorated(False)
        self.results.setHeaderLabels([tr("记录"), tr("模块"), tr("匹配")])
        self.results.setColumnWidth(0, 420)
        self.results.setColumnWidth(1, 150)
        layout.addWidget(self.results, 1)
        self.status = QLabel(tr("输入后自动查找；↓ 进入结果，回车打开"))
        layout.addWidget(self.status)
        self.searched = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.run_search)
        self.box.textChanged.connect(lambda _t: self._timer.start())
        self.village.currentIndexChanged.connect(lambda _i: self._timer.start() if self.box.text().strip() else None)
        self.worker.run(lambda job: village_options(job.ws), self._set_villages, progress=False, owner=self)
        self.box.returnPressed.connect(self._enter)
        self.box.installEventFilter(self)
        self.results.itemActivated.connect(lambda item, _c: self._open(item))

    def eventFilter(self, obj: Any, event: Any) -> bool:
        if (obj is self.box and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Down and self.results.topLevelItemCount()):
            self.results.setFocus()
            self.results.setCurrentItem(self.results.topLevelItem(0))
            return True
        return False

    def run_search(self) -> None:
        self._timer.stop()
        text = self.box.text().strip()
        if not text:
            self.results.clear()
            return
        lang, village = self.lang, self.village.currentData()

        def work(job):
            hits = search_service.search(job.ws, text, limit=LIMIT, village=village)
            if village:
                hits = [h for h in hits if h.record.village == village]
            found = [(h.record.uuid, h.module, rec_service.title(job.ws, h.record), hit_label(h, lang)) for h in hits]
            return text, found, search_service.tail_needs_village(job.ws, text, village)

        self.status.setText(tr("正在查找…"))
        self.worker.run(work, self._show, progress=False, key="global-search", parent=self)

    def _set_villages(self, options: list[tuple[str, str]]) -> None:
        for code, name in options:
            self.village.addItem(name, code)

    def _show(self, result: tuple[str, list[tuple[str, str, str, str]], bool]) -> None:
        text, hits, needs_village = result
        self.searched = text
        self.results.clear()
        for uuid, module, title, matched in hits:
            try:
                label = self.info.module(module).label.get(self.lang)
            except KeyError:
                label = module
            item = QTreeWidgetItem([title, label, matched])
            item.setData(0, Qt.ItemDataRole.UserRole, (uuid, module))
            self.results.addTopLevelItem(item)
        n = len(hits)
        if n:
            self.status.setText(tr("找到 %1 条").replace("%1", str(n)))
        elif needs_village:
            self.status.setText(tr("没有找到：身份证号后4–5位只在选定的村里查找，请先选村，或输入后6位"))
        else:
            self.status.setText(tr("没有找到"))

    def _enter(self) -> None:
        if self._timer.isActive() or self.searched != self.box.text().strip():
            self.run_search()
            return
        if self.results.topLevelItemCount():
            self._open(self.results.topLevelItem(0))

    def _open(self, item: QTreeWidgetItem) -> None:
        uuid, module = item.data(0, Qt.ItemDataRole.UserRole)
        self.open_requested.emit(uuid, module)
        self.accept()
