"""Search as an officer types: ID number, plate, phone, doorplate code, names, pinyin."""

from __future__ import annotations

import shutil
from pathlib import Path

from pypinyin import Style, lazy_pinyin

from fieldkit.domain.validators import id_check_digit
from fieldkit.formspec import FieldType, index_terms
from fieldkit.services import records, search
from fieldkit.services import workspace as wsvc


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
    car, plate = _car(demo_ws)
    assert car.uuid in [h.record.uuid for h in search.search(demo_ws, plate.lower())]
    addr = records.rows(demo_ws, records.list_ids(demo_ws, "addresses")[:1])[0]
    assert addr.uuid in [h.record.uuid for h in search.search(demo_ws, addr.data["code"])]


def test_nothing_found_for_unknown_text(demo_ws):
    assert search.search(demo_ws, "不存在的人名字") == []


# -- search that forgives (issue 13 item 4) ------------------------------------------------------

def _car(ws):
    plate_field = next(f.name for f in ws.catalog["vehicles"].fields if f.type is FieldType.PLATE)
    car = next(c for c in records.rows(ws, records.list_ids(ws, "vehicles")) if c.data.get(plate_field))
    return car, car.data[plate_field]


def test_a_plate_is_found_without_its_province_character_and_in_any_case(demo_ws):
    car, plate = _car(demo_ws)
    assert plate[0] == "闽"
    for typed in (plate[1:], plate[1:].lower(), plate[0] + plate[1:].lower(), plate[1:5].lower()):
        hits = search.search(demo_ws, typed, limit=500)
        assert car.uuid in [h.record.uuid for h in hits], typed
    [hit] = [h for h in search.search(demo_ws, plate[1:]) if h.record.uuid == car.uuid]
    assert hit.matched == "plate_tail" and hit.field is not None and hit.field.type.value == "plate"


def _two_villages(ws):
    for code, name in (("350924201201", "坑底村"), ("350924201202", "小东村")):
        records.save(ws, "villages", {"code": code, "name": name, "township": "坑底乡", "kind": "village"})
    return "350924201201", "350924201202"


def _resident(ws, village, id_number, name="张伟", **over):
    values = {"name": name, "id_number": id_number, "sex": "男", "birth_date": f"{id_number[6:10]}-"
              f"{id_number[10:12]}-{id_number[12:14]}", "ethnicity": "01", "village": village,
              "status": "present", "resident_type": "registered", **over}
    return records.save(ws, "residents", values)


def _ids_with_one_tail() -> tuple[str, str]:
    """Two valid ID numbers with the same last 4 characters but different 5th-last ones."""
    a17 = "35092419900307123"
    first = a17 + id_check_digit(a17)
    for day in range(10, 29):  # same sequence number, another birth day, until the check digits agree
        b17 = f"350924198501{day}" + a17[-3:]
        other = b17 + id_check_digit(b17)
        if other[-4:] == first[-4:] and other[-5] != first[-5]:
            return first, other
    raise AssertionError("no pair")


def test_an_id_number_is_found_by_its_tail_within_a_village_and_not_across_villages(empty_ws):
    ws = empty_ws
    here, there = _two_villages(ws)
    mine_id, other_id = _ids_with_one_tail()
    mine = _resident(ws, here, mine_id)
    other = _resident(ws, there, other_id, name="李强")  # the same sequence digit: a man too
    found = [h.record.uuid for h in search.search(ws, mine_id[-4:], village=here)]
    assert found == [mine.uuid]
    assert [h.record.uuid for h in search.search(ws, other_id[-4:], village=there)] == [other.uuid]
    assert [h.record.uuid for h in search.search(ws, mine_id[-5:], village=here)] == [mine.uuid]
    hit = search.search(ws, mine_id[-4:].lower(), village=here)[0]
    assert hit.matched == "id_tail" and hit.field is not None and hit.field.name == "id_number"
    # No village to limit it to: 4 or 5 digits are too ambiguous across a county; 6 are enough.
    assert search.search(ws, mine_id[-4:]) == [] and search.tail_needs_village(ws, mine_id[-4:])
    assert not search.tail_needs_village(ws, mine_id[-4:], here) and not search.tail_needs_village(ws, mine_id[-6:])
    assert search.search(ws, mine_id[-5:]) == []
    assert [h.record.uuid for h in search.search(ws, mine_id[-6:])] == [mine.uuid]


