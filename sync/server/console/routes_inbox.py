"""The escalation inbox (/console/inbox) and an event's page with its actions.

The event's uuid is in the URL (no personal data: names and ID numbers never are). Each action
is a POST of a plain HTML form, enhanced by htmx (the page section is swapped in place); it
writes one audit row, refused or not.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from fieldkit.domain.errors import UserFacingError
from sync.server.console import audit, escalation, forms, web
from sync.server.console.auth import ConsoleError, require_user
from sync.server.console.users import User
from sync.server.storage import StorageError

router = APIRouter(prefix="/console", include_in_schema=False)
web.add_nav("/console/inbox", "nav.inbox", ("township", "county"), order=10)
UUID = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
Officer = Annotated[User, Depends(require_user("township", "county"))]
TEXT = 2000  # characters of an action or a feedback text


def _labels(request: Request) -> Any:
    """A function the templates call: (field, value) → the form's label in the page language."""
    spec = forms.catalog(request.app.state.storage)[escalation.MODULE]
    lang = web.i18n.lang_of(request)

    def label(field: str, value: Any, sub: str | None = None) -> str:
        f = spec.field(field)
        if sub is not None:
            f = f.subfield(sub)
        return f.choice_label(str(value), lang) if f.choices else str(value if value is not None else "")

    def field_label(field: str) -> str:
        return spec.field(field).label.get(lang)

    return label, field_label


@router.get("/inbox")
async def inbox(request: Request, user: Officer) -> Response:
    storage = request.app.state.storage
    open_, to_feed_back = await run_in_threadpool(escalation.inbox, storage, user)
    label, field_label = await run_in_threadpool(_labels, request)
    await run_in_threadpool(audit.record, storage, request, user.id, "inbox.view", f"level:{user.level}")
    return web.render(request, "inbox.html", open=open_, to_feed_back=to_feed_back, label=label,
                      field_label=field_label)


async def _event_page(request: Request, user: User, uuid: str, status: int = 200, done: bool = False) -> Response:
    storage = request.app.state.storage
    event = await run_in_threadpool(escalation.get, storage, user, uuid)
    if event is None:
        raise ConsoleError(404, "error.not_found", code="not_found")
    label, field_label = await run_in_threadpool(_labels, request)
    template = "_event_body.html" if web.is_htmx(request) else "event.html"
    return web.render(request, template, status, event=event, label=label, field_label=field_label,
                      may_act=escalation.may_act(user, event), next_level=escalation.next_level(event.level),
                      done=done)


@router.get("/events/{uuid}")
async def event_page(request: Request, user: Officer, uuid: UUID, done: int = 0) -> Response:
    await run_in_threadpool(audit.record, request.app.state.storage, request, user.id, "event.view", uuid)
    return await _event_page(request, user, uuid, done=bool(done))


async def _step(request: Request, user: User, uuid: str, action: str, step: str, inputs: dict[str, Any]) -> Response:
    storage = request.app.state.storage
    try:
        catalog = await run_in_threadpool(forms.catalog, storage)
        await run_in_threadpool(escalation.take_step, storage, catalog, user, uuid, step, inputs)
    except UserFacingError as e:
        await run_in_threadpool(audit.record, storage, request, user.id, action, uuid, f"refused:{e.code}")
        raise ConsoleError(409 if e.code in ("workflow", "not_your_level", "conflict") else 422,
                           message=e.message, message_en=e.message_en, code=e.code) from None
    except StorageError as e:
        await run_in_threadpool(audit.record, storage, request, user.id, action, uuid, f"refused:{e.code}")
        raise ConsoleError(e.status, "error.not_found" if e.status == 404 else "error.title", code=e.code) from None
    await run_in_threadpool(audit.record, storage, request, user.id, action, uuid, "ok")
    if web.is_htmx(request):
        return await _event_page(request, user, uuid, done=True)
    return RedirectResponse(f"/console/events/{uuid}?done=1", status_code=303)


@router.post("/events/{uuid}/handle")
async def handle(request: Request, user: Officer, uuid: UUID, outcome: Annotated[str, Form(max_length=16)] = "",
                 action: Annotated[str, Form(max_length=TEXT)] = "") -> Response:
    step = {"handled": "resolve", "pending": "progress"}.get(outcome)
    if step is None:
        raise ConsoleError(422, message="处置结果：应为“已处置”或“处置中”", message_en="Outcome: handled or in progress",
                           code="bad_outcome")
    return await _step(request, user, uuid, f"event.{step}", step, {"action": action})


@router.post("/events/{uuid}/escalate")
async def escalate(request: Request, user: Officer, uuid: UUID, to_level: Annotated[str, Form(max_length=16)],
                   action: Annotated[str, Form(max_length=TEXT)] = "") -> Response:
    return await _step(request, user, uuid, "event.escalate", "escalate", {"to_level": to_level, "action": action})


@router.post("/events/{uuid}/feedback")
async def feedback(request: Request, user: Officer, uuid: UUID,
                   feedback: Annotated[str, Form(max_length=TEXT)] = "") -> Response:
    return await _step(request, user, uuid, "event.feed_back", "feed_back", {"feedback": feedback})
