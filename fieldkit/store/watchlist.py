"""`store.watchlist`: ID numbers to raise an alert on, kept only as keyed hashes.

An entry is HMAC-SHA256(watch-list key, normalised ID number) + reason + source. The key comes
from the data key (HKDF, label "watchlist"), so even someone holding the decrypted database
cannot test guesses without the key; `check` is one primary-key seek.

Normalisation: trimmed, spaces removed, upper case (a final x becomes X). Callers pass the
validator's normalised value (15-digit numbers already upgraded to 18).
Threading: one thread at a time (the store's).
"""

from __future__ import annotations

from . import crypto
from .ctx import Ctx, now_iso
from .types import WatchHit


def normalise(id_number: str) -> str:
    return "".join(str(id_number).split()).upper()


class Watchlist:
    def __init__(self, ctx: Ctx) -> None:
        self._ctx = ctx
        self._db = ctx.db
        self._key = ctx.keys["watchlist"]

    def key_of(self, id_number: str) -> bytes:
        """The keyed hash an entry for this ID number is stored under."""
        return crypto.mac(self._key, normalise(id_number))

    def add(self, id_number: str, reason: str, source: str = "") -> None:
        """Add or replace the entry for this ID number."""
        with self._db.tx():
            self._db.execute(
                "INSERT OR REPLACE INTO watchlist(id_mac, reason, source, added_at, added_by) VALUES (?,?,?,?,?)",
                (self.key_of(id_number), reason, source, now_iso(), self._ctx.user),
            )

    def remove(self, id_number: str) -> bool:
        with self._db.tx():
            return self._db.execute("DELETE FROM watchlist WHERE id_mac = ?", (self.key_of(id_number),)).rowcount > 0

    def check(self, id_number: str) -> WatchHit | None:
        row = self._db.one(
            "SELECT reason, source, added_at, added_by FROM watchlist WHERE id_mac = ?", (self.key_of(id_number),)
        )
        return WatchHit(*row) if row else None

    def check_many(self, id_numbers: list[str]) -> dict[str, WatchHit]:
        """Hits among these ID numbers (an import checks its rows a few hundred at a time)."""
        macs = {self.key_of(n): n for n in dict.fromkeys(id_numbers)}
        out: dict[str, WatchHit] = {}
        keys = list(macs)
        for i in range(0, len(keys), 400):
            chunk = keys[i : i + 400]
            for mac, *row in self._db.execute(
                    f"SELECT id_mac, reason, source, added_at, added_by FROM watchlist WHERE id_mac IN"
                    f" ({','.join('?' * len(chunk))})", chunk):
                out[macs[bytes(mac)]] = WatchHit(*row)
        return out

    def count(self) -> int:
        return self._db.one("SELECT count(*) FROM watchlist")[0]
