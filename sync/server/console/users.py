"""Platform users of the console: township and county officers and platform admins.

A user has a login, a display name, a role (`ROLES`), a jurisdiction (scope entries as a
device has: a township's villages, ``"*"`` for a county platform's whole area) and an Argon2
password hash (argon2-cffi's `PasswordHasher`, its recommended parameters; a hash made with
older parameters is replaced at the next good login). Passwords are checked for strength with
zxcvbn, the estimator the laptop's passphrase policy uses (score ≥ 3, ≥ 10 characters: a
console is reachable by every machine of the intranet, unlike a laptop's store).

Threading: functions take the `Storage` and open their own short transactions.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from sync.protocol import ProtocolError, check_scope_entry
from sync.server.storage import Storage
from sync.server.tables import console_sessions, console_users

ROLES = ("township", "county", "admin")
LOGIN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
MIN_PASSWORD = 10
MIN_SCORE = 3
HASHER = PasswordHasher()  # tests swap in a cheap one (tests/sync/console/conftest.py)
# Verified against when the login is unknown, so a wrong login costs as long as a wrong password.
_DUMMY = HASHER.hash("fieldkit-console-no-such-user")


class UserError(ValueError):
    """Input the user commands refuse: ``message`` Chinese, ``message_en`` English, ``field``."""

    def __init__(self, message: str, message_en: str, field: str) -> None:
        super().__init__(message)
        self.message, self.message_en, self.field = message, message_en, field


@dataclass(frozen=True)
class User:
    id: int
    login: str
    display_name: str
    role: str
    scope: tuple[str, ...]
    disabled: bool

    @property
    def level(self) -> str | None:
        """The escalation level this user handles (forms/16_events.toml's `level` values)."""
        return self.role if self.role in ("township", "county") else None


def _user(row: sa.Row) -> User:
    return User(row.id, row.login, row.display_name, row.role, tuple(json.loads(row.scope)), bool(row.disabled))


def check_password(password: str, context: tuple[str, ...] = ()) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码：至少 {MIN_PASSWORD} 个字符", f"Password: at least {MIN_PASSWORD} characters", "password")
    result = zxcvbn(password[:100], user_inputs=list(context))
    if result["score"] < MIN_SCORE:
        raise UserError("密码：太容易被猜中，请用几个不相关的词或更长的句子",
                        "Password: too easy to guess; use several unrelated words or a longer phrase", "password")


def _check_fields(login: str, display_name: str, role: str, scope: list[str]) -> list[str]:
    if not LOGIN.match(login):
        raise UserError("账号：2–32 个小写字母、数字、点、横线或下划线", "Login: 2–32 lower-case letters, digits, . - _",
                        "login")
    if not display_name.strip() or len(display_name) > 100:
        raise UserError("姓名：必填，不超过 100 个字", "Display name: required, at most 100 characters", "display_name")
    if role not in ROLES:
        raise UserError("角色：应为 township（乡镇）、county（县）或 admin（平台管理员）",
                        "Role: township, county or admin", "role")
    try:
        entries = [check_scope_entry(s.strip()) for s in scope if s.strip()]
    except ProtocolError:
        raise UserError("辖区：应为村代码或 村/网格，多个用逗号分隔", "Jurisdiction: villages or village/grid, comma-separated",
                        "scope") from None
    if role != "admin" and not entries:
        raise UserError("辖区：乡镇和县级用户至少要有一个村（或 *）", "Jurisdiction: township and county users need at least one village",
                        "scope")
    return entries


def add(storage: Storage, login: str, display_name: str, role: str, scope: list[str], password: str) -> User:
    entries = _check_fields(login, display_name, role, scope)
    check_password(password, (login, display_name))
    now = time.time()
    with storage.engine.begin() as c:
        if c.execute(sa.select(console_users.c.id).where(console_users.c.login == login)).first():
            raise UserError(f"账号：{login} 已存在", f"Login: {login} exists already", "login")
        key = c.execute(console_users.insert().values(
            login=login, display_name=display_name.strip(), role=role, scope=json.dumps(entries),
            password_hash=HASHER.hash(password), disabled=False, created_at=now, password_changed_at=now,
        )).inserted_primary_key
    assert key is not None
    return User(int(key[0]), login, display_name.strip(), role, tuple(entries), False)


def get(storage: Storage, user_id: int) -> User | None:
    with storage.engine.connect() as c:
        row = c.execute(sa.select(console_users).where(console_users.c.id == user_id)).first()
    return None if row is None else _user(row)


def by_login(storage: Storage, login: str) -> User | None:
    with storage.engine.connect() as c:
        row = c.execute(sa.select(console_users).where(console_users.c.login == login)).first()
    return None if row is None else _user(row)


def all_users(storage: Storage) -> list[User]:
    with storage.engine.connect() as c:
        return [_user(r) for r in c.execute(sa.select(console_users).order_by(console_users.c.id))]


def verify(storage: Storage, login: str, password: str) -> User | None:
    """The user when ``password`` is theirs (disabled users too: the caller says so), else None.
    Rehashes a hash made with older Argon2 parameters."""
    with storage.engine.connect() as c:
        row = c.execute(sa.select(console_users).where(console_users.c.login == login)).first()
    try:
        HASHER.verify(row.password_hash if row is not None else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if HASHER.check_needs_rehash(row.password_hash):
        with storage.engine.begin() as c:
            c.execute(console_users.update().where(console_users.c.id == row.id).values(
                password_hash=HASHER.hash(password)))
    return _user(row)


def set_disabled(storage: Storage, login: str, disabled: bool = True) -> bool:
    """Disable (or enable) a user; disabling ends their sessions at once."""
    with storage.engine.begin() as c:
        row = c.execute(sa.select(console_users.c.id).where(console_users.c.login == login)).first()
        if row is None:
            return False
        c.execute(console_users.update().where(console_users.c.id == row.id).values(disabled=disabled))
        if disabled:
            c.execute(console_sessions.delete().where(console_sessions.c.user_id == row.id))
    return True


def set_password(storage: Storage, login: str, password: str) -> bool:
    """A new password; every session of the user ends (a stolen session dies with the old one)."""
    user = by_login(storage, login)
    if user is None:
        return False
    check_password(password, (login, user.display_name))
    with storage.engine.begin() as c:
        c.execute(console_users.update().where(console_users.c.id == user.id).values(
            password_hash=HASHER.hash(password), password_changed_at=time.time()))
        c.execute(console_sessions.delete().where(console_sessions.c.user_id == user.id))
    return True
