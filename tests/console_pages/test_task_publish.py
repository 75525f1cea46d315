"""Tasks published by the platform are checked against the tasks form before they go down."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldkit.domain.errors import ValidationFailed
from fieldkit.services import records as rsvc
from fieldkit.services import sync_service as sync
from fieldkit.services.station import tasks as tsvc
from sync.server.__main__ import main
from sync.server.console import tasks
from sync.server.console.checks import Publisher, Refused

from .conftest import SYNC_VILLAGE as V

TASK = {"title": "寻找走失儿童", "description": "3岁男孩，穿红衣", "kind": "missing_person", "points": 5,
        "village": V, "published_at": "2026-11-23T08:00"}
TOWNSHIP = Publisher("zhang", "张乡镇", (V,))


def _cli_publish(server, values: dict, scope: str = V) -> int:
    import json

    return main(["--db", server.db_url, "publish", "--module", "tasks", "--scope", scope,
                 "--json", json.dumps(values, ensure_ascii=False)])


def test_a_task_published_unchecked_cannot_be_accepted_and_the_cli_now_refuses_it(server, laptop, capsys):
    # What happened before the check: the raw store takes points=500, every laptop then refuses the accept.
    uid = server.storage.publish("tasks", {**TASK, "status": "published", "publisher": "平台", "points": 500}, V)
    sync.sync_now(laptop)
    with pytest.raises(ValidationFailed) as err:
        tsvc.accept_task(laptop, uid)
    assert "积分" in str(err.value)
    # The CLI refuses the same value, naming the field in both languages, and publishes nothing.
    before = set(server.storage.all_records())
    assert _cli_publish(server, {**TASK, "points": 500}) == 2
    said = capsys.readouterr().err
    assert "积分" in said and "Points" in said and "Traceback" not in said
    assert set(server.storage.all_records()) == before


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"kind": "find_dog"}, "kind", "任务类型"),
    ({"description": None}, "description", "任务要求"),
    ({"points": -1}, "points", "积分"),
    ({"status": "completed"}, "status", "任务状态"),
    ({"accepted_by": "lin"}, "accepted_by", "接收人"),
    ({"kinds": "visit"}, "kinds", "没有字段"),
    ({"due_date": "2020-01-01"}, "due_date", "已经过去"),
    ({"village": "350102001002"}, "village", "不一致"),
    ({"assignees": "lin; 王 五"}, "assignees", "不是登录名"),
])
def test_a_bad_task_is_refused_naming_the_field(server, change, field, words):
    values = {k: v for k, v in {**TASK, **change}.items() if v is not None}
    with pytest.raises(Refused) as err:
        tasks.publish_task(server.storage, values, V, today=dt.date(2026, 11, 23))
    assert err.value.field == field and words in err.value.message
    assert server.storage.all_records() == {}


def test_a_township_officer_publishes_only_inside_the_township(server):
    with pytest.raises(Refused) as err:
        tasks.publish_task(server.storage, {**TASK, "village": "350102002001"}, "350102002001", TOWNSHIP)
    assert err.value.field == "scope" and "辖区" in err.value.message
    uid = tasks.publish_task(server.storage, TASK, V, TOWNSHIP, today=dt.date(2026, 11, 23))
    [row] = tasks.list_tasks(server.storage, [V])
    assert (row.uuid, row.publisher, row.status_label, row.kind) == (uid, "张乡镇", "待接收", "查找走失人员")
    assert tasks.list_tasks(server.storage, ["350102002001"]) == []


def test_an_assignee_known_only_in_another_village_is_refused(server, tmp_path):
    from .conftest import enrolled_ws

    other = enrolled_ws(server, tmp_path / "wang", "wang", scope=("350102002001",))
    try:
        uid = tasks.publish_task(server.storage, {**TASK, "village": "350102002001"}, "350102002001")
        sync.sync_now(other)
        tsvc.accept_task(other, uid)
        sync.sync_now(other)  # wang's authorship is now known to the platform, in village 2
    finally:
        other.lock()
    with pytest.raises(Refused) as err:
        tasks.publish_task(server.storage, {**TASK, "assignees": "wang"}, V)
    assert err.value.field == "assignees" and "wang" in err.value.message
    tasks.publish_task(server.storage, {**TASK, "assignees": "newcomer"}, V)  # nobody knows them: fine


def test_a_published_task_is_taken_and_completed_on_a_laptop_and_listed_with_its_credit(server, laptop, capsys):
    assert _cli_publish(server, TASK) == 0
    uid = capsys.readouterr().out.strip()
    sync.sync_now(laptop)
    assert rsvc.get(laptop, uid).data["kind"] == "missing_person"
    tsvc.accept_task(laptop, uid)
    tsvc.complete_task(laptop, uid, "已在村口找到，交还家长")
    sync.sync_now(laptop)
    [row] = tasks.list_tasks(server.storage, [V])
    assert (row.status, row.accepted_by, row.result, row.credited_points) == ("completed", "lin", "已在村口找到，交还家长", 5)
    assert row.completed_at >= row.accepted_at >= row.published_at
    assert [(c.login, c.tasks, c.points) for c in tasks.credits([row])] == [("lin", 1, 5)]
