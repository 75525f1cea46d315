"""Managing the station's users: list, add, disable, enable, remove, reset a passphrase, replace
the recovery code. Every verb needs `manage_users` in forms/permissions.toml (the chief) and is
audited. Temporary passphrases (add, enable, reset) must be replaced by the user at their next
unlock (services.workspace.unlock) — except `add`, whose passphrase the new user may keep.

Removing or disabling a user and replacing the recovery code rotate the data key (issue 11 item
3, store/rotation.py: seconds per 100,000 records), inside the store verbs, on this thread; no
progress is shown yet (ROTATION_STATUS.md of branch i11-rotate).

Threading: the workspace's thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldkit.domain.errors import UserFacingError
from fieldkit.services import workspace as wsvc
from fieldkit.services.permissions import require
from fieldkit.services.workspace import Workspace


@dataclass(frozen=True)
class UserRow:
    login: str
    role: str
    display_name: str
    disabled: bool
    must_change: bool  # the chief reset the passphrase; the user has not yet set their own

    def to_dict(self) -> dict[str, object]:
        return {"login": self.login, "role": self.role, "display_name": self.display_name,
                "disabled": self.disabled, "must_change": self.must_change}


def list_users(ws: Workspace) -> list[UserRow]:
    require(ws, "manage_users")
    states = ws.store.user_states()
    return [UserRow(u.login, u.role, u.display_name, bool(states.get(u.login, {}).get("disabled")),
                    bool(states.get(u.login, {}).get("must_change"))) for u in ws.store.users()]


def add(ws: Workspace, login: str, role: str, passphrase: str, display_name: str = "") -> None:
    wsvc.add_user(ws, login, role, passphrase, display_name)


def disable(ws: Workspace, login: str) -> None:
    require(ws, "manage_users")
    ws.store.disable_user(login)


def enable(ws: Workspace, login: str, temporary_passphrase: str) -> None:
    require(ws, "manage_users")
    ws.store.enable_user(login, temporary_passphrase)


def remove(ws: Workspace, login: str) -> None:
    require(ws, "manage_users")
    if (login or "").strip().lower() == ws.user.login:
        raise UserFacingError("不能删除自己", message_en="You cannot remove yourself", code="remove_self")
    ws.store.remove_user(login)


def reset_passphrase(ws: Workspace, login: str, temporary_passphrase: str) -> None:
    """Give `login` a temporary passphrase (tell it to them); they set their own at next unlock."""
    require(ws, "manage_users")
    ws.store.reset_passphrase(login, temporary_passphrase)


def new_recovery_code(ws: Workspace) -> str:
    """Replace the recovery code; the old one stops working. Show the new one once."""
    require(ws, "manage_users")
    code = ws.store.new_recovery_code()
    return code
