"""Coercion of one typed value: what a form, a CSV cell or a script gives → what is stored.

Stored shapes: text → str; number → int or float; date → "YYYY-MM-DD"; datetime →
"YYYY-MM-DDTHH:MM" (local time, minutes); choice → the choice value; multi_choice → list of
values in the order given; id_number/plate/phone/uscc → the validator's normalised value;
person_ref/address_ref → lower-case uuid string; village → the village code; photo/fingerprint →
sha256 hex (64 lower-case characters); geo → {"lat": float, "lon": float} (+ "acc" metres when
given); bool → True/False; repeat → list of row dicts. Pure functions; any thread.

Which type uses which coercer, and the memoised `coerce` itself, are in `field_types`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fieldkit.domain import validators
from fieldkit.formspec.model import FieldSpec


@dataclass(frozen=True)
class Coerced:
    """A coerced value, or why it could not be: `error`/`warning` are (zh, en) pairs or None."""

    value: Any
    error: tuple[str, str] | None = None
    warning: tuple[str, str] | None = None


_CONTAINERS = (list, tuple, dict, set)  # a tuple: isinstance() with a union type is slower


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if value.__class__ is str:
        return not value.strip()
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, _CONTAINERS) and len(value) == 0


def code_key(text: str) -> str:
    """The indexed form of a code (doorplate/address code, passport, VIN…): NFKC, no spaces, upper."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).upper()


