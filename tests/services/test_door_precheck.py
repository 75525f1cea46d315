"""The door's precheck: a bulk producer's form check is the door's own, taken once, never for other values."""

from __future__ import annotations

import datetime as dt
import random

from fieldkit.services import door
from fieldkit.services.demo_fill import Filler


def _vehicle(ws) -> dict:
    fill = Filler(random.Random(3), dt.date.today(), "陈所长")
    fill.village_codes.append("350102001001")
    fill.grids["350102001001"] = ["KD01-1"]
    spec = ws.catalog["vehicles"]
    for _ in range(20):
        values = fill.fill_fields(spec.fields, "vehicles", {"plate": "闽J12345", "owner": "6f1c0c9e-6a51-4d3e-9c1e-3b8f6c2a7d10", "owner_name": "张伟"})
        checked = door.precheck(ws, "vehicles", values)
        if not [i for i in checked.issues if i.severity == "error"]:
            return values
    raise AssertionError("no valid vehicle drawn")


def test_a_prechecked_create_stores_what_the_door_would_have(empty_ws):
    values = _vehicle(empty_ws)
    pre = door.precheck(empty_ws, "vehicles", values)
    plain = door.check(empty_ws, "vehicles", values)
    batch = door.submit(empty_ws, [door.Request("save", "vehicles", values, checked=pre)], source="demo")
    out = batch.outcomes[0]
    assert out.status == "created"
    assert out.record.data == plain._clean == pre.clean
    assert empty_ws.store.search.exact("plate", "闽J12345")  # indexed as any save


def test_an_answer_for_other_values_is_not_taken_and_the_rules_run(empty_ws):
    values = _vehicle(empty_ws)
    pre = door.precheck(empty_ws, "vehicles", values)
    bad = {**values, "plate": "这不是车牌"}
    out = door.submit(empty_ws, [door.Request("save", "vehicles", bad, checked=pre)], source="demo").outcomes[0]
    assert out.status == "refused"
    assert "plate" in [i.field for i in out.error.issues]
    assert not empty_ws.store.search.exact("plate", "闽J12345")


def test_an_answer_from_another_day_is_checked_again(empty_ws, monkeypatch):
    values = _vehicle(empty_ws)
    pre = door.precheck(empty_ws, "vehicles", values, today=dt.date.today() - dt.timedelta(days=1))
    forged = door.Checked(pre.fields, values, pre.today, {**pre.clean, "plate": "这不是车牌"}, [])
    out = door.submit(empty_ws, [door.Request("save", "vehicles", values, checked=forged)], source="demo").outcomes[0]
    assert out.status == "created" and out.record.data["plate"] == "闽J12345"  # the door's own answer
