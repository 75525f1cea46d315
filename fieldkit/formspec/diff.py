"""`fieldkit forms diff OLD NEW`: what changing the form files does to data already stored.

Records keep their values under field names and choice codes, so a rename of either leaves old
records speaking a word the new form does not know. Each `Change` says what changed, whether
stored records are touched, and the migration it needs, in Chinese and English.
A rename is a guess: a field gone and a field new in the same module with the same Chinese label
and type (a choice: a code gone and a code new with the same Chinese label).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from fieldkit.formspec.model import FieldSpec, ModuleCatalog


@dataclass(frozen=True)
class Change:
    kind: str  # module_added, module_removed, field_added, field_removed, field_renamed, type_changed,
    #            choice_removed, choice_renamed, required_added
    module: str
    field: str | None
    touches_data: bool
    what: str
    what_en: str
    migration: str
    migration_en: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def diff_catalogs(old: ModuleCatalog, new: ModuleCatalog) -> list[Change]:
    """Every change from `old` to `new`, module by module in the new order, removed modules last."""
    out: list[Change] = []
    old_ids = {m.id for m in old}
    new_ids = {m.id for m in new}
    for m in new:
        if m.id not in old_ids:
            out.append(Change("module_added", m.id, None, False, f"新增模块 {m.label.zh}", f"module {m.label.en} added",
                              "无需迁移；在 permissions.toml 中写明权限", "none; give it a section in permissions.toml"))
        else:
            out.extend(_diff_fields(m.id, old[m.id].fields, m.fields))
    for m in old:
        if m.id not in new_ids:
            out.append(Change("module_removed", m.id, None, True, f"删除模块 {m.label.zh}", f"module {m.label.en} removed",
                              "已存记录将无表单可读（只有所长可查看原始数据）：先导出或迁入其他模块",
                              "stored records lose their form (raw view for the chief only): export or move them first"))
    return out


def _diff_fields(module: str, old: tuple[FieldSpec, ...], new: tuple[FieldSpec, ...], prefix: str = "") -> list[Change]:
    out: list[Change] = []
    before = {f.name: f for f in old}
    after = {f.name: f for f in new}
    gone = [f for f in old if f.name not in after]
    added = [f for f in new if f.name not in before]
    for f in list(gone):
        twin = next((a for a in added if a.label.zh == f.label.zh and a.type is f.type), None)
        if twin is not None:
            gone.remove(f)
            added.remove(twin)
            out.append(Change("field_renamed", module, prefix + twin.name, True,
                              f"字段 {prefix}{f.name} 改名为 {twin.name}（标签“{f.label.zh}”相同）",
                              f"field {prefix}{f.name} renamed to {twin.name} (same label “{f.label.en}”)",
                              f"把已存记录的 {f.name} 改写为 {twin.name}",
                              f"rewrite {f.name} as {twin.name} in stored records"))
    for f in gone:
        out.append(Change("field_removed", module, prefix + f.name, True, f"删除字段 {prefix}{f.name}（{f.label.zh}）",
                          f"field {prefix}{f.name} ({f.label.en}) removed",
                          "已存的值不再显示：先导出，或并入其他字段", "stored values are no longer shown: export or merge them first"))
    for f in added:
        needs = f.required and f.default is None
        out.append(Change("field_added", module, prefix + f.name, needs, f"新增字段 {prefix}{f.name}（{f.label.zh}）",
                          f"field {prefix}{f.name} ({f.label.en}) added",
                          "必填且无默认值：旧记录再次保存前须补填" if needs else "无需迁移",
                          "required with no default: old records must be filled in before they save again"
                          if needs else "none"))
    for f in new:
        if f.name in before:
            out.extend(_diff_field(module, before[f.name], f, prefix))
    return out


def _diff_field(module: str, old: FieldSpec, new: FieldSpec, prefix: str) -> list[Change]:
    name = prefix + new.name
    out: list[Change] = []
    if old.type is not new.type:
        out.append(Change("type_changed", module, name, True, f"字段 {name} 类型由 {old.type.value} 改为 {new.type.value}",
                          f"field {name} type changed from {old.type.value} to {new.type.value}",
                          f"把已存的值从 {old.type.value} 转换为 {new.type.value}，转换不了的逐条核对",
                          f"convert stored values from {old.type.value} to {new.type.value}; check those that do not convert"))
    if new.required and not old.required:
        out.append(Change("required_added", module, name, True, f"字段 {name} 改为必填", f"field {name} made required",
                          "旧记录中此项为空的，再次保存前须补填", "old records where it is empty must be filled in before they save again"))
    if old.choices:
        out.extend(_diff_choices(module, name, old, new))
    if old.fields or new.fields:
        out.extend(_diff_fields(module, old.fields, new.fields, f"{name}."))
    return out


def _diff_choices(module: str, name: str, old: FieldSpec, new: FieldSpec) -> list[Change]:
    out: list[Change] = []
    kept = {c.value for c in new.choices}
    fresh = [c for c in new.choices if c.value not in {o.value for o in old.choices}]
    for c in old.choices:
        if c.value in kept:
            continue
        twin = next((n for n in fresh if n.label.zh == c.label.zh), None)
        if twin is not None:
            fresh.remove(twin)
            out.append(Change("choice_renamed", module, name, True,
                              f"字段 {name} 的选项代码 {c.value} 改为 {twin.value}（“{c.label.zh}”）",
                              f"field {name}: choice code {c.value} renamed to {twin.value} (“{c.label.en}”)",
                              f"把已存记录中的 {c.value} 改写为 {twin.value}", f"rewrite {c.value} as {twin.value} in stored records"))
        else:
            out.append(Change("choice_removed", module, name, True,
                              f"字段 {name} 删除选项 {c.value}（{c.label.zh}）",
                              f"field {name}: choice {c.value} ({c.label.en}) removed",
                              f"已存为 {c.value} 的记录须改为另一选项", f"records holding {c.value} must be moved to another choice"))
    return out


def touches_data(changes: list[Change]) -> bool:
    return any(c.touches_data for c in changes)
