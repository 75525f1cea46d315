"""Record use cases: check while typing, save, delete, view, list, history, display.

Saving and deleting are the door's (`services.door`): every change passes the same rules in the
same order whichever screen, script or import makes it. This module keeps what surrounds a
change: the check the form shows while typing, reads (audited: who looked at whom), titles and
display values.

Threading: called on the thread that owns the workspace (see services.workspace).
"""

from __future__ import annotations

import dataclasses
import functools
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from fieldkit.domain.errors import NotFound, PermissionDenied, ValidationFailed
from fieldkit.formspec import TYPES, FieldIssue, FieldSpec, FieldType, ModuleSpec
from fieldkit.formspec.field_types import require_kinds
from fieldkit.formspec.migrations import RETIRED
from fieldkit.services import door, door_rules
from fieldkit.services.workspace import Workspace

PERSON_MODULE = "residents"


def walk_fields(fields, values: dict[str, Any] | None, prefix: str = "") -> Iterator[tuple[str, FieldSpec, Any]]:
    """Yield (path, field, value) for every field, descending into repeat-group rows."""
    values = values or {}
    for f in fields:
        value = values.get(f.name)
        if f.type is FieldType.REPEAT:
            for i, row in enumerate(value or []):
                yield from walk_fields(f.fields, row if isinstance(row, dict) else {}, f"{prefix}{f.name}[{i}].")
        else:
            yield f"{prefix}{f.name}", f, value


def field_with_role(spec: ModuleSpec, role: str) -> FieldSpec | None:
    return next((f for f in spec.fields if f.role == role), None)


@dataclass
class CheckResult:
    """What the form shows before saving. `ok` is False when an error-level issue remains.

    `existing` — records already holding this record's key (ID number…): saving is refused and
    the form offers to open one; `similar` — people with the same name, birth date and village
    (a warning); `duplicates` is both, for display."""

    issues: list = field(default_factory=list)  # list[FieldIssue]
    existing: list = field(default_factory=list)
    similar: list = field(default_factory=list)
    watch_hits: list = field(default_factory=list)  # list[(path, WatchHit)]

    @property
    def duplicates(self) -> list:
        seen = {r.uuid for r in self.existing}
        return self.existing + [r for r in self.similar if r.uuid not in seen]

    @property
    def ok(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)

    @property
    def errors(self) -> list:
        return [i for i in self.issues if i.severity == "error"]


def check(ws: Workspace, module: str, values: dict[str, Any], uuid: str | None = None) -> CheckResult:
    """What the door would say about saving `values` (nothing is written)."""
    out = door.check(ws, module, values, uuid)
    result = CheckResult(issues=list(out.issues), existing=list(out.existing), similar=list(out.similar),
                         watch_hits=list(out.watch))
    err = out.error
    if isinstance(err, ValidationFailed):
        result.issues = list(err.issues) + [i for i in result.issues if i.severity != "error"]
    elif err is not None:
        result.issues.insert(0, FieldIssue(err.field or "", "", "", err.message, err.message_en))
    if out.existing and not isinstance(err, door_rules.Duplicate):
        dup = door_rules.duplicate(ws, ws.catalog[out.module or module], out.existing)
        result.issues.insert(0, FieldIssue(dup.field or "", "", "", dup.message, dup.message_en))
    return result


def save(ws: Workspace, module: str, values: dict[str, Any], uuid: str | None = None):
    """Create (uuid None) or update a record through the door; returns the stored Record."""
    return door.save(ws, module, values, uuid)


def delete(ws: Workspace, uuid: str, *, reason: str | None = None):
    """The door's delete (a tombstone); with a reason the trash shows. services.trash asks for one."""
    return door.delete(ws, uuid, reason=reason)


# Who may read records of a module this copy has no form for (shown raw): the platform's
# reference items reach every device of an area; anything else (a removed form) only the chief.
RAW_READERS = {"reference": ("officer", "grid_worker", "chief")}  # permissions: modules without a form are not in the table
NO_FORM = ("这类记录没有表单定义，按原始数据显示", "There is no form for these records; shown as raw data")


def readable(ws: Workspace, module: str) -> ModuleSpec | None:
    """The module's form if the user may read it; None for a module without a form that the
    user may still read raw (`RAW_READERS`); `PermissionDenied` otherwise."""
    if module in ws.catalog:
        return ws.module(module)
    if ws.user.role not in RAW_READERS.get(module, ("chief",)):
        raise PermissionDenied(f"这类记录没有表单定义（模块 {module}），只有所长可以查看",
                               message_en=f"There is no form for module {module}; only the chief may read it")
    return None


def retired_lines(rec: Any, lang: str = "zh") -> list[tuple[str, str]]:
    """(label, value) of the values a form upgrade retired from this record, shown under
    "已停用字段" on the record page, in `records show` and in exports (never lost)."""
    return retired_items(rec.data.get(RETIRED), lang)


def retired_text(slot: Any, lang: str = "zh") -> str:
    """A retired slot as one line in the UI language ("职业：教师；…" / "Occupation: teacher; …")."""
    if lang == "en":
        return "; ".join(f"{k}: {v}" for k, v in retired_items(slot, lang))
    return "；".join(f"{k}：{v}" for k, v in retired_items(slot, lang))


def retired_items(slot: Any, lang: str = "zh") -> list[tuple[str, str]]:
    """`retired_lines` of a record's stored retired slot (`formspec.migrations.RETIRED`)."""
    out: list[tuple[str, str]] = []
    if not isinstance(slot, dict):
        return out
    for name, item in slot.items():
        if not isinstance(item, dict):
            continue
        label = item.get("label_en" if lang == "en" else "label") or name
        value = item.get("value")
        out.append((str(label), "、".join(map(str, value)) if isinstance(value, list) else str(value)))
    return out


