"""Form authoring tools: every error at once with file:line, what a change does to stored data,
and a module drafted in a spreadsheet."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from fieldkit.formspec import FieldType, FormSpecError, default_forms_dir, load_modules
from fieldkit.formspec.check import check_forms
from fieldkit.formspec.diff import diff_catalogs, touches_data
from fieldkit.formspec.xlsform import xlsx_to_toml


def copy_forms(folder: Path) -> Path:
    folder.mkdir()
    for src in default_forms_dir().glob("*.toml"):
        shutil.copy(src, folder / src.name)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    return next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in ln)


def break_three(folder: Path) -> None:
    """Two errors in visits, one in vehicles."""
    edit(folder / "01_visits.toml", 'type = "address_ref"', 'type = "adress_ref"')
    edit(folder / "01_visits.toml", 'name = "grid"\ntype = "text"', 'name = "grid"\ntype = "text"\ncolour = "red"')
    edit(folder / "06_vehicles.toml", "group = ", 'grup = "typo"\ngroup = ')


def test_check_reports_three_errors_in_two_files_at_once_with_their_lines(tmp_path):
    forms = copy_forms(tmp_path / "forms")
    assert check_forms(forms) == []
    break_three(forms)
    problems = check_forms(forms)
    visits, vehicles = forms / "01_visits.toml", forms / "06_vehicles.toml"
    assert [(p.path.name, p.line, p.field) for p in problems] == [
        ("01_visits.toml", line_of(visits, 'name = "address"'), "address"),
        ("01_visits.toml", line_of(visits, "colour ="), "grid"),
        ("06_vehicles.toml", line_of(vehicles, "grup ="), None),
    ]
    assert "adress_ref" in problems[0].message and problems[0].text("en").startswith(f"{visits}:")
    assert "'colour'" in problems[1].message_en and "grup" in problems[2].message


def test_a_toml_syntax_error_is_placed_on_its_line(tmp_path):
    forms = copy_forms(tmp_path / "forms")
    edit(forms / "01_visits.toml", 'name = "grid"', 'name = "grid')
    [p] = check_forms(forms)
    assert p.line == line_of(forms / "01_visits.toml", 'name = "grid') and "TOML" in p.message


def _catalog(folder: Path):
    return load_modules(folder)


def test_diff_names_a_rename_a_removed_choice_a_removed_field_and_a_new_module(tmp_path):
    old = copy_forms(tmp_path / "old")
    new = copy_forms(tmp_path / "new")
    assert diff_catalogs(_catalog(old), _catalog(new)) == []
    visits = new / "01_visits.toml"
    edit(visits, 'name = "grid"', 'name = "grid_name"')
    edit(visits, '  { value = "publicity", zh = "宣传走访", en = "Publicity visit" },\n', "")
    vehicles = new / "06_vehicles.toml"
    text = vehicles.read_text(encoding="utf-8")
    start = text.index("[[fields]]", text.index('name = "engine_no"') - 40)
    end = text.index("[[fields]]", start + 5)
    vehicles.write_text(text[:start] + text[end:], encoding="utf-8")
    shutil.copy(default_forms_dir() / "05_villages.toml", new / "99_hamlets.toml")
    edit(new / "99_hamlets.toml", 'id = "villages"', 'id = "hamlets"')
    edit(new / "99_hamlets.toml", "number = 5", "number = 99")
    with (new / "permissions.toml").open("a", encoding="utf-8") as f:
        f.write("\n[modules.hamlets]\nchief = [\"*\"]\nofficer = [\"view\"]\ngrid_worker = [\"view\"]\n")
    changes = diff_catalogs(_catalog(old), _catalog(new))
    got = {(c.kind, c.module, c.field) for c in changes}
    assert ("field_renamed", "visits", "grid_name") in got
    assert ("choice_removed", "visits", "visit_type") in got
    assert ("field_removed", "vehicles", "engine_no") in got
    assert ("module_added", "hamlets", None) in got
    assert touches_data(changes) and len(changes) == 4
    renamed = next(c for c in changes if c.kind == "field_renamed")
    assert "grid" in renamed.migration and "grid_name" in renamed.migration_en
    assert not next(c for c in changes if c.kind == "module_added").touches_data


def write_sheet(path: Path, survey: list[list], choices: list[list] | None = None, settings: list[list] | None = None) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "survey"
    for row in survey:
        ws.append(row)
    if choices is not None:
        c = book.create_sheet("choices")
        for row in choices:
            c.append(row)
    if settings is not None:
        s = book.create_sheet("settings")
        for row in settings:
            s.append(row)
    book.save(path)
    return path


SURVEY = [
    ["type", "name", "label::中文", "label::English", "required", "relevant", "constraint", "constraint_message::中文"],
    ["date", "screened_on", "排查日期", "Screened on", "yes", None, ". <= today()", "不能晚于今天"],
    ["select_one result", "result", "结果", "Result", "yes", None, None, None],
    ["integer", "days", "观察天数", "Days", None, "${result} = 'fever'", None, None],
    ["id_number", "id_number", "身份证号", "ID number", None, None, None, None],
    ["begin repeat", "contacts", "接触人员", "Contacts", None, None, None, None],
    ["text", "contact_name", "姓名", "Name", "yes", None, None, None],
    ["end repeat", None, None, None, None, None, None, None],
    ["geopoint", "where", "位置", "Position", None, None, None, None],
]
CHOICES = [["list_name", "name", "label::中文", "label::English"],
           ["result", "normal", "正常", "Normal"], ["result", "fever", "发热", "Fever"]]


def test_a_sheet_drafted_in_excel_becomes_a_module_the_loader_loads(tmp_path):
    sheet = write_sheet(tmp_path / "screening.xlsx", SURVEY, CHOICES,
                        [["form_title::中文", "form_title::English"], ["疫情排查", "Epidemic screening"]])
    forms = copy_forms(tmp_path / "forms")
    (forms / "21_screening.toml").write_text(xlsx_to_toml(sheet, sheet.read_bytes(), module_id="screening", number=21), encoding="utf-8")
    with (forms / "permissions.toml").open("a", encoding="utf-8") as f:
        f.write('\n[modules.screening]\nchief = ["*"]\nofficer = ["view", "create"]\ngrid_worker = []\n')
    spec = load_modules(forms)["screening"]
    assert spec.label.zh == "疫情排查" and spec.number == 21
    assert [f.type for f in spec.fields] == [FieldType.DATE, FieldType.CHOICE, FieldType.NUMBER, FieldType.ID_NUMBER,
                                              FieldType.REPEAT, FieldType.GEO]
    assert [c.value for c in spec.field("result").choices] == ["normal", "fever"]
    assert spec.field("days").relevant == "result == 'fever'"
    assert spec.field("contacts").fields[0].name == "contact_name" and spec.field("screened_on").required


@pytest.mark.parametrize(("survey", "choices", "words"), [
    ([["type", "name", "label"], ["text", "a", "甲"], ["colour", "b", "乙"]], None, "第 3 行"),
    ([["type", "name", "label"], ["select_one nope", "a", "甲"]], CHOICES, "nope"),
    ([["type", "name", "label"], ["text", "1a", "甲"]], None, "第 2 行"),
    ([["type", "name", "label"], ["begin repeat", "r", "组"], ["text", "a", "甲"]], None, "begin repeat"),
])
def test_a_bad_sheet_is_refused_naming_the_sheet_and_row(tmp_path, survey, choices, words):
    sheet = write_sheet(tmp_path / "bad.xlsx", survey, choices)
    with pytest.raises(FormSpecError) as e:
        xlsx_to_toml(sheet, sheet.read_bytes(), module_id="bad", number=30)
    assert "工作表 survey" in e.value.message and words in e.value.message
    assert "sheet survey" in e.value.message_en
