"""Rendering for console pages: `render`, the navigation registry `add_nav`, error pages.

`render(request, "page.html", **context)` gives every template: ``lang``, ``t(key, **values)``
(the catalogue in `i18n`), ``user`` (None before login), ``csrf`` (put it in every form as
``<input type="hidden" name="csrf" value="{{ csrf }}">``; htmx requests carry it from
base.html's ``hx-headers``), ``nav`` (the entries the user's role may see) and
``other_lang_url``. A ``?lang=`` in the URL is remembered in the ``fk_lang`` cookie.

Threading: the event loop (Jinja rendering is fast; data is fetched before).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from sync.server.console import i18n

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
# The forms store datetimes as "YYYY-MM-DDTHH:MM"; people read them with a space.
TEMPLATES.env.filters["dt"] = lambda v: str(v or "").replace("T", " ")


@dataclass(frozen=True)
class NavEntry:
    path: str
    key: str  # i18n catalogue key of its label
    roles: tuple[str, ...]
    order: int


NAV: list[NavEntry] = []


def add_nav(path: str, key: str, roles: tuple[str, ...], order: int = 50) -> None:
    """Add a navigation entry (``key`` in `i18n.CATALOGUE`) shown to ``roles``; idempotent."""
    if any(e.path == path for e in NAV):
        return
    NAV.append(NavEntry(path, key, roles, order))
    NAV.sort(key=lambda e: (e.order, e.path))


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def context(request: Request, **extra: Any) -> dict[str, Any]:
    lang = i18n.lang_of(request)
    user = getattr(request.state, "user", None)
    other = "en" if lang == "zh" else "zh"
    return {
        "request": request, "lang": lang, "user": user, "csrf": getattr(request.state, "csrf", ""),
        "t": lambda key, **values: i18n.t(key, lang, **values),
        "nav": [e for e in NAV if user is not None and user.role in e.roles],
        "path": request.url.path, "other_lang_url": f"{request.url.path}?lang={other}", **extra,
    }


def render(request: Request, name: str, status: int = 200, headers: dict[str, str] | None = None,
           **extra: Any) -> HTMLResponse:
    response = TEMPLATES.TemplateResponse(request, name, context(request, **extra), status_code=status,
                                          headers=headers)
    asked = request.query_params.get("lang")
    if asked in i18n.LANGS:
        response.set_cookie(i18n.LANG_COOKIE, asked, max_age=365 * 86400, path="/console", samesite="strict",
                            httponly=True, secure=request.url.scheme == "https")
    return response
