"""Calculated fields: `calculate` in a form file, computed where a record is checked and stored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fieldkit.formspec import (
    FormSpecError,
    calculated,
    compile_expr,
    load_modules,
    normalise_record,
    validate_record,
)
from tests.formspec.test_broken_definitions import write

TODAY = dt.date(2026, 3, 15)

PATROLS = '''
id = "patrols"
number = 17
label = { zh = "巡逻记录", en = "Patrols" }
group = "field_work"
title = "{patrol_date} {route}"

[[fields]]
name = "patrol_date"
type = "date"
label = { zh = "巡逻日期", en = "Date" }
required = true
role = "date"

[[fields]]
name = "route"
type = "text"
label = { zh = "巡逻路线", en = "Route" }

[[fields]]
name = "km"
type = "number"
label = { zh = "单程里程", en = "One way" }

[[fields]]
name = "round_trip_km"
type = "number"
label = { zh = "往返里程", en = "Round trip" }
calculate = "km * 2"

[[fields]]
name = "allowance"
type = "number"
label = { zh = "补贴", en = "Allowance" }
calculate = "round_trip_km * 0.5"

[ledger]
title = { zh = "巡逻登记台账", en = "Register of patrols" }
columns = ["patrol_date", "route"]
'''


def patrols(tmp_path: Path, text: str = PATROLS):
    return load_modules(write(tmp_path, text))["patrols"]


def test_a_calculated_field_is_computed_from_its_inputs_and_recomputed(tmp_path: Path) -> None:
    spec = patrols(tmp_path)
    stored = normalise_record(spec, {"patrol_date": "2026-03-01", "km": "3"}, today=TODAY)
    assert stored["round_trip_km"] == 6 and stored["allowance"] == 3  # a calculation may read another
    again = normalise_record(spec, {**stored, "km": 10}, today=TODAY)
    assert again["round_trip_km"] == 20 and again["allowance"] == 10
    # A value given for it (a CSV column, a script) is replaced by the formula's.
    assert normalise_record(spec, {**again, "round_trip_km": 99}, today=TODAY)["round_trip_km"] == 20
    assert normalise_record(spec, {"patrol_date": "2026-03-01"}, today=TODAY)["round_trip_km"] is None
    assert calculated(spec, {"km": "4"}) == {"round_trip_km": 8, "allowance": 4}


def test_a_fill_only_field_keeps_what_was_typed(tmp_path: Path) -> None:
    text = PATROLS.replace('calculate = "km * 2"', 'calculate = "km * 2"\nfill_only = true')
    spec = patrols(tmp_path, text)
    assert normalise_record(spec, {"km": 3}, today=TODAY)["round_trip_km"] == 6
    kept = normalise_record(spec, {"km": 3, "round_trip_km": 7}, today=TODAY)
    assert kept["round_trip_km"] == 7 and kept["allowance"] == 3.5  # the typed value feeds the next


@pytest.mark.parametrize(("old", "new", "field", "words"), [
    ('calculate = "km * 2"', 'calculate = "kms * 2"', "round_trip_km", "unknown field 'kms'"),
    ('calculate = "km * 2"', 'calculate = "double(km)"', "round_trip_km", "unknown function 'double'"),
    ('calculate = "km * 2"', 'calculate = "allowance * 4"', "round_trip_km",
     "循环引用：round_trip_km → allowance → round_trip_km"),
    ('calculate = "km * 2"', 'fill_only = true', "round_trip_km", "需要 calculate"),
    ('calculate = "km * 2"', 'calculate = "km * 2"\ndefault = 1', "round_trip_km", "不能同时使用"),
])
def test_a_bad_calculation_is_refused_at_load_naming_the_file_and_field(tmp_path, old, new, field, words) -> None:
    assert old in PATROLS
    with pytest.raises(FormSpecError) as err:
        patrols(tmp_path, PATROLS.replace(old, new))
    assert "17_patrols.toml" in err.value.message and f"字段 {field}" in err.value.message
    assert words in err.value.message


def test_a_constraint_message_shows_a_derived_value_in_the_users_language(tmp_path: Path) -> None:
    text = PATROLS.replace('calculate = "km * 2"', 'constraint = ". == km * 2"\nconstraint_message = '
                           '{ zh = "应为{km * 2}公里", en = "Should be {km * 2} km" }')
    spec = patrols(tmp_path, text)
    issue = next(i for i in validate_record(spec, {"patrol_date": "2026-03-01", "km": 3, "round_trip_km": 5})
                 if i.field == "round_trip_km")
    assert (issue.message, issue.message_en) == ("应为6公里", "Should be 6 km")
    with pytest.raises(FormSpecError, match="constraint_message"):
        patrols(tmp_path, text.replace("{km * 2}公里", "{kms}公里"))


def test_what_an_id_number_states() -> None:
    woman = "11010519491231002X"  # 北京市朝阳区, born 1949-12-31
    assert compile_expr("id_sex(n)").evaluate({"n": woman}) == "女"
    assert compile_expr("id_birth_date(n)").evaluate({"n": woman.lower()}) == "1949-12-31"
    assert "朝阳" in compile_expr("id_region(n)").evaluate({"n": woman})
    for unsure in (None, "", "1101051949", "110105194912310021"):  # blank, incomplete, wrong check digit
        assert compile_expr("id_sex(n)").evaluate({"n": unsure}) is None
    age_on = compile_expr("age_on(born, on)")
    assert age_on.evaluate({"born": "1949-12-31", "on": "2026-12-30"}) == 76
    assert age_on.evaluate({"born": "1949-12-31", "on": "2026-12-31"}) == 77
    assert age_on.evaluate({"born": "1949-12-31", "on": None}) is None


def test_residents_fill_sex_and_birth_date_from_the_id_number() -> None:
    spec = load_modules()["residents"]
    stored = normalise_record(spec, {"name": "张伟", "id_number": "11010519491231002X"}, today=TODAY)
    assert stored["sex"] == "女" and stored["birth_date"] == "1949-12-31"
    assert spec.field("sex").fill_only and spec.field("birth_date").fill_only


def test_a_calculation_inside_a_repeat_group_is_refused_for_now(tmp_path: Path) -> None:
    rows = '''[[fields]]
name = "stops"
type = "repeat"
label = { zh = "途经点", en = "Stops" }

  [[fields.fields]]
  name = "place"
  type = "text"
  label = { zh = "地点", en = "Place" }
  calculate = "route"

[ledger]'''
    with pytest.raises(FormSpecError) as err:
        patrols(tmp_path, PATROLS.replace("[ledger]", rows))
    assert "字段 stops.place" in err.value.message and "重复组" in err.value.message
