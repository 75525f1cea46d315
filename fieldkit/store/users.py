"""Login and passphrase rules, and the users table (display names live only in the database).

Logins are short ASCII handles (badge numbers, initials) because they are written in plaintext
in keyring.json, which must hold no personal data; the person's name is the display name,
stored encrypted. Threading: one thread at a time (the store's).
"""

from __future__ import annotations

import re

from fieldkit.domain import passphrase as policy
from fieldkit.domain.errors import UserFacingError

from .db import Db
from .types import ROLES, UserInfo

_LOGIN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
MIN_PASSPHRASE = policy.MIN_LENGTH


def check_login(login: str) -> str:
    value = (login or "").strip().lower()
    if not _LOGIN.match(value):
        raise UserFacingError(
            "登录名须为 2–32 个字母、数字或 _ . -（请勿使用姓名，姓名填在“显示名”）",
            message_en="A login is 2–32 letters, digits or _ . - (not a person's name; put that in the display name)",
            field="login", code="invalid_login",
        )
    return value


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserFacingError(
            "角色只能是 民警(officer)、网格员(grid_worker) 或 所长(chief)",
            message_en=f"Role must be one of {', '.join(ROLES)}", field="role", code="invalid_role",
        )
    return role


def check_passphrase(passphrase: str, *, login: str = "", display_name: str = "") -> str:
    """The one passphrase policy (`fieldkit.domain.passphrase`): `WeakPassphrase` names what is weak."""
    return policy.check(passphrase, context=(login, display_name))


class UserTable:
    def __init__(self, db: Db) -> None:
        self._db = db

    def get(self, login: str) -> UserInfo | None:
        row = self._db.one("SELECT login, role, display_name FROM users WHERE login = ?", (login,))
        return UserInfo(*row) if row else None

    def all(self) -> list[UserInfo]:
        return [UserInfo(*r) for r in self._db.execute("SELECT login, role, display_name FROM users ORDER BY login")]

    def insert(self, info: UserInfo, *, at: str, by: str) -> None:
        self._db.execute(
            "INSERT INTO users(login, role, display_name, created_at, created_by) VALUES (?,?,?,?,?)",
            (info.login, info.role, info.display_name, at, by),
        )

    def delete(self, login: str) -> None:
        self._db.execute("DELETE FROM users WHERE login = ?", (login,))

    def chiefs(self) -> int:
        return self._db.one("SELECT count(*) FROM users WHERE role = 'chief'")[0]
