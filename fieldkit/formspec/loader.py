"""Read `forms/*.toml` into a `ModuleCatalog`, rejecting broken definitions.

Every module is one TOML file (`NN_<id>.toml`); `lists.toml` beside them holds shared choice
lists (e.g. the 56 ethnicities) that a field names with `choices = "ethnicity"`. A broken file
raises `FormSpecError` naming the file and the field. Loading does file I/O: call it once at
start-up (any thread); the catalog it returns is immutable.
"""

from __future__ import annotations

import os
import string
import sys
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from fieldkit.formspec import calc, migrations, print_layout, workflow
from fieldkit.formspec.expr import ExprError, compile_expr
from fieldkit.formspec.field_types import REF_DEFAULTS, TYPES, require_all
from fieldkit.formspec.model import (
    FIELD_ROLES,
    GROUPS,
    HUBS,
    SEARCH_KINDS,
    Choice,
    FieldSpec,
    FieldType,
    FormSpecError,
    Label,
    LedgerSpec,
    ModuleCatalog,
    ModuleSpec,
)
from fieldkit.formspec.permissions import PERMISSIONS_FILE, PermissionTable, load_permissions

LISTS_FILE = "lists.toml"
_MODULE_KEYS = {"id", "number", "label", "group", "title", "hub", "fields", "ledger", "description", "key",
                "workflow", "print", "version", "merge", "migrations"}
_FIELD_KEYS = {
    "name", "type", "label", "required", "relevant", "constraint", "constraint_message", "choices",
    "search", "ref", "fields", "default", "help", "role", "unit", "calculate", "fill_only", "append_only",
}
_MERGE_KINDS = ("fields", "append_only")  # how sync merges a module: field by field, or keeping every version
_LEDGER_KEYS = {"title", "columns", "orientation", "order_by", "widths", "sign_every_page"}
# A declared column width (mm): narrower cannot hold one character, wider than A4 landscape's
# printable width cannot print.
_WIDTH_MM = (4.0, 270.0)
_CHOICE_TYPES = (FieldType.CHOICE, FieldType.MULTI_CHOICE)


def default_forms_dir() -> Path:
    """Where the module definitions are: `$FIELDKIT_FORMS_DIR`, else the source tree's `forms/`,
    else an installed copy under `<prefix>/share/fieldkit/forms`."""
    env = os.environ.get("FIELDKIT_FORMS_DIR")
    if env:
        return Path(env)
    candidates = [
        Path(__file__).resolve().parents[2] / "forms",
        Path(sys.prefix) / "share" / "fieldkit" / "forms",
    ]
    for c in candidates:
        if c.is_dir():
            return c
    return candidates[0]


def load_modules(directory: Path | str | None = None) -> ModuleCatalog:
    """Load every module file in `directory` (default: `default_forms_dir()`), ordered by number."""
    require_all(TYPES, "formspec.field_types.TYPES")  # a type without its entry fails here, named
    folder = Path(directory) if directory is not None else default_forms_dir()
    if not folder.is_dir():
        raise FormSpecError(
            "找不到表单定义目录", message_en="form definition directory not found", path=folder
        )
    lists = _load_lists(folder / LISTS_FILE)
    modules: list[ModuleSpec] = []
    for path in sorted(folder.glob("*.toml")):
        if path.name in (LISTS_FILE, PERMISSIONS_FILE) or path.name.startswith(("_", ".")):
            continue
        modules.append(_load_module(path, lists))
    if not modules:
        raise FormSpecError("目录中没有模块定义", message_en="no module definitions found", path=folder)
    _check_catalog(modules)
    print_layout.check_refs(modules)
    modules.sort(key=lambda m: m.number)
    table = load_permissions(folder / PERMISSIONS_FILE, [m.id for m in modules])
    modules = [_with_permissions(m, table) for m in modules]
    return ModuleCatalog(tuple(modules), directory=folder, permissions=table)


