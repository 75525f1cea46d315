"""A form generated from a module's FieldSpecs: label, editor and an inline message per field.

Two columns of short fields (a 1366×768 screen is wide, not tall); long fields (remarks,
multi-choice, repeat groups) span the width. Relevance is evaluated on the GUI thread with
`formspec.is_relevant` — a pure expression over the values, no database — so a field appears
the moment it applies. Messages come from two places: the editors' live format checks and
`services.records.check` (run by the dialog on the database thread).

Threading: GUI thread only.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldkit import formspec
from fieldkit.formspec import calc
from fieldkit.ui import words
from fieldkit.ui.forms.editor_types import EDITORS, check_editors
from fieldkit.ui.forms.editors import Editor
from fieldkit.ui.forms.pickers import RefEditor
from fieldkit.ui.state import SessionInfo
from fieldkit.ui.worker import Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("Form", text)


def top_field(path: str) -> str:
    """'tenants[2].id_number' → 'tenants' (messages for rows show at their group)."""
    return re.split(r"[\[.]", path, maxsplit=1)[0]


class EditorFactory:
    """Builds the editor for a FieldSpec. Ref pickers need the worker and the visible modules."""

    def __init__(self, worker: Worker, info: SessionInfo, lang: str) -> None:
        check_editors()  # a field type without its editor stops here, named, not as a text box
        self.worker = worker
        self.info = info
        self.lang = lang
        self.ref_editors: list[RefEditor] = []

    def create(self, field: Any) -> Editor:
        return EDITORS[field.type].build(self, field)


class _Row:
    def __init__(self, label: QLabel, editor: Editor, message: QLabel) -> None:
        self.label, self.editor, self.message = label, editor, message
        self.live_error = ""
        self.live_info = ""
        self.check_error = ""
        self.check_warning = ""

    def widgets(self) -> tuple[QWidget, ...]:
        return self.label, self.editor, self.message

    def refresh(self) -> None:
        error = self.live_error or self.check_error
        text = error or self.check_warning or self.live_info
        self.message.setText(text)
        self.message.setProperty("kind", "error" if error else ("warning" if self.check_warning else "info"))
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setVisible(bool(text) and not self.editor.isHidden())
        # The red edge goes on the input widgets themselves (QSS matches them by class).
        for w in self.editor.findChildren(QWidget):
            if not isinstance(w, (QLineEdit, QComboBox, QPlainTextEdit)):
                continue
            if bool(w.property("invalid")) != bool(error):
                w.setProperty("invalid", bool(error))
                w.style().unpolish(w)
                w.style().polish(w)


class FormWidget(QScrollArea):
    """The generated form. `changed` on every edit; `touched` tracks fields the user edited."""

    changed = Signal()

    def __init__(self, spec: Any, factory: EditorFactory, lang: str) -> None:
        super().__init__()
        self.setObjectName("form")
        self.spec = spec
        self.lang = lang
        self.factory = factory
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        outer = QVBoxLayout(inner)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        outer.addLayout(grid)
        outer.addStretch(1)
        self.setWidget(inner)
        self.rows: dict[str, _Row] = {}
        self.touched: set[str] = set()
        self._loading = False
        row = col = 0
        for f in spec.fields:
            editor = factory.create(f)
            label = QLabel(f.label.get(lang) + ("<span style='color:#c0392b'> *</span>" if f.required else ""))
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setObjectName(f"label_{f.name}")
            label.setBuddy(editor.focus_widget())
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            label.setContentsMargins(0, 6, 0, 0)  # line the text up with the editor's text
            label.setMinimumWidth(96)
            if f.help is not None:
                label.setToolTip(f.help.get(lang))
                editor.setToolTip(f.help.get(lang))
            message = QLabel()
            message.setObjectName(f"message_{f.name}")
            message.setWordWrap(True)
            message.hide()
            wide = EDITORS[f.type].wide
            if wide and col == 1:
                row, col = row + 2, 0
            span = 3 if wide else 1
            grid.addWidget(label, row, col * 2, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(editor, row, col * 2 + 1, 1, span)
            grid.addWidget(message, row + 1, col * 2 + 1, 1, span)
            if wide or col == 1:
                row, col = row + 2, 0
            else:
                col = 1
            self.rows[f.name] = _Row(label, editor, message)
            # Buttons inside editors (capture, add row) must never become the dialog's default:
            # Enter in any field means "save", not "open the camera".
            for button in editor.findChildren(QPushButton):
                button.setAutoDefault(False)
                button.setDefault(False)
            editor.changed.connect(lambda name=f.name: self._edited(name))
            editor.live_message.connect(lambda err, info, name=f.name: self._live(name, err, info))
        self._calculated = calc.order(spec.fields)
        self._filled: dict[str, Any] = {}  # what a fill_only formula last put in its field
        self.lock_fields({f.name for f in self._calculated if not f.fill_only}, tr("由其他项自动计算，不能填写"))
        for r in self.rows.values():
            attach = getattr(r.editor, "attach", None)  # editors that work with their siblings
            if attach is not None:
                attach(self)

    def lock_fields(self, names: set[str] | frozenset[str], why: str) -> None:
        """Show these fields but let nobody type in them (a workflow step fills them)."""
        for name in names:
            r = self.rows.get(name)
            if r is not None:
                r.editor.setEnabled(False)
                r.editor.setToolTip(why)
                r.label.setToolTip(why)

    # -- values -----------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """Values of the fields that apply (an irrelevant field's stale value is not saved)."""
        out = {}
        for name, r in self.rows.items():
            if r.editor.isHidden():
                continue
            v = r.editor.value()
            if v is not None:
                out[name] = v
        return out

    def raw_values(self) -> dict[str, Any]:
        """Every field's value, relevant or not (what a draft keeps)."""
        return {name: r.editor.value() for name, r in self.rows.items() if r.editor.value() is not None}

    def set_values(self, values: dict[str, Any], *, defaults: bool = False) -> None:
        self._loading = True
        try:
            for f in self.spec.fields:
                editor = self.rows[f.name].editor
                if f.name in values:
                    editor.set_value(values[f.name])
                elif defaults and f.default is not None:
                    editor.set_value(f.default)
        finally:
            self._loading = False
        self._recalculate()
        self.update_relevance()

    def _edited(self, name: str) -> None:
        if self._loading:
            return
        self.touched.add(name)
        self._recalculate()
        self.update_relevance()
        self.changed.emit()

    def _live(self, name: str, error: str, info: str) -> None:
        r = self.rows[name]
        r.live_error, r.live_info = error, info
        r.refresh()

    def _recalculate(self) -> None:
        """Calculated fields follow their inputs (the door computes the same on save). A
        `fill_only` field is filled while empty, and refilled while it still holds what the
        formula put there and the person has not touched it (a corrected ID number)."""
        if not self._calculated:
            return
        values = {name: r.editor.value() for name, r in self.rows.items()}
        computed = formspec.calculated(self.spec, values)
        self._loading = True  # a value put by the formula is not the person's edit
        try:
            for f in self._calculated:
                new, current = computed[f.name], values.get(f.name)
                if f.fill_only:
                    ours = f.name not in self.touched and current == self._filled.get(f.name)
                    if new is None or not (formspec.is_empty(current) or ours):
                        continue
                    self._filled[f.name] = new
                if new != current:
                    self.rows[f.name].editor.set_value(new)
        finally:
            self._loading = False

    # -- relevance and messages -------------------------------------------------------------
    def update_relevance(self) -> None:
        values = {name: r.editor.value() for name, r in self.rows.items()}
        for f in self.spec.fields:
            r = self.rows[f.name]
            show = True if not f.relevant else bool(formspec.is_relevant(self.spec, f, values))
            if show != (not r.editor.isHidden()):
                r.label.setVisible(show)
                r.editor.setVisible(show)
            r.refresh()

    def show_issues(self, issues: list[Any], *, all_fields: bool) -> None:
        """Put each issue next to its field. Before a save attempt, only touched fields nag."""
        errors: dict[str, list[str]] = {}
        warnings: dict[str, list[str]] = {}
        for i in issues:
            name = top_field(i.field)
            if not all_fields and name not in self.touched:
                continue
            text = i.message_en if self.lang == "en" else i.message
            if name != i.field:
                text = words.labelled(i.label_en if self.lang == "en" else i.label, text)
            (errors if i.severity == "error" else warnings).setdefault(name, []).append(text)
        for name, r in self.rows.items():
            r.check_error = words.clauses(dict.fromkeys(errors.get(name, [])))
            r.check_warning = words.clauses(dict.fromkeys(warnings.get(name, [])))
            r.refresh()

    def first_error(self) -> str | None:
        for name, r in self.rows.items():
            if (r.live_error or r.check_error) and not r.editor.isHidden():
                return name
        return None

    def focus_field(self, name: str) -> None:
        r = self.rows.get(name)
        if r is not None:
            self.ensureWidgetVisible(r.editor)
            r.editor.focus_widget().setFocus()

    def first_empty_required(self) -> str | None:
        """The first shown, required field still empty (where a prefilled form needs the officer)."""
        for f in self.spec.fields:
            r = self.rows[f.name]
            if f.required and not r.editor.isHidden() and r.editor.isEnabled() and r.editor.value() in (None, "", []):
                return f.name
        return None

    def focus_first(self, *, empty: bool = False) -> None:
        """Focus the first shown field, or with `empty` the first required one still empty (a
        prefilled form starts where the officer has something to type)."""
        name = self.first_empty_required() if empty else None
        if name is not None:
            self.focus_field(name)
            return
        for r in self.rows.values():
            if not r.editor.isHidden():
                r.editor.focus_widget().setFocus()
                return
