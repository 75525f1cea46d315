"""An event goes up grid → village → township → county, each step recorded, never backwards,
and the outcome is fed back to the reporter — all as ordinary record saves the sync sees."""

from __future__ import annotations

import pytest

from fieldkit.domain.errors import Conflict, UserFacingError, ValidationFailed
from fieldkit.services import records as rsvc
from fieldkit.services.station import escalation

VILLAGE = "350924201201"


def _event(ws, **over) -> str:
    rsvc.save(ws, "villages", {"code": VILLAGE, "name": "坑底村", "township": "坑底乡", "kind": "village"})
    values = {"found_at": "2026-11-20T09:30", "category": "geological", "title": "后山裂缝",
              "description": "村后山体出现裂缝，下方有三户人家", "urgency": "urgent", "village": VILLAGE,
              "level": "grid", "reporter": "李网格"}
    values.update(over)
    return rsvc.save(ws, "events", values).uuid


def test_full_ladder_with_outcome_and_feedback(empty_ws):
    uuid = _event(empty_ws)
    outbox_before = empty_ws.store.outbox.count()
    escalation.escalate(empty_ws, uuid, "village", "网格员无法处置，报村警务室", "李网格", at="2026-11-20T10:00")
    escalation.escalate(empty_ws, uuid, "township", "需国土所勘查，报派出所", "王警官", at="2026-11-20T11:00")
    rec = escalation.escalate(empty_ws, uuid, "county", "报县自然资源局", at="2026-11-20T14:00")
    assert rec.data["level"] == "county" and rec.data["status"] == "handling"
    rec = escalation.record_outcome(empty_ws, uuid, "handled", "三户人家已转移，裂缝已设警示", "县自然资源局",
                                    at="2026-11-21T09:00")
    assert rec.data["status"] == "resolved" and rec.data["resolved_at"] == "2026-11-21T09:00"
    rec = escalation.feed_back(empty_ws, uuid, "已电话告知李网格处置结果")
    assert rec.data["status"] == "fed_back" and rec.data["feedback"].startswith("已电话")

    steps = rec.data["escalation_steps"]
    assert [s["to_level"] for s in steps] == ["village", "township", "county", "county", "county"]
    assert [s["outcome"] for s in steps] == ["escalated", "escalated", "escalated", "handled", "fed_back"]
    assert steps[-1]["action"].startswith("已电话")  # the feedback is the last step of the timeline
    assert steps[1]["handler"] == "王警官" and steps[2]["handler"] == "陈所长"  # default: who is signed in
    line = escalation.timeline(empty_ws, uuid)
    assert line[0]["level"] == "村（社区）警务室" and line[-1]["outcome"] == "已反馈上报人"
    # Each step was a saved change: history has it and the sync outbox carries it.
    assert sum(1 for c in rsvc.history(empty_ws, uuid) if c.field == "escalation_steps") == 5
    assert empty_ws.store.outbox.count() >= outbox_before + 5  # 3 escalations, outcome, feedback


def test_no_moving_backwards_sideways_or_skipping(empty_ws):
    uuid = _event(empty_ws)
    with pytest.raises(ValidationFailed) as e:
        escalation.escalate(empty_ws, uuid, "grid", "原地")
    assert "只能向上级移交" in e.value.message and e.value.field == "to_level"
    with pytest.raises(ValidationFailed) as e:
        escalation.escalate(empty_ws, uuid, "township", "越级")
    assert "不能越级" in e.value.message and "当前在“网格”" in e.value.message
    escalation.escalate(empty_ws, uuid, "village", "报村")
    with pytest.raises(ValidationFailed):
        escalation.escalate(empty_ws, uuid, "grid", "退回网格")
    with pytest.raises(ValidationFailed) as e:
        escalation.escalate(empty_ws, uuid, "province", "报省")
    assert e.value.field == "to_level"
    assert rsvc.get(empty_ws, uuid).data["level"] == "village"


def test_a_critical_event_may_skip_a_level(empty_ws):
    uuid = _event(empty_ws, urgency="critical", category="missing_person", title="三岁儿童走失")
    rec = escalation.escalate(empty_ws, uuid, "township", "特急：直接报派出所")
    assert rec.data["level"] == "township"


def test_resolved_events_are_closed_and_feedback_needs_a_resolution(empty_ws):
    uuid = _event(empty_ws)
    with pytest.raises(Conflict) as e:
        escalation.feed_back(empty_ws, uuid, "还没办完")
    assert "办结后才能反馈" in e.value.message
    escalation.record_outcome(empty_ws, uuid, "pending", "已设警示牌，等待勘查")
    assert rsvc.get(empty_ws, uuid).data["status"] == "handling"
    escalation.record_outcome(empty_ws, uuid, "handled", "勘查无危险")
    with pytest.raises(Conflict) as e:
        escalation.escalate(empty_ws, uuid, "village", "再报")
    assert "已办结" in e.value.message
    with pytest.raises(UserFacingError):
        escalation.record_outcome(empty_ws, uuid, "done", "?")


def test_the_form_rules_still_apply_to_a_step(empty_ws):
    uuid = _event(empty_ws)
    with pytest.raises(ValidationFailed):
        escalation.escalate(empty_ws, uuid, "village", "报村", at="2026-11-19T08:00")  # before it was found
    assert rsvc.get(empty_ws, uuid).data.get("escalation_steps") in (None, [])
