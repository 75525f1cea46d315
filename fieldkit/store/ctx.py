"""What the store's parts share once unlocked: the connection, the clock, who is acting, sub-keys.

Threading: one thread at a time, like the `Db` inside it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.hlc import HLC

from .db import Db


def now_iso() -> str:
    """UTC now as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` — sortable as a string."""
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"


# Compact, and Chinese kept as UTF-8 (it is encrypted on disk anyway; \u escapes would only
# make pages bigger). `default=str` stores dates/decimals as their ISO/str form. One encoder
# object: json.dumps with options builds a new one per call, a measurable cost in bulk loads.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


def dumps(value: Any) -> str:
    return _ENCODE(value)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


@dataclass
class Ctx:
    db: Db
    home: Path
    user: str
    hlc: HLC
    schema_version: int
    keys: dict[str, bytes] = field(default_factory=dict)  # purpose → sub-key (HKDF of the data key)
    # Which attached database the part's tables are in ("main", or "restricted": store/partition.py)
    # and where its row ids start (the restricted database's ids never meet the main one's).
    schema: str = "main"
    base: int = 0
