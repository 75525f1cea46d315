"""A broken module file is refused with a message naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.formspec import FormSpecError, load_modules

GOOD = '''
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
name = "kind"
type = "choice"
label = { zh = "巡逻方式", en = "Kind" }
choices = [{ value = "foot", zh = "步巡", en = "On foot" }, { value = "car", zh = "车巡", en = "By car" }]

[ledger]
title = { zh = "巡逻登记台账", en = "Register of patrols" }
columns = ["patrol_date", "route"]
'''


_COLUMNS = 'columns = ["patrol_date", "route"]'

PERMISSIONS = '''
[station]
chief = ["*"]
officer = []
grid_worker = []

[modules.patrols]
chief = ["*"]
officer = ["view", "create", "edit"]
grid_worker = []
'''


def write(tmp_path: Path, text: str, name: str = "17_patrols.toml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    if not (tmp_path / "permissions.toml").exists():
        (tmp_path / "permissions.toml").write_text(PERMISSIONS, encoding="utf-8")
    return tmp_path


def test_the_good_file_loads(tmp_path: Path) -> None:
    catalog = load_modules(write(tmp_path, GOOD))
    assert catalog.ids() == ["patrols"]


def test_declared_ledger_widths_load(tmp_path: Path) -> None:
    text = GOOD.replace(_COLUMNS, _COLUMNS + "\nsign_every_page = false\n[ledger.widths]\n"
                        "patrol_date = 22\nroute = { min = 30.5 }")
    ledger = load_modules(write(tmp_path, text))["patrols"].ledger
    assert ledger.width_mm("patrol_date") == (22, 22)
    assert ledger.width_mm("route") == (30.5, None)
    assert not ledger.sign_every_page


BROKEN = [
    # (description, replace this, with this, field named in the message, words in the message)
    ("unknown type", 'type = "text"', 'type = "texte"', "route", "未知的字段类型"),
    ("missing label", 'label = { zh = "巡逻路线", en = "Route" }', "", "route", "标签"),
    ("label without English", 'label = { zh = "巡逻路线", en = "Route" }', 'label = { zh = "巡逻路线" }', "route", "en"),
    ("duplicate field", 'name = "route"', 'name = "patrol_date"', "patrol_date", "字段名重复"),
    ("choice without choices", 'choices = [{ value = "foot", zh = "步巡", en = "On foot" }, { value = "car", zh = "车巡", en = "By car" }]', "", "kind", "缺少选项"),
    ("bad expression", 'role = "date"', 'role = "date"\nconstraint = ". <= today("\nconstraint_message = { zh = "x", en = "x" }', "patrol_date", "表达式无效"),
    ("unsafe expression", 'role = "date"', 'relevant = "__import__(\'os\')"', "patrol_date", "表达式无效"),
    ("expression names an unknown field", 'role = "date"', 'relevant = "weather == \'rain\'"', "patrol_date", "weather"),
    ("ledger column that does not exist", 'columns = ["patrol_date", "route"]', 'columns = ["patrol_date", "road"]', "road", "台账列"),
    ("ref to an unknown module", 'type = "text"', 'type = "person_ref"\nref = "people"', "route", "不存在的模块"),
    ("unknown key (typo)", "required = true", "requird = true", "patrol_date", "requird"),
    ("unknown role", 'role = "date"', 'role = "day"', "patrol_date", "字段角色"),
    ("constraint without message", 'role = "date"', 'constraint = ". <= today()"', "patrol_date", "constraint_message"),
    ("title names a missing field", 'title = "{patrol_date} {route}"', 'title = "{patrol_date} {officer}"', "officer", "标题模板"),
    ("default not among the choices", 'choices = [{ value = "foot"', 'default = "bike"\nchoices = [{ value = "foot"', "kind", "默认值"),
    ("date default that is not today", "required = true", 'required = true\ndefault = "yesterday"', "patrol_date", "默认值"),
    ("bad search kind", 'name = "route"', 'name = "route"\nsearch = "fuzzy"', "route", "search"),
    ("ledger width of zero mm", _COLUMNS, _COLUMNS + "\n[ledger.widths]\nroute = 0", "route", "毫米"),
    ("ledger width in words", _COLUMNS, _COLUMNS + '\n[ledger.widths]\nroute = "wide"', "route", "毫米"),
    ("ledger width wider than the page", _COLUMNS, _COLUMNS + "\n[ledger.widths]\nroute = 400", "route", "270"),
    ("ledger width min above max", _COLUMNS, _COLUMNS + "\n[ledger.widths]\nroute = { min = 50, max = 20 }", "route", "min"),
    ("ledger width with a typo", _COLUMNS, _COLUMNS + "\n[ledger.widths]\nroute = { mni = 20 }", "route", "min"),
    ("ledger width of a field not in the ledger", _COLUMNS, _COLUMNS + "\n[ledger.widths]\nkind = 20", "kind", "台账列"),
]


@pytest.mark.parametrize(("what", "old", "new", "field", "words"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_definition_names_file_and_field(tmp_path: Path, what, old, new, field, words) -> None:
    assert old in GOOD, what
    write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(FormSpecError) as err:
        load_modules(tmp_path)
    e = err.value
    assert "17_patrols.toml" in e.message and "17_patrols.toml" in e.message_en
    assert e.field == field and f"字段 {field}" in e.message and f"field {field}" in e.message_en
    assert words in e.message or words in e.message_en
    assert e.path == tmp_path / "17_patrols.toml"


def test_repeat_subfield_errors_name_the_path(tmp_path: Path) -> None:
    text = GOOD + '''
[[fields]]
name = "crew"
type = "repeat"
label = { zh = "巡逻人员", en = "Crew" }

  [[fields.fields]]
  name = "member"
  type = "nonsense"
  label = { zh = "队员", en = "Member" }
'''
    with pytest.raises(FormSpecError) as err:
        load_modules(write(tmp_path, text))
    assert err.value.field == "crew.member" and "17_patrols.toml" in err.value.message


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [('number = 17', 'number = "17"', "编号"), ('id = "patrols"', 'id = "Patrols"', "id"),
     ('group = "field_work"', 'group = "misc"', "分组"),
     ('group = "field_work"', 'group = "field_work"\nroles = ["officer"]', "permissions.toml"),
     ("[ledger]", "[ledger_old]", "ledger_old"),
     (_COLUMNS, _COLUMNS + '\nsign_every_page = "yes"', "sign_every_page"),
     (_COLUMNS, _COLUMNS + "\nwidths = 20", "ledger.widths")],
)
def test_module_level_errors_name_the_file(tmp_path: Path, old: str, new: str, words: str) -> None:
    with pytest.raises(FormSpecError) as err:
        load_modules(write(tmp_path, GOOD.replace(old, new, 1)))
    assert "17_patrols.toml" in err.value.message
    assert words in err.value.message or words in err.value.message_en


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(FormSpecError) as err:
        load_modules(write(tmp_path, GOOD + "\n[[fields]\n"))
    assert "17_patrols.toml" in err.value.message and "TOML" in err.value.message


def test_duplicate_module_number_and_id(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    write(tmp_path, GOOD.replace('id = "patrols"', 'id = "night_patrols"'), "18_night_patrols.toml")
    with pytest.raises(FormSpecError) as err:
        load_modules(tmp_path)
    assert "18_night_patrols.toml" in err.value.message and "17_patrols.toml" in err.value.message
    assert "编号 17" in err.value.message

    (tmp_path / "18_night_patrols.toml").write_text(GOOD.replace("number = 17", "number = 18"), encoding="utf-8")
    with pytest.raises(FormSpecError) as err:
        load_modules(tmp_path)
    assert "id 'patrols'" in err.value.message


def test_empty_or_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FormSpecError):
        load_modules(tmp_path)
    with pytest.raises(FormSpecError):
        load_modules(tmp_path / "nowhere")


def test_unknown_shared_list(tmp_path: Path) -> None:
    text = GOOD.replace(
        'choices = [{ value = "foot", zh = "步巡", en = "On foot" }, { value = "car", zh = "车巡", en = "By car" }]',
        'choices = "vehicles_kinds"',
    )
    with pytest.raises(FormSpecError) as err:
        load_modules(write(tmp_path, text))
    assert err.value.field == "kind" and "vehicles_kinds" in err.value.message


_FLOW = '''id = "flow"
number = 30
label = { zh = "流程", en = "Flow" }
group = "station"
title = "{status}"

[[fields]]
name = "status"
type = "choice"
label = { zh = "状态", en = "Status" }
default = "open"
choices = [ { value = "open", zh = "开", en = "Open" }, { value = "done", zh = "完", en = "Done" } ]

[[fields]]
name = "note"
type = "text"
label = { zh = "说明", en = "Note" }

[workflow]
state = "status"

[[workflow.steps]]
name = "close"
label = { zh = "办结", en = "Close" }
from = ["open"]
%s

[ledger]
title = { zh = "流程", en = "Flow" }
columns = ["status"]
'''


@pytest.mark.parametrize(("step", "where", "said"), [
    ('to = "closed"', "workflow.steps.close", "from/to"),
    ('to = "done"\nset = { remark = "1" }', "workflow.steps.close.set", "set"),
    ('to = "done"\n[[workflow.steps.guards]]\nwhen = "note =="\nmessage = { zh = "x", en = "x" }',
     "workflow.steps.close.guards[0]", "表达式"),
    ('to = "done"\n[[workflow.steps.guards]]\nwhen = "filled(note)"\nrefuse = "maybe"\n'
     'message = { zh = "x", en = "x" }', "workflow.steps.close.guards[0]", "refuse"),
    ('to = "done"\nroles = ["sheriff"]', "workflow.steps.close.roles", "角色"),
])
def test_a_broken_workflow_names_its_file_and_the_step(tmp_path, step, where, said):
    """A workflow is part of the form file: a step that leads to no state, writes a field the
    module lacks, or guards with a broken expression is refused at start-up, naming where."""
    from fieldkit.formspec import FormSpecError, load_module_file

    bad = tmp_path / "30_flow.toml"
    bad.write_text(_FLOW % step, encoding="utf-8")
    with pytest.raises(FormSpecError) as e:
        load_module_file(bad)
    assert "30_flow.toml" in e.value.message and e.value.field == where and said in e.value.message


def test_a_twentieth_module_declares_its_own_workflow(tmp_path):
    from fieldkit.formspec import load_module_file

    good = tmp_path / "30_flow.toml"
    good.write_text(_FLOW % 'to = "done"\nset = { note = "\'办结：\' + me()" }', encoding="utf-8")
    spec = load_module_file(good)
    assert spec.workflow.state == "status" and spec.owned_by_workflow("status")
    assert [s.name for s in spec.workflow.available({"status": "open"}, "chief")] == ["close"]
    assert spec.workflow.available({"status": "done"}, "chief") == []
