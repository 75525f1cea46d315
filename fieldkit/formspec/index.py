"""What the store indexes for a record: exact keys, name keys, references, village/grid/date.

Keys are normalised the same way a search query must be, so a query is normalised with the
same functions: `check_id_number(q).value`, `check_plate(q).value`, `check_mobile(q).value`,
`code_key(q)`, `name_terms(q)`. Pure function; any thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldkit.domain import validators
from fieldkit.domain.names import name_terms
from fieldkit.formspec.model import FieldSpec, FieldType, ModuleSpec
from fieldkit.formspec.values import code_key, is_empty, parse_date

#: Term kinds (see AGENTS.md): the store keeps one (kind, key) row per term.
KINDS = ("id", "plate", "phone", "code", "name", "bi", "py", "pyf", "ref")


@dataclass(frozen=True)
class IndexTerms:
    """Search terms of one record, plus the columns the store filters lists by.

    terms — (kind, key) pairs, unique, in field order; village — the village code; grid — the
    grid text; date — the record's main date as "YYYY-MM-DD" (for datetime fields, the day).
    """

    terms: list[tuple[str, str]] = field(default_factory=list)
    village: str | None = None
    grid: str | None = None
    date: str | None = None

    def keys(self, kind: str) -> list[str]:
        return [k for t, k in self.terms if t == kind]


def exact_term(f: FieldSpec, value: Any) -> tuple[str, str] | None:
    """The (kind, key) an exact-search field's value is indexed under (what a lookup must ask for)."""
    text = str(value)
    if f.type is FieldType.ID_NUMBER:
        return "id", validators.check_id_number(text).value
    if f.type is FieldType.PLATE:
        return "plate", validators.check_plate(text).value
    if f.type is FieldType.PHONE:
        return "phone", validators.check_mobile(text).value
    if f.type is FieldType.USCC:
        return "code", validators.check_uscc(text).value
    if isinstance(value, str | int):
        key = code_key(text)
        return ("code", key) if key else None
    return None


def _field_terms(fields: tuple[FieldSpec, ...], values: Mapping[str, Any], out: list[tuple[str, str]]) -> None:
    for f in fields:
        value = values.get(f.name)
        if is_empty(value):
            continue
        if f.type is FieldType.REPEAT:
            if isinstance(value, list):
                for row in value:
                    if isinstance(row, Mapping):
                        _field_terms(f.fields, row, out)
            continue
        if f.type in (FieldType.PERSON_REF, FieldType.ADDRESS_REF):
            out.append(("ref", str(value).strip().lower()))
            continue
        if f.search == "exact":
            term = exact_term(f, value)
            if term and term[1]:
                out.append(term)
        elif f.search == "name" and isinstance(value, str):
            nt = name_terms(value)
            if nt.full:
                out.append(("name", nt.full))
            out.extend(("bi", b) for b in nt.bigrams)
            out.extend(("py", p) for p in nt.initials)
            out.extend(("pyf", p) for p in nt.pinyin)


def _role_value(spec: ModuleSpec, role: str, values: Mapping[str, Any]) -> str | None:
    f = spec.field_with_role(role)
    if f is None:
        return None
    v = values.get(f.name)
    if is_empty(v):
        return None
    if role == "date":
        d = parse_date(v)
        return d.isoformat() if d else None
    return str(v).strip()


def index_terms(spec: ModuleSpec, values: Mapping[str, Any]) -> IndexTerms:
    """The terms to index for a record of `spec` with (normalised) `values`.

    Fields with `search = "exact"` give id/plate/phone/code terms by type; `search = "name"`
    gives name, bi (2-character substrings), py (initials) and pyf (full pinyin) terms; every
    person/address reference gives a ref term (so a person's page finds what points at them).
    Repeat-group rows are included (tenants' ID numbers and names, parties' phones…).
    """
    out: list[tuple[str, str]] = []
    _field_terms(spec.fields, values, out)
    return IndexTerms(
        terms=list(dict.fromkeys(out)),
        village=_role_value(spec, "village", values),
        grid=_role_value(spec, "grid", values),
        date=_role_value(spec, "date", values),
    )
