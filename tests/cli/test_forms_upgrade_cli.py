"""`fieldkit` after a form release: the unlock upgrades the records and says so, `records show`
shows retired values, a rollback is an error naming the file (never exit 70), the records of a
removed form file still show (raw, read-only), and `forms diff` accepts a declared migration."""

from __future__ import annotations

import json

import pytest

from fieldkit.cli import main
from fieldkit.domain.errors import ExitCode
from fieldkit.formspec import load_modules
from fieldkit.services import workspace as wsvc
from tests.services.test_form_upgrade import PASS, V1, V4, write_forms


@pytest.fixture()
def cli(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS)

    def run(*args: str) -> tuple[int, list[dict], str]:
        monkeypatch.setattr(wsvc, "_catalog_cache", None)  # each command a new process: forms read again
        code = main(["--home", str(home), *args])
        cap = capsys.readouterr()
        return code, [json.loads(line) for line in cap.out.splitlines() if line.strip()], cap.err

    return run


def test_upgrade_says_what_it_did_and_show_lists_the_retired_value(tmp_path, cli, monkeypatch):
    forms = write_forms(tmp_path / "forms")
    monkeypatch.setenv("FIELDKIT_FORMS_DIR", str(forms))
    cli("init")
    code, out, _ = cli("records", "add", "people", "--set", "name=张伟", "--set", "sex=男", "--set", "occupation=教师")
    uuid = out[0]["uuid"]
    write_forms(forms, **V4)
    code, out, err = cli("forms", "upgrade")
    assert code == 0 and {"module": "people", "version": 4, "store": 4} in out
    assert "表单升级 [people] v1→v2：改写 1 条记录" in err and "v3→v4" in err
    code, out, err = cli("forms", "upgrade")
    assert code == 0 and "无需升级" in err
    code, out, err = cli("records", "show", uuid)
    assert code == 0 and out[0]["retired"] == {"职业": "教师"} and "已停用字段 职业：教师" in err
    write_forms(forms)  # release 1 again
    code, _, err = cli("records", "show", uuid)
    assert code not in (0, ExitCode.BUG)
    assert str(forms / "01_people.toml") in err and "v1" in err and "v4" in err


def test_records_of_a_removed_form_file_show_raw_not_exit_70(tmp_path, cli, monkeypatch):
    forms = write_forms(tmp_path / "forms")
    (forms / "02_notes.toml").write_text(V1.replace('id = "people"', 'id = "notes"').replace("number = 1", "number = 2")
                                         .replace("{head}", "").replace("{job}", "topic").replace("{male}", "男")
                                         .replace("{female}", "女").replace("{tail}", ""), "utf-8")
    perms = forms / "permissions.toml"
    perms.write_text(perms.read_text("utf-8") + '\n[modules.notes]\nchief = ["*"]\nofficer = []\ngrid_worker = []\n', "utf-8")
    monkeypatch.setenv("FIELDKIT_FORMS_DIR", str(forms))
    cli("init")
    _, out, _ = cli("records", "add", "notes", "--set", "name=走访", "--set", "topic=防诈")
    (forms / "02_notes.toml").unlink()
    perms.write_text(perms.read_text("utf-8").split("\n[modules.notes]")[0], "utf-8")
    code, shown, err = cli("records", "show", out[0]["uuid"])
    assert code == 0 and shown[0]["form"] is False and shown[0]["data"]["topic"] == "防诈"
    assert "没有表单定义" in err
    code, _, err = cli("records", "edit", out[0]["uuid"], "--set", "topic=x")
    assert code not in (0, ExitCode.BUG) and "表单" in err


def test_forms_diff_accepts_a_declared_migration(tmp_path, cli):
    old, new = write_forms(tmp_path / "old"), write_forms(tmp_path / "new", **V4)
    code, out, err = cli("forms", "diff", str(old), str(new))
    assert code == 0 and {o["kind"] for o in out} >= {"field_renamed", "choice_renamed"}
    assert "新表单已声明迁移" in err and "people v1→v4" in err
    code, _, err = cli("forms", "diff", str(old), str(write_forms(tmp_path / "bad", job="hobby")))
    assert code == ExitCode.DATA_CHANGE and "occupation" in err
    assert load_modules(new)["people"].version == 4
