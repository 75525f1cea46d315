"""Form editors for `photo` and `fingerprint` fields that open the capture dialogs.

The generated form builds them for these types through the UI's editor table
(`ui/forms/editor_types.py`, `EDITORS[FieldType.PHOTO]` / `[FieldType.FINGERPRINT]`).

The photo editor shows a thumbnail-less state line and "拍照/导入…" and stores the photo's
attachment sha; it also fills a sibling `photo_check` field. The fingerprint editor opens the
two-print dialog once for the whole form and fills finger_1/fingerprint_1/template_1,
finger_2/…, and finger_note — every sibling field the dialog produced that the form has.

In a form with both (身份证办理) the capture is one guided pass: the photo button reads
"采集照片和指纹…" and, once the photo is taken, the fingerprint dialog follows at once (unless the
applicant is exempt or the prints are there); only the first fingerprint field keeps a button
(to take the prints again), the others show their state. `attach(form)` is called by the form
once every editor exists.

Threading: GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from fieldkit.formspec import FieldType
from fieldkit.ui.capture.fingerprint_dialog import FingerprintDialog
from fieldkit.ui.capture.photo_dialog import PhotoCaptureDialog
from fieldkit.ui.forms.editors import Editor
from fieldkit.ui.worker import Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("CaptureEditors", text)


def _form_of(widget: QWidget) -> Any:
    """The FormWidget this editor sits in (it has `rows`), or None."""
    w = widget.parentWidget()
    while w is not None and not hasattr(w, "rows"):
        w = w.parentWidget()
    return w


class _CaptureEditor(Editor):
    def __init__(self, field: Any, lang: str, worker: Worker, button_text: str) -> None:
        super().__init__(field, lang)
        self.worker = worker
        self._value: Any = None
        self.dialog: Any = None  # the dialog last opened (kept alive while it is shown)
        self.state = QLabel()
        self.state.setObjectName("captureState")
        self.button = QPushButton(button_text)
        self.button.setObjectName(f"capture_{field.name}")
        self.button.clicked.connect(self.open_dialog)
        self._layout.addWidget(self.state)
        self._layout.addWidget(self.button)
        self._layout.addStretch(1)
        self._refresh()

    def _refresh(self) -> None:
        self.state.setText(tr("已采集") if self._value else tr("未采集"))

    def value(self) -> Any:
        return self._value

    def set_value(self, value: Any) -> None:
        self._value = value or None
        self._refresh()

    def focus_widget(self) -> QWidget:
        return self.button

    def attach(self, form: Any) -> None:
        """Called once the whole form exists (see the module docstring)."""

    @staticmethod
    def _editors(form: Any, kind: type) -> list[Any]:
        return [r.editor for r in form.rows.values() if isinstance(r.editor, kind)]

    def _fill_siblings(self, values: dict[str, Any]) -> None:
        form = _form_of(self)
        for name, value in values.items():
            row = form.rows.get(name) if form is not None else None
            if row is not None and row.editor is not self:
                row.editor.set_value(value)
        if form is not None:
            form.update_relevance()

    def open_dialog(self) -> None:
        raise NotImplementedError


class PhotoFieldEditor(_CaptureEditor):
    def __init__(self, field: Any, lang: str, worker: Worker) -> None:
        super().__init__(field, lang, worker, tr("拍照/导入…"))

    def open_dialog(self) -> None:
        dialog = PhotoCaptureDialog(self.worker, self)
        dialog.photo_taken.connect(self._taken)
        dialog.open()
        self.dialog = dialog

    def attach(self, form: Any) -> None:
        if self._editors(form, FingerprintFieldEditor):
            self.button.setText(tr("采集照片和指纹…"))

    def _taken(self, ref: Any) -> None:
        self.set_value(ref.sha)
        self._fill_siblings({"photo_check": ref.summary})
        self.changed.emit()
        form = _form_of(self)
        prints = self._editors(form, FingerprintFieldEditor) if form is not None else []
        exempt = form.rows.get("fingerprint_exempt") if form is not None else None
        if prints and not prints[0].value() and not (exempt is not None and exempt.editor.value()):
            prints[0].open_dialog()  # the guided pass goes on to the prints


class FingerprintFieldEditor(_CaptureEditor):
    def __init__(self, field: Any, lang: str, worker: Worker) -> None:
        super().__init__(field, lang, worker, tr("采集指纹…"))

    def open_dialog(self) -> None:
        dialog = FingerprintDialog(self.worker, self)
        dialog.prints_taken.connect(self._taken)
        dialog.open()
        self.dialog = dialog

    def attach(self, form: Any) -> None:
        first = self._editors(form, FingerprintFieldEditor)[0]
        if first is not self:
            self.button.hide()  # one dialog takes both prints and their templates

    def _taken(self, values: dict[str, Any]) -> None:
        if self.field.name in values:
            self.set_value(values[self.field.name])
        self._fill_siblings(values)
        self.changed.emit()


def capture_editor(field: Any, lang: str, worker: Worker) -> Editor:
    """The editor for a photo or fingerprint field."""
    if field.type is FieldType.PHOTO:
        return PhotoFieldEditor(field, lang, worker)
    return FingerprintFieldEditor(field, lang, worker)
