"""The local watch list: an ID number entered anywhere is checked offline against it.

Entries are stored by the store as keyed hashes (HMAC under a key derived from the data key),
so a stolen laptop does not reveal whom the station is watching. Filled from the CLI now and
by sync later.

Threading: called on the thread that owns the workspace.
"""

from __future__ import annotations

from fieldkit.domain.errors import UserFacingError
from fieldkit.domain.validators import check_id_number
from fieldkit.services.permissions import require
from fieldkit.services.workspace import Workspace


def _valid(id_number: str) -> str:
    c = check_id_number(id_number)
    if not c.ok:
        raise UserFacingError(
            f"公民身份号码：{c.message}", message_en=f"ID number: {c.message_en}", field="id_number", code="invalid"
        )
    return c.value


def add(ws: Workspace, id_number: str, reason: str, source: str = "local") -> None:
    require(ws, "watchlist")
    value = _valid(id_number)
    ws.store.watchlist.add(value, reason, source)
    ws.store.audit.log("watchlist_add", detail={"source": source})


def check(ws: Workspace, id_number: str):
    """The watch-list entry for this ID number, or None. Invalid numbers are simply not hits."""
    c = check_id_number(id_number)
    if not c.ok:
        return None
    hit = ws.store.watchlist.check(c.value)
    if hit is not None:
        ws.store.audit.log("watchlist_hit")
    return hit
