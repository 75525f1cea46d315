"""`records delete --reason`, `records trash [--module]`, `records undelete` as a script uses them."""

from __future__ import annotations

import json

import pytest

from fieldkit.cli import main
from fieldkit.domain.errors import ExitCode
from tests.cli.test_cli import PASS

PERSON = {"name": "张伟", "id_number": "350924199003071236", "sex": "男", "birth_date": "1990-03-07",
          "ethnicity": "01", "village": "350924201201", "status": "present", "resident_type": "registered"}


@pytest.fixture()
def cli(tmp_path, monkeypatch, capsys):
    """Runs a command; the words said to the user (stderr) are kept in `run.said`."""
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS)

    def run(*args: str) -> tuple[int, list[dict]]:
        code = main(["--home", str(tmp_path / "home"), *args])
        got = capsys.readouterr()
        run.said = got.err
        return code, [json.loads(line) for line in got.out.splitlines() if line.strip()]

    run.said = ""
    return run


def _township(cli):
    cli("init", "--name", "陈所长")
    cli("records", "add", "villages", "--set", "code=350924201201", "--set", "name=坑底村",
        "--set", "township=坑底乡", "--set", "kind=village")
    _, out = cli("records", "add", "residents", "--json", json.dumps(PERSON))
    person = out[0]["uuid"]
    _, out = cli("records", "add", "vehicles", "--json", json.dumps({
        "plate_type": "02", "plate": "闽JF73296", "vehicle_type": "car", "owner": person, "village": "350924201201"}))
    return person, out[0]["uuid"]


def test_delete_with_reason_lists_in_trash_and_undelete_brings_it_back(cli):
    person, car = _township(cli)
    code, out = cli("records", "delete", person, "--reason", "重复登记")
    assert "命令行删除" not in cli.said
    assert code == 0 and out[0]["reason"] == "重复登记" and out[0]["pointed_at_by"] == [car]
    code, out = cli("records", "list", "residents")
    assert out == []
    code, out = cli("records", "trash")
    assert code == 0 and [(o["uuid"], o["module"], o["deleted_by"], o["reason"]) for o in out] == [
        (person, "residents", "陈所长", "重复登记")]
    assert out[0]["title"].startswith("张伟") and out[0]["deleted_at"]
    code, out = cli("records", "trash", "--module", "vehicles")
    assert code == 0 and out == []
    code, out = cli("records", "undelete", person)
    assert code == 0 and out[0]["deleted"] is False
    _, out = cli("search", "张伟")
    assert [o["uuid"] for o in out] == [person]
    _, out = cli("records", "trash")
    assert out == [] and "回收站是空的" in cli.said


def test_delete_says_who_points_at_it_and_the_default_reason(cli):
    person, _car = _township(cli)
    code, out = cli("records", "delete", person)
    err = cli.said
    assert code == 0 and out[0]["reason"] == "命令行删除"
    assert "删除原因记为“命令行删除”" in err
    assert "1 条记录指向此人：" in err and " 1 条" in err
    assert "闽JF73296" in err


def test_undelete_of_a_live_or_unknown_record(cli):
    person, _ = _township(cli)
    code, out = cli("records", "undelete", person)
    assert code == 0 and out[0]["deleted"] is False  # nothing to do: still there
    code, _ = cli("records", "undelete", "00000000-0000-0000-0000-000000000000")
    assert code == ExitCode.NOT_FOUND
    code, _ = cli("records", "delete", person, "--reason", "  ")
    assert code == ExitCode.INVALID and "请填写删除原因" in cli.said
    code, _ = cli("records", "trash", "--module", "nosuchmodule")
    assert code not in (0, ExitCode.ERROR)
