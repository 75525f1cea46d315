"""Task packages: the chief publishes, a grid worker on their own login sees, accepts and
completes it, and is credited; the rules about who may do what hold."""

from __future__ import annotations

import pytest

from fieldkit.domain.errors import Conflict, PermissionDenied, UserFacingError
from fieldkit.services import records as rsvc
from fieldkit.services import workspace as wsvc
from fieldkit.services.station import tasks

PASS = "correct horse battery"
VILLAGE = "350924201201"
OTHER = "350924201202"


@pytest.fixture()
def station(empty_ws):
    """A store with two villages, the chief and two grid workers; yields a `login(name)` switch."""
    ws = empty_ws
    for code, name in ((VILLAGE, "坑底村"), (OTHER, "小东村")):
        rsvc.save(ws, "villages", {"code": code, "name": name, "township": "坑底乡", "kind": "village"})
    ws.store.add_user("li", role="grid_worker", passphrase=PASS, display_name="李网格")
    ws.store.add_user("wang", role="officer", passphrase=PASS, display_name="王警官")
    home = ws.home
    current = {"ws": ws}

    def login(name: str):
        current["ws"].lock()
        current["ws"] = wsvc.unlock(home, name, PASS)
        return current["ws"]

    login.chief = ws
    yield login
    current["ws"].lock()


def test_publish_accept_complete_and_credit(station):
    chief = station.chief
    t1 = tasks.publish_task(chief, title="寻找走失儿童", description="3岁男孩，穿红色外套，在坑底村走失",
                            kind="missing_person", village=VILLAGE, points=10, urgency="critical",
                            at="2026-11-20T08:00")
    t2 = tasks.publish_task(chief, title="核查承租人", description="核查溪边出租屋新租户身份", kind="verify_tenant",
                            assignees="li", points=3, at="2026-11-20T08:05")
    t3 = tasks.publish_task(chief, title="小东村隐患排查", description="排查小东村电动车充电", village=OTHER,
                            at="2026-11-20T08:10")
    t4 = tasks.publish_task(chief, title="交给王警官", description="入户核查", assignees=["wang"],
                            at="2026-11-20T08:15")
    assert t1.data["status"] == "published" and t1.data["publisher"] == "陈所长"

    li = station("li")
    mine = tasks.my_tasks(li, village=VILLAGE)
    # Assigned to li, and open to everyone in li's village; not the other village's, not wang's.
    assert {t.uuid for t in mine} == {t1.uuid, t2.uuid}
    assert {t.uuid for t in tasks.my_tasks(li)} == {t1.uuid, t2.uuid, t3.uuid}
    with pytest.raises(PermissionDenied):
        tasks.accept_task(li, t4.uuid)

    tasks.accept_task(li, t1.uuid, at="2026-11-20T08:20")
    tasks.accept_task(li, t2.uuid, at="2026-11-20T08:30")
    assert [t.uuid for t in tasks.my_tasks(li, village=VILLAGE)][:2] == [t2.uuid, t1.uuid]  # mine first
    done = tasks.complete_task(li, t1.uuid, "已在后山茶园找到，交还家长", at="2026-11-20T10:40")
    assert done.data["status"] == "completed" and done.data["credited_points"] == 10
    tasks.complete_task(li, t2.uuid, "租户身份属实，已登记", at="2026-11-21T09:00")
    assert tasks.my_tasks(li, village=VILLAGE) == []

    wang = station("wang")
    with pytest.raises(Conflict) as e:
        tasks.accept_task(wang, t1.uuid)
    assert "li" in e.value.message
    tasks.accept_task(wang, t4.uuid, at="2026-11-20T09:00")
    with pytest.raises(PermissionDenied):
        tasks.publish_task(wang, title="x", description="y")
    tasks.complete_task(wang, t4.uuid, "已核查", at="2026-11-22T09:00")

    credits = tasks.credits(wang)
    assert [(c.login, c.name, c.tasks, c.points) for c in credits] == [("li", "李网格", 2, 13), ("wang", "王警官", 1, 1)]
    # A period counts only what was completed in it.
    assert [(c.login, c.points) for c in tasks.credits(wang, "2026-11-21", "2026-11-30")] == [("li", 3), ("wang", 1)]
    assert [(c.login, c.points) for c in tasks.credits(wang, "2026-11-20", "2026-11-20")] == [("li", 10)]
    assert [(c.login, c.points) for c in tasks.credits(wang, period="2026-11")] == [("li", 13), ("wang", 1)]
    assert tasks.credits(wang, period="2026-W46") == []  # the week before
    assert [c.points for c in tasks.credits(wang, period="2026-W47")] == [13, 1]


def test_periods():
    assert tasks.period_bounds("2026-02") == ("2026-02-01", "2026-02-28")
    assert tasks.period_bounds("2026-12") == ("2026-12-01", "2026-12-31")
    assert tasks.period_bounds("2026w47") == ("2026-11-16", "2026-11-22")
    assert tasks.period_bounds("2026") == ("2026-01-01", "2026-12-31")
    with pytest.raises(UserFacingError):
        tasks.period_bounds("2026-13")


def test_completing_needs_acceptance_and_the_right_person(station):
    t = tasks.publish_task(station.chief, title="走访", description="走访独居老人", at="2026-11-20T08:00")
    li = station("li")
    with pytest.raises(Conflict):
        tasks.complete_task(li, t.uuid, "做完了")
    tasks.accept_task(li, t.uuid, at="2026-11-20T09:00")
    assert tasks.accept_task(li, t.uuid).data["accepted_by"] == "li"  # accepting twice is harmless
    wang = station("wang")
    with pytest.raises(PermissionDenied):
        tasks.complete_task(wang, t.uuid, "替他做了")
    chief = station("chief")
    with pytest.raises(Conflict):
        tasks.cancel_task(chief, tasks.complete_task(chief, t.uuid, "电话报来：已完成").uuid)
    assert tasks.credits(chief)[0].login == "li"  # credited to whoever took it, not the chief


def test_cancelled_tasks_cannot_be_taken(station):
    t = tasks.publish_task(station.chief, title="撤销的任务", description="不用做了")
    tasks.cancel_task(station.chief, t.uuid)
    assert [v.status for v in tasks.list_tasks(station.chief)] == ["cancelled"]
    li = station("li")
    assert tasks.my_tasks(li) == []
    with pytest.raises(Conflict):
        tasks.accept_task(li, t.uuid)
    with pytest.raises(PermissionDenied):
        tasks.cancel_task(li, t.uuid)


def test_assignee_lists_are_forgiving():
    assert tasks.parse_assignees("li，wang、 zhao li") == ["li", "wang", "zhao"]
    assert tasks.parse_assignees(None) == [] and tasks.parse_assignees(["a", "a"]) == ["a"]
