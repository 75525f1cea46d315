"""What changed: the door's answer and the one broadcast every screen refreshes from.

`Changes` names the modules and records a call of `services.door` (or a sync pull through it)
created, updated or deleted. The door adds each committed `Changes` to the workspace's
`ChangeLog`; the UI's database worker drains it after every job and broadcasts it once, so a
list, a record page, the household card and the station desk all hear an edit made anywhere —
in another tab, by an import, by the CLI in this process, or by sync.

Threading: a `ChangeLog` belongs to its workspace's thread; a drained `Changes` is plain data
that may be handed to the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Changes:
    modules: set[str] = field(default_factory=set)
    created: set[str] = field(default_factory=set)
    updated: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)  # "user", "import", "demo", "sync"

    @property
    def uuids(self) -> set[str]:
        return self.created | self.updated | self.deleted

    def note(self, op: str, module: str, uuid: str) -> None:
        self.modules.add(module)
        {"created": self.created, "deleted": self.deleted}.get(op, self.updated).add(uuid)

    def touches(self, *, module: str | None = None, uuid: str | None = None) -> bool:
        """Whether a screen showing `module` (or record `uuid`) should refresh."""
        return (module is not None and module in self.modules) or (uuid is not None and uuid in self.uuids)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.modules | other.modules, self.created | other.created, self.updated | other.updated,
                       self.deleted | other.deleted, self.sources | other.sources)

    def __bool__(self) -> bool:
        return bool(self.modules)


class ChangeLog:
    """Committed changes not yet broadcast (the UI drains it after each job)."""

    def __init__(self) -> None:
        self._pending = Changes()

    def add(self, changes: Changes) -> None:
        self._pending = self._pending | changes

    def drain(self) -> Changes:
        out, self._pending = self._pending, Changes()
        return out
