"""`store.settings` and `store.drafts`: small JSON values kept inside the encrypted database.

Settings are per store (not per user); drafts are keyed by the caller (e.g. "visits:new" or a
record uuid) and remember who saved them. Threading: one thread at a time (the store's).
"""

from __future__ import annotations

from typing import Any

from .ctx import Ctx, dumps, loads, now_iso


class Settings:
    def __init__(self, ctx: Ctx) -> None:
        self._db = ctx.db

    def get(self, key: str, default: Any = None) -> Any:
        row = self._db.one("SELECT value FROM settings WHERE key = ?", (key,))
        return default if row is None else loads(row[0])

    def set(self, key: str, value: Any) -> None:
        with self._db.tx():
            self._db.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (key, dumps(value)))

    def delete(self, key: str) -> None:
        with self._db.tx():
            self._db.execute("DELETE FROM settings WHERE key = ?", (key,))

    def all(self) -> dict[str, Any]:
        return {k: loads(v) for k, v in self._db.execute("SELECT key, value FROM settings ORDER BY key")}


class Drafts:
    def __init__(self, ctx: Ctx) -> None:
        self._ctx = ctx
        self._db = ctx.db
        self._s = ctx.schema

    def save(self, key: str, data: Any) -> None:
        with self._db.tx():
            self._db.execute(
                f"INSERT OR REPLACE INTO {self._s}.drafts(key, data, saved_at, saved_by) VALUES (?,?,?,?)",
                (key, dumps(data), now_iso(), self._ctx.user),
            )

    def load(self, key: str) -> Any:
        """The saved data, or None when there is no draft."""
        row = self._db.one(f"SELECT data FROM {self._s}.drafts WHERE key = ?", (key,))
        return None if row is None else loads(row[0])

    def discard(self, key: str) -> None:
        with self._db.tx():
            self._db.execute(f"DELETE FROM {self._s}.drafts WHERE key = ?", (key,))

    def keys(self) -> list[str]:
        return [r[0] for r in self._db.execute(f"SELECT key FROM {self._s}.drafts ORDER BY saved_at DESC")]
