"""Managing the station's users: list, add, disable, enable, remove, reset a passphrase, replace
the recovery code. Every verb needs `manage_users` in forms/permissions.toml (the chief) and is
audited. Temporary passphrases (add, enable, reset) must be replaced by the user at their next
unlock (services.workspace.unlock) — except `add`, whose passphrase the new user may keep.

Removing or disabling a user, demoting one who held the restricted key and replacing the
recovery code rotate the data key (issue 11 item 3, store/rotation.py: ~20 s for 1,000,000
records, bench/rotate_bench.py) inside the store verbs, on this thread, reporting
`progress(done, total)` (pages, then attachment files) and asking `cancel()` until the commit
point. A rotation cancelled or cut short stays due (`rotation_due`) until `rotate_now` finishes it;
the recovery-code rotation is not cancellable (the new code is in force already).

Threading: the workspace's thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None


def _phases(progress: Progress) -> Any:
    """The rotation's (phase, done, total) as the one (done, total) a progress bar shows."""
    return None if progress is None else (lambda _phase, done, total: progress(done, total))


def disable(ws: Workspace, login: str, progress: Progress = None, cancel: Cancel = None) -> None:
    require(ws, "manage_users")
    ws.store.disable_user(login, progress=_phases(progress), cancel=cancel)


def enable(ws: Workspace, login: str, temporary_passphrase: str) -> None:
    require(ws, "manage_users")
    ws.store.enable_user(login, temporary_passphrase)


def remove(ws: Workspace, login: str, progress: Progress = None, cancel: Cancel = None) -> None:
    require(ws, "manage_users")
    if (login or "").strip().lower() == ws.user.login:
        raise UserFacingError("不能删除自己", message_en="You cannot remove yourself", code="remove_self")
    ws.store.remove_user(login, progress=_phases(progress), cancel=cancel)


def reset_passphrase(ws: Workspace, login: str, temporary_passphrase: str) -> None:
    """Give `login` a temporary passphrase (tell it to them); they set their own at next unlock."""
    require(ws, "manage_users")
    ws.store.reset_passphrase(login, temporary_passphrase)


def new_recovery_code(ws: Workspace, progress: Progress = None) -> str:
    """Replace the recovery code; the old one stops working. Show the new one once."""
    require(ws, "manage_users")
    return ws.store.new_recovery_code(progress=_phases(progress))


def rotation_due(ws: Workspace) -> tuple[str, str] | None:
    """(zh, en) words for the chief when a user change still needs the data key rotated."""
    due = ws.store.rotation_due
    if due is None:
        return None
    return (f"数据密钥尚未更换（{due.get('reason', '')}，{due.get('at', '')}）：旧的密钥文件副本仍能打开数据，请立即更换",
            f"The data key has not been rotated yet ({due.get('reason', '')}, {due.get('at', '')}): "
            "an old keyring copy still opens the data; rotate it now")


def rotate_now(ws: Workspace, progress: Progress = None, cancel: Cancel = None) -> dict[str, Any] | None:
    """Finish a due rotation (chief); None when none was due."""
    require(ws, "manage_users")
    return ws.store.rotate_if_due(progress=_phases(progress), cancel=cancel)
