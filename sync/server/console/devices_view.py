"""Devices as the console shows them: enrollment with its QR code, last sync and what waits for
each device on the server, revoke.

The QR code is drawn with the `qrcode` package (already the CLI's `enroll-code --qr`) as an
inline SVG: no image file, no extra request, sharp at any zoom on the screen a laptop's camera
reads it from.

Threading: any request thread.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
import sqlalchemy as sa

from sync.protocol import ProtocolError
from sync.server import activity
from sync.server.__main__ import enrollment_payload
from sync.server.console.checks import Refused
from sync.server.storage import Storage, StorageError, devices


@dataclass(frozen=True)
class DeviceRow:
    id: int
    name: str
    scope: tuple[str, ...]
    enrolled: bool
    revoked: bool
    created_at: float
    enrolled_at: float | None
    revoked_at: float | None
    last_push_at: float | None
    last_pull_at: float | None
    last_sync_at: float | None  # the later of the two
    pending: int  # record states in scope the device has not pulled yet
    pushed_changes: int


def list_devices(storage: Storage, within: Iterable[str] = ("*",)) -> list[DeviceRow]:
    """Every device whose scope lies inside ``within`` (an admin: everything), by id."""
    within = tuple(within)
    out = []
    with storage.engine.connect() as c:
        act = activity.activity(c)
        for r in c.execute(sa.select(devices).order_by(devices.c.id)):
            scope = tuple(json.loads(r.scope))
            if "*" not in within and not all(any(s == w or s.startswith(w + "/") for w in within) for s in scope):
                continue
            a = act.get(r.id)
            push, pull = (a.last_push_at, a.last_pull_at) if a is not None else (None, None)
            seen = [t for t in (push, pull) if t is not None]
            live = r.enrolled_at is not None and r.revoked_at is None
            out.append(DeviceRow(
                id=r.id, name=r.name, scope=scope, enrolled=r.enrolled_at is not None, revoked=r.revoked_at is not None,
                created_at=r.created_at, enrolled_at=r.enrolled_at, revoked_at=r.revoked_at,
                last_push_at=push, last_pull_at=pull, last_sync_at=max(seen) if seen else None,
                pending=activity.pending(c, scope, activity.position(a)) if live else 0,
                pushed_changes=int(a.pushed_changes) if a is not None else 0,
            ))
    return out


def qr_svg(payload: str) -> str:
    """The enrollment QR code as an inline ``<svg>`` element (no XML declaration)."""
    img = qrcode.make(payload, image_factory=qrcode.image.svg.SvgPathImage, border=2, box_size=8)
    text = img.to_string(encoding="unicode")
    return text[text.index("<svg"):]


def enroll(storage: Storage, name: str, scope: list[str], url: str, fingerprint: str | None,
           ttl_hours: float = 72) -> tuple[int, str, str]:
    """A new device slot: (device id, one-time code, QR payload) — the payload is
    `sync.server.__main__.enrollment_payload`'s, which the laptop reads."""
    name = name.strip()
    if not name or len(name) > 200:
        raise Refused("设备名称：此项为必填项（不超过200字）", "device name: required (at most 200 characters)",
                      field="name")
    if not 0 < ttl_hours <= 24 * 30:
        raise Refused("有效期应在0到720小时之间", "the code must expire within 0–720 hours", field="ttl_hours")
    try:
        did, code = storage.create_enrollment(name, scope, ttl_hours * 3600)
    except (ProtocolError, StorageError) as e:  # a malformed entry, or none given
        raise Refused(f"辖区：{e}", f"scope: {e}", field="scope") from None
    return did, code, enrollment_payload(url, code, fingerprint)


def revoke(storage: Storage, device_id: int) -> None:
    if not storage.revoke(device_id):
        raise Refused("没有这台在用的设备（或已撤销）", "no such active device (or already revoked)", field="device_id")
