"""The `fieldkit` command line as a station's script would use it: JSON lines and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from fieldkit.cli import main
from fieldkit.domain.errors import ExitCode

PASS = "correct horse battery"


@pytest.fixture()
def cli(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS)

    def run(*args: str) -> tuple[int, list[dict]]:
        code = main(["--home", str(home), *args])
        out = capsys.readouterr().out
        return code, [json.loads(line) for line in out.splitlines() if line.strip()]

    run.home = home
    return run


def test_init_prints_recovery_code_once_and_refuses_twice(cli):
    code, out = cli("init", "--name", "陈所长")
    assert code == 0 and len(out[0]["recovery_code"].replace("-", "")) >= 20
    code, _ = cli("init")
    assert code == ExitCode.ERROR


def test_add_show_edit_list_search_history(cli):
    cli("init")
    code, out = cli("records", "add", "villages", "--set", "code=350924201201", "--set", "name=坑底村",
                    "--set", "township=坑底乡", "--set", "kind=village")
    assert code == 0
    code, out = cli("records", "add", "residents", "--json", json.dumps({
        "name": "张伟", "id_number": "350924199003071236", "sex": "男", "birth_date": "1990-03-07",
        "ethnicity": "01", "village": "350924201201", "status": "present", "resident_type": "registered"}))
    assert code == 0, out
    uuid = out[0]["uuid"]
    code, out = cli("records", "edit", uuid, "--set", "phone=13905931234")
    assert code == 0 and out[0]["data"]["phone"] == "13905931234"
    code, out = cli("records", "show", uuid, "--history")
    assert [h["field"] for h in out[0]["history"] if h["op"] == "update"] == ["phone"]
    code, out = cli("search", "zw")
    assert uuid in [o["uuid"] for o in out]
    code, out = cli("search", "张伟")
    assert uuid in [o["uuid"] for o in out]
    code, out = cli("records", "list", "residents")
    assert [o["uuid"] for o in out] == [uuid]


def test_search_forgives_what_officers_type_and_names_a_former_name(cli):
    cli("init")
    cli("records", "add", "villages", "--set", "code=350924201201", "--set", "name=坑底村",
        "--set", "township=坑底乡", "--set", "kind=village")
    _, out = cli("records", "add", "residents", "--json", json.dumps({
        "name": "王大明", "former_name": "王小明", "id_number": "350924199003071236", "sex": "男",
        "birth_date": "1990-03-07", "ethnicity": "01", "village": "350924201201", "status": "present",
        "resident_type": "registered"}))
    person = out[0]["uuid"]
    _, out = cli("records", "add", "vehicles", "--json", json.dumps({
        "plate_type": "02", "plate": "闽JF73296", "vehicle_type": "car", "owner": person, "village": "350924201201"}))
    car = out[0]["uuid"]
    code, out = cli("search", "王小明")
    assert code == 0 and [(o["uuid"], o["matched_field"], o["matched_label"]) for o in out] == [
        (person, "former_name", "曾用名：王小明")]
    _, out = cli("--lang", "en", "search", "王小明")
    assert out[0]["matched_label"] == "Former name: 王小明"
    _, out = cli("search", "王大明")
    assert out[0]["matched_field"] == "name" and "matched_label" not in out[0]
    _, out = cli("search", "jf73296")
    assert [(o["uuid"], o["matched"]) for o in out] == [(car, "plate_tail")]
    _, out = cli("search", "1236")  # 4 digits: only within a village
    assert person not in [o["uuid"] for o in out]
    _, out = cli("search", "1236", "--village", "350924201201")
    assert [(o["uuid"], o["matched"]) for o in out][:1] == [(person, "id_tail")]


def test_invalid_id_number_exit_code_and_message(cli, capsys):
    cli("init")
    code, _ = cli("records", "add", "residents", "--set", "name=李四", "--set", "id_number=350924199003071235")
    assert code == ExitCode.INVALID


def test_wrong_passphrase_exit_code(cli, monkeypatch):
    cli("init")
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", "not the passphrase")
    code, _ = cli("modules")
    assert code == ExitCode.AUTH


def test_unknown_record_is_not_found(cli):
    cli("init")
    code, _ = cli("records", "show", "00000000-0000-4000-8000-000000000000")
    assert code == ExitCode.NOT_FOUND


def test_recover_with_code_then_passwd(cli, monkeypatch):
    _, out = cli("init")
    recovery = out[0]["recovery_code"]
    monkeypatch.setenv("FIELDKIT_RECOVERY_CODE", recovery)
    monkeypatch.setenv("FIELDKIT_NEW_PASSPHRASE", "a brand new passphrase")
    assert cli("recover")[0] == 0
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", "a brand new passphrase")
    assert cli("modules")[0] == 0
    monkeypatch.setenv("FIELDKIT_RECOVERY_CODE", "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA")
    assert cli("recover")[0] == ExitCode.AUTH


def test_export_is_sealed_and_imports_back(cli, tmp_path, monkeypatch):
    cli("init", "--demo", "--people", "40")
    monkeypatch.setenv("FIELDKIT_EXPORT_PASSPHRASE", "export pass 2026")
    out_file = tmp_path / "villages.csv.fks"
    code, out = cli("export", "villages", "--out", str(out_file))
    assert code == 0 and out[0]["rows"] == 20
    raw = out_file.read_bytes()
    assert "坑底村".encode() not in raw and "坑底村".encode("gbk") not in raw
    plain = tmp_path / "v.csv"
    assert cli("unseal", str(out_file), "--out", str(plain))[0] == 0
    assert "坑底村" in plain.read_text("utf-8-sig")
    code, out = cli("import", "villages", str(out_file))
    # The file is what the store holds: matched by uuid, nothing to change.
    assert code == 0 and out[-1] == {"created": 0, "updated": 0, "unchanged": 20, "refused": 0, "dry_run": False}


def test_demo_remove_counts_first_then_deletes_with_yes(cli):
    cli("init", "--demo", "--people", "30")
    code, out = cli("demo", "--remove")
    assert code == 0 and out[-1]["removed"] is False and out[-1]["deleted"]["villages"] == 20
    assert len(cli("records", "list", "villages")[1]) == 20  # only counted
    code, out = cli("demo", "--remove", "--yes")
    assert code == 0 and out[-1]["removed"] is True
    assert cli("records", "list", "villages")[1] == []
    code, _ = cli("demo", "--remove", "--yes")
    assert code == ExitCode.ERROR  # nothing left to remove: said, not a traceback


def test_import_reports_bad_rows_and_changes_nothing(cli, tmp_path):
    cli("init")
    bad = tmp_path / "v.csv"
    bad.write_text("村（居）代码,村（社区）名称,所属乡镇（街道）,类型\n350924201201,坑底村,坑底乡,行政村\n123,坏村,坑底乡,行政村\n",
                   encoding="utf-8")
    code, _ = cli("import", "villages", str(bad))
    assert code == ExitCode.INVALID
    _, out = cli("records", "list", "villages")
    assert out == []
    code, out = cli("import", "villages", str(bad), "--skip-invalid")
    assert code == 0 and out[-1]["created"] == 1 and out[-1]["refused"] == 1


def test_backup_restore_and_audit_verify(cli, tmp_path, monkeypatch):
    cli("init", "--demo", "--people", "30")
    backup = tmp_path / "station.fkbak"
    assert cli("backup", str(backup))[0] == 0
    assert "坑底村".encode() not in backup.read_bytes()
    code, out = cli("audit", "verify")
    assert code == 0 and out[0]["ok"] is True
    restored = tmp_path / "restored"
    assert main(["--home", str(restored), "restore", str(backup)]) == 0
    assert main(["--home", str(restored), "audit", "verify"]) == 0


def test_backup_to_a_drive_keeps_the_newest(cli, tmp_path):
    cli("init")
    stick = tmp_path / "stick"
    code, out = cli("backup", "--drive", str(stick), "--keep", "1")
    assert code == 0 and out[-1]["verified"] is True and out[-1]["removed"] == []
    # A second one leaves one: the older removed (or replaced, within the same second).
    assert cli("backup", "--drive", str(stick), "--keep", "1")[0] == 0
    assert len(list((stick / "FieldKit备份").glob("fieldkit-*.fkbackup"))) == 1
    code, _out = cli("backup")  # neither a file nor a drive: refused in words, not a traceback
    assert code not in (0, 70)


def test_console_script_runs(tmp_path):
    exe = [sys.executable, "-m", "fieldkit.cli", "--help"]
    r = subprocess.run(exe, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "records" in r.stdout


def test_version_names_the_installed_release(capsys) -> None:
    import fieldkit

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"FieldKit {fieldkit.__version__}"
