"""What an officer sees when typing ID numbers, plates, phones and credit codes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.domain.validators import (
    check_id_number,
    check_mobile,
    check_plate,
    check_uscc,
    id_check_digit,
    region_name,
    uscc_check_char,
)


def make_id(region: str, birth: str, seq: str = "123") -> str:
    body = region + birth + seq
    return body + id_check_digit(body)


# --------------------------------------------------------------------------- ID numbers


def test_valid_id_number_gives_birth_date_sex_and_region() -> None:
    c = check_id_number("11010519491231002X")
    assert c.ok and c.value == "11010519491231002X"
    assert c.info["birth_date"] == "1949-12-31"
    assert c.info["sex"] == "女"  # 17th digit 2 is even
    assert c.info["region"] == "北京市朝阳区"
    assert not c.warning


def test_lowercase_x_and_spaces_are_normalised() -> None:
    c = check_id_number(" 110105 1949 1231 002x ")
    assert c.ok and c.value == "11010519491231002X"


def test_full_width_digits_are_accepted() -> None:
    assert check_id_number("１１０１０５１９４９１２３１００２Ｘ").value == "11010519491231002X"


def test_wrong_check_digit_says_what_it_should_be() -> None:
    c = check_id_number("110105194912310021")
    assert not c.ok
    assert c.message == "校验码应为X，请核对号码是否输错"
    assert "X" in c.message_en


def test_male_sex_from_odd_sequence_digit() -> None:
    c = check_id_number(make_id("350725", "19800101", "011"))
    assert c.ok and c.info["sex"] == "男"
    assert c.info["region"] == "福建省南平市政和县"


def test_fifteen_digit_number_is_upgraded_to_eighteen() -> None:
    c = check_id_number("130503670401001")
    assert c.ok
    assert c.value == "130503196704010016"
    assert len(c.value) == 18 and c.value[6:8] == "19"
    assert c.info["upgraded"] is True and c.info["birth_date"] == "1967-04-01"
    assert check_id_number(c.value).ok


def test_fifteen_digit_number_with_invalid_date_is_rejected() -> None:
    c = check_id_number("130503670230001")
    assert not c.ok and c.message.startswith("出生日期无效")


def test_feb_29_only_in_leap_years() -> None:
    assert check_id_number(make_id("110105", "20000229")).ok
    c = check_id_number(make_id("110105", "19990229"))
    assert not c.ok and c.message == "出生日期无效：1999-02-29"
    assert c.message_en == "Invalid date of birth: 1999-02-29"


def test_future_birth_date_is_rejected() -> None:
    c = check_id_number(make_id("110105", "20300101"), today=dt.date(2026, 1, 1))
    assert not c.ok and "晚于今天" in c.message


def test_birth_before_1900_is_rejected() -> None:
    c = check_id_number(make_id("110105", "18991231"))
    assert not c.ok and "1900" in c.message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "请输入"), ("1101051949123100", "应为18位"), ("11010519491231A02X", "前17位应为数字")],
)
def test_malformed_id_numbers_explain_themselves(text: str, fragment: str) -> None:
    c = check_id_number(text)
    assert not c.ok and fragment in c.message and c.message_en


def test_unknown_region_is_a_warning_not_a_rejection() -> None:
    c = check_id_number(make_id("990101", "19900101"))
    assert c.ok
    assert "990101" in c.warning and c.warning_en
    assert "region" not in c.info


def test_abolished_county_warns_but_names_the_prefecture() -> None:
    c = check_id_number(make_id("350799", "19900101"))
    assert c.ok and c.info["region"] == "福建省南平市"
    assert "未收录" in c.warning


def test_region_table_has_every_province_and_the_prefectures() -> None:
    for code, name in [("110000", "北京市"), ("350000", "福建省"), ("650000", "新疆维吾尔自治区"),
                       ("710000", "台湾省"), ("810000", "香港特别行政区"), ("820000", "澳门特别行政区")]:
        assert region_name(code) == (name, True)
    assert region_name("350900")[0] == "福建省宁德市"
    assert region_name("350924")[0] == "福建省宁德市寿宁县"


# --------------------------------------------------------------------------- plates


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("京A12345", "京A12345", "ordinary"),
        ("闽J·8A2B3", "闽J8A2B3", "ordinary"),
        ("粤ｂ１２３４５", "粤B12345", "ordinary"),  # full-width and lowercase
        ("沪ad12345", "沪AD12345", "new_energy_small"),
        ("京AFA1234", "京AFA1234", "new_energy_small"),
        ("苏E12345D", "苏E12345D", "new_energy_large"),
        ("闽A1234警", "闽A1234警", "police"),
        ("闽J1234学", "闽J1234学", "coach"),
        ("闽H1234挂", "闽H1234挂", "trailer"),
        ("粤Z1234港", "粤Z1234港", "hong_kong"),
        ("粤Z1234澳", "粤Z1234澳", "macao"),
        ("沪A1234领", "沪A1234领", "consulate"),
        ("使123456", "使123456", "embassy"),
    ],
)
def test_every_plate_kind_is_accepted(text: str, value: str, kind: str) -> None:
    c = check_plate(text)
    assert c.ok, c.message
    assert c.value == value and c.info["kind"] == kind and c.info["kind_zh"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("A12345", "省份简称"),
        ("京112345", "发牌机关代号"),
        ("京AO1234", "不使用字母I和O"),
        ("京A1234", "应为7位"),
        ("京AX12345", "新能源"),  # 8 characters but neither D/F rule
        ("京A12警", "警"),
        ("使12345", "使馆号牌"),
        ("", "请输入"),
    ],
)
def test_bad_plates_say_what_is_wrong(text: str, fragment: str) -> None:
    c = check_plate(text)
    assert not c.ok
    assert fragment in c.message and c.message_en


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize("text", ["13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "138-1234-5678"])
def test_mobile_prefixes_and_separators_are_stripped(text: str) -> None:
    c = check_mobile(text)
    assert c.ok and c.value == "13812345678"
    assert c.info["kind"] == "mobile" and c.message == "手机号码"


@pytest.mark.parametrize(
    ("text", "value", "area"),
    [("0593-1234567", "0593-1234567", "0593"), ("010 12345678", "010-12345678", "010"),
     ("059187654321", "0591-87654321", "0591")],
)
def test_landlines_are_accepted_and_named(text: str, value: str, area: str) -> None:
    c = check_mobile(text)
    assert c.ok and c.value == value
    assert c.info == {"kind": "landline", "area_code": area}
    assert c.message == f"固定电话（区号{area}）"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("12812345678", "第二位"), ("1381234567", "应为11位"), ("5551234", "不是有效"), ("138abc45678", "只能包含数字")],
)
def test_bad_phones_are_rejected(text: str, fragment: str) -> None:
    c = check_mobile(text)
    assert not c.ok and fragment in c.message and c.message_en


# --------------------------------------------------------------------------- USCC


def test_real_uscc_codes_pass() -> None:
    for code in ("91350100M000100Y43", "91110000600037341L"):
        c = check_uscc(code)
        assert c.ok, c.message
    assert check_uscc("91350100M000100Y43").info == {"authority": "工商", "region": "福建省福州市"}


def test_uscc_lowercase_and_spaces_are_normalised() -> None:
    assert check_uscc(" 91350100m000100y43 ").value == "91350100M000100Y43"


def test_uscc_wrong_check_character() -> None:
    c = check_uscc("91350100M000100Y44")
    assert not c.ok and c.message == "校验码应为3，请核对代码是否输错"


def test_uscc_check_covers_the_whole_alphabet() -> None:
    # A check value of 30 must come out as the last alphabet letter Y, and 0 as "0".
    seen = set()
    for n in range(3000):
        body = f"9135{n:06d}MA2XY3K"[:17]
        ch = uscc_check_char(body)
        seen.add(ch)
        assert check_uscc(body + ch).ok
    assert len(seen) == 31


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("9135010079379086X", "应为18位"), ("91350100I000100Y43", "不使用字符“I”"),
     ("913501S0M000100Y43", "不使用字符“S”"), ("91ABCDEFM000100Y43", "行政区划")],
)
def test_uscc_malformed(text: str, fragment: str) -> None:
    c = check_uscc(text)
    assert not c.ok and fragment in c.message


# --------------------------------------------------------------------------- properties

_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31))


@given(_dates, st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_typo_is_caught(birth: dt.date, seq: int, pos: int, delta: int) -> None:
    good = make_id("350924", birth.strftime("%Y%m%d"), f"{seq:03d}")
    assert check_id_number(good).ok
    typo = good[:pos] + str((int(good[pos]) + delta) % 10) + good[pos + 1 :]
    assert not check_id_number(typo).ok  # MOD 11-2 detects every single-digit error


@given(_dates, st.integers(0, 999))
def test_adjacent_swaps_are_caught(birth: dt.date, seq: int) -> None:
    good = make_id("350924", birth.strftime("%Y%m%d"), f"{seq:03d}")
    for i in range(16):
        if good[i] != good[i + 1]:
            swapped = good[:i] + good[i + 1] + good[i] + good[i + 2 :]
            assert not check_id_number(swapped).ok
