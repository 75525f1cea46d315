"""The field-type registry: a type missing from any layer's table is refused by name, at load.

A new field type is one entry in `formspec.field_types.TYPES`, one in the ledger's
`CELL_FORMATS` and one in the UI's `EDITORS`. Forgetting one must stop the program where it
starts (loading the forms, importing the ledger, building a form), naming the type — not turn
the field into a text box or an empty ledger cell months later.
"""

from __future__ import annotations

import enum
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from fieldkit.formspec import FieldType, FormSpecError, field_types, load_modules
from fieldkit.formspec.field_types import TYPES, MissingFieldType
from tests.formspec.test_broken_definitions import GOOD, write

ROOT = Path(__file__).resolve().parents[2]


def _with_signature() -> Any:
    """FieldType as it would be after someone added a `signature` member to the enum only."""
    return enum.StrEnum("FieldType", {**{t.name: t.value for t in FieldType}, "SIGNATURE": "signature"})


def test_a_new_type_without_its_formspec_entry_stops_the_form_load_naming_it(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(field_types, "FieldType", _with_signature())
    with pytest.raises(MissingFieldType) as err:
        load_modules(write(tmp_path, GOOD))
    assert "signature" in err.value.message and "signature" in err.value.message_en
    assert "TYPES" in err.value.message_en  # which table lacks it


def test_a_removed_entry_stops_the_form_load_naming_the_type(monkeypatch, tmp_path) -> None:
    monkeypatch.delitem(TYPES, FieldType.GEO)
    with pytest.raises(MissingFieldType) as err:
        load_modules(write(tmp_path, GOOD))
    assert "geo" in err.value.message and "geo" in err.value.message_en
    assert isinstance(err.value, FormSpecError)  # a UserFacingError: the CLI says it, no traceback


def test_a_type_string_the_registry_does_not_know_names_file_field_and_type(tmp_path) -> None:
    write(tmp_path, GOOD.replace('name = "route"\ntype = "text"', 'name = "route"\ntype = "signature"', 1))
    with pytest.raises(FormSpecError) as err:
        load_modules(tmp_path)
    e = err.value
    assert e.field == "route" and "17_patrols.toml" in e.message
    assert "'signature'" in e.message and "unknown field type 'signature'" in e.message_en


def test_a_type_registered_only_in_formspec_stops_the_ledger_and_the_ui_naming_it() -> None:
    """Each layer checks its own table when it is imported (a fresh interpreter, so the real
    modules are imported with the extra member in place)."""
    script = textwrap.dedent('''
        import enum, importlib
        from fieldkit.formspec import field_types as ft
        from fieldkit.formspec.model import FieldType
        ft.FieldType = enum.StrEnum("FieldType", {**{t.name: t.value for t in FieldType}, "SIGNATURE": "signature"})
        ft.TYPES[ft.FieldType.SIGNATURE] = ft.TYPES[FieldType.TEXT]  # formspec knows it; the others do not
        for name in ("fieldkit.ledger.spec", "fieldkit.ui.forms.editor_types"):
            try:
                importlib.import_module(name)
            except ft.MissingFieldType as e:
                print(name, "|", e.message_en)
            else:
                print(name, "| imported")
    ''')
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=120, check=True).stdout.splitlines()
    assert out == [
        "fieldkit.ledger.spec | field type signature is not registered in the ledger.spec.CELL_FORMATS type table",
        "fieldkit.ui.forms.editor_types | field type signature is not registered in the "
        "ui.forms.editor_types.EDITORS type table",
    ]

