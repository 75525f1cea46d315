"""The commands issue #10 reported going through without a word now meet the same rules as the
screens that own those changes: a clear message, the right exit code, and nothing written."""

from __future__ import annotations

import json

import pytest

from fieldkit.cli import main
from fieldkit.domain.errors import ExitCode

PASS = "correct horse battery"
GW_PASS = "grid worker passphrase 7"


@pytest.fixture()
def cli(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"

    def run(*args: str, user: str = "chief") -> tuple[int, list[dict]]:
        monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS if user == "chief" else GW_PASS)
        code = main(["--home", str(home), "--user", user, *args])
        captured = capsys.readouterr()
        run.err = captured.err
        return code, [json.loads(line) for line in captured.out.splitlines() if line.strip()]

    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS)
    assert main(["--home", str(home), "init", "--demo", "--people", "60"]) == 0
    monkeypatch.setenv("FIELDKIT_NEW_PASSPHRASE", GW_PASS)
    for login, role in (("gw", "grid_worker"), ("officer2", "officer")):
        assert main(["--home", str(home), "--user", "chief", "users", "add", login, "--role", role]) == 0
    capsys.readouterr()
    return run


def _unchanged(cli, uuid: str):
    """What a refused command must leave exactly as it was: the record, its history, the outbox."""
    _, shown = cli("records", "show", uuid, "--history")
    _, status = cli("sync", "--status")  # pending changes: nothing new queued
    return shown[0]["data"], shown[0]["history"], status[0]["pending"]


def test_a_grid_worker_cannot_credit_himself_a_task_by_editing_it(cli):
    code, out = cli("tasks", "publish", "--title", "核查出租屋", "--description", "核查3号出租屋承租人",
                    "--to", "officer2", "--points", "2")
    assert code == 0
    task = out[0]["uuid"]
    before = _unchanged(cli, task)
    code, _ = cli("records", "edit", task, "--set", "status=completed", "--set", "accepted_by=gw",
                  "--set", "credited_points=100", user="gw")
    assert code == ExitCode.INVALID
    assert "任务状态" in cli.err and "由办理流程填写" in cli.err and "获得积分" in cli.err
    assert _unchanged(cli, task) == before
    # The workflow's own door refuses the same thing for the same reason.
    code, _ = cli("tasks", "accept", task, user="gw")
    assert code == ExitCode.PERMISSION and "指派给了其他人" in cli.err
    _, credits = cli("tasks", "credits")
    assert all(c["login"] != "gw" for c in credits)


def test_an_event_cannot_jump_to_county_and_fed_back_by_editing_it(cli):
    _, villages = cli("records", "list", "villages", "--limit", "1")
    code, out = cli("records", "add", "events", "--json", json.dumps({
        "found_at": "2026-11-20T09:30", "category": "fire_hazard", "title": "柴堆靠近电线",
        "description": "村口柴堆紧挨电线", "village": villages[0]["data"]["code"], "reporter": "李网格"}))
    assert code == 0
    event = out[0]["uuid"]
    before = _unchanged(cli, event)
    code, _ = cli("records", "edit", event, "--set", "level=county", "--set", "status=fed_back",
                  "--set", "feedback=已办", "--set", "resolved_at=2026-11-21T08:00")
    assert code == ExitCode.INVALID and "当前处置层级" in cli.err and "上报上级" in cli.err
    assert _unchanged(cli, event) == before
    code, _ = cli("events", "escalate", event, "--to", "county", "--action", "直接报县")
    assert code == ExitCode.INVALID and "不能越级" in cli.err


def test_the_same_person_cannot_be_entered_twice(cli):
    _, people = cli("records", "list", "residents", "--limit", "1")
    someone = people[0]
    copy = {k: v for k, v in someone["data"].items()}
    code, _ = cli("records", "add", "residents", "--json", json.dumps(copy))
    assert code == ExitCode.CONFLICT
    assert "公民身份号码已登记" in cli.err and someone["uuid"][:8] in cli.err and "合并" in cli.err
    # The 15-digit form of the same number is the same person.
    number = someone["data"]["id_number"]
    code, _ = cli("records", "add", "residents", "--json", json.dumps({**copy, "id_number": number[:6] + number[8:17]}))
    assert code == ExitCode.CONFLICT
    _, found = cli("search", number)
    assert [f["uuid"] for f in found if f["module"] == "residents"] == [someone["uuid"]]
    # Giving an existing record another person's number is refused the same way.
    other = cli("records", "list", "residents", "--limit", "2")[1][1]
    code, _ = cli("records", "edit", other["uuid"], "--set", f"id_number={number}",
                  "--set", f"sex={someone['data']['sex']}", "--set", f"birth_date={someone['data']['birth_date']}")
    assert code == ExitCode.CONFLICT


def test_a_task_cannot_be_published_by_a_grid_worker(cli):
    code, _ = cli("records", "add", "tasks", "--json", json.dumps({
        "title": "自己给自己派", "description": "x", "kind": "other", "published_at": "2026-11-20T09:30",
        "points": 100, "publisher": "gw"}), user="gw")
    assert code == ExitCode.PERMISSION and "只有所长可以发布任务" in cli.err
