"""Issue 11, "a grid worker can `backup` the whole store, `export residents --plain` for every
village, print station-signed doorplates and plaques, and delete residents": each exact command
now ends with exit 9 and a message naming the roles that may, and leaves nothing behind. The
permissions table (forms/permissions.toml) decides; the same commands pass for the chief."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from fieldkit.cli import main
from fieldkit.domain.errors import ExitCode

PASS = "correct horse battery"
GW_PASS = "grid worker passphrase 7"
OFFICER_PASS = "officer passphrase 42x"


@pytest.fixture()
def cli(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    passes = {"chief": PASS, "gw": GW_PASS, "off": OFFICER_PASS}

    def run(*args: str, user: str = "chief") -> tuple[int, list[dict]]:
        monkeypatch.setenv("FIELDKIT_PASSPHRASE", passes.get(user, PASS))
        code = main(["--home", str(home), "--user", user, *args])
        captured = capsys.readouterr()
        run.err = captured.err
        return code, [json.loads(line) for line in captured.out.splitlines() if line.strip()]

    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS)
    monkeypatch.setenv("FIELDKIT_EXPORT_PASSPHRASE", "export passphrase 99")
    assert main(["--home", str(home), "init", "--demo", "--people", "40"]) == 0
    for login, role, pw in (("gw", "grid_worker", GW_PASS), ("off", "officer", OFFICER_PASS)):
        monkeypatch.setenv("FIELDKIT_NEW_PASSPHRASE", pw)
        assert main(["--home", str(home), "--user", "chief", "users", "add", login, "--role", role]) == 0
    capsys.readouterr()
    run.home = home
    return run


def _village(cli) -> str:
    _, rows = cli("records", "list", "villages")
    return rows[0]["data"]["name"]


def _resident(cli) -> str:
    _, rows = cli("records", "list", "residents", "--limit", "1")
    return rows[0]["uuid"]


def test_a_grid_worker_cannot_back_up_the_store(cli, tmp_path):
    out = tmp_path / "all.fkb"
    code, _ = cli("backup", str(out), user="gw")
    assert code == ExitCode.PERMISSION
    assert "只有所长可以备份数据库" in cli.err and not out.exists()
    assert cli("backup", str(out))[0] == 0 and out.exists()


def test_a_grid_worker_cannot_export_residents_in_plain_text(cli, tmp_path):
    out = tmp_path / "residents.csv"
    code, _ = cli("export", "residents", "--out", str(out), "--plain", user="gw")
    assert code == ExitCode.PERMISSION and not out.exists()
    assert "只有社区民警、所长可以明文导出“实有人口”" in cli.err and "网格员" in cli.err
    # nor sealed: a register of every resident does not leave with a grid worker at all
    code, _ = cli("export", "residents", "--out", str(out), user="gw")
    assert code == ExitCode.PERMISSION and "加密导出" in cli.err and not out.exists()
    assert cli("export", "residents", "--out", str(out), "--plain", user="off")[0] == 0 and out.exists()


def test_a_grid_worker_cannot_print_station_signed_doorplates(cli, tmp_path):
    out = tmp_path / "plates.pdf"
    _, (address,) = cli("records", "list", "addresses", "--limit", "1")
    code, _ = cli("doorplates", "print", "--address-uuid", address["uuid"], "--out", str(out), user="gw")
    assert code == ExitCode.PERMISSION and not out.exists()
    assert "只有社区民警、所长可以签发和打印门牌" in cli.err
    assert cli("doorplates", "print", "--address-uuid", address["uuid"], "--out", str(out))[0] == 0 and out.exists()


def test_a_grid_worker_cannot_print_a_signed_plaque(cli, tmp_path):
    out = tmp_path / "plaque.pdf"
    code, _ = cli("safety", "plaque", "--village", _village(cli), "--from", "2026-01-01", "--to", "2026-06-30",
                  "--out", str(out), user="gw")
    assert code == ExitCode.PERMISSION and not out.exists()
    assert "只有所长可以签发和打印平安牌匾" in cli.err
    code, _ = cli("safety", "plaque", "--village", _village(cli), "--from", "2026-01-01", "--to", "2026-06-30",
                  "--out", str(out), user="off")
    assert code == ExitCode.PERMISSION  # the plaque is the chief's word on the village


def test_a_grid_worker_cannot_delete_a_resident(cli):
    uuid = _resident(cli)
    code, _ = cli("records", "delete", uuid, user="gw")
    assert code == ExitCode.PERMISSION and "只有社区民警、所长可以删除“实有人口”" in cli.err
    _, shown = cli("records", "show", uuid)
    assert shown[0]["deleted"] is False
    assert cli("records", "delete", uuid, user="off")[0] == 0


def test_a_grid_worker_cannot_print_the_residents_ledger_but_can_print_visits(cli, tmp_path):
    code, _ = cli("ledger", "--module", "residents", "--out", str(tmp_path / "r.xlsx"), user="gw")
    assert code == ExitCode.PERMISSION and "打印台账" in cli.err
    assert cli("ledger", "--module", "visits", "--out", str(tmp_path / "v.xlsx"), user="gw")[0] == 0


def test_users_list_is_for_the_chief(cli):
    code, _ = cli("users", "list", user="gw")
    assert code == ExitCode.PERMISSION and "只有所长可以管理用户" in cli.err
    code, rows = cli("users", "list")
    assert code == 0 and {r["login"]: r["role"] for r in rows} == {"chief": "chief", "gw": "grid_worker",
                                                                     "off": "officer"}


def test_the_real_console_refuses_a_grid_workers_backup(cli, tmp_path):
    """The same through `python -m fieldkit.cli` in its own process (real key derivation)."""
    out = tmp_path / "all.fkb"
    env = {**os.environ, "FIELDKIT_PASSPHRASE": GW_PASS, "FIELDKIT_LANG": "zh"}
    r = subprocess.run([sys.executable, "-m", "fieldkit.cli", "--home", str(cli.home), "--user", "gw", "backup",
                        str(out)], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == ExitCode.PERMISSION, r.stderr
    assert "只有所长可以备份数据库" in r.stderr and "Traceback" not in r.stderr and not out.exists()