def _with_permissions(m: ModuleSpec, table: PermissionTable) -> ModuleSpec:
    """`m` with `roles` (who sees it) taken from the table; a workflow's own creators must be
    the ones the table lets create, so the two files cannot tell different stories."""
    wf = m.workflow
    creators = set(table.roles_for("create", m.id))
    if wf is not None and wf.create_roles and set(wf.create_roles) != creators:
        raise _fail(m.source or Path(m.id), "workflow.create.roles",
                    f"与权限表 permissions.toml 不一致（权限表允许新建：{'、'.join(r.zh for r in table.roles_for('create', m.id)) or '无'}）",
                    f"disagrees with permissions.toml (which lets {', '.join(r.value for r in creators) or 'nobody'} create)")
    return replace(m, roles=table.viewers(m.id))


def load_module_file(path: Path | str, lists_file: Path | str | None = None) -> ModuleSpec:
    """Load and check one module file alone (refs to other modules are not checked)."""
    p = Path(path)
    lists = _load_lists(Path(lists_file) if lists_file else p.parent / LISTS_FILE)
    return _load_module(p, lists)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise FormSpecError(f"TOML 语法错误：{exc}", message_en=f"TOML syntax error: {exc}", path=path) from None
    except UnicodeDecodeError:
        raise FormSpecError("文件不是 UTF-8 编码", message_en="file is not UTF-8", path=path) from None


def _load_lists(path: Path) -> dict[str, tuple[Choice, ...]]:
    if not path.exists():
        return {}
    data = _read_toml(path)
    out: dict[str, tuple[Choice, ...]] = {}
    for name, items in data.items():
        out[name] = _choices(items, path, f"lists.{name}", {})
    return out


def _label(raw: Any, path: Path, field: str | None, what: tuple[str, str] = ("标签", "label")) -> Label:
    if isinstance(raw, dict) and isinstance(raw.get("zh"), str) and raw["zh"].strip() \
            and isinstance(raw.get("en"), str) and raw["en"].strip():
        return Label(raw["zh"].strip(), raw["en"].strip())
    raise FormSpecError(
        f"缺少或不完整的{what[0]}（需要 zh 和 en）",
        message_en=f"missing or incomplete {what[1]} (needs zh and en)",
        path=path, field=field,
    )


def _choices(raw: Any, path: Path, field: str, lists: dict[str, tuple[Choice, ...]]) -> tuple[Choice, ...]:
    if isinstance(raw, str):
        if raw not in lists:
            raise FormSpecError(
                f"未知的选项列表 {raw!r}", message_en=f"unknown choice list {raw!r}", path=path, field=field
            )
        return lists[raw]
    if not isinstance(raw, list) or not raw:
        raise FormSpecError("选择题缺少选项", message_en="choice field without choices", path=path, field=field)
    out: list[Choice] = []
    seen: set[str] = set()
    for item in raw:
        if not isinstance(item, dict) or "value" not in item:
            raise FormSpecError(
                "选项需要 value、zh、en", message_en="each choice needs value, zh and en", path=path, field=field
            )
        value = str(item["value"])
        if value in seen:
            raise FormSpecError(
                f"重复的选项值 {value!r}", message_en=f"duplicate choice value {value!r}", path=path, field=field
            )
        seen.add(value)
        out.append(Choice(value, _label(item, path, field, (f"选项 {value} 的标签", f"label of choice {value}"))))
    return tuple(out)


def _fail(path: Path | None, field: str | None, zh: str, en: str) -> FormSpecError:
    return FormSpecError(zh, message_en=en, path=path, field=field)


