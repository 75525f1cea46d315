"""Search as an officer types: ID numbers, plates, phones, doorplate codes, names, pinyin.

The text is classified first, then answered from the store's exact and prefix indexes
(B-tree lookups, never a table scan), so results stay instant at a million records.
Chinese names of any length work: two-character names through the `bi` (bigram) terms,
longer ones through the full-name terms and bigram intersection; "zw" finds 张伟 through
pinyin initials.

Threading: called on the thread that owns the workspace.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from fieldkit.domain.validators import check_id_number, check_plate
from fieldkit.services.workspace import Workspace

_CJK = re.compile(r"^[\u3400-\u9fff\u00b7·]+$")
_PINYIN = re.compile(r"^[a-z]+$")
_DIGITS = re.compile(r"^\d+$")
_PLATE_START = re.compile(r"^[\u4e00-\u9fff][A-Z]")


@dataclass(frozen=True)
class SearchHit:
    record: object  # store Record
    module: str
    matched: str  # which kind of term matched: id, plate, phone, code, name, bi, py, pyf


def normalise(text: str) -> str:
    """Full-width to half-width, trimmed, no inner spaces; letters upper-case except pinyin."""
    text = unicodedata.normalize("NFKC", text).strip()
    return re.sub(r"\s+", "", text)


def plan(text: str) -> list[tuple[str, str, str]]:
    """How to look the text up: a list of (mode, kind, key) with mode 'exact' or 'prefix'."""
    q = normalise(text)
    if not q:
        return []
    upper = q.upper()
    steps: list[tuple[str, str, str]] = []
    if _CJK.match(q):
        if len(q) == 1:
            steps.append(("prefix", "name", q))
        elif len(q) == 2:
            steps += [("exact", "bi", q)]
        else:
            steps += [("exact", "name", q), ("prefix", "name", q), ("bigrams", "bi", q)]
        return steps
    if _PLATE_START.match(upper):
        plate = check_plate(upper)
        steps.append(("exact", "plate", plate.value if plate.ok else upper))
        steps.append(("prefix", "plate", upper))
        return steps
    if _PINYIN.match(q.lower()) and q.isalpha():
        low = q.lower()
        steps += [("prefix", "py", low), ("prefix", "pyf", low)]
        steps += [("exact", "code", upper), ("prefix", "code", upper)]
        return steps
    if re.match(r"^\d{17}[\dX]$|^\d{15}$", upper):
        c = check_id_number(upper)
        steps.append(("exact", "id", c.value if c.ok else upper))
    if _DIGITS.match(q) and len(q) == 11 and q.startswith("1"):
        steps.append(("exact", "phone", q))
    if _DIGITS.match(upper.rstrip("X")) and len(q) >= 4:
        steps += [("prefix", "id", upper), ("prefix", "phone", q)]
    steps += [("exact", "code", upper), ("prefix", "code", upper)]
    if len(q) >= 3 and re.match(r"^[A-Z0-9]+$", upper):
        steps.append(("prefix", "plate", upper))
    return steps


def search(ws: Workspace, text: str, modules: list[str] | None = None, limit: int = 50) -> list[SearchHit]:
    """Records matching the text, best kinds first, at most `limit`, only modules the user sees."""
    visible = {m.id for m in ws.visible_modules()}
    allowed = [m for m in (modules or visible) if m in visible]
    if not allowed:
        return []
    seen: dict[str, str] = {}
    idx = ws.store.search
    for mode, kind, key in plan(text):
        if len(seen) >= limit:
            break
        room = limit - len(seen)
        if mode == "exact":
            hits = idx.exact(kind, key, modules=allowed, limit=room)
        elif mode == "prefix":
            hits = idx.prefix(kind, key, modules=allowed, limit=room)
        else:
            hits = _bigram_intersection(idx, key, allowed, room)
        for h in hits:
            seen.setdefault(h.uuid, kind)
    records = ws.store.records.get_many(list(seen))
    out = [SearchHit(r, r.module, seen[r.uuid]) for r in records if r is not None and not r.deleted]
    ws.store.audit.log("search", detail={"kinds": sorted({h.matched for h in out}), "results": len(out)})
    return out


def _bigram_intersection(idx, text: str, modules: list[str], limit: int):
    """Records whose names contain every bigram of `text` (names of 3+ characters, mid-string)."""
    grams = [text[i : i + 2] for i in range(len(text) - 1)]
    first = {h.uuid: h for h in idx.exact("bi", grams[0], modules=modules, limit=5000)}
    for g in grams[1:]:
        keep = {h.uuid for h in idx.exact("bi", g, modules=modules, limit=5000)}
        first = {u: h for u, h in first.items() if u in keep}
        if not first:
            break
    return list(first.values())[:limit]
