"""The escalation inbox on the platform: the events at my level, handle, escalate, feed back —
written as edits by the console user, with the forms' own workflow rules."""

from __future__ import annotations

from sync import merge as m

from .conftest import OTHER_VILLAGE, add_user, csrf_of, event, login


def _signed_in(client, storage, login_name="lin", role="township", **kw):
    add_user(storage, login_name, role=role, **kw)
    login(client, login_name)
    return csrf_of(client.get("/console/inbox").text)


def test_inbox_lists_my_levels_open_events_in_my_jurisdiction_only(client, storage):
    mine = event(storage)
    event(storage, title="县里的事", level="county")
    event(storage, village=OTHER_VILLAGE, title="别的乡")
    event(storage, title="已反馈的事", status="fed_back", resolved_at="2026-11-21T10:00", feedback="已处理")
    _signed_in(client, storage)
    page = client.get("/console/inbox").text
    assert f"/console/events/{mine}" in page and "后山裂缝" in page
    assert "县里的事" not in page and "别的乡" not in page and "已反馈的事" not in page


def test_handle_then_feed_back_writes_the_forms_steps_as_the_officer(client, storage):
    uuid = event(storage)
    csrf = _signed_in(client, storage)
    r = client.post(f"/console/events/{uuid}/handle", data={"csrf": csrf, "outcome": "handled",
                                                             "action": "已组织三户人家转移"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/console/events/{uuid}?done=1"
    state = storage.get_record(uuid)
    values = m.current_values(state)
    assert values["status"] == "resolved" and values["resolved_at"]
    last = values["escalation_steps"][-1]
    assert last["outcome"] == "handled" and last["to_level"] == "township" and last["handler"] == "林乡长"
    assert last["action"] == "已组织三户人家转移"
    assert {v.author for v in state.fields["status"]} == {"lin"}  # the laptop's history names the officer
    page = client.get(f"/console/events/{uuid}").text
    assert "已组织三户人家转移" in page and "反馈上报人" in page
    client.post(f"/console/events/{uuid}/feedback", data={"csrf": csrf, "feedback": "已转移，请勿靠近后山"})
    values = m.current_values(storage.get_record(uuid))
    assert values["status"] == "fed_back" and values["feedback"] == "已转移，请勿靠近后山"


def test_escalating_to_the_county_moves_it_to_the_county_inbox(client, storage):
    uuid = event(storage)
    csrf = _signed_in(client, storage)
    client.post(f"/console/events/{uuid}/escalate", data={"csrf": csrf, "to_level": "county",
                                                           "action": "需县自然资源局勘查"})
    values = m.current_values(storage.get_record(uuid))
    assert values["level"] == "county" and values["escalation_steps"][-1]["outcome"] == "escalated"
    assert f"/console/events/{uuid}" not in client.get("/console/inbox").text
    client.cookies.clear()
    add_user(storage, "wang", role="county", name="王局长", scope=("*",))
    login(client, "wang")
    assert f"/console/events/{uuid}" in client.get("/console/inbox").text


def test_the_forms_rules_refuse_with_their_own_words(client, storage):
    uuid = event(storage)
    csrf = _signed_in(client, storage)
    down = client.post(f"/console/events/{uuid}/escalate", data={"csrf": csrf, "to_level": "village", "action": "退回"})
    assert down.status_code == 422 and "只能向上级移交" in down.text
    no_reason = client.post(f"/console/events/{uuid}/escalate", data={"csrf": csrf, "to_level": "county"})
    assert no_reason.status_code == 422 and "上报理由与已做处置" in no_reason.text
    client.post(f"/console/events/{uuid}/handle", data={"csrf": csrf, "outcome": "handled", "action": "已处置"})
    late = client.post(f"/console/events/{uuid}/escalate", data={"csrf": csrf, "to_level": "county", "action": "再报"})
    assert late.status_code == 409 and "事件已办结，不能再上报" in late.text
    assert m.current_values(storage.get_record(uuid))["level"] == "township"


def test_another_levels_or_jurisdictions_event_is_not_mine_to_act_on(client, storage):
    county = event(storage, level="county")
    elsewhere = event(storage, village=OTHER_VILLAGE)
    csrf = _signed_in(client, storage)
    r = client.post(f"/console/events/{county}/handle", data={"csrf": csrf, "outcome": "handled", "action": "x"})
    assert r.status_code == 409 and "不在您这一级" in r.text
    assert client.get(f"/console/events/{elsewhere}").status_code == 404
    r = client.post(f"/console/events/{elsewhere}/handle", data={"csrf": csrf, "outcome": "handled", "action": "x"})
    assert r.status_code == 404 and m.current_values(storage.get_record(elsewhere))["status"] == "handling"


def test_an_htmx_refusal_is_shown_in_the_message_area(client, storage):
    uuid = event(storage)
    csrf = _signed_in(client, storage)
    r = client.post(f"/console/events/{uuid}/escalate", data={"to_level": "village", "action": "退回"},
                    headers={"HX-Request": "true", "X-CSRF-Token": csrf})
    assert r.headers["HX-Retarget"] == "#flash" and "只能向上级移交" in r.text and "<html" not in r.text
