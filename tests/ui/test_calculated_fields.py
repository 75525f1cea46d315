"""Calculated fields in the generated form: read-only, following their inputs as the officer types."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QLabel, QLineEdit

from fieldkit.formspec import load_modules
from fieldkit.ui.forms.form_widget import EditorFactory, FormWidget
from tests.formspec.test_broken_definitions import write
from tests.formspec.test_calc import PATROLS
from tests.ui.conftest import VILLAGE_CODE, find, unlock

WOMAN = "11010519491231002X"  # born 1949-12-31
MAN = "350702198001010014"  # 张三丰 of the demo card, born 1980-01-01


def test_typing_the_inputs_updates_the_read_only_field(qtbot, tmp_path: Path) -> None:
    spec = load_modules(write(tmp_path, PATROLS))["patrols"]
    form = FormWidget(spec, EditorFactory(None, None, "zh"), "zh")  # type: ignore[arg-type]  # no ref pickers here
    qtbot.addWidget(form)
    form.resize(900, 300)
    form.show()
    total = form.rows["round_trip_km"].editor
    assert not total.isEnabled() and not form.rows["allowance"].editor.isEnabled()
    qtbot.keyClicks(find(form, QLineEdit, "input_km"), "12")
    assert total.value() == 24 and form.rows["allowance"].editor.value() == 12
    find(form, QLineEdit, "input_km").clear()
    assert total.value() is None
    qtbot.keyClicks(find(form, QLineEdit, "input_km"), "3.5")
    assert total.value() == 7 and find(form, QLineEdit, "input_round_trip_km").text() == "7"
    if os.environ.get("FIELDKIT_SCREENSHOTS"):
        form.grab().save(os.environ["FIELDKIT_SCREENSHOTS"] + "/calc_patrols.png")


def test_the_id_number_fills_sex_and_birth_date_and_a_correction_refills_them(qtbot, seeded_home, start_app):
    main = unlock(qtbot, start_app(seeded_home))
    dialog = main.new_record("residents", {"village": VILLAGE_CODE})
    qtbot.waitUntil(lambda: dialog.ready)
    form = dialog.form
    sex, born = form.rows["sex"].editor, form.rows["birth_date"].editor
    assert sex.isEnabled() and born.isEnabled()  # filled, not locked: the officer may still type
    id_line = find(dialog, QLineEdit, "input_id_number")
    qtbot.keyClicks(id_line, WOMAN)
    assert (sex.value(), born.value()) == ("女", "1949-12-31")
    id_line.clear()  # the wrong card was typed: the next number's facts replace the formula's
    qtbot.keyClicks(id_line, MAN)
    assert (sex.value(), born.value()) == ("男", "1980-01-01")
    if os.environ.get("FIELDKIT_SCREENSHOTS"):
        dialog.grab().save(os.environ["FIELDKIT_SCREENSHOTS"] + "/calc_residents.png")
    sex.set_value("女")  # the officer's own choice is kept, and contradicted at the field
    id_line.clear()
    qtbot.keyClicks(id_line, MAN)
    assert sex.value() == "女"
    form.rows["name"].editor.set_value("张三丰")
    dialog.save_button.click()
    message = find(dialog, QLabel, "message_sex")
    qtbot.waitUntil(lambda: message.isVisible() and "性别与身份证号不符：身份证号显示为男" in message.text(), timeout=10000)
    assert dialog.saved_uuid is None
    if os.environ.get("FIELDKIT_SCREENSHOTS"):
        dialog.grab().save(os.environ["FIELDKIT_SCREENSHOTS"] + "/calc_contradiction.png")
    dialog.dirty = False
    dialog.reject()
