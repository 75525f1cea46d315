"""A lazy, id-based table model: 300,000 rows open at once, rows are read a page at a time.

The model holds the ordered row ids of the list (ints, a few MB for 300,000 rows) and a bounded
cache of display rows. `data()` for a row not in the cache returns a placeholder and asks the
worker for that row's page; when the page arrives the rows are cached and `dataChanged` is
emitted. Display strings (choice labels, village names, referenced people's names) are
computed on the database thread, because resolving a reference is a query.

Threading: GUI thread only; page fetches run on the database thread via `Worker.run`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from fieldkit.services import records as rec_service
from fieldkit.ui.worker import Worker

PLACEHOLDER = "…"
MAX_CACHED_ROWS = 20_000
UuidRole = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class RowData:
    """What the list shows for one record: its uuid and one display string per column."""

    uuid: str
    cells: tuple[str, ...]


def display_rows(ws: Any, columns: Sequence[Any], records: Sequence[Any], lang: str = "zh") -> dict[int, RowData]:
    """Database thread: turn records into display rows keyed by row id."""
    out: dict[int, RowData] = {}
    for rec in records:
        cells = tuple(rec_service.display_value(ws, f, rec.data.get(f.name), lang) for f in columns)
        out[rec.id] = RowData(rec.uuid, cells)
    return out


class RecordTableModel(QAbstractTableModel):
    """Rows are `ids` (store row ids) in display order; columns are FieldSpecs."""

    sort_requested = Signal(str, bool)  # field name, descending
    page_loaded = Signal()

    def __init__(self, worker: Worker, columns: Sequence[Any], *, page_size: int = 200, lang: str = "zh") -> None:
        super().__init__()
        self.worker = worker
        self.columns = list(columns)
        self.page_size = max(10, page_size)
        self.lang = lang
        self._ids: list[int] = []
        self._rows: OrderedDict[int, RowData] = OrderedDict()
        self._requested: set[int] = set()  # pages asked for and not yet back
        self._generation = 0  # bumps on every reset so late pages of an old list are ignored

    # -- loading ----------------------------------------------------------------------------
    def set_ids(self, ids: Sequence[int], prefetched: dict[int, RowData] | None = None) -> None:
        self.beginResetModel()
        self._generation += 1
        self._ids = list(ids)
        self._requested.clear()
        if prefetched:
            self._store(prefetched)
        self.endResetModel()

    def invalidate_rows(self) -> None:
        """Forget cached display rows (after an edit), keeping the ids; visible rows refetch."""
        self._rows.clear()
        self._requested.clear()
        self._generation += 1
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(self.columns) - 1))

    def ids(self) -> list[int]:
        return list(self._ids)

    def is_loaded(self, row: int) -> bool:
        return 0 <= row < len(self._ids) and self._ids[row] in self._rows

    def uuid_at(self, row: int) -> str | None:
        if 0 <= row < len(self._ids):
            data = self._rows.get(self._ids[row])
            return data.uuid if data else None
        return None

    def _store(self, rows: dict[int, RowData]) -> None:
        self._rows.update(rows)
        while len(self._rows) > MAX_CACHED_ROWS:
            self._rows.popitem(last=False)

    def _request(self, page: int) -> None:
        if page in self._requested:
            return
        self._requested.add(page)
        start = page * self.page_size
        page_ids = self._ids[start : start + self.page_size]
        columns, lang, generation = self.columns, self.lang, self._generation

        def fetch(job):
            return display_rows(job.ws, columns, rec_service.rows(job.ws, page_ids), lang)

        def done(rows: dict[int, RowData]) -> None:
            if generation != self._generation:
                return
            self._requested.discard(page)
            self._store(rows)
            last = min(start + self.page_size, len(self._ids)) - 1
            if last >= start:
                self.dataChanged.emit(self.index(start, 0), self.index(last, len(self.columns) - 1))
            self.page_loaded.emit()

        def failed(exc: BaseException) -> None:
            self._requested.discard(page)
            from fieldkit.ui.errors import show_error

            show_error(None, exc)

        # No progress dialog: a page is milliseconds, and a dialog while scrolling is noise.
        self.worker.run(fetch, done, failed, progress=False, cancellable=False, owner=self)

    # -- Qt model API -----------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].label.get(self.lang)
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row_id = self._ids[index.row()]
        data = self._rows.get(row_id)
        if role == Qt.ItemDataRole.DisplayRole:
            if data is None:
                self._request(index.row() // self.page_size)
                return PLACEHOLDER
            self._rows.move_to_end(row_id)
            return data.cells[index.column()]
        if role == UuidRole:
            return data.uuid if data else None
        if role == Qt.ItemDataRole.ToolTipRole and data is not None:
            return data.cells[index.column()] or None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is the store's job (an index on the field): ask the view to reload ids."""
        if 0 <= column < len(self.columns):
            self.sort_requested.emit(self.columns[column].name, order == Qt.SortOrder.DescendingOrder)