def _field(raw: Any, path: Path, lists: dict[str, tuple[Choice, ...]], prefix: str = "") -> FieldSpec:
    if not isinstance(raw, dict):
        raise _fail(path, prefix or None, "字段定义必须是表", "a field must be a table")
    name = raw.get("name")
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        raise _fail(path, f"{prefix}{name}" if name else prefix or None,
                    "字段名缺失或无效（需为英文标识符）", "missing or invalid field name (must be an identifier)")
    where = f"{prefix}{name}"
    unknown = sorted(set(raw) - _FIELD_KEYS)
    if unknown:
        raise _fail(path, where, f"未知的属性 {unknown[0]!r}", f"unknown key {unknown[0]!r}")
    try:
        ftype = FieldType(str(raw.get("type")))
    except ValueError:
        raise _fail(path, where, f"未知的字段类型 {raw.get('type')!r}", f"unknown field type {raw.get('type')!r}") from None
    label = _label(raw.get("label"), path, where)
    choices: tuple[Choice, ...] = ()
    if ftype in _CHOICE_TYPES:
        choices = _choices(raw.get("choices"), path, where, lists)
    elif "choices" in raw:
        raise _fail(path, where, "只有选择题可以有选项", "only choice fields may have choices")
    search = raw.get("search")
    if search is not None and search not in SEARCH_KINDS:
        raise _fail(path, where, f"search 只能是 exact 或 name，而不是 {search!r}",
                    f"search must be 'exact' or 'name', not {search!r}")
    role = raw.get("role")
    if role is not None and role not in FIELD_ROLES:
        raise _fail(path, where, f"未知的字段角色 {role!r}", f"unknown field role {role!r}")
    ref = raw.get("ref", REF_DEFAULTS.get(ftype))
    if "ref" in raw and ftype not in REF_DEFAULTS:
        raise _fail(path, where, "只有引用字段可以有 ref", "only person_ref/address_ref/village fields may have ref")
    subfields: tuple[FieldSpec, ...] = ()
    if ftype is FieldType.REPEAT:
        rows = raw.get("fields")
        if not isinstance(rows, list) or not rows:
            raise _fail(path, where, "重复组缺少子字段", "repeat group without nested fields")
        subfields = tuple(_field(r, path, lists, f"{where}.") for r in rows)
        _check_unique(subfields, path, f"{where}.")
        for sub in subfields:
            if sub.type is FieldType.REPEAT:
                raise _fail(path, f"{where}.{sub.name}", "重复组不能嵌套", "repeat groups cannot be nested")
    elif "fields" in raw:
        raise _fail(path, where, "只有重复组可以有子字段", "only repeat fields may have nested fields")
    cmsg = raw.get("constraint_message")
    if raw.get("constraint") and cmsg is None:
        raise _fail(path, where, "有约束条件但缺少 constraint_message", "constraint without constraint_message")
    default = _default(raw.get("default"), ftype, choices, path, where)
    calculate = _calculate(raw, ftype, path, where, prefix)
    return FieldSpec(
        name=name,
        type=ftype,
        label=label,
        required=bool(raw.get("required", False)),
        relevant=raw.get("relevant") or None,
        constraint=raw.get("constraint") or None,
        constraint_message=_label(cmsg, path, where, ("约束提示 constraint_message", "constraint_message")) if cmsg is not None else None,
        choices=choices,
        search=search,
        ref=ref,
        fields=subfields,
        default=default,
        help=_label(raw["help"], path, where, ("帮助说明 help", "help")) if "help" in raw else None,
        role=role,
        unit=_label(raw["unit"], path, where, ("单位 unit", "unit")) if "unit" in raw else None,
        calculate=calculate,
        fill_only=bool(raw.get("fill_only", False)),
        append_only=_append_only_flag(raw, path, where, prefix),
    )


def _append_only_flag(raw: dict[str, Any], path: Path, where: str, prefix: str) -> bool:
    """`append_only = true`: sync keeps every version of this field (the first one shows)."""
    value = raw.get("append_only", False)
    if not isinstance(value, bool):
        raise _fail(path, where, "append_only 只能是 true 或 false", "append_only must be true or false")
    if value and prefix:
        # Sync merges a repeat group as one value: a row's field has no versions of its own.
        raise _fail(path, where, "重复组中的字段不能单独设为 append_only，请设在重复组上",
                    "a field of a repeat group cannot be append_only: set it on the group")
    return value


