"""The "读取身份证" button: read a 2nd-generation ID card and hand its fields to a person form.

One worker job opens the configured reader (SDT / termb, or the demo card in demo mode), waits
for the card, and looks the number up among the residents (`id_application.card_lookup`), so the
form can say "此人已登记" instead of creating the same person twice. While it waits the button
reads "取消读卡"; pressing it cancels (`reader.cancel()` from the GUI thread, plus the job flag).
A missing reader or library is said in the status label; the officer types the fields instead.

`fill_form(form, values)` fills only the fields still empty: what the officer typed wins.
`CardReaderMount` puts the panel on any dialog that hosts a generated form a card can fill: a
person form (it has an ID-number field) is filled from the chip; a form that points at a
resident (申领人, 当事人…) gets that resident — the one already registered, or a new one created
in place from the card. F2 reads from anywhere in the dialog; afterwards focus rests on the
dialog's 确定/保存 button, so Enter finishes the entry.
Threading: GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from fieldkit.domain.errors import Cancelled, UserFacingError
from fieldkit.formspec import FieldType
from fieldkit.services import devices_access as devices
from fieldkit.services import id_application as app_service
from fieldkit.services import records as rec_service
from fieldkit.ui.capture.common import EventBridge
from fieldkit.ui.errors import message_for, show_error, ui_language
from fieldkit.ui.worker import Job, Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("CardReader", text)


def _photo_words() -> dict[str, str]:
    """The chip photo's state (`IdCardInfo.photo_message`, Chinese) in the UI's language."""
    return {"已读取证件照片": tr("已读取证件照片"),
            "未配置照片解码库（WLT），证件照片无法显示": tr("未配置照片解码库（WLT），证件照片无法显示"),
            "证件照片解码失败": tr("证件照片解码失败"), "证件中无照片": tr("证件中无照片")}


class CardReaderPanel(QWidget):
    """A button and a one-line status. `card_read(CardLookup)` when a card was read."""

    card_read = Signal(object)

    def __init__(self, worker: Worker, parent: QWidget | None = None, *, timeout: float = 30.0,
                 demo: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("cardReaderPanel")
        self.worker = worker
        self.timeout = timeout
        self.reading = False
        self._job: Job | None = None
        self._reader: Any = None
        self._events = EventBridge(self)
        self._events.slots.append(self._on_event)
        self.demo = demo
        self.button = QPushButton(self._label())
        self.button.setObjectName("readCard")
        self.button.setAutoDefault(False)
        self.button.clicked.connect(self.toggle)
        self.status = QLabel()
        self.status.setObjectName("cardStatus")
        self.status.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.status, 1)
        self.lookup: Any = None
        self.existing_title = ""

    def _label(self) -> str:
        text = tr("读取身份证") + " (F2)"  # the household card's buttons name their keys the same way
        return text + " · " + tr("演示设备") if self.demo else text

    def toggle(self) -> None:
        """Read a card, or cancel the read under way (the button, or its key)."""
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
            lookup = app_service.card_lookup(job.ws, info)
            title = rec_service.title(job.ws, lookup.existing) if lookup.existing is not None else ""
            return lookup, title, devices.demo_mode(job.ws)

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
        self.button.setText(self._label())

    def _done(self, result: tuple[Any, str, bool]) -> None:
        lookup, self.existing_title, self.demo = result
        self._reset()
        self.lookup = lookup
        name = lookup.values.get("name", "")
        text = tr("已读取：%1").replace("%1", name)
        if self.demo:
            text = tr("演示卡，不是真实证件。") + text
        if lookup.existing is not None:
            text += tr("（此人已登记，将使用已有档案）")
        if lookup.photo_message:
            text += "；" + _photo_words().get(lookup.photo_message, lookup.photo_message)
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


def card_mode(spec: Any) -> str | None:
    """How a card read lands in a form of this module: "fill" (it has an ID-number field), "row"
    (a list of people with their ID numbers: tenants, persons met, parties — the card adds one),
    "pick" (it points at a resident), or None (nothing of a card belongs there)."""
    if any(f.type is FieldType.ID_NUMBER for f in spec.fields):
        return "fill"
    if _people_group(spec) is not None:
        return "row"
    if any(f.type is FieldType.PERSON_REF and (f.ref or "residents") == "residents" for f in spec.fields):
        return "pick"
    return None


def _people_group(spec: Any) -> Any:
    return next((f for f in spec.fields if f.type is FieldType.REPEAT
                 and any(s.type is FieldType.ID_NUMBER for s in f.fields)), None)


class CardReaderMount(QObject):
    """The card reader on a form dialog. `filled()` is called after the form changed.

    `create_person(initial)` (optional) opens a new-resident form prefilled from the card, for
    forms that point at a resident not registered yet; its result is picked by the caller.
    """

    def __init__(self, dialog: QWidget, form: Any, worker: Worker, *, demo: bool, accept_button: QWidget,
                 filled: Any, create_person: Any = None) -> None:
        super().__init__(dialog)
        self.form, self.accept_button, self.filled, self.create_person = form, accept_button, filled, create_person
        self.mode = card_mode(form.spec)
        self.panel = CardReaderPanel(worker, dialog, demo=demo)
        self.panel.card_read.connect(self._read)
        self.shortcut = QShortcut(QKeySequence(Qt.Key.Key_F2), dialog, activated=self.read)
        self.shortcut.setContext(Qt.ShortcutContext.WindowShortcut)

    def read(self) -> None:
        if not self.panel.reading:
            self.panel.read()

    def _read(self, lookup: Any) -> None:
        if self.mode == "fill":
            filled = fill_form(self.form, lookup.values)
            self.form.touched.update(filled)
        elif self.mode == "row":
            self._add_row(lookup)
        elif self.mode == "pick":
            editor = self._person_editor()
            if editor is None:
                return
            if lookup.existing is not None:
                editor.set_value(lookup.existing.uuid)
                editor.changed.emit()
            elif self.create_person is not None:
                self.create_person(editor, dict(lookup.values))
                return
        self.filled()
        missing = self.form.first_empty_required()
        if missing is not None and self.mode == "fill":
            self.form.focus_field(missing)  # what the chip does not say (the village): asked next
        else:
            self.accept_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _add_row(self, lookup: Any) -> None:
        """One more person in the group: the registered resident when there is one, and the
        name and number the row shows either way (a row already holding this number is kept)."""
        group = _people_group(self.form.spec)
        editor = self.form.rows[group.name].editor
        number = lookup.values.get("id_number")
        names = {s.name for s in group.fields}
        if any(r.get("id_number") and r["id_number"].value() == number for r in editor.rows):
            return
        row = {k: v for k, v in lookup.values.items() if k in names and k != "photo"}
        person = next((s.name for s in group.fields if s.type is FieldType.PERSON_REF), None)
        if person is not None and lookup.existing is not None:
            row[person] = lookup.existing.uuid
        blank = next((r for r in editor.rows if all(e.value() in (None, "", [], False) for e in r.values())), None)
        if blank is not None:
            for name, value in row.items():
                blank[name].set_value(value)
            editor.changed.emit()
        else:
            editor.add_row(row)

    def _person_editor(self) -> Any:
        """The first resident reference still empty (or the first one, to replace it)."""
        refs = [self.form.rows[f.name].editor for f in self.form.spec.fields
                if f.type is FieldType.PERSON_REF and (f.ref or "residents") == "residents"
                and not self.form.rows[f.name].editor.isHidden()]
        return next((e for e in refs if not e.value()), refs[0] if refs else None)
