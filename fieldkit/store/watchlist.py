"""`store.watchlist`: ID numbers to raise an alert on, kept only as keyed hashes.

An entry is HMAC-SHA256(watch-list key, normalised ID number) + reason + source. The key comes
from the data key (HKDF, label "watchlist"), so even someone holding the decrypted database
cannot test guesses without the key; `check` is one primary-key seek.

Normalisation: trimmed, spaces removed, upper case (a final x becomes X). Callers pass the
validator's normalised value (15-digit numbers already upgraded to 18).
With a restricted database (store/partition.py) the reason is kept only there: the hash stays
in ``fieldkit.db`` with a neutral reason, so a session without the restricted key still warns
("布控人员") but cannot read why. `reasons` names the attached schema holding the real reasons
(None when this session cannot open it); `hidden` says the store has one at all.
Threading: one thread at a time (the store's).
"""

from __future__ import annotations

from . import crypto
from .ctx import Ctx, now_iso
from .types import WatchHit


def normalise(id_number: str) -> str:
    return "".join(str(id_number).split()).upper()


class Watchlist:
    def __init__(self, ctx: Ctx, *, hidden: str | None = None, reasons: str | None = None) -> None:
        self._ctx = ctx
        self._db = ctx.db
        self._key = ctx.keys["watchlist"]
        self._hidden, self._reasons = hidden, reasons

    def key_of(self, id_number: str) -> bytes:
        """The keyed hash an entry for this ID number is stored under."""
        return crypto.mac(self._key, normalise(id_number))

    def add(self, id_number: str, reason: str, source: str = "") -> None:
        """Add or replace the entry for this ID number."""
        row = (self.key_of(id_number), reason, source, now_iso(), self._ctx.user)
        sql = "INSERT OR REPLACE INTO {}.watchlist(id_mac, reason, source, added_at, added_by) VALUES (?,?,?,?,?)"
        with self._db.tx():
            if self._hidden is None:
                self._db.execute(sql.format("main"), row)
                return
            self._db.execute(sql.format("main"), (row[0], self._hidden, *row[2:]))
            if self._reasons is not None:
                self._db.execute(sql.format(self._reasons), row)

    def remove(self, id_number: str) -> bool:
        return self.remove_mac(self.key_of(id_number))

    def remove_mac(self, mac: bytes) -> bool:
        """Remove the entry stored under this keyed hash (and its reason)."""
        with self._db.tx():
            if self._reasons is not None:
                self._db.execute(f"DELETE FROM {self._reasons}.watchlist WHERE id_mac = ?", (mac,))
            return self._db.execute("DELETE FROM main.watchlist WHERE id_mac = ?", (mac,)).rowcount > 0

    def check(self, id_number: str) -> WatchHit | None:
        return self.check_many([id_number]).get(id_number)

    def check_many(self, id_numbers: list[str]) -> dict[str, WatchHit]:
        """Hits among these ID numbers (an import checks its rows a few hundred at a time)."""
        macs = {self.key_of(n): n for n in dict.fromkeys(id_numbers)}
        out: dict[str, WatchHit] = {}
        keys = list(macs)
        for i in range(0, len(keys), 400):
            chunk = keys[i : i + 400]
            marks = ",".join("?" * len(chunk))
            for mac, *row in self._db.execute(
                    f"SELECT id_mac, reason, source, added_at, added_by FROM main.watchlist WHERE id_mac IN ({marks})",
                    chunk):
                out[macs[bytes(mac)]] = WatchHit(*row)
            if self._reasons is not None:
                for mac, reason in self._db.execute(
                        f"SELECT id_mac, reason FROM {self._reasons}.watchlist WHERE id_mac IN ({marks})", chunk):
                    n = macs[bytes(mac)]
                    if n in out:
                        h = out[n]
                        out[n] = WatchHit(reason, h.source, h.added_at, h.added_by)
        return out

    def count(self) -> int:
        return self._db.one("SELECT count(*) FROM main.watchlist")[0]
