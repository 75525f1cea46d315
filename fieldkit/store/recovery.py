"""Recovery codes: 140 random bits printed once for the station chief to keep on paper.

Format: 7 groups of 5 Crockford base-32 characters, e.g. ``7KQ2M-XR4TB-…``. In each group the
first 4 characters carry 20 bits and the 5th is a Luhn mod-32 check character computed over the
group's position and its 4 characters, so any single mistyped character — and most swapped
neighbours or swapped groups — is caught before any key is tried, and the message can say
*which* group to re-read. Crockford's alphabet has no I, L, O or U; when typed, I/L read as 1 and
O as 0, and case, spaces and hyphens do not matter.

The code is high-entropy, so it becomes a key with HKDF (no slow KDF needed). Pure; thread-safe.
"""

from __future__ import annotations

import os

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_VALUE.update({"I": 1, "L": 1, "O": 0})
GROUPS = 7
DATA_CHARS = 4
SECRET_BITS = GROUPS * DATA_CHARS * 5  # 140


class RecoveryCodeTypo(ValueError):
    """A malformed code; `group` is the 1-based group to re-read (0 when the length is wrong)."""

    def __init__(self, group: int) -> None:
        super().__init__(f"recovery code group {group} is wrong")
        self.group = group


def _check_char(position: int, chars: list[int]) -> int:
    """Luhn mod N (N=32) over [position, *chars]: catches every single substitution."""
    factor = 2
    total = 0
    for v in reversed([position, *chars]):
        addend = factor * v
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return (32 - total % 32) % 32


def generate() -> tuple[str, bytes]:
    """A new (printable code, secret bytes). The secret is what keys are derived from."""
    n = int.from_bytes(os.urandom((SECRET_BITS + 7) // 8), "big") >> (8 * ((SECRET_BITS + 7) // 8) - SECRET_BITS)
    values = [(n >> (5 * i)) & 31 for i in range(GROUPS * DATA_CHARS)][::-1]
    groups = []
    for g in range(GROUPS):
        chunk = values[g * DATA_CHARS : (g + 1) * DATA_CHARS]
        check = _check_char(g, chunk)
        groups.append("".join(ALPHABET[v] for v in [*chunk, check]))
    code = "-".join(groups)
    return code, parse(code)


def parse(code: str) -> bytes:
    """Secret bytes of a typed code; raises `RecoveryCodeTypo` naming the group at fault."""
    cleaned = [c for c in code.upper() if c not in " -\t\n"]
    if len(cleaned) != GROUPS * (DATA_CHARS + 1):
        raise RecoveryCodeTypo(0)
    values: list[int] = []
    for g in range(GROUPS):
        chunk = cleaned[g * (DATA_CHARS + 1) : (g + 1) * (DATA_CHARS + 1)]
        try:
            vals = [_VALUE[c] for c in chunk]
        except KeyError:
            raise RecoveryCodeTypo(g + 1) from None
        if _check_char(g, vals[:DATA_CHARS]) != vals[DATA_CHARS]:
            raise RecoveryCodeTypo(g + 1)
        values.extend(vals[:DATA_CHARS])
    n = 0
    for v in values:
        n = (n << 5) | v
    return n.to_bytes((SECRET_BITS + 7) // 8, "big")
