"""What the server's logs may say: no query strings in uvicorn's access log.

The API puts no personal data in paths (ids are uuids and SHA-256 names) and the real client
none in query strings (cursors, offsets, lengths), but a query is whatever a caller sent: a
misbehaving or hostile client's ``?name=…`` would otherwise be written to disk by every access
line. Error answers are trimmed in sync/server/app.py; request bodies are never logged.
tests/sync/test_server_logs.py pushes a name and an ID number and looks for them in the logs.
"""

from __future__ import annotations

import logging


class DropQuery(logging.Filter):
    """Rewrites uvicorn access records ``(client, method, path?query, http, status)`` to the path."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (args[0], args[1], args[2].split("?", 1)[0] + "?…", args[3], args[4])
        return True


_FILTER = DropQuery()


def install() -> None:
    """Attach the filter to uvicorn's access logger (idempotent; survives uvicorn's dictConfig,
    which adds handlers and levels but keeps a logger's filters)."""
    log = logging.getLogger("uvicorn.access")
    if _FILTER not in log.filters:
        log.addFilter(_FILTER)
