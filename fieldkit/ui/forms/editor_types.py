"""The UI's field-type table: for each `FieldType`, its editor and how much room it needs.

The formspec layer has its own table (`formspec.field_types.TYPES`) and the ledger its cell
formats (`ledger.spec.CELL_FORMATS`); a new type is one entry in each. This table is checked
against `FieldType` when it is imported and again when a form is built (`EditorFactory`), so a
type without an editor stops the form with the type's name instead of becoming a text box.

Threading: GUI thread only (the builders make widgets).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from fieldkit.formspec import FieldType
from fieldkit.formspec.field_types import REF_DEFAULTS, require_all
from fieldkit.ui.forms.editors import (
    BoolEditor,
    ChoiceEditor,
    CodeEditor,
    DateEditor,
    Editor,
    GeoEditor,
    MultiChoiceEditor,
    NumberEditor,
    TextAreaEditor,
    TextEditor,
)
from fieldkit.ui.forms.pickers import RefEditor, VillageEditor

if TYPE_CHECKING:
    from fieldkit.ui.forms.form_widget import EditorFactory


@dataclass(frozen=True)
class EditorType:
    """build — (factory, field) → the field's editor; wide — spans the form's width;
    row_width — px of its column in a repeat group's table (None: the column stretches);
    list_width — (digits, Chinese characters) its column needs in a module's record list;
    listed — in a record list always, only when the ledger names it ("declared"), or never."""

    build: Callable[[EditorFactory, Any], Editor]
    wide: bool = False
    row_width: int | None = None
    list_width: tuple[int, int] = (0, 5)
    listed: Literal["always", "declared", "never"] = "always"


def _plain(cls: Callable[[Any, str], Editor]) -> Callable[[EditorFactory, Any], Editor]:
    return lambda factory, field: cls(field, factory.lang)


def _ref(factory: EditorFactory, field: Any) -> Editor:
    module_id = field.ref or REF_DEFAULTS[field.type]
    module = next((m for m in factory.info.modules if m.id == module_id), None)
    editor = RefEditor(field, factory.lang, factory.worker, module)
    factory.ref_editors.append(editor)
    return editor


def _village(factory: EditorFactory, field: Any) -> Editor:
    return VillageEditor(field, factory.lang, factory.worker)


def _capture(factory: EditorFactory, field: Any) -> Editor:
    # The capture dialogs (camera, fingerprint reader) open from these editors; each says plainly
    # when its device is missing instead of inventing data. Imported here: they pull in the
    # capture screens, which most forms never open.
    from fieldkit.ui.capture.field_editors import capture_editor

    return capture_editor(field, factory.lang, factory.worker)


def _repeat(factory: EditorFactory, field: Any) -> Editor:
    from fieldkit.ui.forms.repeat import RepeatEditor  # repeat.py reads this table's row widths

    return RepeatEditor(field, factory.lang, factory.create)


EDITORS: dict[FieldType, EditorType] = {
    FieldType.TEXT: EditorType(_plain(TextEditor)),
    FieldType.TEXTAREA: EditorType(_plain(TextAreaEditor), wide=True, listed="declared"),
    FieldType.NUMBER: EditorType(_plain(NumberEditor), row_width=90, list_width=(6, 0)),
    FieldType.DATE: EditorType(_plain(DateEditor), row_width=130, list_width=(10, 0)),
    FieldType.DATETIME: EditorType(_plain(DateEditor), row_width=160, list_width=(16, 0)),
    FieldType.CHOICE: EditorType(_plain(ChoiceEditor), row_width=120),
    FieldType.MULTI_CHOICE: EditorType(_plain(MultiChoiceEditor), wide=True, list_width=(0, 8)),
    # A linked person's name and ID number beside the pick/open buttons; an 18-character number.
    FieldType.ID_NUMBER: EditorType(_plain(CodeEditor), row_width=180, list_width=(18, 0)),
    FieldType.PLATE: EditorType(_plain(CodeEditor), row_width=110, list_width=(8, 1)),
    FieldType.PHONE: EditorType(_plain(CodeEditor), row_width=130, list_width=(11, 0)),
    FieldType.USCC: EditorType(_plain(CodeEditor), row_width=180, list_width=(18, 0)),
    FieldType.ADDRESS_REF: EditorType(_ref, wide=True, row_width=270, list_width=(0, 12)),
    FieldType.PERSON_REF: EditorType(_ref, row_width=270, list_width=(0, 8)),
    FieldType.VILLAGE: EditorType(_village, row_width=150, list_width=(0, 6)),
    FieldType.PHOTO: EditorType(_capture, listed="never"),
    FieldType.FINGERPRINT: EditorType(_capture, listed="never"),
    FieldType.GEO: EditorType(_plain(GeoEditor)),
    FieldType.BOOL: EditorType(_plain(BoolEditor), row_width=60, list_width=(0, 2)),
    FieldType.REPEAT: EditorType(_repeat, wide=True, listed="never"),
}


def check_editors() -> None:
    """Refuse an editor table that lacks a field type, naming it (`MissingFieldType`)."""
    require_all(EDITORS, "ui.forms.editor_types.EDITORS")


check_editors()


def editor_type(field: Any) -> EditorType:
    return EDITORS[field.type]