_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_TIME_RE = re.compile(r"[T\s]*(\d{1,2})[:：时](\d{2})(?:[:：分](\d{2}))?秒?")
_TRUE = {"true", "1", "yes", "y", "是", "√", "✓", "t", "on"}
_FALSE = {"false", "0", "no", "n", "否", "×", "f", "off"}
_SHA256 = re.compile(r"[0-9a-f]{64}")
# Longest text a field holds, in characters: a line of text is a name, an address, a number;
# a textarea a situation report. Longer is a paste gone wrong (or an attack), not a record.
TEXT_LIMIT = 500
TEXTAREA_LIMIT = 20_000
# Control characters other than tab and newlines: a NUL inside a name breaks every program the
# ledger is handed to, and no keyboard types one.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse_date(value: Any) -> dt.date | None:
    """A date from a date/datetime object or text like 2024-03-01, 2024/3/1, 2024年3月1日, 20240301."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = unicodedata.normalize("NFKC", str(value)).strip()
    m = _DATE_RE.match(s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    elif re.fullmatch(r"\d{8}", s):
        y, mo, d = int(s[:4]), int(s[4:6]), int(s[6:])
    else:
        return None
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def parse_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, second=0, microsecond=0)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    s = unicodedata.normalize("NFKC", str(value)).strip()
    m = _DATE_RE.match(s)
    if not m:
        d = parse_date(s)
        return dt.datetime(d.year, d.month, d.day) if d else None
    d = parse_date(m.group(0))
    if d is None:
        return None
    rest = s[m.end():].strip()
    if not rest:
        return dt.datetime(d.year, d.month, d.day)
    t = _TIME_RE.match(rest)
    if not t:
        return None
    hh, mm = int(t.group(1)), int(t.group(2))
    if hh > 23 or mm > 59:
        return None
    return dt.datetime(d.year, d.month, d.day, hh, mm)


def _choice_value(field: FieldSpec, raw: Any) -> str | None:
    s = str(raw).strip()
    for c in field.choices:
        if s in (c.value, c.label.zh) or s.lower() == c.label.en.lower():
            return c.value
    return None


def _number(raw: Any) -> int | float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return raw if math.isfinite(raw) else None
    s = unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "")
    try:
        return int(s)
    except ValueError:
        pass
    try:
        f = float(s)
    except ValueError:
        return None
    return f if f == f and f not in (float("inf"), float("-inf")) else None


def _geo(raw: Any) -> dict[str, float] | None:
    lat = lon = acc = None
    try:
        if isinstance(raw, dict):
            lat, lon = float(raw["lat"]), float(raw["lon"])
            acc = float(raw["acc"]) if raw.get("acc") is not None else None
        elif isinstance(raw, list | tuple) and len(raw) == 2:
            lat, lon = float(raw[0]), float(raw[1])
        else:
            parts = re.split(r"[,，\s]+", unicodedata.normalize("NFKC", str(raw)).strip())
            if len(parts) != 2:
                return None
            lat, lon = float(parts[0]), float(parts[1])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    out = {"lat": lat, "lon": lon}
    if acc is not None:
        out["acc"] = acc
    return out


def _from_check(check: validators.Check) -> Coerced:
    if not check.ok:
        return Coerced(check.value, (check.message, check.message_en))
    warning = (check.warning, check.warning_en or check.warning) if check.warning else None
    return Coerced(check.value, warning=warning)


# One coercer per stored shape; `field_types.TYPES` says which type uses which. Each takes a
# non-empty raw value (blanks never get here) and answers the stored value or why not.

def _text(raw: Any, limit: int) -> Coerced | str:
    if isinstance(raw, dict | list | bool) or (isinstance(raw, float) and not math.isfinite(raw)):
        return Coerced(raw, ("应为文字", "must be text"))
    s = str(raw).strip()
    if _CONTROL.search(s):
        return Coerced(raw, ("含有不可显示的控制字符", "contains control characters"))
    if len(s) > limit:
        return Coerced(raw, (f"过长：最多 {limit} 个字", f"too long: at most {limit} characters"))
    return s


def coerce_line(field: FieldSpec, raw: Any) -> Coerced:
    """One line of text (also a village code): inner runs of spaces become one."""
    s = _text(raw, TEXT_LIMIT)
    return s if isinstance(s, Coerced) else Coerced(" ".join(s.split()))


def coerce_long(field: FieldSpec, raw: Any) -> Coerced:
    """A textarea: line breaks and spacing kept as typed."""
    s = _text(raw, TEXTAREA_LIMIT)
    return s if isinstance(s, Coerced) else Coerced(s)


def coerce_number(field: FieldSpec, raw: Any) -> Coerced:
    n = _number(raw)
    return Coerced(n) if n is not None else Coerced(raw, ("应为数字", "must be a number"))


def coerce_date(field: FieldSpec, raw: Any) -> Coerced:
    d = parse_date(raw)
    if d is None:
        return Coerced(raw, ("日期无效，格式应为 2024-03-01", "invalid date; use the form 2024-03-01"))
    return Coerced(d.isoformat())


def coerce_datetime(field: FieldSpec, raw: Any) -> Coerced:
    dtm = parse_datetime(raw)
    if dtm is None:
        return Coerced(raw, ("时间无效，格式应为 2024-03-01 14:30", "invalid time; use the form 2024-03-01 14:30"))
    return Coerced(dtm.isoformat(timespec="minutes"))


def coerce_choice(field: FieldSpec, raw: Any) -> Coerced:
    v = _choice_value(field, raw)
    if v is None:
        return Coerced(raw, (f"“{raw}”不是可选的选项", f"'{raw}' is not one of the choices"))
    return Coerced(v)


def coerce_choices(field: FieldSpec, raw: Any) -> Coerced:
    """A multi-choice: a list, or one text split at commas, 、 or semicolons."""
    items = raw if isinstance(raw, list | tuple | set) else re.split(r"[,，、;；|]+", str(raw))
    out: list[str] = []
    for item in items:
        if is_empty(item):
            continue
        v = _choice_value(field, item)
        if v is None:
            return Coerced(raw, (f"“{item}”不是可选的选项", f"'{item}' is not one of the choices"))
        if v not in out:
            out.append(v)
    return Coerced(out)


def checked_by(check: Callable[[Any], validators.Check]) -> Callable[[FieldSpec, Any], Coerced]:
    """A coercer from one of `domain.validators`' checks (ID number, plate, phone, USCC)."""
    return lambda _field, raw: _from_check(check(raw))


def coerce_record(field: FieldSpec, raw: Any) -> Coerced:
    """A person/address reference: the record's uuid."""
    try:
        return Coerced(str(uuid.UUID(str(raw).strip())))
    except ValueError:
        return Coerced(raw, ("引用的记录标识无效", "invalid reference to a record"))


def coerce_attachment(field: FieldSpec, raw: Any) -> Coerced:
    s = str(raw).strip().lower()
    if _SHA256.fullmatch(s):
        return Coerced(s)
    return Coerced(raw, ("附件标识无效", "invalid attachment id"))


def coerce_geo(field: FieldSpec, raw: Any) -> Coerced:
    g = _geo(raw)
    if g is None:
        return Coerced(raw, ("坐标无效，应为纬度,经度", "invalid location; expected latitude,longitude"))
    return Coerced(g)


def coerce_bool(field: FieldSpec, raw: Any) -> Coerced:
    if isinstance(raw, bool):
        return Coerced(raw)
    if isinstance(raw, int) and raw in (0, 1):
        return Coerced(bool(raw))
    s = unicodedata.normalize("NFKC", str(raw)).strip().lower()
    if s in _TRUE:
        return Coerced(True)
    if s in _FALSE:
        return Coerced(False)
    return Coerced(raw, ("应为“是”或“否”", "must be yes or no"))
