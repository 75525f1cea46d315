"""Admin pages: the audit log (/console/audit) and the list of platform users (/console/users)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from sync.server.console import audit, users, web
from sync.server.console.auth import require_user
from sync.server.console.users import User

router = APIRouter(prefix="/console", include_in_schema=False)
web.add_nav("/console/audit", "nav.audit", ("admin",), order=80)
web.add_nav("/console/users", "nav.users", ("admin",), order=90)


def when(at: float) -> str:
    return dt.datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M:%S")


@router.get("/audit")
async def audit_page(request: Request, user: Annotated[User, Depends(require_user("admin"))],
                     before: Annotated[int | None, Query(ge=1)] = None) -> Response:
    entries = await run_in_threadpool(audit.recent, request.app.state.storage, 200, before)
    await run_in_threadpool(audit.record, request.app.state.storage, request, user.id, "audit.view")
    return web.render(request, "audit.html", entries=entries, when=when)


@router.get("/users")
async def users_page(request: Request, user: Annotated[User, Depends(require_user("admin"))]) -> Response:
    listed = await run_in_threadpool(users.all_users, request.app.state.storage)
    await run_in_threadpool(audit.record, request.app.state.storage, request, user.id, "users.view")
    return web.render(request, "users.html", users=listed)
