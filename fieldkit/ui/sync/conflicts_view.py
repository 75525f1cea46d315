"""The conflicts view: each conflict's two values side by side, "保留本机" / "采用对方".

Two officers edited the same field while offline (or one deleted a record the other edited);
sync kept both values and shows one for now. Here the officer sees both, with the record and
the field named in words, and picks one. The choice is written as an ordinary edit (history
shows it) that syncs and clears the conflict on every laptop.

Threading: GUI thread; loading and resolving run on the UI worker (`sync_service`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services import records as rsvc
from fieldkit.services import sync_service
from fieldkit.ui import words
from fieldkit.ui.worker import Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("Conflicts", text)


def _shown(ws: Any, c: sync_service.ConflictView, value: Any) -> str:
    """A value as the officer reads it (choice labels, 是/否…), computed on the DB thread."""
    spec = ws.catalog.get(c.module)
    f = next((x for x in spec.fields if x.name == c.field), None) if spec is not None else None
    if value is None or value == "":
        return tr("（空）")
    return rsvc.display_value(ws, f, value) if f is not None else str(value)


def load_rows(ws: Any) -> list[dict[str, Any]]:
    """Everything the view draws, as plain data (runs on the database thread)."""
    rows = []
    for c in sync_service.conflicts(ws):
        mine, theirs = c.mine, c.theirs
        rows.append({
            "uuid": c.uuid, "module": c.module, "field": c.field, "kind": c.kind, "title": c.title,
            "module_label": c.module_label, "field_label": c.field_label,
            # In an edit-vs-delete conflict the shown side is the deletion itself.
            "mine": tr("（已删除）") if (c.kind == "edit_vs_delete" and mine is c.shown) else _shown(ws, c, mine.value),
            "theirs": (tr("（已删除）") if (c.kind == "edit_vs_delete" and theirs is c.shown)
                       else _shown(ws, c, theirs.value)),
            "shown_is_mine": mine is c.shown,
        })
    return rows


class ConflictsView(QWidget):
    """A scrollable list of conflict cards. `resolved()` after each choice is written;
    `open_requested(uuid, module_label)` when the officer wants to see the whole record."""

    resolved = Signal()
    open_requested = Signal(str, str)  # uuid, module id

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncConflicts")
        self.setWindowTitle(tr("同步冲突"))
        self.worker = worker
        self.rows: list[dict[str, Any]] = []
        self.heading = QLabel()
        self.heading.setObjectName("conflictsHeading")
        self.heading.setWordWrap(True)
        self.cards = QWidget()
        self.cards_layout = QVBoxLayout(self.cards)
        self.cards_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.cards)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(scroll, 1)
        self.heading.setText(tr("正在读取…"))

    def refresh(self) -> None:
        """(Re)load the conflicts; the window's F5 calls this too."""
        self.worker.run(lambda job: load_rows(job.ws), self._show, progress=False, key="sync-conflicts",
                        owner=self)

    def apply_changes(self, changes: Any) -> None:
        """The window's tab protocol: something changed (maybe a form settling a conflict by hand,
        or a pull bringing new ones)."""
        self.refresh()

    def _show(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        while self.cards_layout.count() > 1:
            item = self.cards_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        if not rows:
            self.heading.setText(tr("没有需要处理的冲突。"))
            return
        self.heading.setText(tr("以下 %1 处在两台电脑上被同时修改。请逐一选择保留哪个值；选择后会在下次同步时发给其他电脑。")
                             .replace("%1", str(len(rows))))
        for row in rows:
            self.cards_layout.insertWidget(self.cards_layout.count() - 1, self._card(row))

    def _card(self, row: dict[str, Any]) -> QFrame:
        card = QFrame()
        card.setObjectName(f"conflict:{row['uuid']}:{row['field']}")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(card)
        what = (tr("删除与修改冲突") if row["kind"] == "edit_vs_delete" else tr("同一项被两人修改"))
        title = QLabel(words.counted(f"<b>{row['title']}</b>", row["module_label"]) + f" · {row['field_label']} · {what}")
        title.setTextFormat(Qt.TextFormat.RichText)
        title.setWordWrap(True)
        grid.addWidget(title, 0, 0, 1, 2)
        for col, (side, head) in enumerate((("mine", tr("本机的值")), ("theirs", tr("对方的值")))):
            head_label = QLabel(head + (tr("（当前显示）") if (side == "mine") == row["shown_is_mine"] else ""))
            value = QLabel(row[side])
            value.setObjectName(f"{side}Value")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setStyleSheet("font-size: 13pt; padding: 4px; border: 1px solid palette(mid);")
            button = QPushButton(tr("保留本机的值") if side == "mine" else tr("采用对方的值"))
            button.setObjectName(f"keep_{side}")
            button.clicked.connect(lambda _=False, r=row, s=side: self.keep(r["uuid"], r["field"], s))
            box = QVBoxLayout()
            box.addWidget(head_label)
            box.addWidget(value)
            box.addWidget(button)
            grid.addLayout(box, 1, col)
        actions = QHBoxLayout()
        open_button = QPushButton(tr("查看记录"))
        open_button.setObjectName("openRecord")
        open_button.clicked.connect(lambda _=False, r=row: self.open_requested.emit(r["uuid"], r["module"]))
        actions.addStretch(1)
        actions.addWidget(open_button)
        grid.addLayout(actions, 2, 0, 1, 2)
        return card

    def keep(self, uuid: str, field: str, side: str) -> None:
        """Write the choice on the database thread; the list reloads when it is stored."""
        for b in self.findChildren(QPushButton):
            b.setEnabled(False)  # one choice at a time: a double click must not write twice

        def done(_: Any) -> None:
            self.resolved.emit()
            self.refresh()

        def failed(exc: BaseException) -> None:
            from fieldkit.ui.errors import show_error

            show_error(self, exc)
            self.refresh()

        self.worker.run(lambda job: sync_service.keep(job.ws, uuid, field, side), done, failed,
                        progress=False, owner=self)
