"""Capture dialogs for ID-card applications: photo (camera or file), two fingerprints, card reader.

Public API (GUI thread; device and store work through `fieldkit.ui.worker.Worker`):
    PhotoCaptureDialog(worker, parent, record_uuid=None) -> .photo (PhotoRef) / photo_taken
    FingerprintDialog(worker, parent, session=None, mode="enroll") -> .form_values() / prints_taken
    CardReaderPanel(worker, parent) -> card_read(CardLookup); fill_form(form, values)
    capture_editor(field, lang, worker) -> form editor for photo/fingerprint fields
"""

from __future__ import annotations

from fieldkit.ui.capture.card_reader import CardReaderPanel, fill_form
from fieldkit.ui.capture.field_editors import FingerprintFieldEditor, PhotoFieldEditor, capture_editor
from fieldkit.ui.capture.fingerprint_dialog import FingerprintDialog
from fieldkit.ui.capture.photo_dialog import PhotoCaptureDialog

__all__ = [
    "CardReaderPanel",
    "FingerprintDialog",
    "FingerprintFieldEditor",
    "PhotoCaptureDialog",
    "PhotoFieldEditor",
    "capture_editor",
    "fill_form",
]
