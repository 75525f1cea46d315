"""Search as an officer types: ID number, plate, phone, doorplate code, names, pinyin."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

from fieldkit.services import records, search


def _residents(ws, n=300):
    return records.rows(ws, records.list_ids(ws, "residents")[:n])


def test_finds_by_id_number_exactly(demo_ws):
    p = _residents(demo_ws)[10]
    hits = search.search(demo_ws, p.data["id_number"])
    assert hits[0].record.uuid == p.uuid and hits[0].matched == "id"


def test_finds_by_lowercase_x_and_spaces(demo_ws):
    p = next((r for r in _residents(demo_ws) if r.data["id_number"].endswith("X")), None)
    if p is None:
        return  # no X-ending number in this small township; covered by validator tests
    spaced = " ".join([p.data["id_number"][:6], p.data["id_number"][6:14], p.data["id_number"][14:].lower()])
    assert p.uuid in [h.record.uuid for h in search.search(demo_ws, spaced)]


def test_two_character_name_is_found(demo_ws):
    two = next(r for r in _residents(demo_ws) if len(r.data["name"]) == 2)
    hits = search.search(demo_ws, two.data["name"], modules=["residents"])
    assert two.uuid in [h.record.uuid for h in hits]
    assert all(two.data["name"] in h.record.data["name"] or two.data["name"] in h.record.data.get("former_name", "")
               for h in hits)


def test_three_character_name_and_middle_of_name(demo_ws):
    three = next(r for r in _residents(demo_ws) if len(r.data["name"]) == 3)
    assert three.uuid in [h.record.uuid for h in search.search(demo_ws, three.data["name"])]
    tail = three.data["name"][1:]
    assert three.uuid in [h.record.uuid for h in search.search(demo_ws, tail, limit=500)]


def test_pinyin_initials_find_the_person(demo_ws):
    p = _residents(demo_ws)[3]
    initials = "".join(lazy_pinyin(p.data["name"], style=Style.FIRST_LETTER))
    hits = search.search(demo_ws, initials, modules=["residents"], limit=500)
    assert p.uuid in [h.record.uuid for h in hits]


def test_phone_and_plate_and_doorplate_code(demo_ws):
    p = next(r for r in _residents(demo_ws) if r.data.get("phone"))
    assert p.uuid in [h.record.uuid for h in search.search(demo_ws, p.data["phone"])]
    car = records.rows(demo_ws, records.list_ids(demo_ws, "vehicles")[:1])[0]
    plate_field = next(f.name for f in demo_ws.catalog["vehicles"].fields if records.ftype(f) == "plate")
    assert car.uuid in [h.record.uuid for h in search.search(demo_ws, car.data[plate_field].lower())]
    addr = records.rows(demo_ws, records.list_ids(demo_ws, "addresses")[:1])[0]
    assert addr.uuid in [h.record.uuid for h in search.search(demo_ws, addr.data["code"])]


def test_nothing_found_for_unknown_text(demo_ws):
    assert search.search(demo_ws, "不存在的人名字") == []
