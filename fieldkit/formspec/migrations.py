"""Form versions and the migration steps a form file declares beside its fields.

A form that changes what stored records mean (a field renamed, split, merged, moved or retired,
a choice code changed) raises its top-level `version` and declares how stored values follow:

    version = 3
    [[migrations]]
    to = 2
    rename = { occupation = "job" }
    [[migrations]]
    to = 3
    choices = { field = "sex", map = { "男" = "M", "女" = "F" } }
    retire = ["job"]

Everything here is pure: `parse` reads the steps (the loader calls it), `apply_step` rewrites
one record's values, `snapshot` is what a store remembers of the form it last ran, and
`plan_upgrade` compares that memory with the forms loaded now — the steps to run, or a
`FormSpecError` naming the file and the field (a rollback, a data-touching change without a
step). Retired values are kept in the record under `RETIRED` (`{name: {label, label_en, value}}`),
shown under "已停用字段" on the record page and in exports. The store run is
`services.form_upgrade`; docs/forms.md has the syntax and a worked example.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldkit.formspec.model import FieldSpec, FormSpecError, ModuleCatalog, ModuleSpec

RETIRED = "_retired"  # data key of retired values (field names never start with "_")
RETIRED_LABEL = ("已停用字段", "Retired fields")
_STEP_KEYS = {"to", "rename", "choices", "split", "merge", "move", "retire"}


@dataclass(frozen=True)
class Split:
    field: str
    into: tuple[str, ...]
    sep: str = " "


@dataclass(frozen=True)
class Merge:
    fields: tuple[str, ...]
    into: str
    sep: str = " "


@dataclass(frozen=True)
class Move:
    """The value goes to the record `via` (a person/address ref of this record) points at,
    into its field `into` when that is blank, else into that record's retired slot."""

    field: str
    module: str
    via: str
    into: str


@dataclass(frozen=True)
class MigrationStep:
    """What stored values do when the form goes from version `to - 1` to `to`. Applied in the
    order rename, split, merge, choices, move, retire (choices name fields after the rename)."""

    to: int
    rename: tuple[tuple[str, str], ...] = ()
    choices: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # (field, ((old, new), …))
    split: tuple[Split, ...] = ()
    merge: tuple[Merge, ...] = ()
    move: tuple[Move, ...] = ()
    retire: tuple[str, ...] = ()

    def sources(self) -> set[str]:
        """Fields this step takes away from a record."""
        return ({a for a, _ in self.rename} | {s.field for s in self.split} | {n for m in self.merge for n in m.fields}
                | {m.field for m in self.move} | set(self.retire))


# -- parsing -------------------------------------------------------------------------------------
def _fail(path: Path, where: str, zh: str, en: str) -> FormSpecError:
    return FormSpecError(zh, message_en=en, path=path, field=where)


def _name(value: Any, path: Path, where: str) -> str:
    if not isinstance(value, str) or not value.isidentifier() or value.startswith("_"):
        raise _fail(path, where, f"迁移中的字段名 {value!r} 无效", f"invalid field name {value!r} in a migration")
    return value


def _tables(raw: Any, path: Path, where: str) -> list[dict[str, Any]]:
    items = [raw] if isinstance(raw, dict) else raw
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _fail(path, where, "应为表或表的数组", "must be a table or an array of tables")
    return items


def _sep(item: dict[str, Any], path: Path, where: str) -> str:
    sep = item.get("sep", " ")
    if not isinstance(sep, str):
        raise _fail(path, where, "sep 必须是字符串", "sep must be a string")
    return sep


