"""One module as a list: search-as-you-type, village/grid and date filters, sortable columns.

The list is a `RecordTableModel` over the ordered row ids the store returns for the current
filters and sort; with text in the search box the ids are the search hits instead. Every query
runs on the database thread; typing is debounced and a newer query replaces a waiting one.

Threading: GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services import records as rec_service
from fieldkit.services import search as search_service
from fieldkit.ui.forms.editor_types import EDITORS
from fieldkit.ui.record_model import RecordTableModel, display_rows
from fieldkit.ui.resources import icon
from fieldkit.ui.worker import Worker

SEARCH_LIMIT = 500
MAX_COLUMNS = 9  # a 1366-pixel screen shows about this many ledger columns readably


def tr(text: str) -> str:
    return QCoreApplication.translate("ModuleView", text)


def list_columns(spec: Any) -> list[Any]:
    """The module's ledger columns (what inspections expect to see), as top-level FieldSpecs."""
    names = list(getattr(spec.ledger, "columns", ()) or ())
    fields = []
    for name in names:
        if spec.has_field(name):
            f = spec.field(name)
            if EDITORS[f.type].listed != "never":
                fields.append(f)
    if not fields:
        fields = [f for f in spec.fields if EDITORS[f.type].listed == "always"]
    return fields[:MAX_COLUMNS]


def village_options(ws: Any) -> list[tuple[str, str]]:
    """Database thread: (code, name) of every village the user can see, by name."""
    if not any(m.id == "villages" for m in ws.visible_modules()):
        return []
    recs = rec_service.rows(ws, rec_service.list_ids(ws, "villages", order_by="name"))
    return [(str(r.data.get("code") or ""), str(r.data.get("name") or r.data.get("code") or "")) for r in recs if r.data.get("code")]


