"""The permissions table (`forms/permissions.toml`): which role may do which action, per module
and station-wide. Parsed and checked once at start-up with the forms; immutable afterwards.

The file maps, in each section, a role to the actions it may take: `[station]` for station-wide
actions, `[modules.<id>]` for a module's records. `"*"` means every action of that section.
Every role must be named in every section and every module of the catalogue must have a
section, so that a new module or a typo cannot silently open (or close) anything: an unknown
role, action or module, a missing one, or a value that is not a list of strings is a
`FormSpecError` naming the file and the entry.

No I/O beyond reading the one file; threading: any thread (the table is immutable).
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.domain.roles import Role
from fieldkit.formspec.model import FormSpecError

PERMISSIONS_FILE = "permissions.toml"

#: Actions on one module's records, with the words of a refusal ("只有所长可以<zh>").
MODULE_ACTIONS: Mapping[str, tuple[str, str]] = {
    "view": ("查看", "view"),
    "create": ("新建", "create"),
    "edit": ("修改", "edit"),
    "delete": ("删除", "delete"),
    "export_sealed": ("加密导出", "export (sealed)"),
    "export_plain": ("明文导出", "export in plain text"),
    "print": ("打印台账", "print ledgers of"),
}

#: Station-wide actions, with the words of a refusal.
STATION_ACTIONS: Mapping[str, tuple[str, str]] = {
    "backup": ("备份数据库", "back up the store"),
    "restore": ("从备份恢复数据库", "restore the store from a backup"),
    "enroll": ("把本机登记到平台", "enroll this laptop with the platform"),
    "publish": ("发布任务", "publish tasks"),
    "manage_users": ("管理用户", "manage users"),
    "sign_doorplates": ("签发和打印门牌", "sign and print doorplates"),
    "sign_plaques": ("签发和打印平安牌匾", "sign and print safety plaques"),
    "station_keys": ("设置派出所签名密钥和辖区", "set the station's signing key and ground"),
    "install_forms": ("接受并安装平台下发的表单", "accept and install form sets from the platform"),
    "merge": ("合并重复记录", "merge duplicate records"),
    "watchlist": ("维护布控名单", "edit the watch list"),
}

ROLES: tuple[Role, ...] = tuple(Role)


@dataclass(frozen=True)
class Partition:
    """Which modules live in the restricted database (their own key) and which roles hold that
    key. Derived from the table, never written by hand: a module is restricted when some role
    may not view it, and every restricted module must have the same viewers (one key, one set
    of holders — the loader refuses a table that would need two). See docs/security.md."""

    modules: frozenset[str]
    roles: frozenset[str]

    def holds(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class PermissionTable:
    """`station[role]` and `modules[module][role]` are frozensets of action names."""

    station: Mapping[Role, frozenset[str]]
    modules: Mapping[str, Mapping[Role, frozenset[str]]]
    source: Path | None = None

    def allows(self, role: Role | str, action: str, module: str | None = None) -> bool:
        """Whether `role` may take `action` (on `module`'s records when given). An unknown role,
        action or module is simply not allowed (the loader refused them in the file)."""
        try:
            r = Role(role)
        except ValueError:
            return False
        if module is None:
            return action in self.station.get(r, frozenset())
        return action in self.modules.get(module, {}).get(r, frozenset())

    def roles_for(self, action: str, module: str | None = None) -> tuple[Role, ...]:
        """The roles that may take `action`, in the order officer, grid worker, chief."""
        return tuple(r for r in ROLES if self.allows(r, action, module))

    def viewers(self, module: str) -> tuple[Role, ...]:
        return self.roles_for("view", module)

    def partition(self) -> Partition:
        restricted = frozenset(m for m in self.modules if len(self.viewers(m)) < len(ROLES))
        holders = {frozenset(r.value for r in self.viewers(m)) for m in restricted}
        roles = next(iter(holders)) if len(holders) == 1 else frozenset()
        return Partition(restricted, roles)


def _fail(path: Path, where: str, zh: str, en: str) -> FormSpecError:
    return FormSpecError(zh, message_en=en, path=path, field=where)


def _actions(raw: Any, allowed: Iterable[str], path: Path, where: str) -> frozenset[str]:
    names = set(allowed)
    if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
        raise _fail(path, where, "应为动作名称的列表", "must be a list of action names")
    if "*" in raw:
        return frozenset(names)
    unknown = sorted(set(raw) - names)
    if unknown:
        raise _fail(path, where, f"未知的动作 {unknown[0]!r}（可用：{'、'.join(names)}）",
                    f"unknown action {unknown[0]!r} (known: {', '.join(names)})")
    return frozenset(raw)


def _section(raw: Any, allowed: Iterable[str], path: Path, where: str) -> dict[Role, frozenset[str]]:
    if not isinstance(raw, dict):
        raise _fail(path, where, "缺少这一节或格式不对", "section missing or not a table")
    known = {r.value for r in ROLES}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise _fail(path, f"{where}.{unknown[0]}", f"未知的角色 {unknown[0]!r}（可用：{'、'.join(sorted(known))}）",
                    f"unknown role {unknown[0]!r} (known: {', '.join(sorted(known))})")
    missing = [r.value for r in ROLES if r.value not in raw]
    if missing:
        raise _fail(path, where, f"没有写角色 {missing[0]!r} 可以做什么（什么都不可以请写 []）",
                    f"role {missing[0]!r} is not given (write [] for nothing)")
    return {r: _actions(raw[r.value], allowed, path, f"{where}.{r.value}") for r in ROLES}


def load_permissions(path: Path, module_ids: Iterable[str]) -> PermissionTable:
    """Read and check the table against the catalogue's modules. Raises `FormSpecError`."""
    if not path.is_file():
        raise FormSpecError("缺少权限表 permissions.toml", message_en="the permissions table permissions.toml is missing",
                            path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise FormSpecError(f"TOML 语法错误：{exc}", message_en=f"TOML syntax error: {exc}", path=path) from None
    except UnicodeDecodeError:
        raise FormSpecError("文件不是 UTF-8 编码", message_en="file is not UTF-8", path=path) from None
    unknown = sorted(set(data) - {"station", "modules"})
    if unknown:
        raise _fail(path, unknown[0], f"未知的节 {unknown[0]!r}（只有 station 和 modules）",
                    f"unknown section {unknown[0]!r} (only station and modules)")
    station = _section(data.get("station"), STATION_ACTIONS, path, "station")
    raw_modules = data.get("modules")
    if not isinstance(raw_modules, dict):
        raise _fail(path, "modules", "缺少 [modules.<模块>] 各节", "no [modules.<id>] sections")
    ids = list(module_ids)
    strangers = sorted(set(raw_modules) - set(ids))
    if strangers:
        raise _fail(path, f"modules.{strangers[0]}", f"没有这个模块：{strangers[0]!r}",
                    f"no such module: {strangers[0]!r}")
    absent = [m for m in ids if m not in raw_modules]
    if absent:
        raise _fail(path, f"modules.{absent[0]}", f"模块 {absent[0]!r} 没有写权限（每个模块都要写明）",
                    f"module {absent[0]!r} has no entry (every module must have one)")
    modules = {m: _section(raw_modules[m], MODULE_ACTIONS, path, f"modules.{m}") for m in ids}
    for m, by_role in modules.items():
        for r, acts in by_role.items():
            if acts and "view" not in acts:
                raise _fail(path, f"modules.{m}.{r.value}", "能做别的事却不能查看：请加上 view 或清空",
                            "grants actions without view: add view or remove them")
    table = PermissionTable(station=station, modules=modules, source=path)
    _check_partition(table, path)
    return table


def _check_partition(table: PermissionTable, path: Path) -> None:
    restricted = sorted(table.partition().modules)
    first = restricted[0] if restricted else None
    for m in restricted:
        if first is not None and table.viewers(m) != table.viewers(first):
            raise _fail(path, f"modules.{m}",
                        f"受限模块的查看角色必须与 {first!r} 相同（受限模块共用一把密钥，只发给能查看它们的角色）",
                        f"a restricted module must have the same viewers as {first!r} (restricted modules share "
                        "one key, held by the roles that may view them)")


@functools.cache
def default_partition(forms_dir: Path) -> Partition:
    """The partition of the permissions table in `forms_dir`, read alone (the store needs it at
    unlock, before and without the module catalogue). Its own sections name the modules."""
    path = forms_dir / PERMISSIONS_FILE
    try:
        ids = list(tomllib.loads(path.read_text(encoding="utf-8")).get("modules", {}))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        ids = []
    return load_permissions(path, ids).partition()
