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
from fieldkit.domain.names import name_keys, name_terms
from fieldkit.formspec.field_types import TYPES, exact_term
from fieldkit.formspec.model import FieldSpec, ModuleSpec
from fieldkit.formspec.values import is_empty, parse_date

#: Term kinds (see AGENTS.md): the store keeps one (kind, key) row per term.
KINDS = ("id", "id_tail", "plate", "plate_tail", "phone", "code", "name", "bi", "py", "pyf", "ref")
#: How many trailing characters of an ID number are indexed as `id_tail` keys (each length its
#: own key, so "the last 4 digits" is one exact seek). The store's migration 0009 backfills
#: the same rule in SQL: change both together.
ID_TAILS = (4, 5, 6)


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


def tail_terms(term: tuple[str, str]) -> list[tuple[str, str]]:
    """The extra keys an exact term gets so officers find it as they type it: an ID number by
    its last 4-6 characters, a plate without its province character (officers skip 闽 because
    the IME makes it slow)."""
    kind, key = term
    if kind == "id" and len(key) >= max(ID_TAILS):
        return [("id_tail", key[-n:]) for n in ID_TAILS]
    if kind == "plate" and len(key) >= 3 and key[0] in validators.PROVINCES:
        return [("plate_tail", key[1:])]
    return []


def _field_terms(fields: tuple[FieldSpec, ...], values: Mapping[str, Any], out: list[tuple[str, str]],
                 pinyin: bool = True) -> None:
    for f in fields:
        value = values.get(f.name)
        if is_empty(value):
            continue
        spec = TYPES[f.type]
        if spec.shape == "rows":
            if isinstance(value, list):
                for row in value:
                    if isinstance(row, Mapping):
                        _field_terms(f.fields, row, out, pinyin)
            continue
        if spec.links:
            out.append(("ref", str(value).strip().lower()))
            continue
        if f.search == "exact":
            term = exact_term(f, value)
            if term and term[1]:
                out.append(term)
                out.extend(tail_terms(term))
        elif f.search == "name" and isinstance(value, str) and not pinyin:
            full, bigrams = name_keys(value)
            if full:
                out.append(("name", full))
            out.extend(("bi", b) for b in bigrams)
        elif f.search == "name" and isinstance(value, str):
            nt = name_terms(value)
            if nt.full:
                out.append(("name", nt.full))
            out.extend(("bi", b) for b in nt.bigrams)
            out.extend(("py", p) for p in nt.initials)
            out.extend(("pyf", p) for p in nt.pinyin)


def term_field(spec: ModuleSpec, values: Mapping[str, Any], terms: list[tuple[str, str]]) -> FieldSpec | None:
    """The first field of `spec` whose own terms include every one of `terms` (which field a
    search hit matched: 姓名 or 曾用名); a repeat group answers for its rows. None if none does."""
    wanted = set(terms)
    # A hit by name or characters needs no pinyin to say which field it was (and the CLI's
    # search then never loads pypinyin).
    pinyin = any(kind in ("py", "pyf") for kind, _ in wanted)
    for f in spec.fields:
        out: list[tuple[str, str]] = []
        _field_terms((f,), values, out, pinyin)
        if wanted and wanted <= set(out):
            return f
    return None


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

    Fields with `search = "exact"` give id/plate/phone/code terms by type (plus `tail_terms`:
    id_tail, plate_tail); `search = "name"`
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
