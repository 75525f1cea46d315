"""Asking the permissions table (`forms/permissions.toml`, docs/permissions.md).

`require(ws, action, module=None)` raises `PermissionDenied` (CLI exit 9) naming the roles that
may — "只有所长可以备份数据库"; `may(...)` answers the same question for the UI, which hides or
disables what the signed-in role may not do. The door (`services.door`, via `module_for`) and
every service that backs up, exports, prints, signs, manages users or edits the watch list ask
here, so the CLI, the app and imports obey one table.

Threading: the workspace's thread (reads only the immutable catalogue and the signed-in user).
"""

from __future__ import annotations

from typing import Any

from fieldkit.domain.errors import PermissionDenied
from fieldkit.domain.roles import Role
from fieldkit.formspec import ModuleSpec
from fieldkit.formspec.permissions import MODULE_ACTIONS, STATION_ACTIONS, PermissionTable

__all__ = ["PermissionDenied", "may", "module_for", "require", "who_may"]


def _table(ws: Any) -> PermissionTable:
    table = ws.catalog.permissions
    if table is None:  # a catalogue not made by load_modules: nothing is allowed
        return PermissionTable(station={}, modules={})
    return table


def _check_action(action: str, module: str | None) -> None:
    known = STATION_ACTIONS if module is None else MODULE_ACTIONS
    if action not in known:  # a programming error, not the user's
        raise ValueError(f"unknown {'station' if module is None else 'module'} action {action!r}")


def may(ws: Any, action: str, module: str | None = None) -> bool:
    """Whether the signed-in user's role may take `action` (on `module`'s records when given)."""
    _check_action(action, module)
    return _table(ws).allows(ws.user.role, action, module)


def who_may(ws: Any, action: str, module: str | None = None) -> tuple[Role, ...]:
    _check_action(action, module)
    return _table(ws).roles_for(action, module)


def _role_zh(role: str) -> str:
    try:
        return Role(role).zh
    except ValueError:
        return role


def refusal(ws: Any, action: str, module: str | None = None) -> PermissionDenied:
    """The refusal to show: which roles may, and what the user's role is."""
    roles = who_may(ws, action, module)
    zh_roles = "、".join(r.zh for r in roles)
    en_roles = ", ".join(r.en.lower() for r in roles)
    zh_act, en_act = (STATION_ACTIONS if module is None else MODULE_ACTIONS)[action]
    spec = ws.catalog.get(module) if module else None
    what_zh = f"“{spec.label.zh}”" if spec else (f"“{module}”" if module else "")
    what_en = f" {spec.label.en}" if spec else (f" {module}" if module else "")
    mine = _role_zh(ws.user.role)
    if roles:
        zh = f"只有{zh_roles}可以{zh_act}{what_zh}（当前用户：{mine}）"
        en = f"Only the {en_roles} may {en_act}{what_en} (you are signed in as {ws.user.role})"
    else:
        zh, en = f"任何角色都不可以{zh_act}{what_zh}", f"No role may {en_act}{what_en}"
    return PermissionDenied(zh, message_en=en, code=f"permission_{action}")


def require(ws: Any, action: str, module: str | None = None) -> None:
    """Raise `PermissionDenied` unless the signed-in role may take `action`."""
    if not may(ws, action, module):
        raise refusal(ws, action, module)


def module_for(ws: Any, action: str, module: str) -> ModuleSpec:
    """The module's form when the user may take `action` on its records (and so may view them):
    `UnknownModule` when there is no such form, `PermissionDenied` otherwise. A workflow's own
    wording of a refused creation ("只有所长可以发布任务") is used when the form has one."""
    spec = ws.module(module)  # no form: UnknownModule; may not view: PermissionDenied
    if not may(ws, action, module):
        wf = spec.workflow
        msg = wf.create_message if action == "create" and wf is not None else None
        if msg is not None:
            raise PermissionDenied(msg.zh, message_en=msg.en, code="permission_create")
        raise refusal(ws, action, module)
    return spec
