"""The field-type registry of the formspec layer: one `TypeSpec` per `FieldType`.

Everything the layers below the UI need to know about a type is in its entry: how a value is
coerced (and so validated), whether the answer may be memoised, what the search index keeps
for it, how a CSV cell reads back, its ledger column, how a person reads it, which defaults
suit it. Code asks the entry (`TYPES[f.type]` or `type_spec(f)`) instead of testing the type,
so a new type is one entry here, one in the UI's editor table (`ui/forms/editor_types.py`) and
one in the ledger's format table (`ledger/spec.py`). Each table is checked against `FieldType`
when it is built (`require_all`): a type missing from one fails at load with the type's name,
never as a text box or a blank cell later.

Pure data and pure functions; any thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from fieldkit.domain import validators
from fieldkit.formspec import values as v
from fieldkit.formspec.model import FieldSpec, FieldType, FormSpecError
from fieldkit.formspec.values import Coerced, code_key

Coercer = Callable[[FieldSpec, Any], Coerced]
#: An exact-search key maker: the value's text → (term kind, key) (see `formspec.index`).
ExactKey = Callable[[str], tuple[str, str]]
#: Whether a default written in the form file suits the field: (default, the choice values).
DefaultCheck = Callable[[Any, Collection[str]], bool]


@dataclass(frozen=True)
class TypeSpec:
    """What one field type means to formspec, the store's index, CSV, ledgers and display.

    coerce — text/number/object → stored value or a (zh, en) error; None for a repeat group
      (its rows are checked field by field).
    memo — the coerced answer depends on nothing but the field and the raw text (not on today).
    shape — "scalar", "list" (multi-choice values), "rows" (repeat) or "point" (geo): only a
      scalar may be a module's `key`, be compared cheaply by the door, or be typed in one cell.
    csv — how a CSV cell reads back: "text", "number", "bool", "list" (comma-separated or
      JSON) or "json".
    exact — the index key of a `search = "exact"` field; None: the code rule (`code_key`).
    links — the value is another record's uuid (indexed as a `ref` term, kept when it dangles).
    ref_default — the module a `ref` points at when the file names none (None: no `ref`).
    attachment — the value is an attachment's sha256 (a picture box when printed, a file to
      upload at sync).
    calculable — a `calculate` formula may produce it.
    default_ok — which `default` the file may give; None: the type takes no default.
    now_word — the default word filled in at call time ("today", "now"), or None.
    display — how a person reads it (`services.records.display_value`): "text", "choice",
      "bool", "record", "village", "count" or "point".
    ledger — the ledger column: width in half-width cells and column kind (`ledger.layout`).
    """

    coerce: Coercer | None
    ledger: tuple[float, str]
    memo: bool = False
    shape: Literal["scalar", "list", "rows", "point"] = "scalar"
    csv: Literal["text", "number", "bool", "list", "json"] = "text"
    exact: ExactKey | None = None
    links: bool = False
    ref_default: str | None = None
    attachment: bool = False
    calculable: bool = True
    default_ok: DefaultCheck | None = None
    now_word: str | None = None
    display: Literal["text", "choice", "bool", "record", "village", "count", "point"] = "text"

    @property
    def scalar(self) -> bool:
        return self.shape == "scalar"


def _any(_default: Any, _choices: Collection[str]) -> bool:
    return True


def _checked(check: Callable[[str], validators.Check], kind: str) -> ExactKey:
    return lambda text: (kind, check(text).value)


TYPES: dict[FieldType, TypeSpec] = {
    FieldType.TEXT: TypeSpec(v.coerce_line, (12, "text"), default_ok=_any),
    FieldType.TEXTAREA: TypeSpec(v.coerce_long, (30, "long"), default_ok=_any),
    FieldType.NUMBER: TypeSpec(
        v.coerce_number, (8, "number"), memo=True, csv="number",
        default_ok=lambda d, _c: not isinstance(d, bool) and isinstance(d, int | float)),
    FieldType.DATE: TypeSpec(  # "2026-01-03" plus cell padding, on one line
        v.coerce_date, (12, "date"), memo=True, default_ok=lambda d, _c: d == "today", now_word="today"),
    FieldType.DATETIME: TypeSpec(
        v.coerce_datetime, (17, "date"), memo=True, default_ok=lambda d, _c: d == "now", now_word="now"),
    FieldType.CHOICE: TypeSpec(
        v.coerce_choice, (8, "choice"), memo=True, display="choice",
        default_ok=lambda d, choices: str(d) in choices),
    FieldType.MULTI_CHOICE: TypeSpec(
        v.coerce_choices, (16, "text"), shape="list", csv="list", calculable=False, display="choice",
        default_ok=lambda d, choices: isinstance(d, list) and {str(x) for x in d} <= set(choices)),
    # Not memoised: whether an ID number's birth date lies in the future depends on today.
    FieldType.ID_NUMBER: TypeSpec(
        v.checked_by(validators.check_id_number), (20, "id"),
        exact=_checked(validators.check_id_number, "id"), default_ok=_any),
    FieldType.PLATE: TypeSpec(
        v.checked_by(validators.check_plate), (10, "id"), memo=True,
        exact=_checked(validators.check_plate, "plate"), default_ok=_any),
    FieldType.PHONE: TypeSpec(
        v.checked_by(validators.check_mobile), (13, "id"), memo=True,
        exact=_checked(validators.check_mobile, "phone"), default_ok=_any),
    FieldType.USCC: TypeSpec(
        v.checked_by(validators.check_uscc), (20, "id"), memo=True,
        exact=_checked(validators.check_uscc, "code"), default_ok=_any),
    FieldType.ADDRESS_REF: TypeSpec(
        v.coerce_record, (24, "long"), links=True, ref_default="addresses", display="record"),
    FieldType.PERSON_REF: TypeSpec(
        v.coerce_record, (8, "name"), links=True, ref_default="residents", display="record"),
    FieldType.VILLAGE: TypeSpec(
        v.coerce_line, (10, "text"), ref_default="villages", display="village", default_ok=_any),
    FieldType.PHOTO: TypeSpec(v.coerce_attachment, (5, "choice"), attachment=True, calculable=False),
    FieldType.FINGERPRINT: TypeSpec(v.coerce_attachment, (5, "choice"), attachment=True, calculable=False),
    FieldType.GEO: TypeSpec(
        v.coerce_geo, (20, "text"), shape="point", csv="json", calculable=False, display="point",
        default_ok=_any),
    FieldType.REPEAT: TypeSpec(
        None, (20, "long"), shape="rows", csv="json", calculable=False, display="count"),
    FieldType.BOOL: TypeSpec(
        v.coerce_bool, (5, "choice"), memo=True, csv="bool", display="bool",
        default_ok=lambda d, _c: isinstance(d, bool)),
}


class MissingFieldType(FormSpecError):
    """A layer's table lacks an entry for a field type (a programming error caught at load)."""

    default_code = "formspec"


