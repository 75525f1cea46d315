"""The form's editors come from one table; a type without an editor stops the form, named."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.formspec import FieldType, load_modules
from fieldkit.formspec.field_types import MissingFieldType
from fieldkit.ui.forms.editor_types import EDITORS
from fieldkit.ui.forms.editors import (
    BoolEditor,
    ChoiceEditor,
    CodeEditor,
    DateEditor,
    GeoEditor,
    MultiChoiceEditor,
    NumberEditor,
    TextAreaEditor,
    TextEditor,
)
from fieldkit.ui.forms.form_widget import EditorFactory, FormWidget
from tests.formspec.test_broken_definitions import GOOD, write


def test_a_type_without_an_editor_stops_the_form_instead_of_becoming_a_text_box(monkeypatch) -> None:
    monkeypatch.delitem(EDITORS, FieldType.GEO)
    with pytest.raises(MissingFieldType) as err:
        EditorFactory(None, None, "zh")  # type: ignore[arg-type]
    assert "geo" in err.value.message and "EDITORS" in err.value.message_en


_KINDS = {  # field type → the editor an officer gets for it
    "text": TextEditor, "textarea": TextAreaEditor, "number": NumberEditor, "date": DateEditor,
    "datetime": DateEditor, "multi_choice": MultiChoiceEditor, "id_number": CodeEditor, "plate": CodeEditor,
    "phone": CodeEditor, "uscc": CodeEditor, "geo": GeoEditor, "bool": BoolEditor,
}


def test_each_field_gets_the_editor_its_type_registers(qtbot, tmp_path: Path) -> None:
    fields = "".join(f'''
[[fields]]
name = "f_{t}"
type = "{t}"
label = {{ zh = "字段{i}", en = "Field {i}" }}
{'choices = [{ value = "a", zh = "甲", en = "A" }]' if t == "multi_choice" else ""}
''' for i, t in enumerate(_KINDS))
    spec = load_modules(write(tmp_path, GOOD + fields))["patrols"]
    form = FormWidget(spec, EditorFactory(None, None, "zh"), "zh")  # type: ignore[arg-type]  # no ref pickers here
    qtbot.addWidget(form)
    for t, cls in _KINDS.items():
        assert type(form.rows[f"f_{t}"].editor) is cls, t
    assert type(form.rows["kind"].editor) is ChoiceEditor
    code = form.rows["f_id_number"].editor
    assert isinstance(code, CodeEditor)
    assert code.edit.placeholderText().startswith("如 3501")  # the ID number's own example, not the plate's
