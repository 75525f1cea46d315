"""Value types the store hands out and the one it takes in (index terms).

All are plain frozen dataclasses: safe to pass between threads once built (they hold no
connection). Times are ISO-8601 UTC strings with milliseconds (``2026-11-23T08:25:33.123Z``),
so string order is time order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

ROLES = ("officer", "grid_worker", "chief")


class IndexTermsLike(Protocol):
    """What `formspec.index_terms` returns; the store needs only these attributes.

    `terms` is a sequence of (kind, key) pairs; `village`, `grid` and `date` (ISO date) are the
    record's filter columns, each possibly None.
    """

    terms: Sequence[tuple[str, str]]
    village: str | None
    grid: str | None
    date: str | None


@dataclass(frozen=True)
class IndexTerms:
    """A concrete `IndexTermsLike` for callers (tests, bench, sync) that have no form spec."""

    terms: Sequence[tuple[str, str]] = ()
    village: str | None = None
    grid: str | None = None
    date: str | None = None


NO_TERMS = IndexTerms()


@dataclass(frozen=True)
class UserInfo:
    login: str
    role: str  # 'officer' | 'grid_worker' | 'chief'
    display_name: str = ""


@dataclass(frozen=True)
class Record:
    """One record of any module. `id` is the local row id (for lazy models), `uuid` the global id.

    `versions` maps field name → HLC stamp of its last change (string order = causal order).
    """

    id: int
    uuid: str
    module: str
    data: dict[str, Any]
    versions: dict[str, str]
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str
    deleted: bool
    village: str | None = None
    grid: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Change:
    """One line of a record's history: `op` is create/update/delete/restore/sync; `field` is None
    for create/delete. `record` is set when the line belongs to another record merged into this
    one (its uuid)."""

    at: str
    by: str
    op: str
    field: str | None
    old: Any
    new: Any
    stamp: str
    record: str | None = None


@dataclass(frozen=True)
class Hit:
    """A search-index match: the record's row id, uuid and module, and the term that matched."""

    id: int
    uuid: str
    module: str
    kind: str
    key: str


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    user: str
    action: str
    module: str | None
    target: str | None
    detail: Any


@dataclass(frozen=True)
class AuditReport:
    """Result of `audit.verify()`: `ok`, rows checked, first bad sequence number and why (English)."""

    ok: bool
    count: int
    bad_seq: int | None = None
    reason: str = ""
    reason_zh: str = ""


@dataclass(frozen=True)
class WatchHit:
    reason: str
    source: str
    added_at: str
    added_by: str


@dataclass(frozen=True)
class OutboxItem:
    """A pending local change for sync. `fields` maps field → [value, HLC stamp]; `by` is the
    login that made it ("" for rows queued before authors were recorded)."""

    seq: int
    uuid: str
    module: str
    op: str
    fields: dict[str, list[Any]] = field(default_factory=dict)
    schema_version: int = 0
    at: str = ""
    by: str = ""
