"""The checks of the door that need no batch: is a value already stored, who already holds a
key, who looks alike, which ID numbers a record holds and whether they are watched, how an
owned field's refusal reads. Used by `services.door` (and re-exported there); pure reads.

Threading: the workspace's thread only (see services.workspace).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from fieldkit.domain.errors import Conflict
from fieldkit.domain.validators import check_id_number
from fieldkit.formspec import FieldIssue, FieldSpec, FieldType, ModuleSpec
from fieldkit.formspec.field_types import TYPES, coerce, exact_term
from fieldkit.formspec.values import is_empty
from fieldkit.services.workspace import Workspace

_BLANK = (None, "", [], {})


class Duplicate(Conflict):
    """The record's key (ID number, doorplate code, plate) is already held by `existing`."""

    default_code = "duplicate"

    def __init__(self, message: str, *, existing: Sequence[Any], **kw: Any) -> None:
        super().__init__(message, **kw)
        self.existing = list(existing)  # the records already holding the key

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "existing": [r.uuid for r in self.existing]}


def unchanged(spec: ModuleSpec, old: Mapping[str, Any], given: Mapping[str, Any]) -> bool:
    """Whether each given value already is the stored one once coerced (scalar fields only; a
    list, a repeat group or an unknown key takes the full check)."""
    fields = by_name(spec)
    for name, raw in given.items():
        f, stored = fields.get(name), old.get(name)
        if f is None or not TYPES[f.type].scalar:
            return False
        if raw == stored and isinstance(raw, str):
            continue  # stored values are already normalised: coercing one gives it back
        if is_empty(raw):
            if not is_empty(stored):
                return False
            continue
        c = coerce(f, raw)
        if c.error or c.value != stored:
            return False
    return True


_FIELD_MAPS: dict[int, tuple[ModuleSpec, dict[str, FieldSpec]]] = {}


def by_name(spec: ModuleSpec) -> dict[str, FieldSpec]:
    """The module's top-level fields by name (specs are immutable and live as long as the catalogue)."""
    hit = _FIELD_MAPS.get(id(spec))
    if hit is None or hit[0] is not spec:
        hit = _FIELD_MAPS[id(spec)] = (spec, {f.name: f for f in spec.fields})
    return hit[1]


def owned_issue(spec: ModuleSpec, name: str) -> FieldIssue:
    f = spec.field(name)
    steps = "、".join(s.label.zh for s in spec.workflow.steps)
    steps_en = ", ".join(s.label.en for s in spec.workflow.steps)
    return FieldIssue(name, f.label.zh, f.label.en, f"由办理流程填写，不能直接修改（请使用：{steps}）",
                      f"is set by the workflow and cannot be edited (use: {steps_en})")


def id_numbers(fields: tuple[FieldSpec, ...], values: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for f in fields:
        v = values.get(f.name)
        if f.type is FieldType.REPEAT and isinstance(v, list):
            for i, row in enumerate(v):
                if isinstance(row, Mapping):
                    yield from id_numbers(f.fields, row, f"{prefix}{f.name}[{i}].")
        elif f.type is FieldType.ID_NUMBER and isinstance(v, str) and v:
            yield f"{prefix}{f.name}", v


def watch_hits(ws: Workspace, records: list[tuple[ModuleSpec, Mapping[str, Any]]]) -> list[list[tuple[str, Any]]]:
    """Watch-list hits per record, as (field path, WatchHit): one batched lookup for all."""
    found = [[(path, c.value) for path, number in id_numbers(spec.fields, clean)
              if (c := check_id_number(number)).ok] for spec, clean in records]
    numbers = [n for per in found for _p, n in per]
    hits = ws.store.watchlist.check_many(numbers) if numbers else {}
    return [[(path, hits[n]) for path, n in per if n in hits] for per in found]


def key_term(spec: ModuleSpec, value: Any) -> tuple[str, str] | None:
    if value in _BLANK:
        return None
    return exact_term(spec.field(spec.key or ""), value)


def duplicate(ws: Workspace, spec: ModuleSpec, existing: list[Any]) -> Duplicate:
    from fieldkit.services.records import title

    f = spec.field(spec.key or "")
    names = "、".join(f"{title(ws, r)}（{r.uuid[:8]}）" for r in existing[:3])
    merge = "；如确是同一人重复登记，可由所长合并" if spec.hub == "person" else ""
    merge_en = "; if it is the same person entered twice, the chief can merge them" if spec.hub == "person" else ""
    return Duplicate(
        f"{f.label.zh}已登记：{names}。请打开已有记录{merge}",
        message_en=f"{f.label.en} already registered: {', '.join(r.uuid for r in existing[:3])}. "
                   f"Open the existing record{merge_en}",
        field=spec.key, existing=existing)


def look_alikes(ws: Workspace, spec: ModuleSpec, values: Mapping[str, Any], exclude: str | None = None) -> list[Any]:
    """People who may be this one: same name, birth date and village (a warning, not a refusal)."""
    name_f, birth_f = spec.field_with_role("person_name"), spec.field_with_role("birth_date")
    village_f = spec.field_with_role("village")
    name = str(values.get(name_f.name) or "").strip() if name_f else ""
    if not name or birth_f is None or not values.get(birth_f.name):
        return []
    found = []
    for rec in ws.store.records.get_many([h.uuid for h in ws.store.search.exact("name", name, modules=[spec.id],
                                                                                  limit=200)]):
        if rec.deleted or rec.uuid == exclude:
            continue
        same_birth = str(rec.data.get(birth_f.name) or "") == str(values.get(birth_f.name))
        same_village = village_f is None or rec.data.get(village_f.name) == values.get(village_f.name)
        if same_birth and same_village:
            found.append(rec)
    return found
