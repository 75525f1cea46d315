"""Plausible values for any form field, driven by the field's type, role and label.

The demo builds the hubs (villages, addresses, households) by hand and lets this filler
complete every other module from its definition, so a new module in `forms/` gets demo data
without code. Every value it makes passes the field's validator (valid ID-number and USCC
checksums, GA 36 plates, mobile numbers).

Threading: pure given its random generator; not shared between threads.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from typing import Any

from fieldkit.formspec import FieldSpec, FieldType
from fieldkit.services import demo_data as D

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def id_number(rng: random.Random, region: str, birth: dt.date, male: bool) -> str:
    """A valid 18-digit citizen ID number (GB 11643: region, birth date, sequence, check digit)."""
    seq = rng.randrange(0, 99) * 10 + (rng.choice((1, 3, 5, 7, 9)) if male else rng.choice((0, 2, 4, 6, 8)))
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def uscc(rng: random.Random) -> str:
    """A valid unified social credit code (GB 32100) for a business registered in the county."""
    body = "92" + D.LOCAL_REGION + "".join(rng.choice(_USCC_ALPHABET) for _ in range(9))
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_ALPHABET[(31 - total % 31) % 31]


def plate(rng: random.Random) -> str:
    if rng.random() < 0.15:  # new-energy small car: D/F then 5 digits (GA 36-2018)
        return D.PLATE_PREFIX + rng.choice("DF") + "".join(rng.choice("0123456789") for _ in range(5))
    tail = [rng.choice("0123456789") for _ in range(5)]
    tail[rng.randrange(5)] = rng.choice(_PLATE_LETTERS)
    return D.PLATE_PREFIX + "".join(tail)


def mobile(rng: random.Random) -> str:
    return rng.choice(("13", "15", "17", "18", "19")) + "".join(rng.choice("0123456789") for _ in range(9))


def person_name(rng: random.Random, male: bool) -> str:
    pool = D.GIVEN_MALE if male else D.GIVEN_FEMALE
    surname = rng.choice(D.SURNAMES) if rng.random() > 0.01 else "欧阳"
    given = rng.choice(pool) if rng.random() < 0.3 else rng.choice(pool) + rng.choice(pool)
    return surname + given


def recent_date(rng: random.Random, today: dt.date, days: int = 365) -> dt.date:
    return today - dt.timedelta(days=rng.randrange(1, days))  # never today: later steps need a later day


def _is_iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text[:10])
    except ValueError:
        return False
    return len(text) >= 10 and text[4] == "-"


#: What a free-text field holds, told by its Chinese label: (pattern, kind, share of optional
#: fields filled). First match wins. The demo's one hand table — a new form's fields fall into
#: these kinds without code; a label nothing matches stays empty unless required.
TEXT_KINDS: tuple[tuple[re.Pattern[str], str, float], ...] = tuple((re.compile(p), k, share) for p, k, share in (
    (r"曾用名|别名", "alias", 0.05),
    (r"外文姓名", "foreign_name", 1.0),
    (r"处置人/单位|移交单位|联合单位", "agency", 1.0),
    (r"姓名|书记|主任|组长|班主任|网格员|调解员|^.{1,3}人$", "person", 1.0),
    (r"户号", "household_no", 1.0),
    (r"护照", "passport", 1.0),
    (r"车辆识别代号|车架号", "vin", 1.0),
    (r"发动机号", "engine_no", 1.0),
    (r"品牌|型号", "make", 1.0),
    (r"班级", "school_class", 1.0),
    (r"学校", "school", 1.0),
    (r"编号|号码|证号", "number", 1.0),
    (r"务工地", "work_city", 0.8),
    (r"服务处所|单位|雇主", "employer", 0.7),
    (r"籍|来自|原住|迁往", "region", 1.0),
    (r"楼栋", "building", 0.1),  # a mountain village's houses have no blocks or flats
    (r"单元", "flat", 1.0),  # …and a flat only in a block
    (r"地址|住址|地点", "address", 1.0),
    (r"职业", "occupation", 1.0),
    (r"重点部位", "key_places", 1.0),
    (r"备注", "remark", 0.15),
    (r"纠纷", "dispute", 1.0),
    (r"调解经过", "mediation", 1.0),
    (r"案情", "case", 1.0),
    (r"宣传", "publicity", 1.0),
    (r"事件", "event", 1.0),
    (r"情况记录|随访", "follow_up", 1.0),
    (r"事项", "matter", 1.0),
    (r"办理结果|完成情况", "handled", 1.0),
    (r"结果|处置|处理|结论|反馈", "outcome", 1.0),
    (r"发现问题", "findings", 1.0),
    (r"诉求", "issue", 0.4),
    (r"问题|隐患", "issue", 1.0),
    (r"任务", "task", 1.0),
))


#: A number field's plausible range, told by its Chinese label the same way (first match wins;
#: anything else 1-12): a village has hundreds of people, a rented room tens of square metres.
NUMBER_RANGES: tuple[tuple[re.Pattern[str], int, int], ...] = tuple((re.compile(p), lo, hi) for p, lo, hi in (
    (r"流动人口", 10, 300), (r"常住人口|户籍人口", 400, 3000), (r"人口", 40, 600), (r"户数", 15, 200),
    (r"人数", 20, 300), (r"宣传资料", 30, 500), (r"路程|距离", 1, 30), (r"出租面积", 15, 120), (r"面积", 5, 60),
    (r"租金", 300, 1500), (r"间数", 1, 6), (r"层数", 1, 4), (r"从业人员", 2, 60), (r"监控", 0, 16),
    (r"金额", 300, 30000), (r"随访间隔", 7, 30), (r"积分", 5, 20), (r"卫星", 4, 12),
))


def number_range(f: FieldSpec) -> tuple[int, int]:
    return next(((lo, hi) for pattern, lo, hi in NUMBER_RANGES if pattern.search(f.label.zh)), (1, 12))


def text_kind(f: FieldSpec) -> tuple[str, float]:
    """The kind of a text field's demo value and how often an optional one is filled."""
    if f.role == "person_name":
        return "person", 1.0
    for pattern, kind, share in TEXT_KINDS:
        if pattern.search(f.label.zh):
            return kind, share
    return "note", 0.0


_VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_VIN_VALUES = dict(zip("ABCDEFGHJKLMNPRSTUVWXYZ", (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9),
                       strict=True))
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin(rng: random.Random) -> str:
    """A 17-character VIN of a Chinese-built vehicle (WMI "L…") with its ISO 3779 check digit."""
    chars = ["L", *(rng.choice(_VIN_CHARS[10:]) for _ in range(2)), *(rng.choice(_VIN_CHARS) for _ in range(14))]
    chars[8] = "0"
    total = sum((int(c) if c.isdigit() else _VIN_VALUES[c]) * w for c, w in zip(chars, _VIN_WEIGHTS, strict=True))
    chars[8] = "X" if total % 11 == 10 else str(total % 11)
    return "".join(chars)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


class Filler:
    """Fills fields for one township: `pools` hold the uuids and codes that refs point at."""

    def __init__(self, rng: random.Random, today: dt.date, officer: str) -> None:
        self.rng = rng
        self.today = today
        self.officer = officer
        self.people: list[tuple[str, dict[str, Any]]] = []  # (uuid, the few fields later draws read)
        self.addresses: list[tuple[str, dict[str, Any]]] = []
        self.village_codes: list[str] = []
        self.grids: dict[str, list[str]] = {}

    def text(self, f: FieldSpec, module: str, values: dict[str, Any] | None = None) -> str | None:
        """A free-text value of the field's kind (`text_kind`); None for an optional field
        left empty as often as real registers leave it (most people have no 曾用名)."""
        kind, share = text_kind(f)
        if not f.required and self.rng.random() >= share:
            return None
        return _TEXT_MAKERS[kind](self, values or {})

    # -- one maker per text kind -------------------------------------------------------------
    def _person(self, values: dict[str, Any]) -> str:
        return person_name(self.rng, self.rng.random() < 0.5)

    def _alias(self, values: dict[str, Any]) -> str:
        """A former name keeps the surname more often than not (a childhood name, say)."""
        name = person_name(self.rng, values.get("sex") != "女")
        own = str(values.get("name") or "")
        return own[0] + name[1:] if own and self.rng.random() < 0.7 else name

    def _address(self, values: dict[str, Any]) -> str:
        _, addr = self.rng.choice(self.addresses) if self.addresses else (None, {"full_text": D.COUNTY + D.TOWNSHIP})
        return str(addr.get("full_text", D.COUNTY))

    def _employer(self, values: dict[str, Any]) -> str | None:
        return None if values.get("occupation") in D.NO_EMPLOYER else self.rng.choice(D.EMPLOYERS)

    def _make(self, values: dict[str, Any]) -> str:
        return self.rng.choice(D.MAKES.get(str(values.get("vehicle_type")), D.MAKES["car"]))

    def _building(self, values: dict[str, Any]) -> str:
        return f"{self.rng.randint(1, 6)}栋"

    def _flat(self, values: dict[str, Any]) -> str | None:
        if not values.get("building"):
            return None
        return f"{self.rng.randint(1, 3)}单元{self.rng.randint(1, 5)}0{self.rng.randint(1, 4)}"

    def after_earlier_dates(self, values: dict[str, Any], parent: dict[str, Any] | None) -> dt.date:
        """A past day no earlier than the dates already filled in (this record's earlier fields,
        and the parent record's for a repeat row): found → escalated → resolved, in that order."""
        seen = [*(values or {}).values(), *(parent or {}).values()]
        past = [v[:10] for v in seen if isinstance(v, str) and _is_iso_date(v) and v[:10] <= str(self.today)]
        if not past:
            return recent_date(self.rng, self.today)
        earliest = dt.date.fromisoformat(max(past))
        span = (self.today - earliest).days
        # Later fields land on a later day, so a time-of-day drawn afresh cannot go backwards.
        return earliest + dt.timedelta(days=self.rng.randrange(1, span + 1)) if span >= 1 else self.today

    def value(self, f: FieldSpec, module: str, values: dict[str, Any], parent: dict[str, Any] | None = None) -> Any:
        """A plausible value for one field (None where the demo has nothing honest to put).

        Dates follow the record's earlier dates (and a repeat row's parent's), as they do in life.
        """
        rng, t = self.rng, f.type
        if f.role == "officer":
            return self.officer
        if f.role == "status" and f.choices and rng.random() < 0.8:
            return f.choices[0].value  # most records in a register are the open/active kind
        if f.role == "grid" and values.get("village"):
            return rng.choice(self.grids.get(values["village"], [""])) or None
        if t in (FieldType.TEXT, FieldType.TEXTAREA):
            return self.text(f, module, values)
        if t is FieldType.NUMBER:
            return rng.randint(*number_range(f))
        if t is FieldType.DATE:
            if f.role == "birth_date":
                return str(self.today - dt.timedelta(days=rng.randrange(6 * 365, 80 * 365)))
            if "到期" in f.label.zh or "有效期" in f.label.zh or "下次" in f.label.zh:
                return str(self.today + dt.timedelta(days=rng.randrange(10, 700)))
            return str(self.after_earlier_dates(values, parent))
        if t is FieldType.DATETIME:
            d = self.after_earlier_dates(values, parent)
            return f"{d}T{rng.randint(8, 18):02d}:{rng.choice((0, 15, 30, 45)):02d}"
        if t is FieldType.CHOICE:
            return rng.choice(f.choices).value if f.choices else None
        if t is FieldType.MULTI_CHOICE:
            return [c.value for c in rng.sample(list(f.choices), k=min(len(f.choices), rng.randint(0, 2)))]
        if t is FieldType.ID_NUMBER:
            region, _ = rng.choice(D.MIGRANT_REGIONS) if rng.random() < 0.2 else (D.LOCAL_REGION, "")
            birth = self.today - dt.timedelta(days=rng.randrange(18 * 365, 70 * 365))
            return id_number(rng, region, birth, rng.random() < 0.5)
        if t is FieldType.PLATE:
            return plate(rng)
        if t is FieldType.PHONE:
            return mobile(rng)
        if t is FieldType.USCC:
            return uscc(rng)
        if t is FieldType.PERSON_REF and f.ref in (None, "residents"):
            return rng.choice(self.people)[0] if self.people else None
        if t is FieldType.ADDRESS_REF and f.ref in (None, "addresses"):
            return rng.choice(self.addresses)[0] if self.addresses else None
        if t in (FieldType.PERSON_REF, FieldType.ADDRESS_REF):
            return None  # a reference into another module (an application, say): the demo has none
        if t is FieldType.VILLAGE:
            return rng.choice(self.village_codes) if self.village_codes else None
        if t is FieldType.GEO:
            return {"lat": round(27.45 + rng.uniform(-0.08, 0.08), 6), "lon": round(119.50 + rng.uniform(-0.1, 0.1), 6)}
        if t is FieldType.BOOL:
            return rng.random() < 0.3
        if t is FieldType.REPEAT:
            return [self.fill_fields(f.fields, module, {}, parent=values) for _ in range(rng.randint(1, 3))]
        return None  # photo, fingerprint: the demo has no real capture to offer

    def fill_fields(self, fields, module: str, fixed: dict[str, Any],
                    parent: dict[str, Any] | None = None) -> dict[str, Any]:
        values = dict(fixed)
        for f in fields:
            if f.name in values:
                continue
            v = self.value(f, module, values, parent)
            if v is not None:
                values[f.name] = v
        return values


