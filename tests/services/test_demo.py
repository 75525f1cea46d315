"""The demo township: realistic, valid under its own forms, deterministic, cancellable."""

from __future__ import annotations

import re

import pytest

from fieldkit.domain.errors import Cancelled, Conflict
from fieldkit.domain.validators import check_id_number
from fieldkit.formspec import FieldType
from fieldkit.services import demo, records
from fieldkit.services import demo_data as D
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
    group = next(f for f in spec.fields if f.type is FieldType.REPEAT)
    tenants = rental.data[group.name]
    assert tenants
    ids = {t.get(sub.name) for t in tenants for sub in group.fields if sub.type is FieldType.ID_NUMBER}
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


# -- a township that reads true (issue 13 item 8) ------------------------------------------------

_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def _text_values(ws):
    """(module, field, value) of every filled text field, repeat rows included."""
    def walk(fields, data, module):
        for f in fields:
            v = data.get(f.name)
            if f.type is FieldType.REPEAT:
                for row in v or []:
                    yield from walk(f.fields, row, module)
            elif f.type in (FieldType.TEXT, FieldType.TEXTAREA) and v is not None:
                yield module, f, v
    for spec in ws.catalog:
        for rec in records.rows(ws, records.list_ids(ws, spec.id)):
            yield from walk(spec.fields, rec.data, spec.id)


def test_each_field_holds_a_value_of_its_kind(demo_ws):
    values = list(_text_values(demo_ws))
    by_label: dict[str, list[str]] = {}
    for _module, f, v in values:
        by_label.setdefault(f.label.zh, []).append(v)
    assert by_label["户号"] and all(re.fullmatch(r"\d{9}", v) for v in by_label["户号"])
    makes = {m for pool in D.MAKES.values() for m in pool}
    assert by_label["品牌型号"] and set(by_label["品牌型号"]) <= makes
    assert all(len(v) == 17 for v in by_label["车辆识别代号"])
    for label in ("村党支部书记", "村委会主任", "治保主任", "人民调解员", "网格员", "班主任", "调解人", "姓名", "曾用名"):
        assert by_label[label] and all(_NAME.match(v) for v in by_label[label]), label
    assert all(re.fullmatch(r"[一二三四五六]年级\d班", v) for v in by_label["班级"])
    # No phrase meant for a visit or a remark lands in a name, number, make or place field.
    phrases = {p for pool in D.PHRASES.values() for p in pool}
    narrative = re.compile(r"备注|情况|诉求|问题|经过|案情|说明|结果|描述|标题|部位")
    misplaced = {(m, f.name, v) for m, f, v in values if v in phrases and not narrative.search(f.label.zh)}
    assert not misplaced
    villages = records.rows(demo_ws, records.list_ids(demo_ws, "villages"))
    assert all(v.data["resident_population"] >= 100 for v in villages)  # a village, not a household
    # Remarks are jotted beside some records, not all.
    remarks = [v for m, f, v in values if m == "residents" and f.name == "remarks"]
    assert 0 < len(remarks) < 0.5 * records.counts(demo_ws)["residents"]


def test_few_residents_have_a_former_name(demo_ws):
    people = records.rows(demo_ws, records.list_ids(demo_ws, "residents"))
    former = [p for p in people if p.data.get("former_name")]
    assert 0 < len(former) < 0.2 * len(people)
    assert all(p.data["former_name"] != p.data["name"] for p in former)


def test_a_big_demo_does_not_grow_the_wal_and_the_store_is_back_in_wal_mode(tmp_path):
    # The laptop's disk: one 100,000-person transaction used to append 860 MB of WAL. The bulk
    # path keeps the WAL empty while the township is written (and still all-or-nothing, above).
    home = tmp_path / "s"
    ws, _ = wsvc.create(home, "chief", "correct horse battery")
    wal = home / "fieldkit.db-wal"
    sizes: list[int] = []
    demo.generate(ws, seed=3, people=1500, progress=lambda d, t: sizes.append(wal.stat().st_size if wal.exists() else 0))
    assert len(sizes) > 10 and max(sizes) < 256 * 1024
    assert (home / "fieldkit.db").stat().st_size > 4 * 2**20  # the records went somewhere: the database file
    assert not (home / "fieldkit.db-journal").exists()
    assert ws.store._db.one("PRAGMA main.journal_mode")[0] == "wal"  # acknowledged saves survive power loss again
    assert records.counts(ws)["residents"] >= 1500
    ws.lock()
