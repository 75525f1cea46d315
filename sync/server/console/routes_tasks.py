"""/console/tasks: publish a task package (checked by the tasks form, `tasks.check_task`), and
the tasks in the officer's jurisdiction with who took and completed them and the credits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from sync.server.console import audit, forms, tasks, web
from sync.server.console.auth import require_user
from sync.server.console.checks import Refused, labels, scope_village
from sync.server.console.pages import OFFICERS, finished, publisher, refused
from sync.server.console.users import User

router = APIRouter(prefix="/console", include_in_schema=False)
web.add_nav("/console/tasks", "nav.tasks", OFFICERS, order=20)
Officer = Annotated[User, Depends(require_user(*OFFICERS))]
Text = Annotated[str, Form(max_length=2000)]


@router.get("/tasks")
async def tasks_page(request: Request, user: Officer, status: str = "", done: int = 0) -> Response:
    storage = request.app.state.storage
    lang = web.i18n.lang_of(request)
    rows = await run_in_threadpool(tasks.list_tasks, storage, user.scope, lang=lang)
    spec = (await run_in_threadpool(forms.catalog, storage))[tasks.MODULE]
    shown = [r for r in rows if not status or r.status == status]
    await run_in_threadpool(audit.record, storage, request, user.id, "tasks.view", "")
    return web.render(request, "tasks.html", rows=shown, credits=tasks.credits(rows), done=bool(done),
                      status_filter=status, statuses=labels(spec, "status", lang), kinds=labels(spec, "kind", lang),
                      urgencies=labels(spec, "urgency", lang), field_label=lambda n: spec.field(n).label.get(lang),
                      default_scope=user.scope[0] if user.scope else "")


@router.post("/tasks")
async def publish(request: Request, user: Officer, title: Text = "", kind: Text = "", description: Text = "",
                  urgency: Text = "", scope: Text = "", village: Text = "", assignees: Text = "",
                  points: Text = "", due_date: Text = "") -> Response:
    storage = request.app.state.storage
    values = {"title": title, "kind": kind, "description": description, "urgency": urgency,
              "village": village or scope_village(scope.strip() or "*"), "assignees": assignees,
              "points": points, "due_date": due_date}
    values = {k: v.strip() for k, v in values.items() if v and v.strip()}
    try:
        uid = await run_in_threadpool(tasks.publish_task, storage, values, scope, publisher(user))
    except Refused as e:
        raise await run_in_threadpool(refused, request, user, "task.publish", "", e) from None
    await run_in_threadpool(audit.record, storage, request, user.id, "task.publish", uid)
    return finished(request, "/console/tasks?done=1")
