"""How a record's per-field stamps and its pending outbox entries are kept compactly on disk.

Issue 17 measured 6.1 KB per record, most of it repeated copies: each field's 32-character HLC
stamp in `versions` (most fields of a record share one — they were written together), and a
full `[value, stamp]` copy of every field in the outbox entry of a record not yet sent.

* `versions`: the stamp most fields share is written once under `SHARED`; only a field whose
  stamp differs (or that has a stamp but no value, or a value but no stamp — null) is written
  out. A text without `SHARED` is the plain map, as stores before 0011 wrote it.
* `terms` (the row's own list of its index terms, so a save removes exactly those): keys
  grouped by kind, and the terms made from another of the row's terms (an ID number's last 4–6
  characters, a plate without its province, a name's two-character pieces) left out — reading
  makes them again from their source. What reading gives may hold a piece the row never had
  (a name indexed without pieces): removing an index entry that is not there does nothing,
  so only a missing one could leave an entry behind, and none can be missing.
* outbox: an entry of a create or update whose fields are exactly those of the record row
  carrying the entry's stamp stores only that stamp (`outbox.stamp`; `ROW_STAMP` when it is the
  one most of the row's fields share, as a create's is) and the row's id (`outbox.rid`), no
  values; it is resolved against the row when read. Before the row is rewritten so that such a field would
  change, `records._commit` writes the old `[value, stamp]` into the entry (`settle`) — the
  entry says what was edited then, whatever happens to the row after.

Threading: pure functions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .ctx import dumps, loads

SHARED = "*"  # never a field name: form fields start with a letter or an underscore
ROW_STAMP = ""  # outbox.stamp: the stamp under the row's SHARED, whatever it is


def _shared(data: Mapping[str, Any], versions: Mapping[str, str]) -> str | None:
    common = Counter(versions[k] for k in data if k in versions).most_common(1)
    return common[0][0] if common and common[0][1] >= 2 else None


def _row_shared(versions_text: str | None) -> str | None:
    raw = loads(versions_text) or {}
    return raw.get(SHARED) if isinstance(raw, dict) else None


def outbox_has_stamp(db: Any, schema: str) -> bool:
    """Whether step 0012 made `outbox.stamp`. Tests build a store of an older schema with this
    code (`STEPS.before(...)`); such a store gets full copies, as the code of its day wrote."""
    return any(r[1] == "stamp" for r in db.execute(f"PRAGMA {schema}.table_info(outbox)"))


def pack_versions(data: Mapping[str, Any], versions: Mapping[str, str]) -> str:
    common = _shared(data, versions)
    if common is None:
        return dumps(dict(versions))
    out: dict[str, str | None] = {SHARED: common}
    out.update((k, v) for k, v in versions.items() if k not in data or v != common)
    out.update((k, None) for k in data if k not in versions)
    return dumps(out)


def unpack_versions(data: Mapping[str, Any], text: str | None) -> dict[str, str]:
    raw = loads(text) or {}
    if SHARED not in raw:
        return dict(raw)
    common = raw.pop(SHARED)
    out = dict.fromkeys(data, common)
    for k, v in raw.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


# kind -> (the kind it is made from, how): formspec.index's tails and name pieces.
_MADE_FROM: dict[str, tuple[str, Callable[[str], list[str]]]] = {
    "id_tail": ("id", lambda k: [k[-n:] for n in (4, 5, 6) if len(k) >= n]),
    "plate_tail": ("plate", lambda k: [k[1:]] if len(k) >= 2 else []),
    "bi": ("name", lambda k: [k[i:i + 2] for i in range(len(k) - 1)]),
}


def _made(grouped: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    return [(kind, d) for kind, (src, fn) in _MADE_FROM.items() for k in grouped.get(src, ()) for d in fn(k)]


def pack_terms(terms: Sequence[tuple[str, str]]) -> str:
    if not terms:
        return "[]"
    sources: dict[str, list[str]] = {}
    for kind, key in terms:
        sources.setdefault(kind, []).append(key)
    made = set(_made(sources))
    grouped: dict[str, list[str]] = {}
    for kind, key in terms:
        if (kind, key) not in made:
            grouped.setdefault(kind, []).append(key)
    return dumps(grouped)


def unpack_terms(text: str | None) -> list[tuple[str, str]]:
    raw = loads(text) or []
    if isinstance(raw, list):  # as written before 0013: [[kind, key], ...]
        return [(k, v) for k, v in raw]
    out = [(kind, key) for kind, keys in raw.items() for key in keys]
    return list(dict.fromkeys(out + _made(raw)))


def stamped(data: Mapping[str, Any], versions: Mapping[str, str], stamp: str) -> dict[str, list[Any]]:
    """The fields of a row written with `stamp`, as an outbox entry lists them."""
    return {f: [v, stamp] for f, v in data.items() if versions.get(f) == stamp}


def by_reference(data: Mapping[str, Any], versions: Mapping[str, str], fields: Mapping[str, list[Any]]) -> str | None:
    """The stamp to store instead of `fields` when the row as written gives them back exactly."""
    stamps = {v[1] for v in fields.values()}
    if len(stamps) != 1:
        return None
    stamp = next(iter(stamps))
    if stamped(data, versions, stamp) != dict(fields):
        return None
    return ROW_STAMP if stamp == _shared(data, versions) else stamp


def resolve(fields_text: str, stamp: str | None, data_text: str | None, versions_text: str | None
            ) -> dict[str, list[Any]]:
    """An outbox entry's fields: the ones written out, and those its stamp names in the row."""
    fields: dict[str, list[Any]] = loads(fields_text) or {}
    if stamp is None or data_text is None:
        return fields
    if stamp == ROW_STAMP:
        stamp = _row_shared(versions_text) or ROW_STAMP
    data = loads(data_text)
    return {**stamped(data, unpack_versions(data, versions_text), stamp), **fields}


def settle(fields_text: str, stamp: str, old_versions_text: str, old: tuple[dict[str, Any], dict[str, str]],
           new: tuple[Mapping[str, Any], Mapping[str, str]]) -> tuple[str, str | None] | None:
    """What an entry referring to a row must store once the row goes from `old` to `new`
    (data, versions): None if it still resolves to the same fields, else (fields, stamp) with
    the values it would lose written out — all of them, stamp None, if the new row would lend
    it a field it never had (a form upgrade carrying the stamp to a renamed field)."""
    named = stamp
    if stamp == ROW_STAMP:
        stamp = _row_shared(old_versions_text) or ROW_STAMP
    before = stamped(*old, stamp)
    after = stamped(*new, stamp)
    # ROW_STAMP stays right only while the row's shared stamp stays this one.
    keep = ROW_STAMP if named == ROW_STAMP and _shared(*new) == stamp else stamp
    if after == before and keep == named:
        return None
    fields = loads(fields_text) or {}
    if set(after) - set(before):
        return dumps({**before, **fields}), None
    lost = {f: v for f, v in before.items() if after.get(f) != v}
    return dumps({**lost, **fields}), keep
