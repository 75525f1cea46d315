"""Form drafts: what the officer has typed but not saved survives a crash or power loss.

Drafts live in the encrypted store (never in a plaintext temp file), keyed by module and
record uuid (or "new"). The form saves one a second or so after each change.

Threading: called on the thread that owns the workspace.
"""

from __future__ import annotations

from typing import Any

from fieldkit.services.workspace import Workspace


def draft_key(module: str, uuid: str | None) -> str:
    return f"{module}:{uuid or 'new'}"


def save_draft(ws: Workspace, key: str, values: dict[str, Any]) -> None:
    ws.store.drafts.save(key, values)


def load_draft(ws: Workspace, key: str) -> dict[str, Any] | None:
    return ws.store.drafts.load(key)


def discard_draft(ws: Workspace, key: str) -> None:
    ws.store.drafts.discard(key)
