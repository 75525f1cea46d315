"""A new module (the 17th of the issue; number 20 here) is one new TOML file and no Python."""

from __future__ import annotations

import shutil
from pathlib import Path

from fieldkit.domain.roles import Role
from fieldkit.formspec import FieldType, default_forms_dir, index_terms, load_modules, validate_record

EPIDEMIC = '''
# 疫情排查 — added by a station in days, as Xiamen did with its grid app.
id = "epidemic_screening"
number = 21
label = { zh = "疫情排查", en = "Epidemic screening" }
group = "field_work"
title = "{person} {screened_on}"

[[fields]]
name = "person"
type = "person_ref"
label = { zh = "人员", en = "Person" }
required = true

[[fields]]
name = "screened_on"
type = "date"
label = { zh = "排查日期", en = "Screened on" }
required = true
role = "date"

[[fields]]
name = "came_from"
type = "text"
label = { zh = "来自地区", en = "Came from" }
search = "exact"

[[fields]]
name = "temperature"
type = "number"
label = { zh = "体温", en = "Temperature" }
unit = { zh = "℃", en = "°C" }
constraint = ". >= 34 and . <= 43"
constraint_message = { zh = "体温应在34到43℃之间", en = "Temperature must be 34–43 °C" }

[[fields]]
name = "quarantine_days"
type = "number"
label = { zh = "居家观察天数", en = "Days of home observation" }
relevant = "temperature >= 37.3"
required = true

[[fields]]
name = "village"
type = "village"
label = { zh = "所属村", en = "Village" }
role = "village"

[ledger]
title = { zh = "疫情排查登记台账", en = "Register of epidemic screening" }
columns = ["screened_on", "person", "came_from", "temperature", "quarantine_days"]
'''


def test_a_seventeenth_module_is_just_a_file(tmp_path: Path) -> None:
    for src in default_forms_dir().glob("*.toml"):
        shutil.copy(src, tmp_path / src.name)
    (tmp_path / "21_epidemic_screening.toml").write_text(EPIDEMIC, encoding="utf-8")
    with (tmp_path / "permissions.toml").open("a", encoding="utf-8") as table:  # and who may do what
        table.write('\n[modules.epidemic_screening]\nchief = ["*"]\nofficer = ["view", "create", "edit"]\n'
                    'grid_worker = ["view", "create", "edit"]\n')

    catalog = load_modules(tmp_path)
    assert len(catalog) == 21 and catalog.ids()[-1] == "epidemic_screening"
    spec = catalog["epidemic_screening"]
    assert spec in catalog.for_role(Role.GRID_WORKER)
    assert spec.field("person").type is FieldType.PERSON_REF and spec.field("person").ref == "residents"
    assert spec.ledger.columns[0] == "screened_on"

    person = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    fever = {"person": person, "screened_on": "2026-03-01", "temperature": "38.2"}
    assert [(i.field, i.message) for i in validate_record(spec, fever)] == [("quarantine_days", "此项为必填项")]
    assert validate_record(spec, {**fever, "temperature": 36.5}) == []
    assert validate_record(spec, {**fever, "temperature": 50})[0].message == "体温应在34到43℃之间"
    t = index_terms(spec, {**fever, "came_from": "xm"})
    assert ("ref", person) in t.terms and ("code", "XM") in t.terms and t.date == "2026-03-01"
