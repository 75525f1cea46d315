"""/console/devices (platform admins): enroll a device (its QR code on screen, shown once), the
devices with their last sync and what waits for them, revoke after a confirmation page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from sync.server.console import audit, devices_view, web
from sync.server.console.auth import ConsoleError, require_user
from sync.server.console.checks import Refused
from sync.server.console.pages import finished, refused, when
from sync.server.console.users import User

router = APIRouter(prefix="/console", include_in_schema=False)
web.add_nav("/console/devices", "nav.devices", ("admin",), order=60)
Admin = Annotated[User, Depends(require_user("admin"))]
Text = Annotated[str, Form(max_length=2000)]
DeviceId = Annotated[int, Path(ge=1, le=2**31)]


def _enroll_url(request: Request) -> str:
    """Where laptops reach this platform: as configured at `serve` (app.state.enroll_url), else
    the address the admin's browser used."""
    return getattr(request.app.state, "enroll_url", None) or str(request.base_url).rstrip("/")


@router.get("/devices")
async def devices_page(request: Request, user: Admin, done: str = "") -> Response:
    storage = request.app.state.storage
    rows = await run_in_threadpool(devices_view.list_devices, storage)
    await run_in_threadpool(audit.record, storage, request, user.id, "devices.view", "")
    return web.render(request, "devices.html", rows=rows, when=when, done=done[:16], enroll_url=_enroll_url(request))


@router.post("/devices/enroll")
async def enroll(request: Request, user: Admin, name: Text = "", scope: Text = "", url: Text = "",
                 ttl_hours: Annotated[float, Form(gt=0, le=720)] = 72) -> Response:
    storage = request.app.state.storage
    fp = getattr(request.app.state, "tls_fingerprint", None)
    entries = [s.strip() for s in scope.replace("，", ",").split(",") if s.strip()]
    try:
        did, code, payload = await run_in_threadpool(devices_view.enroll, storage, name, entries,
                                                     url.strip() or _enroll_url(request), fp, ttl_hours)
    except Refused as e:
        raise await run_in_threadpool(refused, request, user, "device.enroll", "", e) from None
    await run_in_threadpool(audit.record, storage, request, user.id, "device.enroll", f"device:{did}")
    return web.render(request, "device_enrolled.html", device_name=name.strip(), code=code, did=did,
                      qr=devices_view.qr_svg(payload), pinned=fp is not None, headers={"Cache-Control": "no-store"})


@router.get("/devices/{device_id}/revoke")
async def confirm_revoke(request: Request, user: Admin, device_id: DeviceId) -> Response:
    rows = await run_in_threadpool(devices_view.list_devices, request.app.state.storage)
    row = next((r for r in rows if r.id == device_id and not r.revoked), None)
    if row is None:
        raise ConsoleError(404, "error.not_found", code="not_found")
    return web.render(request, "device_revoke.html", row=row)


@router.post("/devices/{device_id}/revoke")
async def revoke(request: Request, user: Admin, device_id: DeviceId) -> Response:
    storage = request.app.state.storage
    try:
        await run_in_threadpool(devices_view.revoke, storage, device_id)
    except Refused as e:
        raise await run_in_threadpool(refused, request, user, "device.revoke", f"device:{device_id}", e) from None
    await run_in_threadpool(audit.record, storage, request, user.id, "device.revoke", f"device:{device_id}")
    return finished(request, "/console/devices?done=revoked")
