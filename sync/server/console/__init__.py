"""The platform's web console, mounted under /console on the sync server's FastAPI app.

For township and county officers (the escalation inbox) and platform admins (audit log,
users); server-rendered Jinja2 pages with a little vendored htmx (static/, no CDN). Modules:

* `auth` — sessions, CSRF, login rate limits, `require_user(*roles)` (a FastAPI dependency);
* `users` — platform users, Argon2 passwords; `audit` — the console's audit log (`record`);
* `i18n` — the one catalogue of words (`t`), language from ?lang=, cookie, Accept-Language;
* `web` — `render`, `add_nav`; `forms` — the form definitions the console applies;
* `escalation` — the inbox and its workflow steps; ``routes_*`` — the pages.

A new page: a module ``routes_x.py`` with ``router = APIRouter(prefix="/console")``, each
route depending on ``require_user("county", …)``, calling ``audit.record`` for each action and
``web.render`` for its template (templates/ extend ``base.html``); its words in
``i18n.CATALOGUE``; its nav entry by ``web.add_nav(path, key, roles)``; then list the router
in `ROUTERS` below.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.server.console import (
    routes_admin,
    routes_auth,
    routes_devices,
    routes_figures,
    routes_inbox,
    routes_lists,
    routes_tasks,
    web,
)
from sync.server.console.auth import ConsoleError, LoginLimiter, LoginRequired
from sync.server.counters import SharedCounters

ROUTERS = [routes_auth.router, routes_inbox.router, routes_tasks.router, routes_lists.router, routes_devices.router,
           routes_figures.router, routes_admin.router]


def mount(app: FastAPI) -> None:
    """Add the console to ``app`` (its ``state.storage`` is the storage it uses)."""
    app.state.console_limiter = LoginLimiter(SharedCounters(app.state.storage.engine))
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=str(Path(__file__).with_name("static"))), name="console-static")

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        target = "/console/login" + ("?expired=1" if exc.expired else "")
        if web.is_htmx(request):  # htmx follows this header with a full page load
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(ConsoleError)
    async def _refused(request: Request, exc: ConsoleError) -> Response:
        lang = web.i18n.lang_of(request)
        text = (exc.message_en if lang == "en" else exc.message) or web.i18n.t(exc.key, lang, **exc.values)
        if web.is_htmx(request):
            # Shown in the page's message area, leaving the form as it was (base.html #flash).
            return web.render(request, "_flash.html", exc.status, {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"},
                              message=text, kind="error")
        return web.render(request, "error.html", exc.status, message=text)
