"""Record use cases: check while typing, save, delete, view, list, history.

Every save goes through the module's form rules (formspec) and is refused with
`ValidationFailed` when an error-level issue remains; warnings (an unknown region code, a
likely duplicate person, a watch-list hit) are returned by `check` for the form to show, and
never block saving. Reads and writes are audited.

Threading: called on the thread that owns the workspace (see services.workspace).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fieldkit.domain.errors import NotFound, ValidationFailed
from fieldkit.domain.validators import check_id_number
from fieldkit.formspec import (
    FieldSpec,
    ModuleSpec,
    check_transitions,
    index_terms,
    normalise_record,
    validate_record,
)
from fieldkit.services.workspace import Workspace

PERSON_MODULE = "residents"


def ftype(f: FieldSpec) -> str:
    """The field's type name as a plain string (FieldType is a str enum)."""
    return getattr(f.type, "value", f.type)


def walk_fields(fields, values: dict[str, Any] | None, prefix: str = "") -> Iterator[tuple[str, FieldSpec, Any]]:
    """Yield (path, field, value) for every field, descending into repeat-group rows."""
    values = values or {}
    for f in fields:
        value = values.get(f.name)
        if ftype(f) == "repeat":
            for i, row in enumerate(value or []):
                yield from walk_fields(f.fields, row if isinstance(row, dict) else {}, f"{prefix}{f.name}[{i}].")
        else:
            yield f"{prefix}{f.name}", f, value


def field_with_role(spec: ModuleSpec, role: str) -> FieldSpec | None:
    return next((f for f in spec.fields if f.role == role), None)


@dataclass
class CheckResult:
    """What the form shows before saving. `ok` is False when an error-level issue remains."""

    issues: list = field(default_factory=list)  # list[FieldIssue]
    duplicates: list = field(default_factory=list)  # list[Record]: likely the same person
    watch_hits: list = field(default_factory=list)  # list[(path, WatchHit)]

    @property
    def ok(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)

    @property
    def errors(self) -> list:
        return [i for i in self.issues if i.severity == "error"]


def check(ws: Workspace, module: str, values: dict[str, Any], uuid: str | None = None) -> CheckResult:
    """Validate a record as the form would, find likely duplicates and watch-list hits."""
    spec = ws.module(module)
    result = CheckResult(issues=list(validate_record(spec, values)))
    if uuid is not None:
        old = ws.store.records.get(uuid)
        if old is not None:
            result.issues += check_transitions(spec, old.data, values)
    result.watch_hits = watch_hits(ws, spec, values)
    if spec.hub == "person":
        result.duplicates = likely_duplicates(ws, spec, values, exclude_uuid=uuid)
    return result


def watch_hits(ws: Workspace, spec: ModuleSpec, values: dict[str, Any]) -> list:
    """Every ID number in the record (repeat groups included) checked against the watch list."""
    hits = []
    for path, f, value in walk_fields(spec.fields, values):
        if ftype(f) == "id_number" and value:
            c = check_id_number(str(value))
            if c.ok:
                hit = ws.store.watchlist.check(c.value)
                if hit is not None:
                    hits.append((path, hit))
    return hits


def likely_duplicates(ws: Workspace, spec: ModuleSpec, values: dict[str, Any], exclude_uuid: str | None = None):
    """People who may be this one: same ID number, or same name + birth date + village."""
    found: dict[str, Any] = {}
    id_field = next((f for f in spec.fields if ftype(f) == "id_number"), None)
    if id_field is not None and values.get(id_field.name):
        c = check_id_number(str(values[id_field.name]))
        if c.ok:
            for hit in ws.store.search.exact("id", c.value, modules=[spec.id]):
                found[hit.uuid] = hit
    name_f = field_with_role(spec, "person_name")
    birth_f = field_with_role(spec, "birth_date")
    village_f = field_with_role(spec, "village")
    name = (values.get(name_f.name) or "").strip() if name_f else ""
    if name and birth_f and values.get(birth_f.name):
        for hit in ws.store.search.exact("name", name, modules=[spec.id], limit=200):
            rec = ws.store.records.get(hit.uuid)
            if rec is None:
                continue
            same_birth = str(rec.data.get(birth_f.name) or "") == str(values.get(birth_f.name))
            same_village = village_f is None or rec.data.get(village_f.name) == values.get(village_f.name)
            if same_birth and same_village:
                found[rec.uuid] = hit
    found.pop(exclude_uuid or "", None)
    return [r for r in ws.store.records.get_many(list(found)) if r is not None and not r.deleted]


