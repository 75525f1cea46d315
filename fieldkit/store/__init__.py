"""The encrypted store: the only place with SQL. See AGENTS.md (contract) and docs/security.md.

Threading: a `Store` is used by one thread at a time (the UI's database worker thread).
"""

from __future__ import annotations

from .audit import Rollback
from .restore_guard import BackupLacksNewer
from .store import Store
from .sync_tables import ConflictRow
from .types import (
    ROLES,
    AuditEntry,
    AuditReport,
    Change,
    Hit,
    IndexTerms,
    IndexTermsLike,
    OutboxItem,
    Record,
    UserInfo,
    WatchHit,
)

__all__ = [
    "ROLES",
    "AuditEntry",
    "AuditReport",
    "BackupLacksNewer",
    "Change",
    "ConflictRow",
    "Hit",
    "IndexTerms",
    "IndexTermsLike",
    "OutboxItem",
    "Record",
    "Rollback",
    "Store",
    "UserInfo",
    "WatchHit",
]
