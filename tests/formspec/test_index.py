"""What the store indexes, so an officer's search finds the record."""

from __future__ import annotations

import pytest

from fieldkit.formspec import index_terms, load_modules, normalise_record
from fieldkit.formspec.index import term_field

P1 = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
P2 = "1b4e28ba-2fa1-11d2-883f-0016d3cca428"


@pytest.fixture(scope="module")
def cat():
    return load_modules()


def test_resident_terms(cat) -> None:
    spec = cat["residents"]
    values = normalise_record(spec, {
        "name": "张伟", "id_number": "11010519491231002x", "phone": "138 1234 5678", "household_no": "hk 0012",
        "address": P1, "village": "350924201201", "grid": "KD01-1", "registered_date": "2024-05-06",
        "birth_date": "1949-12-31",
    })
    t = index_terms(spec, values)
    assert ("id", "11010519491231002X") in t.terms
    assert ("phone", "13812345678") in t.terms
    assert ("name", "张伟") in t.terms
    assert ("bi", "张伟") in t.terms  # two-character name: its bigram is the whole name
    assert ("py", "zw") in t.terms and ("pyf", "zhangwei") in t.terms
    assert ("code", "HK0012") in t.terms
    assert ("ref", P1) in t.terms
    assert (t.village, t.grid, t.date) == ("350924201201", "KD01-1", "2024-05-06")
    assert len(t.terms) == len(set(t.terms))
    assert t.keys("bi") == ["张伟"]


def test_three_character_name_and_former_name(cat) -> None:
    t = index_terms(cat["residents"], {"name": "林秀英", "former_name": "林阿妹"})
    assert t.keys("bi") == ["林秀", "秀英", "林阿", "阿妹"]
    assert t.keys("name") == ["林秀英", "林阿妹"]


def test_repeat_groups_are_indexed(cat) -> None:
    spec = cat["rentals"]
    values = {"address": P1, "landlord": P2, "contract_start": "2025-02-01",
              "tenants": [{"name": "李娜", "id_number": "11010519491231002X", "phone": "0593-1234567",
                           "residence_permit_no": "350924 2025 0001"},
                          {"person": P1}]}
    t = index_terms(spec, values)
    assert ("id", "11010519491231002X") in t.terms
    assert ("name", "李娜") in t.terms and ("py", "ln") in t.terms
    assert ("phone", "0593-1234567") in t.terms
    assert ("code", "35092420250001") in t.terms
    assert t.keys("ref") == [P1, P2]  # the tenant's ref is the address's uuid: listed once
    assert t.date == "2025-02-01"


def test_plates_vins_and_usccs(cat) -> None:
    t = index_terms(cat["vehicles"], {"plate": "闽j·12345", "vin": "lsvam4187c2184847", "owner": P1})
    assert ("plate", "闽J12345") in t.terms and ("code", "LSVAM4187C2184847") in t.terms
    t = index_terms(cat["places"], {"name": "寿宁县坑底乡供销社", "uscc": "91350100m000100y43"})
    assert ("code", "91350100M000100Y43") in t.terms


def test_an_id_number_is_indexed_by_its_tails_and_a_plate_without_its_province(cat) -> None:
    t = index_terms(cat["residents"], {"name": "张伟", "id_number": "11010519491231002x"})
    assert t.keys("id_tail") == ["002X", "1002X", "31002X"]
    t = index_terms(cat["vehicles"], {"plate": "闽jf·73296", "owner": P1})
    assert t.keys("plate_tail") == ["JF73296"]
    t = index_terms(cat["vehicles"], {"plate": "使123456", "owner": P1})  # not a province: no tail
    assert t.keys("plate_tail") == []


def test_the_field_a_term_came_from_is_named(cat) -> None:
    spec = cat["residents"]
    values = {"name": "王大明", "former_name": "王小明", "id_number": "11010519491231002X"}
    assert term_field(spec, values, [("name", "王小明")]).name == "former_name"
    assert term_field(spec, values, [("bi", "王大")]).name == "name"
    assert term_field(spec, values, [("bi", "王小"), ("bi", "小明")]).name == "former_name"
    assert term_field(spec, values, [("bi", "王"), ("bi", "小明")]) is None
    assert term_field(spec, values, [("id_tail", "002X")]).name == "id_number"


def test_address_code_is_exact(cat) -> None:
    t = index_terms(cat["addresses"], {"code": "350924201201 0003", "village": "350924201201"})
    assert t.keys("code") == ["3509242012010003"] and t.village == "350924201201"


def test_datetime_main_date_is_the_day(cat) -> None:
    t = index_terms(cat["events"], {"found_at": "2026-03-01T09:05", "village": "350924201201"})
    assert t.date == "2026-03-01"


def test_empty_record_indexes_nothing(cat) -> None:
    t = index_terms(cat["visits"], {})
    assert t.terms == [] and t.village is None and t.date is None