def _step(raw: Any, path: Path, i: int) -> MigrationStep:
    where = f"migrations[{i}]"
    if not isinstance(raw, dict):
        raise _fail(path, where, "迁移步骤必须是表 [[migrations]]", "a migration step must be a [[migrations]] table")
    unknown = sorted(set(raw) - _STEP_KEYS)
    if unknown:
        raise _fail(path, where, f"未知的迁移属性 {unknown[0]!r}", f"unknown migration key {unknown[0]!r}")
    to = raw.get("to")
    if not isinstance(to, int) or isinstance(to, bool) or to < 2:
        raise _fail(path, f"{where}.to", "to 必须是不小于 2 的整数（迁移到的版本）",
                    "to must be an integer of at least 2 (the version it migrates to)")
    rename = raw.get("rename", {})
    if not isinstance(rename, dict):
        raise _fail(path, f"{where}.rename", "rename 应为 { 旧名 = \"新名\" }", "rename must map old names to new")
    choices = []
    for item in _tables(raw.get("choices", []), path, f"{where}.choices"):
        mapping = item.get("map")
        if not isinstance(mapping, dict) or not mapping or not all(isinstance(v, str) for v in mapping.values()):
            raise _fail(path, f"{where}.choices", "choices 需要 field 和 map = { 旧代码 = \"新代码\" }",
                        "choices needs field and map = { old = \"new\" }")
        choices.append((_name(item.get("field"), path, f"{where}.choices"), tuple((str(k), v) for k, v in mapping.items())))
    split = []
    for item in _tables(raw.get("split", []), path, f"{where}.split"):
        into = item.get("into")
        if not isinstance(into, list) or len(into) < 2:
            raise _fail(path, f"{where}.split", "split 的 into 至少要两个字段", "split needs at least two fields in into")
        split.append(Split(_name(item.get("field"), path, f"{where}.split"),
                           tuple(_name(n, path, f"{where}.split") for n in into), _sep(item, path, f"{where}.split")))
    merge = []
    for item in _tables(raw.get("merge", []), path, f"{where}.merge"):
        names = item.get("fields")
        if not isinstance(names, list) or len(names) < 2:
            raise _fail(path, f"{where}.merge", "merge 的 fields 至少要两个字段", "merge needs at least two fields")
        merge.append(Merge(tuple(_name(n, path, f"{where}.merge") for n in names),
                           _name(item.get("into"), path, f"{where}.merge"), _sep(item, path, f"{where}.merge")))
    move = []
    for item in _tables(raw.get("move", []), path, f"{where}.move"):
        mod = item.get("module")
        if not isinstance(mod, str) or not mod.isidentifier():
            raise _fail(path, f"{where}.move", "move 需要 module（目标模块）", "move needs module (the target module)")
        fname = _name(item.get("field"), path, f"{where}.move")
        move.append(Move(fname, mod, _name(item.get("via"), path, f"{where}.move"),
                         _name(item.get("into", fname), path, f"{where}.move")))
    retire = raw.get("retire", [])
    if not isinstance(retire, list):
        raise _fail(path, f"{where}.retire", "retire 应为字段名列表", "retire must be a list of field names")
    return MigrationStep(
        to=to, rename=tuple((_name(a, path, f"{where}.rename"), _name(b, path, f"{where}.rename")) for a, b in rename.items()),
        choices=tuple(choices), split=tuple(split), merge=tuple(merge), move=tuple(move),
        retire=tuple(_name(n, path, f"{where}.retire") for n in retire),
    )


