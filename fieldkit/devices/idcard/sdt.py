"""The SDT API card-reader backend (2nd-generation ID-card readers), through ctypes.

Most certified readers (华视, 神思, 精伦 …) ship a Linux `libsdtapi.so` and a Windows `sdtapi.dll`
with the SAM module's API (``__stdcall`` on Windows, hence `platform_io.load_library`):
    int SDT_OpenPort(int port)                       0x90 ok
    int SDT_ClosePort(int port)                      0x90 ok
    int SDT_StartFindIDCard(int port, uchar *mana, int ifOpen)   0x9F card found, 0x80 none
    int SDT_SelectIDCard(int port, uchar *mana, int ifOpen)      0x90 ok, 0x81 failed
    int SDT_ReadBaseMsg(int port, uchar *text, uint *textLen, uchar *photo, uint *photoLen, int ifOpen)
Ports 1001–1016 are USB readers, 1–16 serial ones. The text is 256 bytes of UCS-2LE (see
`parse.py`); the photo is 1024 bytes of vendor-encoded WLT that only the vendor's decoder library
can turn into a picture — `WltDecoder` calls it when configured (`int unpack(char *wlt, char *bmp,
int flag)`, 1 = ok, as in libwlt2bmp / libwlt), otherwise the card is returned without a photo and
says so plainly.

Threading: one worker thread at a time (the library is not re-entrant; a lock enforces it);
`cancel()` from any thread. Each SDT call blocks for up to ~1 s.
"""

from __future__ import annotations

import ctypes
import io
import threading
from collections.abc import Callable

from fieldkit import platform_io
from fieldkit.domain.errors import DeviceUnavailable

from .codes import SDT_FOUND, SDT_OK, sdt_message
from .parse import parse_base_text
from .polling import wait_for_card
from .types import CardEvent, IdCardInfo

DEFAULT_LIBRARIES = ("libsdtapi.so", "libsdtapi.so.1", "libSDTAPI.so")
DEFAULT_WLT_LIBRARIES = ("libwlt2bmp.so", "libwlt.so")
WINDOWS_LIBRARIES = ("sdtapi.dll",)
# The Windows SDKs' WLT decoder with the same `unpack` entry point; other vendors name theirs
# differently — the settings' 照片解码库 field takes its path.
WINDOWS_WLT_LIBRARIES = ("DLL_File.dll",)
USB_PORTS = tuple(range(1001, 1017))
WLT_LEN = 1024
BMP_LEN = 38862  # 102×126 24-bit BMP with header, what the decoders write
PHOTO_W, PHOTO_H = 102, 126


def default_libraries() -> tuple[str, ...]:
    return platform_io.library_names(posix=DEFAULT_LIBRARIES, windows=WINDOWS_LIBRARIES)


def _load_first(names: tuple[str, ...] | list[str]) -> tuple[ctypes.CDLL, str]:
    errors = []
    for n in names:
        try:
            return platform_io.load_library(n), n
        except OSError as exc:
            errors.append(f"{n}: {exc}")
    raise OSError("; ".join(errors))


def _reader_error(code: int, what: str) -> DeviceUnavailable:
    zh, en = sdt_message(code)
    return DeviceUnavailable(f"{zh}（{what} 0x{code:02X}）", message_en=f"{en} ({what} 0x{code:02X})", code="idcard_reader")


class WltDecoder:
    """Turns the chip's 1024-byte WLT photo into PNG bytes through the vendor's decoder library."""

    def __init__(self, library: str | None = None, function: str = "unpack") -> None:
        names = (library,) if library else platform_io.library_names(
            posix=DEFAULT_WLT_LIBRARIES, windows=WINDOWS_WLT_LIBRARIES)
        self.lib, self.path = _load_first(names)
        self.fn = getattr(self.lib, function)
        self.fn.restype = ctypes.c_int
        self.fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]

    def decode(self, wlt: bytes) -> bytes:
        """PNG bytes of the photo; raises ValueError when the decoder refuses the data."""
        src = ctypes.create_string_buffer(bytes(wlt[:WLT_LEN]).ljust(WLT_LEN, b"\0"), WLT_LEN)
        dst = ctypes.create_string_buffer(BMP_LEN + 4096)  # generous: some decoders pad rows
        rc = self.fn(src, dst, 1)
        if rc != 1:
            raise ValueError(f"WLT decoder returned {rc}")
        return _bmp_to_png(dst.raw)


