"""What the desktop status bar shows about the store (added for the UI, issue 3).

Threading: called on the thread that owns the workspace (the UI's database thread).
"""

from __future__ import annotations

from fieldkit.services.workspace import Workspace


def pending_sync_count(ws: Workspace) -> int:
    """Local changes written to the sync outbox and not yet acknowledged by a server.

    Every save appends to the outbox in the same transaction, so this is "how much work has not
    left this laptop yet" — shown even before sync is switched on, so nobody assumes it has.
    """
    return int(ws.store.outbox.count())