def _calculate(raw: dict[str, Any], ftype: FieldType, path: Path, where: str, prefix: str) -> str | None:
    """The `calculate` text after the checks that need no other field (names: `_check_expressions`)."""
    text = raw.get("calculate")
    if "fill_only" in raw and (text is None or not isinstance(raw["fill_only"], bool)):
        raise _fail(path, where, "fill_only 只能是 true 或 false，且需要 calculate",
                    "fill_only must be true or false, beside a calculate")
    if text is None:
        return None
    if not isinstance(text, str) or not text.strip():
        raise _fail(path, where, "calculate 表达式为空", "calculate expression is empty")
    if prefix:
        raise _fail(path, where, "重复组中的字段暂不能计算", "a field of a repeat group cannot calculate (yet)")
    if not TYPES[ftype].calculable:
        raise _fail(path, where, f"{ftype.value} 字段不能计算", f"a {ftype.value} field cannot calculate")
    if "default" in raw:
        raise _fail(path, where, "calculate 与 default 不能同时使用", "calculate and default cannot both be given")
    return text


def _default(default: Any, ftype: FieldType, choices: tuple[Choice, ...], path: Path, where: str) -> Any:
    """Check a default against the field's type; lists become tuples so specs stay hashable."""
    if default is None:
        return None
    suits = TYPES[ftype].default_ok
    if suits is None or not suits(default, {c.value for c in choices}):
        raise _fail(path, where, f"默认值 {default!r} 与字段类型 {ftype.value} 不符",
                    f"default {default!r} does not suit a {ftype.value} field")
    return tuple(str(d) for d in default) if isinstance(default, list) else default


def _check_unique(fields: tuple[FieldSpec, ...], path: Path, prefix: str) -> None:
    seen: set[str] = set()
    for f in fields:
        if f.name in seen:
            raise _fail(path, f"{prefix}{f.name}", "字段名重复", "duplicate field name")
        seen.add(f.name)


def _check_expressions(fields: tuple[FieldSpec, ...], path: Path) -> None:
    top = {f.name for f in fields}
    for f in fields:
        _check_field_exprs(f, top, path, f.name)
        for sub in f.fields:
            _check_field_exprs(sub, top | {s.name for s in f.fields}, path, f"{f.name}.{sub.name}")


def _check_field_exprs(f: FieldSpec, names: set[str], path: Path, where: str) -> None:
    texts = [(attr, getattr(f, attr)) for attr in ("relevant", "constraint", "calculate")]
    if f.constraint_message is not None:
        texts += [("constraint_message", t) for t in calc.placeholders(f.constraint_message)]
    for attr, text in texts:
        if text is None:
            continue
        try:
            compile_expr(text, names)
        except ExprError as exc:
            raise _fail(path, where, f"{attr} 表达式无效：{exc}", f"bad {attr} expression: {exc}") from None


def _check_cycles(fields: tuple[FieldSpec, ...], path: Path) -> None:
    try:
        calc.order(fields)
    except ExprError as exc:
        first = str(exc).rsplit(": ", 1)[-1].split(" → ")[0]
        raise _fail(path, first, f"计算字段循环引用：{str(exc).rsplit(': ', 1)[-1]}",
                    f"calculated fields read each other: {exc}") from None


def _load_module(path: Path, lists: dict[str, tuple[Choice, ...]]) -> ModuleSpec:
    return module_from_data(path, _read_toml(path), lists)


