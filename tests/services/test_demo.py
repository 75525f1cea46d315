"""The demo township: realistic, valid under its own forms, deterministic, cancellable."""

from __future__ import annotations

import pytest

from fieldkit.domain.errors import Cancelled, Conflict
from fieldkit.domain.validators import check_id_number
from fieldkit.services import demo, records
from fieldkit.services import workspace as wsvc


def test_demo_fills_the_modules_with_valid_people(demo_ws):
    counts = records.counts(demo_ws)
    assert counts["villages"] == 20
    assert counts["residents"] >= 300
    for module in ("addresses", "visits", "rentals", "vehicles", "migrants", "disputes"):
        assert counts[module] > 0, module
    people = records.rows(demo_ws, records.list_ids(demo_ws, "residents"))
    assert all(check_id_number(p.data["id_number"]).ok for p in people)
    assert len({p.data["id_number"] for p in people}) == len(people)  # the same person entered once
    codes = [a.data["code"] for a in records.rows(demo_ws, records.list_ids(demo_ws, "addresses"))]
    assert len(set(codes)) == len(codes)


def test_rentals_have_tenants_who_are_residents(demo_ws):
    rental = records.rows(demo_ws, records.list_ids(demo_ws, "rentals")[:1])[0]
    spec = demo_ws.catalog["rentals"]
    group = next(f for f in spec.fields if records.ftype(f) == "repeat")
    tenants = rental.data[group.name]
    assert tenants
    ids = {t.get(sub.name) for t in tenants for sub in group.fields if records.ftype(sub) == "id_number"}
    for id_number in ids - {None}:
        hits = demo_ws.store.search.exact("id", id_number, modules=["residents"])
        assert hits, f"tenant {id_number} is not a resident"


def test_same_seed_same_township(tmp_path):
    out = []
    for name in ("a", "b"):
        ws, _ = wsvc.create(tmp_path / name, "chief", "correct horse battery")
        demo.generate(ws, seed=3, people=60)
        out.append(sorted((r.uuid, r.data.get("name"), r.data.get("id_number"))
                          for r in records.rows(ws, records.list_ids(ws, "residents"))))
        ws.lock()
    assert out[0] == out[1]


def test_cancel_leaves_the_store_empty(tmp_path):
    ws, _ = wsvc.create(tmp_path / "s", "chief", "correct horse battery")
    calls = []
    with pytest.raises(Cancelled):
        demo.generate(ws, seed=1, people=400, progress=lambda d, t: calls.append(d), cancel=lambda: len(calls) > 2)
    assert records.counts(ws)["residents"] == 0
    demo.generate(ws, seed=1, people=40)  # and it can be generated afterwards
    with pytest.raises(Conflict):
        demo.generate(ws, seed=1, people=40)
    ws.lock()
