"""The chief's verbs on users, mixed into `Store`: add, remove, re-role, disable, enable, reset a
passphrase, replace the recovery code. Each is audited in the store (`user_*` entries), which
`audit verify` replays against the users table; who may call them is the permissions table's
`manage_users` (services.users asks it; the chief check here is the store's own second guard).

Threading: the store's thread, like every `Store` method.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fieldkit.domain.errors import AuthError, Conflict, NotFound, PermissionDenied, UserFacingError

from . import recovery, rotation, user_admin
from .ctx import now_iso
from .keyring import Keyring
from .types import UserInfo
from .users import UserTable, check_login, check_passphrase, check_role

if TYPE_CHECKING:
    from pathlib import Path

    from .audit import Audit
    from .db import Db


class UserVerbs:
    """Mixin: needs the `Store` attributes declared below."""

    home: Path
    audit: Audit
    _db: Db
    _user: UserInfo
    _users: UserTable

    if TYPE_CHECKING:
        def _data_key(self) -> bytes: ...
        def _update_keyring(self, change: Callable[[Keyring], Any]) -> None: ...
        def rotate_data_key(self, *, reason: str, progress: Any = None, cancel: Any = None) -> dict[str, Any]: ...

    def users(self) -> list[UserInfo]:
        return self._users.all()

    def _require_chief(self) -> None:
        if self._user.role != "chief":
            raise PermissionDenied("只有所长可以管理用户", message_en="Only the chief can manage users")

    def add_user(self, login: str, *, role: str, passphrase: str, display_name: str = "") -> UserInfo:
        """Chief only. The new user can unlock with `passphrase` at once."""
        self._require_chief()
        login = check_login(login)
        check_role(role)
        check_passphrase(passphrase, login=login, display_name=display_name)
        key = self._data_key()
        info = UserInfo(login, role, display_name)
        with self._db.tx():
            if self._users.get(login) is not None:
                raise Conflict(f"用户 {login} 已存在", message_en=f"User {login} already exists", code="user_exists")
            self._users.insert(info, at=now_iso(), by=self._user.login)
            self.audit.log("user_add", detail={"user": login, "role": role})
            # Inside the transaction: if the keyring cannot be written the row rolls back too.
            self._update_keyring(lambda kr: kr.set_user_wrap(login, role, passphrase, key))
        return info

    def _rotate_due(self, reason: str, progress: Any, cancel: Any) -> None:
        """Rotate now; if cancelled or killed first, the keyring still says a rotation is due
        (written with the change that made it due), and `rotation_due` reports it."""
        self.rotate_data_key(reason=reason, progress=progress, cancel=cancel)

    @staticmethod
    def _mark_due(kr: Keyring, reason: str) -> None:
        kr.data[rotation.DUE] = {"reason": reason, "at": now_iso()}

    @property
    def rotation_due(self) -> dict[str, Any] | None:
        """{"reason", "at"} when a user change needs the data key rotated and that rotation did
        not finish (cancelled, or the laptop died first); None otherwise. Read without the key."""
        due = Keyring.load(self.home).data.get(rotation.DUE)
        return dict(due) if isinstance(due, dict) else None

    def rotate_if_due(self, *, progress: Any = None, cancel: Any = None) -> dict[str, Any] | None:
        """Chief only: finish a due rotation (see `rotation_due`); None when none is due."""
        due = self.rotation_due
        if due is None:
            return None
        return self.rotate_data_key(reason=str(due.get("reason", "due")), progress=progress, cancel=cancel)

    def remove_user(self, login: str, *, progress: Any = None, cancel: Any = None) -> None:
        """Chief only; the last chief cannot be removed. Their records keep their name as author.
        Then the data key is rotated (store/rotation.py), as in `disable_user` and
        `new_recovery_code`: an old keyring.json copy with their passphrase stops opening it."""
        self._require_chief()
        info = self._users.get(login)
        if info is None:
            raise NotFound(f"没有用户 {login}", message_en=f"No user {login}")
        if info.role == "chief" and self._users.chiefs() <= 1:
            raise PermissionDenied("不能删除唯一的所长", message_en="Cannot remove the only chief")
        reason = f"user_remove:{login}"

        def drop(kr: Keyring) -> None:
            kr.data["users"].pop(login, None)
            self._mark_due(kr, reason)

        with self._db.tx():
            self._users.delete(login)
            self.audit.log("user_remove", detail={"user": login, "role": info.role})
            self._update_keyring(drop)
        self._rotate_due(reason, progress, cancel)

    def set_role(self, login: str, role: str, *, progress: Any = None, cancel: Any = None) -> UserInfo:
        """Chief only: give `login` another role — in the users table, the keyring and, in the
        same transaction, an audited "user_role" event that `audit.verify` replays (a role
        written by raw SQL has none). The last chief cannot be demoted."""
        self._require_chief()
        check_role(role)
        info = self._users.get(login)
        if info is None:
            raise NotFound(f"没有用户 {login}", message_en=f"No user {login}")
        if info.role == "chief" and role != "chief" and self._users.chiefs() <= 1:
            raise PermissionDenied("不能取消唯一的所长", message_en="Cannot demote the only chief")

        kr_now = Keyring.load(self.home)
        lost_key = kr_now.rkey_holder(info.role) and not kr_now.rkey_holder(role)
        reason = f"user_role:{login}"

        def put(kr: Keyring) -> None:
            kr.set_role(login, role)  # the restricted key is sealed to them, or their seal dropped
            if lost_key:
                self._mark_due(kr, reason)

        with self._db.tx():
            self._db.execute("UPDATE users SET role = ? WHERE login = ?", (role, login))
            self.audit.log("user_role", detail={"user": login, "role": role, "was": info.role})
            self._update_keyring(put)
        if lost_key:  # they could open the restricted database: an old keyring copy must not
            self._rotate_due(reason, progress, cancel)
        return UserInfo(login, role, info.display_name)

    def change_passphrase(self, user: str, old: str, new: str) -> None:
        """Re-wrap the data key for `user` under `new` (the database is not re-encrypted).
        `AuthError` if `old` is wrong. Users change their own; the chief may change anyone's."""
        login = (user or "").strip().lower()
        if login != self._user.login:
            self._require_chief()
        check_passphrase(new, login=login)
        key = self._data_key()

        def rewrap(kr: Keyring) -> None:
            got = kr.unwrap_user(login, old)
            if got is None or got != key:
                raise AuthError("原口令不正确", message_en="The current passphrase is wrong", code="wrong_passphrase")
            kr.set_user_wrap(login, kr.role(login) or "officer", new, key)

        self._update_keyring(rewrap)

    def reset_passphrase(self, user: str, new: str) -> None:
        """Chief only: give another user the temporary passphrase `new` (a forgotten one is not
        needed); their next unlock with it must set a passphrase of their own."""
        self._require_chief()
        login = (user or "").strip().lower()
        check_passphrase(new, login=login)
        key = self._data_key()

        def rewrap(kr: Keyring) -> None:
            role = kr.role(login)
            if role is None:
                raise NotFound(f"没有用户 {login}", message_en=f"No user {login}")
            if user_admin.is_disabled(kr, login):
                raise user_admin.disabled_error(login)
            kr.set_user_wrap(login, role, new, key)
            user_admin.mark_must_change(kr, login)

        self._update_keyring(rewrap)
        self.audit.log("user_passphrase_reset", detail={"user": login})

    def disable_user(self, login: str, *, progress: Any = None, cancel: Any = None) -> None:
        """Chief only: the user can no longer unlock (their key wrap is deleted, then the data key
        is rotated); their row and records stay. Not oneself, not the only chief."""
        self._require_chief()
        info = self._existing_user(login)
        if info.login == self._user.login:
            raise UserFacingError("不能停用自己", message_en="You cannot disable yourself", code="disable_self")
        if info.role == "chief" and self._users.chiefs() <= 1:
            raise PermissionDenied("不能停用唯一的所长", message_en="Cannot disable the only chief")
        reason = f"user_disable:{info.login}"

        def off(kr: Keyring) -> None:
            user_admin.disable(kr, info.login)
            self._mark_due(kr, reason)

        self._update_keyring(off)
        self.audit.log("user_disable", detail={"user": info.login})
        self._rotate_due(reason, progress, cancel)

    def enable_user(self, login: str, passphrase: str) -> None:
        """Chief only: wrap the key again for a disabled user under a temporary `passphrase`,
        which they must replace at their next unlock."""
        self._require_chief()
        info = self._existing_user(login)
        check_passphrase(passphrase, login=info.login)
        key = self._data_key()

        def rewrap(kr: Keyring) -> None:
            kr.set_user_wrap(info.login, info.role, passphrase, key)
            user_admin.mark_must_change(kr, info.login)

        self._update_keyring(rewrap)
        self.audit.log("user_enable", detail={"user": info.login})

    def user_states(self) -> dict[str, dict[str, Any]]:
        """login -> {"disabled", "must_change"} as the keyring says (read without the key)."""
        return user_admin.states(Keyring.load(self.home))

    def _existing_user(self, login: str) -> UserInfo:
        info = self._users.get((login or "").strip().lower())
        if info is None:
            raise NotFound(f"没有用户 {login}", message_en=f"No user {login}")
        return info

    def new_recovery_code(self, *, progress: Any = None) -> str:
        """Chief only: replace the recovery wrap (the old code stops working). Returns the new code."""
        self._require_chief()
        key = self._data_key()
        code, secret = recovery.generate()
        reason = "recovery_code_replaced"  # an old keyring copy + the old code must open nothing new

        def replace(kr: Keyring) -> None:
            kr.set_recovery_wrap(secret, key)
            self._mark_due(kr, reason)

        self._update_keyring(replace)
        self.audit.log("recovery_code_replaced")
        # Not cancellable: the new code is in force already, and must reach the chief's eyes.
        self._rotate_due(reason, progress, None)
        return code

    # -- rollback found at unlock ----------------------------------------------------------