def module_from_data(path: Path, data: dict[str, Any], lists: dict[str, tuple[Choice, ...]]) -> ModuleSpec:
    """The checks of one module file on its parsed TOML (`formspec.check` reruns them without
    the fields it has already reported, to find the file's other errors)."""
    if "roles" in data:
        # One place says who sees what: two would drift apart (docs/permissions.md).
        raise _fail(path, "roles", f"可见角色已移到 {PERMISSIONS_FILE}，请删除这一行，在 [modules.{data.get('id', '<id>')}] 中写明",
                    f"who sees a module is declared in {PERMISSIONS_FILE} [modules.{data.get('id', '<id>')}]: remove this key")
    unknown = sorted(set(data) - _MODULE_KEYS)
    if unknown:
        raise _fail(path, None, f"未知的模块属性 {unknown[0]!r}", f"unknown module key {unknown[0]!r}")
    mid = data.get("id")
    if not isinstance(mid, str) or not mid.isidentifier() or mid != mid.lower():
        raise _fail(path, None, "模块 id 缺失或无效（需为小写英文）", "missing or invalid module id (lower-case identifier)")
    number = data.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise _fail(path, None, "模块编号缺失或无效", "missing or invalid module number")
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _fail(path, "version", "表单版本 version 必须是正整数", "form version must be a positive integer")
    merge = data.get("merge", "fields")
    if merge not in _MERGE_KINDS:
        raise _fail(path, "merge", f"merge 只能是 fields 或 append_only，而不是 {merge!r}",
                    f"merge must be 'fields' or 'append_only', not {merge!r}")
    label = _label(data.get("label"), path, None, ("模块名称", "module label"))
    group = data.get("group")
    if group not in GROUPS:
        raise _fail(path, None, f"未知的模块分组 {group!r}", f"unknown module group {group!r}")
    hub = data.get("hub")
    if hub is not None and hub not in HUBS:
        raise _fail(path, None, f"未知的 hub {hub!r}", f"unknown hub {hub!r}")
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise _fail(path, None, "模块没有字段", "module has no fields")
    fields = tuple(_field(r, path, lists) for r in raw_fields)
    _check_unique(fields, path, "")
    _check_expressions(fields, path)
    _check_cycles(fields, path)
    names = {f.name for f in fields}
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise _fail(path, None, "缺少标题模板 title", "missing title template")
    for _lit, fname, _spec, _conv in string.Formatter().parse(title):
        if fname is not None and fname not in names:
            raise _fail(path, fname, "标题模板引用了不存在的字段", "title template names a field that does not exist")
    ledger = _ledger(data.get("ledger"), path, names)
    key = data.get("key")
    if key is not None and (key not in names or not TYPES[next(f for f in fields if f.name == key).type].scalar):
        raise _fail(path, str(key), "key 必须是本模块的单值字段", "key must name a single-valued field of the module")
    flow = workflow.parse(data.get("workflow"), fields, path, lambda r, prefix: _field(r, path, lists, prefix))
    layout = print_layout.parse(data.get("print"), fields, path, lambda r, where, what: _label(r, path, where, what))
    return ModuleSpec(
        id=mid, number=number, label=label, group=group, roles=(), fields=fields, ledger=ledger,
        title=title, hub=hub, source=path,
        description=_label(data["description"], path, None, ("模块说明 description", "description")) if "description" in data else None,
        key=key, workflow=flow, print=layout, version=version, merge=merge,
        migrations=migrations.parse(data.get("migrations"), version, path, fields),
    )


def _ledger(raw: Any, path: Path, names: set[str]) -> LedgerSpec:
    if not isinstance(raw, dict):
        raise _fail(path, None, "缺少 [ledger] 台账定义", "missing [ledger] section")
    unknown = sorted(set(raw) - _LEDGER_KEYS)
    if unknown:
        raise _fail(path, None, f"未知的台账属性 {unknown[0]!r}", f"unknown ledger key {unknown[0]!r}")
    title = _label(raw.get("title"), path, None, ("台账标题", "ledger title"))
    columns = raw.get("columns")
    if not isinstance(columns, list) or not columns:
        raise _fail(path, None, "台账没有列", "ledger has no columns")
    for c in columns:
        if c not in names:
            raise _fail(path, str(c), "台账列引用了不存在的字段", "ledger column names a field that does not exist")
    orientation = raw.get("orientation", "landscape")
    if orientation not in ("portrait", "landscape"):
        raise _fail(path, None, "台账方向只能是 portrait 或 landscape", "orientation must be portrait or landscape")
    order_by = raw.get("order_by")
    if order_by is not None and order_by not in names:
        raise _fail(path, str(order_by), "台账排序字段不存在", "ledger order_by names a field that does not exist")
    sign = raw.get("sign_every_page", True)
    if not isinstance(sign, bool):
        raise _fail(path, None, "sign_every_page 只能是 true 或 false", "sign_every_page must be true or false")
    return LedgerSpec(title=title, columns=tuple(columns), orientation=orientation, order_by=order_by,
                      widths=_ledger_widths(raw.get("widths", {}), path, columns), sign_every_page=sign)


