"""A pretend ID-card reader for demo mode and tests of other layers — never for real work.

It "reads" a fixed, obviously fictitious card after a short pause (the ID number has a valid
checksum so forms accept it). Threading: as `types.py`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from fieldkit.domain.errors import Cancelled

from .parse import build_base_text, parse_base_text
from .types import CardEvent, IdCardInfo

DEMO_CARD = {
    "name": "张三丰",
    "sex_code": "1",
    "ethnicity_code": "01",
    "birth": "19800101",
    "address": "福建省南平市某某县某某乡某某村12号",
    "id_number": "350702198001010014",
    "authority": "某某县公安局",
    "valid_from": "20200101",
    "valid_to": "20400101",
}


class FakeIdCardReader:
    def __init__(self, *, delay: float = 0.5, card: dict[str, str] | None = None,
                 photo_png: bytes | None = None) -> None:
        self.delay = delay  # s until the pretend card is placed
        self.card = dict(card or DEMO_CARD)
        self.photo_png = photo_png  # the "chip photo" the demo card returns already decoded
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def read_card(
        self,
        *,
        progress: Callable[[CardEvent], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        timeout: float = 30.0,
    ) -> IdCardInfo:
        self._cancel.clear()
        if progress:
            progress(CardEvent("place_card", "请将身份证放在读卡器上", "Place the ID card on the reader"))
        end = time.monotonic() + self.delay
        while time.monotonic() < end:
            if self._cancel.is_set() or (cancel is not None and cancel()):
                raise Cancelled()
            time.sleep(0.02)
        info = parse_base_text(build_base_text(**self.card))
        info.photo_png = self.photo_png
        info.photo_status = "decoded" if self.photo_png else "no_decoder"
        return info

    def close(self) -> None:
        pass
