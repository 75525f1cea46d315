"""The "termb" card-reader backend (华视 CVR-100 family and compatibles), through ctypes.

These vendors wrap the SAM module in their own API (`libtermb.so` on Linux, `termb.dll` with
``__stdcall`` exports on Windows); the library decodes the chip for us:
    int CVR_InitComm(int port)      1 ok, 2 port open failed, -1 unknown, -2 library load error
    int CVR_Authenticate(void)      1 card found and selected, 2 no card, 3 select failed, 4 no reader
    int CVR_Read_Content(int active)  1 ok (active = 4: text + photo in memory)
    int CVR_CloseComm(void)
    int GetPeopleName(uchar *buf, int *len) … GetPeopleSex, GetPeopleNation, GetPeopleBirthday,
        GetPeopleAddress, GetPeopleIDCode, GetDepartment, GetStartDate, GetEndDate — 1 ok,
        GBK text, NUL-terminated;  GetBMPData(uchar *buf, int *len) — the decoded photo as BMP.
Sex and ethnicity come back as words ("男", "汉") on most firmware and as codes on some; both are
accepted. Threading: as `types.py` (one worker thread; a lock; `cancel()` from any thread).
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Callable

from fieldkit import platform_io
from fieldkit.domain.errors import DeviceUnavailable

from .codes import ETHNICITY, SEX
from .polling import wait_for_card
from .sdt import USB_PORTS, _bmp_to_png, _load_first
from .types import CardEvent, IdCardInfo

DEFAULT_LIBRARIES = ("libtermb.so", "libtermb.so.1", "termb.so")
WINDOWS_LIBRARIES = ("termb.dll",)
AUTH_TEXT = {
    3: ("选卡失败，请重新放置身份证", "Could not select the card; place it again"),
    4: ("未连接身份证阅读器", "The ID-card reader is not connected"),
    0: ("身份证阅读器驱动库未正确加载", "The card-reader library did not initialise"),
}
_NAME_TO_CODE = {v: k for k, v in ETHNICITY.items()} | {v.removesuffix("族"): k for k, v in ETHNICITY.items()}
_SEX_TO_CODE = {v: k for k, v in SEX.items()}


def _date(s: str) -> str:
    if "长期" in s:
        return "长期"
    digits = re.sub(r"\D", "", s)
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}" if len(digits) == 8 else s.strip()


class TermbCardReader:
    """An ID-card reader on the termb API. `port=None` tries USB ports 1001–1016."""

    def __init__(self, *, library: str | None = None, port: int | None = None, encoding: str = "gbk") -> None:
        """`encoding` of the getters' text: GBK for the Windows-derived libraries (the usual
        case); a few Linux builds use "utf-8". It cannot be guessed: short GBK strings such as
        "女" are also valid UTF-8."""
        self.encoding = encoding
        try:
            names = platform_io.library_names(posix=DEFAULT_LIBRARIES, windows=WINDOWS_LIBRARIES)
            self.lib, self.library = _load_first((library,) if library else names)
        except OSError as exc:
            raise DeviceUnavailable(
                f"未找到身份证阅读器驱动库（{names[0]}），请安装读卡器厂家的驱动或在设置中指定路径",
                message_en=f"The ID-card reader library ({names[0]}) was not found: {exc}",
                code="no_termb_library",
            ) from exc
        L = self.lib
        L.CVR_InitComm.argtypes = [ctypes.c_int]
        L.CVR_Read_Content.argtypes = [ctypes.c_int]
        for name in ("CVR_InitComm", "CVR_Authenticate", "CVR_Read_Content", "CVR_CloseComm"):
            getattr(L, name).restype = ctypes.c_int
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self.port = 0
        last = 2
        for p in (port,) if port is not None else USB_PORTS:
            last = L.CVR_InitComm(p)
            if last == 1:
                self.port = p
                break
        if not self.port:
            raise DeviceUnavailable(
                "未检测到身份证阅读器，请检查 USB 连接",
                message_en=f"No ID-card reader found (CVR_InitComm returned {last})",
                code="no_idcard_reader",
            )

    def _text(self, getter: str) -> str:
        fn = getattr(self.lib, getter, None)
        if fn is None:
            return ""
        buf, n = ctypes.create_string_buffer(256), ctypes.c_int(256)
        if fn(buf, ctypes.byref(n)) != 1:
            return ""
        raw = buf.raw[: max(0, min(n.value, 256))].split(b"\0", 1)[0]
        return raw.decode(self.encoding, errors="replace").strip()

    def cancel(self) -> None:
        self._cancel.set()

    def read_card(
        self,
        *,
        progress: Callable[[CardEvent], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        timeout: float = 30.0,
    ) -> IdCardInfo:
        with self._lock:
            self._cancel.clear()

            def found() -> bool:
                rc = self.lib.CVR_Authenticate()
                if rc not in (1, 2):  # 2: no card yet
                    zh, en = AUTH_TEXT.get(rc, (f"读卡器返回错误 {rc}", f"Card reader error {rc}"))
                    raise DeviceUnavailable(zh, message_en=en, code="idcard_reader")
                return rc == 1

            wait_for_card(found, progress=progress, cancel=cancel, cancel_event=self._cancel, timeout=timeout)
            if self.lib.CVR_Read_Content(4) != 1:
                raise DeviceUnavailable(
                    "读身份证失败，请不要移动证件", message_en="Reading the card failed; keep it still", code="idcard_reader"
                )
            return self._collect()

    def _collect(self) -> IdCardInfo:
        sex = self._text("GetPeopleSex")
        sex_code = sex if sex in SEX else _SEX_TO_CODE.get(sex, "")
        nation = self._text("GetPeopleNation")
        eth_code = nation.zfill(2) if nation.isdigit() else _NAME_TO_CODE.get(nation, "")
        info = IdCardInfo(
            name=self._text("GetPeopleName"),
            sex_code=sex_code,
            sex=SEX.get(sex_code, sex),
            ethnicity_code=eth_code,
            ethnicity=ETHNICITY.get(eth_code, nation),
            birth_date=_date(self._text("GetPeopleBirthday")),
            address=self._text("GetPeopleAddress"),
            id_number=self._text("GetPeopleIDCode").upper(),
            authority=self._text("GetDepartment"),
            valid_from=_date(self._text("GetStartDate")),
            valid_to=_date(self._text("GetEndDate")),
        )
        fn = getattr(self.lib, "GetBMPData", None)
        if fn is None:
            info.photo_status = "no_decoder"
            return info
        buf, n = ctypes.create_string_buffer(65536), ctypes.c_int(65536)
        if fn(buf, ctypes.byref(n)) == 1 and n.value > 54:
            try:
                info.photo_png = _bmp_to_png(buf.raw[: n.value])
                info.photo_status = "decoded"
            except (ValueError, OSError):
                info.photo_status = "decode_failed"
        else:
            info.photo_status = "absent"
        return info

    def close(self) -> None:
        with self._lock:
            if self.port:
                self.lib.CVR_CloseComm()
                self.port = 0