def _bmp_to_png(raw: bytes) -> bytes:
    from PIL import Image

    if raw[:2] == b"BM":
        img = Image.open(io.BytesIO(raw[: int.from_bytes(raw[2:6], "little") or len(raw)]))
    else:
        # Headerless decoders give bottom-up BGR rows padded to 4 bytes, as in a BMP body.
        stride = (PHOTO_W * 3 + 3) // 4 * 4
        img = Image.frombuffer("RGB", (PHOTO_W, PHOTO_H), raw[: stride * PHOTO_H], "raw", "BGR", stride, -1)
    out = io.BytesIO()
    img.convert("RGB").save(out, format="PNG")
    return out.getvalue()


class SdtCardReader:
    """An ID-card reader on the SDT API. `port=None` finds the first USB reader (1001–1016)."""

    def __init__(
        self,
        *,
        library: str | None = None,
        port: int | None = None,
        wlt_library: str | None = None,
        wlt_function: str = "unpack",
    ) -> None:
        try:
            self.lib, self.library = _load_first((library,) if library else default_libraries())
        except OSError as exc:
            name = default_libraries()[0]
            raise DeviceUnavailable(
                f"未找到身份证阅读器驱动库（{name}），请安装读卡器厂家的驱动或在设置中指定路径",
                message_en=f"The ID-card reader library ({name}) was not found: {exc}",
                code="no_sdt_library",
            ) from exc
        L, c_int, c_p = self.lib, ctypes.c_int, ctypes.c_char_p
        for name in ("SDT_OpenPort", "SDT_ClosePort"):
            getattr(L, name).argtypes = [c_int]
            getattr(L, name).restype = c_int
        for name in ("SDT_StartFindIDCard", "SDT_SelectIDCard"):
            getattr(L, name).argtypes = [c_int, c_p, c_int]
            getattr(L, name).restype = c_int
        L.SDT_ReadBaseMsg.argtypes = [c_int, c_p, ctypes.POINTER(ctypes.c_uint), c_p, ctypes.POINTER(ctypes.c_uint), c_int]
        L.SDT_ReadBaseMsg.restype = c_int
        self.decoder: WltDecoder | None = None
        self.decoder_error = ""
        try:
            self.decoder = WltDecoder(wlt_library, wlt_function)
        except (OSError, AttributeError) as exc:
            self.decoder_error = str(exc)
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self.port = self._open(port)

    def _open(self, port: int | None) -> int:
        last = 0x01
        for p in (port,) if port is not None else USB_PORTS:
            last = self.lib.SDT_OpenPort(p)
            if last == SDT_OK:
                return p
        zh, en = sdt_message(last)
        raise DeviceUnavailable(
            f"未检测到身份证阅读器：{zh}",
            message_en=f"No ID-card reader found: {en} (0x{last:02X})",
            code="no_idcard_reader",
        )

    def cancel(self) -> None:
        self._cancel.set()

    def read_card(
        self,
        *,
        progress: Callable[[CardEvent], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        timeout: float = 30.0,
    ) -> IdCardInfo:
        """Wait for a card (polling every POLL s) and read it; see `IdCardReader`."""
        with self._lock:
            self._cancel.clear()
            mana = ctypes.create_string_buffer(8)

            def found() -> bool:
                rc = self.lib.SDT_StartFindIDCard(self.port, mana, 0)
                if rc not in (SDT_FOUND, 0x80):  # 0x80: no card yet
                    raise _reader_error(rc, "find")
                return rc == SDT_FOUND

            wait_for_card(found, progress=progress, cancel=cancel, cancel_event=self._cancel, timeout=timeout)
            rc = self.lib.SDT_SelectIDCard(self.port, mana, 0)
            if rc != SDT_OK:
                raise _reader_error(rc, "select")
            text = ctypes.create_string_buffer(256 + 16)
            photo = ctypes.create_string_buffer(WLT_LEN + 16)
            tlen, plen = ctypes.c_uint(0), ctypes.c_uint(0)
            rc = self.lib.SDT_ReadBaseMsg(self.port, text, ctypes.byref(tlen), photo, ctypes.byref(plen), 0)
            if rc != SDT_OK:
                raise _reader_error(rc, "read")
            info = parse_base_text(text.raw[: min(tlen.value or 256, 256)])
            info.photo_wlt = photo.raw[: min(plen.value, WLT_LEN)]
            self._decode_photo(info)
            return info

    def _decode_photo(self, info: IdCardInfo) -> None:
        if not info.photo_wlt:
            info.photo_status = "absent"
        elif self.decoder is None:
            info.photo_status = "no_decoder"
        else:
            try:
                info.photo_png = self.decoder.decode(info.photo_wlt)
                info.photo_status = "decoded"
            except (ValueError, OSError):
                info.photo_status = "decode_failed"

    def close(self) -> None:
        with self._lock:
            if self.port:
                self.lib.SDT_ClosePort(self.port)
                self.port = 0
