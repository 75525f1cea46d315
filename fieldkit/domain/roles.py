"""User roles. The role decides which modules a user sees (each module lists its roles)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A FieldKit user's role. Values are the strings stored in the keyring and in forms/*.toml."""

    OFFICER = "officer"
    GRID_WORKER = "grid_worker"
    CHIEF = "chief"

    @property
    def zh(self) -> str:
        return _LABELS[self][0]

    @property
    def en(self) -> str:
        return _LABELS[self][1]

    def label(self, lang: str = "zh") -> str:
        return self.en if lang.startswith("en") else self.zh

    @classmethod
    def parse(cls, text: str) -> Role:
        """Accept the value, the Chinese label or the English label (any case)."""
        t = text.strip()
        for role in cls:
            if t.lower() in (role.value, role.en.lower()) or t == role.zh:
                return role
        raise ValueError(f"unknown role: {text!r}")


_LABELS: dict[Role, tuple[str, str]] = {
    Role.OFFICER: ("社区民警", "Community police officer"),
    Role.GRID_WORKER: ("网格员", "Grid worker"),
    Role.CHIEF: ("所长", "Station chief"),
}
