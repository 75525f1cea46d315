"""`fieldkit forms check|diff|from-xlsx`: no store is needed, errors are words with file:line or
sheet and row, never exit 70."""

from __future__ import annotations

import json
import shutil

from fieldkit.cli import main
from fieldkit.domain.errors import ExitCode
from fieldkit.formspec import default_forms_dir, load_modules
from tests.formspec.test_form_tools import CHOICES, SURVEY, break_three, copy_forms, edit, write_sheet


def run(capsys, *args: str) -> tuple[int, list[dict], str]:
    code = main(["--lang", "en", "forms", *args])
    cap = capsys.readouterr()
    return code, [json.loads(line) for line in cap.out.splitlines() if line.strip()], cap.err


def test_check_prints_every_error_with_file_and_line(tmp_path, capsys):
    forms = copy_forms(tmp_path / "forms")
    assert run(capsys, "check", str(forms))[0] == 0
    break_three(forms)
    code, out, err = run(capsys, "check", str(forms))
    assert code == ExitCode.INVALID
    assert [(o["path"].rsplit("/", 1)[-1], o["field"]) for o in out] == [
        ("01_visits.toml", "address"), ("01_visits.toml", "grid"), ("06_vehicles.toml", None)]
    assert f"{forms / '01_visits.toml'}:{out[1]['line']}: field grid: unknown key 'colour'" in err
    assert "3 error(s) in 2 file(s)" in err


def test_diff_exits_with_its_own_code_when_stored_data_is_touched(tmp_path, capsys):
    old, new = copy_forms(tmp_path / "old"), copy_forms(tmp_path / "new")
    assert run(capsys, "diff", str(old), str(new))[:2] == (0, [])
    edit(new / "01_visits.toml", 'value = "publicity"', 'value = "propaganda"')
    code, out, err = run(capsys, "diff", str(old), str(new))
    assert code == ExitCode.DATA_CHANGE != ExitCode.BUG
    assert [(o["kind"], o["field"]) for o in out] == [("choice_renamed", "visit_type")]
    assert "rewrite publicity as propaganda" in err and "a migration is needed" in err


def test_from_xlsx_writes_a_module_that_loads(tmp_path, capsys):
    sheet = write_sheet(tmp_path / "s.xlsx", SURVEY, CHOICES)
    forms = tmp_path / "forms"
    forms.mkdir()
    for src in default_forms_dir().glob("*.toml"):
        shutil.copy(src, forms / src.name)
    out_file = forms / "21_screening.toml"
    code, out, err = run(capsys, "from-xlsx", str(sheet), "--id", "screening", "--number", "21", "--out", str(out_file))
    assert code == 0 and out == [{"out": str(out_file), "module": "screening", "number": 21}]
    assert "[modules.screening]" in err
    with (forms / "permissions.toml").open("a", encoding="utf-8") as f:
        f.write('\n[modules.screening]\nchief = ["*"]\nofficer = ["view"]\ngrid_worker = []\n')
    assert load_modules(forms)["screening"].field("result").choices[1].value == "fever"


def test_a_bad_sheet_or_a_non_workbook_is_a_message_not_a_traceback(tmp_path, capsys):
    bad = write_sheet(tmp_path / "bad.xlsx", [["type", "name", "label"], ["text", "a", "甲"], ["colour", "b", "乙"]])
    code, _, err = run(capsys, "from-xlsx", str(bad), "--id", "bad", "--number", "30", "--out", str(tmp_path / "o.toml"))
    assert code == ExitCode.ERROR and "sheet survey, row 3: unknown type 'colour'" in err
    (tmp_path / "fake.xlsx").write_text("not a zip", encoding="utf-8")
    code, _, err = run(capsys, "from-xlsx", str(tmp_path / "fake.xlsx"), "--id", "x", "--number", "30",
                       "--out", str(tmp_path / "o.toml"))
    assert code == ExitCode.ERROR and "not a readable xlsx workbook" in err and not (tmp_path / "o.toml").exists()
    code, _, err = run(capsys, "from-xlsx", str(bad), "--id", "Bad-Id", "--number", "30", "--out", str(tmp_path / "o.toml"))
    assert code not in (0, ExitCode.BUG)


def test_from_xlsx_does_not_overwrite_a_module_file_unless_forced(tmp_path, capsys):
    sheet = write_sheet(tmp_path / "s.xlsx", SURVEY, CHOICES)
    out_file = tmp_path / "21_screening.toml"
    out_file.write_text("# hand-edited\n", encoding="utf-8")
    args = ("from-xlsx", str(sheet), "--id", "screening", "--number", "21", "--out", str(out_file))
    code, _, err = run(capsys, *args)
    assert code == ExitCode.CONFLICT and "--force" in err and out_file.read_text(encoding="utf-8") == "# hand-edited\n"
    assert run(capsys, *args, "--force")[0] == 0 and 'id = "screening"' in out_file.read_text(encoding="utf-8")