def _width_value(value: Any, path: Path, name: str) -> float:
    lo, hi = _WIDTH_MM
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise _fail(path, name, f"台账列宽应为 {lo:g}–{hi:g} 之间的毫米数，而不是 {value!r}",
                    f"a ledger column width is a number of mm from {lo:g} to {hi:g}, not {value!r}")
    return float(value)


def _ledger_widths(raw: Any, path: Path, columns: list[str]) -> tuple[tuple[str, float | None, float | None], ...]:
    """`[ledger.widths]`: `name = 22` (mm, fixed) or `name = { min = 20, max = 40 }`."""
    if not isinstance(raw, dict):
        raise _fail(path, None, "[ledger.widths] 应为“列名 = 毫米数”的表", "[ledger.widths] must map column names to mm")
    out: list[tuple[str, float | None, float | None]] = []
    for name, value in raw.items():
        if name not in columns:
            raise _fail(path, str(name), "台账列宽指定了不在台账列中的字段", "a ledger width names a field that is not a ledger column")
        if isinstance(value, dict):
            unknown = sorted(set(value) - {"min", "max"})
            if unknown or not value:
                raise _fail(path, name, "台账列宽只能写 min、max", "a ledger width table takes only min and max")
            lo = _width_value(value["min"], path, name) if "min" in value else None
            hi = _width_value(value["max"], path, name) if "max" in value else None
            if lo is not None and hi is not None and lo > hi:
                raise _fail(path, name, "台账列宽的 min 大于 max", "a ledger width's min is larger than its max")
        else:
            lo = hi = _width_value(value, path, name)
        out.append((name, lo, hi))
    return tuple(out)


def _check_catalog(modules: list[ModuleSpec]) -> None:
    by_id: dict[str, ModuleSpec] = {}
    by_number: dict[int, ModuleSpec] = {}
    for m in modules:
        if m.id in by_id:
            raise _fail(m.source, None, f"模块 id {m.id!r} 与 {_name(by_id[m.id])} 重复",
                        f"module id {m.id!r} duplicates {_name(by_id[m.id])}")
        if m.number in by_number:
            other = _name(by_number[m.number])
            raise _fail(m.source, None, f"模块编号 {m.number} 与 {other} 重复",
                        f"module number {m.number} duplicates {other}")
        by_id[m.id] = m
        by_number[m.number] = m
    hubs: dict[str, str] = {}
    for m in modules:
        if m.hub:
            if m.hub in hubs:
                raise _fail(m.source, None, f"hub {m.hub!r} 已由 {hubs[m.hub]} 定义",
                            f"hub {m.hub!r} is already {hubs[m.hub]}")
            hubs[m.hub] = m.id
        for f in m.fields:
            for sub in (f, *f.fields):
                if sub.ref is not None and sub.ref not in by_id:
                    where = f.name if sub is f else f"{f.name}.{sub.name}"
                    raise _fail(m.source, where, f"引用了不存在的模块 {sub.ref!r}",
                                f"refers to unknown module {sub.ref!r}")


def _name(m: ModuleSpec) -> str:
    return m.source.name if m.source is not None else m.id
