"""The console's audit log: every console action, who did it, when, on what, with what result.

Rows hold ids only: the user's numeric id, record uuids, device ids — never a name, an ID
number or text someone typed (a failed login does not record the login that was tried; it is
counted against the address). Outcomes are short codes: ``ok``, ``refused:<code>``.

`record(storage, request, user, action, target, outcome)` is the one call; console routes
call it for every action, refused ones included. Threading: any thread; one short insert.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from starlette.requests import Request

from sync.server.storage import Storage
from sync.server.tables import console_audit, console_users

MAX_TARGET = 200


@dataclass(frozen=True)
class Entry:
    id: int
    at: float
    user_id: int | None
    login: str | None
    action: str
    target: str
    outcome: str
    address: str


def address_of(request: Request | None) -> str:
    return (request.client.host if request is not None and request.client else "")[:64]


def record(storage: Storage, request: Request | None, user_id: int | None, action: str, target: str = "",
           outcome: str = "ok") -> None:
    with storage.engine.begin() as c:
        c.execute(console_audit.insert().values(
            at=time.time(), user_id=user_id, action=action[:40], target=target[:MAX_TARGET],
            outcome=outcome[:60], address=address_of(request)))


def recent(storage: Storage, limit: int = 200, before: int | None = None) -> list[Entry]:
    """Newest first; ``before`` (an entry id) pages back."""
    q = (sa.select(console_audit, console_users.c.login)
         .select_from(console_audit.outerjoin(console_users, console_users.c.id == console_audit.c.user_id))
         .order_by(console_audit.c.id.desc()).limit(limit))
    if before is not None:
        q = q.where(console_audit.c.id < before)
    with storage.engine.connect() as c:
        return [Entry(r.id, r.at, r.user_id, r.login, r.action, r.target, r.outcome, r.address) for r in c.execute(q)]