def require_all(table: Mapping[FieldType, Any], layer: str) -> None:
    """Refuse a layer's type table that lacks a `FieldType`, naming the type and the table."""
    missing = [t.value for t in FieldType if t not in table]
    if missing:
        names = ", ".join(missing)
        raise MissingFieldType(f"字段类型 {names} 未在 {layer} 的类型表中登记",
                               message_en=f"field type {names} is not registered in the {layer} type table")


def require_kinds(kinds: Collection[str], attr: str, layer: str) -> None:
    """Refuse a table keyed by one of TypeSpec's kinds (`display`, `csv`) that lacks a kind a
    registered type uses, naming the types."""
    missing = [t.value for t, s in TYPES.items() if getattr(s, attr) not in kinds]
    if missing:
        names = ", ".join(missing)
        raise MissingFieldType(f"字段类型 {names} 的 {attr} 方式未在 {layer} 中登记",
                               message_en=f"the {attr} kind of field type {names} is not registered in {layer}")


require_all(TYPES, "formspec.field_types.TYPES")

#: Types whose value points at another module's record (or village), and the module by default.
REF_DEFAULTS: dict[FieldType, str] = {t: s.ref_default for t, s in TYPES.items() if s.ref_default}


def type_spec(field: FieldSpec) -> TypeSpec:
    """The registry entry of `field`'s type."""
    return TYPES[field.type]


def exact_term(field: FieldSpec, value: Any) -> tuple[str, str] | None:
    """The (kind, key) an exact-search field's value is indexed under (what a lookup must ask for)."""
    text = str(value)
    make = TYPES[field.type].exact
    if make is not None:
        return make(text)
    if isinstance(value, str | int):
        key = code_key(text)
        return ("code", key) if key else None
    return None


_memo: dict[tuple[int, type, Any], Coerced] = {}
_pinned: dict[int, FieldSpec] = {}  # keeps memoised fields alive, so their id() is never reused
_MEMO_MAX = 100_000


def coerce(field: FieldSpec, raw: Any) -> Coerced:
    """Coerce a non-empty `raw` for a non-repeat field (stored shapes: `formspec.values`).

    Answers for `memo` types are memoised per (field, value): a column of 100,000 rows holds a
    few hundred distinct dates and a handful of choices. Safe from any thread (a race computes
    the same answer twice)."""
    spec = TYPES[field.type]
    if spec.coerce is None:
        raise AssertionError(f"coerce() is not for {field.type}")  # repeat groups are handled row by row
    if spec.memo and isinstance(raw, str | int | float):
        key = (id(field), type(raw), raw)
        hit = _memo.get(key)
        if hit is None:
            if len(_memo) >= _MEMO_MAX:
                _memo.clear()
            _pinned[id(field)] = field
            hit = _memo[key] = spec.coerce(field, raw)
        return hit
    return spec.coerce(field, raw)


def default_value(field: FieldSpec, today: dt.date | None = None) -> Any:
    """The field's default; "today" (date) and "now" (datetime) are filled in at call time."""
    d = field.default
    if d is None:
        return None
    word = TYPES[field.type].now_word
    if word == "today" and d == word:
        return (today or dt.date.today()).isoformat()
    if word == "now" and d == word:
        return dt.datetime.now().isoformat(timespec="minutes")
    if isinstance(d, tuple | list):
        return list(d)
    return d
