"""Plain data the database thread hands to the GUI about the signed-in session.

Frozen and free of store objects, so it can cross threads: the GUI keeps this, never the
`Workspace` (which belongs to the database thread).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.services import devices_access


@dataclass(frozen=True)
class SessionInfo:
    home: Path
    login: str
    display_name: str
    role: str
    modules: tuple[Any, ...]  # formspec.ModuleSpec, immutable, in catalogue order
    permissions: Any = None  # formspec.permissions.PermissionTable (immutable): what the UI offers
    demo_devices: bool = False  # the fakes stand in for camera, card and fingerprint readers

    @classmethod
    def from_workspace(cls, ws: Any) -> SessionInfo:
        """Call on the database thread (reads the store's user)."""
        user = ws.user
        return cls(
            home=ws.home,
            login=user.login,
            display_name=user.display_name or user.login,
            role=str(getattr(user.role, "value", user.role)),
            modules=tuple(ws.visible_modules()),
            permissions=ws.catalog.permissions,
            demo_devices=devices_access.demo_mode(ws),
        )

    def may(self, action: str, module: str | None = None) -> bool:
        """What services.permissions.may says for this user: the UI hides what it would refuse."""
        return self.permissions is not None and self.permissions.allows(self.role, action, module)

    def module(self, module_id: str) -> Any:
        for m in self.modules:
            if m.id == module_id:
                return m
        raise KeyError(module_id)

    def hub(self, kind: str) -> Any | None:
        return next((m for m in self.modules if m.hub == kind), None)