class ModuleView(QWidget):
    """The list of one module. `open_requested(uuid, module_id)`, `new_requested(module_id, initial)`
    (a new record starts in the village and grid the list is filtered to)."""

    open_requested = Signal(str, str)
    new_requested = Signal(str, object)
    count_changed = Signal(str, int)

    def __init__(self, worker: Worker, spec: Any, *, page_size: int, search_delay_ms: int, lang: str) -> None:
        super().__init__()
        self.setObjectName(f"module_{spec.id}")
        self.worker = worker
        self.spec = spec
        self.lang = lang
        self.columns = list_columns(spec)
        self._order: tuple[str | None, bool] = (None, False)
        self.loading = False
        self._ready = False  # Qt calls sort() while the table is being set up; ignore until built
        self._query_text = ""
        self.shown_text: str | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(search_delay_ms)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        title = QLabel(spec.label.get(lang))
        title.setObjectName("moduleTitle")
        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addSpacing(12)
        self.search = QLineEdit()
        self.search.setObjectName("moduleSearch")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setPlaceholderText(tr("查找：身份证号、车牌、电话、姓名或拼音首字母（如 zw）"))
        bar.addWidget(self.search, 1)
        self.new_button = QPushButton(icon("add"), tr("新建"))
        self.new_button.setObjectName("newRecord")
        self.new_button.setToolTip(tr("新建一条记录（Ctrl+N）"))
        self.new_button.clicked.connect(lambda: self.new_requested.emit(self.spec.id, self.new_initial()))
        bar.addWidget(self.new_button)
        self.import_button = QPushButton(tr("导入…"))
        self.import_button.setObjectName("importCsv")
        self.import_button.setToolTip(tr("从 CSV 文件导入（先检查每一行，有问题时什么都不写）"))
        self.import_button.clicked.connect(lambda: self.importer().choose_and_import())
        bar.addWidget(self.import_button)
        self.delete_button = QPushButton(tr("删除…"))
        self.delete_button.setObjectName("deleteRecords")
        self.delete_button.setToolTip(tr("删除选中的记录（问明原因；可在回收站恢复）"))
        self.delete_button.setVisible(False)  # the window shows it to a role the table lets delete
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self.delete_selected)
        bar.addWidget(self.delete_button)
        # The people register also takes the province's household-registration extract.
        self.hukou_button = QPushButton(tr("户籍导入…"))
        self.hukou_button.setObjectName("importHukou")
        self.hukou_button.setToolTip(tr("导入省厅下发的户籍数据：按公民身份号码比对，逐行确认后写入"))
        self.hukou_button.clicked.connect(lambda: self.hukou_import().show())
        self.hukou_button.setVisible(spec.hub == "person")
        bar.addWidget(self.hukou_button)
        self.hukou_dialog: Any = None
        layout.addLayout(bar)

        filters = QHBoxLayout()
        self.village = QComboBox()
        self.village.setObjectName("villageFilter")
        self.village.addItem(tr("全部村（社区）"), None)
        self.village.setMinimumWidth(150)
        self.grid = QLineEdit()
        self.grid.setObjectName("gridFilter")
        self.grid.setPlaceholderText(tr("网格编号"))
        self.grid.setMaximumWidth(120)
        self.use_dates = QCheckBox(tr("日期"))
        self.date_from = QDateEdit(QDate.currentDate().addMonths(-1))
        self.date_to = QDateEdit(QDate.currentDate())
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.use_dates.toggled.connect(self.date_from.setEnabled)
        self.use_dates.toggled.connect(self.date_to.setEnabled)
        has_village = spec.field_with_role("village") is not None
        has_grid = spec.field_with_role("grid") is not None
        has_date = spec.field_with_role("date") is not None
        self.village.setVisible(has_village)
        self.grid.setVisible(has_grid)
        for w in (self.use_dates, self.date_from, self.date_to):
            w.setVisible(has_date)
        filters.addWidget(self.village)
        filters.addWidget(self.grid)
        filters.addWidget(self.use_dates)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel("–") if has_date else QLabel())
        filters.addWidget(self.date_to)
        filters.addStretch(1)
        self.status = QLabel()
        self.status.setObjectName("listStatus")
        filters.addWidget(self.status)
        layout.addLayout(filters)

        self.model = RecordTableModel(worker, self.columns, page_size=page_size, lang=lang)
        self.model.sort_requested.connect(self._sort)
        self.model.page_loaded.connect(self._fit_once)
        self._fitted = False
        self.table = QTableView()
        self.table.setObjectName("recordTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # several to delete
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        # Qt measures 1,000 rows per column for a content width by default; 40 loaded rows tell
        # as much and cost 1/25 of the time (it was a 0.7 s stall when a big list opened).
        self.table.horizontalHeader().setResizeContentsPrecision(40)
        self.table.verticalHeader().setDefaultSectionSize(26)
        # Uniform row heights keep scrolling O(visible rows) at 300,000 rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # `activated` covers Enter/Return and double-click: keyboard and mouse open the same way.
        self.table.activated.connect(lambda index: self._open_row(index.row()))
        layout.addWidget(self.table, 1)
        self._size_columns()
        self.table.selectionModel().selectionChanged.connect(
            lambda *_a: self.delete_button.setEnabled(self.table.selectionModel().hasSelection()))

        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._search_enter)
        self.grid.textChanged.connect(lambda _t: self._debounce.start())
        self.village.currentIndexChanged.connect(lambda _i: self.reload())
        self.use_dates.toggled.connect(lambda _on: self.reload())
        self.date_from.dateChanged.connect(lambda _d: self.use_dates.isChecked() and self.reload())
        self.date_to.dateChanged.connect(lambda _d: self.use_dates.isChecked() and self.reload())
        self.search.setTabOrder(self.search, self.new_button)
        self.setTabOrder(self.new_button, self.village)
        self.setTabOrder(self.village, self.grid)
        self.setTabOrder(self.grid, self.use_dates)
        self.setTabOrder(self.use_dates, self.table)
        if has_village:
            self.worker.run(lambda job: village_options(job.ws), self._set_villages, progress=False, owner=self)
        self._ready = True
        self.reload()

    def _size_columns(self) -> None:
        """Widths from what the column holds: 18 digits for an ID number, 4 characters for a name."""
        fm = self.table.fontMetrics()
        digit, han = fm.horizontalAdvance("0"), fm.horizontalAdvance("汉")
        for i, f in enumerate(self.columns):
            digits, hans = EDITORS[f.type].list_width
            label = fm.horizontalAdvance(f.label.get(self.lang)) + 24  # room for the sort arrow
            self.table.setColumnWidth(i, max(label, digits * digit + hans * han) + 12)

    def _fit_once(self) -> None:
        """After the first page arrives, widen columns to what they hold (once: no jumping later)."""
        if self._fitted:
            return
        self._fitted = True
        for i in range(len(self.columns)):
            wanted = min(self.table.sizeHintForColumn(i) + 12, 320)
            if wanted > self.table.columnWidth(i):
                self.table.setColumnWidth(i, wanted)

    def new_initial(self) -> dict[str, Any]:
        """What a new record of this list starts with: the village and grid it is filtered to."""
        out: dict[str, Any] = {}
        village, grid = self.spec.field_with_role("village"), self.spec.field_with_role("grid")
        if village is not None and self.village.currentData():
            out[village.name] = self.village.currentData()
        if grid is not None and self.grid.text().strip():
            out[grid.name] = self.grid.text().strip()
        return out

    def _set_villages(self, options: list[tuple[str, str]]) -> None:
        for code, name in options:
            self.village.addItem(name, code)

    # -- queries ----------------------------------------------------------------------------
    def filters(self) -> dict[str, Any]:
        f: dict[str, Any] = {}
        if self.village.isVisible() and self.village.currentData():
            f["village"] = self.village.currentData()
        grid = self.grid.text().strip()
        if grid:
            f["grid"] = grid
        if self.use_dates.isChecked():
            f["date_from"] = self.date_from.date().toString("yyyy-MM-dd")
            f["date_to"] = self.date_to.date().toString("yyyy-MM-dd")
        return f

    def _sort(self, field: str, desc: bool) -> None:
        role_columns = {"village": "village", "grid": "grid", "date": "date"}
        f = self.spec.field(field)
        self._order = (role_columns.get(f.role or "", field), desc)
        self.reload()

    def reload(self) -> None:
        """Re-query the ids (or the search hits) for the current text, filters and sort."""
        self._debounce.stop()
        if not self._ready:
            return
        text = self.search.text().strip()
        module, columns, lang, filters = self.spec.id, self.columns, self.lang, self.filters()
        order_by, desc = self._order
        self.loading = True
        self.status.setText(tr("正在查找…") if text else tr("正在读取…"))
        self._query_text = text

        if text:
            def work(job):
                hits = search_service.search(job.ws, text, modules=[module], limit=SEARCH_LIMIT,
                                            village=filters.get("village"))
                recs = [h.record for h in hits if _passes(h.record, filters)]
                return [r.id for r in recs], display_rows(job.ws, columns, recs, lang), len(recs)
        else:
            def work(job):
                ids = rec_service.list_ids(job.ws, module, order_by=order_by, desc=desc, **filters)
                return ids, None, len(ids)

        self.worker.run(work, self._loaded, self._failed, progress=False, key=f"list:{module}", parent=self)

    def _loaded(self, result: tuple[list[int], dict | None, int]) -> None:
        ids, prefetched, count = result
        self.model.set_ids(ids, prefetched)
        self.table.scrollToTop()  # a new order or filter starts at its first row
        self.loading = False
        self.shown_text = self._query_text  # what the rows on screen answer (tests, bench)
        if self.search.text().strip():
            more = tr("（只显示前 %1 条）").replace("%1", str(SEARCH_LIMIT)) if count >= SEARCH_LIMIT else ""
            self.status.setText(tr("找到 %1 条").replace("%1", str(count)) + more)
        else:
            self.status.setText(tr("共 %1 条").replace("%1", f"{count:,}"))
            if not self.filters():
                self.count_changed.emit(self.spec.id, count)

    def _failed(self, exc: BaseException) -> None:
        from fieldkit.ui.errors import message_for, show_error

        self.loading = False
        self.status.setText(message_for(exc))
        show_error(self, exc)

    def _search_enter(self) -> None:
        """Enter in the search box: search now; a single hit opens directly."""
        self.reload()

    def _open_row(self, row: int) -> None:
        uuid = self.model.uuid_at(row)
        if uuid:
            self.open_requested.emit(uuid, self.spec.id)

    def selected_ids(self) -> list[int]:
        """Row ids of the selected rows, loaded or not (Ctrl+A on a long list selects them all)."""
        ids = self.model.ids()
        return [ids[r] for r in sorted({i.row() for i in self.table.selectionModel().selectedRows()}) if r < len(ids)]

    def delete_selected(self) -> None:
        """Delete the selected rows with one reason (the list reloads when the change arrives)."""
        from fieldkit.ui.delete_dialog import ask_and_delete

        ids = self.selected_ids()
        if not self.delete_button.isVisible() or not ids:
            return
        self.worker.run(lambda job: [r.uuid for r in rec_service.rows(job.ws, ids)],
                        lambda uuids: ask_and_delete(self.worker, uuids, self.lang, self, lambda _recs: None),
                        progress=False, parent=self)

    def importer(self):
        """The CSV importer for this module; the list and counts refresh when it is done."""
        from fieldkit.ui.csv_import import CsvImporter

        importer = CsvImporter(self.worker, self.spec, self.lang, self)
        importer.finished.connect(lambda *_counts: self.refresh())
        return importer

    def hukou_import(self) -> Any:
        """The household-registration import dialog; the list refreshes after it wrote."""
        from fieldkit.ui.hukou_import import HukouImportDialog

        if self.hukou_dialog is None:
            self.hukou_dialog = HukouImportDialog(self.worker, self.lang, self)
            self.hukou_dialog.imported.connect(lambda *_counts: self.refresh())
        return self.hukou_dialog

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def refresh(self) -> None:
        self.model.invalidate_rows()
        self.reload()

    def apply_changes(self, changes: Any) -> None:
        """The window's tab protocol: reload when records of this module changed anywhere."""
        if changes.touches(module=self.spec.id):
            self.refresh()


def _passes(record: Any, filters: dict[str, Any]) -> bool:
    """Search hits honour the village/grid/date filters too (checked on the stored columns)."""
    if "village" in filters and record.village != filters["village"]:
        return False
    if "grid" in filters and record.grid != filters["grid"]:
        return False
    date = record.date or ""
    if "date_from" in filters and (not date or date[:10] < filters["date_from"]):
        return False
    return not ("date_to" in filters and (not date or date[:10] > filters["date_to"]))
