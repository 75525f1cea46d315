"""Waiting for a card on the reader: the loop both vendor APIs need.

Threading: runs on the caller's (worker) thread; `cancel_event` may be set from any thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from fieldkit.domain.errors import Cancelled, UserFacingError

from .types import CardEvent

POLL = 0.25  # s between card searches: readers answer a search in ~50 ms; this keeps the USB bus calm


def wait_for_card(
    found: Callable[[], bool],
    *,
    progress: Callable[[CardEvent], None] | None,
    cancel: Callable[[], bool] | None,
    cancel_event: threading.Event,
    timeout: float,
) -> None:
    """Poll `found()` (True: a card is there; False: keep waiting; it raises on a reader error)
    every POLL s until a card is found, asking once to place it and announcing the read.

    Raises `Cancelled` when cancelled and `UserFacingError` (code "no_card") after `timeout` s.
    """
    deadline = time.monotonic() + timeout
    asked = False
    while True:
        if cancel_event.is_set() or (cancel is not None and cancel()):
            raise Cancelled()
        if found():
            break
        if not asked and progress is not None:
            progress(CardEvent("place_card", "请将身份证放在读卡器上", "Place the ID card on the reader"))
        asked = True
        if time.monotonic() > deadline:
            raise UserFacingError(
                "未检测到身份证，请将证件平放在读卡器感应区后重试",
                message_en="No ID card detected; lay the card flat on the reader and retry",
                code="no_card",
            )
        time.sleep(POLL)
    if progress is not None:
        progress(CardEvent("reading", "正在读卡，请勿移动证件", "Reading, keep the card still"))
