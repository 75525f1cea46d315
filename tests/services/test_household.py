"""The household card and the one-pass submit, on a copy of the demo township."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from fieldkit.domain.doorplate_code import generate_station_key, sign_doorplate
from fieldkit.domain.errors import Conflict
from fieldkit.services import door, station_keys, watchlist
from fieldkit.services import household as hh
from fieldkit.services import household_pass as hp
from fieldkit.services import records as rec
from fieldkit.services import workspace as wsvc
from fieldkit.services.demo_data import TOWNSHIP_CODE
from tests.services.conftest import PASS

TODAY = dt.date.today().isoformat()
NEW_ID = "110101199003071233"  # valid, Beijing, 1990-03-07, male
BAD_ID = "110101199003071235"  # check digit wrong
TENANT_ID = "430102199512120022"  # valid, Changsha, female


@pytest.fixture(scope="module")
def station():
    return generate_station_key("KD01")


@pytest.fixture()
def ws(demo_home, tmp_path, station):
    """A private copy of the demo township: these tests write, the shared store must not change."""
    home = tmp_path / "copy"
    shutil.copytree(demo_home, home)
    w = wsvc.unlock(home, "chief", PASS)
    station_keys.add_trusted_key(w, station.public().to_string(), ground=[TOWNSHIP_CODE])
    yield w
    w.lock()


def rented_address(ws):
    """A rented house with a present household head and at least two tenants."""
    for rental in ws.store.records.rows(ws.store.records.ids("rentals")):
        c = hh.card(ws, rental.data["address"])
        if c.head is not None and len(c.tenants) >= 2:
            return c
    pytest.fail("the demo township has no rented house with a head and two tenants")


def plain_address(ws):
    """A house that is not let, with a present head."""
    for rid in ws.store.records.ids("addresses"):
        a = ws.store.records.rows([rid])[0]
        c = hh.card(ws, a.uuid)
        if c.rental is None and c.head is not None:
            return c
    pytest.fail("no unrented house")


def count(ws, module):
    return ws.store.records.count(module)


# -- the card ---------------------------------------------------------------------------------
def test_scanning_a_signed_plate_opens_the_household(ws, station):
    c0 = rented_address(ws)
    card = hh.open_by_payload(ws, sign_doorplate(c0.code, station))
    assert isinstance(card, hh.HouseholdCard)
    assert card.verified and card.title == c0.address.data["full_text"]
    assert card.head is not None and card.head.is_head and card.residents[0] == card.head
    assert card.rental_status == "在租"
    names = {p.name for p in card.residents}
    assert all(t.name in names for t in card.tenants)  # tenants are residents, entered once
    assert all(p.tenant for p in card.residents if p.uuid in {t.person for t in card.tenants})
    assert all(len(t.id_number) == 18 for t in card.tenants)


def test_card_shows_vehicles_flags_open_matters_visits_and_watch_hits(ws):
    c0 = rented_address(ws)
    addr, head = c0.address, c0.head
    village = addr.data["village"]
    rec.save(ws, "vehicles", {"plate_type": "02", "plate": "闽J12345", "vehicle_type": "car", "owner": head.uuid,
                              "village": village})
    rec.save(ws, "key_persons", {"person": head.uuid, "category": "released_prisoner", "risk_level": "high",
                                 "interval_days": 7, "listed_date": "2026-01-05", "village": village,
                                 "officer": "陈所长"})
    base = {"category": "fire_hazard", "description": "电动车楼道充电", "village": village, "reporter": "陈所长",
            "address": addr.uuid, "found_at": "2026-11-01T09:00"}
    rec.save(ws, "events", {**base, "title": "楼道充电"})
    done = rec.save(ws, "events", {**base, "title": "已处理的隐患"})
    door.step(ws, done.uuid, "resolve", action="已清理", at="2026-11-02T10:00")
    rec.save(ws, "disputes", {"kind": "neighbour", "summary": "滴水纠纷", "village": village, "officer": "陈所长",
                              "address": addr.uuid, "reported_date": "2026-10-01"})
    for day in ("2026-03-01", "2026-09-09", "2025-12-31"):
        rec.save(ws, "visits", {"visit_date": day, "address": addr.uuid, "village": village, "officer": "陈所长"})
    tenant = c0.tenants[0]
    watchlist.add(ws, tenant.id_number, "网上追逃")

    card = hh.card(ws, addr.uuid)
    assert any("闽J12345" in v.text and head.name in v.text for v in card.vehicles)
    assert next(p for p in card.residents if p.uuid == head.uuid).key_person == "刑满释放人员·风险高（红）"
    assert [e.text.split(" ", 1)[1] for e in card.events] == ["楼道充电"]  # the resolved one is not open
    assert len(card.disputes) == 1
    dates = [v.date for v in card.visits]  # the demo may have visited this house too
    assert dates == sorted(dates, reverse=True) and "2026-09-09" in dates
    assert [d for d in dates if d in ("2026-03-01", "2026-09-09", "2025-12-31")][:1] == ["2026-09-09"]

    # The same card in English: choice values by their English labels, English punctuation.
    en = hh.card(ws, addr.uuid, lang="en")
    person = next(p for p in en.residents if p.uuid == head.uuid)
    assert person.sex in ("Male", "Female") and person.relation in ("", "Head of household")
    assert person.key_person == "Released prisoner · risk High (red)"
    assert any(v.text.startswith("闽J12345 ") and v.text.endswith(f" ({head.name})") for v in en.vehicles)
    assert not any(ch in v.text for v in en.vehicles for ch in "（）：")
    assert en.visits[0].text.startswith("2026-09-09 ") and "入户" not in en.visits[0].text
    assert [(w.name, w.reason) for w in card.watch] == [(tenant.name, "网上追逃")]


def test_forged_altered_and_foreign_payloads_never_open_a_card(ws, station):
    c0 = rented_address(ws)
    good = sign_doorplate(c0.code, station)
    forged = sign_doorplate(c0.code, generate_station_key("KD01"))  # same station id, another key
    out = hh.open_by_payload(ws, forged)
    assert isinstance(out, hh.NotADoorplate) and out.forged
    assert "伪造" in out.payload.message
    other = hh.open_by_payload(ws, good.replace(c0.code, c0.code[:-1] + str((int(c0.code[-1]) + 1) % 10)))
    assert isinstance(other, hh.NotADoorplate) and other.forged
    wechat = hh.open_by_payload(ws, "https://weixin.qq.com/r/abcdef")
    assert isinstance(wechat, hh.NotADoorplate) and not wechat.forged and "微信" in wechat.payload.message
    # A plate from a station this laptop does not know still opens, marked as unverified.
    stranger = hh.open_by_payload(ws, sign_doorplate(c0.code, generate_station_key("ZZ9")))
    assert isinstance(stranger, hh.HouseholdCard) and not stranger.verified
    bare = hh.open_by_payload(ws, c0.code)
    assert isinstance(bare, hh.HouseholdCard) and not bare.verified


def test_unknown_code_offers_registration_then_opens(ws, station):
    code = "3509242012019999"
    out = hh.open_by_payload(ws, sign_doorplate(code, station))
    assert isinstance(out, hh.UnknownCode) and out.code == code
    assert out.prefill["village"] == "350924201201" and out.prefill["officer"] == "陈所长"
    record = hh.register_address(ws, code, {**out.prefill, "doorplate_no": "99号", "full_text": "半岭村99号"})
    card = hh.open_by_payload(ws, sign_doorplate(code, station))
    assert isinstance(card, hh.HouseholdCard) and card.address.uuid == record.uuid and card.residents == []
    with pytest.raises(Conflict):
        hh.register_address(ws, code, {**out.prefill, "doorplate_no": "99号", "full_text": "半岭村99号"})


# -- one pass ---------------------------------------------------------------------------------
def new_person(name, number, sex="男", birth="1990-03-07", **extra):
    return {"name": name, "id_number": number, "sex": sex, "birth_date": birth, **extra}


def test_one_invalid_id_number_saves_nothing(ws):
    c0 = rented_address(ws)
    before = {m: count(ws, m) for m in ("residents", "visits", "rentals")}
    someone = next(p for p in c0.residents if not p.is_head and p.status == "present")
    result = hp.submit_pass(
        ws, c0.address.uuid, visit=hp.visit_prefill(c0, officer="陈所长"),
        new_residents=[new_person("李小明", NEW_ID)],
        status_marks={someone.uuid: ("moved_out", "2026-11-01")},
        tenants_left=[c0.tenants[0].person],
        new_tenants=[new_person("王芳", BAD_ID, "女")],
    )
    assert not result.ok
    assert [i.field for i in result.errors] == ["new_tenants[0].id_number"]
    assert "新租客1" in result.errors[0].label and "校验" in result.errors[0].message
    assert {m: count(ws, m) for m in before} == before
    after = hh.card(ws, c0.address.uuid)
    assert after.residents == c0.residents and after.tenants == c0.tenants


def test_full_pass_is_saved_together_and_shows_on_the_card(ws):
    c0 = rented_address(ws)
    leaving = c0.tenants[0]
    someone = next(p for p in c0.residents if not p.is_head and not p.tenant and p.status == "present")
    visit = hp.visit_prefill(c0, officer="陈所长")
    visit["issues_found"] = ["none"]
    result = hp.submit_pass(
        ws, c0.address.uuid, visit=visit,
        new_residents=[new_person("李小明", NEW_ID)],
        status_marks={someone.uuid: {"status": "moved_out", "date": "2026-11-01"}},
        tenants_left=[leaving.person],
        new_tenants=[new_person("王芳", TENANT_ID, "女", "1995-12-12", phone="13912345678", move_in_date=TODAY)],
    )
    assert result.ok, result.issues
    card = hh.card(ws, c0.address.uuid)
    by_name = {p.name: p for p in card.residents}
    assert by_name["李小明"].status == "present" and not by_name["李小明"].tenant
    assert by_name["王芳"].tenant and by_name["王芳"].id_number == TENANT_ID
    assert by_name[someone.name].status == "moved_out"
    assert by_name[leaving.name].status == "moved_out"  # a tenant who left has moved out of the house
    assert [t.name for t in card.tenants] == [t.name for t in c0.tenants[1:]] + ["王芳"]
    assert card.tenants[-1].phone == "13912345678" and card.tenants[-1].move_in_date == TODAY
    moved = ws.store.records.get(someone.uuid)
    assert moved.data["moved_out_date"] == "2026-11-01"
    visit_rec = ws.store.records.get(result.created["visits"][0])
    met = [m["person"] for m in visit_rec.data["persons_met"]]
    assert by_name["李小明"].uuid in met and by_name["王芳"].uuid in met and visit_rec.data["officer"] == "陈所长"
    # Everyone met is named in the visit itself, those already living here and those new in this pass.
    named = {m["person"]: (m["name"], m["id_number"]) for m in visit_rec.data["persons_met"]}
    assert named[by_name["王芳"].uuid] == ("王芳", TENANT_ID) and named[by_name["李小明"].uuid] == ("李小明", NEW_ID)
    head = card.head
    assert head is not None and named[head.uuid] == (head.name, head.id_number)
    assert card.visits[0].uuid == visit_rec.uuid
    # One person, entered once: the tenant is findable by ID number exactly once.
    assert ws.store.search.count("id", TENANT_ID, modules=["residents"]) == 1


def test_already_registered_id_is_refused_and_linking_works(ws):
    c0 = rented_address(ws)
    elsewhere = plain_address(ws)
    registered = elsewhere.head
    result = hp.submit_pass(ws, c0.address.uuid,
                            new_tenants=[new_person(registered.name, registered.id_number, registered.sex,
                                                    registered.birth_date)])
    assert not result.ok and result.errors[0].field == "new_tenants[0].id_number"
    assert "已登记过此人" in result.errors[0].message
    linked = hp.submit_pass(ws, c0.address.uuid, new_tenants=[{"person": registered.uuid, "move_in_date": TODAY}])
    assert linked.ok, linked.issues
    card = hh.card(ws, c0.address.uuid)
    assert registered.uuid in {t.person for t in card.tenants}
    assert ws.store.records.get(registered.uuid).data["address"] == c0.address.uuid


def test_first_tenant_of_an_unlet_house_creates_the_rental(ws):
    c0 = plain_address(ws)
    result = hp.submit_pass(ws, c0.address.uuid, new_tenants=[new_person("王芳", TENANT_ID, "女", "1995-12-12")])
    assert result.ok, result.issues
    card = hh.card(ws, c0.address.uuid)
    assert card.rental is not None and card.rental.data["landlord"] == c0.head.uuid
    assert [t.name for t in card.tenants] == ["王芳"] and card.rental_status == "在租"
    assert card.address.data["rental"] is True
    # The last tenant leaving leaves the house vacant.
    gone = hp.submit_pass(ws, c0.address.uuid, tenants_left=[0])
    assert gone.ok, gone.issues
    assert hh.card(ws, c0.address.uuid).rental_status == "空置待租"


def test_deceased_mark_needs_a_sensible_date(ws):
    c0 = plain_address(ws)
    head = c0.head
    result = hp.submit_pass(ws, c0.address.uuid, status_marks={head.uuid: ("deceased", "1800-01-01")})
    assert not result.ok and result.errors[0].field == f"status_marks.{head.uuid}.death_date"
    assert hh.card(ws, c0.address.uuid).head == head


def test_grid_worker_sees_a_flag_but_not_key_person_details(ws):
    c0 = plain_address(ws)
    head = c0.head
    rec.save(ws, "key_persons", {"person": head.uuid, "category": "drug_user", "risk_level": "medium",
                                 "interval_days": 14, "listed_date": "2026-02-01",
                                 "village": c0.address.data["village"], "officer": "陈所长"})
    person = ws.store.records.get(head.uuid)
    rec.save(ws, "residents", {**person.data, "tags": [*(person.data.get("tags") or []), "key_person"]}, head.uuid)
    assert next(p for p in hh.card(ws, c0.address.uuid).residents if p.uuid == head.uuid).key_person.startswith("吸毒")
    wsvc.add_user(ws, "wang", "grid_worker", "grid worker pass 1", "王网格")
    home = ws.home
    ws.lock()
    grid = wsvc.unlock(home, "wang", "grid worker pass 1")
    try:
        card = hh.card(grid, c0.address.uuid)
        assert next(p for p in card.residents if p.uuid == head.uuid).key_person == "重点人员"
        assert card.key_persons == []
    finally:
        grid.lock()


def test_a_duplicate_already_in_the_store_does_not_block_the_household(ws):
    """Two records of one person (entered twice before the door refused it, or from two laptops)
    must not stop the officer's pass at that address: only a new entry of the number is refused."""
    from fieldkit.services.changes import Changes

    c0 = plain_address(ws)
    head = ws.store.records.get(c0.head.uuid)
    twin = "0e0e0e0e-0000-4000-8000-0000000000aa"
    stamp = f"{int(max(head.versions.values())[:12], 16) + 1000:012x}0000{'e' * 16}"
    with ws.store.transaction():
        door.receive(ws, twin, "residents", dict(head.data), dict.fromkeys(head.data, stamp), deleted=False,
                     state=None, authors={}, times={}, changes=Changes())
    assert len(ws.store.search.exact("id", head.data["id_number"])) == 2
    someone = next(p for p in hh.card(ws, c0.address.uuid).residents if p.uuid not in (head.uuid, twin))
    result = hp.submit_pass(ws, c0.address.uuid, visit=hp.visit_prefill(c0, officer="陈所长"),
                            status_marks={someone.uuid: ("moved_out", "2026-11-01")})
    assert result.ok, result.errors
    again = hp.submit_pass(ws, c0.address.uuid, new_residents=[new_person(head.data["name"], head.data["id_number"],
                                                                           head.data["sex"], head.data["birth_date"])])
    assert not again.ok and "已登记过此人" in again.errors[0].message