def _pool(name: str) -> Callable[[Filler, dict[str, Any]], str]:
    return lambda filler, _values: filler.rng.choice(D.PHRASES[name])


def _choice(pool: list[str]) -> Callable[[Filler, dict[str, Any]], str]:
    return lambda filler, _values: filler.rng.choice(pool)


_TEXT_MAKERS: dict[str, Callable[[Filler, dict[str, Any]], str | None]] = {
    "person": Filler._person,
    "alias": Filler._alias,
    "foreign_name": _choice(D.FOREIGN_NAMES),
    "agency": _choice(D.AGENCIES),
    "household_no": lambda f, _v: str(f.rng.randrange(10**8, 10**9)),
    "passport": lambda f, _v: f.rng.choice("CEGBP") + _digits(f.rng, 7),
    "vin": lambda f, _v: vin(f.rng),
    "engine_no": lambda f, _v: f.rng.choice(D.ENGINE_CODES) + _digits(f.rng, 6),
    "make": Filler._make,
    "school_class": lambda f, _v: f"{'一二三四五六'[f.rng.randrange(6)]}年级{f.rng.randint(1, 3)}班",
    "school": _choice(D.SCHOOLS),
    "number": lambda f, _v: _digits(f.rng, 9),
    "work_city": _choice(D.WORK_CITIES),
    "employer": Filler._employer,
    "region": lambda f, _v: f.rng.choice(D.MIGRANT_REGIONS)[1],
    "building": Filler._building,
    "flat": Filler._flat,
    "address": Filler._address,
    "occupation": _choice(D.OCCUPATIONS),
    **{kind: _pool(kind) for kind in ("key_places", "remark", "dispute", "mediation", "case", "publicity", "event",
                                      "follow_up", "matter", "handled", "outcome", "findings", "issue", "task",
                                      "note")},
}
