"""The audit chain's head and the hash at any position, for the second anchor kept by the
platform (fieldkit.services.sync_service): at each sync the laptop reports (seq, hash) of its
last audit row; at the next sync it checks that its chain still holds that row.

Read-only: two indexed lookups, nothing is written. Threading: the store's thread.
"""

from __future__ import annotations

from .store import Store


def head(store: Store) -> tuple[int, str] | None:
    """(seq, hash) of the newest audit row, None for an empty log."""
    row = store._db.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
    return None if row is None else (int(row[0]), str(row[1]))


def hash_at(store: Store, seq: int) -> str | None:
    """The stored hash of row `seq`, None when there is no such row."""
    row = store._db.one("SELECT hash FROM audit WHERE seq = ?", (seq,))
    return None if row is None else str(row[0])


def count(store: Store) -> int:
    """How many audit rows there are."""
    return int(store._db.one("SELECT count(*) FROM audit")[0])
