"""Validators for the identifiers officers type all day: ID numbers, plates, phones, USCCs.

Each `check_*` takes what the user typed and returns a `Check`: `ok`, the normalised `value`
(what to store and index), a Chinese `message` with its English translation when not ok, a
non-fatal `warning`, and `info` (facts read from the identifier). Pure functions; safe from
any thread. The region table is read once, lazily, on first use.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import time
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Check:
    """The result of checking one value. `info` holds facts read from it (see each check_*)."""

    ok: bool
    value: str
    message: str = ""
    message_en: str = ""
    warning: str = ""
    warning_en: str = ""
    info: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.ok


def _fail(value: str, zh: str, en: str, **info: Any) -> Check:
    return Check(False, value, zh, en, info=info)


def _clean(text: object) -> str:
    """NFKC folds full-width letters/digits (ＡＢ１２) to ASCII; whitespace and dashes go."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s\-_·.]", "", s)


# --------------------------------------------------------------------------- regions (GB/T 2260)


@cache
def regions() -> dict[str, str]:
    """GB/T 2260 code → name for provinces, prefectures and counties (shipped data file)."""
    table: dict[str, str] = {}
    text = resources.files("fieldkit.domain").joinpath("gb2260_regions.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        code, name = line.split("\t", 1)
        table[code] = name
    return table


def region_name(code: str) -> tuple[str, bool]:
    """The place name for a 6-digit division code, and whether the exact code is known.

    An unknown county under a known prefecture or province (common for codes abolished since
    the card was issued) still gets the name of the level above.
    """
    table = regions()
    province = table.get(code[:2] + "0000", "")
    prefecture = table.get(code[:4] + "00", "") if code[2:4] != "00" else ""
    if prefecture in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
        prefecture = ""
    county = table.get(code, "") if code[4:] != "00" else ""
    parts = [p for p in (province, prefecture, county) if p]
    return "".join(parts), code in table


# --------------------------------------------------------------------------- ID number (GB 11643)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """The GB 11643 ISO 7064 MOD 11-2 check character for the first 17 digits."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def check_id_number(text: object, *, today: dt.date | None = None) -> Check:
    """Check a 公民身份号码. 15-digit numbers are upgraded to 18 (19xx, check digit computed).

    info: `birth_date` (ISO), `sex` ("男"/"女"), `region` (name, when the code is known),
    `upgraded` (True when a 15-digit number was given). Treat the result as read-only: answers
    are cached (an import checks each number at every step of the door; measured 3 s of 16 s
    per 20,000 rows before the cache).
    """
    return _check_id_number(str(text) if text is not None else "", today or _today())


_day: tuple[float, dt.date] = (0.0, dt.date.min)


def _today() -> dt.date:
    """Today, looked up at most once a second (an import checks numbers 100,000s of times)."""
    global _day
    now = time.monotonic()
    if now - _day[0] > 1.0:
        _day = (now, dt.date.today())  # one tuple: a reader on another thread sees old or new
    return _day[1]


@functools.lru_cache(maxsize=16384)
def _check_id_number(text: str, today: dt.date) -> Check:
    s = _clean(text).upper()
    if not s:
        return _fail(s, "请输入公民身份号码", "Enter the ID number")
    upgraded = False
    if len(s) == 15:
        if not s.isdigit():
            return _fail(s, "15位身份号码应全部为数字", "A 15-digit ID number must be all digits")
        body = s[:6] + "19" + s[6:]
        s = body + id_check_digit(body)
        upgraded = True
    elif len(s) != 18:
        return _fail(s, f"公民身份号码应为18位，现为{len(s)}位", f"An ID number has 18 characters, not {len(s)}")
    if not s[:17].isdigit() or not (s[17].isdigit() or s[17] == "X"):
        return _fail(s, "公民身份号码前17位应为数字，末位为数字或X",
                     "The first 17 characters must be digits and the last a digit or X")
    try:
        birth = dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return _fail(s, f"出生日期无效：{s[6:10]}-{s[10:12]}-{s[12:14]}",
                     f"Invalid date of birth: {s[6:10]}-{s[10:12]}-{s[12:14]}")
    if birth > today:
        return _fail(s, "出生日期无效：晚于今天", "Invalid date of birth: in the future")
    if birth.year < 1900:
        return _fail(s, "出生日期无效：早于1900年", "Invalid date of birth: before 1900")
    expected = id_check_digit(s[:17])
    if s[17] != expected:
        return _fail(s, f"校验码应为{expected}，请核对号码是否输错",
                     f"The check character should be {expected}; please check the number")
    info: dict[str, Any] = {
        "birth_date": birth.isoformat(),
        "sex": "男" if int(s[16]) % 2 else "女",
        "upgraded": upgraded,
    }
    name, known = region_name(s[:6])
    if name:
        info["region"] = name
    warning = warning_en = ""
    if not known:
        if name:
            warning = f"地区代码 {s[:6]} 未收录（可能是已撤销的旧代码），归属：{name}"
            warning_en = f"Region code {s[:6]} is not in the table (perhaps abolished); it lies in {name}"
        else:
            warning = f"地区代码 {s[:6]} 不存在，请核对"
            warning_en = f"Region code {s[:6]} does not exist; please check"
    return Check(True, s, warning=warning, warning_en=warning_en, info=info)


# --------------------------------------------------------------------------- plates (GA 36)

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # I and O are never used: they read as 1 and 0
_ALNUM = _LETTERS + "0123456789"
_SUFFIXES = {"警": "police", "学": "coach", "挂": "trailer", "港": "hong_kong", "澳": "macao",
             "领": "consulate", "使": "embassy", "试": "test", "超": "oversize"}
_KIND_ZH = {
    "ordinary": "普通号牌", "new_energy_small": "小型新能源汽车号牌", "new_energy_large": "大型新能源汽车号牌",
    "police": "警用号牌", "coach": "教练汽车号牌", "trailer": "挂车号牌", "hong_kong": "粤港入出境号牌",
    "macao": "粤澳入出境号牌", "consulate": "领馆号牌", "embassy": "使馆号牌", "test": "试验号牌",
    "oversize": "超限号牌",
}


def _plate_ok(value: str, kind: str) -> Check:
    return Check(True, value, info={"kind": kind, "kind_zh": _KIND_ZH[kind]})


def check_plate(text: object) -> Check:
    """Check a 号牌号码 per GA 36: ordinary 7-character plates, 8-character new-energy plates
    (small: D/F then 5; large: 5 then D/F), 警/学/挂/港/澳/领/使 suffixes, embassy plates
    (使 + 6 digits). Full-width characters, lowercase letters and the middle dot are normalised.

    info: `kind` (ordinary, new_energy_small, new_energy_large, police, coach, trailer,
    hong_kong, macao, consulate, embassy, …) and `kind_zh`.
    """
    s = _clean(text).upper()
    if not s:
        return _fail(s, "请输入号牌号码", "Enter the plate number")
    if s[0] == "使":  # embassy plates: 使 + 3-digit embassy code + 3-digit serial
        if re.fullmatch(r"使\d{6}", s):
            return _plate_ok(s, "embassy")
        return _fail(s, "使馆号牌应为“使”加6位数字", "An embassy plate is 使 followed by 6 digits")
    if s[0] not in PROVINCES:
        return _fail(s, f"号牌第一位应为省份简称，而不是“{s[0]}”",
                     f"A plate starts with a province abbreviation, not '{s[0]}'")
    if len(s) < 2 or s[1] not in _LETTERS:
        return _fail(s, "号牌第二位应为发牌机关代号字母（不含I、O）",
                     "The second character is the issuing office letter (never I or O)")
    rest = s[2:]
    if "I" in rest or "O" in rest:
        return _fail(s, "号牌中不使用字母I和O，可能应为数字1和0", "Plates never use I or O; perhaps 1 and 0")
    suffix = rest[-1:] if rest else ""
    if suffix in _SUFFIXES:
        body = rest[:-1]
        if len(body) == 4 and all(c in _ALNUM for c in body):
            return _plate_ok(s, _SUFFIXES[suffix])
        return _fail(s, f"带“{suffix}”字的号牌应为省份简称、字母、4位字母或数字再加“{suffix}”",
                     f"A plate ending in {suffix} has the province, a letter, 4 letters/digits, then {suffix}")
    if len(rest) == 5:
        if all(c in _ALNUM for c in rest):
            return _plate_ok(s, "ordinary")
        return _fail(s, "号牌序号应为5位字母或数字", "The serial must be 5 letters or digits")
    if len(rest) == 6:
        # GA 36-2018: small = D/F, one letter or digit, four digits; large = five digits, D/F.
        if rest[0] in "DF" and rest[1] in _ALNUM and rest[2:].isdigit():
            return _plate_ok(s, "new_energy_small")
        if rest[:5].isdigit() and rest[5] in "DF":
            return _plate_ok(s, "new_energy_large")
        return _fail(s, "新能源号牌序号：小型车为D或F开头加5位，大型车为5位数字加D或F",
                     "New-energy serial: small vehicles D/F then 5 characters; large vehicles 5 digits then D/F")
    return _fail(s, f"号牌号码应为7位（新能源8位），现为{len(s)}位",
                 f"A plate has 7 characters (8 for new-energy), not {len(s)}")


# --------------------------------------------------------------------------- phones

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(0\d{2,3})(\d{7,8})")


def check_mobile(text: object) -> Check:
    """Check a phone number: 11-digit mobiles (1[3-9]…, +86/0086 prefixes and separators
    stripped) or landlines with an area code (0593-1234567, stored with the dash).

    An ok result's `message` says which kind it is ("手机号码" / "固定电话（区号0593）").
    info: `kind` "mobile" or "landline" (and `area_code` for landlines).
    """
    raw = unicodedata.normalize("NFKC", str(text or "")).strip()
    digits = re.sub(r"[\s\-()（）]", "", raw)
    if not digits:
        return _fail("", "请输入电话号码", "Enter a phone number")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not digits.isdigit():
        return _fail(digits, "电话号码只能包含数字", "A phone number contains only digits")
    if _MOBILE.fullmatch(digits):
        return Check(True, digits, "手机号码", "mobile number", info={"kind": "mobile"})
    if digits.startswith("1"):
        if len(digits) != 11:
            return _fail(digits, f"手机号码应为11位，现为{len(digits)}位", f"A mobile number has 11 digits, not {len(digits)}")
        return _fail(digits, "手机号码第二位应为3到9", "The second digit of a mobile number is 3 to 9")
    m = _LANDLINE.fullmatch(digits)
    if m and len(digits) in (10, 11, 12):
        area = _split_area(digits)
        if area:
            return Check(True, f"{area}-{digits[len(area):]}", f"固定电话（区号{area}）",
                         f"landline (area code {area})", info={"kind": "landline", "area_code": area})
    return _fail(digits, "不是有效的手机号码（11位）或带区号的固定电话（如0593-1234567）",
                 "Not a valid 11-digit mobile or a landline with area code (e.g. 0593-1234567)")


def _split_area(digits: str) -> str:
    # Two-digit area codes (010 Beijing, 02x big cities) take 8-digit numbers; others 3+7/8.
    if digits.startswith(("010", "02")) and len(digits) == 11:
        return digits[:3]
    if len(digits) in (11, 12) and not digits.startswith(("010", "02")):
        return digits[:4]
    if len(digits) == 10 and digits.startswith(("010", "02")):
        return digits[:3]
    return ""


# --------------------------------------------------------------------------- USCC (GB 32100)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_AUTHORITY = {"1": "机构编制", "5": "民政", "9": "工商", "Y": "其他"}


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def check_uscc(text: object) -> Check:
    """Check a 统一社会信用代码 (18 characters, GB 32100 mod-31 check over 0-9A-Z less I,O,Z,S,V).

    info: `authority` (registration authority, e.g. 工商), `region` when the code is known.
    """
    s = _clean(text).upper()
    if not s:
        return _fail(s, "请输入统一社会信用代码", "Enter the unified social credit code")
    if len(s) != 18:
        return _fail(s, f"统一社会信用代码应为18位，现为{len(s)}位", f"The code has 18 characters, not {len(s)}")
    bad = [c for c in s if c not in USCC_ALPHABET]
    if bad:
        return _fail(s, f"统一社会信用代码不使用字符“{bad[0]}”（不含I、O、Z、S、V）",
                     f"The code never uses '{bad[0]}' (no I, O, Z, S or V)")
    if not s[2:8].isdigit():
        return _fail(s, "第3至8位应为行政区划代码（数字）", "Characters 3–8 are the region code (digits)")
    expected = uscc_check_char(s[:17])
    if s[17] != expected:
        return _fail(s, f"校验码应为{expected}，请核对代码是否输错",
                     f"The check character should be {expected}; please check the code")
    info: dict[str, Any] = {"authority": _USCC_AUTHORITY.get(s[0], "其他")}
    name, _known = region_name(s[2:8])
    if name:
        info["region"] = name
    return Check(True, s, info=info)
