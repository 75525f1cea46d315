"""Checking a record as the user types it: required, relevance, types, validators, constraints."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldkit.formspec import is_relevant, load_modules, normalise_record, validate_record

TODAY = dt.date(2026, 3, 15)
P1 = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
P2 = "1b4e28ba-2fa1-11d2-883f-0016d3cca428"
VILLAGE = "350924201201"


@pytest.fixture(scope="module")
def cat():
    return load_modules()


def resident(**over):
    v = {"name": "张伟", "id_number": "11010519491231002X", "sex": "女", "birth_date": "1949-12-31",
         "village": VILLAGE, "status": "present"}
    v.update(over)
    return v


def issues_by_field(spec, values):
    return {i.field: i for i in validate_record(spec, values, today=TODAY)}


def test_a_good_resident_has_no_issues(cat) -> None:
    assert validate_record(cat["residents"], resident(), today=TODAY) == []


def test_required_fields_missing(cat) -> None:
    got = issues_by_field(cat["residents"], {"name": " ", "status": "present"})
    assert {"name", "id_number", "sex", "birth_date", "village"} <= set(got)
    assert got["name"].message == "此项为必填项" and got["name"].message_en == "This field is required"
    assert got["name"].label == "姓名" and got["name"].label_en == "Name"
    assert "ethnicity" not in got  # its default (汉族) counts


def test_required_only_when_relevant(cat) -> None:
    spec = cat["residents"]
    assert "moved_out_date" not in issues_by_field(spec, resident())
    got = issues_by_field(spec, resident(status="moved_out"))
    assert got["moved_out_date"].severity == "error"
    assert is_relevant(spec, "moved_out_date", {"status": "moved_out"})
    assert not is_relevant(spec, spec.field("moved_out_date"), {"status": "present"})


def test_validator_messages_reach_the_form(cat) -> None:
    got = issues_by_field(cat["residents"], resident(id_number="110105194912310021", phone="12812345678"))
    assert got["id_number"].message == "校验码应为X，请核对号码是否输错"
    assert got["id_number"].label == "公民身份号码"
    assert "第二位" in got["phone"].message


def test_unknown_region_is_only_a_warning(cat) -> None:
    body = "99010119900101123"
    from fieldkit.domain.validators import id_check_digit

    # The number still states a man born 1990-01-01: sex and birth date agree with it.
    got = validate_record(cat["residents"], resident(id_number=body + id_check_digit(body), sex="男",
                                                     birth_date="1990-01-01"), today=TODAY)
    assert [(i.field, i.severity) for i in got] == [("id_number", "warning")]


def test_constraints_with_their_messages(cat) -> None:
    got = issues_by_field(cat["foreign_spouses"], {"birth_date": "2027-01-01"})
    assert got["birth_date"].message == "出生日期无效或年龄不足16周岁"
    kp = cat["key_persons"]
    got = issues_by_field(kp, {"person": P1, "category": "drug_user", "interval_days": 0,
                               "listed_date": "2026-01-01", "village": VILLAGE, "officer": "林警官"})
    assert got["interval_days"].message == "随访间隔应在1到365天之间"


def test_type_errors(cat) -> None:
    got = issues_by_field(cat["residents"], resident(birth_date="1949-13-01", ethnicity="火星族",
                                                     tags=["veteran", "pirate"], address="not-a-uuid"))
    assert "日期无效" in got["birth_date"].message
    assert got["ethnicity"].message == "“火星族”不是可选的选项"
    assert "pirate" in got["tags"].message
    assert "引用" in got["address"].message
    got = issues_by_field(cat["key_persons"], {"interval_days": "三十"})
    assert got["interval_days"].message == "应为数字"


def test_choice_labels_are_accepted_and_stored_as_values(cat) -> None:
    n = normalise_record(cat["residents"], resident(ethnicity="畲族", sex="女", tags="留守老人、Veteran"), today=TODAY)
    assert n["ethnicity"] == "22" and n["tags"] == ["left_behind_elderly", "veteran"]


def test_normalise_applies_validators_defaults_and_clears_irrelevant(cat) -> None:
    spec = cat["residents"]
    n = normalise_record(spec, resident(id_number="11010519491231002x", phone="+86 138-1234-5678",
                                        birth_date="1949年12月31日", moved_out_date="2020-01-01"), today=TODAY)
    assert n["id_number"] == "11010519491231002X" and n["phone"] == "13812345678"
    assert n["birth_date"] == "1949-12-31"
    assert n["ethnicity"] == "01" and n["is_head"] is False and n["resident_type"] == "registered"
    assert n["registered_date"] == "2026-03-15"  # default "today"
    assert n["moved_out_date"] is None  # status is present: the stale date goes


def test_normalise_value_shapes(cat) -> None:
    ev = normalise_record(cat["events"], {"found_at": "2026/3/1 9:05", "geo": "26.1, 118.9",
                                          "persons": [{"person": P1.upper()}]}, today=TODAY)
    assert ev["found_at"] == "2026-03-01T09:05"
    assert ev["geo"] == {"lat": 26.1, "lon": 118.9}
    assert ev["persons"] == [{"person": P1}]
    rent = normalise_record(cat["rentals"], {"safety_letter": "否", "monthly_rent": "１,２００"}, today=TODAY)
    assert rent["safety_letter"] is False and rent["monthly_rent"] == 1200


def test_bad_geo_and_attachment(cat) -> None:
    got = issues_by_field(cat["events"], {"geo": "95,200", "photos": "abc"})
    assert "坐标无效" in got["geo"].message and "附件" in got["photos"].message


def rental(**over):
    v = {"address": P1, "landlord": P2, "contract_start": "2026-01-01", "safety_letter": True,
         "safety_letter_date": "2026-01-01", "village": VILLAGE,
         "tenants": [{"name": "张伟", "id_number": "11010519491231002X"}]}
    v.update(over)
    return v


def test_repeat_rows_are_validated_with_paths(cat) -> None:
    spec = cat["rentals"]
    assert validate_record(spec, rental(), today=TODAY) == []
    tenants = [
        {"name": "张伟", "id_number": "11010519491231002X"},
        {"name": "", "id_number": "", "phone": ""},  # a blank row the user added: ignored
        {"person": P1},  # a registered person: name and ID not needed
        {"name": "李娜", "id_number": "110105194912310021"},
        {"id_number": "11010519491231002X"},
    ]
    got = issues_by_field(spec, rental(tenants=tenants))
    assert set(got) == {"tenants[3].id_number", "tenants[4].name"}
    assert got["tenants[3].id_number"].label == "承租人第4行·公民身份号码"
    assert got["tenants[3].id_number"].label_en == "Tenants row 4 · Citizen ID number"
    assert got["tenants[4].name"].message == "此项为必填项"
    stored = normalise_record(spec, rental(tenants=tenants), today=TODAY)
    assert len(stored["tenants"]) == 4  # the blank row is not stored


def test_repeat_row_constraints_see_the_record(cat) -> None:
    spec = cat["disputes"]
    base = {"reported_date": "2026-03-01", "kind": "neighbour", "summary": "宅基地边界", "village": VILLAGE,
            "officer": "林警官", "risk_level": "low", "status": "mediating"}
    step = {"date": "2026-02-01", "mediator": "林警官", "method": "on_site", "content": "现场调解", "result": "failed"}
    got = issues_by_field(spec, {**base, "mediation_steps": [step]})
    assert got["mediation_steps[0].date"].message == "调解日期不能早于排查日期"


def test_required_repeat_needs_a_row_and_bad_rows_are_reported(cat) -> None:
    got = issues_by_field(cat["rentals"], rental(tenants="张伟"))
    assert got["tenants"].message == "应为多行记录"


def test_multi_choice_rule(cat) -> None:
    base = {"visit_date": "2026-03-01", "address": P1, "village": VILLAGE, "officer": "林", "result": "done"}
    got = issues_by_field(cat["visits"], {**base, "issues_found": ["none", "hazard"]})
    assert "未发现问题" in got["issues_found"].message
    got = issues_by_field(cat["visits"], {**base, "issues_found": ["hazard"]})
    assert got["issue_details"].message == "此项为必填项"  # relevant once a real issue is ticked
    got = issues_by_field(cat["visits"], {**base, "issues_found": ["none"]})
    assert got == {}


def test_relevance_inside_a_row(cat) -> None:
    spec = cat["rentals"]
    tenants = spec.field("tenants")
    assert is_relevant(spec, tenants.subfield("name"), {}, row={})
    assert not is_relevant(spec, tenants.subfield("name"), {}, row={"person": P1})


def test_plate_relevance_for_unplated_farm_vehicles(cat) -> None:
    spec = cat["vehicles"]
    base = {"vehicle_type": "tractor", "owner": P1, "village": VILLAGE}
    assert "plate" in issues_by_field(spec, {**base, "plate_type": "14"})
    assert "plate" not in issues_by_field(spec, {**base, "plate_type": "99"})
    assert issues_by_field(spec, {**base, "plate_type": "14", "plate": "闽J12345", "vin": "LSVAM4187C2184847"}) == {}
    assert issues_by_field(spec, {**base, "plate_type": "02", "plate": "闽J12345", "vin": "LSV"})["vin"].message \
        == "车辆识别代号应为17位"


def test_a_bad_value_in_a_hidden_field_does_not_block_saving(cat) -> None:
    spec = cat["residents"]
    values = resident(status="present", death_date="not a date")
    assert validate_record(spec, values, today=TODAY) == []
    assert "death_date" in issues_by_field(spec, {**values, "status": "deceased"})


def test_rows_that_are_not_tables(cat) -> None:
    got = issues_by_field(cat["rentals"], rental(tenants=[{"name": "张伟", "id_number": "11010519491231002X"}, "李娜"]))
    assert got["tenants[1]"].message == "每一行应为字段表"


def test_sex_and_birth_date_must_agree_with_the_id_number(cat) -> None:
    """11010519491231002X is a woman born 1949-12-31: a record saying otherwise is a typing slip."""
    spec = cat["residents"]
    assert "sex" not in issues_by_field(spec, resident()) and "birth_date" not in issues_by_field(spec, resident())
    sex = issues_by_field(spec, resident(sex="男"))["sex"]
    assert sex.severity == "error" and sex.message == "性别与身份证号不符：身份证号显示为女"
    assert "Female" in sex.message_en
    born = issues_by_field(spec, resident(birth_date="1949-12-30"))["birth_date"]
    assert born.severity == "error" and born.message == "出生日期与身份证号不符：身份证号显示为1949-12-31"
    # A wrong ID number is said once, at the number, not again at sex and birth date.
    wrong = issues_by_field(spec, resident(id_number="110105194912310021", sex="男"))
    assert "id_number" in wrong and "sex" not in wrong
