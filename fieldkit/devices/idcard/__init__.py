"""2nd-generation ID-card readers (二代证阅读器): SDT and termb backends, demo fake, parsing.

Public API (threading and units in `types.py`):
    open_card_reader(backend="sdt"|"termb"|"fake", library=None, port=None, wlt_library=None) -> IdCardReader
    reader.read_card(progress=, cancel=, timeout=) -> IdCardInfo;  reader.cancel();  reader.close()
    parse_base_text(block: bytes) -> IdCardInfo
"""

from __future__ import annotations

from .factory import open_card_reader
from .fake import FakeIdCardReader
from .parse import build_base_text, parse_base_text
from .sdt import SdtCardReader, WltDecoder
from .termb import TermbCardReader
from .types import CardEvent, IdCardInfo, IdCardReader

__all__ = [
    "CardEvent",
    "FakeIdCardReader",
    "IdCardInfo",
    "IdCardReader",
    "SdtCardReader",
    "TermbCardReader",
    "WltDecoder",
    "build_base_text",
    "open_card_reader",
    "parse_base_text",
]