def test_the_laptops_own_village_limits_a_short_id_tail(empty_ws):
    ws = empty_ws
    here, there = _two_villages(ws)
    mine_id, other_id = _ids_with_one_tail()
    mine = _resident(ws, here, mine_id)
    _resident(ws, there, other_id, name="李强")  # the same sequence digit: a man too
    ws.store.settings.set("sync.scope", [f"{here}/G01", here])  # enrolled for one village
    assert search.home_village(ws) == here
    assert [h.record.uuid for h in search.search(ws, mine_id[-4:])] == [mine.uuid]
    ws.store.settings.set("sync.scope", [here, there])
    assert search.home_village(ws) is None and search.search(ws, mine_id[-4:]) == []


def test_a_hit_on_the_former_name_is_labelled_with_that_field(empty_ws):
    ws = empty_ws
    here, _ = _two_villages(ws)
    id17 = "35092419900307123"
    person = _resident(ws, here, id17 + id_check_digit(id17), name="王大明", former_name="王小明")
    for typed in ("王小明", "小明", "wxm"):
        [hit] = search.search(ws, typed, modules=["residents"])
        assert hit.record.uuid == person.uuid and hit.alias, typed
        assert hit.alias_label() == "曾用名：王小明" and hit.alias_label("en") == "Former name: 王小明"
    for typed in ("王大明", "大明", "wdm"):
        [hit] = search.search(ws, typed, modules=["residents"])
        assert not hit.alias and hit.field is not None and hit.field.name == "name", typed
    # A piece both names share is the person's own name first.
    [hit] = search.search(ws, "王", modules=["residents"])
    assert not hit.alias


OLD_STORE = Path(__file__).parents[1] / "store" / "data" / "store-before-restricted"


def test_an_old_store_finds_plates_without_province_and_id_tails_after_the_upgrade(tmp_path):
    # Written by FieldKit 7e8995a, before tail terms existed: migration 0009 adds them in SQL.
    home = tmp_path / "old"
    shutil.copytree(OLD_STORE, home)
    ws = wsvc.unlock(home, "chief", "correct horse 1")
    try:
        car, plate = _car(ws)
        assert car.uuid in [h.record.uuid for h in search.search(ws, plate[1:].lower())]
        person = _residents(ws, 1)[0]
        hits = search.search(ws, person.data["id_number"][-4:], village=person.data["village"])
        assert person.uuid in [h.record.uuid for h in hits]
        # The SQL backfill and formspec agree on every record: an edit later replaces them cleanly.
        for module in ws.catalog:
            for rec in records.rows(ws, records.list_ids(ws, module.id)):
                want = {t for t in index_terms(module, rec.data).terms if t[0] in ("id_tail", "plate_tail")}
                got = {(h.kind, h.key) for kind, key in want for h in ws.store.search.exact(kind, key, [module.id], 500)
                       if h.uuid == rec.uuid}
                assert got == want, (module.id, rec.uuid)
        records.save(ws, "vehicles", {**car.data, "remarks": "改过"}, uuid=car.uuid)
        assert car.uuid in [h.record.uuid for h in search.search(ws, plate[1:])]
    finally:
        ws.lock()


def test_a_restricted_record_and_an_ordinary_one_are_both_found_and_shown(empty_ws):
    # Hits are fetched by row id (no uuid-index probe per hit); the restricted database's row
    # ids start at its own base, so the fetch must reach the right database for each hit.
    from fieldkit.store.partition import BASE

    ws = empty_ws
    here, _ = _two_villages(ws)
    id17 = "35092419900307123"
    number = id17 + id_check_digit(id17)
    ordinary = _resident(ws, here, number, name="李重点")
    # Indexed as the resident is (an application's own form indexes its receipt number and
    # applicant reference): the same name and number must find one record in each database.
    secret = ws.store.records.create("id_applications", {"name": "李重点", "id_number": number},
                                     terms=index_terms(ws.catalog["residents"], ordinary.data))
    assert secret.id >= BASE > ordinary.id  # the two live in different databases
    for typed in ("李重点", "重点", number):
        hits = search.search(ws, typed, modules=["residents", "id_applications"])
        assert sorted((h.record.uuid, h.module, h.record.data["name"]) for h in hits) == sorted(
            [(ordinary.uuid, "residents", "李重点"), (secret.uuid, "id_applications", "李重点")]), typed
