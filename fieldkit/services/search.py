"""Search as an officer types: ID numbers, plates, phones, doorplate codes, names, pinyin.

The text is classified first, then answered from the store's exact and prefix indexes
(B-tree lookups, never a table scan), so results stay instant at a million records.
Chinese names of any length work: two-character names through the `bi` (bigram) terms,
longer ones through the full-name terms and bigram intersection; "zw" finds 张伟 through
pinyin initials. It forgives what officers type at a door: a plate without its province
character or in lower case (`jf73296` finds 闽JF73296), and an ID number by its last 4-6
characters — 4 or 5 only within one village (the one asked for, else the laptop's own when its
sync scope is a single village), 6 anywhere, because 4 digits repeat across a county.
Each hit names the field it matched, so a 曾用名 hit is not shown as 姓名.

Threading: called on the thread that owns the workspace.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from fieldkit.domain.validators import check_id_number, check_plate
from fieldkit.formspec.index import ID_TAILS, term_field
from fieldkit.formspec.model import FieldSpec
from fieldkit.services.sync_keys import SCOPE_KEY
from fieldkit.services.workspace import Workspace

_CJK = re.compile(r"^[\u3400-\u9fff\u00b7·]+$")
_PINYIN = re.compile(r"^[a-z]+$")
_DIGITS = re.compile(r"^\d+$")
_PLATE_START = re.compile(r"^[\u4e00-\u9fff][A-Z]")
_PLATE_TAIL = re.compile(r"^[A-Z][A-Z0-9]+$")  # a plate as typed without its province character
_ID_TAIL = re.compile(r"^\d+X?$")
#: Tail lengths that need a village: shorter ones repeat too often across a county.
VILLAGE_TAILS = tuple(n for n in ID_TAILS if n < max(ID_TAILS))
_NAME_KINDS = frozenset({"name", "bi", "py", "pyf"})


@dataclass(frozen=True)
class SearchHit:
    record: object  # store Record
    module: str
    matched: str  # which kind of term matched: id, id_tail, plate, plate_tail, phone, code, name, bi, py, pyf
    field: FieldSpec | None = None  # the field whose term matched (None when it cannot be told)

    @property
    def alias(self) -> bool:
        """A name matched in a name field other than the person's name (曾用名): label it so."""
        return (self.matched in _NAME_KINDS and self.field is not None and self.field.role != "person_name"
                and isinstance(self.field_value, str))

    def alias_label(self, lang: str = "zh") -> str:
        """"曾用名：王小明" / "Former name: 王小明" — how a list shows an alias hit."""
        assert self.field is not None
        sep = ": " if lang.startswith("en") else "："
        return f"{self.field.label.get(lang)}{sep}{self.field_value}"

    @property
    def field_value(self) -> object:
        """The matched field's value in the record (None without a field)."""
        return self.record.data.get(self.field.name) if self.field is not None else None  # type: ignore[attr-defined]


def normalise(text: str) -> str:
    """Full-width to half-width, trimmed, no inner spaces; letters upper-case except pinyin."""
    text = unicodedata.normalize("NFKC", text).strip()
    return re.sub(r"\s+", "", text)


def plan(text: str, *, in_village: bool = False) -> list[tuple[str, str, str]]:
    """How to look the text up: a list of (mode, kind, key) with mode 'exact', 'prefix' or
    'bigrams'. `in_village`: the search is limited to one village, so 4-5 trailing characters
    of an ID number are worth looking up (an `id_tail` step is answered within that village)."""
    q = normalise(text)
    if not q:
        return []
    upper = q.upper()
    steps: list[tuple[str, str, str]] = []
    if _CJK.match(q):
        if len(q) == 1:
            steps.append(("prefix", "name", q))
        elif len(q) == 2:
            steps += [("exact", "bi", q)]
        else:
            steps += [("exact", "name", q), ("prefix", "name", q), ("bigrams", "bi", q)]
        return steps
    if _PLATE_START.match(upper):
        plate = check_plate(upper)
        steps.append(("exact", "plate", plate.value if plate.ok else upper))
        steps.append(("prefix", "plate", upper))
        return steps
    if _PINYIN.match(q.lower()) and q.isalpha():
        low = q.lower()
        steps += [("prefix", "py", low), ("prefix", "pyf", low)]
        steps += [("exact", "code", upper), ("prefix", "code", upper)]
        if len(q) >= 2:
            steps.append(("prefix", "plate_tail", upper))
        return steps
    if _ID_TAIL.match(upper) and len(upper) in (ID_TAILS if in_village else (max(ID_TAILS),)):
        steps.append(("exact", "id_tail", upper))
    if re.match(r"^\d{17}[\dX]$|^\d{15}$", upper):
        c = check_id_number(upper)
        steps.append(("exact", "id", c.value if c.ok else upper))
    if _DIGITS.match(q) and len(q) == 11 and q.startswith("1"):
        steps.append(("exact", "phone", q))
    if _DIGITS.match(upper.rstrip("X")) and len(q) >= 4:
        steps += [("prefix", "id", upper), ("prefix", "phone", q)]
    steps += [("exact", "code", upper), ("prefix", "code", upper)]
    if _PLATE_TAIL.match(upper):
        steps += [("exact", "plate_tail", upper), ("prefix", "plate_tail", upper)]
    return steps


