"""Choosing an ID-card reader backend. Raises DeviceUnavailable with a plain Chinese message when
the vendor library or the reader is missing, so the officer can type the fields instead.
Threading: call from a worker thread (opening probes up to 16 USB ports)."""

from __future__ import annotations

from .fake import FakeIdCardReader
from .sdt import SdtCardReader
from .termb import TermbCardReader
from .types import IdCardReader

BACKENDS = ("sdt", "termb", "fake")


def open_card_reader(
    *,
    backend: str = "sdt",
    library: str | None = None,
    port: int | None = None,
    wlt_library: str | None = None,
    wlt_function: str = "unpack",
    text_encoding: str = "gbk",
) -> IdCardReader:
    """Open the card reader. `library`: path of libsdtapi.so / libtermb.so (sdtapi.dll / termb.dll on Windows; default: the loader's
    search path); `port`: 1001–1016 USB, 1–16 serial (default: first USB that answers);
    `wlt_library`: the SDT photo decoder (termb libraries decode the photo themselves);
    `text_encoding`: termb only, the getters' encoding (GBK unless the vendor says UTF-8)."""
    if backend == "fake":
        return FakeIdCardReader()
    if backend == "termb":
        return TermbCardReader(library=library, port=port, encoding=text_encoding)
    if backend != "sdt":
        raise ValueError(f"backend must be one of {BACKENDS}")
    return SdtCardReader(library=library, port=port, wlt_library=wlt_library, wlt_function=wlt_function)
