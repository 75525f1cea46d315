"""Form drafts: what the officer has typed but not saved survives a crash or power loss.

Drafts live in the encrypted store (never in a plaintext temp file), keyed by module and
record uuid (or "new"). The form saves one a second or so after each change.

Threading: called on the thread that owns the workspace.
"""

from __future__ import annotations

from typing import Any

from fieldkit.services.workspace import Workspace

PASS_PREFIX = "household_pass:"


def draft_key(module: str, uuid: str | None) -> str:
    return f"{module}:{uuid or 'new'}"


def pass_key(address_uuid: str) -> str:
    """The draft of a household pass not yet submitted (the card's pending entries)."""
    return PASS_PREFIX + address_uuid


def pending_passes(ws: Workspace) -> list[str]:
    """Addresses with a household pass waiting to be submitted, the most recently saved first."""
    return [k[len(PASS_PREFIX):] for k in ws.store.drafts.keys() if k.startswith(PASS_PREFIX)]  # noqa: SIM118 (not a dict)


def save_draft(ws: Workspace, key: str, values: dict[str, Any]) -> None:
    ws.store.drafts.save(key, values)


def load_draft(ws: Workspace, key: str) -> dict[str, Any] | None:
    return ws.store.drafts.load(key)


def discard_draft(ws: Workspace, key: str) -> None:
    ws.store.drafts.discard(key)
