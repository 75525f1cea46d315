"""What the tasks, lists, devices and figures pages share: their words joined to the catalogue,
the user as a publisher, a refusal shown as the console shows refusals, the answer after a
successful POST, and times as the page shows them.

Every POST of these pages writes one audit row (`audit.record`), refused or not; targets are
uuids and device ids only, outcomes ``ok`` or ``refused:<field>``.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.server.console import audit, i18n, web
from sync.server.console.auth import ConsoleError
from sync.server.console.checks import Publisher, Refused
from sync.server.console.users import User
from sync.server.console.words_pages import WORDS

i18n.CATALOGUE.update({k: v for k, v in WORDS.items() if k not in i18n.CATALOGUE})
OFFICERS = ("township", "county")


def publisher(user: User) -> Publisher:
    return Publisher(user.login, user.display_name, tuple(user.scope))


def within(user: User) -> tuple[str, ...]:
    """What the user sees: an admin everything, an officer their jurisdiction."""
    return ("*",) if user.role == "admin" else tuple(user.scope)


def refused(request: Request, user: User, action: str, target: str, e: Refused) -> ConsoleError:
    audit.record(request.app.state.storage, request, user.id, action, target, f"refused:{e.field or e.code}")
    return ConsoleError(e.status, message=e.message, message_en=e.message_en, code=e.field or e.code)


def finished(request: Request, url: str) -> Response:
    """After a POST that worked: htmx navigates (HX-Redirect), a plain form follows a 303."""
    if web.is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def when(ts: float | None, never: str = "—") -> str:
    """Unix seconds as the server's local time, to the minute."""
    return never if ts is None else time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))
