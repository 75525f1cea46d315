"""`store.search`: exact and prefix lookups in the terms index.

The index is one B-tree on (kind, key, module, rid). `exact` is an equality seek; `prefix` is a
range scan ``key >= p AND key < p || U+10FFFF`` (never LIKE, which SQLite would not run on the
index with the default case-insensitive rules). Names are indexed as whatever terms formspec
emits — full name, every 2-character substring (`bi`), pinyin initials (`py`), full pinyin
(`pyf`) — so a two-character Chinese name is a single seek, which FTS5's trigram tokenizer
cannot do (it needs ≥3 characters). See docs/search.md.

Deleted records' terms are removed with the tombstone, so they never match.
Threading: one thread at a time (the store's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .ctx import Ctx
from .types import Hit

_TOP = "\U0010ffff"  # sorts after any UTF-8 continuation of a prefix


class Search:
    def __init__(self, ctx: Ctx) -> None:
        self._db = ctx.db
        self._s = ctx.schema

    def exact(self, kind: str, key: str, modules: Sequence[str] | None = None, limit: int = 50, *,
              village: str | None = None) -> list[Hit]:
        """Records with the term (kind, key), oldest first, at most `limit`; with `village`, only
        records of that village (the records' village column: an ID number's last 4 digits are
        unambiguous within one village, not across a county)."""
        if village is None:
            return self._query("t.kind = ? AND t.key = ?", [kind, key], modules, limit, "t.module, t.rid")
        return self._query("t.kind = ? AND t.key = ? AND r.village = ?", [kind, key, village], modules, limit,
                           "t.module, t.rid")

    def prefix(self, kind: str, key: str, modules: Sequence[str] | None = None, limit: int = 50) -> list[Hit]:
        """Records with a term of `kind` starting with `key`, in key order, at most `limit`."""
        if not key:
            return []
        return self._query("t.kind = ? AND t.key >= ? AND t.key < ?", [kind, key, key + _TOP], modules, limit,
                           "t.key, t.module, t.rid")

    def any_exact(self, key: str, kinds: Sequence[str], modules: Sequence[str] | None = None,
                  limit: int = 50) -> list[Hit]:
        """Records where `key` is a term of any of `kinds` (e.g. a number that may be an ID or a phone)."""
        if not kinds:
            return []
        marks = ",".join("?" * len(kinds))
        return self._query(f"t.kind IN ({marks}) AND t.key = ?", [*kinds, key], modules, limit,
                           "t.kind, t.module, t.rid")

    def exact_many(self, terms: Sequence[tuple[str, str]], modules: Sequence[str] | None = None) -> dict[tuple[str, str], list[Hit]]:
        """Live records holding each (kind, key) term, looked up in chunks (an import checks
        100,000 ID numbers with a few hundred queries, not 100,000)."""
        out: dict[tuple[str, str], list[Hit]] = {}
        by_kind: dict[str, list[str]] = {}
        for kind, key in dict.fromkeys(terms):
            by_kind.setdefault(kind, []).append(key)
        for kind, keys in by_kind.items():
            for i in range(0, len(keys), 400):
                chunk = keys[i : i + 400]
                cond = f"t.kind = ? AND t.key IN ({','.join('?' * len(chunk))})"
                for hit in self._query(cond, [kind, *chunk], modules, 1 << 30, "t.key, t.module, t.rid"):
                    out.setdefault((hit.kind, hit.key), []).append(hit)
        return out

    def count(self, kind: str, key: str, modules: Sequence[str] | None = None) -> int:
        sql = f"SELECT count(*) FROM {self._s}.terms t WHERE t.kind = ? AND t.key = ?"
        params: list[Any] = [kind, key]
        if modules:
            sql += f" AND t.module IN ({','.join('?' * len(modules))})"
            params += list(modules)
        return self._db.one(sql, params)[0]

    def _query(self, cond: str, params: list[Any], modules: Sequence[str] | None, limit: int,
               order: str) -> list[Hit]:
        if modules is not None:
            if not modules:
                return []
            cond += f" AND t.module IN ({','.join('?' * len(modules))})"
            params = [*params, *modules]
        sql = (f"SELECT t.rid, r.uuid, t.module, t.kind, t.key FROM {self._s}.terms t JOIN {self._s}.records r ON r.id = t.rid"
               f" WHERE {cond} AND r.deleted = 0 ORDER BY {order} LIMIT ?")
        return [Hit(*row) for row in self._db.execute(sql, [*params, int(limit)])]
