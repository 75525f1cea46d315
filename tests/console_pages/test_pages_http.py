"""The console pages over HTTP (TestClient): role checks, CSRF, audit rows, refusals naming the field."""

from __future__ import annotations

import sqlalchemy as sa

from sync.server.console import tasks, watchlist
from sync.server.tables import console_audit
from tests.sync.console.conftest import VILLAGE, add_user, csrf_of, login

GOOD = "35052519800101123X"


def _audit(storage) -> list[tuple[str, str]]:
    with storage.engine.connect() as c:
        return [(r.action, r.outcome) for r in c.execute(sa.select(console_audit).order_by(console_audit.c.id))]


def _task_form(page: str, **over: str) -> dict[str, str]:
    return {"csrf": csrf_of(page), "title": "核查出租房", "kind": "verify_tenant", "description": "核对承租人身份",
            "urgency": "normal", "scope": VILLAGE, "points": "3", **over}


def test_an_officer_publishes_a_task_and_a_bad_one_is_refused_naming_the_field(client, storage):
    add_user(storage, "lin")
    assert login(client, "lin").status_code == 303
    page = client.get("/console/tasks").text
    assert "发布任务" in page and "核查承租人" in page  # the kind list comes from the tasks form
    bad = client.post("/console/tasks", data=_task_form(page, points="500"), follow_redirects=False)
    assert bad.status_code == 422 and "积分应在0到100之间" in bad.text
    assert client.post("/console/tasks", data={**_task_form(page), "csrf": "forged"}).status_code == 403
    ok = client.post("/console/tasks", data=_task_form(page), follow_redirects=False)
    assert ok.status_code == 303
    [row] = tasks.list_tasks(storage, [VILLAGE])
    assert (row.title, row.village, row.publisher, row.points) == ("核查出租房", VILLAGE, "林乡长", 3)
    assert "核查出租房" in client.get("/console/tasks?lang=en").text
    assert [a for a in _audit(storage) if a[0] == "task.publish"] == [("task.publish", "refused:points"),
                                                                      ("task.publish", "ok")]


def test_the_watch_list_page_adds_imports_and_retires_with_the_id_number_masked(client, storage):
    add_user(storage, "lin")
    login(client, "lin")
    page = client.get("/console/watchlist").text
    r = client.post("/console/watchlist", data={"csrf": csrf_of(page), "scope": VILLAGE, "id_number": GOOD,
                                                "reason": "网上在逃"}, follow_redirects=False)
    assert r.status_code == 303
    listed = client.get("/console/watchlist").text
    assert "3505**********123X" in listed and GOOD not in listed
    csv_bad = f"id_number,reason\n{GOOD[:-1]}1,在逃\n".encode()
    report = client.post("/console/watchlist/import", data={"csrf": csrf_of(page), "scope": VILLAGE},
                         files={"file": ("list.csv", csv_bad, "text/csv")})
    assert report.status_code == 422 and "第2行" in report.text and "未导入任何条目" in report.text
    [e] = watchlist.entries(storage, "watchlist", [VILLAGE])
    assert client.post(f"/console/watchlist/{e.uuid}/retire", data={"csrf": csrf_of(page), "reason": ""}).status_code == 422
    r = client.post(f"/console/watchlist/{e.uuid}/retire", data={"csrf": csrf_of(page), "reason": "已抓获"},
                    follow_redirects=False)
    assert r.status_code == 303 and watchlist.entries(storage, "watchlist", [VILLAGE]) == []
    assert ("watchlist.retire", "ok") in _audit(storage) and ("watchlist.import", "refused:1 lines") in _audit(storage)
    assert all("已抓获" not in o and GOOD not in o for _, o in _audit(storage))


def test_devices_are_for_admins_who_enroll_see_the_qr_and_revoke_after_confirming(client, storage):
    add_user(storage, "lin")
    add_user(storage, "root", role="admin", scope=("*",), name="管理员")
    login(client, "lin")
    assert client.get("/console/devices").status_code == 403
    assert "/console/devices" not in client.get("/console/tasks").text  # no nav entry for officers
    client.cookies.clear()
    login(client, "root")
    page = client.get("/console/devices").text
    enrolled = client.post("/console/devices/enroll", data={"csrf": csrf_of(page), "name": "东门村警务室笔记本",
                                                            "scope": VILLAGE, "ttl_hours": "24"})
    assert enrolled.status_code == 200 and "<svg" in enrolled.text and 'id="enroll-code"' in enrolled.text
    listed = client.get("/console/devices").text
    assert "东门村警务室笔记本" in listed and "待登记" in listed
    [did] = [d["id"] for d in storage.list_devices()]
    confirm = client.get(f"/console/devices/{did}/revoke").text
    assert "东门村警务室笔记本" in confirm
    assert client.post(f"/console/devices/{did}/revoke", data={"csrf": csrf_of(confirm)},
                       follow_redirects=False).status_code == 303
    assert storage.list_devices()[0]["revoked"]
    assert ("device.revoke", "ok") in _audit(storage)


def test_figures_page_draws_charts_and_refuses_a_bad_period(client, storage):
    add_user(storage, "lin")
    login(client, "lin")
    tasks.publish_task(storage, {"title": "走访", "kind": "visit", "description": "入户", "points": 1}, VILLAGE)
    page = client.get("/console/figures?module=tasks").text
    assert page.count("<svg") == 4 and "任务包" in page and "走访" in page
    bad = client.get("/console/figures?date_from=2026-13-01")
    assert bad.status_code == 422 and "日期" in bad.text
