"""Issue 11: "`remove_user`, `reset_passphrase` and `new_recovery_code` exist in the store, but
nothing in the CLI or the app calls them." Now `fieldkit users list|add|disable|enable|remove|
reset-passphrase|new-recovery-code`, the chief's only (exit 9 for anyone else), each audited."""

from __future__ import annotations

import json

import pytest

from fieldkit.cli import main
from fieldkit.domain.errors import ExitCode

PASS = "correct horse battery"
GW_PASS = "grid worker passphrase 7"
TEMP = "temporary words 2026 spring"
OWN = "my own secret phrase 31"


@pytest.fixture()
def cli(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"

    def run(*args: str, user: str = "chief", passphrase: str = PASS, new: str | None = None) -> tuple[int, list[dict]]:
        monkeypatch.setenv("FIELDKIT_PASSPHRASE", passphrase)
        if new is None:
            monkeypatch.delenv("FIELDKIT_NEW_PASSPHRASE", raising=False)
        else:
            monkeypatch.setenv("FIELDKIT_NEW_PASSPHRASE", new)
        code = main(["--home", str(home), "--user", user, *args])
        captured = capsys.readouterr()
        run.err = captured.err
        return code, [json.loads(line) for line in captured.out.splitlines() if line.strip()]

    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS)
    assert main(["--home", str(home), "init"]) == 0
    capsys.readouterr()
    assert run("users", "add", "gw", "--role", "grid_worker", "--name", "王网格", new=GW_PASS)[0] == 0
    run.home = home
    return run


def _users(cli) -> dict[str, dict]:
    code, rows = cli("users", "list")
    assert code == 0
    return {r["login"]: r for r in rows}


def test_a_grid_worker_manages_no_one(cli):
    for args in (("users", "add", "x2", "--role", "chief"), ("users", "disable", "chief"),
                 ("users", "reset-passphrase", "chief"), ("users", "new-recovery-code"), ("users", "remove", "chief")):
        code, out = cli(*args, user="gw", passphrase=GW_PASS, new=TEMP)
        assert code == ExitCode.PERMISSION and "只有所长可以管理用户" in cli.err and out == [], args
    assert set(_users(cli)) == {"chief", "gw"}


def test_a_disabled_user_cannot_unlock_until_enabled(cli):
    assert cli("users", "disable", "gw")[0] == 0
    assert _users(cli)["gw"]["disabled"] is True
    code, _ = cli("records", "list", "residents", user="gw", passphrase=GW_PASS)
    assert code == ExitCode.AUTH and "已被所长停用" in cli.err
    # editing keyring.json cannot bring them back: the wrap of their passphrase is gone
    keyring = cli.home / "keyring.json"
    data = json.loads(keyring.read_text())
    data["users"]["gw"].pop("disabled")
    keyring.write_text(json.dumps(data))
    code, _ = cli("records", "list", "residents", user="gw", passphrase=GW_PASS)
    assert code == ExitCode.AUTH
    data["users"]["gw"]["disabled"] = True
    keyring.write_text(json.dumps(data))

    assert cli("users", "enable", "gw", new=TEMP)[0] == 0
    code, _ = cli("records", "list", "residents", user="gw", passphrase=TEMP)  # no new passphrase given
    assert code == ExitCode.AUTH and "请设置一个只有您自己知道的新口令" in cli.err
    assert cli("records", "list", "residents", user="gw", passphrase=TEMP, new=OWN)[0] == 0
    assert cli("records", "list", "residents", user="gw", passphrase=OWN)[0] == 0
    assert _users(cli)["gw"]["must_change"] is False


def test_a_reset_passphrase_is_replaced_at_the_next_unlock(cli):
    assert cli("users", "reset-passphrase", "gw", new=TEMP)[0] == 0
    assert _users(cli)["gw"]["must_change"] is True
    assert cli("modules", user="gw", passphrase=GW_PASS)[0] == ExitCode.AUTH  # the old one is gone
    code, _ = cli("modules", user="gw", passphrase=TEMP, new=TEMP)
    assert code == ExitCode.AUTH and "临时口令" in cli.err
    assert cli("modules", user="gw", passphrase=TEMP, new=OWN)[0] == 0
    assert cli("modules", user="gw", passphrase=TEMP)[0] == ExitCode.AUTH  # the chief's temporary no longer opens
    assert cli("modules", user="gw", passphrase=OWN)[0] == 0
    _, log = cli("audit", "list", "--limit", "50")
    said = " ".join(map(str, log))
    assert all(f"'{action}'" in said for action in ("user_passphrase_reset", "change_passphrase", "user_add"))


def test_a_new_recovery_code_replaces_the_old_one(cli, monkeypatch, tmp_path):
    code, (first,) = cli("users", "new-recovery-code")
    code2, (second,) = cli("users", "new-recovery-code")
    assert code == code2 == 0 and first["recovery_code"] != second["recovery_code"]
    monkeypatch.setenv("FIELDKIT_RECOVERY_CODE", first["recovery_code"])
    assert cli("recover", new=OWN)[0] == ExitCode.AUTH and "恢复码不正确" in cli.err
    monkeypatch.setenv("FIELDKIT_RECOVERY_CODE", second["recovery_code"])
    assert cli("recover", new=OWN)[0] == 0


def test_remove_a_user_but_not_yourself(cli):
    code, _ = cli("users", "remove", "chief")
    assert code != 0 and "不能删除" in cli.err
    assert cli("users", "remove", "gw")[0] == 0
    assert set(_users(cli)) == {"chief"}
    assert cli("modules", user="gw", passphrase=GW_PASS)[0] == ExitCode.AUTH


def test_a_weak_temporary_passphrase_is_refused(cli):
    code, _ = cli("users", "reset-passphrase", "gw", new="aaaabbbb")
    assert code == ExitCode.INVALID and "口令" in cli.err
    assert _users(cli)["gw"]["must_change"] is False


def test_a_rotation_left_due_is_said_by_users_list_and_finished_by_users_rotate(cli, monkeypatch):
    from fieldkit.domain.errors import Cancelled
    from fieldkit.store import rotation

    real = rotation.rotate

    def interrupted(store, **kw):  # the chief pressed Ctrl+C before the swap
        raise Cancelled("已取消更换数据密钥，数据库未改动")

    monkeypatch.setattr(rotation, "rotate", interrupted)
    code, _ = cli("users", "remove", "gw")
    assert code != 0
    monkeypatch.setattr(rotation, "rotate", real)
    code, rows = cli("users", "list")
    assert code == 0 and "gw" not in {r["login"] for r in rows}
    assert "数据密钥尚未更换" in cli.err and "user_remove:gw" in cli.err and "fieldkit users rotate" in cli.err
    code, out = cli("users", "rotate")
    assert code == 0 and out[0]["rotated"] is True and out[0]["reason"] == "user_remove:gw"
    code, _ = cli("users", "list")
    assert "尚未更换" not in cli.err
    code, out = cli("users", "rotate")
    assert code == 0 and out[0]["rotated"] is False and "没有待更换" in cli.err
