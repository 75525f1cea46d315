"""Key persons' follow-ups: the schedule by category and risk, what counts as overdue on a
fixed day, and recording a follow-up moving the next date on."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldkit.domain.errors import ValidationFailed
from fieldkit.services import records as rsvc
from fieldkit.services.station import followups

VILLAGE = "350924201201"
TODAY = dt.date(2026, 11, 20)


def _setup(ws) -> str:
    rsvc.save(ws, "villages", {"code": VILLAGE, "name": "坑底村", "township": "坑底乡", "kind": "village"})
    person = rsvc.save(ws, "residents", {
        "name": "张伟", "id_number": "350924199003071236", "sex": "男", "birth_date": "1990-03-07",
        "ethnicity": "01", "village": VILLAGE, "status": "present", "resident_type": "registered"})
    return person.uuid


def _key_person(ws, person: str, **over) -> str:
    values = {"person": person, "category": "released_prisoner", "risk_level": "low", "interval_days": 90,
              "listed_date": "2026-09-01", "village": VILLAGE, "status": "listed", "officer": "陈所长"}
    values.update(over)
    return rsvc.save(ws, "key_persons", values).uuid


def test_schedule_is_by_category_and_risk_and_the_record_can_only_be_stricter():
    assert followups.schedule_interval("community_correction", "high") == 7
    assert followups.schedule_interval("released_prisoner", "low") == 90
    assert followups.schedule_interval(None, None) == followups.schedule_interval("other", "low")
    assert followups.effective_interval({"category": "drug_user", "risk_level": "medium", "interval_days": 60}) == 15
    assert followups.effective_interval({"category": "drug_user", "risk_level": "medium", "interval_days": 3}) == 3


def test_overdue_on_a_fixed_day(empty_ws):
    person = _setup(empty_ws)
    # A high-risk drug user listed 2026-09-01 is due 7 days later: 73 days overdue on 2026-11-20.
    late = _key_person(empty_ws, person, category="drug_user", risk_level="high")
    # Low risk released prisoner: 90 days → due 2026-11-30, not yet overdue.
    fine = _key_person(empty_ws, person)
    # The officer planned an earlier visit: the plan wins when it is sooner.
    planned = _key_person(empty_ws, person, next_follow_up="2026-11-10")
    # Lifted from the list: never overdue.
    _key_person(empty_ws, person, risk_level="high", status="lifted")

    report = followups.followup_report(empty_ws, TODAY)
    assert len(report.items) == 3
    overdue = followups.overdue_followups(empty_ws, TODAY)
    assert [i.uuid for i in overdue] == [late, planned]
    assert overdue[0].days_overdue == (TODAY - dt.date(2026, 9, 8)).days == 73
    assert overdue[0].due == "2026-09-08" and overdue[0].village == "坑底村"
    assert overdue[0].category == "吸毒人员" and overdue[0].title.startswith("张伟")
    assert overdue[1].days_overdue == 10
    assert [i.uuid for i in report.due_within(10)] == [fine]
    assert report.overdue_by_village() == {"坑底村": 2}
    # Due on the 8th is not overdue on the 8th, only from the 9th.
    assert followups.overdue_followups(empty_ws, "2026-09-08") == []
    assert [i.uuid for i in followups.overdue_followups(empty_ws, "2026-09-09")] == [late]


def test_recording_a_follow_up_moves_the_next_date_and_clears_overdue(empty_ws):
    person = _setup(empty_ws)
    uuid = _key_person(empty_ws, person, category="mental_illness", risk_level="medium",
                       guardian_phone="13905931234", interval_days=30)
    assert [i.uuid for i in followups.overdue_followups(empty_ws, TODAY)] == [uuid]

    rec = followups.record_followup(empty_ws, uuid, date="2026-11-18", method="visit", condition="stable", by="陈所长")
    assert rec.data["next_follow_up"] == "2026-12-02"  # 14 days: the schedule for medium-risk mental illness
    assert len(rec.data["follow_ups"]) == 1 and rec.data["follow_ups"][0]["by"] == "陈所长"
    assert followups.overdue_followups(empty_ws, TODAY) == []
    assert followups.followup_report(empty_ws, TODAY).items[0].last == "2026-11-18"

    # Trouble found: the next follow-up comes within 3 days, and the note is required.
    with pytest.raises(ValidationFailed):
        followups.record_followup(empty_ws, uuid, date="2026-11-19", method="phone", condition="abnormal")
    rec = followups.record_followup(empty_ws, uuid, date="2026-11-19", method="phone", condition="abnormal",
                                    notes="拒绝服药，已联系监护人")
    assert rec.data["next_follow_up"] == "2026-11-22"
    # The change is in the record's history (and therefore in the sync outbox).
    assert any(c.field == "next_follow_up" for c in rsvc.history(empty_ws, uuid))


def test_a_follow_up_in_the_future_is_refused(empty_ws):
    person = _setup(empty_ws)
    uuid = _key_person(empty_ws, person)
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    with pytest.raises(ValidationFailed):
        followups.record_followup(empty_ws, uuid, date=future, method="visit", condition="stable")
