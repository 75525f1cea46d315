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
from typing import Any

from fieldkit.formspec import FieldSpec
from fieldkit.services import demo_data as D
from fieldkit.services.records import ftype

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


class Filler:
    """Fills fields for one township: `pools` hold the uuids and codes that refs point at."""

    def __init__(self, rng: random.Random, today: dt.date, officer: str) -> None:
        self.rng = rng
        self.today = today
        self.officer = officer
        self.people: list[tuple[str, dict[str, Any]]] = []  # (uuid, data) of residents
        self.addresses: list[tuple[str, dict[str, Any]]] = []
        self.village_codes: list[str] = []
        self.grids: dict[str, list[str]] = {}

    def text(self, f: FieldSpec, module: str) -> str:
        rng, label = self.rng, f.label.zh
        if "姓名" in label or "用名" in label or (label.endswith("人") and "联系" not in label):
            return person_name(rng, rng.random() < 0.5)
        if "籍" in label or "来自" in label or "原住" in label:
            return rng.choice(D.MIGRANT_REGIONS)[1]
        if "学校" in label:
            return rng.choice(D.SCHOOLS)
        if "单位" in label or "处所" in label or "雇主" in label:
            return rng.choice(D.EMPLOYERS)
        if "地址" in label or "住址" in label or "地点" in label:
            _, addr = rng.choice(self.addresses) if self.addresses else (None, {"full_text": D.COUNTY + D.TOWNSHIP})
            return addr.get("full_text", D.COUNTY)
        if "编号" in label or "号码" in label or "证号" in label:
            return "".join(rng.choice("0123456789") for _ in range(9))
        if "职业" in label:
            return rng.choice(D.OCCUPATIONS)
        key = {"disputes": "dispute", "events": "event", "visits": "issue"}.get(module, "note")
        if "结果" in label or "处理" in label or "结论" in label:
            key = "outcome"
        return rng.choice(D.PHRASES[key])

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
        rng, t = self.rng, ftype(f)
        if f.role == "officer":
            return self.officer
        if f.role == "status" and f.choices and rng.random() < 0.8:
            return f.choices[0].value  # most records in a register are the open/active kind
        if f.role == "grid" and values.get("village"):
            return rng.choice(self.grids.get(values["village"], [""])) or None
        if t in ("text",):
            return self.text(f, module)
        if t == "textarea":
            return rng.choice(D.PHRASES["note"] + D.PHRASES["issue"][:3])
        if t == "number":
            return rng.randint(1, 12)
        if t == "date":
            if f.role == "birth_date":
                return str(self.today - dt.timedelta(days=rng.randrange(6 * 365, 80 * 365)))
            if "到期" in f.label.zh or "有效期" in f.label.zh or "下次" in f.label.zh:
                return str(self.today + dt.timedelta(days=rng.randrange(10, 700)))
            return str(self.after_earlier_dates(values, parent))
        if t == "datetime":
            d = self.after_earlier_dates(values, parent)
            return f"{d}T{rng.randint(8, 18):02d}:{rng.choice((0, 15, 30, 45)):02d}"
        if t == "choice":
            return rng.choice(f.choices).value if f.choices else None
        if t == "multi_choice":
            return [c.value for c in rng.sample(list(f.choices), k=min(len(f.choices), rng.randint(0, 2)))]
        if t == "id_number":
            region, _ = rng.choice(D.MIGRANT_REGIONS) if rng.random() < 0.2 else (D.LOCAL_REGION, "")
            birth = self.today - dt.timedelta(days=rng.randrange(18 * 365, 70 * 365))
            return id_number(rng, region, birth, rng.random() < 0.5)
        if t == "plate":
            return plate(rng)
        if t == "phone":
            return mobile(rng)
        if t == "uscc":
            return uscc(rng)
        if t == "person_ref" and f.ref in (None, "residents"):
            return rng.choice(self.people)[0] if self.people else None
        if t == "address_ref" and f.ref in (None, "addresses"):
            return rng.choice(self.addresses)[0] if self.addresses else None
        if t in ("person_ref", "address_ref"):
            return None  # a reference into another module (an application, say): the demo has none
        if t == "village":
            return rng.choice(self.village_codes) if self.village_codes else None
        if t == "geo":
            return {"lat": round(27.45 + rng.uniform(-0.08, 0.08), 6), "lon": round(119.50 + rng.uniform(-0.1, 0.1), 6)}
        if t == "bool":
            return rng.random() < 0.3
        if t == "repeat":
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