def save(ws: Workspace, module: str, values: dict[str, Any], uuid: str | None = None):
    """Create (uuid None) or update a record after validation. Returns the stored Record.

    On update only the fields that changed are written, so history and per-field versions
    show exactly what the officer changed.
    """
    spec = ws.module(module)
    issues = [i for i in validate_record(spec, values) if i.severity == "error"]
    if issues:
        raise ValidationFailed(issues)
    clean = normalise_record(spec, values)
    terms = index_terms(spec, clean)
    with ws.store.transaction():
        if uuid is None:
            rec = ws.store.records.create(module, clean, terms=terms)
            ws.store.audit.log("create", module=module, target=rec.uuid)
        else:
            old = ws.store.records.get(uuid)
            if old is None:
                raise NotFound("记录不存在或已删除", message_en="The record does not exist or was deleted")
            moves = check_transitions(spec, old.data, clean)
            if moves:
                raise ValidationFailed(moves)
            changes = {k: v for k, v in clean.items() if old.data.get(k) != v}
            changes.update({k: None for k in old.data if k not in clean and old.data.get(k) is not None})
            if not changes:
                return old
            rec = ws.store.records.update(uuid, changes, terms=index_terms(spec, {**old.data, **changes}))
            ws.store.audit.log("update", module=module, target=uuid, detail={"fields": sorted(changes)})
    return rec


def delete(ws: Workspace, uuid: str):
    rec = get(ws, uuid, audit=False)
    with ws.store.transaction():
        out = ws.store.records.delete(uuid)
        ws.store.audit.log("delete", module=rec.module, target=uuid)
    return out


def get(ws: Workspace, uuid: str, *, audit: bool = True):
    """A record by uuid; raises NotFound. Viewing is audited (who looked at whom)."""
    rec = ws.store.records.get(uuid)
    if rec is None:
        raise NotFound("记录不存在或已删除", message_en="The record does not exist or was deleted")
    ws.module(rec.module)  # role check
    if audit:
        ws.store.audit.log("view", module=rec.module, target=uuid)
    return rec


def history(ws: Workspace, uuid: str):
    get(ws, uuid, audit=False)
    return ws.store.records.history(uuid)


def counts(ws: Workspace) -> dict[str, int]:
    return {m.id: ws.store.records.count(m.id) for m in ws.visible_modules()}


def list_ids(ws: Workspace, module: str, **filters) -> list[int]:
    """Ordered row ids for a lazy list (filters: order_by, desc, village, grid, date_from, date_to)."""
    ws.module(module)
    return ws.store.records.ids(module, **filters)


def rows(ws: Workspace, ids: list[int]):
    return ws.store.records.rows(ids)


def title(ws: Workspace, record) -> str:
    """The record's display title from its module's title template, e.g. "张伟 3509…"."""
    spec = ws.catalog[record.module]
    data = {f.name: display_value(ws, f, record.data.get(f.name)) for f in spec.fields}
    try:
        text = spec.title.format_map(_Blank(data)).strip()
    except (ValueError, AttributeError):
        text = ""
    return text or spec.label.zh


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def display_value(ws: Workspace, f: FieldSpec, value: Any, lang: str = "zh") -> str:
    """A field value as a person reads it: choice labels, 是/否, referenced record titles."""
    if value is None or value == "" or value == []:
        return ""
    t = ftype(f)
    if t in ("choice", "multi_choice"):
        labels = {c.value: (c.label.en if lang == "en" else c.label.zh) for c in f.choices}
        items = value if isinstance(value, list) else [value]
        return "、".join(labels.get(v, str(v)) for v in items)
    if t == "bool":
        return ("Yes" if value else "No") if lang == "en" else ("是" if value else "否")
    if t in ("person_ref", "address_ref"):
        ref = ws.store.records.get(str(value))
        return title(ws, ref) if ref is not None else "（已删除）"
    if t == "village":
        return village_name(ws, str(value))
    if t == "repeat":
        return f"{len(value)} 项" if lang != "en" else f"{len(value)} items"
    if t == "geo" and isinstance(value, dict):
        return f"{value.get('lat', '')}, {value.get('lon', '')}"
    return str(value)


def village_name(ws: Workspace, code: str) -> str:
    """The village's name for a village code (module 5), or the code itself when unknown."""
    cache = ws.__dict__.setdefault("_village_names", {})
    if code not in cache:
        hits = ws.store.search.exact("code", code, modules=["villages"], limit=1)
        rec = ws.store.records.get(hits[0].uuid) if hits else None
        cache[code] = (rec.data.get("name") if rec else None) or code
    return cache[code]