def parse(raw: Any, version: int, path: Path, fields: Iterable[FieldSpec]) -> tuple[MigrationStep, ...]:
    """The `[[migrations]]` of a form at `version`: each `to` once, from 2 up to `version`,
    and every field a step writes to exists in the form unless a later step takes it away."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _fail(path, "migrations", "migrations 应写成 [[migrations]] 表数组", "migrations must be [[migrations]] tables")
    steps = sorted((_step(r, path, i) for i, r in enumerate(raw)), key=lambda s: s.to)
    seen: set[int] = set()
    for s in steps:
        if s.to in seen:
            raise _fail(path, "migrations", f"有两个迁移步骤 to = {s.to}", f"two migration steps with to = {s.to}")
        if s.to > version:
            raise _fail(path, "version", f"迁移步骤 to = {s.to} 高于表单版本 version = {version}",
                        f"a migration step to = {s.to} is above the form version {version}")
        seen.add(s.to)
    names = {f.name for f in fields}
    for i, s in enumerate(steps):
        later = set().union(*(t.sources() for t in steps[i + 1:]))
        written = ({b for _, b in s.rename} | {n for sp in s.split for n in sp.into} | {m.into for m in s.merge}
                   | {f for f, _ in s.choices})
        for n in sorted(written - names - later):
            raise _fail(path, n, f"迁移到 v{s.to} 写入的字段 {n} 在表单中不存在",
                        f"the migration to v{s.to} writes field {n}, which the form does not have")
    return tuple(steps)


# -- one record ----------------------------------------------------------------------------------
def _blank(v: Any) -> bool:
    return v is None or v == "" or v == []


def _retire(out: dict[str, Any], name: str, value: Any, labels: Mapping[str, tuple[str, str]]) -> None:
    if _blank(value):
        return
    zh, en = labels.get(name, (name, name))
    slot = dict(out.get(RETIRED) or {})
    slot[name] = {"label": zh, "label_en": en, "value": value}
    out[RETIRED] = slot


def apply_step(values: Mapping[str, Any], step: MigrationStep, labels: Mapping[str, tuple[str, str]] | None = None,
               *, current: Mapping[str, set[str]] | None = None) -> tuple[dict[str, Any], list[tuple[str, str, str, Any]]]:
    """One record's values after `step`, and the values it sends to other records as
    (module, uuid, field, value). `labels` name the fields of the old form (for retired values).

    `current` (the current form's field names → their choice codes) makes the step lenient, for
    values arriving from sync: only fields the current form no longer has are taken, only codes
    it does not know are mapped, and a value never overwrites one a newer writer gave. Pure."""
    labels = labels or {}
    out = dict(values)
    lenient = current is not None

    def gone(name: str) -> bool:
        return name in out and (current is None or name not in current)

    def fill(name: str, value: Any) -> None:
        if not lenient or _blank(out.get(name)):
            out[name] = value

    for old, new in step.rename:
        if gone(old):
            fill(new, out.pop(old))
    for sp in step.split:
        if gone(sp.field):
            v = out.pop(sp.field)
            parts = [] if _blank(v) else str(v).split(sp.sep, len(sp.into) - 1) if sp.sep else [str(v)]
            for name, part in zip(sp.into, parts, strict=False):
                if part.strip():
                    fill(name, part.strip())
    for mg in step.merge:
        if any(gone(n) for n in mg.fields):
            parts = [str(out.pop(n)) for n in mg.fields if n in out and not _blank(out.get(n))]
            if parts:
                fill(mg.into, mg.sep.join(parts))
    for name, mapping in step.choices:
        table = dict(mapping)
        known = current.get(name, set()) if current is not None else set()
        v = out.get(name)
        if isinstance(v, list):
            out[name] = [table[str(x)] if str(x) in table and str(x) not in known else x for x in v]
        elif v is not None and str(v) in table and str(v) not in known:
            out[name] = table[str(v)]
    moves: list[tuple[str, str, str, Any]] = []
    for mv in step.move:
        if gone(mv.field):
            v, link = out.pop(mv.field), out.get(mv.via)
            if _blank(v):
                continue
            if isinstance(link, str) and link:
                moves.append((mv.module, link, mv.into, v))
            else:  # nowhere to go: kept on this record, never dropped
                _retire(out, mv.field, v, labels)
    for name in step.retire:
        if gone(name):
            _retire(out, name, out.pop(name), labels)
    return out, moves


def carry_versions(versions: Mapping[str, str], step: MigrationStep) -> dict[str, str]:
    """Per-field stamps after `step`: a renamed value keeps its stamp, a split or merged one the
    newest of its sources; fields taken away lose theirs."""
    out = dict(versions)
    for old, new in step.rename:
        if old in out:
            out[new] = max(out.pop(old), out.get(new, ""))
    for sp in step.split:
        if sp.field in out:
            s = out.pop(sp.field)
            for n in sp.into:
                out[n] = max(s, out.get(n, ""))
    for mg in step.merge:
        stamps = [out.pop(n) for n in mg.fields if n in out]
        if stamps:
            out[mg.into] = max([*stamps, out.get(mg.into, "")])
    for n in {m.field for m in step.move} | set(step.retire):
        out.pop(n, None)
    return out


def upgrade(values: Mapping[str, Any], steps: Iterable[MigrationStep], from_v: int, to_v: int,
            labels: Mapping[str, tuple[str, str]] | None = None) -> dict[str, Any]:
    """`values` written under form version `from_v` as form version `to_v` has them (moves to
    other records are left to the caller: `apply_step`)."""
    out = dict(values)
    for s in steps:
        if from_v < s.to <= to_v:
            out, _ = apply_step(out, s, labels)
    return out


# -- what a store remembers, and what to run -----------------------------------------------------
def snapshot(spec: ModuleSpec) -> dict[str, Any]:
    """The form as a store remembers it: version, file name, and per field its type, labels and
    choice codes (JSON; enough to name what a later form dropped or a rollback brings back)."""
    return {
        "version": spec.version,
        "file": spec.source.name if spec.source else spec.id,
        "fields": {f.name: [f.type.value, f.label.zh, f.label.en, [c.value for c in f.choices]] for f in spec.fields},
    }


@dataclass(frozen=True)
class ModuleUpgrade:
    module: str
    from_v: int
    to_v: int
    steps: tuple[MigrationStep, ...]
    labels: Mapping[str, tuple[str, str]]  # the old form's field labels (for retired values)
    source: str


@dataclass(frozen=True)
class UpgradePlan:
    modules: tuple[ModuleUpgrade, ...] = ()
    # Forms to remember without running anything (first run, or no data-touching change).
    remember: Mapping[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.modules)


def plan_upgrade(old: ModuleCatalog | Mapping[str, Any], new: ModuleCatalog) -> UpgradePlan:
    """What going from `old` (a catalogue, or the `snapshot`s a store keeps by module id) to
    `new` needs. A `FormSpecError` naming the file and the field when it cannot be done:
    a form older than the one that last ran (a rollback), or a change that touches stored
    data with no step declaring what becomes of it. Modules missing from `new` are left alone
    (their records stay readable raw); modules new to `old` need nothing."""
    snaps = {m.id: snapshot(m) for m in old} if isinstance(old, ModuleCatalog) else dict(old)
    ups: list[ModuleUpgrade] = []
    remember: dict[str, Any] = {}
    for spec in new:
        snap = snaps.get(spec.id)
        now = snapshot(spec)
        if snap is None:
            remember[spec.id] = now
            continue
        _check(spec, snap)
        if snap["version"] < spec.version:
            ups.append(ModuleUpgrade(spec.id, snap["version"], spec.version,
                                     tuple(s for s in spec.migrations if s.to > snap["version"]),
                                     {n: (f[1], f[2]) for n, f in snap["fields"].items()}, now["file"]))
        elif now != snap:
            remember[spec.id] = now
    return UpgradePlan(tuple(ups), remember)


def _check(spec: ModuleSpec, snap: Mapping[str, Any]) -> None:
    path = spec.source or Path(spec.id)
    stored, loaded = int(snap["version"]), spec.version
    old_fields: dict[str, Any] = snap.get("fields") or {}
    now_fields = {f.name: f for f in spec.fields}
    if loaded < stored:
        missing = next((n for n in old_fields if n not in now_fields), None)
        raise FormSpecError(
            f"表单版本 v{loaded} 低于本机数据已升级到的 v{stored}{f'（v{stored} 的字段 {missing} 在此版本中没有）' if missing else ''}："
            "不能回退表单，请装回该版本或更新的表单",
            message_en=f"form version v{loaded} is older than v{stored}, which this store's data was upgraded to"
                       f"{f' (field {missing} of v{stored} is not in it)' if missing else ''}: a form cannot be rolled "
                       "back; install that version or a newer one",
            path=path, field=missing or "version")
    steps = [s for s in spec.migrations if s.to > stored]
    names = {n: n for n in old_fields}  # old name -> where its values are now
    maps: dict[str, dict[str, str]] = {}
    for s in steps:
        renamed = dict(s.rename)
        for o, cur in list(names.items()):
            if cur in s.sources():
                names[o] = renamed.get(cur, "")
        for fname, mapping in s.choices:
            for o, cur in names.items():
                if cur == fname:
                    m = maps.setdefault(o, {})
                    table = dict(mapping)
                    for code in old_fields[o][3]:
                        m[code] = table.get(m.get(code, code), m.get(code, code))
    bump = "" if steps else f"（并把 version 提高到 {stored + 1}）"
    bump_en = "" if steps else f" (and raise version to {stored + 1})"
    for o, cur in names.items():
        if cur and cur not in now_fields:
            raise FormSpecError(
                f"字段 {o} 已不在表单中，但没有迁移步骤说明旧值的去向：在 [[migrations]] 中写 rename、retire 等{bump}",
                message_en=f"field {o} is gone from the form with no migration step saying where its stored values go: "
                           f"declare rename, retire … in [[migrations]]{bump_en}", path=path, field=o)
        f = now_fields.get(cur) if cur else None
        if f is None or not f.choices or not old_fields[o][3]:
            continue
        codes = {c.value for c in f.choices}
        for code in old_fields[o][3]:
            target = maps.get(o, {}).get(code, code)
            if target not in codes:
                raise FormSpecError(
                    f"选项代码 {code} 已不在表单中，但没有迁移步骤把已存的 {code} 改为新代码：写 choices = {{ field = \"{cur}\", "
                    f"map = {{ \"{code}\" = \"…\" }} }}{bump}",
                    message_en=f"choice code {code} is gone with no migration step mapping stored {code} to a new code: "
                               f"declare choices = {{ field = \"{cur}\", map = {{ \"{code}\" = \"…\" }} }}{bump_en}",
                    path=path, field=cur)


def advance(snap: Mapping[str, Any], step: MigrationStep, spec: ModuleSpec) -> dict[str, Any]:
    """The remembered form after `step` ran (names renamed, codes mapped, fields taken away
    dropped; fields a split or merge fills taken from `spec`): what a run killed between two
    steps resumes from."""
    renamed, taken = dict(step.rename), step.sources()
    fields: dict[str, Any] = {}
    for n, f in (snap.get("fields") or {}).items():
        if n not in taken:
            fields[n] = f
        elif renamed.get(n):
            fields[renamed[n]] = f
    now = snapshot(spec)["fields"]
    for n in {x for sp in step.split for x in sp.into} | {m.into for m in step.merge}:
        fields.setdefault(n, now.get(n, ["text", n, n, []]))
    for name, mapping in step.choices:
        if name in fields:
            table = dict(mapping)
            t, zh, en, codes = fields[name]
            fields[name] = [t, zh, en, list(dict.fromkeys(table.get(c, c) for c in codes))]
    return {"version": step.to, "file": snap.get("file"), "fields": fields}
