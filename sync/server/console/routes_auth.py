"""Sign in and out: GET/POST /console/login, POST /console/logout, /console (the home page)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.server.console import audit, auth, i18n, users, web
from sync.server.console.users import User

router = APIRouter(prefix="/console", include_in_schema=False)
HOME = {"township": "/console/inbox", "county": "/console/inbox", "admin": "/console/audit"}


def _login_page(request: Request, status: int = 200, message: str | None = None, kind: str = "error") -> Response:
    token = secrets.token_urlsafe(24)
    response = web.render(request, "login.html", status, login_csrf=token, message=message, kind=kind)
    auth.set_cookie(request, response, auth.LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.get("")
@router.get("/")
async def home(request: Request) -> Response:
    sid = request.cookies.get(auth.SESSION_COOKIE)
    found = await run_in_threadpool(auth.find_session, request.app.state.storage, sid) if sid else None
    if isinstance(found, auth.Session):
        return RedirectResponse(HOME[found.user.role], status_code=303)
    return RedirectResponse("/console/login", status_code=303)


@router.get("/login")
async def login_form(request: Request, expired: int = 0, out: int = 0) -> Response:
    lang = i18n.lang_of(request)
    if expired:
        return _login_page(request, message=i18n.t("login.expired", lang), kind="info")
    if out:
        return _login_page(request, message=i18n.t("login.logged_out", lang), kind="info")
    return _login_page(request)


@router.post("/login")
async def login(request: Request, login: Annotated[str, Form(max_length=64)] = "",
                password: Annotated[str, Form(max_length=200)] = "",
                csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    storage = request.app.state.storage
    limiter: auth.LoginLimiter = request.app.state.console_limiter
    lang = i18n.lang_of(request)
    address = audit.address_of(request)
    if not auth.same(csrf, request.cookies.get(auth.LOGIN_CSRF_COOKIE)):
        await run_in_threadpool(audit.record, storage, request, None, "login", "", "refused:csrf")
        return _login_page(request, 403, i18n.t("error.csrf", lang))
    wait = await run_in_threadpool(limiter.wait, login, address)
    if wait is not None:
        await run_in_threadpool(audit.record, storage, request, None, "login", "", "refused:rate_limited")
        return _login_page(request, 429, i18n.t("login.too_many", lang, seconds=wait))
    user: User | None = await run_in_threadpool(users.verify, storage, login.strip(), password)
    if user is None:
        await run_in_threadpool(limiter.failed, login, address)
        await run_in_threadpool(audit.record, storage, request, None, "login", "", "refused:bad_password")
        return _login_page(request, 401, i18n.t("login.bad", lang))
    if user.disabled:
        await run_in_threadpool(audit.record, storage, request, user.id, "login", "", "refused:disabled")
        return _login_page(request, 403, i18n.t("login.disabled", lang))
    sid, _csrf = await run_in_threadpool(auth.open_session, storage, user)
    await run_in_threadpool(audit.record, storage, request, user.id, "login", f"user:{user.id}", "ok")
    response = RedirectResponse(HOME[user.role], status_code=303)
    auth.set_cookie(request, response, auth.SESSION_COOKIE, sid)
    response.delete_cookie(auth.LOGIN_CSRF_COOKIE, path="/console")
    return response


@router.post("/logout")
async def logout(request: Request, user: Annotated[User, Depends(auth.require_user())]) -> Response:
    storage = request.app.state.storage
    await run_in_threadpool(auth.close_session, storage, request.cookies.get(auth.SESSION_COOKIE, ""))
    await run_in_threadpool(audit.record, storage, request, user.id, "logout", f"user:{user.id}", "ok")
    response = RedirectResponse("/console/login?out=1", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/console")
    return response