def get(ws: Workspace, uuid: str, *, audit: bool = True):
    """A record by uuid; raises NotFound. Viewing is audited (who looked at whom)."""
    rec = ws.store.records.get(uuid)
    if rec is None:
        raise NotFound("记录不存在或已删除", message_en="The record does not exist or was deleted")
    readable(ws, rec.module)  # role check
    if audit:
        ws.store.audit.log("view", module=rec.module, target=uuid)
    return rec


def history(ws: Workspace, uuid: str):
    """The record's changes, oldest first — and those of every record merged into it (each
    line's `record` names the one it came from), so a merge loses no one's history."""
    rec = get(ws, uuid, audit=False)
    lines = list(ws.store.records.history(uuid))
    seen = {uuid}
    todo = [uuid]
    while todo:  # a merged record may itself have had records merged into it
        target = todo.pop()
        for row in ws.store.records.rows(ws.store.records.ids(rec.module, where={door.MERGED_INTO: target},
                                                              deleted=True)):
            if row.uuid in seen:
                continue
            seen.add(row.uuid)
            todo.append(row.uuid)
            lines += [dataclasses.replace(c, record=row.uuid) for c in ws.store.records.history(row.uuid)]
    return sorted(lines, key=lambda c: (c.at, c.stamp))


def counts(ws: Workspace) -> dict[str, int]:
    return {m.id: ws.store.records.count(m.id) for m in ws.visible_modules()}


def list_ids(ws: Workspace, module: str, **filters) -> list[int]:
    """Ordered row ids for a lazy list (filters: order_by, desc, village, grid, date_from, date_to;
    a module without a form is listed by id only)."""
    if readable(ws, module) is None:
        filters = {k: v for k, v in filters.items() if k in ("desc",) or (k == "order_by" and v in (None, "id"))}
    return ws.store.records.ids(module, **filters)


def rows(ws: Workspace, ids: list[int]):
    return ws.store.records.rows(ids)


def title(ws: Workspace, record, lang: str = "zh") -> str:
    """The record's display title from its module's title template, e.g. "张伟 3509…" (choice
    values in `lang`); for a module without a form, its title or name value, else the module and
    the uuid's start."""
    spec = ws.catalog.get(record.module)
    if spec is None:
        data = record.data if isinstance(record.data, dict) else {}
        named = next((data[k] for k in ("title", "name", "label") if isinstance(data.get(k), str) and data[k]), "")
        return named or f"{record.module} {record.uuid[:8]}"
    # Only the fields the template names: a reference among the others would read its own
    # record's title, and that one's references theirs (address → owner → address…).
    named = _template_fields(spec.title)
    data = {f.name: display_value(ws, f, record.data.get(f.name), lang) for f in spec.fields if f.name in named}
    try:
        text = spec.title.format_map(_Blank(data)).strip()
    except (ValueError, AttributeError):
        text = ""
    return text or spec.label.get(lang)


@functools.lru_cache(maxsize=256)
def _template_fields(template: str) -> frozenset[str]:
    """The field names a title template such as "{name} {id_number}" uses."""
    try:
        return frozenset(name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template)
                         if name)
    except ValueError:  # a malformed template: title() shows the module's label
        return frozenset()


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def display_value(ws: Workspace, f: FieldSpec, value: Any, lang: str = "zh") -> str:
    """A field value as a person reads it: choice labels, 是/否, referenced record titles."""
    if value is None or value == "" or value == []:
        return ""
    return _DISPLAY[TYPES[f.type].display](ws, f, value, lang)


def _choice_text(_ws: Workspace, f: FieldSpec, value: Any, lang: str) -> str:
    labels = {c.value: (c.label.en if lang == "en" else c.label.zh) for c in f.choices}
    items = value if isinstance(value, list) else [value]
    return ("、" if lang != "en" else ", ").join(labels.get(v, str(v)) for v in items)


def _record_text(ws: Workspace, _f: FieldSpec, value: Any, lang: str) -> str:
    ref = ws.store.records.get(str(value))
    if ref is None:
        return "(deleted)" if lang == "en" else "（已删除）"
    return title(ws, ref, lang)


def _point_text(_ws: Workspace, _f: FieldSpec, value: Any, _lang: str) -> str:
    return f"{value.get('lat', '')}, {value.get('lon', '')}" if isinstance(value, dict) else str(value)


#: How each `TypeSpec.display` kind reads (the registry says which kind a field type is).
_DISPLAY: dict[str, Callable[[Workspace, FieldSpec, Any, str], str]] = {
    "text": lambda _ws, _f, value, _lang: str(value),
    "choice": _choice_text,
    "bool": lambda _ws, _f, value, lang: ("Yes" if value else "No") if lang == "en" else ("是" if value else "否"),
    "record": _record_text,
    "village": lambda ws, _f, value, _lang: village_name(ws, str(value)),
    "count": lambda _ws, _f, value, lang: f"{len(value)} 项" if lang != "en" else f"{len(value)} items",
    "point": _point_text,
}
require_kinds(_DISPLAY, "display", "services.records._DISPLAY")


def village_name(ws: Workspace, code: str) -> str:
    """The village's name for a village code (module 5), or the code itself when unknown."""
    cache = ws.__dict__.setdefault("_village_names", {})
    if code not in cache:
        hits = ws.store.search.exact("code", code, modules=["villages"], limit=1)
        rec = ws.store.records.get(hits[0].uuid) if hits else None
        cache[code] = (rec.data.get("name") if rec else None) or code
    return cache[code]