def tail_needs_village(ws: Workspace, text: str, village: str | None = None) -> bool:
    """Whether `text` looks like the last 4-5 characters of an ID number, which are looked up
    only within a village, and there is none (so the screen can say why nothing was found)."""
    q = normalise(text).upper()
    short = _ID_TAIL.match(q) is not None and len(q) in VILLAGE_TAILS
    return short and (village or home_village(ws)) is None


def home_village(ws: Workspace) -> str | None:
    """The laptop's own village: its sync scope (set at enrolment) when that is one village or
    grids of one."""
    scope = ws.store.settings.get(SCOPE_KEY) or []
    villages = {str(s).partition("/")[0] for s in scope}
    return villages.pop() if len(villages) == 1 and "*" not in villages else None


def search(ws: Workspace, text: str, modules: list[str] | None = None, limit: int = 50, *,
           village: str | None = None) -> list[SearchHit]:
    """Records matching the text, best kinds first, at most `limit`, only modules the user sees.

    `village` (a village code: the list's village filter) is where a short ID tail is looked
    up; without it, the laptop's own village (`home_village`), else ID tails need 6 characters."""
    visible = {m.id for m in ws.visible_modules()}
    allowed = [m for m in (modules or visible) if m in visible]
    if not allowed:
        return []
    village = village or home_village(ws)
    # Keyed by row id: the hits are fetched by it, which reads each record's table page (already
    # decrypted by the join that found it) and skips a probe of the uuid index per hit — on an
    # encrypted store at a million records that probe is a page decryption each (docs/search.md).
    seen: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    idx = ws.store.search
    for mode, kind, key in plan(text, in_village=village is not None):
        if len(seen) >= limit:
            break
        room = limit - len(seen)
        if mode == "exact" and kind == "id_tail" and len(key) in VILLAGE_TAILS:
            hits = idx.exact(kind, key, modules=allowed, limit=room, village=village)
        elif mode == "exact":
            hits = idx.exact(kind, key, modules=allowed, limit=room)
        elif mode == "prefix":
            hits = idx.prefix(kind, key, modules=allowed, limit=room)
        else:
            hits = _bigram_intersection(idx, key, allowed, room)
        for h in hits:
            seen.setdefault(h.id, (kind, _matched_terms(mode, kind, key, h.key)))
    records = ws.store.records.rows(list(seen))
    out = [_hit(ws, r, *seen[r.id]) for r in records if r is not None and not r.deleted]
    ws.store.audit.log("search", detail={"kinds": sorted({h.matched for h in out}), "results": len(out)})
    return out


def _matched_terms(mode: str, kind: str, key: str, stored: str) -> list[tuple[str, str]]:
    """The stored terms a hit holds: for a bigram intersection, every bigram of the query."""
    if mode == "bigrams":
        return [(kind, key[i : i + 2]) for i in range(len(key) - 1)]
    return [(kind, stored)]


def _hit(ws: Workspace, record, kind: str, terms: list[tuple[str, str]]) -> SearchHit:
    try:
        spec = ws.catalog[record.module]
    except KeyError:  # a module without a form (raw records): no field to name
        return SearchHit(record, record.module, kind)
    return SearchHit(record, record.module, kind, term_field(spec, record.data, terms))


def _bigram_intersection(idx, text: str, modules: list[str], limit: int):
    """Records whose names contain every bigram of `text` (names of 3+ characters, mid-string)."""
    grams = [text[i : i + 2] for i in range(len(text) - 1)]
    first = {h.uuid: h for h in idx.exact("bi", grams[0], modules=modules, limit=5000)}
    for g in grams[1:]:
        keep = {h.uuid for h in idx.exact("bi", g, modules=modules, limit=5000)}
        first = {u: h for u, h in first.items() if u in keep}
        if not first:
            break
    return list(first.values())[:limit]
