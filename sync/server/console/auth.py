"""Console sign-in: server-side sessions, CSRF tokens, login rate limits, `require_user`.

Sessions live in ``console_sessions``: the cookie (``fk_console``: HttpOnly, SameSite=Strict,
Secure when the request came over TLS) carries 32 random bytes; the table keeps only their
SHA-256, the user and the session's CSRF token. A session ends at logout, after `IDLE_S`
without a request, after `MAX_AGE_S` whatever happens, and when its user is disabled or
changes password.

CSRF: every POST must carry the session's token, as the form field ``csrf`` (every form in the
templates has it) or the ``X-CSRF-Token`` header (htmx sends it: base.html sets ``hx-headers``).
The login form, before any session exists, uses a double-submit token: a random cookie
``fk_login_csrf`` that the form repeats. `require_user` checks the token on every POST it
guards, so a route cannot forget it.

Login rate limits (the ``limits`` package, as `sync.server.guard`): failed attempts are counted
per login (`LOGIN_FAILURES`) and per address (`ADDRESS_FAILURES`); once either is spent the
form answers with the wait in seconds, before any password is checked. The counters are the
database's (`sync.server.counters.SharedCounters`), so every process of `serve --workers N`
sees the same failures: five wrong passwords lock the login whichever processes got them.

Threading: dependencies run on the event loop and hand database work to the thread pool.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import sqlalchemy as sa
from limits import parse
from limits.storage import MemoryStorage
from limits.storage import Storage as Counters
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from sync.server.console import users
from sync.server.console.users import User
from sync.server.storage import Storage
from sync.server.tables import console_sessions

SESSION_COOKIE = "fk_console"
LOGIN_CSRF_COOKIE = "fk_login_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
IDLE_S = 30 * 60  # a console left open in a township office signs itself out
MAX_AGE_S = 12 * 3600  # one working day, then sign in again
TOUCH_S = 60  # seen_at is written at most this often: a page view is not a database write
LOGIN_FAILURES = "5 per 15 minutes"  # per login: a password guesser gets 20 tries an hour
ADDRESS_FAILURES = "30 per 15 minutes"  # per address: one machine trying many logins


class LoginRequired(Exception):
    """No valid session: the console answers with a redirect to the login page."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("login required")
        self.expired = expired


class ConsoleError(Exception):
    """A refusal shown to the console user: ``key`` names words in `i18n.CATALOGUE`, or
    ``message``/``message_en`` carry them ready-made (the forms' workflow messages)."""

    def __init__(self, status: int, key: str = "error.title", message: str | None = None,
                 message_en: str | None = None, code: str = "refused", **values: object) -> None:
        super().__init__(key)
        self.status, self.key, self.message, self.message_en, self.code = status, key, message, message_en, code
        self.values = values


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    id_hash: str


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class LoginLimiter:
    """Failed-login counters in ``counters`` (default: this process's memory, for tests of one
    app). Its methods may make database round trips: call them from a worker thread."""

    def __init__(self, counters: Counters | None = None, per_login: str = LOGIN_FAILURES,
                 per_address: str = ADDRESS_FAILURES) -> None:
        self._limiter = SlidingWindowCounterRateLimiter(counters if counters is not None else MemoryStorage())
        self._login, self._address = parse(per_login), parse(per_address)

    @staticmethod
    def _login_key(login: str) -> str:
        return "login:" + hashlib.sha256(login.strip().lower().encode()).hexdigest()[:32]

    def wait(self, login: str, address: str) -> int | None:
        """Seconds to wait before another attempt, or None when one may be made now."""
        waits = []
        for item, key in ((self._login, self._login_key(login)), (self._address, "addr:" + address)):
            if not self._limiter.test(item, key):
                reset = self._limiter.get_window_stats(item, key).reset_time
                waits.append(max(1, math.ceil(reset - time.time())))
        return max(waits) if waits else None

    def failed(self, login: str, address: str) -> None:
        self._limiter.hit(self._login, self._login_key(login))
        self._limiter.hit(self._address, "addr:" + address)


def open_session(storage: Storage, user: User) -> tuple[str, str]:
    """A new session for ``user``: (cookie value, CSRF token)."""
    sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    now = time.time()
    with storage.engine.begin() as c:
        c.execute(console_sessions.insert().values(id_hash=_hash(sid), user_id=user.id, csrf=csrf,
                                                   created_at=now, seen_at=now))
        # Sessions that ran out are swept here, the one place sessions are made.
        c.execute(console_sessions.delete().where(sa.or_(console_sessions.c.seen_at < now - IDLE_S,
                                                         console_sessions.c.created_at < now - MAX_AGE_S)))
    return sid, csrf


def find_session(storage: Storage, sid: str) -> Session | bool | None:
    """The live session for cookie value ``sid``; False when it existed but ran out."""
    now = time.time()
    with storage.engine.connect() as c:
        row = c.execute(sa.select(console_sessions).where(console_sessions.c.id_hash == _hash(sid))).first()
    if row is None:
        return None
    if row.seen_at < now - IDLE_S or row.created_at < now - MAX_AGE_S:
        close_session(storage, sid)
        return False
    user = users.get(storage, row.user_id)
    if user is None or user.disabled:
        close_session(storage, sid)
        return None
    if now - row.seen_at > TOUCH_S:
        with storage.engine.begin() as c:
            c.execute(console_sessions.update().where(console_sessions.c.id_hash == row.id_hash).values(seen_at=now))
    return Session(user, row.csrf, row.id_hash)


def close_session(storage: Storage, sid: str) -> None:
    with storage.engine.begin() as c:
        c.execute(console_sessions.delete().where(console_sessions.c.id_hash == _hash(sid)))


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/console", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


async def posted_csrf(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # Starlette keeps it: the route's Form() parameters read the same
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def require_user(*roles: str) -> Callable[[Request], Awaitable[User]]:
    """A FastAPI dependency: the signed-in user, whose role is one of ``roles`` (any role when
    none is given). No session: redirect to the login page. Wrong role: 403 page. On POST the
    CSRF token must match the session's (403 otherwise). Sets ``request.state.user`` and
    ``request.state.csrf`` for the templates."""

    async def dependency(request: Request) -> User:
        storage: Storage = request.app.state.storage
        sid = request.cookies.get(SESSION_COOKIE)
        found = await run_in_threadpool(find_session, storage, sid) if sid else None
        if not isinstance(found, Session):
            raise LoginRequired(expired=found is False)
        request.state.user, request.state.csrf = found.user, found.csrf
        if request.method not in ("GET", "HEAD") and not same(await posted_csrf(request), found.csrf):
            from sync.server.console import audit

            await run_in_threadpool(audit.record, storage, request, found.user.id, "csrf_refused",
                                    request.url.path[:200], "refused:csrf")
            raise ConsoleError(403, "error.csrf", code="csrf")
        if roles and found.user.role not in roles:
            raise ConsoleError(403, "error.forbidden", code="forbidden")
        return found.user

    return dependency
