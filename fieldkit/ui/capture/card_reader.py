"""The "读取身份证" button: read a 2nd-generation ID card and hand its fields to a person form.

One worker job opens the configured reader (SDT / termb, or the demo card in demo mode), waits
for the card, and looks the number up among the residents (`id_application.card_lookup`), so the
form can say "此人已登记" instead of creating the same person twice. While it waits the button
reads "取消读卡"; pressing it cancels (`reader.cancel()` from the GUI thread, plus the job flag).
A missing reader or library is said in the status label; the officer types the fields instead.

`fill_form(form, values)` fills only the fields still empty: what the officer typed wins.
Threading: GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from fieldkit.domain.errors import Cancelled, UserFacingError
from fieldkit.services import devices_access as devices
from fieldkit.services import id_application as app_service
from fieldkit.ui.capture.common import EventBridge
from fieldkit.ui.errors import message_for, show_error, ui_language
from fieldkit.ui.worker import Job, Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("CardReader", text)


class CardReaderPanel(QWidget):
    """A button and a one-line status. `card_read(CardLookup)` when a card was read."""

    card_read = Signal(object)

    def __init__(self, worker: Worker, parent: QWidget | None = None, *, timeout: float = 30.0) -> None:
        super().__init__(parent)
        self.setObjectName("cardReaderPanel")
        self.worker = worker
        self.timeout = timeout
        self.reading = False
        self._job: Job | None = None
        self._reader: Any = None
        self._events = EventBridge(self)
        self._events.slots.append(self._on_event)
        self.button = QPushButton(tr("读取身份证"))
        self.button.setObjectName("readCard")
        self.button.clicked.connect(self._clicked)
        self.status = QLabel()
        self.status.setObjectName("cardStatus")
        self.status.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.status, 1)
        self.lookup: Any = None

    def _clicked(self) -> None:
        if self.reading:
            self.cancel()
        else:
            self.read()

    def read(self) -> None:
        self.reading = True
        self.button.setText(tr("取消读卡"))
        self.status.setText(tr("正在连接身份证阅读器…"))
        post = self._events.post

        def run(job: Job) -> Any:
            reader = devices.open_card_reader(job.ws)
            self._reader = reader
            try:
                if job.cancel():
                    raise Cancelled()
                info = devices.read_card(reader, progress=post, cancel=job.cancel, timeout=self.timeout)
            finally:
                self._reader = None
                reader.close()
            return app_service.card_lookup(job.ws, info)

        self._job = self.worker.run(run, self._done, self._failed, progress=False, parent=self, owner=self)

    def cancel(self) -> None:
        if self._job is not None:
            self._job.request_cancel()
        reader = self._reader
        if reader is not None:
            reader.cancel()

    def _on_event(self, ev: Any) -> None:
        self.status.setText(ev.message_en if ui_language() == "en" else ev.message)

    def _reset(self) -> None:
        self.reading = False
        self._job = None
        self.button.setText(tr("读取身份证"))

    def _done(self, lookup: Any) -> None:
        self._reset()
        self.lookup = lookup
        name = lookup.values.get("name", "")
        text = tr("已读取：%1").replace("%1", name)
        if lookup.existing is not None:
            text += tr("（此人已登记，将使用已有档案）")
        if lookup.photo_message:
            text += f"；{lookup.photo_message}"
        self.status.setText(text)
        self.card_read.emit(lookup)

    def _failed(self, exc: BaseException) -> None:
        self._reset()
        if isinstance(exc, Cancelled):
            self.status.setText(tr("已取消读卡"))
        elif isinstance(exc, UserFacingError):
            self.status.setText(message_for(exc) + tr("；也可以手工录入"))
        else:
            show_error(self, exc)


def fill_form(form: Any, values: dict[str, Any]) -> list[str]:
    """Put card values into a generated `FormWidget`, only where the field is empty.

    Returns the names filled. Fields the form does not have (a module without `hukou_address`)
    are skipped.
    """
    filled = []
    for name, value in values.items():
        row = getattr(form, "rows", {}).get(name)
        if row is None or row.editor.value() not in (None, "", []):
            continue
        row.editor.set_value(value)
        filled.append(name)
    if filled and hasattr(form, "update_relevance"):
        form.update_relevance()
    return filled
